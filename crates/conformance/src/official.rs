//! One of X's official OpenAPI documents, read as the oracle: which of its operations a generated
//! operation is, which query parameters (and which values of them) it accepts, and the JSON
//! Schema each of its responses must satisfy.
//!
//! What it must not do: consult `specs/x-v2.yaml`. Everything here comes from X's document, so
//! the verdicts are X's, not ours.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use blockbind_spec::{ResponseRules, SpecFile};
use serde_json::Value;

/// An official document, loaded.
pub(crate) struct Official {
    spec: SpecFile,
}

/// One operation of the official document, with its response schemas compiled.
pub(crate) struct Operation {
    /// Its `operationId` in X's document (`getUsersBlocking`, `usersIdBlock`, ...).
    pub(crate) id: String,
    /// Every query parameter it declares, with the values its items may take (empty when the
    /// parameter is not an enum).
    pub(crate) query: BTreeMap<String, Vec<String>>,
    /// The schema of every parameter, `$ref`s followed, by `(location, name)`: `("path", "id")`.
    parameters: BTreeMap<(String, String), Value>,
    /// The properties of its JSON request body's schema, `$ref`s followed, when it has one.
    body_properties: BTreeMap<String, Value>,
    /// Its declared responses, which judge an answer (status, media type, body).
    pub(crate) responses: ResponseRules,
}

