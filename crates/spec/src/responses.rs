//! An operation's declared responses, compiled once: which statuses it answers (exact, `NXX`
//! ranges, `default`), which media types each carries, and a JSON Schema validator for each JSON
//! body. The mock checks what it is about to send with it; the conformance driver judges the
//! answers of a mock of X's official document with it.
//!
//! What it must not do: decide what a mismatch means (a mock bug, a fault of somebody else's
//! mock) or read anything but the spec it is given. It says whether a response is one the
//! operation declares and, if not, why.

use std::fmt;

use serde_json::Value;

use crate::{Operation, SpecError, SpecFile};

/// How many schema violations a [`ResponseMismatch`] lists: enough to see a pattern, few enough
/// for one log line.
const LISTED_VIOLATIONS: usize = 3;

/// The responses one operation declares, with their body schemas compiled.
pub struct ResponseRules {
    operation: String,
    /// In document order.
    responses: Vec<(StatusKey, Vec<MediaRule>)>,
}

/// A key of a `responses` object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusKey {
    /// `204`.
    Exact(u16),
    /// `4XX`: the first digit.
    Range(u16),
    /// `default`.
    Default,
}

impl StatusKey {
    fn parse(key: &str) -> Option<Self> {
        if key == "default" {
            return Some(Self::Default);
        }
        let bytes = key.as_bytes();
        if bytes.len() != 3 || !(b'1'..=b'5').contains(&bytes[0]) {
            return None;
        }
        let first = u16::from(bytes[0] - b'0');
        if key[1..].eq_ignore_ascii_case("XX") {
            Some(Self::Range(first))
        } else if bytes[1..].iter().all(u8::is_ascii_digit) {
            key.parse().ok().map(Self::Exact)
        } else {
            None
        }
    }
}

impl fmt::Display for StatusKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exact(status) => write!(f, "{status}"),
            Self::Range(first) => write!(f, "{first}XX"),
            Self::Default => f.write_str("default"),
        }
    }
}

/// One media type a response declares.
struct MediaRule {
    /// Lowercase: `application/json`.
    media_type: String,
    /// The validator of its schema; `None` when it declares none or is not JSON (such a body is
    /// accepted as it is).
    validator: Option<jsonschema::Validator>,
}

impl fmt::Debug for ResponseRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let declared: Vec<(String, Vec<&str>)> = self
            .responses
            .iter()
            .map(|(key, media)| {
                let types = media.iter().map(|m| m.media_type.as_str()).collect();
                (key.to_string(), types)
            })
            .collect();
        f.debug_struct("ResponseRules")
            .field("operation", &self.operation)
            .field("responses", &declared)
            .finish()
    }
}

/// Whether bodies of this media type are JSON, and so checked against their schema.
fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type.ends_with("+json")
}

impl ResponseRules {
    /// Compiles the `responses` of `op`, an operation of `spec`. Keys that are neither a status,
    /// an `NXX` range nor `default` are ignored (OpenAPI allows no others).
    pub fn compile(spec: &SpecFile, op: &Operation<'_>) -> Result<Self, SpecError> {
        let mut responses = Vec::new();
        if let Some(Value::Object(by_status)) = op.node.get("responses") {
            for (key, response) in by_status {
                let Some(status) = StatusKey::parse(key) else {
                    continue;
                };
                let response = spec.deref(response).unwrap_or(response);
                let mut media = Vec::new();
                if let Some(Value::Object(content)) = response.get("content") {
                    for (media_type, body) in content {
                        let media_type = media_type.to_ascii_lowercase();
                        let validator = match body.get("schema") {
                            Some(schema) if is_json(&media_type) => {
                                Some(spec.validator(schema).map_err(|e| SpecError::Schema {
                                    path: spec.rel_path.clone().into(),
                                    location: format!("{} {key} {media_type}", op.id),
                                    message: e.to_string(),
                                })?)
                            }
                            _ => None,
                        };
                        media.push(MediaRule {
                            media_type,
                            validator,
                        });
                    }
                }
                responses.push((status, media));
            }
        }
        Ok(Self {
            operation: op.id.to_string(),
            responses,
        })
    }

