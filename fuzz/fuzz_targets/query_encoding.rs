//! Query encoding: any query string through the runtime's request preparation (comma-joining of
//! `explode: false` arrays, bound checks) for an operation with both. It may refuse; it must
//! not panic, and what it sends keeps every parameter it was given: the decoded query it sends
//! has the same names, each other parameter's values unchanged and in order, and each
//! comma-joined parameter's values joined by commas, in order, in one parameter.
#![no_main]

use blockbind_runtime::{
    ApiSpec, Auth, CredentialNeed, OperationSpec, ParamBound, ParamLocation, Platform, Runtime,
};
use libfuzzer_sys::fuzz_target;

static API: ApiSpec = ApiSpec {
    name: "fuzz",
    base_url: "http://127.0.0.1/2",
    platform: Platform::X,
    accept: None,
    schemes: &[],
    operations: &[OperationSpec {
        id: "get_users_blocking",
        method: "GET",
        path: "/users/{id}/blocking",
        security: &[],
        enums: &[],
        scopes: &[],
        credential: CredentialNeed::None,
        comma_joined: &["user.fields", "tweet.fields", "expansions"],
        bounds: &[
            ParamBound { name: "max_results", location: ParamLocation::Query, minimum: Some(1), maximum: Some(1000), min_length: None, max_length: None, max_items: None },
            ParamBound { name: "pagination_token", location: ParamLocation::Query, minimum: None, maximum: None, min_length: Some(16), max_length: None, max_items: None },
            ParamBound { name: "id", location: ParamLocation::Path, minimum: None, maximum: None, min_length: Some(1), max_length: Some(19), max_items: None },
        ],
        bucket: "get_users_blocking",
        idempotent: true,
        availability: &[],
        items_total: None,
    }],
};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (path_id, query) = text.split_once('?').unwrap_or(("1", &text));
    let Ok(url) = reqwest::Url::parse(&format!("http://127.0.0.1/2/users/{path_id}/blocking?{query}")) else {
        return;
    };
    // One client for every input: building one per input (TLS setup) would be the whole cost.
    static HTTP: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    let http = HTTP.get_or_init(reqwest::Client::new);
    let mut request = reqwest::Request::new(reqwest::Method::GET, url);
    let runtime = Runtime::new(Auth::none());
    let given = pairs(request.url());
    let raw_names: Vec<String> = request.url().query().unwrap_or("").split('&').map(|p| p.split_once('=').map_or(p, |(n, _)| n).to_string()).collect();
    if futures::executor::block_on(runtime.pre(&API, http, &mut request, "get_users_blocking")).is_ok() {
        every_parameter_kept(&given, &pairs(request.url()), &raw_names);
    }
});

/// The query's parameters, decoded, in order.
fn pairs(url: &reqwest::Url) -> Vec<(String, String)> {
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

fn values<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect()
}

fn decoded_name(raw: &str) -> String {
    url::form_urlencoded::parse(raw.as_bytes()).next().map(|(k, _)| k.into_owned()).unwrap_or_default()
}

/// What was sent (`sent`) keeps every parameter given (`given`, whose names were spelt
/// `raw_names` before decoding).
fn every_parameter_kept(given: &[(String, String)], sent: &[(String, String)], raw_names: &[String]) {
    let names = |pairs: &[(String, String)]| pairs.iter().map(|(n, _)| n.clone()).collect::<std::collections::BTreeSet<_>>();
    assert_eq!(names(given), names(sent), "the parameters' names");
    let joined = API.operations[0].comma_joined;
    for name in names(given) {
        let (before, after) = (values(given, &name), values(sent, &name));
        if !joined.contains(&name.as_str()) {
            assert_eq!(before, after, "parameter {name:?}");
            continue;
        }
        // Joined by the name as written: one name spelt two ways (`user.fields`,
        // `user%2Efields`) is two parameters, each joined, so only the pieces are compared.
        let spellings: std::collections::BTreeSet<&String> = raw_names.iter().filter(|raw| decoded_name(raw) == name).collect();
        if spellings.len() == 1 {
            assert_eq!(after, [before.join(",")], "parameter {name:?}: its values joined, in order");
        } else {
            let pieces = |values: &[&str]| {
                let mut p: Vec<String> = values.iter().flat_map(|v| v.split(',')).map(str::to_string).collect();
                p.sort();
                p
            };
            assert_eq!(pieces(&before), pieces(&after), "parameter {name:?} (spelt {spellings:?})");
        }
    }
}
