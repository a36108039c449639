//! The counts of one run against one official version, the faults grouped by where they are (so
//! a thousand responses failing at `data[].verified_type` read as one line), and the verdict.
//!
//! What it must not do: decide what is valid. The oracle (`official`, `verdict`) and the client
//! (`drive`) decide; this only counts and prints.

use std::collections::BTreeMap;

use serde_json::json;

use crate::drive::{Decoded, Sent};
use crate::official::Operation;
use crate::verdict::request_violations;

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

/// Everything one run counted.
#[derive(Default)]
pub(crate) struct Tally {
    requests: u64,
    by_operation: BTreeMap<String, u64>,
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
}

impl Tally {
    /// Counts one call of the generated operation `op` against the official `official`.
    pub(crate) fn record(&mut self, op: &str, official: &Operation, sent: &Sent) {
        self.requests += 1;
        *self.by_operation.entry(op.to_string()).or_default() += 1;
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
        if let Some(why) = &exchange.upstream_error {
            self.transport_errors += 1;
            self.other_failures
                .add(format!("{op}: upstream unreachable"), why);
            return;
        }
        if let Decoded::Transport(why) = &sent.decoded {
            self.transport_errors += 1;
            self.other_failures
                .add(format!("{op}: transport error"), why);
            return;
        }
        let violations = request_violations(exchange, &official.query);
        if !violations.is_empty() {
            self.request_violations += 1;
            for v in &violations {
                self.violations
                    .add(format!("{op}: {v}"), &exchange.path_and_query);
            }
            // The answer is Prism's reaction to a bad request, not a sample of the API's
            // responses: it is neither counted valid nor invalid.
            return;
        }
        let content_type = exchange
            .headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let verdict = official.check_response(exchange.status, content_type, &exchange.body);
        match (verdict, &sent.decoded) {
            (Ok(()), Decoded::No(why)) => {
                self.schema_valid += 1;
                self.valid_undecodable += 1;
                self.decode_failures
                    .add(format!("{op}: {}", fault_kind(why)), why);
            }
            (Ok(()), _) => self.schema_valid += 1,
            (Err(why), decoded) => {
                self.schema_invalid += 1;
                if matches!(decoded, Decoded::No(_)) {
                    self.invalid_undecodable += 1;
                }
                self.invalid
                    .add(format!("{op}: {}", instance_path(&why)), &why);
            }
        }
    }

    /// Whether the run passes: no request violation, every valid response decoded, every case
    /// sent and answered.
    pub(crate) fn passed(&self) -> bool {
        self.request_violations == 0
            && self.valid_undecodable == 0
            && self.not_sent == 0
            && self.transport_errors == 0
    }

    /// The human-readable report (at most `kinds` kinds of each fault), then the one-line JSON
    /// summary last.
    pub(crate) fn print(&self, version: &str, spec: &str, notes: &[String], kinds: usize) {
        println!("\n== X API v2 {version} ({spec}) through Prism");
        for note in notes {
            println!("  {note}");
        }
        for (op, n) in &self.by_operation {
            println!("  {op}: {n} requests");
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
            "passed": self.passed(),
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

/// The instance path a schema violation starts with (`/data/3/verified_type: ...`), indices
/// dropped.
fn instance_path(why: &str) -> String {
    let path = why.split_once(": ").map_or(why, |(p, _)| p);
    without_indices(path)
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
    use super::*;

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
    fn schema_paths_lose_their_indices() {
        assert_eq!(
            instance_path("/data/12/withheld/scope: \"x\" is not one of"),
            "/data/*/withheld/scope"
        );
    }
}
