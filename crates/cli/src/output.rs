//! How block lists are written: a table for people, JSON, JSON Lines and CSV for tools. Every
//! format is written entry by entry; a caller that must not show half a JSON array (`list` on
//! stdout) writes into a buffer and prints it once the list is read ([`ListFormat::is_whole`]).

use std::borrow::Cow;
use std::io::Write;

use blockbind::BlockedUser;
use clap::ValueEnum;

// The variants' doc comments are for rustdoc only: `help = None` keeps them out of `--help` and
// the shell completions, which list the bare names.

/// How `list` prints a block list (its `--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Aligned columns for people, one user a line.
    #[value(help = None::<&str>)]
    Table,
    /// One JSON array of users, valid only whole.
    #[value(help = None::<&str>)]
    Json,
    /// JSON Lines: one user a line, each line a complete JSON object.
    #[value(help = None::<&str>)]
    Jsonl,
    /// CSV with a header line ([`CSV_HEADER`]).
    #[value(help = None::<&str>)]
    Csv,
}

impl ListFormat {
    /// Whether output in this format means something only whole: a JSON array cut off by a
    /// failed page does not parse, so it must be printed complete or not at all. The other
    /// formats are line by line, and every line printed stands on its own.
    pub fn is_whole(self) -> bool {
        self == ListFormat::Json
    }
}

/// The formats `export` writes a file in (its `--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FileFormat {
    /// One JSON array of users.
    #[value(help = None::<&str>)]
    Json,
    /// JSON Lines: one user a line.
    #[value(help = None::<&str>)]
    Jsonl,
    /// CSV with a header line ([`CSV_HEADER`]).
    #[value(help = None::<&str>)]
    Csv,
}

impl FileFormat {
    /// The format a file name's extension says (`.csv`, `.jsonl` or `.ndjson`), else JSON.
    pub fn of_path(path: &std::path::Path) -> Self {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext.eq_ignore_ascii_case("csv") {
            FileFormat::Csv
        } else if ext.eq_ignore_ascii_case("jsonl") || ext.eq_ignore_ascii_case("ndjson") {
            FileFormat::Jsonl
        } else {
            FileFormat::Json
        }
    }
}

impl From<FileFormat> for ListFormat {
    fn from(f: FileFormat) -> Self {
        match f {
            FileFormat::Json => ListFormat::Json,
            FileFormat::Jsonl => ListFormat::Jsonl,
            FileFormat::Csv => ListFormat::Csv,
        }
    }
}

/// The header line of CSV output, naming its columns.
pub const CSV_HEADER: &str = "platform,api,id,login,display_name,blocked_at";

/// One CSV field, quoted when it must be (RFC 4180), and never a formula: a cell a spreadsheet
/// would evaluate (starting with `=`, `+`, `-`, `@`, a tab or a CR: OWASP's list) gets a leading
/// `'`, which spreadsheets show as text. IDs are digits and logins letters, digits and `_`, so
/// only text like display names is ever changed. CSV goes to terminals too (`list --format
/// csv`): control characters are escaped as in the table ([`terminal_safe`]); JSON keeps them,
/// JSON-escaped.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    };
    let value = terminal_safe(&value);
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.into_owned()
    }
}

