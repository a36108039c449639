//! End-to-end tests of the `blockbind` binary against the mock (started in this process on
//! 127.0.0.1:0): every command on all five APIs, imports killed with SIGKILL and resumed, bad
//! input files, a rate-limit bucket that runs dry, exit codes, and no secret in any output.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use blockbind_mock::{Bucket, Faults, MockConfig, Platform};
use common::{Setup, fast, ok, text};
use rand::Rng;

async fn setup(config: MockConfig) -> Setup {
    Setup::start(config).await
}

const APIS: [&str; 5] = [
    "twitch-helix",
    "twitch-kraken-v5",
    "twitch-kraken-v2",
    "x-v2",
    "x-v1",
];

/// How the API addresses a user: Kraken v2 by login, the others by ID (v1.1 takes both).
fn target_arg(api: &str, user: &blockbind_mock::User) -> String {
    if api == "twitch-kraken-v2" {
        user.login.clone()
    } else {
        user.id.clone()
    }
}

#[tokio::test]
async fn every_command_works_on_every_api() {
    for api in APIS {
        let s = setup(fast()).await;
        let (platform, owner) = s.owner(api);
        let a = s.mock.nth_user(101).unwrap();
        let b = s.mock.nth_user(102).unwrap();

        let out = ok(&s
            .run(api, &["block", &target_arg(api, &a), &target_arg(api, &b)])
            .await);
        assert_eq!(
            out.lines().filter(|l| l.starts_with("blocked ")).count(),
            2,
            "{api}: {out}"
        );
        let blocked = s.mock.blocked(platform, &owner);
        assert!(blocked.contains(&a.id) && blocked.contains(&b.id), "{api}");

        let listed: serde_json::Value =
            serde_json::from_str(&ok(&s.run(api, &["list", "--format", "json"]).await)).unwrap();
        let ids: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, blocked, "{api}: list is the mock's list");
        let table = ok(&s.run(api, &["list", "--limit", "2"]).await);
        assert_eq!(
            table.lines().count(),
            3,
            "{api}: header and two rows\n{table}"
        );

        ok(&s.run(api, &["export", "blocks.csv"]).await);
        let csv = std::fs::read_to_string(s.dir.path().join("blocks.csv")).unwrap();
        assert_eq!(csv.lines().count(), blocked.len() + 1, "{api}");

        ok(&s.run(api, &["unblock", &target_arg(api, &a)]).await);
        assert!(!s.mock.blocked(platform, &owner).contains(&a.id), "{api}");

        // The export still names `a`: diff shows it missing, import puts it back.
        let diff = ok(&s.run(api, &["diff", "blocks.csv"]).await);
        assert!(diff.contains(&format!("user ID {}", a.id)), "{api}: {diff}");
        assert!(
            diff.contains("1 in the file but not blocked, 0 blocked but not in the file"),
            "{api}: {diff}"
        );
        let import = ok(&s.run(api, &["import", "blocks.csv"]).await);
        assert!(import.contains("done: 1 blocked"), "{api}: {import}");
        assert_eq!(
            s.mock.blocks_applied(platform, &owner, &a.id),
            2,
            "{api}: blocked, unblocked, blocked"
        );

        let before = s.mock.blocked(platform, &owner);
        let dry = ok(&s
            .run(api, &["import", "--unblock", "--dry-run", "blocks.csv"])
            .await);
        assert!(dry.contains("nothing sent"), "{api}: {dry}");
        assert_eq!(
            s.mock.blocked(platform, &owner),
            before,
            "{api}: a dry run changes nothing"
        );
        assert_eq!(s.mock.violations(), Vec::<String>::new());
    }
}

/// Kills the import with SIGKILL once the journal holds `after` targets.
async fn import_killed(s: &Setup, api: &str, file: &str, journal: &Path, after: usize) {
    let mut child = s
        .command(
            api,
            &[
                "-q",
                "import",
                file,
                "--journal",
                &journal.display().to_string(),
            ],
        )
        .spawn()
        .unwrap();
    loop {
        let lines = std::fs::read_to_string(journal)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if lines > after {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the import ended ({status}) before it could be killed at {after}");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.start_kill().unwrap(); // SIGKILL
    let status = child.wait().await.unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9)
    );
}

