//! End-to-end tests of bulk blocking as people do it (issue 16), against the mock started in
//! this process on 127.0.0.1:0: the lists people have (tests/fixtures/), `diff` output that
//! `import` reads back, `undo`, `--except`, and the plan by cost.

mod common;

use blockbind_mock::{Api, Bucket, MockConfig, Platform};
use common::{Setup, ok, text};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// Generous buckets except where a test sets its own.
fn config(buckets: &[(&str, u32, u64)]) -> MockConfig {
    let mut config = common::fast();
    for (name, limit, window_ms) in buckets {
        config.rate_limits.insert(
            name.to_string(),
            Bucket {
                limit: *limit,
                window_ms: *window_ms,
            },
        );
    }
    config
}

async fn setup() -> Setup {
    setup_with(config(&[])).await
}

/// The mock with empty block lists (it seeds a few by default).
async fn setup_with(config: MockConfig) -> Setup {
    Setup::start_empty(config).await
}

impl Setup {
    /// A fixture copied into the test's directory (the journal goes beside it).
    fn fixture(&self, name: &str) -> String {
        let to = self.dir.path().join(name);
        std::fs::copy(format!("{FIXTURES}/{name}"), &to).unwrap();
        to.display().to_string()
    }

    /// The default account's block list on the platform of `api`, sorted.
    fn blocked_on(&self, api: &str) -> Vec<String> {
        self.blocked(self.owner(api).0)
    }
}

