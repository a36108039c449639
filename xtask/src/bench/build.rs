//! The `build` bench: cold `cargo build --release` of a scratch crate that depends on blockbind
//! with one API feature, and of one that depends on the crate people use for that API, each
//! with a target directory of its own under `target/bench-build/`, alternating; then the
//! blockbind crate's release rebuild after its generated crate's `lib.rs` is touched. Each
//! scratch directory is deleted when its case is done.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::cost::BuildCost;
use super::render::BenchApi;

/// One scratch crate: its directory name, the dependency line, and what `lib.rs` re-exports.
struct Case {
    name: &'static str,
    dependency: String,
    reexport: &'static str,
}

/// The cold build's wall time, and the per-crate times of cargo's `--timings` report.
struct Cold {
    seconds: f64,
    units: Option<Vec<(String, f64)>>,
}

pub(super) fn build_cost(root: &Path) -> Result<Vec<BuildCost>> {
    let scratch = root.join("target/bench-build");
    let lock = root.join("Cargo.lock");
    let facade = |feature: &str| Case {
        name: if feature == "twitch-helix" {
            "blockbind-helix"
        } else {
            "blockbind-x-v2"
        },
        dependency: format!(
            "blockbind = {{ path = {:?}, default-features = false, features = [{feature:?}] }}",
            root.display().to_string()
        ),
        reexport: "blockbind",
    };
    // The floor first: the transport alone, with the workspace's own dependency lines.
    let manifest = std::fs::read_to_string(root.join("Cargo.toml"))?;
    let floor = Case {
        name: "floor",
        dependency: ["reqwest", "serde", "tokio"]
            .iter()
            .map(|name| workspace_dependency(&manifest, name))
            .collect::<Result<Vec<_>>>()?
            .join("\n"),
        reexport: "reqwest",
    };
    let dir = scratch.join(floor.name);
    let measured = cold_build(&dir, &floor, &lock);
    let _ = std::fs::remove_dir_all(&dir);
    let floor_s = measured?.seconds;
    println!("  floor (reqwest, serde, tokio): cold {floor_s:.1} s");
    let mut results = Vec::new();
    for api in BenchApi::ALL {
        let (ours, peer, peer_label, generated_crate, touched) = match api {
            BenchApi::Helix => (
                facade("twitch-helix"),
                Case {
                    name: "twitch_api",
                    dependency:
                        r#"twitch_api = { version = "=0.8.0", features = ["helix", "reqwest"] }"#
                            .into(),
                    reexport: "twitch_api",
                },
                "`twitch_api` 0.8.0 (`helix`, `reqwest`)",
                "blockbind-twitch-helix",
                "crates/twitch-helix/src/lib.rs",
            ),
            BenchApi::XV2 => (
                facade("x-v2"),
                Case {
                    name: "twapi-v2",
                    dependency: r#"twapi-v2 = "=0.27.0""#.into(),
                    reexport: "twapi_v2",
                },
                "`twapi-v2` 0.27.0 (default features)",
                "blockbind-x-v2",
                "crates/x-v2/src/lib.rs",
            ),
        };
        // blockbind first, then its rebuild (its target dir is still there), then the peer.
        let dir = scratch.join(ours.name);
        let measured = (|| -> Result<(Cold, f64)> {
            let cold = cold_build(&dir, &ours, &lock)?;
            bump_mtime(&root.join(touched))?;
            let rebuild = timed_build(&dir, false)?;
            Ok((cold, rebuild))
        })();
        let _ = std::fs::remove_dir_all(&dir);
        let (ours_cold, rebuild_s) = measured?;
        println!(
            "  {}: cold {:.1} s, rebuild {rebuild_s:.1} s",
            ours.name, ours_cold.seconds
        );

        let dir = scratch.join(peer.name);
        let measured = cold_build(&dir, &peer, &lock);
        let _ = std::fs::remove_dir_all(&dir);
        let peer_cold = measured?;
        println!("  {}: cold {:.1} s", peer.name, peer_cold.seconds);

        let generated = std::fs::read_to_string(root.join(touched).with_file_name("generated.rs"))
            .context("reading the generated crate")?;
        let units = ours_cold.units.as_deref();
        results.push(BuildCost {
            api,
            peer: peer_label.to_string(),
            rounds: 1,
            blockbind_s: ours_cold.seconds,
            peer_s: peer_cold.seconds,
            generated_crate: generated_crate.to_string(),
            generated_lines: generated.lines().count() as u64,
            generated_crate_s: units.and_then(|u| {
                u.iter()
                    .find(|(name, _)| name == generated_crate)
                    .map(|(_, s)| *s)
            }),
            units_s: units.map(|u| u.iter().map(|(_, s)| s).sum()),
            touched: touched.to_string(),
            rebuild_s,
            floor_s: Some(floor_s),
        });
    }
    let _ = std::fs::remove_dir(&scratch);
    Ok(results)
}

