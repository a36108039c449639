//! The import-file parsers: any bytes as a file (lines, CSV, our JSON export, X's `block.js`)
//! and as a target. Nothing panics, and no line is gained or lost: every line that names a user
//! (every entry of a JSON list) is exactly one entry, one dropped duplicate or one bad line, on
//! its own line number; a plain-text line is the target `Target::parse` reads from it.
#![no_main]

use std::collections::BTreeSet;

use blockbind::Target;
use blockbind_cli::input::{Parsed, parse};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = parse(&text);
    let file = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let lines = file.lines().count().max(1);
    for entry in parsed.entries.iter() {
        assert!(entry.line >= 1, "line numbers start at 1");
        assert!(!entry.target.as_str().is_empty());
    }
    for bad in &parsed.bad {
        assert!(bad.line <= lines + 1, "bad line {} of {lines}", bad.line);
    }
    if let Some(unknown) = &parsed.unknown_format {
        // A file whose first line with content is not a target is in no known format: it is
        // refused whole, at that line, and nothing after it is read.
        assert!(parsed.entries.is_empty(), "a refused file has no entries");
        assert_eq!(parsed.bad.len(), 1, "a refused file stops at its first line");
        assert_eq!(unknown.line, parsed.bad[0].line);
        return;
    }
    let accounted = parsed.entries.len() + parsed.duplicates + parsed.bad.len();
    match parsed.format {
        "lines" => {
            let named = content_lines(file, 0, true);
            assert_eq!(accounted, named.len(), "lines named {named:?}");
            one_per_line(&parsed, &named);
            let mut seen = BTreeSet::new();
            let mut entries = parsed.entries.iter();
            for &line in &named {
                let raw = file.lines().nth(line - 1).unwrap_or_default().trim();
                // One user per ID, and per login in any case.
                let key = |t: &Target| match t {
                    Target::Login(l) => Target::Login(l.to_ascii_lowercase()),
                    t => t.clone(),
                };
                match Target::parse(raw) {
                    Ok(target) if seen.insert(key(&target)) => {
                        let entry = entries.next().expect("an entry for each new target");
                        assert_eq!((entry.line, &entry.target), (line, &target));
                    }
                    Ok(_) => {} // a duplicate
                    Err(_) => assert!(parsed.bad.iter().any(|b| b.line == line), "line {line}"),
                }
            }
        }
        "csv" => {
            // The header is the first non-blank line; every later non-blank line starts a row,
            // unless a quoted field carries it into the row above (RFC 4180, the `csv` crate):
            // never more rows than lines, each on a line of its own.
            let header = content_lines(file, 0, false)[0];
            let named = content_lines(file, header, false);
            assert!(accounted <= named.len(), "{accounted} rows on lines {named:?}");
            if !file.contains('"') {
                assert_eq!(accounted, named.len(), "rows on lines {named:?}");
            }
            one_per_line(&parsed, &named);
        }
        "jsonl" => {
            let named = content_lines(file, 0, false);
            assert_eq!(accounted, named.len(), "objects on lines {named:?}");
            one_per_line(&parsed, &named);
        }
        "json" => match json_items(serde_json::from_str(file).ok()) {
            Some(n) => assert_eq!(accounted, n, "a list of {n}"),
            None => assert_eq!((parsed.entries.len(), parsed.bad.len()), (0, 1), "a refused document"),
        },
        "x-archive" => {
            let list = file.find('[').and_then(|start| {
                serde_json::from_str::<Vec<Value>>(file[start..].trim_end().trim_end_matches(';')).ok()
            });
            match list {
                Some(items) => assert_eq!(accounted, items.len(), "a list of {}", items.len()),
                None => assert_eq!((parsed.entries.len(), parsed.bad.len()), (0, 1), "a refused archive"),
            }
        }
        other => panic!("unknown format {other}"),
    }
    let _ = Target::parse(&text);
});

/// The numbers of the non-blank lines after line `after` (and, with `comments`, not `#` ones).
fn content_lines(file: &str, after: usize, comments: bool) -> Vec<usize> {
    file.lines()
        .enumerate()
        .skip(after)
        .filter(|(_, l)| {
            let l = l.trim();
            !l.is_empty() && !(comments && l.starts_with('#'))
        })
        .map(|(i, _)| i + 1)
        .collect()
}

/// Each entry and bad line sits on its own line among `named` (duplicates leave no trace).
fn one_per_line(parsed: &Parsed, named: &[usize]) {
    let mut used = BTreeSet::new();
    for line in parsed.entries.iter().map(|e| e.line).chain(parsed.bad.iter().map(|b| b.line)) {
        assert!(named.contains(&line), "line {line} names no user");
        assert!(used.insert(line), "line {line} counted twice");
    }
}

/// How many users a JSON document lists: a top-level array, or one under `blocked` (else
/// `data`); `None` when the parser must refuse the document.
fn json_items(document: Option<Value>) -> Option<usize> {
    match document? {
        Value::Array(items) => Some(items.len()),
        Value::Object(mut o) => match o.remove("blocked").or_else(|| o.remove("data")) {
            Some(Value::Array(items)) => Some(items.len()),
            _ => None,
        },
        _ => None,
    }
}
