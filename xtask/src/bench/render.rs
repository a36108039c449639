//! The Markdown of `cargo xtask bench`: one block per bench, a provenance header over a table
//! with a row per measurement, its target and whether it was met. The xtask prints these
//! blocks, saves them under `target/bench/` and, with `--write`, puts them into BENCHMARKS.md.
//! This module only formats the results it is given; it must not measure or read anything, so
//! a test can pin its output exactly.

use super::provenance::Provenance;

/// At most this ratio of the generated client's time per request to raw reqwest's.
pub(crate) const OVERHEAD_MAX_RATIO: f64 = 1.03;
/// At least this ratio of the `stream()`'s users per second to the hand-written loop's.
pub(crate) const PAGINATE_MIN_RATIO: f64 = 0.9;
/// At most this peak RSS of the process that streams the whole list.
pub(crate) const PAGINATE_MAX_RSS_MIB: f64 = 64.0;
/// At least this ratio of the achieved block rate to the bucket's nominal rate.
pub(crate) const MASS_BLOCK_MIN_RATIO: f64 = 0.97;
/// At most this many 429 answers per bucket window.
pub(crate) const MASS_BLOCK_MAX_429_PER_WINDOW: f64 = 1.0;
/// At most this ratio of blockbind's time per request to the peer crate's for the same API.
pub(crate) const PEER_MAX_TIME_RATIO: f64 = 1.0;
/// At least this ratio of blockbind's users per second to the peer crate's.
pub(crate) const PEER_MIN_RATE_RATIO: f64 = 1.0;
/// At least this ratio of the SDK's requests per second to raw reqwest's at the same concurrency.
pub(crate) const SCALING_MIN_RATIO: f64 = 0.95;
/// At most this wall time for `cargo xtask generate --check`.
pub(crate) const CODEGEN_CHECK_MAX_S: f64 = 1.0;

/// The APIs the benches compare with a hand-written baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BenchApi {
    Helix,
    XV2,
}

impl BenchApi {
    pub(crate) const ALL: [BenchApi; 2] = [BenchApi::Helix, BenchApi::XV2];

    /// The `--api` value of `blockbind-bench`.
    pub(crate) fn arg(self) -> &'static str {
        match self {
            BenchApi::Helix => "twitch-helix",
            BenchApi::XV2 => "x-v2",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            BenchApi::Helix => "Helix",
            BenchApi::XV2 => "X v2",
        }
    }
}

/// The Tokio runtime an overhead run used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    CurrentThread,
    MultiThread { workers: u64 },
}

/// Per-request overhead, medians over `runs` runs of `rounds` interleaved rounds of `requests`.
pub(crate) struct Overhead {
    pub(crate) api: BenchApi,
    pub(crate) flavor: Flavor,
    pub(crate) runs: usize,
    pub(crate) rounds: u32,
    pub(crate) requests: u64,
    pub(crate) sdk_us: f64,
    pub(crate) raw_us: f64,
    pub(crate) ratio: f64,
    /// Instructions per request of the SDK and of raw reqwest, when callgrind counted them.
    pub(crate) instructions: Option<(f64, f64)>,
}

/// Pagination of a whole block list, medians over `pairs` alternating pairs of processes.
pub(crate) struct Paginate {
    pub(crate) api: BenchApi,
    pub(crate) users: u64,
    pub(crate) per_page: u32,
    pub(crate) pairs: usize,
    pub(crate) sdk_users_per_s: f64,
    pub(crate) raw_users_per_s: f64,
    pub(crate) ratio: f64,
    pub(crate) sdk_peak_rss_mib: f64,
    pub(crate) raw_peak_rss_mib: f64,
}

/// One `blockbind import` against a bucket of `limit` per `window_ms`.
pub(crate) struct MassBlock {
    pub(crate) api: BenchApi,
    pub(crate) targets: u64,
    pub(crate) limit: u32,
    pub(crate) window_ms: u64,
    pub(crate) latency_ms: u64,
    pub(crate) concurrency: u16,
    pub(crate) seconds: f64,
    pub(crate) blocks_per_s: f64,
    pub(crate) bucket_per_s: f64,
    pub(crate) ratio: f64,
    pub(crate) blocked_once: u64,
    pub(crate) responses_429: u64,
    pub(crate) windows: f64,
}

