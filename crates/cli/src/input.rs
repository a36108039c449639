//! Import files: one ID or login per line (`@name` too), chat commands (`/block name`,
//! `.block name`, `/ban name reason`, `/unblock name`), profile URLs (`https://twitch.tv/name`,
//! `https://x.com/name`), CSV with an ID or login column under any of the usual names in any case
//! (CommanderRoot's `userName,userID,userDisplayName` too), our own JSON or JSON Lines export,
//! or X's archive `block.js` / `mute.js`. Every bad line of a file in a known format is reported
//! with its number and the good ones go through; a file in no known format (its first line with
//! content is not a target) is refused whole, with that line ([`Parsed::check`]), as is a file
//! that names users of the other platform or chat commands of the other direction.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{BufRead, Read};
use std::rc::Rc;

use blockbind::{Api, Platform, Target};
use serde_json::Value;

mod entries;
mod lines;

pub use entries::{Entries, IntoIter};

/// One target and the line it came from (1-based; for JSON, the entry's line). When the file
/// names the user both ways (our export, a CSV with both columns), `also` holds the login, for
/// APIs that address users by login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Where in the file it is (1-based).
    pub line: usize,
    /// Whom to block or unblock: the ID when the file gives one.
    pub target: Target,
    /// The same user's login, when the file gives it besides the ID.
    pub also: Option<Target>,
}

/// A line that is not a target, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// Its number in the file (1-based).
    pub line: usize,
    /// Why it is not a target.
    pub why: String,
}

/// What a file holds.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The format detected: `lines`, `csv`, `json`, `jsonl` or `x-archive`.
    pub format: &'static str,
    /// The targets, in file order, duplicates dropped (a login in another case names the same
    /// user).
    pub entries: Entries,
    /// Lines that are not a target.
    pub bad: Vec<BadLine>,
    /// Entries naming a target an earlier line already named.
    pub duplicates: usize,
    /// The first chat command that blocks (`/block`, `/ban`) and the first that unblocks
    /// (`/unblock`, `/unban`), by line.
    pub commands: Directions,
    /// Each platform the file names users of (a profile URL's host, an X archive), with the first
    /// line naming it.
    pub platforms: Vec<(Platform, usize)>,
    /// Set when the file is in no format this module reads: its first line with content, and why.
    pub unknown_format: Option<BadLine>,
}

/// Where a file's chat commands point: the first line of each direction.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Directions {
    /// The first `/block` or `/ban` line.
    pub block: Option<usize>,
    /// The first `/unblock` or `/unban` line.
    pub unblock: Option<usize>,
}

impl Parsed {
    /// Whether the file can be used on `api` in this direction: a file in no known format, a
    /// file naming users of the other platform, and chat commands of the other direction
    /// (`/unblock` lines in a file imported to block, or `/block` lines with `--unblock`: a file's
    /// direction is the command line's, never mixed) are refused with the first such line.
    pub fn check(&self, api: Api, unblock: bool) -> Result<(), BadLine> {
        if let Some(bad) = &self.unknown_format {
            return Err(bad.clone());
        }
        if let Some((platform, line)) = self.platforms.iter().find(|(p, _)| *p != api.platform()) {
            return Err(BadLine {
                line: *line,
                why: format!(
                    "names a user of {}, but --platform is {} ({}); a file must not mix platforms",
                    platform.as_str(),
                    api.name(),
                    api.platform().as_str()
                ),
            });
        }
        let (wrong, want) = if unblock {
            (self.commands.block, "import --unblock takes /unblock lines")
        } else {
            (
                self.commands.unblock,
                "run `import --unblock` for /unblock lines",
            )
        };
        if let Some(line) = wrong {
            return Err(BadLine {
                line,
                why: format!("a chat command of the other direction; {want} (a file is not mixed)"),
            });
        }
        Ok(())
    }

    fn saw(&mut self, platform: Platform, line: usize) {
        if !self.platforms.iter().any(|(p, _)| *p == platform) {
            self.platforms.push((platform, line));
        }
    }
}

