//! Unit tests of the spec reader: JSON Schema conversion, the generated-file header, `$ref`
//! checks and example discovery.

use super::*;
use serde_json::json;

#[test]
fn nullable_type_becomes_a_null_union() {
    let got = to_json_schema(&json!({"type": "string", "nullable": true}));
    assert_eq!(got, json!({"type": ["string", "null"]}));
}

#[test]
fn nullable_ref_becomes_any_of_with_null() {
    let got = to_json_schema(&json!({"$ref": "#/components/schemas/A", "nullable": true}));
    assert_eq!(
        got,
        json!({"anyOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]})
    );
}

#[test]
fn nullable_enum_admits_null() {
    let got = to_json_schema(&json!({"type": "string", "enum": ["a"], "nullable": true}));
    assert_eq!(
        got,
        json!({"type": ["string", "null"], "enum": ["a", null]})
    );
}

#[test]
fn header_round_trips_and_rejects_a_headerless_file() {
    let h = generated_header("specs/x-v2.yaml", "abc123");
    let file = format!("{h}\npub struct Client;\n");
    assert_eq!(
        parse_generated_header(&file),
        Some(("specs/x-v2.yaml".into(), "abc123".into()))
    );
    assert_eq!(parse_generated_header("pub struct Client;"), None);
}

#[test]
fn unresolved_refs_are_listed_with_their_location() {
    let spec = SpecFile::from_bytes(
            "specs/t.yaml",
            b"components:\n  schemas:\n    A: {$ref: '#/components/schemas/Missing'}\n    B: {type: string}\n    C: {$ref: '#/components/schemas/B'}\n".to_vec(),
        )
        .unwrap();
    assert_eq!(
        spec.unresolved_refs(),
        vec![(
            "/components/schemas/A".to_string(),
            "#/components/schemas/Missing".to_string()
        )]
    );
}

#[test]
fn examples_are_found_in_parameters_media_types_and_schemas() {
    let spec = SpecFile::from_bytes(
        "specs/t.yaml",
        br##"
paths:
  /a:
    get:
      parameters:
        - {name: first, in: query, schema: {type: integer}, example: 5}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/A'}
              examples:
                one: {value: {x: 1}}
                two: {$ref: '#/components/examples/Two'}
components:
  examples:
    Two: {value: {x: 2}}
  schemas:
    A: {type: object, properties: {x: {type: integer, example: 3}}}
"##
        .to_vec(),
    )
    .unwrap();
    let mut values: Vec<String> = spec
        .examples()
        .iter()
        .map(|e| e.value.to_string())
        .collect();
    values.sort();
    assert_eq!(values, vec!["3", "5", "{\"x\":1}", "{\"x\":2}"]);
}
