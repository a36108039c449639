//! The APIs blockbind binds, as one table: `cargo xtask generate` writes `generated.rs` from
//! `specs/` alone (one [`Api`] variant and one [`ApiInfo`] per spec), and the facade, the
//! runtime, the mock, the CLI and the benchmarks all read it, so none of them lists the APIs by
//! hand. Adding a spec adds a row here.
//!
//! This file holds what is written by hand beside the table: the shapes of its rows, the
//! platforms, and the conversions of [`Api`] (names, aliases, serde, clap). It must not name an
//! API: a fact about one belongs in its spec.
//!
//! # Features
#![doc = document_features::document_features!()]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs, unreachable_pub)]

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic)]
mod generated;
pub use generated::*;

/// The platforms the APIs belong to (`info.x-platform` of each spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// Twitch (Helix, Kraken).
    Twitch,
    /// X, formerly Twitter (API v2, v1.1).
    X,
}

impl Platform {
    /// `twitch` or `x`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Twitch => "twitch",
            Self::X => "x",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a security scheme puts its credential on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemeKind {
    /// An OAuth 2.0 access token: `Authorization: <prefix> <token>`.
    OAuth2,
    /// An HTTP bearer token: `Authorization: <prefix> <token>`.
    Bearer,
    /// A header of its own ([`SchemeInfo::header`]), such as Twitch's `Client-Id`.
    ApiKeyHeader,
    /// OAuth 1.0a user context: a signed `Authorization: OAuth ...` header.
    OAuth1,
}

/// One security scheme of an API (`components.securitySchemes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemeInfo {
    /// The scheme's name in the spec.
    pub name: &'static str,
    /// How it travels.
    pub kind: SchemeKind,
    /// The header of an [`SchemeKind::ApiKeyHeader`] scheme (`None` for the others, which use
    /// `Authorization`).
    pub header: Option<&'static str>,
    /// The word before the token in `Authorization` (`Bearer`, Kraken's `OAuth`).
    pub prefix: &'static str,
    /// Whether app-only tokens are accepted.
    pub app_only: bool,
    /// The environment variables that feed it (`x-env`); OAuth 1.0a: consumer key, consumer
    /// secret, access token, access token secret.
    pub env: &'static [&'static str],
}

/// A rate-limit bucket (`x-rate-limit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketInfo {
    /// The bucket's name: the API's for limits shared by every operation, else the operation's.
    pub name: &'static str,
    /// Requests (points) per window.
    pub limit: u32,
    /// The window, in seconds.
    pub window_seconds: u64,
    /// Whom the platform counts per: `client-user` or `user`.
    pub per: &'static str,
}

/// One operation, as the registry lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationInfo {
    /// `operationId`.
    pub id: &'static str,
    /// Uppercase HTTP method.
    pub method: &'static str,
    /// Relative to the base URL.
    pub path: &'static str,
    /// Its rate-limit bucket.
    pub bucket: &'static str,
    /// The access levels that include it (`x-availability`); empty: every level.
    pub availability: &'static [&'static str],
}

/// Everything the tools know about one API, from its spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiInfo {
    /// The variant.
    pub api: Api,
    /// Its one name: crate directory, cargo feature, CLI `--platform` value.
    pub name: &'static str,
    /// Other names accepted for it (`x-v1.1`).
    pub aliases: &'static [&'static str],
    /// The spec's title.
    pub title: &'static str,
    /// Its platform.
    pub platform: Platform,
    /// The cargo feature of the facade that compiles its client.
    pub feature: &'static str,
    /// The generated client crate.
    pub crate_name: &'static str,
    /// The spec file, relative to the workspace root.
    pub spec_path: &'static str,
    /// The spec's server URL, path prefix included.
    pub base_url: &'static str,
    /// The path prefix (`/helix`, `/kraken`, `/2`, `/1.1`).
    pub prefix: &'static str,
    /// The `Accept` header that selects the version (Kraken).
    pub accept: Option<&'static str>,
    /// When and why the platform retired it (`None`: live).
    pub legacy: Option<&'static str>,
    /// Its security schemes.
    pub schemes: &'static [SchemeInfo],
    /// The security alternatives its operations use, each a set of scheme names that go
    /// together, in the order the spec first lists them.
    pub security: &'static [&'static [&'static str]],
    /// Its rate-limit buckets.
    pub buckets: &'static [BucketInfo],
    /// Its operations.
    pub operations: &'static [OperationInfo],
}

