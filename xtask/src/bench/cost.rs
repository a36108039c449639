//! The Markdown rows of the `memory` and `build` benches: peak RSS of the CLI over a list of a
//! million, and the build cost of blockbind's crates against the crates people use today. Like
//! `render`, this only formats the results it is given, so a test can pin its output.

use super::render::{BenchApi, met, row, thousands};

/// At most this peak RSS of `blockbind import` of a million targets over a list of a million.
pub(crate) const MEMORY_MAX_RSS_MIB: f64 = 96.0;
/// At most this ratio of blockbind's cold release build time to the peer crate's, same API.
pub(crate) const BUILD_MAX_RATIO: f64 = 0.5;

/// The CLI command the memory bench ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MemoryCommand {
    Import,
    Diff,
}

impl MemoryCommand {
    pub(crate) const ALL: [MemoryCommand; 2] = [MemoryCommand::Import, MemoryCommand::Diff];

    /// The `--command` value of `blockbind-bench memory`.
    pub(crate) fn arg(self) -> &'static str {
        match self {
            MemoryCommand::Import => "import",
            MemoryCommand::Diff => "diff",
        }
    }
}

/// Peak RSS of one CLI run over a list that already holds every target.
pub(crate) struct Memory {
    pub(crate) api: BenchApi,
    pub(crate) command: MemoryCommand,
    pub(crate) targets: u64,
    /// Runs measured; the figure is the largest peak.
    pub(crate) runs: usize,
    /// Requests the mock received during the (last) run.
    pub(crate) requests: u64,
    /// Wall time of the (last) run.
    pub(crate) seconds: f64,
    pub(crate) peak_rss_mib: f64,
}

pub(crate) fn memory_row(m: &Memory) -> String {
    let n = thousands(m.targets);
    let (what, target) = match m.command {
        MemoryCommand::Import => (
            format!(
                "peak RSS, `blockbind import FILE --plan read` of {n} targets, all already on the {} list of {n} (the planner reads the list; nothing left to send)",
                m.api.label()
            ),
            format!("≤ {MEMORY_MAX_RSS_MIB} MiB"),
        ),
        MemoryCommand::Diff => (
            format!(
                "peak RSS, `blockbind diff FILE` of {n} targets against the {} list of the same {n}",
                m.api.label()
            ),
            "reported".to_string(),
        ),
    };
    let mut misses = Vec::new();
    if m.command == MemoryCommand::Import && m.peak_rss_mib > MEMORY_MAX_RSS_MIB {
        misses.push(format!("{:.1} MiB", m.peak_rss_mib - MEMORY_MAX_RSS_MIB));
    }
    row([
        &what,
        &format!(
            "release CLI against the mock (rate limits off), in a process of its own: {} requests, {:.1} s",
            thousands(m.requests),
            m.seconds
        ),
        &format!(
            "**{:.1} MiB** (`ru_maxrss`, largest of {} run{})",
            m.peak_rss_mib,
            m.runs,
            if m.runs == 1 { "" } else { "s" }
        ),
        &target,
        &match m.command {
            MemoryCommand::Import => met(&misses),
            MemoryCommand::Diff => String::new(),
        },
    ])
}

/// Cold release builds of a scratch crate depending on blockbind with one API feature and of
/// one depending on the peer crate, then blockbind's rebuild after its generated crate changed.
pub(crate) struct BuildCost {
    pub(crate) api: BenchApi,
    /// The peer crate, version and features, as the row names it.
    pub(crate) peer: String,
    pub(crate) rounds: usize,
    pub(crate) blockbind_s: f64,
    pub(crate) peer_s: f64,
    /// The generated crate (`blockbind-twitch-helix`) and its `generated.rs` lines.
    pub(crate) generated_crate: String,
    pub(crate) generated_lines: u64,
    /// The generated crate's own compile time and the sum over every crate of the cold build,
    /// from `cargo build --timings` (`None` when the report could not be read).
    pub(crate) generated_crate_s: Option<f64>,
    pub(crate) units_s: Option<f64>,
    /// The file whose modification time was bumped, and the release rebuild that followed.
    pub(crate) touched: String,
    pub(crate) rebuild_s: f64,
    /// The floor: a cold release build of a scratch crate on the workspace's `reqwest` (with
    /// rustls), `serde` and `tokio` alone, the transport any client on this stack needs.
    pub(crate) floor_s: Option<f64>,
}

