//! Unit tests of the routing table compiled from the specs and of parameter validation.

use super::*;

#[test]
fn every_spec_operation_is_routed() {
    let routes = Routes::compile();
    for api in Api::ALL {
        let spec = embedded_spec(api);
        assert_eq!(routes.of(api).count(), spec.operations().len(), "{api:?}");
    }
    let helix = routes
        .route(Api::TwitchHelix, "get_user_block_list")
        .unwrap();
    assert_eq!(
        helix.security.token_scopes.as_deref(),
        Some(&["user:read:blocked_users".to_string()][..])
    );
    assert!(helix.security.client_id);
    assert!(helix.rate.as_ref().unwrap().shared);
}

#[test]
fn parameters_are_typed_and_checked_against_their_schemas() {
    let routes = Routes::compile();
    let Lookup::Found(route, path) =
        routes.lookup(Api::XV2, &http::Method::GET, "/users/2244994945/blocking")
    else {
        panic!("not routed")
    };
    let q = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    let ok = routes
        .validate(
            route,
            &path,
            &q(&[("user.fields", "created_at,description")]),
            b"",
        )
        .unwrap();
    assert_eq!(ok.list("user.fields"), vec!["created_at", "description"]);
    assert_eq!(ok.int("max_results"), Some(100), "the spec's default");
    let bad = routes
        .validate(route, &path, &q(&[("max_results", "5000")]), b"")
        .unwrap_err();
    assert_eq!(bad.parameter, "max_results");
    assert!(bad.message.contains("5000"), "{}", bad.message);
    let bad = routes
        .validate(
            route,
            &path,
            &q(&[("user.fields", "created_at,shoe_size")]),
            b"",
        )
        .unwrap_err();
    assert_eq!(bad.parameter, "user.fields");
    let bad = routes
        .validate(route, &path, &q(&[("max_results", "ten")]), b"")
        .unwrap_err();
    assert!(bad.message.contains("not an integer"));
}