/// The `name = ...` line of `[workspace.dependencies]` in the root manifest's text.
fn workspace_dependency(manifest: &str, name: &str) -> Result<String> {
    let section = manifest
        .split("[workspace.dependencies]")
        .nth(1)
        .context("no [workspace.dependencies] in Cargo.toml")?;
    let section = section.split("\n[").next().unwrap_or(section);
    section
        .lines()
        .find(|line| line.starts_with(&format!("{name} =")))
        .map(str::to_string)
        .with_context(|| format!("no {name} in [workspace.dependencies]"))
}

/// Writes the scratch crate (with the workspace's Cargo.lock, so versions resolve as in the
/// workspace), fetches its dependencies untimed, then times a cold release build offline.
fn cold_build(dir: &Path, case: &Case, lock: &Path) -> Result<Cold> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"bench-build-{}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\n{}\n\n# Not a member of the blockbind workspace above it.\n[workspace]\n",
            case.name.replace('_', "-"),
            case.dependency
        ),
    )?;
    std::fs::write(
        dir.join("src/lib.rs"),
        format!("pub use {};\n", case.reexport),
    )?;
    std::fs::copy(lock, dir.join("Cargo.lock")).context("copying Cargo.lock")?;
    let status = cargo(dir).arg("fetch").stdout(Stdio::null()).status()?;
    if !status.success() {
        bail!("cargo fetch failed in {}", dir.display());
    }
    let seconds = timed_build(dir, true)?;
    let report = dir.join("target/cargo-timings/cargo-timing.html");
    let units = std::fs::read_to_string(report)
        .ok()
        .and_then(|html| unit_times(&html));
    Ok(Cold { seconds, units })
}

fn timed_build(dir: &Path, timings: bool) -> Result<f64> {
    let mut cmd = cargo(dir);
    cmd.args(["build", "--release", "--offline", "--quiet"]);
    if timings {
        cmd.arg("--timings");
    }
    let started = Instant::now();
    let status = cmd.stdout(Stdio::null()).status()?;
    let seconds = started.elapsed().as_secs_f64();
    if !status.success() {
        bail!("cargo build --release failed in {}", dir.display());
    }
    Ok(seconds)
}

/// `cargo` in `dir` with its own target directory there.
fn cargo(dir: &Path) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("CARGO_BUILD_TARGET_DIR");
    cmd
}

/// Changes nothing but the file's modification time, so cargo rebuilds its crate.
fn bump_mtime(path: &Path) -> Result<()> {
    std::fs::File::options()
        .append(true)
        .open(path)
        .and_then(|f| f.set_modified(SystemTime::now()))
        .with_context(|| format!("touching {}", path.display()))
}

/// Each compiled unit's name and duration from cargo's `--timings` HTML report (its
/// `const UNIT_DATA = [...]`), or `None` when the report has no such array.
fn unit_times(html: &str) -> Option<Vec<(String, f64)>> {
    let at = html.find("UNIT_DATA = ")? + "UNIT_DATA = ".len();
    let data: Value = serde_json::Deserializer::from_str(&html[at..])
        .into_iter::<Value>()
        .next()?
        .ok()?;
    data.as_array()?
        .iter()
        .map(|u| Some((u["name"].as_str()?.to_string(), u["duration"].as_f64()?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_times_reads_cargos_timing_report() {
        let html = "<script>\nconst UNIT_DATA = [\n  {\n    \"i\": 0,\n    \"name\": \"serde\",\n    \
                    \"duration\": 4.5,\n    \"sections\": []\n  },\n  {\"name\": \"blockbind-x-v2\", \
                    \"duration\": 20.25}\n];\nconst CONCURRENCY_DATA = [];\n</script>";
        assert_eq!(
            unit_times(html),
            Some(vec![
                ("serde".to_string(), 4.5),
                ("blockbind-x-v2".to_string(), 20.25)
            ])
        );
        assert_eq!(unit_times("<html>no data</html>"), None);
        assert_eq!(unit_times("const UNIT_DATA = [{\"name\": 1}];"), None);
    }
}
