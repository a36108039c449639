//! Memory at scale: peak RSS of `blockbind import` (the planner reading the list) and
//! `blockbind diff` of `targets` users against a block list that already holds every one of
//! them, on the mock in this process.
//!
//! The CLI's peak RSS is the `ru_maxrss` of a process whose only child it is. That process is
//! `blockbind-bench peak-rss`, not this one: on Linux a child's `ru_maxrss` starts from its
//! parent's peak at the fork (`exec` records the old memory map's high-water mark), and this
//! process holds the mock's million blocks. The small `peak-rss` process bounds the figure from
//! below by its own few MiB instead.

use std::time::Instant;

use blockbind::Api;
use serde_json::json;

use crate::on_mock;

/// Which CLI command to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum MemoryCommand {
    /// `import FILE --plan read`: reads the whole list, then sends what is not on it.
    Import,
    /// `diff FILE`: reads the whole list and reports both sides.
    Diff,
}

pub(crate) async fn memory(
    api: Api,
    cli: &str,
    targets: u64,
    command: MemoryCommand,
) -> Result<(), Box<dyn std::error::Error>> {
    let (name, platform) = on_mock::names(api);
    let mock = blockbind_mock::MockServer::start(blockbind_mock::MockConfig {
        rate_limiting: false,
        validate_responses: false,
        initial_blocks: 0,
        ..Default::default()
    })
    .await?;
    let owner = on_mock::owner(&mock, api);
    let ids = mock.seed_blocks(platform, &owner, 0, targets);
    if ids.len() as u64 != targets {
        return Err(format!("the mock seeded {} blocks, not {targets}", ids.len()).into());
    }
    let dir = std::env::temp_dir().join(format!("blockbind-bench-memory-{}", std::process::id()));
    let file = on_mock::targets_file(&dir, &ids)?;
    drop(ids);
    let before = mock.requests_received();
    let exe = std::env::current_exe()?;
    let mut cmd = on_mock::command(&exe, &["peak-rss".as_ref(), cli.as_ref()], &mock, api, &dir);
    match command {
        MemoryCommand::Import => cmd.arg("import").arg(&file).args(["--plan", "read"]),
        MemoryCommand::Diff => cmd.arg("diff").arg(&file),
    };
    let out = cmd.output().await?;
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = text
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .map(serde_json::from_str)
        .transpose()?
        .ok_or("no line from peak-rss")?;
    if !out.status.success() || report["success"] != true {
        return Err(format!("{command:?} failed: {report}").into());
    }
    let requests = mock.requests_received() - before;
    let still_blocked = mock.blocked(platform, &owner).len();
    println!(
        "{}",
        json!({"bench": "memory", "api": name, "command": format!("{command:?}").to_lowercase(),
               "targets": targets, "already_blocked": targets, "still_blocked": still_blocked,
               "requests": requests, "seconds": report["seconds"], "peak_rss_mib": report["peak_rss_mib"],
               "stdout_last": report["stdout_last"], "stderr_last": report["stderr_last"]})
    );
    mock.stop().await;
    Ok(())
}

/// `blockbind-bench peak-rss COMMAND...`: runs the command, then prints its peak RSS.
pub(crate) fn peak_rss(command: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let (program, args) = command.split_first().ok_or("no command")?;
    let started = Instant::now();
    let out = std::process::Command::new(program).args(args).output()?;
    let secs = started.elapsed().as_secs_f64();
    // Reaped by `output()`, and the only child: the children's peak is the command's, in KiB.
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)?;
    let tail = |bytes: &[u8]| {
        String::from_utf8_lossy(bytes)
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .to_string()
    };
    println!(
        "{}",
        json!({"success": out.status.success(), "status": out.status.code(), "seconds": secs,
               "peak_rss_mib": usage.max_rss() as f64 / 1024.0,
               "own_peak_rss_mib": crate::paginate::peak_rss_kib().map(|k| k as f64 / 1024.0),
               "stdout_last": tail(&out.stdout), "stderr_last": tail(&out.stderr)})
    );
    Ok(())
}
