//! Fails the build when a spec in `specs/` no longer matches the code generated from it.
//!
//! Every `crates/<api>/src/generated.rs` records the spec it came from and that spec's SHA-256 in
//! its header. Comparing them needs no network and no progenitor, so it runs on every build of
//! the facade; regenerating is `cargo xtask generate`'s job, not this script's.

use std::path::Path;

use sha2::{Digest, Sha256};

#[allow(dead_code)] // the xtask writes headers; this script only reads them
#[path = "crates/spec/src/header.rs"]
mod header;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let specs = root.join("specs");
    let crates = root.join("crates");
    // A packaged crate has neither directory: nothing to compare.
    if !specs.is_dir() || !crates.is_dir() {
        return;
    }
    println!("cargo::rerun-if-changed=specs");

    let mut recorded = Vec::new(); // (spec path, sha256, generated file)
    let mut dirs: Vec<_> = std::fs::read_dir(&crates)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    dirs.sort();
    for dir in dirs {
        let generated = dir.join("src/generated.rs");
        println!("cargo::rerun-if-changed={}", generated.display());
        let Ok(text) = std::fs::read_to_string(&generated) else {
            continue;
        };
        match header::parse_generated_header(&text) {
            Some((spec, sha)) => recorded.push((spec, sha, generated)),
            None => fail(&format!(
                "{} has no spec header; run `cargo xtask generate`",
                generated.display()
            )),
        }
    }

    let mut problems = Vec::new();
    let mut spec_files: Vec<_> = std::fs::read_dir(&specs)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    spec_files.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    spec_files.sort();
    for spec in &spec_files {
        let rel = format!("specs/{}", spec.file_name().unwrap().to_string_lossy());
        let Some((_, sha, generated)) = recorded.iter().find(|(s, _, _)| *s == rel) else {
            problems.push(format!("{rel} has no generated crate"));
            continue;
        };
        let bytes = std::fs::read(spec).unwrap_or_default();
        let actual: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if actual != *sha {
            problems.push(format!(
                "{rel} changed since {} was generated from it (sha256 {actual}, recorded {sha})",
                generated.strip_prefix(root).unwrap_or(generated).display()
            ));
        }
    }
    for (spec, _, generated) in &recorded {
        if !root.join(spec).is_file() {
            problems.push(format!(
                "{} was generated from {spec}, which no longer exists",
                generated.strip_prefix(root).unwrap_or(generated).display()
            ));
        }
    }
    if !problems.is_empty() {
        fail(&format!(
            "{}\nrun `cargo xtask generate` to regenerate the client crates from specs/",
            problems.join("\n")
        ));
    }
}

/// Reports the problem through `cargo::error` (cargo then fails the build and prints just these
/// lines, not the whole script output).
fn fail(message: &str) -> ! {
    for line in message.lines() {
        println!("cargo::error={line}");
    }
    std::process::exit(0);
}
