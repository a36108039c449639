//! `cargo xtask bench`: builds `blockbind-bench` and the CLI in release, runs each measurement
//! several times against its baseline in the same run, and prints medians and ratios as a
//! Markdown table for BENCHMARKS.md. It measures; it asserts nothing.
//!
//! Every server it starts listens on 127.0.0.1 (port 0) and is stopped before it returns.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::Value;

pub struct Options {
    pub only: Vec<String>,
    pub quick: bool,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
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

fn machine() -> String {
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpus} cores ({model})")
}

pub fn run(root: &Path, options: &Options) -> Result<()> {
    let wanted = |name: &str| options.only.is_empty() || options.only.iter().any(|o| o == name);
    println!("building blockbind-bench and blockbind in release ...");
    let status = Command::new("cargo")
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "blockbind-bench",
            "-p",
            "blockbind-cli",
        ])
        .status()?;
    if !status.success() {
        bail!("the release build failed");
    }
    let bench = root.join("target/release/blockbind-bench");
    let cli = root.join("target/release/blockbind");
    let mut rows: Vec<String> = Vec::new();
    println!("machine: {}", machine());

    if wanted("overhead") {
        for api in ["twitch-helix", "x-v2"] {
            let runs = if options.quick { 3 } else { 5 };
            let mut sdk = Vec::new();
            let mut raw = Vec::new();
            let mut ratio = Vec::new();
            for _ in 0..runs {
                let v = json_of(Command::new(&bench).args([
                    "overhead",
                    "--api",
                    api,
                    "--requests",
                    "2000",
                    "--rounds",
                    "9",
                ]))?;
                sdk.push(f(&v, "sdk_us"));
                raw.push(f(&v, "raw_us"));
                ratio.push(f(&v, "ratio"));
            }
            let instructions = callgrind_ratio(&bench, api);
            let name = api;
            rows.push(format!(
                "| per-request overhead, {name} list (20 users), sequential | generated client + runtime {:.1} µs vs raw reqwest {:.1} µs | **{:.3}** (median of {runs} runs x 9 interleaved rounds of 2,000){} | ≤ 1.03 |",
                median(sdk), median(raw), median(ratio),
                instructions.map(|(s, r)| format!("; instructions {:.0}k vs {:.0}k per request = {:.3}", s / 1e3, r / 1e3, s / r)).unwrap_or_default()
            ));
            println!("{}", rows.last().unwrap());
        }
    }

    if wanted("paginate") {
        let users = if options.quick { 200_000 } else { 1_000_000 };
        let mut mock = Command::new(&bench)
            .args(["mock", "--users", &users.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let ready = read_ready(&mut mock)?;
        let base = ready["base_url"].as_str().context("base_url")?.to_string();
        let c = &ready["credentials"];
        for (api, user, token) in [
            (
                "twitch-helix",
                c["twitch_user_id"].as_str(),
                c["twitch_token"].as_str(),
            ),
            (
                "x-v2",
                c["x_user_id"].as_str(),
                c["x_oauth2_token"].as_str(),
            ),
        ] {
            let (user, token) = (user.context("user")?, token.context("token")?);
            let runs = if options.quick { 3 } else { 5 };
            let (mut sdk, mut raw, mut rss, mut raw_rss) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for run in 0..runs {
                let order = if run % 2 == 0 {
                    ["sdk", "raw"]
                } else {
                    ["raw", "sdk"]
                };
                for mode in order {
                    let v = json_of(
                        Command::new(&bench)
                            .env("BLOCKBIND_BENCH_TOKEN", token)
                            .args([
                                "paginate", "--api", api, "--mode", mode, "--base", &base,
                                "--user", user,
                            ])
                            .args([
                                "--client-id",
                                c["twitch_client_id"].as_str().unwrap_or(""),
                                "--token-env",
                                "BLOCKBIND_BENCH_TOKEN",
                            ]),
                    )?;
                    if v["users"].as_u64() != Some(users) {
                        bail!("{api}/{mode} streamed {} users, not {users}", v["users"]);
                    }
                    if mode == "sdk" {
                        sdk.push(f(&v, "users_per_s"));
                        rss.push(f(&v, "peak_rss_mib"));
                    } else {
                        raw.push(f(&v, "users_per_s"));
                        raw_rss.push(f(&v, "peak_rss_mib"));
                    }
                }
            }
            let (name, per_page) = if api == "twitch-helix" {
                ("twitch-helix", 100)
            } else {
                ("x-v2", 1000)
            };
            let ratios: Vec<f64> = sdk.iter().zip(&raw).map(|(s, r)| s / r).collect();
            rows.push(format!(
                "| pagination, {users} users through {name} ({per_page} per page) | stream {:.0} users/s vs hand-written reqwest + serde loop {:.0} users/s; peak RSS {:.1} MiB (loop {:.1} MiB) | **{:.3}** (median of {runs} alternating pairs); RSS **{:.1} MiB** | ≥ 0.9; ≤ 64 MiB |",
                median(sdk.clone()), median(raw.clone()),
                rss.iter().cloned().fold(0.0, f64::max), raw_rss.iter().cloned().fold(0.0, f64::max),
                median(ratios), rss.iter().cloned().fold(0.0, f64::max)
            ));
            println!("{}", rows.last().unwrap());
        }
        drop(mock.stdin.take()); // the mock serves until its stdin closes
        let _ = mock.wait();
    }

    if wanted("mass-block") {
        let (helix_targets, x_targets) = if options.quick {
            ("1600", "150")
        } else {
            ("5000", "500")
        };
        for (api, targets, limit, window) in [
            ("twitch-helix", helix_targets, "800", "10000"),
            ("x-v2", x_targets, "50", "15000"),
        ] {
            let v = json_of(Command::new(&bench).args([
                "mass-block",
                "--api",
                api,
                "--cli",
                &cli.display().to_string(),
                "--targets",
                targets,
                "--limit",
                limit,
                "--window-ms",
                window,
                "--latency-ms",
                "20",
                "--concurrency",
                "16",
            ]))?;
            rows.push(format!(
                "| mass block: `blockbind import` of {} targets, {} bucket of {}, 20 ms latency | {:.2} blocks/s vs the bucket's {:.2}/s in {:.1} s; {} blocked once; {} answers 429 over {:.1} windows | **{:.3}**; **{:.2}** 429s per window | ≥ 0.97; ≤ 1 |",
                targets, if api == "twitch-helix" { "Helix" } else { "X-style" }, v["bucket"].as_str().unwrap_or(""),
                f(&v, "blocks_per_s"), f(&v, "bucket_per_s"), f(&v, "seconds"), v["blocked_once"], v["responses_429"], f(&v, "windows"),
                f(&v, "ratio"), f(&v, "per_window_429")
            ));
            println!("{}", rows.last().unwrap());
        }
    }

    if wanted("codegen") {
        rows.extend(codegen(root)?);
    }

    println!();
    println!("Machine: {}. Date: {}.", machine(), today());
    println!();
    println!("| what | measured | ratio / figure | target |");
    println!("|---|---|---|---|");
    for row in &rows {
        println!("{row}");
    }
    Ok(())
}

fn today() -> String {
    Command::new("date")
        .arg("+%Y-%m-%d")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
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
fn callgrind_ratio(bench: &Path, api: &str) -> Option<(f64, f64)> {
    let count = |side: &str, requests: u32| -> Option<f64> {
        let out = Command::new("valgrind")
            .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
            .arg(bench)
            .args([
                "overhead",
                "--api",
                api,
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
fn codegen(root: &Path) -> Result<Vec<String>> {
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
    cargo(&["xtask", "generate", "--check"])?; // warm: the xtask itself is built
    let check = median(
        (0..5)
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
    let (generate, build) = timed?;
    Ok(vec![
        format!(
            "| code generation: `cargo xtask generate --check`, all 5 specs, xtask built | wall time, median of 5 | **{check:.2} s** | < 1 s |"
        ),
        format!(
            "| one-line edit of `specs/x-v2.yaml` to a rebuilt `blockbind-x-v2` (debug) | `cargo xtask generate -p x-v2` {generate:.2} s + `cargo build -p blockbind-x-v2` {build:.2} s | **{:.2} s** | (reported) |",
            generate + build
        ),
    ])
}