#[tokio::test]
async fn an_import_killed_twice_with_sigkill_resumes_and_blocks_every_target_exactly_once() {
    for api in ["twitch-helix", "x-v2"] {
        let s = setup(fast()).await;
        let (platform, owner) = s.owner(api);
        let targets: Vec<String> = (0..3_000)
            .map(|n| s.mock.nth_user(10_000 + n).unwrap().id)
            .collect();
        let file = s.write("targets.txt", &targets.join("\n"));
        let journal = s.dir.path().join("targets.journal");

        let mut rng = rand::thread_rng();
        let first = rng.gen_range(100..1_400);
        let second = rng.gen_range(first + 100..2_800);
        println!("{api}: killing at {first} and {second} confirmed targets");
        import_killed(&s, api, &file, &journal, first).await;
        import_killed(&s, api, &file, &journal, second).await;
        let out = ok(&s
            .run(
                api,
                &[
                    "-q",
                    "import",
                    &file,
                    "--journal",
                    &journal.display().to_string(),
                ],
            )
            .await);
        assert!(out.contains("failed: 0; bad lines: 0"), "{out}");

        let blocked = s.mock.blocked(platform, &owner);
        for t in &targets {
            assert!(blocked.contains(t), "{api}: {t} is blocked");
            assert_eq!(
                s.mock.blocks_applied(platform, &owner, t),
                1,
                "{api}: {t} blocked once"
            );
            assert_eq!(
                s.mock.block_requests(platform, &owner, t),
                1,
                "{api}: {t} never sent again"
            );
        }
        assert_eq!(s.mock.blocked_more_than_once(platform), Vec::new());
        // The journal agrees: every target it names is blocked, and it names each at most once.
        let journaled = common::journal_ids(&std::fs::read_to_string(&journal).unwrap());
        let mut unique = journaled.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            journaled.len(),
            "{api}: no target journaled twice"
        );
        assert!(journaled.iter().all(|t| targets.contains(t)));
        // Whatever the kills cut off between confirmation and journal, the diff found blocked.
        assert!(
            journaled.len() > 2_900,
            "{api}: {} journaled",
            journaled.len()
        );
    }
}

#[tokio::test]
async fn a_bad_input_file_reports_each_bad_line_by_number_and_blocks_the_good_ones() {
    let s = setup(fast()).await;
    let good: Vec<String> = (0..3)
        .map(|n| s.mock.nth_user(500 + n).unwrap().id)
        .collect();
    let file = s.write(
        "mixed.txt",
        &format!(
            "# comment\n{}\nnot a login!\n{}\n12345678901234567890\n99999999999\n\u{7}\n{}\n",
            good[0], good[1], good[2]
        ),
    );
    let out = s.run("twitch-helix", &["import", &file]).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "bad lines make the run fail, after the good ones"
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    for line in [3, 5, 7] {
        assert!(
            stderr.contains(&format!("line {line}: invalid target")),
            "line {line}:\n{stderr}"
        );
    }
    assert!(
        stdout.contains("failed: line 6: user ID 99999999999"),
        "{stdout}"
    );
    assert!(
        stdout.contains("does not exist"),
        "the platform's message: {stdout}"
    );
    assert!(stdout.contains("done: 3 blocked"), "{stdout}");
    let (platform, owner) = s.owner("twitch-helix");
    for id in &good {
        assert_eq!(s.mock.blocks_applied(platform, &owner, id), 1);
    }
}

#[tokio::test]
async fn an_import_over_a_bucket_that_runs_dry_waits_for_the_reset() {
    // A small bucket with a long window: it runs dry however slowly a loaded machine sends (10
    // requests in the first window's 2 s or more), so the run must wait.
    let mut config = fast();
    config.rate_limits.insert(
        "twitch-helix".into(),
        Bucket {
            limit: 10,
            window_ms: 3_000,
        },
    );
    let s = setup(config).await;
    let targets: Vec<String> = (0..25)
        .map(|n| s.mock.nth_user(700 + n).unwrap().id)
        .collect();
    let file = s.write("t.txt", &targets.join("\n"));
    let started = std::time::SystemTime::now();
    let out = ok(&s
        .run("twitch-helix", &["import", &file, "--concurrency", "4"])
        .await);
    let elapsed = started.elapsed().unwrap();
    assert!(out.contains("done: 25 blocked"), "{out}");
    let (platform, owner) = s.owner("twitch-helix");
    for t in &targets {
        assert_eq!(s.mock.blocks_applied(platform, &owner, t), 1);
    }
    // 26 requests (the list read and 25 blocks) need three windows: the bucket runs dry, the
    // mock announces its reset, and the run must wait until it (the wait is the behaviour under
    // test, so its lower bound is a correctness check, not a timing) without drawing a single
    // 429. The first window to run dry is one the run must outlast (it holds at most 10 of the
    // 26); a later one may be the run's last window, with nothing left to wait for.
    let resets = s.mock.dry_resets(blockbind_mock::Api::TwitchHelix);
    assert!(!resets.is_empty(), "the bucket never ran dry");
    let first = resets[0].duration_since(started).unwrap();
    println!(
        "25 blocks through a 10 per 3 s bucket: {elapsed:?}; ran dry {} times, first announcing \
         a reset {first:?} after the start; {} answers 429",
        resets.len(),
        s.mock.responses_with_status(429)
    );
    assert!(
        elapsed >= first,
        "the run ended {elapsed:?} after the start, before the reset it had to wait for ({first:?})"
    );
    assert_eq!(s.mock.responses_with_status(429), 0, "429s drawn");
}