/// Refuses files this large outright (a block list of tens of millions of IDs is ~500 MB).
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// Reads `text` in whichever format it is in.
pub fn parse(text: &str) -> Parsed {
    match parse_reader(text.as_bytes()) {
        Ok(parsed) => parsed,
        // Reading a slice does not fail; should it, it is one bad line, not a panic.
        Err(e) => Parsed {
            format: "lines",
            bad: vec![BadLine {
                line: 1,
                why: e.to_string(),
            }],
            ..Parsed::default()
        },
    }
}

/// Reads a file in whichever format it is in, from `reader`. Plain lines and CSV stream: the
/// file is never held whole, only the entries it names (CSV through the `csv` crate, so a quoted
/// field may hold commas, quotes and newlines). JSON documents and X archives are read whole (a
/// JSON value is parsed whole); JSON Lines too, as the JSON parser's input.
pub fn parse_reader(mut reader: impl BufRead) -> std::io::Result<Parsed> {
    // The format shows in the first line with content: read up to it, then go on from there.
    let mut head = Vec::new();
    let bom = "\u{feff}".as_bytes();
    loop {
        let start = head.len();
        if reader.read_until(b'\n', &mut head)? == 0 {
            break;
        }
        let line = &head[start..];
        let line = if start == 0 {
            line.strip_prefix(bom).unwrap_or(line)
        } else {
            line
        };
        // Blank as `str::trim` sees it, as the formats' parsers do.
        if !String::from_utf8_lossy(line).trim().is_empty() {
            break;
        }
    }
    let bom = if head.starts_with(bom) { bom.len() } else { 0 };
    let first = String::from_utf8_lossy(&head[bom..]).into_owned();
    let trimmed = first.trim_start();
    let whole = |reader: &mut dyn BufRead| -> std::io::Result<String> {
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest)?;
        let mut all = head[bom..].to_vec();
        all.extend_from_slice(&rest);
        Ok(String::from_utf8_lossy(&all).into_owned())
    };
    let mut parsed = if trimmed.starts_with("window.YTD.") {
        parse_x_archive(&whole(&mut reader)?)
    } else if is_json_lines(trimmed) {
        parse_json_lines(&whole(&mut reader)?)
    } else if trimmed.starts_with('[') || trimmed.starts_with('{') {
        parse_json(&whole(&mut reader)?)
    } else if let Some(header) = csv_header(&first) {
        parse_csv(std::io::Cursor::new(&head[bom..]).chain(reader), header)?
    } else {
        parse_lines(std::io::Cursor::new(&head[bom..]).chain(reader))?
    };
    parsed.duplicates = parsed.entries.dedupe();
    Ok(parsed)
}

fn target(line: usize, raw: &str, out: &mut Parsed) {
    match Target::parse(raw) {
        Ok(target) => out.entries.push(Entry {
            line,
            target,
            also: None,
        }),
        Err(e) => out.bad.push(BadLine {
            line,
            why: e.to_string(),
        }),
    }
}

/// An entry named by ID and, when it has one, by login too.
fn id_entry(line: usize, id: &str, login: Option<&str>) -> Result<Entry, blockbind::Error> {
    Ok(Entry {
        line,
        target: Target::id(id)?,
        also: login.and_then(|l| Target::login(l).ok()),
    })
}

/// One target per line; blank lines and `#` comments are skipped. Line by line: the file is
/// never held whole.
fn parse_lines(mut reader: impl BufRead) -> std::io::Result<Parsed> {
    let mut out = Parsed {
        format: "lines",
        ..Parsed::default()
    };
    let mut line = Vec::new();
    let mut n = 0;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        n += 1;
        let text = String::from_utf8_lossy(&line);
        let line_text = text.trim();
        if line_text.is_empty() || line_text.starts_with('#') {
            continue;
        }
        let first = out.entries.len() + out.bad.len() == 0;
        lines::line(n, line_text, &mut out);
        if first && let Some(bad) = out.bad.first() {
            // The first line with content says what the file is: not a target, no known format.
            out.unknown_format = Some(BadLine {
                line: bad.line,
                why: format!(
                    "not a format blockbind reads (one ID, login, @name, profile URL or /block command a line; CSV with an ID or login column; JSON; an X archive): {}",
                    bad.why
                ),
            });
            break;
        }
    }
    Ok(out)
}

