//! Reading the facts out of a spec document: [`SpecFile::facts`] and the checks that refuse a
//! malformed extension with a message naming the spec and the operation.

use serde_json::Value;

use super::{
    ApiFacts, BoundFacts, CredentialNeed, OperationFacts, PaginationFacts, PaginationStyle,
    RateLimitFacts, SchemeFacts, SchemeKind,
};
use crate::{SpecError, SpecFile};

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn dotted(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(|s| s.split('.').map(str::to_string).collect())
        .unwrap_or_default()
}

impl SpecFile {
    /// Reads every fact the tools need from this spec (see the module docs).
    pub fn facts(&self) -> Result<ApiFacts, SpecError> {
        let doc = &self.document;
        let info = |key: &str| doc.pointer(&format!("/info/{key}"));
        let name = self.crate_dir()?;
        let platform = info("x-platform")
            .and_then(Value::as_str)
            .ok_or_else(|| self.shape_error("info.x-platform is missing (twitch or x)"))?
            .to_string();
        let base_url = doc
            .pointer("/servers/0/url")
            .and_then(Value::as_str)
            .ok_or_else(|| self.shape_error("servers[0].url is missing"))?
            .to_string();
        let prefix = base_url
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_string();
        if prefix.is_empty() {
            return Err(self.shape_error(format!(
                "servers[0].url {base_url} needs a path prefix (`/helix`, `/2`): the mock and a \
                 shared origin tell APIs apart by it"
            )));
        }
        let mut schemes = Vec::new();
        if let Some(Value::Object(map)) = doc.pointer("/components/securitySchemes") {
            for (scheme_name, scheme) in map {
                schemes.push(self.scheme(scheme_name, scheme)?);
            }
        }
        let mut operations = Vec::new();
        for op in self.operations() {
            operations.push(self.operation_facts(&name, &schemes, &op)?);
        }
        Ok(ApiFacts {
            aliases: strings(info("x-aliases")),
            title: info("title")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            spec_path: self.rel_path.clone(),
            legacy: info("x-legacy").and_then(Value::as_str).map(str::to_string),
            accept: info("x-accept").and_then(Value::as_str).map(str::to_string),
            name,
            platform,
            base_url,
            prefix,
            schemes,
            operations,
        })
    }

    fn scheme(&self, name: &str, scheme: &Value) -> Result<SchemeFacts, SpecError> {
        let scheme = self.deref(scheme).unwrap_or(scheme);
        let field = |k: &str| scheme.get(k).and_then(Value::as_str);
        let kind = match (field("type"), field("scheme"), field("in")) {
            (Some("oauth2"), _, _) => SchemeKind::OAuth2 {
                token_url: scheme
                    .get("flows")
                    .and_then(Value::as_object)
                    .and_then(|flows| {
                        flows
                            .values()
                            .find_map(|f| f.get("tokenUrl").and_then(Value::as_str))
                    })
                    .map(str::to_string),
            },
            (Some("http"), Some(s), _) if s.eq_ignore_ascii_case("bearer") => SchemeKind::Bearer,
            (Some("http"), Some(s), _)
                if s.eq_ignore_ascii_case("oauth") && scheme.get("x-oauth1").is_some() =>
            {
                SchemeKind::OAuth1
            }
            (Some("apiKey"), _, Some("header")) => SchemeKind::ApiKeyHeader {
                header: field("name")
                    .ok_or_else(|| {
                        self.shape_error(format!("security scheme {name}: an apiKey needs a name"))
                    })?
                    .to_string(),
            },
            _ => {
                return Err(self.shape_error(format!(
                    "security scheme {name}: only oauth2, http bearer, http OAuth with x-oauth1 and header apiKey schemes are supported"
                )));
            }
        };
        let env = strings(scheme.get("x-env"));
        let wanted = if kind == SchemeKind::OAuth1 { 4 } else { 1 };
        if env.len() != wanted {
            return Err(self.shape_error(format!(
                "security scheme {name}: x-env must name {wanted} environment variable(s)"
            )));
        }
        let mut scopes: Vec<String> = Vec::new();
        if let Some(Value::Object(flows)) = scheme.get("flows") {
            for flow in flows.values() {
                if let Some(Value::Object(declared)) = flow.get("scopes") {
                    for scope in declared.keys() {
                        if !scopes.contains(scope) {
                            scopes.push(scope.clone());
                        }
                    }
                }
            }
        }
        Ok(SchemeFacts {
            name: name.to_string(),
            scopes,
            authorization_prefix: field("x-authorization-prefix")
                .unwrap_or("Bearer")
                .to_string(),
            app_only: scheme.get("x-app-only") == Some(&Value::Bool(true)),
            env,
            kind,
        })
    }

