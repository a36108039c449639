//! How block lists are written: a table for people, JSON and CSV for tools. JSON and CSV are
//! written entry by entry, so a list of millions never sits in memory.

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
    /// One JSON array of users.
    #[value(help = None::<&str>)]
    Json,
    /// CSV with a header line ([`CSV_HEADER`]).
    #[value(help = None::<&str>)]
    Csv,
}

/// The formats `export` writes a file in (its `--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FileFormat {
    /// One JSON array of users.
    #[value(help = None::<&str>)]
    Json,
    /// CSV with a header line ([`CSV_HEADER`]).
    #[value(help = None::<&str>)]
    Csv,
}

impl From<FileFormat> for ListFormat {
    fn from(f: FileFormat) -> Self {
        match f {
            FileFormat::Json => ListFormat::Json,
            FileFormat::Csv => ListFormat::Csv,
        }
    }
}

/// The header line of CSV output, naming its columns.
pub const CSV_HEADER: &str = "platform,api,id,login,display_name,blocked_at";

/// One CSV field, quoted when it must be (RFC 4180).
fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
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
                user.id,
                user.login.as_deref().unwrap_or("-"),
                user.display_name.as_deref().unwrap_or("-"),
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
            ListFormat::Csv => writeln!(
                self.out,
                "{},{},{},{},{},{}",
                user.platform,
                user.api,
                csv_field(&user.id),
                csv_field(user.login.as_deref().unwrap_or("")),
                csv_field(user.display_name.as_deref().unwrap_or("")),
                blocked_at
            )?,
        }
        self.count += 1;
        Ok(())
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
        }
    }

    #[test]
    fn json_and_csv_exports_read_back_through_the_import_parser() {
        for format in [ListFormat::Json, ListFormat::Csv] {
            let mut w = ListWriter::new(Vec::new(), format).unwrap();
            w.write(&user("12", "Jack, \"the\" founder")).unwrap();
            w.write(&user("13", "x")).unwrap();
            let (bytes, n) = w.finish().unwrap();
            assert_eq!(n, 2);
            let text = String::from_utf8(bytes).unwrap();
            let parsed = crate::input::parse(&text);
            assert!(parsed.bad.is_empty(), "{format:?}: {:?}", parsed.bad);
            let ids: Vec<&str> = parsed.entries.iter().map(|e| e.target.as_str()).collect();
            assert_eq!(ids, ["12", "13"], "{format:?}: {text}");
        }
        let (empty, _) = ListWriter::new(Vec::new(), ListFormat::Json)
            .unwrap()
            .finish()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&empty).unwrap();
        assert_eq!(v, serde_json::json!([]));
    }
}
