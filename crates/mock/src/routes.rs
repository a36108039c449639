//! The mock's routing table and request/response validation, compiled from the spec files
//! themselves (embedded at build time): paths, methods, parameters with their schemas, request
//! bodies, security requirements, rate limits and documented responses. Nothing here is a second
//! hand-written copy of what a spec says. This file compiles the table and looks requests up;
//! `validate` checks requests and responses against a route.

use std::collections::HashMap;

use blockbind_spec::{ApiFacts, OperationFacts, ResponseRules, SchemeKind, SpecFile};
use serde_json::Value;

use crate::Api;

mod validate;
pub(crate) use validate::{Invalid, Values};

/// An API's spec file, embedded (through the registry) so the mock works outside this
/// repository.
pub(crate) fn embedded_spec(api: Api) -> SpecFile {
    SpecFile::from_bytes(api.info().spec_path, api.spec_yaml().to_vec())
        .expect("embedded specs parse (tests/specs.rs)")
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Literal(String),
    Param(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Location {
    Path,
    Query,
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    String,
    Integer,
    Number,
    Boolean,
    Array(Box<Kind>),
}

struct Param {
    name: String,
    location: Location,
    required: bool,
    kind: Kind,
    default: Option<Value>,
    validator: jsonschema::Validator,
}

/// How an operation is rate limited (`x-rate-limit`).
#[derive(Debug, Clone)]
pub(crate) struct RateRule {
    pub limit: u32,
    pub window_seconds: u64,
    /// `client-user` (one bucket per client and user for the whole API) or `user` (per
    /// operation and user).
    pub shared: bool,
}

/// What an operation needs from the caller, from its security requirement.
#[derive(Debug, Clone, Default)]
pub(crate) struct Security {
    /// Scopes of the OAuth 2.0 scheme; `None` when no token is needed at all.
    pub token_scopes: Option<Vec<String>>,
    /// The `Client-Id` header (an `apiKey` scheme) is required.
    pub client_id: bool,
    /// The word before the token in `Authorization` (`x-authorization-prefix`).
    pub prefix: String,
}

pub(crate) struct Route {
    pub api: Api,
    pub id: String,
    pub method: http::Method,
    segments: Vec<Segment>,
    params: Vec<Param>,
    body: Option<(bool, jsonschema::Validator)>,
    responses: ResponseRules,
    pub security: Security,
    pub rate: Option<RateRule>,
    /// The success status and the spec's first example of its body (`None`: no body, or no
    /// example): what an operation without a handler answers.
    pub example: Option<(u16, Option<Value>)>,
}

/// The outcome of looking a request up.
pub(crate) enum Lookup<'a> {
    Found(&'a Route, HashMap<String, String>),
    /// The path exists but not with this method.
    WrongMethod,
    NotFound,
}

pub(crate) struct Routes {
    routes: Vec<Route>,
}

fn validator(spec: &SpecFile, schema: &Value) -> jsonschema::Validator {
    spec.validator(schema)
        .expect("spec schemas compile (tests/specs.rs)")
}

fn kind_of(spec: &SpecFile, schema: &Value) -> Kind {
    let schema = spec.deref(schema).unwrap_or(schema);
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => Kind::Integer,
        Some("number") => Kind::Number,
        Some("boolean") => Kind::Boolean,
        Some("array") => Kind::Array(Box::new(
            schema
                .get("items")
                .map(|i| kind_of(spec, i))
                .unwrap_or(Kind::String),
        )),
        _ => Kind::String,
    }
}

/// What an operation needs from the caller, from its facts.
fn security(facts: &ApiFacts, op: &OperationFacts) -> Security {
    let schemes = || {
        op.security
            .iter()
            .flatten()
            .filter_map(|name| facts.schemes.iter().find(|s| s.name == *name))
    };
    Security {
        // A token is needed when a requirement names anything beyond an API key (Kraken v5's
        // follows take a `Client-ID` alone).
        token_scopes: schemes()
            .any(|s| !matches!(s.kind, SchemeKind::ApiKeyHeader { .. }))
            .then(|| op.scopes.clone()),
        client_id: schemes().any(|s| {
            matches!(&s.kind, SchemeKind::ApiKeyHeader { header } if header.eq_ignore_ascii_case("client-id"))
        }),
        prefix: schemes()
            .find(|s| matches!(s.kind, SchemeKind::OAuth2 { .. } | SchemeKind::Bearer))
            .map_or_else(|| "Bearer".to_string(), |s| s.authorization_prefix.clone()),
    }
}

/// The first 2xx response of an operation, with the first example of its JSON body.
fn success_example(spec: &SpecFile, op: &Value) -> Option<(u16, Option<Value>)> {
    let responses = op.get("responses")?.as_object()?;
    let (code, response) = responses.iter().find(|(c, _)| c.starts_with('2'))?;
    let response = spec.deref(response).unwrap_or(response);
    let media = response.pointer("/content/application~1json");
    let example = media.and_then(|m| {
        m.get("example").cloned().or_else(|| {
            let first = m.get("examples")?.as_object()?.values().next()?;
            spec.deref(first).unwrap_or(first).get("value").cloned()
        })
    });
    Some((code.parse().ok()?, example))
}

impl Routes {
    pub(crate) fn compile() -> Self {
        let mut routes = Vec::new();
        for api in Api::ALL {
            let spec = embedded_spec(api);
            let facts = spec
                .facts()
                .expect("embedded specs have valid facts (the xtask generated from them)");
            for op in spec.operations() {
                let segments = op
                    .path
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(
                        |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                            Some(name) => Segment::Param(name.to_string()),
                            None => Segment::Literal(s.to_string()),
                        },
                    )
                    .collect();
                let params = spec
                    .parameters(&op)
                    .into_iter()
                    .filter_map(|p| {
                        let location = match p.get("in").and_then(Value::as_str) {
                            Some("path") => Location::Path,
                            Some("query") => Location::Query,
                            _ => return None,
                        };
                        let schema = p.get("schema")?;
                        let resolved = spec.deref(schema).unwrap_or(schema);
                        Some(Param {
                            name: p.get("name")?.as_str()?.to_string(),
                            location,
                            required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                            kind: kind_of(&spec, schema),
                            default: resolved.get("default").cloned(),
                            validator: validator(&spec, schema),
                        })
                    })
                    .collect();
                let body = op
                    .node
                    .get("requestBody")
                    .and_then(|b| spec.deref(b))
                    .and_then(|b| {
                        let required = b.get("required").and_then(Value::as_bool).unwrap_or(false);
                        let schema = b.pointer("/content/application~1json/schema")?;
                        Some((required, validator(&spec, schema)))
                    });
                let example = success_example(&spec, op.node);
                let responses = ResponseRules::compile(&spec, &op)
                    .expect("spec schemas compile (tests/specs.rs)");
                let op_facts = facts
                    .operations
                    .iter()
                    .find(|o| o.id == op.id)
                    .expect("every operation has facts");
                let rate = op_facts.rate_limit.as_ref().map(|r| RateRule {
                    limit: u32::try_from(r.limit).unwrap_or(u32::MAX),
                    window_seconds: r.window_seconds,
                    shared: r.per == "client-user",
                });
                routes.push(Route {
                    api,
                    id: op.id.to_string(),
                    method: op
                        .method
                        .to_uppercase()
                        .parse()
                        .expect("spec methods are valid"),
                    segments,
                    params,
                    body,
                    responses,
                    security: security(&facts, op_facts),
                    rate,
                    example,
                });
            }
        }
        Self { routes }
    }

    #[cfg(test)]
    pub(crate) fn route(&self, api: Api, id: &str) -> Option<&Route> {
        self.routes.iter().find(|r| r.api == api && r.id == id)
    }

    pub(crate) fn of(&self, api: Api) -> impl Iterator<Item = &Route> {
        self.routes.iter().filter(move |r| r.api == api)
    }

    /// Finds the operation of `api` for `method` and `path` (relative to the API's prefix,
    /// percent-decoded per segment).
    pub(crate) fn lookup(&self, api: Api, method: &http::Method, path: &str) -> Lookup<'_> {
        let parts: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(percent_decode)
            .collect();
        let mut path_matched = false;
        for route in self.of(api) {
            if route.segments.len() != parts.len() {
                continue;
            }
            let mut found = HashMap::new();
            let matched = route
                .segments
                .iter()
                .zip(&parts)
                .all(|(seg, part)| match seg {
                    Segment::Literal(l) => l == part,
                    Segment::Param(name) => {
                        found.insert(name.clone(), part.clone());
                        !part.is_empty()
                    }
                });
            if !matched {
                continue;
            }
            if route.method == method {
                return Lookup::Found(route, found);
            }
            path_matched = true;
        }
        if path_matched {
            Lookup::WrongMethod
        } else {
            Lookup::NotFound
        }
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
