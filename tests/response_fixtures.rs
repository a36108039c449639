//! The response corpus: bodies the platforms send, decoded by the generated types.
//!
//! `tests/fixtures/responses/<crate>/<Type>/<case>.json` holds, per API and per generated type,
//! bodies from the documents and from X's official definitions (corrected where X's own example
//! breaks X's own schema, as its Tweet example's v1.1-style `created_at` does), and hand-made ones
//! with values added after the specs were written, members no version documents, and nulls where
//! the definitions allow them. Every spec's own examples are decoded too. Each body must decode,
//! and what the type serialises back must be what was sent (an unknown enum value is kept as is).
//! The fuzz target `decode_responses` starts from the same corpus (`tools/fuzz/run`).

use std::path::{Path, PathBuf};

use blockbind_spec::workspace_specs;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

type Decode = fn(&[u8]) -> Result<Value, String>;

fn decode<T: DeserializeOwned + Serialize>(body: &[u8]) -> Result<Value, String> {
    let value: T = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    serde_json::to_value(value).map_err(|e| e.to_string())
}

/// Every response type the corpus covers, by `<crate>/<Type>`; the fuzz target includes the same
/// list.
const DECODERS: &[(&str, Decode)] = &include!("common/response_decoders.rs");

fn decoder(key: &str) -> Option<Decode> {
    DECODERS.iter().find(|(k, _)| *k == key).map(|(_, d)| *d)
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `(key, file)` of the corpus.
fn corpus() -> Vec<(String, PathBuf)> {
    let dir = root().join("tests/fixtures/responses");
    let mut out = Vec::new();
    for api in std::fs::read_dir(&dir).unwrap() {
        let api = api.unwrap().path();
        for ty in std::fs::read_dir(&api).unwrap() {
            let ty = ty.unwrap().path();
            for file in std::fs::read_dir(&ty).unwrap() {
                let file = file.unwrap().path();
                let key = format!(
                    "{}/{}",
                    api.file_name().unwrap().to_string_lossy(),
                    ty.file_name().unwrap().to_string_lossy()
                );
                out.push((key, file));
            }
        }
    }
    out.sort();
    out
}

/// Whether `back` (what a type serialised) says what `sent` said: every member it kept has the
/// value that was sent (members the type does not know may be dropped; a timestamp may be
/// written in another RFC 3339 form of the same instant).
fn kept(back: &Value, sent: &Value, at: &str) -> Result<(), String> {
    match (back, sent) {
        (Value::Object(b), Value::Object(s)) => {
            for (k, v) in b {
                let Some(sv) = s.get(k) else {
                    if v.is_null() {
                        continue;
                    }
                    return Err(format!("{at}/{k}: {v} was not sent"));
                };
                kept(v, sv, &format!("{at}/{k}"))?;
            }
            Ok(())
        }
        (Value::Array(b), Value::Array(s)) if b.len() == s.len() => b
            .iter()
            .zip(s)
            .enumerate()
            .try_for_each(|(i, (b, s))| kept(b, s, &format!("{at}/{i}"))),
        (Value::String(b), Value::String(s)) if b != s => {
            let instant = |t: &str| chrono::DateTime::parse_from_rfc3339(t).ok();
            match (instant(b), instant(s)) {
                (Some(b), Some(s)) if b == s => Ok(()),
                _ => Err(format!("{at}: sent {s:?}, kept {b:?}")),
            }
        }
        // A string ID sent as a number (Kraken's `_id`) may come back as either.
        (Value::String(b), Value::Number(s)) | (Value::Number(s), Value::String(b))
            if *b == s.to_string() =>
        {
            Ok(())
        }
        (b, s) if b == s => Ok(()),
        (b, s) => Err(format!("{at}: sent {s}, kept {b}")),
    }
}

#[test]
fn every_body_of_the_corpus_decodes_and_keeps_what_was_sent() {
    let corpus = corpus();
    assert!(corpus.len() >= 25, "the corpus shrank: {}", corpus.len());
    let mut failures = Vec::new();
    for (key, file) in &corpus {
        let Some(decode) = decoder(key) else {
            failures.push(format!("{}: no decoder for {key}", file.display()));
            continue;
        };
        let bytes = std::fs::read(file).unwrap();
        let sent: Value = serde_json::from_slice(&bytes).unwrap();
        match decode(&bytes) {
            Ok(back) => {
                if let Err(e) = kept(&back, &sent, "") {
                    failures.push(format!("{}: {e}", file.display()));
                }
            }
            Err(e) => failures.push(format!("{}: {e}", file.display())),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn every_spec_example_of_a_covered_type_decodes() {
    let mut decoded = 0;
    let mut failures = Vec::new();
    for spec in workspace_specs(root()).unwrap() {
        let dir = spec.crate_dir().unwrap();
        for example in spec.examples() {
            let name = match example.schema.get("$ref").and_then(Value::as_str) {
                Some(r) => r.rsplit('/').next().unwrap().to_string(),
                None => match example.location.strip_prefix("/components/schemas/") {
                    Some(rest)
                        if rest.ends_with("/example") && !rest[..rest.len() - 8].contains('/') =>
                    {
                        rest[..rest.len() - 8].to_string()
                    }
                    _ => continue,
                },
            };
            let Some(decode) = decoder(&format!("{dir}/{name}")) else {
                continue;
            };
            let bytes = serde_json::to_vec(&example.value).unwrap();
            match decode(&bytes).and_then(|back| kept(&back, &example.value, "")) {
                Ok(()) => decoded += 1,
                Err(e) => failures.push(format!("{} {}: {e}", spec.rel_path, example.location)),
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(decoded >= 20, "only {decoded} spec examples were decoded");
}

#[test]
fn every_type_of_the_list_has_bodies_in_the_corpus() {
    let corpus = corpus();
    let bare: Vec<&str> = DECODERS
        .iter()
        .map(|(key, _)| *key)
        .filter(|key| !corpus.iter().any(|(k, _)| k == key))
        .collect();
    // Covered by the spec examples alone (each decoded by the test above).
    let by_spec_examples = [
        "twitch-kraken-v5/Block",
        "twitch-kraken-v5/UserList",
        "twitch-kraken-v5/FollowList",
        "twitch-kraken-v5/AuthenticatedUser",
        "twitch-kraken-v2/Block",
        "x-v2/Problem",
        "x-v1/User",
    ];
    assert_eq!(bare, by_spec_examples);
}
