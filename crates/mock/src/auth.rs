//! Credentials like the platforms': tokens bound to a user and a set of scopes (Twitch user
//! tokens bound to a client ID too), X app-only tokens, and X OAuth 1.0a consumer and access
//! credentials whose HMAC-SHA1 signatures are verified.

use std::cell::Cell;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::num::NonZeroU64;
use std::time::{Duration, Instant};

use oauth1_request as oauth;

use crate::world::{Platform, mix};

/// What a bearer token stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// A Twitch user access token (Helix `Bearer`, Kraken `OAuth`).
    TwitchUser,
    /// An X OAuth 2.0 user-context token.
    XUser,
    /// An X app-only bearer token.
    XApp,
}

#[derive(Debug, Clone)]
pub(crate) struct TokenInfo {
    pub kind: TokenKind,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    pub scopes: BTreeSet<String>,
    /// A token issued by a sign-in flow expires: at this instant and/or after this many uses.
    pub expiry: Expiry,
}

/// When a token stops working. The default tokens never expire; a sign-in flow's expire after
/// [`crate::SignInConfig`]'s lifetime and, when set, its number of uses (a test that needs a
/// token to expire mid-run counts requests, not seconds).
#[derive(Debug, Clone, Default)]
pub(crate) struct Expiry {
    pub at: Option<Instant>,
    pub max_uses: Option<u64>,
    pub uses: Cell<u64>,
}

impl Expiry {
    pub(crate) fn after(ttl: Duration, max_uses: Option<u64>) -> Self {
        Self {
            at: Instant::now().checked_add(ttl),
            max_uses,
            uses: Cell::new(0),
        }
    }

    /// Seconds left, for `expires_in` (`None`: never expires).
    pub(crate) fn seconds_left(&self) -> Option<u64> {
        self.at
            .map(|at| at.saturating_duration_since(Instant::now()).as_secs())
    }

    fn expired(&self) -> bool {
        self.at.is_some_and(|at| at <= Instant::now())
            || self.max_uses.is_some_and(|m| self.uses.get() >= m)
    }
}

/// X OAuth 1.0a credentials of one user, as the mock issues them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OAuth1Issued {
    /// The consumer (app) key, `X_CONSUMER_KEY`.
    pub consumer_key: String,
    /// The consumer secret, `X_CONSUMER_SECRET`.
    pub consumer_secret: String,
    /// The user's access token, `X_ACCESS_TOKEN`.
    pub token: String,
    /// The access token's secret, `X_ACCESS_TOKEN_SECRET`.
    pub token_secret: String,
}

/// Who a request is from, once its credentials checked out.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub user_id: Option<String>,
    pub client_id: Option<String>,
}

/// Why credentials were refused.
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    /// 400, 401 or 403.
    pub status: u16,
    pub message: String,
}

pub(crate) fn refuse(status: u16, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        message: message.into(),
    }
}

#[derive(Debug, Default)]
pub(crate) struct Tokens {
    seed: u64,
    issued: u64,
    bearer: HashMap<String, TokenInfo>,
    refresh: HashMap<String, (String, BTreeSet<String>)>,
    consumers: HashMap<String, String>,
    /// access token → (token secret, user id)
    access: HashMap<String, (String, String)>,
    nonces: VecDeque<String>,
}

const NONCES_KEPT: usize = 100_000;