/// One page per request, blockbind against the peer crate and raw reqwest: medians over `runs`
/// runs of `rounds` rotating rounds of `requests`.
pub(crate) struct PeerRequest {
    pub(crate) api: BenchApi,
    /// The peer crate and version.
    pub(crate) peer: String,
    pub(crate) runs: usize,
    pub(crate) rounds: u32,
    pub(crate) requests: u64,
    pub(crate) blockbind_us: f64,
    pub(crate) peer_us: f64,
    pub(crate) raw_us: f64,
    /// blockbind's time over the peer's (median of the runs' ratios).
    pub(crate) vs_peer: f64,
    /// blockbind's time over raw reqwest's.
    pub(crate) vs_raw: f64,
}

/// A whole block list through blockbind's `stream()`, the peer and a raw loop: medians over
/// `triples` rotating triples of processes.
pub(crate) struct PeerPaginate {
    pub(crate) api: BenchApi,
    pub(crate) peer: String,
    pub(crate) users: u64,
    pub(crate) per_page: u32,
    pub(crate) triples: usize,
    /// Users per second of blockbind, the peer and the raw loop.
    pub(crate) users_per_s: [f64; 3],
    /// Peak RSS of blockbind, the peer and the raw loop (the largest of the runs).
    pub(crate) peak_rss_mib: [f64; 3],
    /// blockbind's users per second over the peer's (median of the triples' ratios).
    pub(crate) vs_peer: f64,
    pub(crate) vs_raw: f64,
}

/// Requests per second with `inflight` requests in flight, medians over `runs` runs of `rounds`
/// alternating rounds of `requests`.
pub(crate) struct Scaling {
    pub(crate) api: BenchApi,
    pub(crate) inflight: u64,
    pub(crate) workers: u64,
    pub(crate) runs: usize,
    pub(crate) rounds: u32,
    pub(crate) requests: u64,
    pub(crate) sdk_per_s: f64,
    pub(crate) raw_per_s: f64,
    pub(crate) ratio: f64,
}

/// `cargo xtask generate --check` (median of `checks`) and a one-line spec edit to a rebuilt crate.
pub(crate) struct Codegen {
    pub(crate) specs: usize,
    pub(crate) checks: usize,
    pub(crate) check_s: f64,
    pub(crate) generate_s: f64,
    pub(crate) build_s: f64,
}

/// A whole block: the provenance header, then the table.
pub(crate) fn block(provenance: &Provenance, rows: &[String]) -> String {
    let p = provenance;
    let mut out = format!(
        "Machine: {}. Date: {}. Commit: {}.\nCommand: `{}`.",
        p.machine, p.date, p.commit, p.command
    );
    let load = |l: Option<f64>| l.map_or("unknown".to_string(), |l| format!("{l:.2}"));
    if p.load_at_start.is_some() || p.load_at_end.is_some() {
        out.push_str(&format!(
            " Load average (1 min): {} at the start, {} at the end.",
            load(p.load_at_start),
            load(p.load_at_end)
        ));
    }
    out.push_str(
        "\n\n| what | measured | ratio / figure | target | met |\n|---|---|---|---|---|\n",
    );
    for row in rows {
        out.push_str(row);
        out.push('\n');
    }
    out
}

pub(crate) fn row(cells: [&str; 5]) -> String {
    format!("| {} |", cells.join(" | "))
}

/// "yes", or "no, by" what each missed target was missed by.
pub(crate) fn met(misses: &[String]) -> String {
    if misses.is_empty() {
        "yes".to_string()
    } else {
        format!("no, by {}", misses.join("; "))
    }
}

