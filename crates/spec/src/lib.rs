//! Reads blockbind's OpenAPI specs (`specs/*.yaml`) for the tools around the generated clients: the
//! xtask that generates them, the contract tests, the mock server that validates requests and
//! responses against them, and the conformance driver (which reads X's official document).
//!
//! What it offers: loading a spec from YAML as both raw JSON and `openapiv3::OpenAPI`, resolving
//! local `$ref`s, converting OpenAPI 3.0 schemas (with `nullable`) into JSON Schema, listing every
//! example a spec embeds, the header format of generated files, and every `x-` extension read
//! once into typed facts ([`SpecFile::facts`]). With the `validate` feature: JSON Schema
//! validators (`SpecFile::validator`) and an operation's responses compiled into
//! `ResponseRules`, which says whether a response is one the operation declares.
//!
//! What it must not do: generate code (that is the xtask's job) or hold any per-API knowledge. A
//! fact about an API belongs in its spec, not here.
//!
//! # Features
#![doc = document_features::document_features!()]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs, unreachable_pub)]

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

mod facts;
mod header;
pub use facts::{
    ApiFacts, BoundFacts, CredentialNeed, OperationFacts, PaginationFacts, PaginationStyle,
    RateLimitFacts, SchemeFacts, SchemeKind,
};
pub use header::{generated_header, parse_generated_header};
#[cfg(feature = "validate")]
mod responses;
#[cfg(feature = "validate")]
pub use responses::{MismatchKind, ResponseMismatch, ResponseRules, SchemaViolation};

/// The directory, relative to the workspace root, that holds the specs.
pub const SPECS_DIR: &str = "specs";

/// Why a spec could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The file or directory could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// What was being read.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file does not parse as YAML.
    #[error("{path} is not valid YAML: {message}")]
    Yaml {
        /// The spec.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// The document is YAML but not OpenAPI 3.0 as `openapiv3` reads it.
    #[error("{path} is not an OpenAPI 3.0 document openapiv3 accepts: {message}")]
    OpenApi {
        /// The spec.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A schema does not compile into a JSON Schema validator.
    #[error("{path}: the schema of {location} does not compile: {message}")]
    Schema {
        /// The spec.
        path: PathBuf,
        /// Whose schema: `getUsersBlocking 200 application/json`.
        location: String,
        /// The compiler's message.
        message: String,
    },
    /// A blockbind extension (`x-crate`, `x-rate-limit`, ...) is missing or malformed.
    #[error("{path}: {message}")]
    Shape {
        /// The spec.
        path: PathBuf,
        /// What is wrong, and where.
        message: String,
    },
}

/// One spec file, as bytes (for its SHA-256) and as a JSON tree (for everything else).
#[derive(Clone)]
pub struct SpecFile {
    /// Path relative to the workspace root, with `/` separators: `specs/x-v2.yaml`.
    pub rel_path: String,
    /// File stem: `x-v2`, `x-v1.1`.
    pub stem: String,
    /// The file's bytes, as read (what its SHA-256 is taken over).
    pub bytes: Vec<u8>,
    /// The document parsed from YAML.
    pub document: Value,
}

impl fmt::Debug for SpecFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpecFile")
            .field("rel_path", &self.rel_path)
            .finish_non_exhaustive()
    }
}

/// The workspace-relative paths (`specs/<name>.yaml`) of every spec, sorted by file name.
pub fn spec_paths(workspace_root: &Path) -> Result<Vec<String>, SpecError> {
    let dir = workspace_root.join(SPECS_DIR);
    let io = |source| SpecError::Io {
        path: dir.clone(),
        source,
    };
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(io)? {
        let name = entry
            .map_err(io)?
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".yaml") {
            names.push(format!("{SPECS_DIR}/{name}"));
        }
    }
    names.sort();
    Ok(names)
}

/// Every spec under `<workspace_root>/specs`, sorted by file name.
pub fn workspace_specs(workspace_root: &Path) -> Result<Vec<SpecFile>, SpecError> {
    spec_paths(workspace_root)?
        .iter()
        .map(|rel| SpecFile::load(workspace_root, rel))
        .collect()
}