    fn operation_facts(
        &self,
        api: &str,
        schemes: &[SchemeFacts],
        op: &crate::Operation<'_>,
    ) -> Result<OperationFacts, SpecError> {
        let at = |message: String| self.shape_error(format!("operation {}: {message}", op.id));
        let requirements = op
            .node
            .get("security")
            .or_else(|| self.document.get("security"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut security = Vec::new();
        let mut scopes = Vec::new();
        for requirement in &requirements {
            let Some(requirement) = requirement.as_object() else {
                return Err(at("a security requirement must be an object".into()));
            };
            let mut names = Vec::new();
            for (scheme, listed) in requirement {
                if !schemes.iter().any(|s| s.name == *scheme) {
                    return Err(at(format!("unknown security scheme {scheme}")));
                }
                names.push(scheme.clone());
                let listed = strings(Some(listed));
                if scopes.is_empty() && !listed.is_empty() {
                    scopes = listed;
                }
            }
            security.push(names);
        }
        let app_only_ok = security
            .iter()
            .flatten()
            .any(|name| schemes.iter().any(|s| s.name == *name && s.app_only));
        let credential = if security.is_empty() {
            CredentialNeed::None
        } else if app_only_ok {
            CredentialNeed::Any
        } else {
            CredentialNeed::UserContext
        };

        let mut comma_joined = Vec::new();
        let mut bounds = Vec::new();
        let mut enums = Vec::new();
        for param in self.parameters(op) {
            let pname = param["name"].as_str().unwrap_or_default().to_string();
            let location = param["in"].as_str().unwrap_or_default();
            let schema = self.deref(&param["schema"]).cloned().unwrap_or(Value::Null);
            if location == "query"
                && schema["type"] == "array"
                && param.get("explode") == Some(&Value::Bool(false))
            {
                comma_joined.push(pname.clone());
            }
            if location != "query" && location != "path" {
                continue;
            }
            if location == "query"
                && let Some(Value::Array(values)) = schema.get("enum")
            {
                enums.push((pname.clone(), strings(Some(&Value::Array(values.clone())))));
            }
            let bound = BoundFacts {
                name: pname,
                in_path: location == "path",
                minimum: schema["minimum"].as_i64(),
                maximum: schema["maximum"].as_i64(),
                min_length: schema["minLength"].as_u64(),
                max_length: schema["maxLength"].as_u64(),
                max_items: schema["maxItems"].as_u64(),
            };
            if bound.minimum.is_some()
                || bound.maximum.is_some()
                || bound.min_length.is_some()
                || bound.max_length.is_some()
                || bound.max_items.is_some()
            {
                bounds.push(bound);
            }
        }

        let rate_limit = match op.node.get("x-rate-limit") {
            None => None,
            Some(r) => Some(RateLimitFacts {
                limit: r["limit"]
                    .as_u64()
                    .ok_or_else(|| at("x-rate-limit.limit must be a number".into()))?,
                window_seconds: r["window_seconds"]
                    .as_u64()
                    .ok_or_else(|| at("x-rate-limit.window_seconds must be a number".into()))?,
                per: r["per"]
                    .as_str()
                    .ok_or_else(|| at("x-rate-limit.per must be client-user or user".into()))?
                    .to_string(),
            }),
        };
        let shared = rate_limit.as_ref().is_none_or(|r| r.per == "client-user");
        let method = op.method.to_uppercase();
        let idempotent = matches!(
            method.as_str(),
            "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS"
        ) || op.node.get("x-idempotent") == Some(&Value::Bool(true));
        let pagination = match op.node.get("x-pagination") {
            None => None,
            Some(p) => Some(self.pagination(op, &bounds, p).map_err(at)?),
        };
        Ok(OperationFacts {
            id: op.id.to_string(),
            path: op.path.to_string(),
            bucket: if shared {
                api.to_string()
            } else {
                op.id.to_string()
            },
            availability: strings(op.node.get("x-availability")),
            items_total: match op.node.get("x-max-items-total") {
                None => None,
                Some(t) => Some((
                    strings(t.get("parameters")),
                    t["max"]
                        .as_u64()
                        .ok_or_else(|| at("x-max-items-total.max must be a number".into()))?,
                )),
            },
            method,
            security,
            scopes,
            credential,
            comma_joined,
            bounds,
            enums,
            rate_limit,
            idempotent,
            pagination,
        })
    }

    fn pagination(
        &self,
        op: &crate::Operation<'_>,
        bounds: &[BoundFacts],
        p: &Value,
    ) -> Result<PaginationFacts, String> {
        let text = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_string);
        let has_param = |name: &str| self.parameter(op, name).is_some();
        let param = |k: &str| -> Result<String, String> {
            let name = text(k).ok_or(format!("x-pagination.{k} is missing"))?;
            if has_param(&name) {
                Ok(name)
            } else {
                Err(format!(
                    "x-pagination.{k}: the operation has no parameter {name}"
                ))
            }
        };
        let style = match text("style").as_deref() {
            Some("cursor") => PaginationStyle::Cursor {
                param: param("cursor")?,
                next: {
                    let next = dotted(p.get("next"));
                    if next.is_empty() {
                        return Err("x-pagination.next is missing".into());
                    }
                    next
                },
                start: p.get("start").map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }),
                end: strings(p.get("end")),
            },
            Some("offset") => PaginationStyle::Offset {
                param: param("offset")?,
                total: p.get("total").map(|t| dotted(Some(t))),
            },
            other => {
                return Err(format!(
                    "x-pagination.style must be cursor or offset, not {other:?}"
                ));
            }
        };
        let page_size = match text("page_size") {
            None => None,
            Some(name) => {
                let maximum = bounds
                    .iter()
                    .find(|b| b.name == name)
                    .and_then(|b| b.maximum)
                    .ok_or(format!(
                        "x-pagination.page_size: parameter {name} needs a maximum"
                    ))?;
                Some((name, maximum))
            }
        };
        let mut set = Vec::new();
        if let Some(Value::Object(map)) = p.get("set") {
            for (name, value) in map {
                if !has_param(name) {
                    return Err(format!(
                        "x-pagination.set: the operation has no parameter {name}"
                    ));
                }
                set.push((name.clone(), value.clone()));
            }
        }
        let items = dotted(p.get("items"));
        if items.is_empty() {
            return Err("x-pagination.items is missing".into());
        }
        Ok(PaginationFacts {
            style,
            items,
            key: dotted(p.get("key")),
            page_size,
            set,
        })
    }
}