    /// The `operationId` the rules are of.
    pub fn operation(&self) -> &str {
        &self.operation
    }

    /// The media types the response for `status` may carry (empty: no content), chosen as
    /// OpenAPI says: the exact status, else its `NXX` range, else `default`.
    fn declared(&self, status: u16) -> Option<&[MediaRule]> {
        let find = |wanted: StatusKey| {
            self.responses
                .iter()
                .find(|(key, _)| *key == wanted)
                .map(|(_, media)| media.as_slice())
        };
        find(StatusKey::Exact(status))
            .or_else(|| find(StatusKey::Range(status / 100)))
            .or_else(|| find(StatusKey::Default))
    }

    /// Whether a response of `status` with this `Content-Type` header and `body` is one the
    /// operation declares: a response without content must have an empty body; one with content
    /// must carry a declared media type, and a JSON one must satisfy its schema.
    pub fn check(
        &self,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<(), ResponseMismatch> {
        let mismatch = |kind| ResponseMismatch {
            operation: self.operation.clone(),
            status,
            kind,
        };
        let media = self
            .declared(status)
            .ok_or_else(|| mismatch(MismatchKind::UndeclaredStatus))?;
        if media.is_empty() {
            return if body.is_empty() {
                Ok(())
            } else {
                Err(mismatch(MismatchKind::UnexpectedBody))
            };
        }
        let essence = content_type
            .and_then(|c| c.split(';').next())
            .map(|c| c.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let rule = media
            .iter()
            .find(|m| m.media_type == essence)
            .ok_or_else(|| mismatch(MismatchKind::UndeclaredContentType(essence.clone())))?;
        let Some(validator) = &rule.validator else {
            return Ok(());
        };
        let instance: Value = serde_json::from_slice(body)
            .map_err(|e| mismatch(MismatchKind::NotJson(e.to_string())))?;
        let violations: Vec<SchemaViolation> = validator
            .iter_errors(&instance)
            .take(LISTED_VIOLATIONS)
            .map(|e| SchemaViolation {
                instance_path: e.instance_path().to_string(),
                message: e.to_string(),
            })
            .collect();
        if violations.is_empty() {
            Ok(())
        } else {
            Err(mismatch(MismatchKind::Schema(violations)))
        }
    }
}

/// Why a response is not one its operation declares.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation}: {status} {kind}")]
pub struct ResponseMismatch {
    /// The `operationId`.
    pub operation: String,
    /// The response's status.
    pub status: u16,
    /// What is wrong.
    pub kind: MismatchKind,
}

/// What is wrong with a response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MismatchKind {
    /// Neither the status, nor its range, nor `default` is declared.
    #[error("is not a status the operation declares")]
    UndeclaredStatus,
    /// The response declares no content, but the body is not empty.
    #[error("must have no body")]
    UnexpectedBody,
    /// The response's media type (lowercase, without parameters; empty when there was no
    /// `Content-Type`) is not one the response declares.
    #[error("content type {0:?} is not declared")]
    UndeclaredContentType(String),
    /// The media type is JSON but the body does not parse; the parser's message.
    #[error("body is not JSON: {0}")]
    NotJson(String),
    /// The body does not satisfy its schema: the first few violations, never empty.
    #[error("body does not match the schema: {}", list(.0))]
    Schema(Vec<SchemaViolation>),
}

fn list(violations: &[SchemaViolation]) -> String {
    violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// One way a body fails its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaViolation {
    /// A JSON pointer to the failing value (`/data/0/id`; empty for the whole body).
    pub instance_path: String,
    /// The validator's message.
    pub message: String,
}

impl fmt::Display for SchemaViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.instance_path.is_empty() {
            write!(f, "{} (at the root)", self.message)
        } else {
            write!(f, "{} (at {})", self.message, self.instance_path)
        }
    }
}

#[cfg(test)]
mod tests;