/// SHA-256 of some bytes, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl SpecFile {
    /// Loads `rel_path` (relative to `workspace_root`).
    pub fn load(workspace_root: &Path, rel_path: &str) -> Result<Self, SpecError> {
        let path = workspace_root.join(rel_path);
        let bytes = std::fs::read(&path).map_err(|source| SpecError::Io {
            path: path.clone(),
            source,
        })?;
        Self::from_bytes(rel_path, bytes)
    }

    /// Parses a spec held in memory; `rel_path` names it in messages and headers.
    pub fn from_bytes(rel_path: &str, bytes: Vec<u8>) -> Result<Self, SpecError> {
        let document: Value = yaml_serde::from_slice(&bytes).map_err(|e| SpecError::Yaml {
            path: rel_path.into(),
            message: e.to_string(),
        })?;
        let stem = Path::new(rel_path)
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".yaml"))
            .unwrap_or(rel_path)
            .to_string();
        Ok(Self {
            rel_path: rel_path.to_string(),
            stem,
            bytes,
            document,
        })
    }

    /// SHA-256 of the file's bytes, lowercase hex (recorded in generated files' headers).
    pub fn sha256(&self) -> String {
        sha256_hex(&self.bytes)
    }

    fn shape_error(&self, message: impl Into<String>) -> SpecError {
        SpecError::Shape {
            path: self.rel_path.clone().into(),
            message: message.into(),
        }
    }

    /// `info.x-crate`: the directory under `crates/` that holds this spec's generated client.
    pub fn crate_dir(&self) -> Result<String, SpecError> {
        self.document
            .pointer("/info/x-crate")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| self.shape_error("info.x-crate is missing (see specs/README.md)"))
    }

    /// The Cargo package name of this spec's generated client: `blockbind-<x-crate>`.
    pub fn package_name(&self) -> Result<String, SpecError> {
        Ok(format!("blockbind-{}", self.crate_dir()?))
    }

    /// The document as `openapiv3` (the parser progenitor uses) reads it.
    pub fn openapi(&self) -> Result<openapiv3::OpenAPI, SpecError> {
        serde_json::from_value(self.document.clone()).map_err(|e| SpecError::OpenApi {
            path: self.rel_path.clone().into(),
            message: e.to_string(),
        })
    }

    /// Resolves a local reference (`#/components/schemas/User`).
    pub fn resolve(&self, reference: &str) -> Option<&Value> {
        let pointer = reference.strip_prefix('#')?;
        self.document.pointer(pointer)
    }

    /// Follows `$ref` chains from `value` until a non-reference object.
    pub fn deref<'a>(&'a self, mut value: &'a Value) -> Option<&'a Value> {
        for _ in 0..32 {
            match value.get("$ref").and_then(Value::as_str) {
                Some(r) => value = self.resolve(r)?,
                None => return Some(value),
            }
        }
        None
    }

    /// Every operation, in document order: `(path, method, operation object)`.
    pub fn operations(&self) -> Vec<Operation<'_>> {
        let mut out = Vec::new();
        let Some(Value::Object(paths)) = self.document.get("paths") else {
            return out;
        };
        for (path, item) in paths {
            let Value::Object(item) = item else { continue };
            for (method, op) in item {
                if !HTTP_METHODS.contains(&method.as_str()) {
                    continue;
                }
                let path_params = item.get("parameters");
                out.push(Operation {
                    path,
                    method,
                    id: op.get("operationId").and_then(Value::as_str).unwrap_or(""),
                    node: op,
                    path_params,
                });
            }
        }
        out
    }

    /// The operation with this `operationId`.
    pub fn operation(&self, id: &str) -> Option<Operation<'_>> {
        self.operations().into_iter().find(|o| o.id == id)
    }

    /// An operation's parameters (path-level ones included, operation-level ones winning), each
    /// with `$ref`s followed.
    pub fn parameters<'a>(&'a self, op: &Operation<'a>) -> Vec<&'a Value> {
        let mut out: Vec<&Value> = Vec::new();
        let lists = [op.node.get("parameters"), op.path_params];
        for list in lists.into_iter().flatten() {
            let Value::Array(list) = list else { continue };
            for p in list {
                let Some(p) = self.deref(p) else { continue };
                let key = |v: &Value| (v.get("name").cloned(), v.get("in").cloned());
                if !out.iter().any(|q| key(q) == key(p)) {
                    out.push(p);
                }
            }
        }
        out
    }

    /// One parameter of an operation, by name, with `$ref`s followed.
    pub fn parameter<'a>(&'a self, op: &Operation<'a>, name: &str) -> Option<&'a Value> {
        self.parameters(op)
            .into_iter()
            .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
    }

    /// Every `$ref` in the document that does not resolve, as `(where, reference)`.
    pub fn unresolved_refs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        walk(&self.document, String::new(), &mut |at, v| {
            if let Some(r) = v.get("$ref").and_then(Value::as_str)
                && self.resolve(r).is_none()
            {
                out.push((at.to_string(), r.to_string()));
            }
        });
        out
    }

    /// A JSON Schema (Draft 7) document that validates instances of `schema`, a schema object of
    /// this spec. `#/components/...` references keep resolving because the converted components
    /// ride along in the returned document.
    pub fn json_schema(&self, schema: &Value) -> Value {
        let mut root = Map::new();
        root.insert(
            "$schema".into(),
            Value::String("http://json-schema.org/draft-07/schema#".into()),
        );
        root.insert("allOf".into(), Value::Array(vec![to_json_schema(schema)]));
        if let Some(components) = self.document.get("components") {
            root.insert("components".into(), to_json_schema(components));
        }
        Value::Object(root)
    }

    /// A Draft 7 validator (formats checked) of `schema`, a schema object of this spec: the
    /// one way the tools turn a spec's schema into a check.
    #[cfg(feature = "validate")]
    pub fn validator(
        &self,
        schema: &Value,
    ) -> Result<jsonschema::Validator, jsonschema::ValidationError<'static>> {
        jsonschema::draft7::options()
            .should_validate_formats(true)
            .build(&self.json_schema(schema))
    }

    /// Every example the spec embeds, with the schema it must satisfy: parameter and media-type
    /// `example`/`examples` (following `$ref`s into `components/examples`), and schema-level
    /// `example`s.
    pub fn examples(&self) -> Vec<Example> {
        let mut out = Vec::new();
        self.collect_examples(&self.document, String::new(), &mut out);
        out
    }

    fn collect_examples(&self, node: &Value, at: String, out: &mut Vec<Example>) {
        match node {
            Value::Object(map) => {
                if let Some(schema) = map.get("schema") {
                    // A parameter, header or media type object.
                    if let Some(example) = map.get("example") {
                        out.push(Example {
                            location: format!("{at}/example"),
                            schema: schema.clone(),
                            value: example.clone(),
                        });
                    }
                    if let Some(Value::Object(examples)) = map.get("examples") {
                        for (name, ex) in examples {
                            let ex = self.deref(ex).unwrap_or(ex);
                            if let Some(value) = ex.get("value") {
                                out.push(Example {
                                    location: format!("{at}/examples/{name}"),
                                    schema: schema.clone(),
                                    value: value.clone(),
                                });
                            }
                        }
                    }
                    self.collect_schema_examples(schema, format!("{at}/schema"), out);
                }
                for (k, v) in map {
                    if k == "schema" || k == "example" || k == "examples" {
                        continue;
                    }
                    if k == "schemas" && at == "/components" {
                        if let Value::Object(schemas) = v {
                            for (name, s) in schemas {
                                self.collect_schema_examples(
                                    s,
                                    format!("{at}/schemas/{name}"),
                                    out,
                                );
                            }
                        }
                        continue;
                    }
                    self.collect_examples(v, format!("{at}/{}", escape(k)), out);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    self.collect_examples(v, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }

    fn collect_schema_examples(&self, schema: &Value, at: String, out: &mut Vec<Example>) {
        let Value::Object(map) = schema else { return };
        if let Some(example) = map.get("example") {
            out.push(Example {
                location: format!("{at}/example"),
                schema: schema.clone(),
                value: example.clone(),
            });
        }
        for key in ["properties", "patternProperties"] {
            if let Some(Value::Object(props)) = map.get(key) {
                for (name, s) in props {
                    self.collect_schema_examples(s, format!("{at}/{key}/{}", escape(name)), out);
                }
            }
        }
        for key in ["items", "additionalProperties", "not"] {
            if let Some(s) = map.get(key) {
                self.collect_schema_examples(s, format!("{at}/{key}"), out);
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(list)) = map.get(key) {
                for (i, s) in list.iter().enumerate() {
                    self.collect_schema_examples(s, format!("{at}/{key}/{i}"), out);
                }
            }
        }
    }
}

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// An operation of a spec.
#[derive(Debug, Clone, Copy)]
pub struct Operation<'a> {
    /// The path template, as the document's `paths` key spells it.
    pub path: &'a str,
    /// Lowercase, as in the document.
    pub method: &'a str,
    /// `operationId` (empty when missing).
    pub id: &'a str,
    /// The operation object itself.
    pub node: &'a Value,
    path_params: Option<&'a Value>,
}

/// An example embedded in a spec and the (OpenAPI) schema it must satisfy.
#[derive(Debug, Clone)]
pub struct Example {
    /// JSON pointer to the example in the spec.
    pub location: String,
    /// The OpenAPI schema it must satisfy.
    pub schema: Value,
    /// The example's value.
    pub value: Value,
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn walk(node: &Value, at: String, f: &mut impl FnMut(&str, &Value)) {
    f(&at, node);
    match node {
        Value::Object(map) => {
            for (k, v) in map {
                walk(v, format!("{at}/{}", escape(k)), f);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(v, format!("{at}/{i}"), f);
            }
        }
        _ => {}
    }
}

/// Converts OpenAPI 3.0 schema keywords that JSON Schema spells differently, recursively:
/// `nullable: true` becomes a `"null"` type (or an `anyOf` with one, for `$ref`/composed schemas),
/// and a `null` entry in `enum`. Everything else passes through unchanged.
pub fn to_json_schema(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out: Map<String, Value> = map
                .iter()
                .filter(|(k, _)| k.as_str() != "nullable")
                .map(|(k, v)| (k.clone(), to_json_schema(v)))
                .collect();
            if map.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::Array(values)) = out.get_mut("enum")
                    && !values.contains(&Value::Null)
                {
                    values.push(Value::Null);
                }
                match out.get("type").cloned() {
                    Some(Value::String(t)) => {
                        out.insert(
                            "type".into(),
                            Value::Array(vec![Value::String(t), Value::String("null".into())]),
                        );
                    }
                    Some(_) => {}
                    None => {
                        let inner = Value::Object(std::mem::take(&mut out));
                        out.insert("anyOf".into(), serde_json::json!([inner, {"type": "null"}]));
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests;