#[tokio::test]
async fn exit_codes_say_usage_auth_and_rate_limits_apart() {
    let s = setup(fast()).await;
    assert_eq!(
        s.run("", &["list"]).await.status.code(),
        Some(2),
        "no platform"
    );
    assert_eq!(
        s.run("twitch-helix", &["block"]).await.status.code(),
        Some(2),
        "no target"
    );
    assert_eq!(
        s.run("x-v2", &["import", "--concurrency", "0", "f"])
            .await
            .status
            .code(),
        Some(2)
    );
    let mut cmd = s.command("twitch-helix", &["list"]);
    cmd.env("TWITCH_TOKEN", "revoked-or-wrong");
    let out = cmd.output().await.unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("401 from the platform"),
        "{}",
        text(&out.stderr)
    );
    let mut cmd = s.command("twitch-helix", &["list"]);
    cmd.env("TWITCH_TOKEN", "a\r\nInjected: yes");
    let out = cmd.output().await.unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("TWITCH_TOKEN"));

    s.mock.set_faults(Faults {
        p_429: 1.0,
        ..Faults::default()
    });
    let out = s.run("x-v1", &["list"]).await;
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("429"), "{}", text(&out.stderr));
}

#[tokio::test]
async fn no_secret_reaches_any_output_even_at_trace_level() {
    let s = setup(fast()).await;
    let mut outputs = Vec::new();
    for api in APIS {
        let out = s
            .run(
                api,
                &[
                    "-vv",
                    "block",
                    &target_arg(api, &s.mock.nth_user(5).unwrap()),
                ],
            )
            .await;
        outputs.push(format!("{}{}", text(&out.stdout), text(&out.stderr)));
    }
    let out = s.run("x-v1", &["-vv", "list"]).await;
    outputs.push(format!("{}{}", text(&out.stdout), text(&out.stderr)));
    let all = outputs.join("\n");
    assert!(all.contains("blockbind.request"), "tracing is on: {all}");
    let c = s.mock.credentials();
    for secret in [
        &c.twitch_token,
        &c.x_oauth2_token,
        &c.x_oauth1.consumer_secret,
        &c.x_oauth1.token,
        &c.x_oauth1.token_secret,
    ] {
        assert!(!all.contains(secret.as_str()), "a secret in the output");
    }
}

