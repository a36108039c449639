//! The mock's config as a user writes it.

use std::collections::BTreeMap;

use blockbind_mock::{Api, Bucket, MockConfig, MockServer};

#[tokio::test]
async fn a_rate_limit_keyed_by_an_alias_applies_to_its_api() {
    let bucket = Bucket {
        limit: 7,
        window_ms: 1_000,
    };
    let config = MockConfig {
        rate_limits: BTreeMap::from([("x-v1.1".to_string(), bucket)]),
        ..MockConfig::default()
    };
    let mock = MockServer::start(config).await.unwrap();
    assert_eq!(
        mock.config().rate_limits.get(Api::XV1.name()),
        Some(&bucket),
        "the alias x-v1.1 is stored under the API's name, where the server looks it up"
    );
}

#[tokio::test]
async fn a_rate_limit_for_an_api_no_spec_has_is_refused() {
    let config = MockConfig {
        rate_limits: BTreeMap::from([(
            "myspace".to_string(),
            Bucket {
                limit: 1,
                window_ms: 1,
            },
        )]),
        ..MockConfig::default()
    };
    let Err(e) = MockServer::start(config).await else {
        panic!("an unknown API's rate limit was accepted");
    };
    let e = e.to_string();
    assert!(e.contains("myspace") && e.contains("x-v1"), "{e}");
}
