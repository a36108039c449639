//! `cargo xtask bench`: builds `blockbind-bench` and the CLI in release, runs each measurement
//! several times against its baseline in the same run, and renders one Markdown block per bench
//! (machine, date, commit, command, then the table). Each block is printed, saved as
//! `target/bench/<bench>.md` and, with `--write`, put into BENCHMARKS.md between that bench's
//! markers, so the file quotes the run verbatim. It measures; it asserts nothing.
//!
//! Every server it starts listens on 127.0.0.1 (port 0) and is stopped before it returns.

mod build;
mod cost;
mod provenance;
mod render;
mod sections;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use cost::{Memory, MemoryCommand};
use provenance::Provenance;
use render::{
    BenchApi, Codegen, Flavor, MassBlock, Overhead, Paginate, PeerPaginate, PeerRequest, Scaling,
};

pub(crate) use provenance::command_line;

/// The benches, in the order they run and their blocks appear; each is an `--only` value and
/// names its markers in BENCHMARKS.md (`<!-- BEGIN bench:overhead -->`).
pub(crate) const BENCHES: [&str; 8] = [
    "overhead",
    "paginate",
    "peers",
    "scaling",
    "mass-block",
    "memory",
    "codegen",
    "build",
];

pub(crate) struct Options {
    pub(crate) only: Vec<String>,
    pub(crate) quick: bool,
    /// Replace each bench's section of BENCHMARKS.md with its block.
    pub(crate) write: bool,
    /// The command line, for the blocks' header.
    pub(crate) command: String,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(0.0, f64::max)
}

/// Runs a program that prints one JSON object, and returns it.
fn json_of(cmd: &mut Command) -> Result<Value> {
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .context("running the benchmark")?;
    if !out.status.success() {
        bail!("{:?} failed: {}", cmd, String::from_utf8_lossy(&out.stdout));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .context("no JSON line")?;
    Ok(serde_json::from_str(line)?)
}

fn f(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or(f64::NAN)
}

fn u(v: &Value, key: &str) -> Result<u64> {
    v[key]
        .as_u64()
        .with_context(|| format!("no whole number `{key}` in {v}"))
}

pub(crate) fn run(root: &Path, options: &Options) -> Result<()> {
    let names: Vec<&str> = BENCHES
        .into_iter()
        .filter(|name| options.only.is_empty() || options.only.iter().any(|o| o == name))
        .collect();
    let doc = root.join("BENCHMARKS.md");
    if options.write {
        // Refuse now, not after minutes of measuring.
        let text = std::fs::read_to_string(&doc).context("reading BENCHMARKS.md")?;
        sections::check_markers(&text, &names).context("BENCHMARKS.md cannot take the tables")?;
    }
    let mut provenance = Provenance::capture(root, &options.command);
    println!(
        "machine: {}; commit {}",
        provenance.machine, provenance.commit
    );
    // The CLI is built only for the bench that runs it, so the others do not depend on it.
    let packages: &[&str] = if names.contains(&"mass-block") || names.contains(&"memory") {
        &["-p", "blockbind-bench", "-p", "blockbind-cli"]
    } else {
        &["-p", "blockbind-bench"]
    };
    // `build` and `codegen` run cargo themselves and need neither binary.
    let needs_binaries = names
        .iter()
        .any(|name| !matches!(*name, "build" | "codegen"));
    if needs_binaries {
        build_binaries(root, packages)?;
    }
    let bench = root.join("target/release/blockbind-bench");
    let cli = root.join("target/release/blockbind");

    let mut tables: Vec<(&str, Vec<String>)> = Vec::new();
    for name in names {
        let rows = match name {
            "overhead" => overhead(&bench, options.quick)?
                .iter()
                .map(render::overhead_row)
                .collect(),
            "paginate" => paginate(&bench, options.quick)?
                .iter()
                .map(render::paginate_row)
                .collect(),
            "peers" => {
                let (requests, pages) = peers(&bench, options.quick)?;
                requests
                    .iter()
                    .map(render::peer_request_row)
                    .chain(pages.iter().map(render::peer_paginate_row))
                    .collect()
            }
            "scaling" => scaling(&bench, options.quick)?
                .iter()
                .map(render::scaling_row)
                .collect(),
            "mass-block" => mass_block(&bench, &cli, options.quick)?
                .iter()
                .map(render::mass_block_row)
                .collect(),
            "memory" => memory(&bench, &cli, options.quick)?
                .iter()
                .map(cost::memory_row)
                .collect(),
            "codegen" => render::codegen_rows(&codegen(root)?),
            "build" => build::build_cost(root)?
                .iter()
                .flat_map(cost::build_rows)
                .collect(),
            other => bail!("no bench named {other}"),
        };
        tables.push((name, rows));
    }
    provenance.load_at_end =
        provenance::load_average(&std::fs::read_to_string("/proc/loadavg").unwrap_or_default());

    let out_dir = root.join("target/bench");
    std::fs::create_dir_all(&out_dir)?;
    let mut blocks = Vec::new();
    for (name, rows) in tables {
        let block = render::block(&provenance, &rows);
        let file = out_dir.join(format!("{name}.md"));
        std::fs::write(&file, &block)?;
        println!("\n{block}\n(saved as {})", file.display());
        blocks.push((name, block));
    }
    if options.write {
        sections::write_sections(&doc, &blocks)?;
        let names: Vec<&str> = blocks.iter().map(|(name, _)| *name).collect();
        println!("wrote {} into BENCHMARKS.md", names.join(", "));
    }
    Ok(())
}

fn build_binaries(root: &Path, packages: &[&str]) -> Result<()> {
    println!("building {} in release ...", packages.join(" "));
    // `peers` compiles the crates blockbind is compared with (twitch_api, twapi-v2) into the
    // bench binary; no other build of the workspace does.
    let status = Command::new("cargo")
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--quiet",
            "--features",
            "blockbind-bench/peers",
        ])
        .args(packages)
        .status()?;
    if !status.success() {
        bail!("the release build failed");
    }
    Ok(())
}

