//! Where, when and how a bench ran, for the header of each generated block: the machine (CPU
//! model and logical cores from /proc/cpuinfo, memory from /proc/meminfo), the date in UTC, the
//! commit (`+dirty` when the work tree differs from it), the command line and the 1-minute load
//! average at the start and the end. It reads; it must not change the tree.

use std::path::Path;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

/// The header of a generated block.
pub(crate) struct Provenance {
    pub(crate) machine: String,
    pub(crate) date: String,
    pub(crate) commit: String,
    pub(crate) command: String,
    pub(crate) load_at_start: Option<f64>,
    pub(crate) load_at_end: Option<f64>,
}

impl Provenance {
    /// Everything but the load at the end, which the caller records once the benches are done.
    pub(crate) fn capture(root: &Path, command: &str) -> Self {
        let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Provenance {
            machine: machine(&read("/proc/cpuinfo"), &read("/proc/meminfo")),
            date: utc_minute(now),
            commit: commit(root),
            command: command.to_string(),
            load_at_start: load_average(&read("/proc/loadavg")),
            load_at_end: None,
        }
    }
}

/// "AMD EPYC, 2 logical cores, 23.5 GiB", from the text of /proc/cpuinfo and /proc/meminfo.
pub(crate) fn machine(cpuinfo: &str, meminfo: &str) -> String {
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown CPU", |(_, m)| m.trim());
    let cores = cpuinfo
        .lines()
        .filter(|l| l.split(':').next().map(str::trim) == Some("processor"))
        .count();
    let cores = match cores {
        0 => "unknown number of cores".to_string(),
        1 => "1 logical core".to_string(),
        n => format!("{n} logical cores"),
    };
    let memory = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or("unknown memory".to_string(), |kib| {
            format!("{:.1} GiB", kib / 1024.0 / 1024.0)
        });
    format!("{model}, {cores}, {memory}")
}

/// "2026-11-24 10:31 UTC" for seconds since the Unix epoch (the proleptic Gregorian calendar,
/// by Howard Hinnant's `civil_from_days`, so the xtask needs no date crate).
pub(crate) fn utc_minute(unix_secs: u64) -> String {
    let days = unix_secs / 86_400;
    let (hour, minute) = (unix_secs % 86_400 / 3_600, unix_secs % 3_600 / 60);
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC")
}

/// `git rev-parse --short HEAD`, with `+dirty` when `git status` lists any change, untracked
/// files included: an untracked source file can be compiled into what was measured.
fn commit(root: &Path) -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .current_dir(root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "--short", "HEAD"]) {
        Some(head) => match git(&["status", "--porcelain"]) {
            Some(status) if status.is_empty() => head,
            // A status git cannot give is treated as dirty: claim no more than is known.
            _ => format!("{head}+dirty"),
        },
        None => "unknown (not a git checkout)".to_string(),
    }
}

/// The 1-minute load average, from the text of /proc/loadavg.
pub(crate) fn load_average(loadavg: &str) -> Option<f64> {
    loadavg.split_whitespace().next()?.parse().ok()
}

/// The command as a user would type it: `cargo xtask` and the xtask's own arguments, each
/// quoted when the shell would split or expand it.
pub(crate) fn command_line(args: impl IntoIterator<Item = String>) -> String {
    let mut line = String::from("cargo xtask");
    for arg in args {
        line.push(' ');
        let plain = !arg.is_empty()
            && arg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@+".contains(c));
        if plain {
            line.push_str(&arg);
        } else {
            line.push('\'');
            line.push_str(&arg.replace('\'', r"'\''"));
            line.push('\'');
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_names_the_cpu_model_the_logical_cores_and_the_memory() {
        let cpuinfo = "processor\t: 0\nmodel name\t: AMD EPYC 7B13\ncpu cores\t: 1\n\n\
                       processor\t: 1\nmodel name\t: AMD EPYC 7B13\ncpu cores\t: 1\n";
        let meminfo = "MemTotal:       24684084 kB\nMemFree:         1000000 kB\n";
        assert_eq!(
            machine(cpuinfo, meminfo),
            "AMD EPYC 7B13, 2 logical cores, 23.5 GiB"
        );
    }

    #[test]
    fn machine_says_what_it_could_not_read() {
        assert_eq!(
            machine("", ""),
            "unknown CPU, unknown number of cores, unknown memory"
        );
    }

    #[test]
    fn utc_minute_is_the_calendar_date_and_time_in_utc() {
        assert_eq!(utc_minute(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_minute(1_700_000_000), "2023-11-14 22:13 UTC");
        assert_eq!(utc_minute(951_782_400), "2000-02-29 00:00 UTC"); // a leap day
        assert_eq!(utc_minute(1_798_761_599), "2026-12-31 23:59 UTC");
    }

    #[test]
    fn load_average_is_the_first_field_of_proc_loadavg() {
        assert_eq!(load_average("2.31 1.90 1.20 3/412 9981\n"), Some(2.31));
        assert_eq!(load_average(""), None);
    }

    #[test]
    fn command_line_quotes_only_what_the_shell_would_split() {
        let args = ["bench", "--only", "overhead", "--note", "it's loaded"];
        assert_eq!(
            command_line(args.map(String::from)),
            r"cargo xtask bench --only overhead --note 'it'\''s loaded'"
        );
    }
}