impl Tokens {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            seed,
            ..Self::default()
        }
    }

    pub(crate) fn fresh(&mut self, prefix: &str, len: usize) -> String {
        self.issued += 1;
        let mut out = String::from(prefix);
        let mut n = 0;
        while out.len() < len {
            let v = mix(self.seed, self.issued * 1000 + n);
            out.push_str(&format!("{v:016x}"));
            n += 1;
        }
        out.truncate(len);
        out
    }

    pub(crate) fn issue_twitch(
        &mut self,
        user_id: &str,
        client_id: &str,
        scopes: &[String],
    ) -> String {
        let token = self.fresh("", 30);
        self.bearer.insert(
            token.clone(),
            TokenInfo {
                kind: TokenKind::TwitchUser,
                user_id: Some(user_id.to_string()),
                client_id: Some(client_id.to_string()),
                scopes: scopes.iter().cloned().collect(),
                expiry: Expiry::default(),
            },
        );
        token
    }

    /// A sign-in flow's access token: a Twitch user token bound to `client_id`, or (`client_id`
    /// `None`) an X OAuth 2.0 user token, expiring as `expiry` says.
    pub(crate) fn issue_expiring(
        &mut self,
        kind: TokenKind,
        user_id: &str,
        client_id: Option<&str>,
        scopes: &BTreeSet<String>,
        expiry: Expiry,
    ) -> String {
        let token = match kind {
            TokenKind::TwitchUser => self.fresh("", 30),
            _ => self.fresh("xu-", 48),
        };
        self.bearer.insert(
            token.clone(),
            TokenInfo {
                kind,
                user_id: Some(user_id.to_string()),
                client_id: client_id.map(str::to_string),
                scopes: scopes.clone(),
                expiry,
            },
        );
        token
    }

    /// An X OAuth 2.0 user token and its refresh token.
    pub(crate) fn issue_x_user(&mut self, user_id: &str, scopes: &[String]) -> (String, String) {
        let token = self.fresh("xu-", 48);
        let refresh = self.fresh("xr-", 48);
        let scopes: BTreeSet<String> = scopes.iter().cloned().collect();
        self.bearer.insert(
            token.clone(),
            TokenInfo {
                kind: TokenKind::XUser,
                user_id: Some(user_id.to_string()),
                client_id: None,
                scopes: scopes.clone(),
                expiry: Expiry::default(),
            },
        );
        self.refresh
            .insert(refresh.clone(), (user_id.to_string(), scopes));
        (token, refresh)
    }

    /// Exchanges a refresh token for a new pair; the old access and refresh tokens stop working.
    pub(crate) fn refresh_x(
        &mut self,
        refresh: &str,
    ) -> Option<(String, String, BTreeSet<String>)> {
        let (user, scopes) = self.refresh.remove(refresh)?;
        self.bearer.retain(|_, info| {
            !(info.kind == TokenKind::XUser && info.user_id.as_deref() == Some(user.as_str()))
        });
        let list: Vec<String> = scopes.iter().cloned().collect();
        let (token, refresh) = self.issue_x_user(&user, &list);
        Some((token, refresh, scopes))
    }

    pub(crate) fn issue_x_app(&mut self) -> String {
        let token = self.fresh("AAAAAAAAAAAAAAAAAAAAA", 64);
        self.bearer.insert(
            token.clone(),
            TokenInfo {
                kind: TokenKind::XApp,
                user_id: None,
                client_id: None,
                scopes: BTreeSet::new(),
                expiry: Expiry::default(),
            },
        );
        token
    }

    pub(crate) fn issue_oauth1(&mut self, user_id: &str) -> OAuth1Issued {
        let consumer_key = self.fresh("ck", 25);
        let consumer_secret = self.fresh("cs", 50);
        let token = format!("{user_id}-{}", self.fresh("", 40));
        let token_secret = self.fresh("ts", 45);
        self.consumers
            .insert(consumer_key.clone(), consumer_secret.clone());
        self.access
            .insert(token.clone(), (token_secret.clone(), user_id.to_string()));
        OAuth1Issued {
            consumer_key,
            consumer_secret,
            token,
            token_secret,
        }
    }

    pub(crate) fn revoke(&mut self, token: &str) {
        self.bearer.remove(token);
        self.access.remove(token);
        self.refresh.remove(token);
    }

    /// The token's record, while it works; each call is one use of it.
    pub(crate) fn bearer(&self, token: &str) -> Option<&TokenInfo> {
        let info = self.bearer.get(token)?;
        if info.expiry.expired() {
            return None;
        }
        info.expiry.uses.set(info.expiry.uses.get() + 1);
        Some(info)
    }

    /// The token's record without spending a use (validation, revocation), while it works.
    pub(crate) fn peek(&self, token: &str) -> Option<&TokenInfo> {
        self.bearer.get(token).filter(|i| !i.expiry.expired())
    }

    /// The user an `Authorization` header's credential belongs to, looked up without checking
    /// it (no signature verified, no nonce spent): whom a request claims to act for, so the
    /// block log can file a request that a fault answers before its credentials are checked.
    pub(crate) fn claimed_user(&self, authorization: &str) -> Option<String> {
        if let Some(fields) = parse_oauth_header(authorization)
            && let Some(token) = fields.get("oauth_token")
        {
            return self.access.get(token).map(|(_, user)| user.clone());
        }
        let (_, token) = authorization.trim().split_once(' ')?;
        self.bearer.get(token.trim())?.user_id.clone()
    }

    /// Verifies an OAuth 1.0a `Authorization` header over `method`, `base_url` and the decoded
    /// query and form parameters.
    pub(crate) fn verify_oauth1(
        &mut self,
        header: &str,
        method: &str,
        base_url: &str,
        params: &[(String, String)],
        allow_plaintext: bool,
    ) -> Result<String, Refusal> {
        let fields = parse_oauth_header(header)
            .ok_or_else(|| refuse(401, "Could not authenticate you: malformed OAuth header"))?;
        let get = |k: &str| fields.get(k).map(String::as_str);
        let consumer_key = get("oauth_consumer_key")
            .ok_or_else(|| refuse(401, "Could not authenticate you: no consumer key"))?;
        let consumer_secret = self
            .consumers
            .get(consumer_key)
            .cloned()
            .ok_or_else(|| refuse(401, "Could not authenticate you: unknown consumer key"))?;
        let token = get("oauth_token")
            .ok_or_else(|| refuse(401, "Could not authenticate you: no access token"))?;
        let (token_secret, user) = self
            .access
            .get(token)
            .cloned()
            .ok_or_else(|| refuse(401, "Invalid or expired token"))?;
        let signature = get("oauth_signature")
            .ok_or_else(|| refuse(401, "Could not authenticate you: no signature"))?;
        match get("oauth_signature_method") {
            Some("PLAINTEXT") if allow_plaintext => {
                let expected = format!("{}&{}", encode(&consumer_secret), encode(&token_secret));
                return if signature == expected {
                    Ok(user)
                } else {
                    Err(refuse(401, "Could not authenticate you: bad signature"))
                };
            }
            Some("HMAC-SHA1") => {}
            _ => {
                return Err(refuse(
                    401,
                    "Could not authenticate you: signature method must be HMAC-SHA1",
                ));
            }
        }
        let nonce = get("oauth_nonce")
            .ok_or_else(|| refuse(401, "Could not authenticate you: no nonce"))?;
        let timestamp: u64 = get("oauth_timestamp")
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| refuse(401, "Could not authenticate you: bad timestamp"))?;
        let now = chrono::Utc::now().timestamp() as u64;
        if timestamp.abs_diff(now) > 300 {
            return Err(refuse(401, "Timestamp out of bounds"));
        }
        let mut builder = oauth::Builder::<_, _>::new(
            oauth::Credentials::new(consumer_key, consumer_secret.as_str()),
            oauth::HmacSha1::new(),
        );
        builder
            .token(oauth::Credentials::new(token, token_secret.as_str()))
            .nonce(nonce)
            .version(get("oauth_version").is_some());
        if let Some(t) = NonZeroU64::new(timestamp) {
            builder.timestamp(t);
        }
        let list = oauth::ParameterList::new(
            params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect::<Vec<_>>(),
        );
        // A client pointed at the mock signs either the mock's URL or, when it was redirected
        // below its own URL building (tweepy has no base-URL setting: its session's transport is
        // redirected), the platform's: both are accepted, on X's two hosts.
        let path = base_url
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
            .unwrap_or("/");
        let candidates = [
            base_url.to_string(),
            format!("https://api.x.com{path}"),
            format!("https://api.twitter.com{path}"),
        ];
        let signed = candidates.iter().any(|url| {
            let expected = builder.authorize(method, url, &list);
            parse_oauth_header(&expected)
                .and_then(|f| f.get("oauth_signature").cloned())
                .is_some_and(|expected| expected == signature)
        });
        if !signed {
            return Err(refuse(401, "Could not authenticate you: bad signature"));
        }
        let key = format!("{consumer_key}:{nonce}:{timestamp}");
        if self.nonces.contains(&key) {
            return Err(refuse(
                401,
                "Could not authenticate you: nonce already used",
            ));
        }
        if self.nonces.len() == NONCES_KEPT {
            self.nonces.pop_front();
        }
        self.nonces.push_back(key);
        Ok(user)
    }
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// `OAuth k="v", k2="v2"` → decoded map.
fn parse_oauth_header(header: &str) -> Option<HashMap<String, String>> {
    let rest = header.trim().strip_prefix("OAuth ")?;
    let mut out = HashMap::new();
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        let v = v.trim().trim_matches('"');
        let decoded =
            url::form_urlencoded::parse(format!("v={}", v.replace('+', "%2B")).as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())?;
        out.insert(k.trim().to_string(), decoded);
    }
    Some(out)
}

