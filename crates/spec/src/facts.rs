//! A spec's facts, typed: every `x-` extension and every security requirement is read once (by
//! the `read` submodule), and the xtask (code generation), the mock (routing, auth, rate limits)
//! and the tests use the result. A spec whose extensions are malformed is refused with a message
//! naming the spec and the operation, never half read.
//!
//! What it must not do: hold a fact about one API. Everything here comes from the document.

use serde_json::Value;

mod read;

/// What one spec says about its API as a whole and each of its operations.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiFacts {
    /// `info.x-crate`: the API's one name (crate directory, cargo feature, CLI `--platform`).
    pub name: String,
    /// `info.x-aliases`: other names the CLI accepts for it (`x-v1.1`).
    pub aliases: Vec<String>,
    /// `info.title`.
    pub title: String,
    /// `specs/<file>.yaml`.
    pub spec_path: String,
    /// `info.x-platform`: `twitch` or `x`.
    pub platform: String,
    /// `info.x-legacy`: when and why the platform retired the API (`None`: it is live).
    pub legacy: Option<String>,
    /// `servers[0].url`, the API's path prefix included.
    pub base_url: String,
    /// The path of [`Self::base_url`]: `/helix`, `/kraken`, `/2`, `/1.1`.
    pub prefix: String,
    /// `info.x-accept`: the `Accept` header that selects the API version (Kraken).
    pub accept: Option<String>,
    /// `components.securitySchemes`, in document order.
    pub schemes: Vec<SchemeFacts>,
    /// Every operation, in document order.
    pub operations: Vec<OperationFacts>,
}

/// How a security scheme puts its credential on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemeKind {
    /// An OAuth 2.0 access token in `Authorization: <prefix> <token>`.
    OAuth2 {
        /// `flows.*.tokenUrl`, when one is given.
        token_url: Option<String>,
    },
    /// `type: http, scheme: bearer`.
    Bearer,
    /// An `apiKey` header (`Client-Id`).
    ApiKeyHeader {
        /// The header's name as the spec spells it.
        header: String,
    },
    /// OAuth 1.0a user context (`type: http, scheme: OAuth` with `x-oauth1`).
    OAuth1,
}

/// One security scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemeFacts {
    /// The scheme's key under `components.securitySchemes`.
    pub name: String,
    /// How it travels.
    pub kind: SchemeKind,
    /// `x-authorization-prefix` (default `Bearer`): the word before the token.
    pub authorization_prefix: String,
    /// `x-app-only: true`: app-only tokens are accepted by this scheme.
    pub app_only: bool,
    /// `x-env`: the environment variables that feed the scheme, in order (OAuth 1.0a: consumer
    /// key, consumer secret, access token, access token secret).
    pub env: Vec<String>,
    /// Every scope the scheme's OAuth 2.0 flows declare, each once (empty for other kinds).
    pub scopes: Vec<String>,
}

/// What kind of credential an operation accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialNeed {
    /// No security requirement.
    None,
    /// User context only (app-only tokens are refused).
    UserContext,
    /// App-only tokens too.
    Any,
}

/// A `minimum`/`maximum`/`minLength`/`maxLength` on a query or path parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundFacts {
    /// The parameter's wire name.
    pub name: String,
    /// `true` for a path parameter, `false` for a query parameter.
    pub in_path: bool,
    /// `minimum`.
    pub minimum: Option<i64>,
    /// `maximum`.
    pub maximum: Option<i64>,
    /// `minLength`.
    pub min_length: Option<u64>,
    /// `maxLength`.
    pub max_length: Option<u64>,
    /// `maxItems` of an array parameter: how many values it may carry (comma-joined or
    /// repeated).
    pub max_items: Option<u64>,
}

/// `x-rate-limit` of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitFacts {
    /// Requests (points) per window.
    pub limit: u64,
    /// The window.
    pub window_seconds: u64,
    /// `client-user` (one bucket for the whole API per client and user) or `user` (per
    /// operation and user).
    pub per: String,
}

/// How a list operation pages (`x-pagination`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaginationStyle {
    /// The response names the next page (a cursor or token) and the request passes it back.
    Cursor {
        /// The query parameter that takes it.
        param: String,
        /// The response member holding it (dotted path).
        next: Vec<String>,
        /// The cursor of the first page, when the API wants one (v1.1: `-1`).
        start: Option<String>,
        /// Cursor values that mean "no further page" besides an absent one.
        end: Vec<String>,
    },
    /// The request passes the number of items already read.
    Offset {
        /// The query parameter that takes it.
        param: String,
        /// The response member with the total count, when the API reports one.
        total: Option<Vec<String>>,
    },
}

/// `x-pagination` of a list operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaginationFacts {
    /// Cursor or offset.
    pub style: PaginationStyle,
    /// The response member holding the page's items.
    pub items: Vec<String>,
    /// The member of an item that identifies it (empty: the item itself).
    pub key: Vec<String>,
    /// The page-size parameter and its `maximum` (the page the stream asks for).
    pub page_size: Option<(String, i64)>,
    /// Parameters every page request sets: `(name, value)`.
    pub set: Vec<(String, Value)>,
}

/// One operation's facts.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationFacts {
    /// `operationId`.
    pub id: String,
    /// Uppercase.
    pub method: String,
    /// Relative to the base URL.
    pub path: String,
    /// The security alternatives: each a list of scheme names that go together.
    pub security: Vec<Vec<String>>,
    /// Every scope of the first alternative that lists any (the OAuth 2.0 one).
    pub scopes: Vec<String>,
    /// Which credentials may call it.
    pub credential: CredentialNeed,
    /// `style: form, explode: false` array query parameters.
    pub comma_joined: Vec<String>,
    /// Bounded parameters.
    pub bounds: Vec<BoundFacts>,
    /// String enums of query parameters: `(name, values)`.
    pub enums: Vec<(String, Vec<String>)>,
    /// `x-rate-limit`.
    pub rate_limit: Option<RateLimitFacts>,
    /// Rate-limit bucket: the API's name for `client-user` limits (and operations without a
    /// limit), the operation's ID otherwise.
    pub bucket: String,
    /// Safe to resend: GET, HEAD, PUT, DELETE, OPTIONS, or `x-idempotent: true`.
    pub idempotent: bool,
    /// `x-availability`: the access levels that include it (X); empty for every level.
    pub availability: Vec<String>,
    /// `x-max-items-total`: array parameters whose values together are bounded, and the bound.
    pub items_total: Option<(Vec<String>, u64)>,
    /// `x-pagination`.
    pub pagination: Option<PaginationFacts>,
}
