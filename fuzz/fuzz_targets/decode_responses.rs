//! Response decoding of every API: any bytes, as any response body a generated client decodes,
//! and as rate-limit headers. Decoding may fail; it must not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fn decode<T: serde::de::DeserializeOwned>(data: &[u8]) {
    let _ = serde_json::from_slice::<T>(data);
}

/// The response types, by `<crate>/<Type>`: the keys of `tests/fixtures/responses/`, shared
/// with `tests/response_fixtures.rs`. `tools/fuzz/run` seeds the corpus with each fixture behind
/// its key's index byte.
const DECODERS: &[(&str, fn(&[u8]))] = &include!("../../tests/common/response_decoders.rs");

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else { return };
    // Two more choices than types: the facade's own `BlockedUser`, and rate-limit headers.
    match usize::from(which) % (DECODERS.len() + 2) {
        i if i < DECODERS.len() => (DECODERS[i].1)(body),
        i if i == DECODERS.len() => decode::<blockbind::BlockedUser>(body),
        _ => {
            // Rate-limit headers as a platform might send them.
            let text = String::from_utf8_lossy(body);
            let mut parts = text.splitn(3, '\n');
            let mut headers = reqwest::header::HeaderMap::new();
            for (twitch, x) in [
                ("ratelimit-limit", "x-rate-limit-limit"),
                ("ratelimit-remaining", "x-rate-limit-remaining"),
                ("ratelimit-reset", "x-rate-limit-reset"),
            ] {
                if let Ok(v) = reqwest::header::HeaderValue::from_str(parts.next().unwrap_or("")) {
                    headers.insert(twitch, v.clone());
                    headers.insert(x, v);
                }
            }
            if let Some(limit) = blockbind_runtime::RateLimit::from_any_headers(&headers) {
                let _ = limit.reset_in();
            }
        }
    }
});