/// 1234567 -> "1,234,567".
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub(crate) fn overhead_row(o: &Overhead) -> String {
    let runtime = match o.flavor {
        Flavor::CurrentThread => "current-thread runtime".to_string(),
        Flavor::MultiThread { workers } => format!("multi-thread runtime ({workers} workers)"),
    };
    let instructions = match (o.instructions, o.flavor) {
        (Some((sdk, raw)), _) => format!(
            "**{:.3}** instructions ({:.0}k vs {:.0}k per request)",
            sdk / raw,
            sdk / 1e3,
            raw / 1e3
        ),
        (None, Flavor::CurrentThread) => {
            "instructions not counted (valgrind missing or failed)".to_string()
        }
        (None, Flavor::MultiThread { .. }) => {
            "instructions counted on the current-thread row only".to_string()
        }
    };
    let mut misses = Vec::new();
    if o.ratio > OVERHEAD_MAX_RATIO {
        misses.push(format!("{:.3}", o.ratio - OVERHEAD_MAX_RATIO));
    }
    row([
        &format!(
            "per-request overhead, {} list (a page of 20), sequential, {runtime}",
            o.api.label()
        ),
        &format!(
            "generated client + runtime {:.1} µs vs raw reqwest {:.1} µs, same headers, same local server",
            o.sdk_us, o.raw_us
        ),
        &format!(
            "**{:.3}** wall (median of {} runs × {} interleaved rounds of {}); {instructions}",
            o.ratio,
            o.runs,
            o.rounds,
            thousands(o.requests)
        ),
        &format!("≤ {OVERHEAD_MAX_RATIO}"),
        &met(&misses),
    ])
}

pub(crate) fn paginate_row(p: &Paginate) -> String {
    // Users per second to the nearest hundred: the runs differ by more than that.
    let rate = |r: f64| thousands(((r / 100.0).round() * 100.0) as u64);
    let mut misses = Vec::new();
    if p.ratio < PAGINATE_MIN_RATIO {
        misses.push(format!("{:.3}", PAGINATE_MIN_RATIO - p.ratio));
    }
    if p.sdk_peak_rss_mib > PAGINATE_MAX_RSS_MIB {
        misses.push(format!(
            "{:.1} MiB",
            p.sdk_peak_rss_mib - PAGINATE_MAX_RSS_MIB
        ));
    }
    row([
        &format!(
            "pagination, {} users through {} ({} per page)",
            thousands(p.users),
            p.api.label(),
            p.per_page
        ),
        &format!(
            "the crate's `stream()` {} users/s vs a hand-written reqwest + serde loop {} users/s",
            rate(p.sdk_users_per_s),
            rate(p.raw_users_per_s)
        ),
        &format!(
            "**{:.3}** (median of {} alternating pairs); peak RSS **{:.1} MiB** (loop {:.1} MiB)",
            p.ratio, p.pairs, p.sdk_peak_rss_mib, p.raw_peak_rss_mib
        ),
        &format!("≥ {PAGINATE_MIN_RATIO}; ≤ {PAGINATE_MAX_RSS_MIB} MiB"),
        &met(&misses),
    ])
}

pub(crate) fn mass_block_row(m: &MassBlock) -> String {
    let window_s = m.window_ms as f64 / 1000.0;
    let bucket = match m.api {
        BenchApi::Helix => "Helix",
        BenchApi::XV2 => "X-style",
    };
    let per_window = m.responses_429 as f64 / m.windows.max(1.0);
    let mut misses = Vec::new();
    if m.ratio < MASS_BLOCK_MIN_RATIO {
        misses.push(format!("{:.3}", MASS_BLOCK_MIN_RATIO - m.ratio));
    }
    if per_window > MASS_BLOCK_MAX_429_PER_WINDOW {
        misses.push(format!(
            "{:.2} 429s per window",
            per_window - MASS_BLOCK_MAX_429_PER_WINDOW
        ));
    }
    if m.blocked_once != m.targets {
        misses.push(format!(
            "{} targets not blocked exactly once",
            thousands(m.targets.saturating_sub(m.blocked_once))
        ));
    }
    row([
        &format!(
            "mass block: `blockbind import` of {} targets, {bucket} bucket of {} per {window_s} s, {} ms added latency, `--concurrency {}`",
            thousands(m.targets),
            m.limit,
            m.latency_ms,
            m.concurrency
        ),
        &format!(
            "{:.2} blocks/s vs the bucket's {:.2}/s, {:.1} s; {} of {} blocked exactly once",
            m.blocks_per_s,
            m.bucket_per_s,
            m.seconds,
            thousands(m.blocked_once),
            thousands(m.targets)
        ),
        &format!(
            "**{:.3}** of the bucket rate; **{}** answers 429 over {:.1} windows",
            m.ratio,
            thousands(m.responses_429),
            m.windows
        ),
        &format!("≥ {MASS_BLOCK_MIN_RATIO}; ≤ {MASS_BLOCK_MAX_429_PER_WINDOW} per window"),
        &met(&misses),
    ])
}