fn sorted(ids: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

#[tokio::test]
async fn commanderroots_csv_imports_by_id_on_helix_and_by_login_on_kraken_v2() {
    let s = setup().await;
    let file = s.fixture("commanderroot.csv");
    let out = ok(&s.run("twitch-helix", &["-q", "import", &file]).await);
    assert!(out.contains("done: 3 blocked"), "{out}");
    assert_eq!(
        s.blocked_on("twitch-helix"),
        sorted(&["135093069", "27419011", "198704263"])
    );
    assert_eq!(s.mock.requests(Api::TwitchHelix, "block_user"), 3);

    // Kraken v2 addresses users by login: the same file's userName column is used.
    let s = setup().await;
    let file = s.fixture("commanderroot.csv");
    let out = ok(&s.run("twitch-kraken-v2", &["-q", "import", &file]).await);
    assert!(out.contains("done: 3 blocked"), "{out}");
    assert_eq!(
        s.blocked_on("twitch-kraken-v2"),
        sorted(&["135093069", "27419011", "198704263"])
    );
}

#[tokio::test]
async fn a_chat_list_imports_and_its_unblock_lines_need_unblock() {
    let s = setup().await;
    let file = s.fixture("chat.txt");
    let out = ok(&s.run("twitch-kraken-v2", &["-q", "import", &file]).await);
    assert!(out.contains("done: 5 blocked"), "{out}");
    assert_eq!(s.blocked_on("twitch-kraken-v2").len(), 5);

    let undo = s.fixture("chat-unblock.txt");
    let out = s.run("twitch-kraken-v2", &["-q", "import", &undo]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("line 1: a chat command of the other direction"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(s.blocked_on("twitch-kraken-v2").len(), 5, "nothing sent");
    let out = ok(&s
        .run("twitch-kraken-v2", &["-q", "import", "--unblock", &undo])
        .await);
    assert!(out.contains("done: 3 unblocked"), "{out}");
    assert_eq!(s.blocked_on("twitch-kraken-v2").len(), 2);
}

#[tokio::test]
async fn x_archives_block_js_and_mute_js_import_and_are_refused_on_twitch() {
    let s = setup().await;
    for file in ["block.js", "mute.js"] {
        let file = s.fixture(file);
        ok(&s.run("x-v1", &["-q", "import", &file]).await);
    }
    assert_eq!(s.blocked_on("x-v1"), sorted(&["6253282", "783214", "12"]));
    let file = s.fixture("block.js");
    let before = s.mock.total_requests();
    let out = s.run("twitch-helix", &["import", &file]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("line 2: names a user of x"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        s.mock.total_requests(),
        before,
        "refused before any request"
    );
}

#[tokio::test]
async fn unknown_formats_and_files_mixing_platforms_are_refused_with_the_line() {
    let s = setup().await;
    let unknown = s.fixture("unknown-format.tsv");
    let out = s.run("twitch-helix", &["import", &unknown]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("line 1: not a format blockbind reads"),
        "{}",
        text(&out.stderr)
    );
    let mixed = s.fixture("mixed-platforms.txt");
    let out = s.run("x-v1", &["import", &mixed]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("line 3: names a user of twitch"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(s.mock.total_requests(), 0, "refused before any request");
    assert!(s.blocked_on("x-v1").is_empty());
}

#[tokio::test]
async fn diff_output_reimported_closes_the_diff_in_every_format() {
    for (api, format) in [
        ("twitch-helix", "lines"),
        ("twitch-kraken-v2", "csv"),
        ("x-v2", "json"),
    ] {
        let s = setup().await;
        let (platform, owner) = s.owner(api);
        // Blocked now: 10 users; the file names 5 of them and 5 others.
        let blocked = s.mock.seed_blocks(platform, &owner, 3_000, 10);
        let others: Vec<String> = (0..5)
            .map(|n| s.mock.nth_user(4_000 + n).unwrap().id)
            .collect();
        let file_ids: Vec<String> = blocked[..5].iter().chain(&others).cloned().collect();
        // Kraken v2 addresses users by login: its file names them so.
        let names: Vec<String> = file_ids
            .iter()
            .map(|id| match api {
                "twitch-kraken-v2" => s.mock.user(id).unwrap().login,
                _ => id.clone(),
            })
            .collect();
        let file = s.write("wanted.txt", &names.join("\n"));

        let out = s
            .run(
                api,
                &["diff", &file, "--format", format, "--only", "missing"],
            )
            .await;
        let missing = s.write(&format!("missing.{format}"), &ok(&out));
        assert!(
            text(&out.stderr)
                .contains("5 in the file but not blocked, 5 blocked but not in the file")
        );
        let out = s
            .run(api, &["diff", &file, "--format", format, "--only", "extra"])
            .await;
        let extra = s.write(&format!("extra.{format}"), &ok(&out));

        ok(&s.run(api, &["-q", "import", &missing]).await);
        ok(&s.run(api, &["-q", "import", "--unblock", &extra]).await);
        let out = ok(&s.run(api, &["diff", &file]).await);
        assert!(
            out.contains("0 in the file but not blocked, 0 blocked but not in the file"),
            "{api} {format}: {out}"
        );
        let mut want = file_ids.clone();
        want.sort();
        assert_eq!(s.blocked_on(api), want, "{api}");
    }
}

#[tokio::test]
async fn undo_unblocks_exactly_what_the_import_blocked_once_each() {
    let s = setup().await;
    let (platform, owner) = s.owner("twitch-helix");
    // Blocked before the import: 5 users, 2 of them in the file too.
    let before = s.mock.seed_blocks(platform, &owner, 7_000, 5);
    let new: Vec<String> = (0..40)
        .map(|n| s.mock.nth_user(8_000 + n).unwrap().id)
        .collect();
    let file_ids: Vec<String> = new.iter().chain(&before[..2]).cloned().collect();
    let file = s.write("raid.txt", &file_ids.join("\n"));
    let out = ok(&s.run("twitch-helix", &["-q", "import", &file]).await);
    assert!(
        out.contains("done: 40 blocked; skipped: 2 already blocked"),
        "{out}"
    );
    let journal = format!("{file}.journal");

    let out = ok(&s.run("twitch-helix", &["-q", "undo", &journal]).await);
    assert!(out.contains("undo: 40 unblocked"), "{out}");
    assert_eq!(s.mock.requests(Api::TwitchHelix, "unblock_user"), 40);
    let mut want = before.clone();
    want.sort();
    assert_eq!(
        s.blocked_on("twitch-helix"),
        want,
        "what was blocked before stays"
    );
    // Run again: the undo's journal has them all; nothing is sent.
    let out = ok(&s.run("twitch-helix", &["-q", "undo", &journal]).await);
    assert!(
        out.contains("undo: 0 unblocked; 40 done by an earlier undo"),
        "{out}"
    );
    assert_eq!(s.mock.requests(Api::TwitchHelix, "unblock_user"), 40);
    // Undoing the undo blocks them again.
    let redo = format!("{journal}.undo");
    let out = ok(&s.run("twitch-helix", &["-q", "undo", &redo]).await);
    assert!(out.contains("undo: 40 blocked"), "{out}");
    assert_eq!(s.blocked_on("twitch-helix").len(), 45);
}

#[tokio::test]
async fn undo_leaves_a_block_from_before_an_import_that_sent_directly_unless_include_unknown() {
    let s = setup().await;
    let (platform, owner) = s.owner("twitch-helix");
    let mut before = s.mock.seed_blocks(platform, &owner, 7_000, 5);
    before.sort();
    let new: Vec<String> = (0..40)
        .map(|n| s.mock.nth_user(8_000 + n).unwrap().id)
        .collect();
    // A run that read the list blocks the 40; the same journal's next run, with 2 users blocked
    // before either run added to the file, sends directly.
    let file = s.write("raid.txt", &new.join("\n"));
    let out = ok(&s
        .run("twitch-helix", &["-q", "import", &file, "--plan", "read"])
        .await);
    assert!(out.contains("done: 40 blocked"), "{out}");
    assert!(!out.contains("note:"), "{out}");
    let both: Vec<String> = new.iter().chain(&before[..2]).cloned().collect();
    s.write("raid.txt", &both.join("\n"));
    let out = ok(&s
        .run("twitch-helix", &["-q", "import", &file, "--plan", "send"])
        .await);
    assert!(
        out.contains("done: 2 blocked; skipped: 0 already blocked, 40 done by an earlier run"),
        "{out}"
    );
    assert!(
        out.contains("note: 2 were sent directly")
            && out.contains("`undo` will not be able to tell which were already blocked"),
        "{out}"
    );
    assert_eq!(s.mock.requests(Api::TwitchHelix, "block_user"), 42);
    let journal = format!("{file}.journal");

    let out = ok(&s
        .run("twitch-helix", &["-q", "undo", &journal, "--dry-run"])
        .await);
    assert!(
        out.contains("dry run: 40 to unblock; nothing sent"),
        "{out}"
    );
    assert!(
        out.contains("undo: 2 would be left alone") && out.contains("--include-unknown"),
        "{out}"
    );
    assert!(
        out.contains(&format!("would leave user ID {} alone", before[0])),
        "{out}"
    );
    assert_eq!(s.mock.requests(Api::TwitchHelix, "unblock_user"), 0);

    let out = ok(&s.run("twitch-helix", &["-q", "undo", &journal]).await);
    assert!(out.contains("undo: 40 unblocked"), "{out}");
    assert!(out.contains("undo: 2 left alone"), "{out}");
    // 40 unblocks for the 40 this run blocked, and every block from before is still there:
    // none was sent for the 2 the second run journaled.
    assert_eq!(s.mock.requests(Api::TwitchHelix, "unblock_user"), 40);
    assert_eq!(
        s.blocked_on("twitch-helix"),
        before,
        "the blocks from before stay"
    );

    let out = ok(&s
        .run(
            "twitch-helix",
            &["-q", "undo", &journal, "--include-unknown"],
        )
        .await);
    assert!(
        out.contains("undo: 2 unblocked; 40 done by an earlier undo"),
        "{out}"
    );
    assert_eq!(s.mock.requests(Api::TwitchHelix, "unblock_user"), 42);
    assert_eq!(s.blocked_on("twitch-helix"), before[2..].to_vec());
}

#[tokio::test]
async fn an_import_that_sent_directly_says_so_and_its_undo_sends_nothing_by_default() {
    let s = setup().await;
    let (platform, owner) = s.owner("twitch-helix");
    let before = s.mock.seed_blocks(platform, &owner, 7_000, 2);
    let ids: Vec<String> = (0..3)
        .map(|n| s.mock.nth_user(8_000 + n).unwrap().id)
        .chain(before.iter().cloned())
        .collect();
    let file = s.write("raid.txt", &ids.join("\n"));
    let out = ok(&s
        .run(
            "twitch-helix",
            &["-q", "import", &file, "--plan", "send", "--dry-run"],
        )
        .await);
    assert!(out.contains("note: 5 would be sent directly"), "{out}");
    let out = ok(&s
        .run("twitch-helix", &["-q", "import", &file, "--plan", "send"])
        .await);
    assert!(out.contains("done: 5 blocked"), "{out}");
    assert!(out.contains("note: 5 were sent directly"), "{out}");
    let journal = format!("{file}.journal");
    let out = ok(&s.run("twitch-helix", &["-q", "undo", &journal]).await);
    assert!(out.contains("undo: 5 left alone"), "{out}");
    assert_eq!(s.mock.requests(Api::TwitchHelix, "unblock_user"), 0);
    assert_eq!(s.blocked_on("twitch-helix").len(), 5);

    // Unblocking directly: undo must not block users who were not blocked before the run.
    let s = setup().await;
    let (platform, owner) = s.owner("twitch-helix");
    let blocked = s.mock.seed_blocks(platform, &owner, 7_000, 1);
    let never = s.mock.nth_user(8_000).unwrap().id;
    let file = s.write("clean.txt", &format!("{}\n{never}\n", blocked[0]));
    let out = ok(&s
        .run(
            "twitch-helix",
            &["-q", "import", "--unblock", &file, "--plan", "send"],
        )
        .await);
    assert!(out.contains("done: 2 unblocked"), "{out}");
    assert!(
        out.contains("which were already not blocked before this run"),
        "{out}"
    );
    assert_eq!(s.mock.requests(Api::TwitchHelix, "unblock_user"), 2);
    let journal = format!("{file}.journal");
    let out = ok(&s.run("twitch-helix", &["-q", "undo", &journal]).await);
    assert!(out.contains("undo: 2 left alone"), "{out}");
    assert_eq!(s.mock.requests(Api::TwitchHelix, "block_user"), 0);
    assert!(s.blocked_on("twitch-helix").is_empty());
}

#[tokio::test]
async fn undo_refuses_a_journal_of_another_platform_or_account() {
    let s = setup().await;
    let ids: Vec<String> = (0..3)
        .map(|n| s.mock.nth_user(8_000 + n).unwrap().id)
        .collect();
    let file = s.write("raid.txt", &ids.join("\n"));
    ok(&s.run("twitch-helix", &["-q", "import", &file]).await);
    let journal = format!("{file}.journal");
    let before = s.mock.total_requests();
    let out = s.run("x-v2", &["undo", &journal]).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("this journal is of twitch-helix as ") && stderr.contains("not of x-v2"),
        "{stderr}"
    );
    let out = s
        .run("twitch-helix", &["--user", "12826", "undo", &journal])
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(s.mock.requests(Api::TwitchHelix, "unblock_user"), 0);
    assert_eq!(s.mock.requests(Api::XV2, "unblock_user"), 0);
    assert!(s.mock.total_requests() - before <= 1, "no unblock sent");
    assert_eq!(s.blocked_on("twitch-helix").len(), 3);
}

#[tokio::test]
async fn an_undo_killed_with_sigkill_resumes_and_unblocks_every_target() {
    let s = setup().await;
    let n = 2_000;
    let ids: Vec<String> = (0..n)
        .map(|i| s.mock.nth_user(20_000 + i).unwrap().id)
        .collect();
    let file = s.write("raid.txt", &ids.join("\n"));
    ok(&s.run("twitch-helix", &["-q", "import", &file]).await);
    let journal = format!("{file}.journal");
    let undo_journal = format!("{journal}.undo");

    let mut child = s
        .command("twitch-helix", &["-q", "undo", &journal])
        .spawn()
        .unwrap();
    loop {
        let lines = std::fs::read_to_string(&undo_journal)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if lines > 300 {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the undo ended ({status}) before it could be killed");
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    child.start_kill().unwrap(); // SIGKILL
    child.wait().await.unwrap();
    let journaled = std::fs::read_to_string(&undo_journal)
        .unwrap()
        .lines()
        .count()
        - 1;
    assert!(journaled < n as usize, "killed before the end");

    let out = ok(&s.run("twitch-helix", &["-q", "undo", &journal]).await);
    assert!(out.contains("done by an earlier undo; failed: 0"), "{out}");
    assert!(
        s.blocked_on("twitch-helix").is_empty(),
        "every target unblocked"
    );
    // Only what was in flight when the kill came (at most --concurrency, 8) is sent twice.
    let sent = s.mock.requests(Api::TwitchHelix, "unblock_user");
    assert!(
        sent >= n && sent <= n + 8,
        "{sent} unblocks for {n} targets"
    );
}

#[tokio::test]
async fn except_leaves_the_users_it_names_alone_by_either_name() {
    let s = setup().await;
    let file = s.fixture("commanderroot.csv");
    // By login, though the import addresses these users by ID: the file gives both names.
    let never = s.write("friends.txt", "# never block\n@TravistyOJ\n");
    let out = ok(&s
        .run("twitch-helix", &["import", &file, "--except", &never])
        .await);
    assert!(out.contains("done: 2 blocked"), "{out}");
    assert_eq!(
        s.blocked_on("twitch-helix"),
        sorted(&["135093069", "198704263"])
    );
    assert_eq!(
        s.mock
            .block_requests(Platform::Twitch, &s.owner("twitch-helix").1, "27419011"),
        0
    );

    // An allowlist with a line that is not a user is refused before anything is sent.
    let bad = s.write("bad-friends.txt", "bluelava\nnot a login!\n");
    let before = s.mock.total_requests();
    let out = s
        .run("twitch-helix", &["import", &file, "--except", &bad])
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("line 2"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(s.mock.total_requests(), before);
}

#[tokio::test]
async fn max_rate_is_read_as_a_rate_and_a_bad_one_is_refused() {
    let s = setup().await;
    let file = s.fixture("commanderroot.csv");
    let out = ok(&s
        .run(
            "twitch-helix",
            &["-q", "import", &file, "--max-rate", "6000/min"],
        )
        .await);
    assert!(out.contains("done: 3 blocked"), "{out}");
    for bad in ["0/min", "fast", "10/week"] {
        let out = s
            .run("twitch-helix", &["import", &file, "--max-rate", bad])
            .await;
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(text(&out.stderr).contains("N/min"), "{}", text(&out.stderr));
    }
}

#[tokio::test]
async fn on_x_v2_buckets_a_list_of_100000_is_not_read_to_block_20_and_the_plan_says_why() {
    // The specs' X v2 buckets (15 list reads, 50 blocks per 15 minutes per user): not replaced.
    let s = setup_with(MockConfig {
        kraken_block_cap: None,
        ..MockConfig::default()
    })
    .await;
    let (platform, owner) = s.owner("x-v2");
    s.mock.clear_blocks(platform, &owner);
    s.mock.seed_blocks(platform, &owner, 100_000, 100_000);
    let targets: Vec<String> = (0..20)
        .map(|n| s.mock.nth_user(300_000 + n).unwrap().id)
        .collect();
    let file = s.write("twenty.txt", &targets.join("\n"));
    let out = s
        .run("x-v2", &["import", &file, "--list-size", "100000"])
        .await;
    let stdout = ok(&out);
    let stderr = text(&out.stderr);
    assert!(stdout.contains("done: 20 blocked"), "{stdout}");
    assert_eq!(
        s.mock.requests(Api::XV2, "get_users_blocking"),
        0,
        "no list read"
    );
    assert_eq!(s.mock.requests(Api::XV2, "block_user"), 20);
    assert!(
        stderr.contains("plan: sending directly, without reading the list"),
        "{stderr}"
    );
    assert!(
        stderr.contains("100 list requests (get_users_blocking: 15 per 15m)"),
        "{stderr}"
    );
    assert!(stderr.contains("cannot pay for itself"), "{stderr}");
    assert!(
        stderr.contains("20 block requests (block_user: 50 per 15m); waiting 0s"),
        "{stderr}"
    );

    // A resume sends nothing again: the journal has every target, though the list was not read.
    let out = ok(&s
        .run("x-v2", &["-q", "import", &file, "--list-size", "100000"])
        .await);
    assert!(
        out.contains("done: 0 blocked; skipped: 0 already blocked, 20 done by an earlier run"),
        "{out}"
    );
    assert_eq!(s.mock.requests(Api::XV2, "block_user"), 20);
    assert_eq!(s.mock.requests(Api::XV2, "get_users_blocking"), 0);

    // Without --list-size the list is read only as far as sending costs in the buckets'
    // capacity: 20 blocks at 18 s of block_user's bucket each buy 6 pages at 60 s each.
    let others: Vec<String> = (0..20)
        .map(|n| s.mock.nth_user(400_000 + n).unwrap().id)
        .collect();
    let file = s.write("twenty-more.txt", &others.join("\n"));
    let out = s.run("x-v2", &["import", &file]).await;
    let (stdout, stderr) = (ok(&out), text(&out.stderr));
    assert!(stdout.contains("done: 20 blocked"), "{stdout}");
    assert!(
        stderr.contains("reading at most 6 pages (6000 users)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the list is longer than the pages allowed"),
        "{stderr}"
    );
    assert_eq!(s.mock.requests(Api::XV2, "get_users_blocking"), 6);
    assert_eq!(s.mock.requests(Api::XV2, "block_user"), 40);
    // Beyond the part read, the list tells nothing: the 20 are journaled as of unknown state,
    // and undo leaves them alone.
    assert!(stdout.contains("note: 20 were sent directly"), "{stdout}");
    let out = ok(&s
        .run("x-v2", &["-q", "undo", &format!("{file}.journal")])
        .await);
    assert!(out.contains("undo: 20 left alone"), "{out}");
    assert_eq!(s.mock.requests(Api::XV2, "unblock_user"), 0);
}

#[tokio::test]
async fn plan_send_skips_the_list_read_and_plan_read_reads_it() {
    let s = setup().await;
    let (platform, owner) = s.owner("twitch-helix");
    let already = s.mock.seed_blocks(platform, &owner, 5_000, 2);
    let file = s.write(
        "five.txt",
        &format!(
            "{}\n{}\n{}\n{}\n{}\n",
            already[0],
            already[1],
            s.mock.nth_user(6_000).unwrap().id,
            s.mock.nth_user(6_001).unwrap().id,
            s.mock.nth_user(6_002).unwrap().id
        ),
    );
    let out = s
        .run("twitch-helix", &["import", &file, "--plan", "send"])
        .await;
    assert!(ok(&out).contains("done: 5 blocked"));
    assert!(
        text(&out.stderr).contains("as --plan says"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(s.mock.requests(Api::TwitchHelix, "get_user_block_list"), 0);
    assert_eq!(
        s.mock.requests(Api::TwitchHelix, "block_user"),
        5,
        "idempotent: sent anyway"
    );
    assert_eq!(s.blocked_on("twitch-helix").len(), 5);

    let s = setup().await;
    let (platform, owner) = s.owner("twitch-helix");
    let already = s.mock.seed_blocks(platform, &owner, 5_000, 2);
    let file = s.write("two.txt", &already.join("\n"));
    let out = ok(&s
        .run("twitch-helix", &["-q", "import", &file, "--plan", "read"])
        .await);
    assert!(
        out.contains("done: 0 blocked; skipped: 2 already blocked"),
        "{out}"
    );
    assert_eq!(s.mock.requests(Api::TwitchHelix, "get_user_block_list"), 1);
    assert_eq!(s.mock.requests(Api::TwitchHelix, "block_user"), 0);
}