pub(crate) fn build_rows(b: &BuildCost) -> Vec<String> {
    let ratio = b.blockbind_s / b.peer_s;
    let mut misses = Vec::new();
    if ratio > BUILD_MAX_RATIO {
        misses.push(format!("{:.2}", ratio - BUILD_MAX_RATIO));
    }
    let share = match (b.generated_crate_s, b.units_s) {
        (Some(own), Some(all)) if all > 0.0 => format!(
            "; `{}` ({} lines of generated.rs) compiled in {:.1} s of the {:.1} s summed over every crate ({:.0}%)",
            b.generated_crate,
            thousands(b.generated_lines),
            own,
            all,
            100.0 * own / all
        ),
        _ => format!(
            "; `{}` has {} lines of generated.rs (per-crate times not read)",
            b.generated_crate,
            thousands(b.generated_lines)
        ),
    };
    let rounds = if b.rounds == 1 {
        "one round".to_string()
    } else {
        format!("median of {} rounds", b.rounds)
    };
    let mut rows = vec![
        row([
            &format!(
                "cold `cargo build --release`, a scratch crate on `blockbind` (path, `default-features = false`, only `{}`) vs on {}, dependencies included, a target dir each",
                b.api.arg(),
                b.peer
            ),
            &format!(
                "blockbind {:.1} s, {} {:.1} s ({rounds}, alternating){share}",
                b.blockbind_s, b.peer, b.peer_s
            ),
            &format!("**{ratio:.2}** of the peer's time"),
            &format!("≤ {BUILD_MAX_RATIO}"),
            &met(&misses),
        ]),
        row([
            &format!(
                "release rebuild of the `{}` scratch crate after touching `{}`",
                b.api.arg(),
                b.touched
            ),
            &format!(
                "`{}` and everything above it recompiled, dependencies kept",
                b.generated_crate
            ),
            &format!("**{:.1} s**", b.rebuild_s),
            "reported",
            "",
        ]),
    ];
    if let Some(floor) = b.floor_s {
        rows.push(row([
            "the floor: cold `cargo build --release` of a scratch crate on the workspace's `reqwest` 0.13 (`rustls`, `json`, `query`, `stream`), `serde` and `tokio` alone, no blockbind code",
            &format!("{floor:.1} s, against {} {:.1} s", b.peer, b.peer_s),
            &format!("**{:.2}** of the peer's time", floor / b.peer_s),
            "reported",
            "",
        ]));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_rows_hold_import_to_its_target_and_report_diff() {
        let mut m = Memory {
            api: BenchApi::Helix,
            command: MemoryCommand::Import,
            targets: 1_000_000,
            runs: 1,
            requests: 10_001,
            seconds: 12.34,
            peak_rss_mib: 80.04,
        };
        assert_eq!(
            memory_row(&m),
            "| peak RSS, `blockbind import FILE --plan read` of 1,000,000 targets, all already on the Helix list \
             of 1,000,000 (the planner reads the list; nothing left to send) \
             | release CLI against the mock (rate limits off), in a process of its own: 10,001 requests, 12.3 s \
             | **80.0 MiB** (`ru_maxrss`, largest of 1 run) | ≤ 96 MiB | yes |"
        );
        m.peak_rss_mib = 100.0;
        assert!(memory_row(&m).ends_with("| ≤ 96 MiB | no, by 4.0 MiB |"));
        m.command = MemoryCommand::Diff;
        m.runs = 2;
        let diff = memory_row(&m);
        assert!(
            diff.starts_with("| peak RSS, `blockbind diff FILE` of 1,000,000 targets"),
            "{diff}"
        );
        assert!(
            diff.ends_with("| **100.0 MiB** (`ru_maxrss`, largest of 2 runs) | reported |  |"),
            "{diff}"
        );
    }

    #[test]
    fn build_rows_compare_with_the_peer_and_report_the_generated_crates_share() {
        let mut b = BuildCost {
            api: BenchApi::XV2,
            peer: "`twapi-v2` 0.27.0".into(),
            rounds: 1,
            blockbind_s: 60.0,
            peer_s: 100.0,
            generated_crate: "blockbind-x-v2".into(),
            generated_lines: 11_762,
            generated_crate_s: Some(20.0),
            units_s: Some(160.0),
            touched: "crates/x-v2/src/lib.rs".into(),
            rebuild_s: 31.26,
            floor_s: None,
        };
        assert_eq!(
            build_rows(&b),
            [
                "| cold `cargo build --release`, a scratch crate on `blockbind` (path, `default-features = false`, \
                 only `x-v2`) vs on `twapi-v2` 0.27.0, dependencies included, a target dir each \
                 | blockbind 60.0 s, `twapi-v2` 0.27.0 100.0 s (one round, alternating); `blockbind-x-v2` \
                 (11,762 lines of generated.rs) compiled in 20.0 s of the 160.0 s summed over every crate (12%) \
                 | **0.60** of the peer's time | ≤ 0.5 | no, by 0.10 |",
                "| release rebuild of the `x-v2` scratch crate after touching `crates/x-v2/src/lib.rs` \
                 | `blockbind-x-v2` and everything above it recompiled, dependencies kept | **31.3 s** | reported |  |",
            ]
        );
        b.blockbind_s = 40.0;
        b.units_s = None;
        let rows = build_rows(&b);
        assert!(rows[0].ends_with("| **0.40** of the peer's time | ≤ 0.5 | yes |"));
        assert!(rows[0].contains("has 11,762 lines of generated.rs (per-crate times not read)"));
    }
}
