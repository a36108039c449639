//! The exchanges a red run is investigated with: each one written to a text file (the request
//! line and body, the answer's status, `Content-Type` and `sl-violations` header, and its body)
//! under the directory the driver was given (`target/conformance/<version>/` in CI).
//!
//! What it must not do: delete anything it did not write. Before writing, it removes only the
//! files a previous run left in that directory under its own naming scheme, so a stale failure
//! never sits beside a green run.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};

use crate::recorder::Exchange;

/// The extension of the files this module writes (with its `NNNN-` prefix, its naming scheme).
const EXTENSION: &str = "exchange.txt";

/// One exchange kept for a look, and why.
pub(crate) struct Evidence {
    /// `request-violation`, `valid-undecodable`, `schema-invalid`, `transport`.
    kind: String,
    /// The generated operation.
    op: String,
    /// What was wrong with it.
    why: String,
    exchange: Exchange,
}

/// Where a run's evidence went.
pub(crate) struct Saved {
    /// The directory, as given.
    pub(crate) dir: String,
    /// How many files were written.
    pub(crate) files: usize,
}

impl Evidence {
    /// Keeps a copy of `exchange`, of `kind`, for operation `op`.
    pub(crate) fn new(kind: &str, op: &str, why: &str, exchange: &Exchange) -> Self {
        Self {
            kind: kind.to_string(),
            op: op.to_string(),
            why: why.to_string(),
            exchange: exchange.clone(),
        }
    }

    /// The kind of fault (`request-violation`, ...).
    #[cfg(test)]
    pub(crate) fn kind(&self) -> &str {
        &self.kind
    }

    /// The file's text: what was wrong, then the exchange as HTTP would show it.
    fn render(&self) -> String {
        let e = &self.exchange;
        let mut out = format!("# {} {}: {}\n\n", self.op, self.kind, self.why);
        let _ = writeln!(out, "{} {}", e.method, e.path_and_query);
        if !e.request_body.is_empty() {
            let _ = writeln!(out, "\n{}", String::from_utf8_lossy(&e.request_body));
        }
        let _ = writeln!(out, "\n=> {}", e.status);
        for name in ["content-type", "sl-violations"] {
            if let Some(value) = e.headers.get(name) {
                let _ = writeln!(out, "{name}: {}", String::from_utf8_lossy(value.as_bytes()));
            }
        }
        let _ = writeln!(out, "\n{}", String::from_utf8_lossy(&e.body));
        out
    }
}

/// Writes each of `evidence` to `dir` (created if need be) as `NNNN-<kind>-<op>.exchange.txt`,
/// after removing the files of that scheme a previous run left there.
pub(crate) fn save(dir: &Path, evidence: &[Evidence]) -> Result<Saved> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let ours = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
            let b = n.as_bytes();
            n.ends_with(EXTENSION)
                && b.len() > 5
                && b[..4].iter().all(u8::is_ascii_digit)
                && b[4] == b'-'
        });
        if ours {
            std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        }
    }
    for (i, e) in evidence.iter().enumerate() {
        let path = dir.join(format!("{i:04}-{}-{}.{EXTENSION}", e.kind, e.op));
        std::fs::write(&path, e.render()).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(Saved {
        dir: dir.display().to_string(),
        files: evidence.len(),
    })
}

#[cfg(test)]
mod tests {
    use axum::body::Bytes;
    use axum::http::{HeaderMap, HeaderValue};

    use super::*;

    fn exchange() -> Exchange {
        let mut headers = HeaderMap::new();
        headers.insert(
            "sl-violations",
            HeaderValue::from_static(r#"[{"location":["request"],"message":"bad"}]"#),
        );
        Exchange {
            method: "POST".into(),
            path_and_query: "/2/users/1/blocking".into(),
            request_body: Bytes::from_static(br#"{"target_user_id":"2"}"#),
            status: 400,
            headers,
            body: Bytes::from_static(br#"{"title":"x"}"#),
            upstream_error: None,
        }
    }

    #[test]
    fn a_saved_exchange_shows_request_line_violations_and_body() {
        let text = Evidence::new("request-violation", "block_user", "bad", &exchange()).render();
        for part in [
            "POST /2/users/1/blocking\n",
            r#"{"target_user_id":"2"}"#,
            "=> 400",
            r#"sl-violations: [{"location":["request"],"message":"bad"}]"#,
            r#"{"title":"x"}"#,
        ] {
            assert!(text.contains(part), "{part} missing from:\n{text}");
        }
    }

    #[test]
    fn saving_replaces_a_previous_runs_files_and_nothing_else() {
        let dir = std::env::temp_dir().join(format!("conformance-evidence-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("0007-transport-x.exchange.txt"), "stale").unwrap();
        std::fs::write(dir.join("notes.txt"), "someone else's").unwrap();
        let kept = [Evidence::new(
            "valid-undecodable",
            "get_users_blocking",
            "why",
            &exchange(),
        )];
        let saved = save(&dir, &kept).unwrap();
        assert_eq!(saved.files, 1);
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "0000-valid-undecodable-get_users_blocking.exchange.txt",
                "notes.txt"
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
