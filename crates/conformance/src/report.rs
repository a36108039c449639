//! The counts of one run against one official version, the faults grouped by where they are (so
//! a thousand responses failing at `data[].verified_type` read as one line), the exchanges worth
//! keeping for a look, and the verdict: which includes whether the run tested anything at all
//! (every expected operation sent `count` times, enough of its answers valid for X to make
//! decoding them a test).
//!
//! What it must not do: decide what is valid. The oracle (`official`, `verdict`) and the client
//! (`drive`) decide; this only counts, keeps and prints.

use std::collections::{BTreeMap, BTreeSet};

use blockbind_spec::{MismatchKind, ResponseMismatch};
use serde::Serialize;
use serde_json::json;

use crate::drive::{Decoded, Sent};
use crate::evidence::{Evidence, Saved};
use crate::official::Operation;
use crate::verdict::request_violations;

/// The share of an operation's `count` requests whose answers must be valid for X, in percent.
/// Only a valid answer tests decoding (an invalid one is Prism's fault, not counted against the
/// client), so an operation below it has barely been tested: with Prism's dynamic bodies the
/// official files give 100%, so half is far from noise and far from nothing.
const VALID_FLOOR_PERCENT: u64 = 50;

/// Faults of one kind, by group: how many, and the first one seen in full.
#[derive(Default)]
struct Groups(BTreeMap<String, (u64, String)>);

impl Groups {
    fn add(&mut self, key: String, example: &str) {
        self.0.entry(key).or_insert((0, example.to_string())).0 += 1;
    }

    /// The `limit` largest groups, one line each.
    fn print(&self, indent: &str, limit: usize) {
        let mut groups: Vec<_> = self.0.iter().collect();
        groups.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
        for (key, (count, example)) in groups.iter().take(limit) {
            println!("{indent}{count:>5} x {key}");
            if example.as_str() != key.as_str() {
                println!("{indent}        e.g. {}", shorten(example, 300));
            }
        }
        if groups.len() > limit {
            println!("{indent}  ... and {} more kinds", groups.len() - limit);
        }
    }
}

/// One operation's share of the run.
#[derive(Default, Serialize)]
struct OperationCount {
    requests: u64,
    schema_valid: u64,
}

/// Everything one run counted.
#[derive(Default)]
pub(crate) struct Tally {
    /// How many requests each expected operation must get.
    count: u64,
    /// The operations the run must send.
    expected: BTreeSet<String>,
    /// Official operations the driver does not send, described.
    undriven: Vec<String>,
    requests: u64,
    by_operation: BTreeMap<String, OperationCount>,
    request_violations: u64,
    schema_valid: u64,
    valid_undecodable: u64,
    schema_invalid: u64,
    invalid_undecodable: u64,
    not_sent: u64,
    transport_errors: u64,
    violations: Groups,
    decode_failures: Groups,
    invalid: Groups,
    other_failures: Groups,
    /// Every exchange that failed the run, and the first of each kind of invalid answer.
    evidence: Vec<Evidence>,
}

impl Tally {
    /// A tally for a run that sends each operation `count` times.
    pub(crate) fn new(count: usize) -> Self {
        Self {
            count: count as u64,
            ..Self::default()
        }
    }

    /// The run must send the generated operation `op` `count` times.
    pub(crate) fn expect(&mut self, op: &str) {
        self.expected.insert(op.to_string());
    }

    /// The official version has an operation the run does not send (`what` says which, and why).
    pub(crate) fn undriven(&mut self, what: String) {
        self.undriven.push(what);
    }

    /// The exchanges worth keeping: every failing one, and the first of each kind of invalid
    /// answer.
    pub(crate) fn evidence(&self) -> &[Evidence] {
        &self.evidence
    }

