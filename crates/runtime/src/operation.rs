//! The per-operation facts the xtask emits from each spec into the generated crate, so that the
//! runtime enforces what progenitor ignores without a hand-written copy per API.

pub use blockbind_registry::{Platform, SchemeInfo, SchemeKind};

/// Where a bounded parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// In the query string.
    Query,
    /// In the path template.
    Path,
}

/// A `minimum`/`maximum`/`minLength`/`maxLength` from the spec.
#[derive(Debug, Clone, Copy)]
pub struct ParamBound {
    /// The parameter's wire name.
    pub name: &'static str,
    /// Where it travels.
    pub location: ParamLocation,
    /// The smallest value allowed (`minimum`).
    pub minimum: Option<i64>,
    /// The largest value allowed (`maximum`).
    pub maximum: Option<i64>,
    /// The shortest string allowed, in characters (`minLength`).
    pub min_length: Option<usize>,
    /// The longest string allowed, in characters (`maxLength`).
    pub max_length: Option<usize>,
    /// The most values an array parameter may carry (`maxItems`), comma-joined or repeated.
    pub max_items: Option<usize>,
}

/// What kind of credential an operation accepts, from its security requirements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialNeed {
    /// No security requirement.
    None,
    /// Only user-context credentials (a user token, OAuth 1.0a): app-only tokens are refused.
    UserContext,
    /// App-only tokens are accepted too.
    Any,
}

/// One operation of a spec.
#[derive(Debug, Clone, Copy)]
pub struct OperationSpec {
    /// `operationId`: what the generated client passes to the hooks.
    pub id: &'static str,
    /// Uppercase HTTP method.
    pub method: &'static str,
    /// The path template relative to the base URL: `/users/{id}/blocking`.
    pub path: &'static str,
    /// The security alternatives, each a set of [`ApiSpec::schemes`] entries that go together; the
    /// first one the credentials can satisfy is used.
    pub security: &'static [&'static [&'static SchemeInfo]],
    /// Every scope of the operation's OAuth 2.0 requirement.
    pub scopes: &'static [&'static str],
    /// Which kinds of credential may call it.
    pub credential: CredentialNeed,
    /// Query parameters with `style: form, explode: false`: sent once, values comma-joined.
    pub comma_joined: &'static [&'static str],
    /// The parameters with documented bounds, checked before sending.
    pub bounds: &'static [ParamBound],
    /// The values of each string-enum query parameter: `(name, values)`.
    pub enums: &'static [(&'static str, &'static [&'static str])],
    /// Rate-limit bucket: operations sharing one share a limit (Helix: all; X: per endpoint).
    pub bucket: &'static str,
    /// Safe to resend after a 5xx or connection error.
    pub idempotent: bool,
    /// The access levels whose plans include it (`x-availability`, X); empty: every level. A 403
    /// that says the plan does not include it becomes [`crate::ApiError::NotAvailable`] naming them.
    pub availability: &'static [&'static str],
    /// `x-max-items-total`: array parameters whose values together may not exceed a count
    /// (Helix Get Users: 100 `id` and `login` in total), checked before sending.
    pub items_total: Option<(&'static [&'static str], usize)>,
}

/// Everything the runtime needs to know about one API, emitted as a `static` by the xtask.
#[derive(Debug)]
pub struct ApiSpec {
    /// The crate directory / API name: `twitch-helix`.
    pub name: &'static str,
    /// The spec's first server URL, with the API's path prefix: `https://api.twitch.tv/helix`.
    pub base_url: &'static str,
    /// The platform, which picks its rate-limit headers and retry rules.
    pub platform: Platform,
    /// The `Accept` header that selects the API version (Kraken).
    pub accept: Option<&'static str>,
    /// The security schemes the operations' requirements name.
    pub schemes: &'static [SchemeInfo],
    /// Every operation of the spec.
    pub operations: &'static [OperationSpec],
}

impl ApiSpec {
    /// An operation by `operationId`.
    pub fn operation(&self, id: &str) -> Option<&OperationSpec> {
        self.operations.iter().find(|o| o.id == id)
    }

    /// The spec's `maximum` for a parameter of an operation: the largest page a list operation
    /// allows (`first`, `limit`, `max_results`), read from the spec rather than written again.
    pub fn maximum(&self, operation_id: &str, parameter: &str) -> Option<i64> {
        self.operation(operation_id)?
            .bounds
            .iter()
            .find(|b| b.name == parameter)?
            .maximum
    }

    /// A security scheme by name.
    pub fn scheme(&self, name: &str) -> Option<&'static SchemeInfo> {
        self.schemes.iter().find(|s| s.name == name)
    }
}

impl OperationSpec {
    /// The values a string-enum query parameter takes, from the spec.
    pub fn enum_values(&self, parameter: &str) -> Option<&'static [&'static str]> {
        self.enums
            .iter()
            .find(|(name, _)| *name == parameter)
            .map(|(_, values)| *values)
    }
}
