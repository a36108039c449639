//! `cargo xtask lint`: Spectral's `spectral:oas` ruleset over every spec.
//!
//! Spectral is pinned in `tools/spectral/package.json` + `package-lock.json` and installed with
//! `npm ci` into `tools/spectral/node_modules` (ignored by git) the first time it is needed.

use std::path::Path;
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

pub fn run(root: &Path) -> Result<ExitCode> {
    let tool_dir = root.join("tools/spectral");
    let spectral = tool_dir.join("node_modules/.bin/spectral");
    if !spectral.exists() {
        eprintln!("installing Spectral (pinned in tools/spectral/package-lock.json) ...");
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&tool_dir)
            .status()
            .context("running npm (Node.js and npm must be installed)")?;
        if !status.success() {
            bail!("npm ci in tools/spectral failed ({status})");
        }
    }
    let specs: Vec<String> = blockbind_spec::workspace_specs(root)?
        .into_iter()
        .map(|s| s.rel_path)
        .collect();
    let status = Command::new(&spectral)
        .args([
            "lint",
            "--ruleset",
            ".spectral.yaml",
            "--fail-severity",
            "warn",
        ])
        .args(&specs)
        .current_dir(root)
        .status()
        .with_context(|| format!("running {}", spectral.display()))?;
    Ok(if status.success() {
        println!("spectral: {} specs clean", specs.len());
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