impl Official {
    /// Reads an OpenAPI 3.0 document (JSON or YAML).
    pub(crate) fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&path.display().to_string(), bytes)
    }

    /// Parses a document held in memory; `name` names it in messages.
    fn parse(name: &str, bytes: Vec<u8>) -> Result<Self> {
        Ok(Self {
            spec: SpecFile::from_bytes(name, bytes)?,
        })
    }

    /// `info.version`, for the report.
    pub(crate) fn version(&self) -> &str {
        self.spec
            .document
            .pointer("/info/version")
            .and_then(Value::as_str)
            .unwrap_or("?")
    }

    /// Every operation of the document, as `(operationId, "METHOD path")`, in document order.
    pub(crate) fn operations(&self) -> Vec<(String, String)> {
        self.spec
            .operations()
            .iter()
            .map(|o| {
                let route = format!("{} {}", o.method.to_ascii_uppercase(), o.path);
                (o.id.to_string(), route)
            })
            .collect()
    }

    /// The document's `UserId` schema (`$ref`s followed): the shape X gives every user ID it
    /// types, for the parameters that carry one without saying so.
    pub(crate) fn user_id_schema(&self) -> Option<&Value> {
        self.spec
            .resolve("#/components/schemas/UserId")
            .and_then(|s| self.spec.deref(s))
    }

    /// The operation at `method` and `path` (a template: parameter names do not have to match,
    /// `/2/users/{id}` finds `/2/users/{user_id}`), if this version has it.
    pub(crate) fn operation(&self, method: &str, path: &str) -> Result<Option<Operation>> {
        let wanted = template_shape(path);
        let Some(op) =
            self.spec.operations().into_iter().find(|o| {
                o.method.eq_ignore_ascii_case(method) && template_shape(o.path) == wanted
            })
        else {
            return Ok(None);
        };
        let mut query = BTreeMap::new();
        let mut parameters = BTreeMap::new();
        for param in self.spec.parameters(&op) {
            let (Some(location), Some(name)) = (
                param.get("in").and_then(Value::as_str),
                param.get("name").and_then(Value::as_str),
            ) else {
                continue;
            };
            if let Some(schema) = param.get("schema").and_then(|s| self.spec.deref(s)) {
                parameters.insert((location.to_string(), name.to_string()), schema.clone());
            }
            if location == "query" {
                query.insert(name.to_string(), self.enum_values(param.get("schema")));
            }
        }
        let body_properties = op
            .node
            .get("requestBody")
            .and_then(|b| self.spec.deref(b))
            .and_then(|b| b.pointer("/content/application~1json/schema"))
            .and_then(|s| self.spec.deref(s))
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object)
            .map(|properties| {
                properties
                    .iter()
                    .filter_map(|(name, s)| Some((name.clone(), self.spec.deref(s)?.clone())))
                    .collect()
            })
            .unwrap_or_default();
        let responses = ResponseRules::compile(&self.spec, &op)?;
        Ok(Some(Operation {
            id: op.id.to_string(),
            query,
            parameters,
            body_properties,
            responses,
        }))
    }

    /// The enum values of a parameter schema, or of its items when it is an array.
    fn enum_values(&self, schema: Option<&Value>) -> Vec<String> {
        let Some(schema) = schema.and_then(|s| self.spec.deref(s)) else {
            return Vec::new();
        };
        let schema = match schema.get("items") {
            Some(items) => self.spec.deref(items).unwrap_or(items),
            None => schema,
        };
        schema
            .get("enum")
            .and_then(Value::as_array)
            .map(|values| {
                values
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Operation {
    /// The schema of the parameter `name` in `location` (`path`, `query`), if declared.
    pub(crate) fn parameter(&self, location: &str, name: &str) -> Option<&Value> {
        self.parameters
            .get(&(location.to_string(), name.to_string()))
    }

    /// The schema of the JSON request body's property `name`, if declared.
    pub(crate) fn body_property(&self, name: &str) -> Option<&Value> {
        self.body_properties.get(name)
    }
}

/// A path template with its parameter names dropped: `/a/{id}/b` -> `/a/{}/b`.
fn template_shape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push('{');
            }
            '}' => {
                in_param = false;
                out.push('}');
            }
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use blockbind_spec::MismatchKind;

    /// A document shaped like X's: a `/2` path, a `$ref`'d response with a nullable member, a
    /// `default` error response in two media types, array query parameters of enums, bounded
    /// parameters, and a write operation whose body `$ref`s the `UserId` schema.
    const DOCUMENT: &str = r##"{
      "openapi": "3.0.0",
      "info": {"title": "t", "version": "9.9"},
      "paths": {"/2/users/{id}/blocking": {"get": {
        "operationId": "getUsersBlocking",
        "parameters": [
          {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
          {"$ref": "#/components/parameters/Fields"},
          {"name": "max_results", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}
        ],
        "responses": {
          "200": {"description": "ok", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Page"}}}},
          "default": {"description": "error", "content": {
            "application/json": {"schema": {"type": "object", "required": ["code"]}},
            "application/problem+json": {"schema": {"type": "object", "required": ["type"]}}}}
        }},
        "post": {
          "operationId": "usersIdBlock",
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Block"}}}},
          "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}
        }}},
      "components": {
        "parameters": {"Fields": {"name": "user.fields", "in": "query", "schema": {
          "type": "array", "items": {"type": "string", "enum": ["id", "name"]}}}},
        "schemas": {
          "UserId": {"type": "string", "pattern": "^[0-9]{1,19}$"},
          "Block": {"type": "object", "properties": {"target_user_id": {"$ref": "#/components/schemas/UserId"}}},
          "Page": {"type": "object", "properties": {"data": {"type": "array",
          "items": {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string"},
            "like_count": {"type": "integer", "nullable": true}}}}}}}
      }
    }"##;

    /// The list operation of [`DOCUMENT`] (other modules' tests judge exchanges with it).
    pub(crate) fn operation() -> Operation {
        let official = Official::parse("test.json", DOCUMENT.as_bytes().to_vec()).unwrap();
        assert_eq!(official.version(), "9.9");
        official
            .operation("GET", "/2/users/{user_id}/blocking")
            .unwrap()
            .expect("found whatever the parameter is called")
    }

    #[test]
    fn query_parameters_come_with_their_enum_values() {
        let op = operation();
        assert_eq!(op.id, "getUsersBlocking");
        assert_eq!(op.query["user.fields"], ["id", "name"]);
        assert!(op.query["max_results"].is_empty());
        assert!(
            !op.query.contains_key("id"),
            "path parameters are not query parameters"
        );
    }

    #[test]
    fn parameter_and_body_schemas_are_read_through_their_refs() {
        let official = Official::parse("test.json", DOCUMENT.as_bytes().to_vec()).unwrap();
        let list = operation();
        assert_eq!(
            list.parameter("query", "max_results").unwrap()["maximum"],
            1000
        );
        assert_eq!(list.parameter("path", "id").unwrap()["type"], "string");
        assert!(list.parameter("path", "max_results").is_none());
        let block = official
            .operation("POST", "/2/users/{id}/blocking")
            .unwrap()
            .unwrap();
        let pattern = "^[0-9]{1,19}$";
        assert_eq!(
            block.body_property("target_user_id").unwrap()["pattern"],
            pattern
        );
        assert_eq!(official.user_id_schema().unwrap()["pattern"], pattern);
        let ids: Vec<_> = official
            .operations()
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(ids, ["getUsersBlocking", "usersIdBlock"]);
        assert_eq!(official.operations()[1].1, "POST /2/users/{id}/blocking");
    }

    #[test]
    fn responses_are_judged_by_status_media_type_and_nullable_schema() {
        let responses = operation().responses;
        let json = Some("application/json; charset=utf-8");
        let page = br#"{"data": [{"id": "1", "like_count": null}]}"#;
        assert_eq!(responses.check(200, json, page), Ok(()));
        let why = responses
            .check(200, json, br#"{"data": [{"like_count": 1}]}"#)
            .unwrap_err();
        let MismatchKind::Schema(violations) = &why.kind else {
            panic!("{why}");
        };
        assert_eq!(violations[0].instance_path, "/data/0");
        let problem = br#"{"type": "about:blank"}"#;
        assert_eq!(
            responses.check(403, Some("application/problem+json"), problem),
            Ok(()),
            "`default` answers every undeclared status"
        );
        assert!(
            responses.check(403, json, problem).is_err(),
            "JSON errors need `code`"
        );
        assert!(responses.check(200, Some("text/html"), page).is_err());
    }

    #[test]
    fn templates_match_whatever_their_parameter_names() {
        assert_eq!(
            template_shape("/2/users/{source_user_id}/blocking/{target_user_id}"),
            template_shape("/2/users/{id}/blocking/{target}")
        );
        assert_ne!(
            template_shape("/2/users/{id}/blocking"),
            template_shape("/2/users/{id}/blocking/{target}")
        );
    }
}
