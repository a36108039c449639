//! What the oracle says about one recorded request: the violations Prism reported for it, and the
//! query parameters it carried that the official operation does not declare (Prism lets unknown
//! query parameters through silently, so the driver checks those itself).
//!
//! How Prism 5 reports a request violation, found by trying it: without `--errors` every
//! response carries an `sl-violations` header listing what it found, each entry with a
//! `location` whose first element is `request` or `response` (so the same header also carries
//! Prism's findings about its own generated body, which are not request violations). A request
//! Prism cannot route at all gets a problem of type `https://stoplight.io/prism/errors#...` (404
//! no path, 405 no method) and no header. `--errors` is not used: it would turn Prism's findings
//! about its own responses into error responses and hide the bodies under test.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::recorder::Exchange;

/// The header Prism lists its findings in.
const VIOLATIONS_HEADER: &str = "sl-violations";

/// The problem-type prefix of Prism's own errors (no route, no method, ...).
const PRISM_PROBLEM: &str = "https://stoplight.io/prism/errors#";

/// Every reason the request of `exchange` breaks the official operation, empty when it does not.
pub(crate) fn request_violations(
    exchange: &Exchange,
    declared: &BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(header) = exchange.headers.get(VIOLATIONS_HEADER) {
        match serde_json::from_slice::<Vec<Value>>(header.as_bytes()) {
            Ok(findings) => out.extend(
                findings
                    .iter()
                    .filter(|f| f.pointer("/location/0").and_then(Value::as_str) == Some("request"))
                    .map(|f| {
                        f.get("message")
                            .and_then(Value::as_str)
                            .unwrap_or("(no message)")
                            .to_string()
                    }),
            ),
            Err(e) => out.push(format!("unreadable {VIOLATIONS_HEADER} header: {e}")),
        }
    }
    if let Ok(Value::Object(problem)) = serde_json::from_slice::<Value>(&exchange.body)
        && let Some(kind) = problem.get("type").and_then(Value::as_str)
        && kind.starts_with(PRISM_PROBLEM)
    {
        let title = problem.get("title").and_then(Value::as_str).unwrap_or(kind);
        let detail = problem.get("detail").and_then(Value::as_str).unwrap_or("");
        out.push(format!("Prism: {title}: {detail}"));
    }
    for name in query_names(&exchange.path_and_query) {
        if !declared.contains_key(&name) {
            out.push(format!(
                "query parameter `{name}` is not declared by the official operation"
            ));
        }
    }
    out
}

/// The names of the query parameters of a path-and-query, decoded, in order.
fn query_names(path_and_query: &str) -> Vec<String> {
    let Ok(url) = reqwest::Url::parse(&format!("http://127.0.0.1{path_and_query}")) else {
        return Vec::new();
    };
    url.query_pairs()
        .map(|(name, _)| name.into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use axum::body::Bytes;
    use axum::http::{HeaderMap, HeaderValue};

    use super::*;

    fn exchange(path_and_query: &str, violations: Option<&str>, body: &str) -> Exchange {
        let mut headers = HeaderMap::new();
        if let Some(v) = violations {
            headers.insert(VIOLATIONS_HEADER, HeaderValue::from_str(v).unwrap());
        }
        Exchange {
            method: "GET".into(),
            path_and_query: path_and_query.into(),
            request_body: Bytes::new(),
            status: 200,
            headers,
            body: Bytes::from(body.to_string()),
            upstream_error: None,
        }
    }

    fn declared(names: &[&str]) -> BTreeMap<String, Vec<String>> {
        names.iter().map(|n| (n.to_string(), Vec::new())).collect()
    }

    #[test]
    fn only_request_findings_count() {
        let header = r#"[{"location":["response","body","data"],"message":"bad body"},
                         {"location":["request","query","max_results"],"message":"must be <= 1000"}]"#
            .replace('\n', "");
        let got = request_violations(
            &exchange("/2/users/1/blocking?max_results=5000", Some(&header), "{}"),
            &declared(&["max_results"]),
        );
        assert_eq!(got, ["must be <= 1000"]);
    }

    #[test]
    fn an_undeclared_query_parameter_is_a_violation() {
        let got = request_violations(
            &exchange(
                "/2/users/1/blocking?tweet.fields=id&user.fields=id",
                None,
                "{}",
            ),
            &declared(&["user.fields"]),
        );
        assert_eq!(got.len(), 1);
        assert!(got[0].contains("`tweet.fields`"), "{got:?}");
    }

    #[test]
    fn prisms_own_routing_errors_are_violations() {
        let body = r#"{"type":"https://stoplight.io/prism/errors#NO_PATH_MATCHED_ERROR","title":"Route not resolved, no path matched","status":404}"#;
        let got = request_violations(&exchange("/2/nowhere", None, body), &declared(&[]));
        assert_eq!(got.len(), 1);
    }
}
