//! `cargo xtask dist [--debug]`: what a packager installs besides the binary, made from the CLI's
//! own clap model by the built binary (`blockbind man --dir`, `blockbind completions SHELL`), so
//! the man pages and completions cannot drift from `--help`:
//!
//! ```text
//! target/dist/bin/blockbind
//! target/dist/man/man1/blockbind.1, blockbind-list.1, ...
//! target/dist/completions/blockbind.bash, _blockbind (zsh), blockbind.fish, blockbind.elv,
//!                         _blockbind.ps1
//! target/dist/LICENSE-MIT, LICENSE-APACHE
//! ```
//!
//! It builds and runs; it must not install anything outside `target/dist/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Each shell `blockbind completions` knows, and the file name its completion system looks for.
const COMPLETIONS: [(&str, &str); 5] = [
    ("bash", "blockbind.bash"),
    ("zsh", "_blockbind"),
    ("fish", "blockbind.fish"),
    ("elvish", "blockbind.elv"),
    ("powershell", "_blockbind.ps1"),
];

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// Runs the built binary; its stdout.
fn output_of(bin: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let output = Command::new(bin)
        .args(args)
        .output()
        .with_context(|| format!("running {}", bin.display()))?;
    if !output.status.success() {
        bail!(
            "`blockbind {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(output.stdout)
}

pub fn run(root: &Path, debug: bool) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build.current_dir(root).args([
        "build",
        "--locked",
        "-p",
        "blockbind-cli",
        "--bin",
        "blockbind",
    ]);
    if !debug {
        build.arg("--release");
    }
    let status = build.status().context("running cargo build")?;
    if !status.success() {
        bail!("building blockbind-cli failed");
    }
    let target = target_dir(root);
    let exe = format!("blockbind{}", std::env::consts::EXE_SUFFIX);
    let built = target
        .join(if debug { "debug" } else { "release" })
        .join(&exe);

    let dist = target.join("dist");
    if dist.exists() {
        std::fs::remove_dir_all(&dist).with_context(|| format!("emptying {}", dist.display()))?;
    }
    let (bin_dir, man_dir, completions_dir) = (
        dist.join("bin"),
        dist.join("man/man1"),
        dist.join("completions"),
    );
    for dir in [&bin_dir, &man_dir, &completions_dir] {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let bin = bin_dir.join(&exe);
    std::fs::copy(&built, &bin).with_context(|| format!("copying {}", built.display()))?;

    let man_dir_arg = man_dir.to_string_lossy().into_owned();
    output_of(&bin, &["man", "--dir", &man_dir_arg])?;
    for (shell, file) in COMPLETIONS {
        let script = output_of(&bin, &["completions", shell])?;
        let path = completions_dir.join(file);
        std::fs::write(&path, script).with_context(|| format!("writing {}", path.display()))?;
    }
    for licence in ["LICENSE-MIT", "LICENSE-APACHE"] {
        std::fs::copy(root.join(licence), dist.join(licence))
            .with_context(|| format!("copying {licence}"))?;
    }

    let mut pages: Vec<String> = std::fs::read_dir(&man_dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    println!("{}", bin.display());
    println!("{}: {}", man_dir.display(), pages.join(", "));
    println!(
        "{}: {}",
        completions_dir.display(),
        COMPLETIONS.map(|(_, f)| f).join(", ")
    );
    Ok(())
}
