//! Query encoding: any query string through the runtime's request preparation (comma-joining of
//! `explode: false` arrays, bound checks) for an operation with both. It may refuse; it must
//! not panic, and what it sends keeps every parameter it was given.
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
            ParamBound { name: "max_results", location: ParamLocation::Query, minimum: Some(1), maximum: Some(1000), min_length: None, max_length: None },
            ParamBound { name: "pagination_token", location: ParamLocation::Query, minimum: None, maximum: None, min_length: Some(16), max_length: None },
            ParamBound { name: "id", location: ParamLocation::Path, minimum: None, maximum: None, min_length: Some(1), max_length: Some(19) },
        ],
        bucket: "get_users_blocking",
        idempotent: true,
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
    let before = request.url().query_pairs().count();
    if futures::executor::block_on(runtime.pre(&API, http, &mut request, "get_users_blocking")).is_ok() {
        let after: Vec<(String, String)> = request.url().query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
        assert!(after.len() <= before, "joining never adds parameters");
    }
});