/// The column index of `id` and of `login` (or `screen_name`, `username`), when the first
/// non-empty line is a CSV header naming one of them.
struct CsvHeader {
    id: Option<usize>,
    login: Option<usize>,
    header_line: usize,
}

/// Column names that hold an ID, and a login. A one-column file whose first line is one of these
/// is CSV too.
/// Compared lowercased, so `userID`, `UserId` and `USER_ID` are the same.
const ID_COLUMNS: &[&str] = &[
    "id",
    "user_id",
    "userid",
    "accountid",
    "account_id",
    "twitch_id",
    "twitter_id",
    "id_str",
];
const LOGIN_COLUMNS: &[&str] = &[
    "login",
    "screen_name",
    "screenname",
    "username",
    "user_name",
    "user_login",
    "userlogin",
    "handle",
];

fn csv_header(text: &str) -> Option<CsvHeader> {
    let (i, first) = text
        .lines()
        .enumerate()
        .find(|(_, l)| !l.trim().is_empty())?;
    let names: Vec<String> = split_csv(first)
        .into_iter()
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    let find = |wanted: &[&str]| names.iter().position(|n| wanted.contains(&n.as_str()));
    let id = find(ID_COLUMNS);
    let login = find(LOGIN_COLUMNS);
    (id.is_some() || login.is_some()).then_some(CsvHeader {
        id,
        login,
        header_line: i + 1,
    })
}

/// Splits one CSV record (RFC 4180 quotes: `"a, b"`, `""` for a quote).
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().expect("never empty").push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            c => fields.last_mut().expect("never empty").push(c),
        }
    }
    fields
}

/// The rows after the header, record by record (RFC 4180 through the `csv` crate: a quoted field
/// may span lines; the row's number is the line it starts on). Records end at `\n` only, as the
/// lines of the other formats do; a `\r` before it is trimmed with the cell.
fn parse_csv(reader: impl Read, header: CsvHeader) -> std::io::Result<Parsed> {
    let mut out = Parsed {
        format: "csv",
        ..Parsed::default()
    };
    let newlines = Newlines::default();
    let mut rows = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(newlines.counting(reader));
    let mut record = csv::ByteRecord::new();
    loop {
        let more = match rows.read_byte_record(&mut record) {
            Ok(more) => more,
            Err(e) => match e.into_kind() {
                csv::ErrorKind::Io(e) => return Err(e),
                other => {
                    // Not expected of byte records of a flexible reader; reported, and the file ends here.
                    out.bad.push(BadLine {
                        line: record.position().map_or(1, |p| p.line() as usize),
                        why: format!("not CSV: {other:?}"),
                    });
                    break;
                }
            },
        };
        if !more {
            break;
        }
        let line = record
            .position()
            .map_or(1, |p| newlines.start_line(p.byte(), p.line()));
        if line <= header.header_line {
            continue;
        }
        let fields: Vec<String> = record
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        if fields.len() == 1 && fields[0].trim().is_empty() {
            continue;
        }
        let i = line - 1;
        let cell = |c: Option<usize>| {
            c.and_then(|c| fields.get(c))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
        };
        let entry = match (cell(header.id), cell(header.login)) {
            (Some(id), login) => id_entry(i + 1, id, login),
            (None, Some(login)) => Target::login(login).map(|target| Entry {
                line: i + 1,
                target,
                also: None,
            }),
            (None, None) => {
                out.bad.push(BadLine {
                    line: i + 1,
                    why: "no id or login in this row".into(),
                });
                continue;
            }
        };
        match entry {
            Ok(entry) => out.entries.push(entry),
            Err(e) => out.bad.push(BadLine {
                line: i + 1,
                why: e.to_string(),
            }),
        }
    }
    Ok(out)
}

