//! The mock's routing table and request/response validation, compiled from the spec files
//! themselves (embedded at build time): paths, methods, parameters with their schemas, request
//! bodies, security requirements, rate limits and documented responses. Nothing here is a second
//! hand-written copy of what a spec says.

use std::collections::{BTreeMap, HashMap};

use blockbind_spec::{ApiFacts, OperationFacts, SchemeKind, SpecFile};
use serde_json::Value;

use crate::Api;

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

struct ResponseRule {
    /// Content type and the validator of its schema (`None`: no body).
    content: Vec<(String, Option<jsonschema::Validator>)>,
}

pub(crate) struct Route {
    pub api: Api,
    pub id: String,
    pub method: http::Method,
    segments: Vec<Segment>,
    params: Vec<Param>,
    body: Option<(bool, jsonschema::Validator)>,
    responses: BTreeMap<u16, ResponseRule>,
    pub security: Security,
    pub rate: Option<RateRule>,
    /// The success status and the spec's first example of its body (`None`: no body, or no
    /// example): what an operation without a handler answers.
    pub example: Option<(u16, Option<Value>)>,
}

impl Route {
    /// Checks a response the mock is about to send against the spec.
    pub fn check_response(
        &self,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<(), String> {
        let Some(rule) = self.responses.get(&status) else {
            return Err(format!("{}: status {status} is not documented", self.id));
        };
        if rule.content.is_empty() {
            return if body.is_empty() {
                Ok(())
            } else {
                Err(format!("{}: {status} must have no body", self.id))
            };
        }
        let ct = content_type
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim();
        let Some((_, validator)) = rule.content.iter().find(|(c, _)| c == ct) else {
            return Err(format!(
                "{}: {status} content type {ct:?} is not documented",
                self.id
            ));
        };
        let Some(validator) = validator else {
            return Ok(());
        };
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| format!("{}: {status} body is not JSON: {e}", self.id))?;
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .take(3)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{}: {status} body does not match the spec: {}",
                self.id,
                errors.join("; ")
            ))
        }
    }
}

/// A request parameter or body the spec does not allow.
#[derive(Debug, Clone)]
pub(crate) struct Invalid {
    pub parameter: String,
    pub value: Option<String>,
    pub message: String,
}

/// Parameters after validation: typed as the spec says, defaults filled in.
#[derive(Debug, Default, Clone)]
pub(crate) struct Values {
    pub path: HashMap<String, Value>,
    pub query: HashMap<String, Value>,
    pub body: Option<Value>,
}

impl Values {
    fn get(&self, name: &str) -> Option<&Value> {
        self.path.get(name).or_else(|| self.query.get(name))
    }

    pub fn str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(Value::as_i64)
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        self.get(name).and_then(Value::as_bool)
    }

    pub fn list(&self, name: &str) -> Vec<String> {
        match self.get(name) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(Value::String(s)) => s.split(',').map(str::to_string).collect(),
            _ => Vec::new(),
        }
    }
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
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&spec.json_schema(schema))
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
        token_scopes: (!op.security.is_empty()).then(|| op.scopes.clone()),
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
    Some((status_code(code)?, example))
}

fn status_code(key: &str) -> Option<u16> {
    key.parse().ok()
}

