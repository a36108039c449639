//! The OAuth 1.0a signer: any credentials, method, URL and parameters. Refusing bad input is
//! fine; a panic is not, and a signed header must never carry a raw control character.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\u{1f}');
    let mut next = || parts.next().unwrap_or("").to_string();
    let (key, secret, token, token_secret) = (next(), next(), next(), next());
    let (method, url, nonce) = (next(), next(), next());
    let params: Vec<(String, String)> = next()
        .split('&')
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_string(), v.to_string())
        })
        .collect();
    let Ok(creds) = blockbind_runtime::OAuth1Credentials::new(key, secret, token, token_secret) else {
        return;
    };
    let Ok(header) = creds.sign(&method, &url, &params, Some(&nonce), Some(1_318_622_958)) else {
        assert!(url.contains(['?', '#']), "refused only for a query or fragment");
        return;
    };
    assert!(!header.contains(['\r', '\n', '\0']), "a control character in {header:?}");
});