/// Where the newlines of a streamed file are, for the line a CSV record starts on: the `csv`
/// crate places a record after blank lines at the first of them (it skips them). Holds only the
/// newlines from the record being read on (what the reader has read ahead), never the file's.
#[derive(Default, Clone)]
struct Newlines(Rc<RefCell<VecDeque<u64>>>);

/// `inner`, noting each newline's byte offset in a [`Newlines`].
struct CountingReader<R> {
    inner: R,
    at: u64,
    newlines: Newlines,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut seen = self.newlines.0.borrow_mut();
        for (i, _) in buf[..n].iter().enumerate().filter(|(_, b)| **b == b'\n') {
            seen.push_back(self.at + i as u64);
        }
        self.at += n as u64;
        Ok(n)
    }
}

impl Newlines {
    fn counting<R: Read>(&self, inner: R) -> CountingReader<R> {
        CountingReader {
            inner,
            at: 0,
            newlines: self.clone(),
        }
    }

    /// The line a record starts on, from the `csv` crate's position (`byte`, `line`): past the
    /// blank lines at `byte`. Records come in order: the newlines before `byte` are dropped.
    fn start_line(&self, byte: u64, line: u64) -> usize {
        let mut seen = self.0.borrow_mut();
        while seen.front().is_some_and(|&at| at < byte) {
            seen.pop_front();
        }
        let blank = (0..)
            .take_while(|&k| seen.get(k as usize) == Some(&(byte + k)))
            .count();
        line as usize + blank
    }
}

/// Our export (an array of blocked users with `id` and/or `login`), or any array of such
/// objects, or an array of ID/login strings.
fn parse_json(text: &str) -> Parsed {
    let mut out = Parsed {
        format: "json",
        ..Parsed::default()
    };
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            out.bad.push(BadLine {
                line: e.line(),
                why: format!("not valid JSON: {e}"),
            });
            return out;
        }
    };
    let items = match value {
        Value::Array(items) => items,
        Value::Object(mut o) => match o.remove("blocked").or_else(|| o.remove("data")) {
            Some(Value::Array(items)) => items,
            _ => {
                out.bad.push(BadLine {
                    line: 1,
                    why: "a JSON object must hold the list under `blocked` or `data`".into(),
                });
                return out;
            }
        },
        _ => {
            out.bad.push(BadLine {
                line: 1,
                why: "expected a JSON array of users".into(),
            });
            return out;
        }
    };
    let lines = item_lines(text, items.len());
    for (n, item) in items.iter().enumerate() {
        let line = lines.get(n).copied().unwrap_or(1);
        json_entry(line, n + 1, item, &mut out);
    }
    out
}

/// Whether the file is JSON Lines (`list --format jsonl`, or an export to `.jsonl`): its first
/// line is a whole JSON object on its own, and not one that holds the list under `blocked` or
/// `data` (that is a one-line JSON document).
fn is_json_lines(trimmed: &str) -> bool {
    if !trimmed.starts_with('{') {
        return false;
    }
    let first = trimmed.lines().next().unwrap_or_default();
    match serde_json::from_str::<Value>(first) {
        Ok(Value::Object(o)) => !o.contains_key("blocked") && !o.contains_key("data"),
        _ => false,
    }
}

/// One user per line, as a JSON object (or an ID/login string); blank lines are skipped. A line
/// cut off by a failed run is one bad line, and every other line still goes through.
fn parse_json_lines(text: &str) -> Parsed {
    let mut out = Parsed {
        format: "jsonl",
        ..Parsed::default()
    };
    let mut n = 0;
    for (i, line) in text.lines().enumerate() {
        let line_text = line.trim();
        if line_text.is_empty() {
            continue;
        }
        n += 1;
        match serde_json::from_str::<Value>(line_text) {
            Ok(item) => json_entry(i + 1, n, &item, &mut out),
            Err(e) => out.bad.push(BadLine {
                line: i + 1,
                why: format!("not valid JSON: {e}"),
            }),
        }
    }
    out
}

