//! Unit tests of response checking: which declared response a status selects, the no-content
//! rule, media types (declared or not, JSON or not) and the schema violations listed.

use super::*;

/// `getA` declares an exact status through a `$ref`, a no-content status, a `4XX` range and a
/// `default`, a non-JSON media type beside a JSON one, and a nullable member; `getB` declares a
/// single status and nothing else.
const SPEC: &str = r##"
openapi: 3.0.0
info: {title: t, version: "1"}
paths:
  /a:
    get:
      operationId: getA
      responses:
        "200":
          description: ok
          content:
            application/json: {schema: {$ref: '#/components/schemas/Page'}}
            text/csv: {schema: {type: integer}}
        "204": {description: nothing}
        "404": {$ref: '#/components/responses/NotFound'}
        4XX:
          description: client error
          content:
            application/problem+json: {schema: {type: object, required: [type]}}
        default:
          description: error
          content:
            application/json: {schema: {type: object, required: [code]}}
  /b:
    get:
      operationId: getB
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
components:
  responses:
    NotFound:
      description: not found
      content:
        application/json: {schema: {type: object, required: [title]}}
  schemas:
    Page:
      type: object
      required: [data]
      properties:
        data:
          type: array
          items:
            type: object
            required: [id]
            properties:
              id: {type: string}
              count: {type: integer, nullable: true}
"##;

fn rules(id: &str) -> ResponseRules {
    let spec = SpecFile::from_bytes("specs/t.yaml", SPEC.as_bytes().to_vec()).unwrap();
    let op = spec.operation(id).unwrap();
    ResponseRules::compile(&spec, &op).unwrap()
}

const JSON: Option<&str> = Some("application/json; charset=utf-8");

fn kind(result: Result<(), ResponseMismatch>) -> MismatchKind {
    result.unwrap_err().kind
}

#[test]
fn an_exact_status_beats_its_range_and_a_range_beats_default() {
    let a = rules("getA");
    // 404 is declared exactly (through a `$ref`): its schema, not the range's, applies.
    assert_eq!(a.check(404, JSON, br#"{"title": "gone"}"#), Ok(()));
    assert_eq!(
        kind(a.check(404, Some("application/problem+json"), br#"{"type": "x"}"#)),
        MismatchKind::UndeclaredContentType("application/problem+json".into())
    );
    // 418 falls in 4XX, which takes precedence over `default` even where `default` would accept.
    let problem = Some("application/problem+json");
    assert_eq!(a.check(418, problem, br#"{"type": "x"}"#), Ok(()));
    assert_eq!(
        kind(a.check(418, JSON, br#"{"code": 1}"#)),
        MismatchKind::UndeclaredContentType("application/json".into())
    );
    // 503 is neither declared nor in a declared range: `default` applies.
    assert_eq!(a.check(503, JSON, br#"{"code": 1}"#), Ok(()));
    assert!(matches!(
        kind(a.check(503, JSON, br#"{"type": "x"}"#)),
        MismatchKind::Schema(_)
    ));
}

#[test]
fn a_status_nothing_declares_is_a_mismatch() {
    let err = rules("getB").check(500, JSON, b"{}").unwrap_err();
    assert_eq!(err.kind, MismatchKind::UndeclaredStatus);
    assert_eq!(err.status, 500);
    assert_eq!(err.operation, "getB");
    assert_eq!(
        err.to_string(),
        "getB: 500 is not a status the operation declares"
    );
}

#[test]
fn a_response_without_content_must_have_an_empty_body() {
    let a = rules("getA");
    assert_eq!(a.check(204, None, b""), Ok(()));
    assert_eq!(a.check(204, JSON, b""), Ok(()));
    let err = a.check(204, JSON, b"{}").unwrap_err();
    assert_eq!(err.kind, MismatchKind::UnexpectedBody);
    assert_eq!(err.to_string(), "getA: 204 must have no body");
}

#[test]
fn an_undeclared_or_missing_content_type_is_a_mismatch() {
    let a = rules("getA");
    let page = br#"{"data": []}"#;
    let err = a.check(200, Some("text/html"), page).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"getA: 200 content type "text/html" is not declared"#
    );
    assert_eq!(
        kind(a.check(200, None, page)),
        MismatchKind::UndeclaredContentType(String::new())
    );
    // Media types compare without parameters and case.
    assert_eq!(
        a.check(200, Some("Application/JSON;charset=UTF-8"), page),
        Ok(())
    );
}

#[test]
fn a_non_json_media_type_is_accepted_unvalidated() {
    // `text/csv` declares an integer schema; the body is neither JSON nor an integer.
    assert_eq!(
        rules("getA").check(200, Some("text/csv"), b"id\n1\n"),
        Ok(())
    );
}

#[test]
fn a_json_body_that_does_not_parse_is_a_mismatch() {
    let err = rules("getA").check(200, JSON, b"{not json").unwrap_err();
    assert!(matches!(err.kind, MismatchKind::NotJson(_)), "{err:?}");
    assert!(
        err.to_string().starts_with("getA: 200 body is not JSON: "),
        "{err}"
    );
}

#[test]
fn schema_violations_list_the_first_three_with_their_paths() {
    let a = rules("getA");
    assert_eq!(
        a.check(200, JSON, br#"{"data": [{"id": "1", "count": null}]}"#),
        Ok(()),
        "nullable members admit null"
    );
    let five_without_id = br#"{"data": [{}, {}, {}, {}, {}]}"#;
    let err = a.check(200, JSON, five_without_id).unwrap_err();
    let MismatchKind::Schema(violations) = &err.kind else {
        panic!("{err:?}");
    };
    let paths: Vec<&str> = violations
        .iter()
        .map(|v| v.instance_path.as_str())
        .collect();
    assert_eq!(paths, ["/data/0", "/data/1", "/data/2"]);
    assert!(violations[0].message.contains("\"id\""), "{err}");
    let shown = err.to_string();
    assert!(
        shown.starts_with("getA: 200 body does not match the schema: "),
        "{shown}"
    );
    assert!(shown.contains("(at /data/0); "), "{shown}");
    assert!(shown.ends_with("(at /data/2)"), "{shown}");
    let root = a.check(200, JSON, b"[]").unwrap_err();
    assert!(root.to_string().ends_with("(at the root)"), "{root}");
}

#[test]
fn status_keys_are_exact_ranges_or_default() {
    assert_eq!(StatusKey::parse("204"), Some(StatusKey::Exact(204)));
    assert_eq!(StatusKey::parse("4XX"), Some(StatusKey::Range(4)));
    assert_eq!(StatusKey::parse("5xx"), Some(StatusKey::Range(5)));
    assert_eq!(StatusKey::parse("default"), Some(StatusKey::Default));
    for other in ["+20", "2X0", "6XX", "20", "2000", "x-foo"] {
        assert_eq!(StatusKey::parse(other), None, "{other}");
    }
}

#[test]
fn a_schema_that_does_not_compile_names_its_response() {
    let spec = SpecFile::from_bytes(
        "specs/bad.yaml",
        br#"
paths:
  /a:
    get:
      operationId: getA
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: 12}}}}
"#
        .to_vec(),
    )
    .unwrap();
    let op = spec.operation("getA").unwrap();
    let err = ResponseRules::compile(&spec, &op).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "specs/bad.yaml: the schema of getA 200 application/json does not compile"
        ),
        "{err}"
    );
}
