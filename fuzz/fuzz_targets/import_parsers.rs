//! The import-file parsers: any bytes as a file (lines, CSV, our JSON export, X's `block.js`)
//! and as a target. Every line is a target or a reported bad line; nothing panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = blockbind_cli::input::parse(&text);
    let lines = text.lines().count().max(1);
    for entry in &parsed.entries {
        assert!(entry.line >= 1, "line numbers start at 1");
        assert!(!entry.target.as_str().is_empty());
    }
    for bad in &parsed.bad {
        assert!(bad.line <= lines + 1, "bad line {} of {lines}", bad.line);
    }
    let _ = blockbind::Target::parse(&text);
});
