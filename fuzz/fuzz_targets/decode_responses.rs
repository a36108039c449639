//! Response decoding of every API: any bytes, as any response body a generated client decodes,
//! and as rate-limit headers. Decoding may fail; it must not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fn decode<T: serde::de::DeserializeOwned>(data: &[u8]) {
    let _ = serde_json::from_slice::<T>(data);
}

/// The response types, by `<crate>/<Type>`: the keys of `tests/fixtures/responses/`, in the
/// order of `tests/response_fixtures.rs` (a test keeps the two equal). `tools/fuzz/run` seeds
/// the corpus with each fixture behind its key's index byte.
const DECODERS: &[(&str, fn(&[u8]))] = &[
    ("twitch-helix/GetUserBlockListResponse", decode::<blockbind_twitch_helix::types::GetUserBlockListResponse>),
    ("twitch-helix/Error", decode::<blockbind_twitch_helix::types::Error>),
    ("twitch-kraken-v5/BlockList", decode::<blockbind_twitch_kraken_v5::types::BlockList>),
    ("twitch-kraken-v5/Block", decode::<blockbind_twitch_kraken_v5::types::Block>),
    ("twitch-kraken-v5/UserList", decode::<blockbind_twitch_kraken_v5::types::UserList>),
    ("twitch-kraken-v5/FollowList", decode::<blockbind_twitch_kraken_v5::types::FollowList>),
    ("twitch-kraken-v5/AuthenticatedUser", decode::<blockbind_twitch_kraken_v5::types::AuthenticatedUser>),
    ("twitch-kraken-v5/KrakenError", decode::<blockbind_twitch_kraken_v5::types::KrakenError>),
    ("twitch-kraken-v2/BlockList", decode::<blockbind_twitch_kraken_v2::types::BlockList>),
    ("twitch-kraken-v2/Block", decode::<blockbind_twitch_kraken_v2::types::Block>),
    ("x-v2/GetUsersBlockingResponse", decode::<blockbind_x_v2::types::GetUsersBlockingResponse>),
    ("x-v2/BlockUserMutationResponse", decode::<blockbind_x_v2::types::BlockUserMutationResponse>),
    ("x-v2/ErrorResponse", decode::<blockbind_x_v2::types::ErrorResponse>),
    ("x-v2/Problem", decode::<blockbind_x_v2::types::Problem>),
    ("x-v1/BlockIdsResponse", decode::<blockbind_x_v1::types::BlockIdsResponse>),
    ("x-v1/BlockListResponse", decode::<blockbind_x_v1::types::BlockListResponse>),
    ("x-v1/User", decode::<blockbind_x_v1::types::User>),
    ("x-v1/ErrorResponse", decode::<blockbind_x_v1::types::ErrorResponse>),
];

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