/// Each API on the current-thread runtime (with callgrind counts), then on the multi-thread one.
fn overhead(bench: &Path, quick: bool) -> Result<Vec<Overhead>> {
    let runs = if quick { 3 } else { 5 };
    let (requests, rounds) = (2_000u64, 9u32);
    let mut results = Vec::new();
    for flavor in ["current-thread", "multi-thread"] {
        for api in BenchApi::ALL {
            let (mut sdk, mut raw, mut ratio, mut workers) =
                (Vec::new(), Vec::new(), Vec::new(), 1);
            for _ in 0..runs {
                let v = json_of(Command::new(bench).args([
                    "overhead",
                    "--api",
                    api.arg(),
                    "--runtime",
                    flavor,
                    "--requests",
                    &requests.to_string(),
                    "--rounds",
                    &rounds.to_string(),
                ]))?;
                sdk.push(f(&v, "sdk_us"));
                raw.push(f(&v, "raw_us"));
                ratio.push(f(&v, "ratio"));
                workers = u(&v, "workers")?;
            }
            let flavor = if flavor == "current-thread" {
                Flavor::CurrentThread
            } else {
                Flavor::MultiThread { workers }
            };
            let instructions = match flavor {
                Flavor::CurrentThread => callgrind_ratio(bench, api),
                Flavor::MultiThread { .. } => None,
            };
            let result = Overhead {
                api,
                flavor,
                runs,
                rounds,
                requests,
                sdk_us: median(sdk),
                raw_us: median(raw),
                ratio: median(ratio),
                instructions,
            };
            println!("{}", render::overhead_row(&result));
            results.push(result);
        }
    }
    Ok(results)
}