#[tokio::test]
async fn credentials_come_from_a_private_file_and_never_from_flags() {
    use std::os::unix::fs::PermissionsExt;
    let s = setup(fast()).await;
    let c = s.mock.credentials();
    let path = s.dir.path().join("creds");
    std::fs::write(
        &path,
        format!(
            "TWITCH_CLIENT_ID={}\nTWITCH_TOKEN={}\n",
            c.twitch_client_id, c.twitch_token
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut cmd = s.command(
        "twitch-helix",
        &["--credentials-file", &path.display().to_string(), "list"],
    );
    cmd.env_remove("TWITCH_TOKEN")
        .env_remove("TWITCH_CLIENT_ID");
    ok(&cmd.output().await.unwrap());

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut cmd = s.command(
        "twitch-helix",
        &["--credentials-file", &path.display().to_string(), "list"],
    );
    cmd.env_remove("TWITCH_TOKEN")
        .env_remove("TWITCH_CLIENT_ID");
    let out = cmd.output().await.unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("chmod 600"));

    let out = s.run("twitch-helix", &["--token", "x", "list"]).await;
    assert_eq!(out.status.code(), Some(2), "there is no flag for a token");
}

#[tokio::test]
async fn x_archives_and_our_json_exports_import() {
    let s = setup(fast()).await;
    let ids: Vec<String> = (0..2)
        .map(|n| s.mock.nth_user(900 + n).unwrap().id)
        .collect();
    let archive = format!(
        "window.YTD.block.part0 = [\n  {{\n    \"blocking\" : {{\n      \"accountId\" : \"{}\",\n      \"userLink\" : \"https://twitter.com/intent/user?user_id={}\"\n    }}\n  }},\n  {{\n    \"blocking\" : {{\n      \"accountId\" : \"{}\"\n    }}\n  }}\n]",
        ids[0], ids[0], ids[1]
    );
    let file = s.write("block.js", &archive);
    let out = ok(&s.run("x-v1", &["import", &file]).await);
    assert!(out.contains("done: 2 blocked"), "{out}");

    ok(&s.run("x-v2", &["export", "mine.json"]).await);
    let out = ok(&s.run("x-v2", &["import", "--unblock", "mine.json"]).await);
    assert!(out.contains("unblocked"), "{out}");
    assert!(
        s.mock
            .blocked(Platform::X, &s.mock.credentials().x_user_id)
            .is_empty()
    );
}

#[tokio::test]
async fn mock_and_completions_and_help() {
    let s = setup(fast()).await;
    for shell in ["bash", "zsh", "fish"] {
        let out = ok(&s.run("", &["completions", shell]).await);
        assert!(
            out.contains("blockbind") && out.contains("import"),
            "{shell}"
        );
    }
    let help = ok(&s.run("", &["--help"]).await);
    assert!(
        help.contains("Examples:") && help.contains("Exit codes"),
        "{help}"
    );

    if !cfg!(feature = "mock") {
        // Built without the `mock` command: it is not a subcommand.
        let out = s.run("", &["mock", "--port", "0"]).await;
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        return;
    }
    let mut child = s
        .command("", &["mock", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !seen.contains("ready http://127.0.0.1:") {
        let mut buf = [0u8; 4096];
        let n = tokio::time::timeout_at(
            deadline,
            tokio::io::AsyncReadExt::read(&mut stdout, &mut buf),
        )
        .await
        .expect("the mock starts")
        .unwrap();
        assert!(n > 0, "the mock exited: {seen}");
        seen.push_str(&text(&buf[..n]));
    }
    assert!(
        seen.contains("TWITCH_TOKEN=") && seen.contains("--platform twitch-helix"),
        "{seen}"
    );
    child.start_kill().unwrap();
    let _ = child.wait().await;
}

/// Helix lists 100 users a page: 250 blocks are three pages.
const HELIX_PAGE: usize = 100;

/// A Helix account with 250 blocks (three pages), and its list, newest first.
async fn three_pages() -> (Setup, Vec<String>) {
    let s = setup(fast()).await;
    let (platform, owner) = s.owner("twitch-helix");
    s.mock.clear_blocks(platform, &owner);
    s.mock.seed_blocks(platform, &owner, 2_000, 250);
    let blocked = s.mock.blocked(platform, &owner);
    assert_eq!(blocked.len(), 250);
    (s, blocked)
}

/// Runs the command with every Helix list page after the first answered 500 (retries
/// included). The mock reads its faults after a request's latency, so with a latency on, the
/// faults switched on once it has answered page 1 catch page 2 however fast the client asks.
async fn with_the_second_page_failing(s: &Setup, args: &[&str]) -> Output {
    let list_requests = || {
        s.mock
            .requests(blockbind_mock::Api::TwitchHelix, "get_user_block_list")
    };
    let before = list_requests();
    s.mock.set_faults(Faults {
        latency_ms: 400,
        ..Faults::default()
    });
    let child = s.command("twitch-helix", args).output();
    let switch = async {
        while list_requests() == before {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        s.mock.set_faults(Faults {
            p_500: 1.0,
            ..Faults::default()
        });
    };
    let (out, ()) = tokio::join!(child, switch);
    let out = out.expect("the binary runs");
    assert!(
        list_requests() > before + 1,
        "the second page was asked for: {}",
        text(&out.stderr)
    );
    assert_eq!(
        out.status.code(),
        Some(4),
        "gave up on retries\n{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("500"),
        "the platform's status: {}",
        text(&out.stderr)
    );
    out
}

#[tokio::test]
async fn list_json_prints_every_user_of_every_page_as_one_array_and_jsonl_as_one_line_each() {
    let (s, blocked) = three_pages().await;
    let listed: Vec<blockbind::BlockedUser> = serde_json::from_str(&ok(&s
        .run("twitch-helix", &["list", "--format", "json"])
        .await))
    .expect("one JSON array");
    let ids: Vec<&str> = listed.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, blocked);

    let lines = ok(&s.run("twitch-helix", &["list", "--format", "jsonl"]).await);
    let ids: Vec<String> = lines
        .lines()
        .map(|l| {
            serde_json::from_str::<blockbind::BlockedUser>(l)
                .unwrap()
                .id
        })
        .collect();
    assert_eq!(ids, blocked);
    assert_eq!(s.mock.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn list_json_prints_nothing_and_a_typed_error_when_a_later_page_fails() {
    let (s, _) = three_pages().await;
    let out = with_the_second_page_failing(&s, &["list", "--format", "json"]).await;
    assert_eq!(text(&out.stdout), "", "no half array on stdout");
}

#[tokio::test]
async fn list_jsonl_prints_the_pages_before_a_failed_page_as_complete_lines() {
    let (s, blocked) = three_pages().await;
    let out = with_the_second_page_failing(&s, &["list", "--format", "jsonl"]).await;
    let stdout = text(&out.stdout);
    assert!(stdout.ends_with('\n'), "ends on a whole line: {stdout:?}");
    let ids: Vec<String> = stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<blockbind::BlockedUser>(l)
                .unwrap_or_else(|e| panic!("a complete object: {e}: {l:?}"))
                .id
        })
        .collect();
    assert_eq!(ids, blocked[..HELIX_PAGE], "exactly the first page");
}

#[tokio::test]
async fn a_failed_export_leaves_neither_the_file_nor_a_temporary_file() {
    let (s, _) = three_pages().await;
    let listing = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let before = listing(s.dir.path());
    for name in ["blocks.json", "blocks.csv"] {
        with_the_second_page_failing(&s, &["export", name]).await;
        assert_eq!(listing(s.dir.path()), before, "{name}: nothing written");
    }
    // An earlier export is left as it was.
    s.write("blocks.jsonl", "earlier\n");
    let before = listing(s.dir.path());
    with_the_second_page_failing(&s, &["export", "blocks.jsonl"]).await;
    assert_eq!(listing(s.dir.path()), before, "no temporary file");
    let kept = std::fs::read_to_string(s.dir.path().join("blocks.jsonl")).unwrap();
    assert_eq!(kept, "earlier\n");
}

#[tokio::test]
async fn kraken_warns_once_before_any_request_unless_local() {
    let s = setup(fast()).await;
    // A non-local server: the warning, once, before the command runs (here it fails at once,
    // reading a missing file, so no request is ever made).
    let out = s
        .command("twitch-kraken-v5", &["diff", "missing.csv"])
        .env("BLOCKBIND_BASE_URL", "http://example.invalid")
        .output()
        .await
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(stderr.matches("warning:").count(), 1, "{stderr}");
    assert!(
        stderr.contains("twitch-kraken-v5 is legacy") && stderr.contains("2022-02-28"),
        "{stderr}"
    );
    let warned_at = stderr.find("warning:").unwrap();
    assert!(warned_at < stderr.find("missing.csv").unwrap(), "{stderr}");

    // The local mock: no warning.
    for api in ["twitch-kraken-v5", "twitch-kraken-v2"] {
        let out = s.run(api, &["list"]).await;
        ok(&out);
        assert!(
            !text(&out.stderr).contains("legacy"),
            "{}",
            text(&out.stderr)
        );
    }
    // A live API against a remote server: no warning either.
    let out = s
        .command("twitch-helix", &["diff", "missing.csv"])
        .env("BLOCKBIND_BASE_URL", "http://example.invalid")
        .output()
        .await
        .unwrap();
    assert!(
        !text(&out.stderr).contains("legacy"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test]
async fn x_v2_blocking_on_a_plan_without_it_exits_5_naming_enterprise() {
    let s = setup(MockConfig {
        x_access_level: Some("basic".into()),
        ..fast()
    })
    .await;
    let out = s.run("x-v2", &["block", "12"]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.contains("needs the Enterprise access level"),
        "{stderr}"
    );
    assert!(
        s.mock
            .blocked(Platform::X, &s.mock.credentials().x_user_id)
            .iter()
            .all(|id| id != "12")
    );
}
