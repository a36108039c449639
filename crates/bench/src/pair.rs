//! One request for one page of the block list (Helix or X v2), sent by the generated client
//! with the runtime or by raw reqwest with the same headers: the two sides that `overhead`,
//! `scaling` and `peers` measure against each other.

use blockbind::Api;
use blockbind_runtime::{Auth, OAuth2UserToken, Runtime};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The broadcaster whose Helix list is asked for.
pub(crate) const HELIX_USER: &str = "141981764";
/// The user whose X v2 list is asked for.
pub(crate) const X_USER: &str = "2244994945";

/// One client of each side for one API, built once.
pub(crate) enum Pair {
    Helix {
        sdk: blockbind_twitch_helix::Client,
        http: reqwest::Client,
        url: String,
    },
    X {
        sdk: blockbind_x_v2::Client,
        http: reqwest::Client,
        url: String,
    },
}

impl Pair {
    /// Both sides against the server at `base`, sharing `http`.
    pub(crate) fn new(api: Api, base: &str, http: reqwest::Client) -> Result<Self> {
        Ok(match api {
            Api::TwitchHelix => Self::Helix {
                sdk: blockbind_twitch_helix::Client::new_with_client(
                    &format!("{base}/helix"),
                    http.clone(),
                    Runtime::new(
                        Auth::user_token("benchtoken")
                            .and_then(|a| a.with_api_key("benchclientid"))?,
                    ),
                ),
                http,
                url: format!("{base}/helix/users/blocks"),
            },
            _ => Self::X {
                sdk: blockbind_x_v2::Client::new_with_client(
                    &format!("{base}/2"),
                    http.clone(),
                    Runtime::new(Auth::oauth2_user(OAuth2UserToken::new("benchtoken")?)),
                ),
                http,
                url: format!("{base}/2/users/{X_USER}/blocking"),
            },
        })
    }

    /// One page by the generated client (`sdk`) or by raw reqwest; the users it decoded.
    pub(crate) async fn one(&self, sdk: bool) -> Result<usize> {
        match (self, sdk) {
            (Self::Helix { sdk, .. }, true) => {
                let page = blockbind_runtime::call(
                    sdk.get_user_block_list()
                        .broadcaster_id(HELIX_USER)
                        .first(100u32)
                        .send(),
                )
                .await?;
                Ok(page.data.len())
            }
            (Self::Helix { http, url, .. }, false) => {
                let query = [("broadcaster_id", HELIX_USER), ("first", "100")];
                let page: blockbind_twitch_helix::types::GetUserBlockListResponse = raw_get(
                    http,
                    url,
                    &query,
                    "Bearer benchtoken",
                    Some("benchclientid"),
                )
                .await?;
                Ok(page.data.len())
            }
            (Self::X { sdk, .. }, true) => {
                let page = blockbind_runtime::call(
                    sdk.get_users_blocking()
                        .id(X_USER)
                        .max_results(1000u32)
                        .send(),
                )
                .await?;
                Ok(page.data.len())
            }
            (Self::X { http, url, .. }, false) => {
                let page: blockbind_x_v2::types::GetUsersBlockingResponse = raw_get(
                    http,
                    url,
                    &[("max_results", "1000")],
                    "Bearer benchtoken",
                    None,
                )
                .await?;
                Ok(page.data.len())
            }
        }
    }
}

/// One GET by raw reqwest with the headers blockbind sends (`Accept`, `Authorization`, and
/// Twitch's `Client-Id`), decoded into the generated type `T`, as a hand-written client would.
pub(crate) async fn raw_get<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    query: &[(&str, &str)],
    authorization: &str,
    client_id: Option<&str>,
) -> Result<T> {
    let mut request = http
        .get(url)
        .query(query)
        .header("accept", "application/json")
        .header("authorization", authorization);
    if let Some(id) = client_id {
        request = request.header("client-id", id);
    }
    let body = request.send().await?.error_for_status()?.bytes().await?;
    Ok(serde_json::from_slice(&body)?)
}