/// The platform a bearer-token kind belongs to.
pub(crate) fn platform_of(kind: &TokenKind) -> Platform {
    match kind {
        TokenKind::TwitchUser => Platform::Twitch,
        TokenKind::XUser | TokenKind::XApp => Platform::X,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauth1_signatures_are_verified_and_nonces_not_reused() {
        let mut tokens = Tokens::new(1);
        let issued = tokens.issue_oauth1("2244994945");
        let params = vec![("cursor".to_string(), "-1".to_string())];
        let now = chrono::Utc::now().timestamp() as u64;
        let mut builder = oauth::Builder::<_, _>::new(
            oauth::Credentials::new(
                issued.consumer_key.as_str(),
                issued.consumer_secret.as_str(),
            ),
            oauth::HmacSha1::new(),
        );
        builder
            .token(oauth::Credentials::new(
                issued.token.as_str(),
                issued.token_secret.as_str(),
            ))
            .nonce("abc123")
            .version(true)
            .timestamp(NonZeroU64::new(now).unwrap());
        let url = "http://127.0.0.1:1/1.1/blocks/ids.json";
        let header = builder.authorize(
            "GET",
            url,
            &oauth::ParameterList::new(vec![("cursor", "-1")]),
        );
        assert_eq!(
            tokens
                .verify_oauth1(&header, "GET", url, &params, false)
                .unwrap(),
            "2244994945"
        );
        let replay = tokens
            .verify_oauth1(&header, "GET", url, &params, false)
            .unwrap_err();
        assert!(replay.message.contains("nonce"));
        let other = vec![("cursor".to_string(), "5".to_string())];
        let tampered = tokens
            .verify_oauth1(&header, "GET", url, &other, false)
            .unwrap_err();
        assert!(
            tampered.message.contains("bad signature"),
            "{}",
            tampered.message
        );
    }
}