    /// Counts one call of the generated operation `op` against the official `official`.
    pub(crate) fn record(&mut self, op: &str, official: &Operation, sent: &Sent) {
        self.requests += 1;
        let counted = self.by_operation.entry(op.to_string()).or_default();
        counted.requests += 1;
        if let Decoded::NotSent(why) = &sent.decoded {
            self.not_sent += 1;
            self.other_failures
                .add(format!("{op}: the client refused to send"), why);
            return;
        }
        let Some(exchange) = sent.exchanges.last() else {
            self.transport_errors += 1;
            self.other_failures.add(
                format!("{op}: nothing reached the proxy"),
                &format!("{:?}", sent.decoded),
            );
            return;
        };
        let keep = |evidence: &mut Vec<Evidence>, kind: &str, why: &str| {
            evidence.push(Evidence::new(kind, op, why, exchange));
        };
        if let Some(why) = &exchange.upstream_error {
            self.transport_errors += 1;
            self.other_failures
                .add(format!("{op}: upstream unreachable"), why);
            keep(&mut self.evidence, "transport", why);
            return;
        }
        if let Decoded::Transport(why) = &sent.decoded {
            self.transport_errors += 1;
            self.other_failures
                .add(format!("{op}: transport error"), why);
            keep(&mut self.evidence, "transport", why);
            return;
        }
        let violations = request_violations(exchange, &official.query);
        if !violations.is_empty() {
            self.request_violations += 1;
            for v in &violations {
                self.violations
                    .add(format!("{op}: {v}"), &exchange.path_and_query);
            }
            keep(
                &mut self.evidence,
                "request-violation",
                &violations.join("; "),
            );
            // The answer is Prism's reaction to a bad request, not a sample of the API's
            // responses: it is neither counted valid nor invalid.
            return;
        }
        let content_type = exchange
            .headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let verdict = official
            .responses
            .check(exchange.status, content_type, &exchange.body);
        match (verdict, &sent.decoded) {
            (Ok(()), Decoded::No(why)) => {
                self.schema_valid += 1;
                counted.schema_valid += 1;
                self.valid_undecodable += 1;
                self.decode_failures
                    .add(format!("{op}: {}", fault_kind(why)), why);
                keep(&mut self.evidence, "valid-undecodable", why);
            }
            (Ok(()), _) => {
                self.schema_valid += 1;
                counted.schema_valid += 1;
            }
            (Err(mismatch), decoded) => {
                self.schema_invalid += 1;
                if matches!(decoded, Decoded::No(_)) {
                    self.invalid_undecodable += 1;
                }
                let kind = format!("{op}: {}", mismatch_group(&mismatch));
                let why = mismatch.to_string();
                // One of each kind: enough to see why Prism's answers miss the schema when
                // too few are valid, without a file per answer.
                if !self.invalid.0.contains_key(&kind) {
                    keep(&mut self.evidence, "schema-invalid", &why);
                }
                self.invalid.add(kind, &why);
            }
        }
    }

    /// Why the run fails, empty when it passes. It fails when it tested nothing or too little
    /// (no request at all, an official operation not driven, an expected operation sent fewer
    /// than `count` times, an operation with fewer valid answers than the floor) and when it
    /// found something (a request violation, a valid answer that did not decode, a case not
    /// sent or not answered).
    pub(crate) fn failures(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.requests == 0 {
            out.push("no request was sent".to_string());
        }
        for what in &self.undriven {
            out.push(format!("not driven: {what}"));
        }
        let floor = (self.count * VALID_FLOOR_PERCENT).div_ceil(100).max(1);
        let ops: BTreeSet<&String> = self
            .expected
            .iter()
            .chain(self.by_operation.keys())
            .collect();
        for op in ops {
            let counted = self.by_operation.get(op.as_str());
            let sent = counted.map_or(0, |c| c.requests);
            if self.expected.contains(op.as_str()) && sent < self.count {
                out.push(format!("{op}: sent {sent} of {} requests", self.count));
            }
            let valid = counted.map_or(0, |c| c.schema_valid);
            if sent > 0 && valid < floor {
                out.push(format!(
                    "{op}: {valid} answers valid for X, under the floor of {floor} \
                     ({VALID_FLOOR_PERCENT}% of {}): decoding was barely tested",
                    self.count
                ));
            }
        }
        let found = [
            (
                self.request_violations,
                "requests broke the official definition",
            ),
            (self.valid_undecodable, "answers valid for X did not decode"),
            (self.not_sent, "cases the client refused to send"),
            (self.transport_errors, "cases without an answer"),
        ];
        for (n, what) in found {
            if n > 0 {
                out.push(format!("{n} {what}"));
            }
        }
        out
    }

