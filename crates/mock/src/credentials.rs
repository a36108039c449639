//! The default users' credentials, as the mock issues them at start, and the environment
//! variables of blockbind they feed. Checking a request's credentials is `handlers::credentials`;
//! the token store is `auth`.

use blockbind_registry::SchemeKind;
use serde::Serialize;

use crate::{Api, OAuth1Issued, Platform};

/// The credentials of the default users, with every scope of every spec.
#[derive(Debug, Clone, Serialize)]
pub struct Credentials {
    /// The Twitch client ID every Twitch token is bound to (`Client-Id`).
    pub twitch_client_id: String,
    /// The default Twitch user's ID.
    pub twitch_user_id: String,
    /// The default Twitch user's login.
    pub twitch_login: String,
    /// Works on Helix (`Bearer`) and Kraken (`OAuth`).
    pub twitch_token: String,
    /// The default X user's ID.
    pub x_user_id: String,
    /// The default X user's username (screen name).
    pub x_username: String,
    /// An X OAuth 2.0 user token of the default user.
    pub x_oauth2_token: String,
    /// The refresh token that goes with [`Self::x_oauth2_token`].
    pub x_oauth2_refresh_token: String,
    /// The client ID the X OAuth 2.0 token endpoint accepts.
    pub x_client_id: String,
    /// An X app-only bearer token (no user context).
    pub x_app_token: String,
    /// X OAuth 1.0a credentials of the default user.
    pub x_oauth1: OAuth1Issued,
}

impl Credentials {
    /// The default credentials as the environment variables blockbind reads: every variable a
    /// spec's security scheme names (`x-env`), fed with the default user's credential of that
    /// kind on that platform, in spec order.
    pub fn env_vars(&self) -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> = Vec::new();
        for info in Api::ALL.map(Api::info) {
            for scheme in info.schemes {
                let values = match (info.platform, scheme.kind) {
                    (Platform::Twitch, SchemeKind::OAuth2 | SchemeKind::Bearer) => {
                        vec![self.twitch_token.clone()]
                    }
                    (Platform::Twitch, SchemeKind::ApiKeyHeader) => {
                        vec![self.twitch_client_id.clone()]
                    }
                    (Platform::X, SchemeKind::OAuth2 | SchemeKind::Bearer) => {
                        vec![self.x_oauth2_token.clone()]
                    }
                    (Platform::X, SchemeKind::OAuth1) => vec![
                        self.x_oauth1.consumer_key.clone(),
                        self.x_oauth1.consumer_secret.clone(),
                        self.x_oauth1.token.clone(),
                        self.x_oauth1.token_secret.clone(),
                    ],
                    _ => continue,
                };
                for (var, value) in scheme.env.iter().zip(values) {
                    if !out.iter().any(|(v, _)| v == var) {
                        out.push((var, value));
                    }
                }
            }
        }
        out
    }
}