pub(crate) fn peer_request_row(p: &PeerRequest) -> String {
    let mut misses = Vec::new();
    if p.vs_peer > PEER_MAX_TIME_RATIO {
        misses.push(format!("{:.3}", p.vs_peer - PEER_MAX_TIME_RATIO));
    }
    row([
        &format!(
            "one page per request, {} list (a page of 20), sequential, current-thread runtime, server in its own process",
            p.api.label()
        ),
        &format!(
            "blockbind {:.1} µs, {} {:.1} µs, raw reqwest {:.1} µs per request",
            p.blockbind_us, p.peer, p.peer_us, p.raw_us
        ),
        &format!(
            "**{:.3}** of {}'s time; {:.3} of raw reqwest's (median of {} runs × {} rotating rounds of {})",
            p.vs_peer,
            p.peer,
            p.vs_raw,
            p.runs,
            p.rounds,
            thousands(p.requests)
        ),
        &format!("≤ {PEER_MAX_TIME_RATIO:.1} of the peer's"),
        &met(&misses),
    ])
}

pub(crate) fn peer_paginate_row(p: &PeerPaginate) -> String {
    let rate = |r: f64| thousands(((r / 100.0).round() * 100.0) as u64);
    let mut misses = Vec::new();
    if p.vs_peer < PEER_MIN_RATE_RATIO {
        misses.push(format!("{:.3}", PEER_MIN_RATE_RATIO - p.vs_peer));
    }
    let how = match p.api {
        BenchApi::Helix => "`make_stream`",
        BenchApi::XV2 => "loop over `pagination_token`",
    };
    row([
        &format!(
            "pagination, {} users through {} ({} per page), the mock",
            thousands(p.users),
            p.api.label(),
            p.per_page
        ),
        &format!(
            "blockbind `stream()` {} users/s, {} {how} {} users/s, raw reqwest + serde loop {} users/s",
            rate(p.users_per_s[0]),
            p.peer,
            rate(p.users_per_s[1]),
            rate(p.users_per_s[2])
        ),
        &format!(
            "**{:.3}** × {}'s users/s; {:.3} × the loop's (median of {} rotating triples); peak RSS {:.1} / {:.1} / {:.1} MiB",
            p.vs_peer,
            p.peer,
            p.vs_raw,
            p.triples,
            p.peak_rss_mib[0],
            p.peak_rss_mib[1],
            p.peak_rss_mib[2]
        ),
        &format!("≥ {PEER_MIN_RATE_RATIO:.1} of the peer's"),
        &met(&misses),
    ])
}

pub(crate) fn scaling_row(s: &Scaling) -> String {
    let mut misses = Vec::new();
    if s.ratio < SCALING_MIN_RATIO {
        misses.push(format!("{:.3}", SCALING_MIN_RATIO - s.ratio));
    }
    row([
        &format!(
            "throughput, {} list, {} in flight, multi-thread runtime ({} workers), pacing on",
            s.api.label(),
            s.inflight,
            s.workers
        ),
        &format!(
            "generated client + runtime {} req/s vs raw reqwest {} req/s, same concurrency, same local server",
            thousands(s.sdk_per_s.round() as u64),
            thousands(s.raw_per_s.round() as u64)
        ),
        &format!(
            "**{:.3}** (median of {} runs × {} alternating rounds of {})",
            s.ratio,
            s.runs,
            s.rounds,
            thousands(s.requests)
        ),
        &format!("≥ {SCALING_MIN_RATIO}"),
        &met(&misses),
    ])
}

