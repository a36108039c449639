//! Validation against a compiled route: typing and checking a request's parameters and body
//! (defaults filled in), and checking a response the mock is about to send against the spec.

use std::collections::HashMap;

use serde_json::Value;

use super::{Kind, Location, Route, Routes};

impl Route {
    /// Checks a response the mock is about to send against the spec (the status, or its range,
    /// or `default`; the media type; the body's schema). A string, as the mock records
    /// violations.
    pub(crate) fn check_response(
        &self,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<(), String> {
        self.responses
            .check(status, content_type, body)
            .map_err(|mismatch| mismatch.to_string())
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

    pub(crate) fn str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }

    /// A string member of the JSON body (empty when absent or not a string).
    pub(crate) fn body_str(&self, name: &str) -> String {
        self.body
            .as_ref()
            .and_then(|b| b.get(name))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }

    pub(crate) fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(Value::as_i64)
    }

    pub(crate) fn bool(&self, name: &str) -> Option<bool> {
        self.get(name).and_then(Value::as_bool)
    }

    pub(crate) fn list(&self, name: &str) -> Vec<String> {
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

impl Routes {
    /// Types and checks parameters and body against the operation's schemas.
    pub(crate) fn validate(
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
                let booleans = if route.api == crate::Api::XV1 {
                    Booleans::XV1
                } else {
                    Booleans::Strict
                };
                let value = coerce(&param.kind, &raw, booleans).map_err(|message| Invalid {
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

/// How a query's boolean is read.
#[derive(Debug, Clone, Copy)]
enum Booleans {
    /// `true` or `false`, anything else refused.
    Strict,
    /// X v1.1's rule: "either true, t or 1" (any case) is true, any other value false. Clients
    /// rely on it: tweepy sends Python's `True`.
    XV1,
}

fn coerce(kind: &Kind, raw: &[&str], booleans: Booleans) -> Result<Value, String> {
    match kind {
        Kind::Array(item) => {
            let parts: Vec<&str> = raw.iter().flat_map(|r| r.split(',')).collect();
            parts
                .iter()
                .map(|p| coerce(item, &[p], booleans))
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
                Kind::Boolean if matches!(booleans, Booleans::XV1) => Ok(Value::Bool(
                    ["true", "t", "1"]
                        .iter()
                        .any(|t| text.eq_ignore_ascii_case(t)),
                )),
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