    /// Whether the run passes (see [`Tally::failures`]).
    pub(crate) fn passed(&self) -> bool {
        self.failures().is_empty()
    }

    /// The human-readable report (at most `kinds` kinds of each fault), then the one-line JSON
    /// summary last.
    pub(crate) fn print(
        &self,
        version: &str,
        spec: &str,
        notes: &[String],
        kinds: usize,
        saved: &Saved,
    ) {
        println!("\n== X API v2 {version} ({spec}) through Prism");
        for note in notes {
            println!("  {note}");
        }
        for (op, n) in &self.by_operation {
            println!(
                "  {op}: {} requests, {} answers valid for X",
                n.requests, n.schema_valid
            );
        }
        println!("  request violations: {}", self.request_violations);
        self.violations.print("    ", kinds);
        println!(
            "  schema-valid responses: {} (undecodable: {})",
            self.schema_valid, self.valid_undecodable
        );
        self.decode_failures.print("    ", kinds);
        println!(
            "  schema-invalid responses Prism produced (not a failure): {} (of which the client could not decode {})",
            self.schema_invalid, self.invalid_undecodable
        );
        self.invalid.print("    ", kinds);
        if self.not_sent + self.transport_errors > 0 {
            println!(
                "  not sent: {}, transport errors: {}",
                self.not_sent, self.transport_errors
            );
            self.other_failures.print("    ", kinds);
        }
        if saved.files > 0 {
            println!(
                "  {} exchanges saved in {} (request line, sl-violations, body)",
                saved.files, saved.dir
            );
        }
        let failures = self.failures();
        for failure in &failures {
            println!("  FAIL: {failure}");
        }
        let summary = json!({
            "document": spec,
            "info_version": version,
            "requests": self.requests,
            "by_operation": self.by_operation,
            "request_violations": self.request_violations,
            "schema_valid": self.schema_valid,
            "schema_valid_undecodable": self.valid_undecodable,
            "schema_invalid": self.schema_invalid,
            "not_sent": self.not_sent,
            "transport_errors": self.transport_errors,
            "saved": saved.files,
            "saved_in": saved.dir,
            "failures": failures,
            "passed": failures.is_empty(),
        });
        println!("{summary}");
    }
}

/// A decode failure without its varying parts: indices dropped from the path, and the value
/// dropped from the message where the message leads with it (`unknown variant `x`, expected
/// ...` -> `unknown variant`), kept where it names the member (`missing field `id``).
fn fault_kind(why: &str) -> String {
    let Some((path, message)) = why.split_once(": ") else {
        return why.to_string();
    };
    let keeps_name = ["missing field", "unknown field", "duplicate field"]
        .iter()
        .any(|p| message.starts_with(p));
    let message = match message.find('`') {
        Some(at) if !keeps_name => message[..at].trim_end(),
        _ => message,
    };
    format!("{}: {message}", without_indices(path))
}

/// The group of an answer that is not valid for X: where its first schema violation is, indices
/// dropped (`/data/*/withheld/scope`), or else what is wrong with it.
fn mismatch_group(mismatch: &ResponseMismatch) -> String {
    match &mismatch.kind {
        MismatchKind::Schema(violations) => violations
            .first()
            .map_or_else(String::new, |v| without_indices(&v.instance_path)),
        MismatchKind::NotJson(_) => "body is not JSON".to_string(),
        other => format!("{} {other}", mismatch.status),
    }
}