/// Whether `c` must not reach a terminal as it is: control characters (C0 such as ESC, CR,
/// BEL, BS; DEL; C1 such as CSI) and the bidirectional overrides and isolates that reorder
/// what follows them.
fn is_unsafe_for_terminal(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text from a platform (a login, a display name, an error message) as it may be shown in a
/// terminal: every control character escaped as Rust writes it (`\u{1b}`, `\r`, `\n`), letters
/// of every script kept as they are.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_for_terminal) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.extend(c.escape_default()),
            c if is_unsafe_for_terminal(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`terminal_safe`], keeping line breaks: for a message of several lines.
pub fn terminal_safe_lines(text: &str) -> String {
    text.split('\n')
        .map(terminal_safe)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes a list in one format, one entry at a time.
pub struct ListWriter<W: Write> {
    out: W,
    format: ListFormat,
    count: usize,
}

impl<W: Write> ListWriter<W> {
    /// Starts a list on `out`: writes the table or CSV header, or opens the JSON array.
    pub fn new(mut out: W, format: ListFormat) -> std::io::Result<Self> {
        match format {
            ListFormat::Table => writeln!(
                out,
                "{:<20} {:<26} {:<26} BLOCKED AT",
                "ID", "LOGIN", "DISPLAY NAME"
            )?,
            ListFormat::Json => write!(out, "[")?,
            ListFormat::Jsonl => {}
            ListFormat::Csv => writeln!(out, "{CSV_HEADER}")?,
        }
        Ok(Self {
            out,
            format,
            count: 0,
        })
    }

    /// Writes one entry.
    pub fn write(&mut self, user: &BlockedUser) -> std::io::Result<()> {
        let blocked_at = user.blocked_at.map(|t| t.to_rfc3339()).unwrap_or_default();
        match self.format {
            ListFormat::Table => writeln!(
                self.out,
                "{:<20} {:<26} {:<26} {}",
                terminal_safe(&user.id),
                terminal_safe(user.login.as_deref().unwrap_or("-")),
                terminal_safe(user.display_name.as_deref().unwrap_or("-")),
                if blocked_at.is_empty() {
                    "-"
                } else {
                    &blocked_at
                }
            )?,
            ListFormat::Json => {
                let sep = if self.count == 0 { "\n  " } else { ",\n  " };
                write!(self.out, "{sep}")?;
                serde_json::to_writer(&mut self.out, user)?;
            }
            ListFormat::Jsonl => {
                serde_json::to_writer(&mut self.out, user)?;
                writeln!(self.out)?;
            }
            ListFormat::Csv => writeln!(
                self.out,
                "{},{},{},{},{},{}",
                csv_field(&user.platform.to_string()),
                csv_field(&user.api.to_string()),
                csv_field(&user.id),
                csv_field(user.login.as_deref().unwrap_or("")),
                csv_field(user.display_name.as_deref().unwrap_or("")),
                blocked_at
            )?,
        }
        self.count += 1;
        Ok(())
    }

    /// Pushes what is written so far to the underlying writer (for output that streams: every
    /// entry written is complete, so a reader sees whole lines only).
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    /// Closes the list and gives the writer back.
    pub fn finish(mut self) -> std::io::Result<(W, usize)> {
        if self.format == ListFormat::Json {
            let end = if self.count == 0 { "]\n" } else { "\n]\n" };
            write!(self.out, "{end}")?;
        }
        self.out.flush()?;
        Ok((self.out, self.count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use blockbind::{Api, Platform};

    fn user(id: &str, name: &str) -> BlockedUser {
        BlockedUser {
            platform: Platform::X,
            api: Api::XV2,
            id: id.into(),
            login: Some("jack".into()),
            display_name: Some(name.into()),
            blocked_at: None,
            created_at: None,
        }
    }

    #[test]
    fn json_and_csv_exports_read_back_through_the_import_parser() {
        for format in [ListFormat::Json, ListFormat::Jsonl, ListFormat::Csv] {
            let mut w = ListWriter::new(Vec::new(), format).unwrap();
            w.write(&user("12", "Jack, \"the\" founder")).unwrap();
            w.write(&user("13", "x")).unwrap();
            let (bytes, n) = w.finish().unwrap();
            assert_eq!(n, 2);
            let text = String::from_utf8(bytes).unwrap();
            let parsed = crate::input::parse(&text);
            assert!(parsed.bad.is_empty(), "{format:?}: {:?}", parsed.bad);
            let ids: Vec<String> = (parsed.entries.iter())
                .map(|e| e.target.as_str().to_string())
                .collect();
            assert_eq!(ids, ["12", "13"], "{format:?}: {text}");
        }
        let (empty, _) = ListWriter::new(Vec::new(), ListFormat::Json)
            .unwrap()
            .finish()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&empty).unwrap();
        assert_eq!(v, serde_json::json!([]));
    }

    #[test]
    fn terminal_text_has_control_characters_escaped_and_letters_kept() {
        let hostile = "\u{1b}]0;owned\u{7}\u{1b}[31mRed\rOK\u{9b}2J\u{202e}txt.exe Émilie 日本";
        let safe = terminal_safe(hostile);
        assert!(!safe.chars().any(is_unsafe_for_terminal), "{safe}");
        assert_eq!(
            safe,
            "\\u{1b}]0;owned\\u{7}\\u{1b}[31mRed\\rOK\\u{9b}2J\\u{202e}txt.exe Émilie 日本"
        );
        assert!(matches!(terminal_safe("Émilie 日本"), Cow::Borrowed(_)));
        assert_eq!(terminal_safe_lines("a\u{1b}\nb"), "a\\u{1b}\nb");

        let mut w = ListWriter::new(Vec::new(), ListFormat::Table).unwrap();
        w.write(&user("12", hostile)).unwrap();
        let (bytes, _) = w.finish().unwrap();
        let table = String::from_utf8(bytes).unwrap();
        assert!(
            !table.contains('\u{1b}') && !table.contains('\r'),
            "{table:?}"
        );
        assert!(table.contains("\\u{1b}[31mRed"), "{table}");
    }

    #[test]
    fn csv_cells_a_spreadsheet_would_evaluate_are_neutralised() {
        let mut w = ListWriter::new(Vec::new(), ListFormat::Csv).unwrap();
        for (id, name) in [
            ("1", "=HYPERLINK(\"http://evil.example\",\"click\")"),
            ("2", "+1+2"),
            ("3", "-2+3"),
            ("4", "@SUM(A1)"),
            ("5", "\t=1"),
            ("6", "\r=1"),
            ("7", "plain = fine"),
        ] {
            w.write(&user(id, name)).unwrap();
        }
        let (bytes, _) = w.finish().unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let mut rows = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let names: Vec<String> = rows.records().map(|r| r.unwrap()[4].to_string()).collect();
        assert_eq!(
            names,
            [
                "'=HYPERLINK(\"http://evil.example\",\"click\")",
                "'+1+2",
                "'-2+3",
                "'@SUM(A1)",
                "'\\t=1",
                "'\\r=1",
                "plain = fine"
            ]
        );
        // The IDs are untouched, and the export still imports.
        let parsed = crate::input::parse(&text);
        assert!(parsed.bad.is_empty(), "{:?}", parsed.bad);
        assert_eq!(parsed.entries.len(), 7);
    }

    #[test]
    fn jsonl_is_one_complete_object_a_line() {
        let mut w = ListWriter::new(Vec::new(), ListFormat::Jsonl).unwrap();
        w.write(&user("12", "multi\nline \"name\"")).unwrap();
        w.write(&user("13", "x")).unwrap();
        let (bytes, _) = w.finish().unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.ends_with('\n'), "{text}");
        let ids: Vec<String> = text
            .lines()
            .map(|l| serde_json::from_str::<BlockedUser>(l).unwrap().id)
            .collect();
        assert_eq!(ids, ["12", "13"]);
    }

    #[test]
    fn export_formats_follow_the_file_extension() {
        for (name, format) in [
            ("blocks.csv", FileFormat::Csv),
            ("blocks.CSV", FileFormat::Csv),
            ("blocks.jsonl", FileFormat::Jsonl),
            ("blocks.ndjson", FileFormat::Jsonl),
            ("blocks.json", FileFormat::Json),
            ("blocks", FileFormat::Json),
        ] {
            assert_eq!(FileFormat::of_path(name.as_ref()), format, "{name}");
        }
    }
}