impl ApiInfo {
    /// A scheme by name.
    pub fn scheme(&self, name: &str) -> Option<&'static SchemeInfo> {
        self.schemes.iter().find(|s| s.name == name)
    }

    /// The environment variables any of its security alternatives reads.
    pub fn env_vars(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.schemes.iter().flat_map(|s| s.env.iter().copied())
    }
}

impl Api {
    /// Its row of the table.
    pub fn info(self) -> &'static ApiInfo {
        &APIS[self as usize]
    }

    /// Its one name (see [`ApiInfo::name`]).
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// The cargo feature that compiles its client.
    pub fn feature(self) -> &'static str {
        self.info().feature
    }

    /// Its platform.
    pub fn platform(self) -> Platform {
        self.info().platform
    }

    /// The spec's server URL, path prefix included.
    pub fn default_base_url(self) -> &'static str {
        self.info().base_url
    }

    /// Finds an API by its name or an alias, ignoring case and surrounding space.
    pub fn from_name(name: &str) -> Option<Api> {
        let name = name.trim();
        APIS.iter()
            .find(|i| {
                i.name.eq_ignore_ascii_case(name)
                    || i.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
            })
            .map(|i| i.api)
    }

    /// Every API's name, comma-separated (for messages).
    pub fn names() -> String {
        APIS.iter().map(|i| i.name).collect::<Vec<_>>().join(", ")
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An API name no spec has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownApi(pub String);

impl fmt::Display for UnknownApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = self.0.chars().take(64).collect();
        write!(
            f,
            "unknown platform {:?}: expected one of {}",
            shown.escape_debug().to_string(),
            Api::names()
        )
    }
}

impl std::error::Error for UnknownApi {}

impl FromStr for Api {
    type Err = UnknownApi;
    fn from_str(s: &str) -> Result<Self, UnknownApi> {
        Api::from_name(s).ok_or_else(|| UnknownApi(s.to_string()))
    }
}

impl Serialize for Api {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Api {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "clap")]
impl clap::ValueEnum for Api {
    fn value_variants<'a>() -> &'a [Self] {
        &Api::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let info = self.info();
        let mut help = info.title.to_string();
        if let Some(legacy) = info.legacy {
            // The first sentence says when the platform shut it down.
            let when = legacy.split(". ").next().unwrap_or(legacy);
            help.push_str(&format!(" (legacy: {})", when.trim_end_matches('.')));
        }
        Some(
            clap::builder::PossibleValue::new(info.name)
                .aliases(info.aliases.iter().copied())
                .help(help),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_sits_at_its_variant_and_round_trips_by_name() {
        for (i, api) in Api::ALL.into_iter().enumerate() {
            assert_eq!(api as usize, i);
            assert_eq!(api.info().api, api);
            assert_eq!(api.name().parse::<Api>(), Ok(api));
            for alias in api.info().aliases {
                assert_eq!(alias.parse::<Api>(), Ok(api));
            }
        }
    }

    #[test]
    fn an_unknown_name_lists_the_known_ones() {
        let e = "nope".parse::<Api>().unwrap_err().to_string();
        for api in Api::ALL {
            assert!(e.contains(api.name()), "{e}");
        }
    }

    #[test]
    fn every_scheme_of_a_security_alternative_exists_and_is_fed_by_variables() {
        for api in Api::ALL {
            let info = api.info();
            for alternative in info.security {
                for name in *alternative {
                    let scheme = info.scheme(name).expect("declared scheme");
                    assert!(!scheme.env.is_empty(), "{api}: {name} has no x-env");
                }
            }
        }
    }
}