/// `data[3].a` -> `data[].a`; `/data/3/a` -> `/data/*/a`.
fn without_indices(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '[' || c == '/' {
            let mut digits = false;
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
                digits = true;
            }
            if digits && c == '/' {
                out.push('*');
            }
        }
    }
    out
}

fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}...", &s[..at]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Bytes;
    use axum::http::{HeaderMap, HeaderValue, header};

    use super::*;
    use crate::official::tests::operation;
    use crate::recorder::Exchange;
    use blockbind_spec::SchemaViolation;

    const LIST: &str = "get_users_blocking";
    /// Valid for the list operation of `official`'s test document.
    const VALID: &str = r#"{"data": [{"id": "1", "like_count": null}]}"#;
    /// Invalid for it: an item without `id`.
    const INVALID: &str = r#"{"data": [{"like_count": 1}]}"#;

    /// A call answered 200 with `body` (and Prism's `sl-violations` header, when given) that the
    /// client judged `decoded`.
    fn sent(body: &str, violations: Option<&str>, decoded: Decoded) -> Sent {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Some(v) = violations {
            headers.insert("sl-violations", HeaderValue::from_str(v).unwrap());
        }
        let exchange = Exchange {
            method: "GET".into(),
            path_and_query: "/2/users/1/blocking?max_results=5".into(),
            request_body: Bytes::new(),
            status: 200,
            headers,
            body: Bytes::from(body.to_string()),
            upstream_error: None,
        };
        Sent {
            decoded,
            exchanges: vec![exchange],
        }
    }

    /// A tally that expects `count` list requests and got `calls`.
    fn tally(count: usize, calls: &[Sent]) -> Tally {
        let official = operation();
        let mut tally = Tally::new(count);
        tally.expect(LIST);
        for call in calls {
            tally.record(LIST, &official, call);
        }
        tally
    }

    fn fails_with(tally: &Tally, words: &str) {
        let failures = tally.failures();
        assert!(!tally.passed());
        assert!(
            failures.iter().any(|f| f.contains(words)),
            "no failure says {words:?}: {failures:?}"
        );
    }

    #[test]
    fn a_clean_tally_passes() {
        let calls: Vec<_> = (0..3)
            .map(|_| sent(VALID, Some("[]"), Decoded::Yes))
            .collect();
        let tally = tally(3, &calls);
        assert_eq!(tally.failures(), Vec::<String>::new());
        assert!(tally.passed() && tally.evidence().is_empty());
    }

    #[test]
    fn a_valid_body_that_does_not_decode_fails_and_is_kept() {
        let mut calls: Vec<_> = (0..2).map(|_| sent(VALID, None, Decoded::Yes)).collect();
        calls.push(sent(
            VALID,
            None,
            Decoded::No("data[0]: missing field `name`".into()),
        ));
        let tally = tally(3, &calls);
        fails_with(&tally, "1 answers valid for X did not decode");
        let kinds: Vec<_> = tally.evidence().iter().map(|e| e.kind()).collect();
        assert_eq!(kinds, ["valid-undecodable"]);
    }

    #[test]
    fn a_request_violation_prism_reports_fails() {
        let header =
            r#"[{"location":["request","query","max_results"],"message":"must be <= 1000"}]"#;
        let mut calls: Vec<_> = (0..2).map(|_| sent(VALID, None, Decoded::Yes)).collect();
        calls.push(sent(VALID, Some(header), Decoded::Yes));
        let tally = tally(3, &calls);
        fails_with(&tally, "1 requests broke the official definition");
        assert_eq!(tally.evidence()[0].kind(), "request-violation");
    }

    #[test]
    fn a_response_located_violation_is_not_a_request_violation() {
        let header = r#"[{"location":["response","body"],"message":"Prism's own body"}]"#;
        let calls: Vec<_> = (0..2)
            .map(|_| sent(VALID, Some(header), Decoded::Yes))
            .collect();
        assert!(tally(2, &calls).passed());
    }

    #[test]
    fn a_run_that_sent_nothing_fails() {
        let mut tally = Tally::new(100);
        fails_with(&tally, "no request was sent");
        tally.expect(LIST);
        fails_with(&tally, "sent 0 of 100 requests");
    }

    #[test]
    fn an_expected_operation_missing_or_short_fails() {
        let calls: Vec<_> = (0..3).map(|_| sent(VALID, None, Decoded::Yes)).collect();
        let mut missing = tally(3, &calls);
        missing.expect("block_user");
        fails_with(&missing, "block_user: sent 0 of 3 requests");
        fails_with(
            &tally(4, &calls),
            "get_users_blocking: sent 3 of 4 requests",
        );
    }

    #[test]
    fn an_official_operation_not_driven_fails() {
        let calls: Vec<_> = (0..3).map(|_| sent(VALID, None, Decoded::Yes)).collect();
        let mut tally = tally(3, &calls);
        tally.undriven("POST /2/users/{id}/muting (usersIdMute): no generated operation".into());
        fails_with(&tally, "not driven: POST /2/users/{id}/muting");
    }

    #[test]
    fn an_operation_whose_answers_are_all_invalid_fails_as_untested() {
        let calls: Vec<_> = (0..4).map(|_| sent(INVALID, None, Decoded::Yes)).collect();
        let tally = tally(4, &calls);
        fails_with(&tally, "0 answers valid for X, under the floor of 2");
        let kinds: Vec<_> = tally.evidence().iter().map(|e| e.kind()).collect();
        assert_eq!(
            kinds,
            ["schema-invalid"],
            "one file per kind of invalid answer"
        );
    }

    #[test]
    fn half_the_answers_valid_is_enough() {
        let calls: Vec<_> = [VALID, INVALID, VALID, INVALID]
            .iter()
            .map(|body| sent(body, None, Decoded::Yes))
            .collect();
        assert!(tally(4, &calls).passed());
        let short = [VALID, INVALID, INVALID, INVALID].map(|b| sent(b, None, Decoded::Yes));
        fails_with(
            &tally(4, &short),
            "1 answers valid for X, under the floor of 2",
        );
    }

    #[test]
    fn decode_faults_group_by_member_not_by_value() {
        assert_eq!(
            fault_kind("data[3].verified_type: unknown variant `x`, expected one of `a`"),
            "data[].verified_type: unknown variant"
        );
        assert_eq!(
            fault_kind("data[0]: missing field `id`"),
            "data[]: missing field `id`"
        );
        assert_eq!(
            fault_kind("status 405 Method Not Allowed is not a response the client knows"),
            "status 405 Method Not Allowed is not a response the client knows"
        );
    }

    #[test]
    fn invalid_answers_group_by_schema_path_without_indices() {
        let mismatch = |kind| ResponseMismatch {
            operation: "getUsersBlocking".into(),
            status: 200,
            kind,
        };
        let at = |path: &str| SchemaViolation {
            instance_path: path.into(),
            message: "\"x\" is not one of".into(),
        };
        assert_eq!(
            mismatch_group(&mismatch(MismatchKind::Schema(vec![
                at("/data/12/withheld/scope"),
                at("/meta"),
            ]))),
            "/data/*/withheld/scope"
        );
        assert_eq!(
            mismatch_group(&mismatch(MismatchKind::NotJson("EOF at 1:3".into()))),
            "body is not JSON"
        );
        assert_eq!(
            mismatch_group(&mismatch(MismatchKind::UndeclaredContentType(
                "text/html".into()
            ))),
            "200 content type \"text/html\" is not declared"
        );
    }
}
