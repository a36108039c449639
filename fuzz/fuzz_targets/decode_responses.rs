//! Response decoding of every API: any bytes, as any response body a generated client decodes,
//! and as rate-limit headers. Decoding may fail; it must not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fn decode<T: serde::de::DeserializeOwned>(data: &[u8]) {
    let _ = serde_json::from_slice::<T>(data);
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else { return };
    match which % 20 {
        0 => decode::<blockbind_twitch_helix::types::GetUserBlockListResponse>(body),
        1 => decode::<blockbind_twitch_helix::types::Error>(body),
        2 => decode::<blockbind_twitch_kraken_v5::types::BlockList>(body),
        3 => decode::<blockbind_twitch_kraken_v5::types::Block>(body),
        4 => decode::<blockbind_twitch_kraken_v5::types::UserList>(body),
        5 => decode::<blockbind_twitch_kraken_v5::types::FollowList>(body),
        6 => decode::<blockbind_twitch_kraken_v5::types::AuthenticatedUser>(body),
        7 => decode::<blockbind_twitch_kraken_v5::types::KrakenError>(body),
        8 => decode::<blockbind_twitch_kraken_v2::types::BlockList>(body),
        9 => decode::<blockbind_twitch_kraken_v2::types::Block>(body),
        10 => decode::<blockbind_x_v2::types::GetUsersBlockingResponse>(body),
        11 => decode::<blockbind_x_v2::types::BlockUserMutationResponse>(body),
        12 => decode::<blockbind_x_v2::types::ErrorResponse>(body),
        13 => decode::<blockbind_x_v2::types::Problem>(body),
        14 => decode::<blockbind_x_v1::types::BlockIdsResponse>(body),
        15 => decode::<blockbind_x_v1::types::BlockListResponse>(body),
        16 => decode::<blockbind_x_v1::types::User>(body),
        17 => decode::<blockbind_x_v1::types::ErrorResponse>(body),
        18 => decode::<blockbind::BlockedUser>(body),
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
