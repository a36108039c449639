//! Contract checks every spec in `specs/` must pass: it parses with `openapiv3` (the parser
//! progenitor uses), every `$ref` resolves, every embedded example validates against its schema,
//! and it keeps the layout and shaping rules of `specs/README.md`.

use std::path::Path;

use blockbind_spec::{SpecFile, workspace_specs};
use serde_json::Value;

fn specs() -> Vec<SpecFile> {
    let specs = workspace_specs(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("specs load");
    assert_eq!(
        specs.iter().map(|s| s.stem.as_str()).collect::<Vec<_>>(),
        [
            "twitch-helix",
            "twitch-kraken-v2",
            "twitch-kraken-v5",
            "x-v1.1",
            "x-v2"
        ],
        "the five specs"
    );
    specs
}

#[test]
fn every_spec_parses_with_openapiv3_as_openapi_3_0() {
    for spec in specs() {
        let api = spec.openapi().unwrap_or_else(|e| panic!("{e}"));
        assert!(
            api.openapi.starts_with("3.0."),
            "{}: {}",
            spec.rel_path,
            api.openapi
        );
        assert!(
            !api.paths.paths.is_empty(),
            "{} has no paths",
            spec.rel_path
        );
    }
}

#[test]
fn every_ref_resolves() {
    for spec in specs() {
        let unresolved = spec.unresolved_refs();
        assert!(unresolved.is_empty(), "{}: {unresolved:?}", spec.rel_path);
    }
}

#[test]
fn every_example_validates_against_its_schema() {
    let mut checked = 0;
    for spec in specs() {
        let examples = spec.examples();
        assert!(!examples.is_empty(), "{} embeds no examples", spec.rel_path);
        for example in examples {
            let schema = spec.json_schema(&example.schema);
            let validator = jsonschema::draft7::options()
                .should_validate_formats(true)
                .build(&schema)
                .unwrap_or_else(|e| {
                    panic!("{} {}: bad schema: {e}", spec.rel_path, example.location)
                });
            let errors: Vec<String> = validator
                .iter_errors(&example.value)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "{} {}: example does not match its schema:\n{}",
                spec.rel_path,
                example.location,
                errors.join("\n")
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} examples found");
}

/// The validation itself can fail: an example that breaks its schema is reported.
#[test]
fn a_wrong_example_is_caught() {
    let spec = SpecFile::from_bytes(
        "specs/t.yaml",
        br##"
components:
  schemas:
    User:
      type: object
      required: [id]
      properties:
        id: {type: string, pattern: '^[0-9]{1,19}$'}
        bio: {type: string, nullable: true}
"##
        .to_vec(),
    )
    .unwrap();
    let schema = spec.json_schema(&serde_json::json!({"$ref": "#/components/schemas/User"}));
    let v = jsonschema::draft7::new(&schema).unwrap();
    assert!(v.is_valid(&serde_json::json!({"id": "12", "bio": null})));
    assert!(!v.is_valid(&serde_json::json!({"id": "abc"})));
    assert!(!v.is_valid(&serde_json::json!({"bio": "x"})));
}

#[test]
fn operation_ids_are_unique_snake_case_method_names() {
    for spec in specs() {
        let mut seen = std::collections::BTreeSet::new();
        for op in spec.operations() {
            assert!(
                !op.id.is_empty()
                    && op
                        .id
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                    && op.id.starts_with(|c: char| c.is_ascii_lowercase()),
                "{} {} {}: operationId `{}` is not snake_case",
                spec.rel_path,
                op.method,
                op.path,
                op.id
            );
            assert!(
                seen.insert(op.id),
                "{}: duplicate operationId {}",
                spec.rel_path,
                op.id
            );
        }
    }
}

/// progenitor needs one success type and one error type per operation, and no `default`.
#[test]
fn every_operation_has_one_success_and_one_error_shape() {
    for spec in specs() {
        for op in spec.operations() {
            let responses = op.node["responses"].as_object().expect("responses");
            assert!(
                !responses.contains_key("default"),
                "{} {}: `default` response",
                spec.rel_path,
                op.id
            );
            let mut success = Vec::new();
            let mut errors = std::collections::BTreeSet::new();
            for (code, response) in responses {
                let response = spec.deref(response).expect("response resolves");
                let json = response
                    .pointer("/content/application~1json/schema")
                    .map(|s| s.to_string());
                if code.starts_with('2') {
                    success.push(code.clone());
                } else {
                    assert!(
                        code.starts_with('4') || code.starts_with('5'),
                        "{}: status {code}",
                        op.id
                    );
                    errors.insert(json.unwrap_or_else(|| {
                        panic!(
                            "{} {} {code}: error without a JSON schema",
                            spec.rel_path, op.id
                        )
                    }));
                }
            }
            assert_eq!(
                success.len(),
                1,
                "{} {}: success responses {success:?}",
                spec.rel_path,
                op.id
            );
            assert!(
                !errors.is_empty(),
                "{} {}: no error responses documented",
                spec.rel_path,
                op.id
            );
            assert_eq!(
                errors.len(),
                1,
                "{} {}: several error schemas {errors:?}",
                spec.rel_path,
                op.id
            );
        }
    }
}

#[test]
fn every_operation_declares_security_with_known_schemes() {
    for spec in specs() {
        let schemes = spec.document["components"]["securitySchemes"]
            .as_object()
            .unwrap_or_else(|| panic!("{}: no securitySchemes", spec.rel_path));
        for op in spec.operations() {
            let security = op
                .node
                .get("security")
                .or_else(|| spec.document.get("security"))
                .and_then(Value::as_array)
                .unwrap_or_else(|| panic!("{} {}: no security requirement", spec.rel_path, op.id));
            assert!(!security.is_empty(), "{} {}", spec.rel_path, op.id);
            for requirement in security {
                for (name, scopes) in requirement.as_object().unwrap() {
                    let scheme = schemes.get(name).unwrap_or_else(|| {
                        panic!("{} {}: unknown scheme {name}", spec.rel_path, op.id)
                    });
                    if scheme["type"] == "oauth2" {
                        let declared: Vec<&str> = scheme["flows"]
                            .as_object()
                            .unwrap()
                            .values()
                            .flat_map(|f| {
                                f["scopes"].as_object().unwrap().keys().map(String::as_str)
                            })
                            .collect();
                        for scope in scopes.as_array().unwrap() {
                            assert!(
                                declared.contains(&scope.as_str().unwrap()),
                                "{} {}: scope {scope} not declared by {name}",
                                spec.rel_path,
                                op.id
                            );
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn every_spec_names_its_crate_and_a_real_server() {
    for spec in specs() {
        let dir = spec.crate_dir().unwrap();
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("crates")
                .join(&dir)
                .join("src/generated.rs")
                .is_file(),
            "{}: crates/{dir}/src/generated.rs missing",
            spec.rel_path
        );
        let url = spec
            .document
            .pointer("/servers/0/url")
            .and_then(Value::as_str)
            .unwrap();
        assert!(
            url.starts_with("https://api.twitch.tv/") || url.starts_with("https://api.x.com/"),
            "{}: server {url}",
            spec.rel_path
        );
    }
}