impl Routes {
    pub fn compile() -> Self {
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
                let mut responses = BTreeMap::new();
                if let Some(Value::Object(map)) = op.node.get("responses") {
                    for (code, response) in map {
                        let Some(code) = status_code(code) else {
                            continue;
                        };
                        let response = spec.deref(response).unwrap_or(response);
                        let content = response
                            .get("content")
                            .and_then(Value::as_object)
                            .map(|c| {
                                c.iter()
                                    .map(|(ct, media)| {
                                        (
                                            ct.clone(),
                                            media.get("schema").map(|s| validator(&spec, s)),
                                        )
                                    })
                                    .collect()
                            })
                            .unwrap_or_default();
                        responses.insert(code, ResponseRule { content });
                    }
                }
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
    pub fn route(&self, api: Api, id: &str) -> Option<&Route> {
        self.routes.iter().find(|r| r.api == api && r.id == id)
    }

    pub fn of(&self, api: Api) -> impl Iterator<Item = &Route> {
        self.routes.iter().filter(move |r| r.api == api)
    }

    /// Finds the operation of `api` for `method` and `path` (relative to the API's prefix,
    /// percent-decoded per segment).
    pub fn lookup(&self, api: Api, method: &http::Method, path: &str) -> Lookup<'_> {
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

    /// Types and checks parameters and body against the operation's schemas.
    pub fn validate(
        &self,
        route: &Route,
        path: &HashMap<String, String>,
        query: &[(String, String)],
        body: &[u8],
    ) -> Result<Values, Invalid> {
        let mut values = Values::default();
        for param in &route.params {
            let raw: Vec<&str> = match param.location {
                Location::Path => path
                    .get(&param.name)
                    .map(|s| vec![s.as_str()])
                    .unwrap_or_default(),
                Location::Query => query
                    .iter()
                    .filter(|(k, _)| *k == param.name)
                    .map(|(_, v)| v.as_str())
                    .collect(),
            };
            let value = if raw.is_empty() {
                if param.required {
                    return Err(Invalid {
                        parameter: param.name.clone(),
                        value: None,
                        message: format!("The `{}` parameter is missing", param.name),
                    });
                }
                match &param.default {
                    Some(d) => d.clone(),
                    None => continue,
                }
            } else {
                let value = coerce(&param.kind, &raw).map_err(|message| Invalid {
                    parameter: param.name.clone(),
                    value: Some(raw.join(",")),
                    message: format!(
                        "The `{}` parameter value {:?} {message}",
                        param.name,
                        raw.join(",")
                    ),
                })?;
                if let Some(error) = param.validator.iter_errors(&value).next() {
                    return Err(Invalid {
                        parameter: param.name.clone(),
                        value: Some(raw.join(",")),
                        message: format!(
                            "The `{}` parameter value {:?} is not valid: {}",
                            param.name,
                            raw.join(","),
                            error
                        ),
                    });
                }
                value
            };
            match param.location {
                Location::Path => values.path.insert(param.name.clone(), value),
                Location::Query => values.query.insert(param.name.clone(), value),
            };
        }
        if let Some((required, validator)) = &route.body {
            if body.is_empty() {
                if *required {
                    return Err(Invalid {
                        parameter: "body".into(),
                        value: None,
                        message: "A JSON request body is required".into(),
                    });
                }
            } else {
                let value: Value = serde_json::from_slice(body).map_err(|e| Invalid {
                    parameter: "body".into(),
                    value: None,
                    message: format!("The request body is not valid JSON: {e}"),
                })?;
                if let Some(error) = validator.iter_errors(&value).next() {
                    let at = error.instance_path().to_string();
                    let field = at.trim_start_matches('/').to_string();
                    return Err(Invalid {
                        parameter: if field.is_empty() {
                            "body".into()
                        } else {
                            field
                        },
                        value: None,
                        message: format!("The request body is not valid: {error} (at {at})"),
                    });
                }
                values.body = Some(value);
            }
        }
        Ok(values)
    }
}

fn coerce(kind: &Kind, raw: &[&str]) -> Result<Value, String> {
    match kind {
        Kind::Array(item) => {
            let parts: Vec<&str> = raw.iter().flat_map(|r| r.split(',')).collect();
            parts
                .iter()
                .map(|p| coerce(item, &[p]))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        _ => {
            let text = raw[0];
            match kind {
                Kind::Integer => text
                    .parse::<i64>()
                    .map(Value::from)
                    .map_err(|_| "is not an integer".to_string()),
                Kind::Number => text
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
                    .ok_or_else(|| "is not a number".to_string()),
                Kind::Boolean => match text {
                    "true" => Ok(Value::Bool(true)),
                    "false" => Ok(Value::Bool(false)),
                    _ => Err("is not `true` or `false`".to_string()),
                },
                _ => Ok(Value::String(text.to_string())),
            }
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
mod tests {
    use super::*;

    #[test]
    fn every_spec_operation_is_routed() {
        let routes = Routes::compile();
        for api in Api::ALL {
            let spec = embedded_spec(api);
            assert_eq!(routes.of(api).count(), spec.operations().len(), "{api:?}");
        }
        let helix = routes
            .route(Api::TwitchHelix, "get_user_block_list")
            .unwrap();
        assert_eq!(
            helix.security.token_scopes.as_deref(),
            Some(&["user:read:blocked_users".to_string()][..])
        );
        assert!(helix.security.client_id);
        assert!(helix.rate.as_ref().unwrap().shared);
    }

    #[test]
    fn parameters_are_typed_and_checked_against_their_schemas() {
        let routes = Routes::compile();
        let Lookup::Found(route, path) =
            routes.lookup(Api::XV2, &http::Method::GET, "/users/2244994945/blocking")
        else {
            panic!("not routed")
        };
        let q = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let ok = routes
            .validate(
                route,
                &path,
                &q(&[("user.fields", "created_at,description")]),
                b"",
            )
            .unwrap();
        assert_eq!(ok.list("user.fields"), vec!["created_at", "description"]);
        assert_eq!(ok.int("max_results"), Some(100), "the spec's default");
        let bad = routes
            .validate(route, &path, &q(&[("max_results", "5000")]), b"")
            .unwrap_err();
        assert_eq!(bad.parameter, "max_results");
        assert!(bad.message.contains("5000"), "{}", bad.message);
        let bad = routes
            .validate(
                route,
                &path,
                &q(&[("user.fields", "created_at,shoe_size")]),
                b"",
            )
            .unwrap_err();
        assert_eq!(bad.parameter, "user.fields");
        let bad = routes
            .validate(route, &path, &q(&[("max_results", "ten")]), b"")
            .unwrap_err();
        assert!(bad.message.contains("not an integer"));
    }
}