/// The whole block list of each API from one mock process, the SDK and the loop alternating.
fn paginate(bench: &Path, quick: bool) -> Result<Vec<Paginate>> {
    let users = if quick { 200_000 } else { 1_000_000 };
    let pairs = if quick { 3 } else { 5 };
    let mut mock = Command::new(bench)
        .args(["mock", "--users", &users.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let measured = (|| -> Result<Vec<Paginate>> {
        let ready = read_ready(&mut mock)?;
        let base = ready["base_url"].as_str().context("base_url")?.to_string();
        let c = &ready["credentials"];
        let mut results = Vec::new();
        for api in BenchApi::ALL {
            let (user, token, per_page) = match api {
                BenchApi::Helix => (&c["twitch_user_id"], &c["twitch_token"], 100),
                BenchApi::XV2 => (&c["x_user_id"], &c["x_oauth2_token"], 1000),
            };
            let (user, token) = (
                user.as_str().context("user")?,
                token.as_str().context("token")?,
            );
            let (mut sdk, mut raw, mut sdk_rss, mut raw_rss) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for pair in 0..pairs {
                let order = if pair % 2 == 0 {
                    ["sdk", "raw"]
                } else {
                    ["raw", "sdk"]
                };
                for mode in order {
                    let v = json_of(
                        Command::new(bench)
                            .env("BLOCKBIND_BENCH_TOKEN", token)
                            .args(["paginate", "--api", api.arg(), "--mode", mode])
                            .args(["--base", &base, "--user", user])
                            .args([
                                "--client-id",
                                c["twitch_client_id"].as_str().unwrap_or(""),
                                "--token-env",
                                "BLOCKBIND_BENCH_TOKEN",
                            ]),
                    )?;
                    if v["users"].as_u64() != Some(users) {
                        bail!(
                            "{}/{mode} streamed {} users, not {users}",
                            api.arg(),
                            v["users"]
                        );
                    }
                    let (rate, rss) = if mode == "sdk" {
                        (&mut sdk, &mut sdk_rss)
                    } else {
                        (&mut raw, &mut raw_rss)
                    };
                    rate.push(f(&v, "users_per_s"));
                    rss.push(f(&v, "peak_rss_mib"));
                }
            }
            let ratios = sdk.iter().zip(&raw).map(|(s, r)| s / r).collect();
            let result = Paginate {
                api,
                users,
                per_page,
                pairs,
                ratio: median(ratios),
                sdk_peak_rss_mib: max(&sdk_rss),
                raw_peak_rss_mib: max(&raw_rss),
                sdk_users_per_s: median(sdk),
                raw_users_per_s: median(raw),
            };
            println!("{}", render::paginate_row(&result));
            results.push(result);
        }
        Ok(results)
    })();
    drop(mock.stdin.take()); // the mock serves until its stdin closes
    let _ = mock.wait();
    measured
}

/// A process that serves and prints its ready line; it serves until its stdin closes (dropped
/// with the guard).
struct Server {
    child: Child,
    ready: Value,
}

impl Server {
    fn start(cmd: &mut Command) -> Result<Self> {
        let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
        match read_ready(&mut child) {
            Ok(ready) => Ok(Self { child, ready }),
            Err(e) => {
                drop(child.stdin.take());
                let _ = child.wait();
                Err(e)
            }
        }
    }

    fn base(&self) -> Result<String> {
        Ok(self.ready["base_url"]
            .as_str()
            .context("base_url")?
            .to_string())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// blockbind against the peer crate of each API and raw reqwest: one page per request against
/// `blockbind-bench serve`, then whole lists of the mock, each side in a process of its own.
fn peers(bench: &Path, quick: bool) -> Result<(Vec<PeerRequest>, Vec<PeerPaginate>)> {
    let runs = if quick { 3 } else { 5 };
    let rounds = 9u32;
    let mut per_request = Vec::new();
    for api in BenchApi::ALL {
        // twapi-v2 connects anew on every request (milliseconds each): fewer keep a run short.
        let requests = match api {
            BenchApi::Helix => 1_000u64,
            BenchApi::XV2 => 300,
        };
        let server = Server::start(Command::new(bench).args(["serve", "--api", api.arg()]))?;
        let base = server.base()?;
        let (mut sdk, mut peer, mut raw, mut name) = (Vec::new(), Vec::new(), Vec::new(), None);
        for _ in 0..runs {
            let v = json_of(
                Command::new(bench)
                    // twitch_api's Helix URL (its `mock_api` feature).
                    .env("TWITCH_HELIX_URL", format!("{base}/helix/"))
                    .args([
                        "peers",
                        "--api",
                        api.arg(),
                        "--base",
                        &base,
                        "--requests",
                        &requests.to_string(),
                        "--rounds",
                        &rounds.to_string(),
                    ]),
            )?;
            sdk.push(f(&v, "blockbind_us"));
            peer.push(f(&v, "peer_us"));
            raw.push(f(&v, "raw_us"));
            name = v["peer"].as_str().map(str::to_string);
        }
        let ratios = |other: &[f64]| median(sdk.iter().zip(other).map(|(s, o)| s / o).collect());
        let result = PeerRequest {
            api,
            peer: name.context("the peer's name")?,
            runs,
            rounds,
            requests,
            vs_peer: ratios(&peer),
            vs_raw: ratios(&raw),
            blockbind_us: median(sdk),
            peer_us: median(peer),
            raw_us: median(raw),
        };
        println!("{}", render::peer_request_row(&result));
        per_request.push(result);
    }

    let users = 200_000u64;
    let triples = if quick { 3 } else { 5 };
    let mock = Server::start(Command::new(bench).args(["mock", "--users", &users.to_string()]))?;
    let base = mock.base()?;
    let c = &mock.ready["credentials"];
    let mut pages = Vec::new();
    for api in BenchApi::ALL {
        let (user, token, per_page) = match api {
            BenchApi::Helix => (&c["twitch_user_id"], &c["twitch_token"], 100),
            BenchApi::XV2 => (&c["x_user_id"], &c["x_oauth2_token"], 1000),
        };
        let (user, token) = (
            user.as_str().context("user")?,
            token.as_str().context("token")?,
        );
        let modes = ["sdk", "peer", "raw"];
        let mut rate: [Vec<f64>; 3] = Default::default();
        let mut rss: [Vec<f64>; 3] = Default::default();
        let mut name = None;
        for triple in 0..triples {
            for k in 0..3 {
                let side = (triple + k) % 3;
                let v = json_of(
                    Command::new(bench)
                        .env("BLOCKBIND_BENCH_TOKEN", token)
                        // twitch_api's Helix URL (its `mock_api` feature).
                        .env("TWITCH_HELIX_URL", format!("{base}/helix/"))
                        .args(["paginate", "--api", api.arg(), "--mode", modes[side]])
                        .args(["--base", &base, "--user", user])
                        .args([
                            "--client-id",
                            c["twitch_client_id"].as_str().unwrap_or(""),
                            "--token-env",
                            "BLOCKBIND_BENCH_TOKEN",
                        ]),
                )?;
                if v["users"].as_u64() != Some(users) {
                    bail!(
                        "{}/{} streamed {} users, not {users}",
                        api.arg(),
                        modes[side],
                        v["users"]
                    );
                }
                if side == 1 {
                    name = v["peer"].as_str().map(str::to_string);
                }
                rate[side].push(f(&v, "users_per_s"));
                rss[side].push(f(&v, "peak_rss_mib"));
            }
        }
        let ratio = |other: usize| {
            median(
                rate[0]
                    .iter()
                    .zip(&rate[other])
                    .map(|(s, o)| s / o)
                    .collect(),
            )
        };
        let result = PeerPaginate {
            api,
            peer: name.context("the peer's name")?,
            users,
            per_page,
            triples,
            vs_peer: ratio(1),
            vs_raw: ratio(2),
            users_per_s: rate.clone().map(median),
            peak_rss_mib: rss.map(|r| max(&r)),
        };
        println!("{}", render::peer_paginate_row(&result));
        pages.push(result);
    }
    Ok((per_request, pages))
}

/// Requests per second with 1, 8, 64 and 256 in flight, the SDK and raw reqwest alternating,
/// on the bench's multi-threaded runtime, against `blockbind-bench serve`.
fn scaling(bench: &Path, quick: bool) -> Result<Vec<Scaling>> {
    let runs = if quick { 3 } else { 5 };
    let (requests, rounds) = (4_096u64, 5u32);
    let mut results = Vec::new();
    for api in BenchApi::ALL {
        let server = Server::start(Command::new(bench).args(["serve", "--api", api.arg()]))?;
        let base = server.base()?;
        for inflight in [1u64, 8, 64, 256] {
            let (mut sdk, mut raw, mut ratio, mut workers) =
                (Vec::new(), Vec::new(), Vec::new(), 1);
            for _ in 0..runs {
                let v = json_of(Command::new(bench).args([
                    "scaling",
                    "--api",
                    api.arg(),
                    "--base",
                    &base,
                    "--inflight",
                    &inflight.to_string(),
                    "--requests",
                    &requests.to_string(),
                    "--rounds",
                    &rounds.to_string(),
                ]))?;
                sdk.push(f(&v, "sdk_per_s"));
                raw.push(f(&v, "raw_per_s"));
                ratio.push(f(&v, "ratio"));
                workers = u(&v, "workers")?;
            }
            let result = Scaling {
                api,
                inflight,
                workers,
                runs,
                rounds,
                requests,
                sdk_per_s: median(sdk),
                raw_per_s: median(raw),
                ratio: median(ratio),
            };
            println!("{}", render::scaling_row(&result));
            results.push(result);
        }
    }
    Ok(results)
}

/// `blockbind import` at a Helix bucket, then at an X-style one (X's 50 per 15 minutes scaled
/// to 50 per 15 seconds), each with 20 ms of latency on every request.
fn mass_block(bench: &Path, cli: &Path, quick: bool) -> Result<Vec<MassBlock>> {
    let (helix_targets, x_targets) = if quick { (1_600, 150) } else { (5_000, 500) };
    let (latency_ms, concurrency) = (20u64, 16u16);
    let mut results = Vec::new();
    for (api, targets, limit, window_ms) in [
        (BenchApi::Helix, helix_targets, 800u32, 10_000u64),
        (BenchApi::XV2, x_targets, 50, 15_000),
    ] {
        let v = json_of(
            Command::new(bench)
                .args(["mass-block", "--api", api.arg(), "--cli"])
                .arg(cli)
                .args([
                    "--targets",
                    &targets.to_string(),
                    "--limit",
                    &limit.to_string(),
                    "--window-ms",
                    &window_ms.to_string(),
                    "--latency-ms",
                    &latency_ms.to_string(),
                    "--concurrency",
                    &concurrency.to_string(),
                ]),
        )?;
        let result = MassBlock {
            api,
            targets,
            limit,
            window_ms,
            latency_ms,
            concurrency,
            seconds: f(&v, "seconds"),
            blocks_per_s: f(&v, "blocks_per_s"),
            bucket_per_s: f(&v, "bucket_per_s"),
            ratio: f(&v, "ratio"),
            blocked_once: u(&v, "blocked_once")?,
            responses_429: u(&v, "responses_429")?,
            windows: f(&v, "windows"),
        };
        println!("{}", render::mass_block_row(&result));
        results.push(result);
    }
    Ok(results)
}

/// Peak RSS of `blockbind import --plan read` and `blockbind diff` of a million targets (with
/// `--quick`, 100,000), all already on the list, for each API; each run a bench process of its
/// own, whose only child is the CLI.
fn memory(bench: &Path, cli: &Path, quick: bool) -> Result<Vec<Memory>> {
    // Peak RSS barely moves between runs of the same input: one run each keeps it short.
    let (targets, runs) = (if quick { 100_000u64 } else { 1_000_000 }, 1);
    let mut results = Vec::new();
    for api in BenchApi::ALL {
        for command in MemoryCommand::ALL {
            let (mut peak, mut last) = (Vec::new(), None);
            for _ in 0..runs {
                let v = json_of(
                    Command::new(bench)
                        .args(["memory", "--api", api.arg(), "--cli"])
                        .arg(cli)
                        .args(["--targets", &targets.to_string()])
                        .args(["--command", command.arg()]),
                )?;
                if v["still_blocked"].as_u64() != Some(targets) {
                    bail!(
                        "{} {}: the list holds {} blocks afterwards, not {targets}",
                        api.arg(),
                        command.arg(),
                        v["still_blocked"]
                    );
                }
                peak.push(f(&v, "peak_rss_mib"));
                last = Some(v);
            }
            let v = last.context("no run")?;
            let result = Memory {
                api,
                command,
                targets,
                runs,
                requests: u(&v, "requests")?,
                seconds: f(&v, "seconds"),
                peak_rss_mib: max(&peak),
            };
            println!("{}", cost::memory_row(&result));
            results.push(result);
        }
    }
    Ok(results)
}

fn read_ready(child: &mut Child) -> Result<Value> {
    let stdout = child.stdout.take().context("mock stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    serde_json::from_str(&line).context("the mock's ready line")
}

/// Instructions per request of the SDK and of raw reqwest, from callgrind (deterministic where
/// wall time is noisy): the difference between runs of 1,000 and 2,000 requests, so start-up
/// cancels out. `None` when valgrind is not installed.
fn callgrind_ratio(bench: &Path, api: BenchApi) -> Option<(f64, f64)> {
    let count = |side: &str, requests: u32| -> Option<f64> {
        let out = Command::new("valgrind")
            .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
            .arg(bench)
            .args([
                "overhead",
                "--api",
                api.arg(),
                "--requests",
                &requests.to_string(),
                "--rounds",
                "1",
            ])
            .env("BLOCKBIND_BENCH_ONLY", side)
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&out.stderr);
        let refs = text.lines().find(|l| l.contains("I   refs:"))?;
        refs.split(':').nth(1)?.trim().replace(',', "").parse().ok()
    };
    let per = |side: &str| Some((count(side, 2000)? - count(side, 1000)?) / 1000.0);
    Some((per("sdk")?, per("raw")?))
}

/// `cargo xtask generate --check` on all specs (median of 5), and a one-line spec edit to a
/// rebuilt crate (the spec is restored and its crate regenerated afterwards).
fn codegen(root: &Path) -> Result<Codegen> {
    let cargo = |args: &[&str]| -> Result<f64> {
        let started = Instant::now();
        let status = Command::new("cargo")
            .current_dir(root)
            .args(args)
            .stdout(Stdio::null())
            .status()?;
        if !status.success() {
            bail!("cargo {args:?} failed");
        }
        Ok(started.elapsed().as_secs_f64())
    };
    let specs = std::fs::read_dir(root.join("specs"))?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().extension().is_some_and(|e| e == "yaml"))
        .count();
    let checks = 5;
    cargo(&["xtask", "generate", "--check"])?; // warm: the xtask itself is built
    let check_s = median(
        (0..checks)
            .map(|_| cargo(&["xtask", "generate", "--check"]))
            .collect::<Result<Vec<_>>>()?,
    );
    cargo(&["build", "--quiet", "-p", "blockbind-x-v2"])?;

    let spec = root.join("specs/x-v2.yaml");
    let original = std::fs::read_to_string(&spec)?;
    let edited = original.replacen("summary: ", "summary: (edited) ", 1);
    std::fs::write(&spec, &edited)?;
    let timed = (|| -> Result<(f64, f64)> {
        let generate = cargo(&["xtask", "generate", "-p", "x-v2"])?;
        let build = cargo(&["build", "--quiet", "-p", "blockbind-x-v2"])?;
        Ok((generate, build))
    })();
    std::fs::write(&spec, &original)?;
    cargo(&["xtask", "generate", "-p", "x-v2"])?;
    let (generate_s, build_s) = timed?;
    Ok(Codegen {
        specs,
        checks,
        check_s,
        generate_s,
        build_s,
    })
}