/// The `n`-th entry of a JSON list, on `line`: a user object with `id` and/or `login`
/// (`username`), or an ID/login string, or a numeric ID.
fn json_entry(line: usize, n: usize, item: &Value, out: &mut Parsed) {
    let text_of = |k: &str| {
        item.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let plain = |target: Result<Target, blockbind::Error>| {
        target.map(|target| Entry {
            line,
            target,
            also: None,
        })
    };
    let result = match item {
        Value::String(s) => plain(Target::parse(s)),
        Value::Number(n) => plain(Target::id(n.to_string())),
        _ => match (text_of("id"), text_of("login").or(text_of("username"))) {
            (Some(id), login) => id_entry(line, id, login),
            (None, Some(login)) => plain(Target::login(login)),
            (None, None) => {
                out.bad.push(BadLine {
                    line,
                    why: format!("entry {n} has no `id` or `login`"),
                });
                return;
            }
        },
    };
    match result {
        Ok(entry) => out.entries.push(entry),
        Err(e) => out.bad.push(BadLine {
            line,
            why: e.to_string(),
        }),
    }
}

/// X's archive: `window.YTD.block.part0 = [ {"blocking": {"accountId": "...", "userLink": ...}} ]`
/// (`block.js`), or `window.YTD.mute.part0` with `muting` (`mute.js`, a source of IDs to block).
/// Other archive files (`follower.js`, ...) are refused: they are not lists of people to block.
fn parse_x_archive(text: &str) -> Parsed {
    let mut out = Parsed {
        format: "x-archive",
        ..Parsed::default()
    };
    let name = text
        .trim_start()
        .trim_start_matches("window.YTD.")
        .split(|c: char| c == '.' || c.is_whitespace())
        .next()
        .unwrap_or_default();
    if name != "block" && name != "mute" {
        out.unknown_format = Some(BadLine {
            line: 1,
            why: format!(
                "an X archive's `{name}` file; blockbind reads `block.js` and `mute.js` (window.YTD.block / window.YTD.mute)"
            ),
        });
        return out;
    }
    let Some(start) = text.find('[') else {
        out.bad.push(BadLine {
            line: 1,
            why: "an X archive file has `window.YTD.block.part0 = [...]`".into(),
        });
        return out;
    };
    let body = &text[start..];
    let offset_lines = text[..start].matches('\n').count();
    let items: Vec<Value> = match serde_json::from_str(body.trim_end().trim_end_matches(';')) {
        Ok(v) => v,
        Err(e) => {
            out.bad.push(BadLine {
                line: e.line() + offset_lines,
                why: format!("not valid JSON: {e}"),
            });
            return out;
        }
    };
    let lines = item_lines(text, items.len());
    for (n, item) in items.iter().enumerate() {
        let line = lines.get(n).copied().unwrap_or(1);
        let entry = item
            .get("blocking")
            .or_else(|| item.get("muting"))
            .unwrap_or(item);
        // The archive is X's; a userLink elsewhere (a hand-edited file) says whose it is.
        let platform = entry
            .get("userLink")
            .and_then(Value::as_str)
            .and_then(lines::platform_of_url)
            .unwrap_or(Platform::X);
        out.saw(platform, line);
        match entry.get("accountId").and_then(Value::as_str) {
            Some(id) => target(line, &format!("id:{id}"), &mut out),
            None => out.bad.push(BadLine {
                line,
                why: format!("entry {} has no `accountId`", n + 1),
            }),
        }
    }
    out
}

/// The line each entry of the first top-level array starts on, for messages.
fn item_lines(text: &str, count: usize) -> Vec<usize> {
    let mut lines = Vec::with_capacity(count);
    let (mut depth, mut line) = (0i32, 1usize);
    let (mut in_string, mut escaped, mut expect_value) = (false, false, false);
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if expect_value && !c.is_whitespace() && c != ']' {
            lines.push(line);
            expect_value = false;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                expect_value = depth == 1 && c == '[';
            }
            ']' | '}' => depth -= 1,
            ',' if depth == 1 => expect_value = true,
            _ => {}
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(p: &Parsed) -> Vec<String> {
        p.entries
            .iter()
            .map(|e| format!("{}@{}", e.target.as_str(), e.line))
            .collect()
    }

    #[test]
    fn plain_lines_skip_blanks_and_comments_and_report_bad_lines_by_number() {
        let p = parse("# bots from the raid\n12826\n\n@spammer_1\nbad login!\n141981764\n12826\n");
        assert_eq!(p.format, "lines");
        assert_eq!(ids(&p), ["12826@2", "spammer_1@4", "141981764@6"]);
        assert_eq!(p.bad.len(), 1);
        assert_eq!(p.bad[0].line, 5);
        assert!(p.bad[0].why.contains("ASCII letters"), "{}", p.bad[0].why);
        assert_eq!(p.duplicates, 1);
    }

    #[test]
    fn duplicates_keep_the_first_line_and_names_of_two_kinds_never_merge() {
        let p = parse("5\nlogin:5\n@ann\n7\n5\n@ann\nlogin:5\n@Ann\n7\n");
        // `login:5` is the login "5", not the ID 5; a login in another case is the same user.
        assert_eq!(ids(&p), ["5@1", "5@2", "ann@3", "7@4"]);
        assert_eq!(p.duplicates, 5);
    }

    #[test]
    fn csv_takes_the_id_column_else_the_login_column() {
        let p = parse("login,id,note\nalice,111,\"spam, lots\"\nbob,,x\n,,\n carol , 12a ,\n");
        assert_eq!(p.format, "csv");
        assert_eq!(ids(&p), ["111@2", "bob@3"]);
        assert_eq!(
            p.entries.get(0).unwrap().also,
            Some(Target::Login("alice".into()))
        );
        assert_eq!(p.entries.get(1).unwrap().also, None);
        let bad: Vec<usize> = p.bad.iter().map(|b| b.line).collect();
        assert_eq!(bad, [4, 5]);
        assert!(p.bad[1].why.contains("digits only"));
        let only_login = parse("screen_name\njack\n@TwitterDev\n");
        assert_eq!(ids(&only_login), ["jack@2", "TwitterDev@3"]);
    }

    #[test]
    fn a_quoted_csv_field_may_hold_newlines_and_the_row_keeps_the_line_it_starts_on() {
        let text = "id,login,note\n111,alice,\"two\nlines, and \"\"quotes\"\"\"\n222,bob,x\r\n\n333,carol,\"\n\"\n";
        let p = parse(text);
        assert_eq!(p.format, "csv");
        assert!(p.bad.is_empty(), "{:?}", p.bad);
        assert_eq!(ids(&p), ["111@2", "222@4", "333@6"]);
        assert_eq!(
            p.entries.get(1).unwrap().also,
            Some(Target::Login("bob".into()))
        );
    }

    #[test]
    fn a_file_is_read_from_a_reader_in_pieces() {
        // A reader that hands out a few bytes at a time: records and lines cross its reads.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = buf.len().min(3).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let csv = "\u{feff}\n  \nlogin,id\n\"al\nice\",1\nbob,2\n";
        let p = parse_reader(std::io::BufReader::with_capacity(
            4,
            Trickle(csv.as_bytes()),
        ))
        .unwrap();
        assert_eq!(
            (p.format, ids(&p)),
            ("csv", vec!["1@4".into(), "2@6".into()])
        );
        let lines = "\n# c\n12826\n@bob\n";
        let p = parse_reader(std::io::BufReader::with_capacity(
            2,
            Trickle(lines.as_bytes()),
        ))
        .unwrap();
        assert_eq!(
            (p.format, ids(&p)),
            ("lines", vec!["12826@3".into(), "bob@4".into()])
        );
        // A first line blank only to Unicode (a no-break space) is blank, as it was for the
        // whole-text parser: the document is seen as JSON (and refused by the JSON parser).
        let json = "\u{a0}\n[\"12826\"]";
        let p = parse_reader(std::io::BufReader::with_capacity(
            2,
            Trickle(json.as_bytes()),
        ))
        .unwrap();
        assert_eq!((p.format, p.bad.len()), ("json", 1));
    }

    #[test]
    fn our_json_export_and_x_archives_read_back() {
        let export = r#"[
  {"platform":"twitch","api":"twitch-helix","id":"12826","login":"twitch","display_name":"Twitch","blocked_at":null},
  {"platform":"twitch","api":"twitch-helix","id":"","login":"bluelava","display_name":null,"blocked_at":null},
  {"platform":"twitch","api":"twitch-helix","note":"nothing"}
]"#;
        let p = parse(export);
        assert_eq!(p.format, "json");
        assert_eq!(ids(&p), ["12826@2", "bluelava@3"]);
        assert_eq!(p.bad[0].line, 4);

        let archive = "window.YTD.block.part0 = [\n  {\n    \"blocking\" : {\n      \"accountId\" : \"783214\",\n      \"userLink\" : \"https://twitter.com/intent/user?user_id=783214\"\n    }\n  },\n  {\n    \"blocking\" : {\n      \"accountId\" : \"x1\"\n    }\n  }\n]";
        let p = parse(archive);
        assert_eq!(p.format, "x-archive");
        assert_eq!(ids(&p), ["783214@2"]);
        assert_eq!(p.bad[0].line, 8);
    }

    #[test]
    fn json_lines_read_back_line_by_line_and_a_cut_off_line_is_one_bad_line() {
        let lines = concat!(
            r#"{"platform":"x","api":"x-v2","id":"12","login":"jack","display_name":"Jack","blocked_at":null}"#,
            "\n\n",
            r#"{"platform":"x","api":"x-v2","id":"13","login":null,"display_name":null,"blocked_at":null}"#,
            "\n",
            r#"{"note":"nothing"}"#,
            "\n",
            r#"{"platform":"x","api":"x-v2","id":"14","lo"#,
        );
        let p = parse(lines);
        assert_eq!(p.format, "jsonl");
        assert_eq!(ids(&p), ["12@1", "13@3"]);
        assert_eq!(
            p.entries.get(0).unwrap().also,
            Some(Target::Login("jack".into()))
        );
        assert_eq!(p.bad.iter().map(|b| b.line).collect::<Vec<_>>(), [4, 5]);
        assert!(p.bad[1].why.contains("not valid JSON"), "{}", p.bad[1].why);

        // One object holding the list is still a JSON document, on one line or several.
        for doc in [
            r#"{"data": [{"id": "12"}]}"#,
            "{\n  \"blocked\": [\"12\"]\n}",
        ] {
            let p = parse(doc);
            assert_eq!((p.format, p.entries.len()), ("json", 1), "{doc}");
        }
    }

    #[test]
    fn truncated_or_wrong_json_is_one_bad_line_not_a_panic() {
        for text in [
            "[{\"id\": \"1\"",
            "{\"x\": 1}",
            "window.YTD.block.part0 = [ {",
            "[1, 2, {}]",
        ] {
            let p = parse(text);
            assert!(!p.bad.is_empty(), "{text}");
        }
        let p = parse("[\"12826\", 27419011, \"@bluelava\"]");
        assert_eq!(p.entries.len(), 3);
    }

    fn fixture(name: &str) -> Parsed {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
        parse(&std::fs::read_to_string(format!("{path}{name}")).unwrap())
    }

    #[test]
    fn commanderroots_export_gives_the_id_and_the_login() {
        let p = fixture("commanderroot.csv");
        assert_eq!(p.format, "csv");
        assert_eq!(ids(&p), ["135093069@2", "27419011@3", "198704263@4"]);
        assert_eq!(
            p.entries.get(0).unwrap().also,
            Some(Target::Login("bluelava".into()))
        );
        // The usual column names, in any case.
        for header in [
            "USER_ID,User_Name",
            "UserId,screen_name",
            "Account_ID,Handle",
        ] {
            let p = parse(&format!("{header}\n12,jack\n"));
            assert_eq!(
                (p.format, ids(&p)),
                ("csv", vec!["12@2".to_string()]),
                "{header}"
            );
            assert_eq!(
                p.entries.get(0).unwrap().also,
                Some(Target::Login("jack".into()))
            );
        }
    }

    #[test]
    fn chat_commands_name_logins_and_record_their_direction() {
        let p = fixture("chat.txt");
        assert!(p.bad.is_empty(), "{:?}", p.bad);
        assert_eq!(
            ids(&p),
            [
                "bluelava@2",
                "travistyoj@3",
                "ohbother@4",
                "dallas@5",
                "cohhcarnage@7"
            ]
        );
        assert_eq!(
            p.commands,
            Directions {
                block: Some(2),
                unblock: None
            }
        );
        assert!(p.check(Api::TwitchKrakenV2, false).is_ok());
        let e = p.check(Api::TwitchKrakenV2, true).unwrap_err();
        assert_eq!(e.line, 2, "{}", e.why);

        let p = fixture("chat-unblock.txt");
        assert_eq!(
            p.commands,
            Directions {
                block: None,
                unblock: Some(1)
            }
        );
        let e = p.check(Api::TwitchHelix, false).unwrap_err();
        assert!(e.why.contains("import --unblock"), "{}", e.why);
        assert!(p.check(Api::TwitchHelix, true).is_ok());

        let p = parse("/block bob\n/timeout carol 600\n/ban\n");
        assert_eq!(ids(&p), ["bob@1"]);
        assert_eq!(p.bad.iter().map(|b| b.line).collect::<Vec<_>>(), [2, 3]);
    }

    #[test]
    fn block_js_and_mute_js_are_x_archives_and_other_archive_files_are_refused() {
        let p = fixture("block.js");
        assert_eq!(
            (p.format, ids(&p)),
            ("x-archive", vec!["6253282@2".into(), "783214@8".into()])
        );
        assert!(p.check(Api::XV2, false).is_ok());
        let e = p.check(Api::TwitchHelix, false).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.why.contains("names a user of x"), "{}", e.why);
        let p = fixture("mute.js");
        assert_eq!(ids(&p), ["12@2"]);
        assert!(
            parse("window.YTD.mute.part0 = [ ]")
                .check(Api::XV1, false)
                .is_ok()
        );
        let p = parse("window.YTD.follower.part0 = [ ]");
        assert!(
            p.check(Api::XV1, false)
                .unwrap_err()
                .why
                .contains("follower")
        );
    }

    #[test]
    fn a_file_naming_users_of_two_platforms_is_refused_at_the_first_foreign_line() {
        let p = fixture("mixed-platforms.txt");
        assert_eq!(ids(&p), ["jack@1", "783214@2", "bluelava@3"]);
        let e = p.check(Api::XV1, false).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(
            e.why.contains("twitch") && e.why.contains("x-v1"),
            "{}",
            e.why
        );
        assert_eq!(p.check(Api::TwitchHelix, false).unwrap_err().line, 1);
    }

    #[test]
    fn a_file_in_no_known_format_is_refused_with_its_first_line() {
        let p = fixture("unknown-format.tsv");
        let e = p.check(Api::TwitchHelix, false).unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.why.contains("not a format blockbind reads"), "{}", e.why);
        // A known format with a bad line later is not refused: that line is reported.
        let p = parse("12826\nnot a login!\n");
        assert!(p.check(Api::TwitchHelix, false).is_ok());
        assert_eq!(p.bad[0].line, 2);
    }

    #[test]
    fn huge_and_binary_lines_are_bad_lines() {
        let text = format!("1\n{}\n\u{0}\u{7}\n2\n", "9".repeat(1 << 20));
        let p = parse(&text);
        assert_eq!(p.entries.len(), 2);
        assert_eq!(p.bad.iter().map(|b| b.line).collect::<Vec<_>>(), [2, 3]);
        assert!(p.bad.iter().all(|b| b.why.len() < 300));
    }
}