pub(crate) fn codegen_rows(c: &Codegen) -> Vec<String> {
    let mut misses = Vec::new();
    if c.check_s >= CODEGEN_CHECK_MAX_S {
        misses.push(format!("{:.2} s", c.check_s - CODEGEN_CHECK_MAX_S));
    }
    vec![
        row([
            &format!(
                "`cargo xtask generate --check`, all {} specs, xtask already built",
                c.specs
            ),
            &format!("wall time, median of {}", c.checks),
            &format!("**{:.2} s**", c.check_s),
            &format!("< {CODEGEN_CHECK_MAX_S} s"),
            &met(&misses),
        ]),
        row([
            "a one-line edit of `specs/x-v2.yaml` to a rebuilt crate",
            &format!(
                "`cargo xtask generate -p x-v2` {:.2} s + `cargo build -p blockbind-x-v2` (debug) {:.2} s",
                c.generate_s, c.build_s
            ),
            &format!("**{:.2} s**", c.generate_s + c.build_s),
            "reported",
            "",
        ]),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provenance() -> Provenance {
        Provenance {
            machine: "AMD EPYC, 2 logical cores, 23.5 GiB".into(),
            date: "2026-11-24 10:31 UTC".into(),
            commit: "12990be+dirty".into(),
            command: "cargo xtask bench --only overhead".into(),
            load_at_start: Some(2.3),
            load_at_end: Some(2.876),
        }
    }

    #[test]
    fn overhead_results_render_as_the_exact_block_benchmarks_md_quotes() {
        let rows = [
            overhead_row(&Overhead {
                api: BenchApi::Helix,
                flavor: Flavor::CurrentThread,
                runs: 5,
                rounds: 9,
                requests: 2000,
                sdk_us: 26.24,
                raw_us: 24.71,
                ratio: 1.0614,
                instructions: Some((170_400.0, 155_200.0)),
            }),
            overhead_row(&Overhead {
                api: BenchApi::XV2,
                flavor: Flavor::MultiThread { workers: 2 },
                runs: 5,
                rounds: 9,
                requests: 2000,
                sdk_us: 75.0,
                raw_us: 74.0,
                ratio: 1.0136,
                instructions: None,
            }),
        ];
        assert_eq!(
            block(&provenance(), &rows),
            "Machine: AMD EPYC, 2 logical cores, 23.5 GiB. Date: 2026-11-24 10:31 UTC. Commit: 12990be+dirty.\n\
             Command: `cargo xtask bench --only overhead`. Load average (1 min): 2.30 at the start, 2.88 at the end.\n\
             \n\
             | what | measured | ratio / figure | target | met |\n\
             |---|---|---|---|---|\n\
             | per-request overhead, Helix list (a page of 20), sequential, current-thread runtime \
             | generated client + runtime 26.2 µs vs raw reqwest 24.7 µs, same headers, same local server \
             | **1.061** wall (median of 5 runs × 9 interleaved rounds of 2,000); **1.098** instructions (170k vs 155k per request) \
             | ≤ 1.03 | no, by 0.031 |\n\
             | per-request overhead, X v2 list (a page of 20), sequential, multi-thread runtime (2 workers) \
             | generated client + runtime 75.0 µs vs raw reqwest 74.0 µs, same headers, same local server \
             | **1.014** wall (median of 5 runs × 9 interleaved rounds of 2,000); instructions counted on the current-thread row only \
             | ≤ 1.03 | yes |\n"
        );
    }

    #[test]
    fn paginate_row_rounds_rates_to_hundreds_and_names_each_missed_target() {
        let mut p = Paginate {
            api: BenchApi::Helix,
            users: 1_000_000,
            per_page: 100,
            pairs: 5,
            sdk_users_per_s: 317_049.0,
            raw_users_per_s: 324_460.0,
            ratio: 0.9812,
            sdk_peak_rss_mib: 9.52,
            raw_peak_rss_mib: 9.31,
        };
        assert_eq!(
            paginate_row(&p),
            "| pagination, 1,000,000 users through Helix (100 per page) \
             | the crate's `stream()` 317,000 users/s vs a hand-written reqwest + serde loop 324,500 users/s \
             | **0.981** (median of 5 alternating pairs); peak RSS **9.5 MiB** (loop 9.3 MiB) \
             | ≥ 0.9; ≤ 64 MiB | yes |"
        );
        p.ratio = 0.85;
        p.sdk_peak_rss_mib = 70.0;
        assert!(paginate_row(&p).ends_with("| no, by 0.050; 6.0 MiB |"));
    }

    #[test]
    fn mass_block_row_counts_targets_not_blocked_exactly_once_as_a_miss() {
        let mut m = MassBlock {
            api: BenchApi::XV2,
            targets: 500,
            limit: 50,
            window_ms: 15_000,
            latency_ms: 20,
            concurrency: 16,
            seconds: 149.6,
            blocks_per_s: 3.342,
            bucket_per_s: 3.333,
            ratio: 1.003,
            blocked_once: 500,
            responses_429: 0,
            windows: 9.97,
        };
        assert_eq!(
            mass_block_row(&m),
            "| mass block: `blockbind import` of 500 targets, X-style bucket of 50 per 15 s, \
             20 ms added latency, `--concurrency 16` \
             | 3.34 blocks/s vs the bucket's 3.33/s, 149.6 s; 500 of 500 blocked exactly once \
             | **1.003** of the bucket rate; **0** answers 429 over 10.0 windows \
             | ≥ 0.97; ≤ 1 per window | yes |"
        );
        m.blocked_once = 498;
        assert!(mass_block_row(&m).ends_with("| no, by 2 targets not blocked exactly once |"));
    }

    #[test]
    fn codegen_rows_report_the_check_against_its_target_and_the_edit_as_a_figure() {
        let rows = codegen_rows(&Codegen {
            specs: 5,
            checks: 5,
            check_s: 0.412,
            generate_s: 0.26,
            build_s: 0.78,
        });
        assert_eq!(
            rows,
            [
                "| `cargo xtask generate --check`, all 5 specs, xtask already built | wall time, median of 5 \
                 | **0.41 s** | < 1 s | yes |",
                "| a one-line edit of `specs/x-v2.yaml` to a rebuilt crate \
                 | `cargo xtask generate -p x-v2` 0.26 s + `cargo build -p blockbind-x-v2` (debug) 0.78 s \
                 | **1.04 s** | reported |  |",
            ]
        );
    }

    #[test]
    fn peer_rows_compare_blockbind_with_the_peer_and_raw_reqwest() {
        let request = PeerRequest {
            api: BenchApi::Helix,
            peer: "twitch_api 0.8.0".into(),
            runs: 5,
            rounds: 9,
            requests: 1000,
            blockbind_us: 70.04,
            peer_us: 80.0,
            raw_us: 65.0,
            vs_peer: 0.8756,
            vs_raw: 1.0776,
        };
        assert_eq!(
            peer_request_row(&request),
            "| one page per request, Helix list (a page of 20), sequential, current-thread runtime, server in its own process \
             | blockbind 70.0 µs, twitch_api 0.8.0 80.0 µs, raw reqwest 65.0 µs per request \
             | **0.876** of twitch_api 0.8.0's time; 1.078 of raw reqwest's (median of 5 runs × 9 rotating rounds of 1,000) \
             | ≤ 1.0 of the peer's | yes |"
        );
        let mut page = PeerPaginate {
            api: BenchApi::XV2,
            peer: "twapi-v2 0.27.0".into(),
            users: 200_000,
            per_page: 1000,
            triples: 5,
            users_per_s: [150_049.0, 90_000.0, 160_000.0],
            peak_rss_mib: [12.61, 20.0, 10.9],
            vs_peer: 1.667,
            vs_raw: 0.938,
        };
        assert_eq!(
            peer_paginate_row(&page),
            "| pagination, 200,000 users through X v2 (1000 per page), the mock \
             | blockbind `stream()` 150,000 users/s, twapi-v2 0.27.0 loop over `pagination_token` 90,000 users/s, \
             raw reqwest + serde loop 160,000 users/s \
             | **1.667** × twapi-v2 0.27.0's users/s; 0.938 × the loop's (median of 5 rotating triples); \
             peak RSS 12.6 / 20.0 / 10.9 MiB | ≥ 1.0 of the peer's | yes |"
        );
        page.vs_peer = 0.9;
        assert!(peer_paginate_row(&page).ends_with("| no, by 0.100 |"));
    }

    #[test]
    fn scaling_row_states_the_concurrency_and_misses_below_the_target() {
        let mut s = Scaling {
            api: BenchApi::Helix,
            inflight: 64,
            workers: 2,
            runs: 5,
            rounds: 5,
            requests: 4096,
            sdk_per_s: 30_123.4,
            raw_per_s: 31_000.0,
            ratio: 0.9717,
        };
        assert_eq!(
            scaling_row(&s),
            "| throughput, Helix list, 64 in flight, multi-thread runtime (2 workers), pacing on \
             | generated client + runtime 30,123 req/s vs raw reqwest 31,000 req/s, same concurrency, same local server \
             | **0.972** (median of 5 runs × 5 alternating rounds of 4,096) | ≥ 0.95 | yes |"
        );
        s.ratio = 0.9;
        assert!(scaling_row(&s).ends_with("| no, by 0.050 |"));
    }

    #[test]
    fn thousands_groups_digits_by_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
