//! The `blockbind` binary as a careless user and a hostile server would try it (issue 14): a
//! journal path that names someone else's file, two runs on one journal, another account's
//! token on the same journal, unblocking by login without a list read per target, a credentials
//! file with a pasted token, text with terminal escapes, formula cells, and a list that never
//! ends. Against the mock (started in this process on 127.0.0.1:0), or a small hostile server
//! here (also on 127.0.0.1:0) for answers the mock never gives.

mod common;

use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use blockbind_mock::{Api, Faults, Platform};
use common::{Setup, bare_command, ok, text};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn setup() -> Setup {
    Setup::start(common::fast()).await
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

// ---- item 1: the journal ----

#[tokio::test]
async fn a_journal_path_naming_a_file_that_is_not_a_journal_is_refused_and_the_file_left_byte_for_byte()
 {
    let s = setup().await;
    let targets = s.ids(100, 3);
    let list = s.write_path("list.txt", &targets.join("\n"));
    for (name, content) in [
        ("notes.json", &b"{\"my\": \"notes\"}"[..]),
        ("one-line.txt", b"a line without a newline"),
        ("empty", b""),
    ] {
        let notes = s.dir.path().join(name);
        std::fs::write(&notes, content).unwrap();
        let out = s
            .run(
                "twitch-helix",
                &["import", self::s(&list), "--journal", self::s(&notes)],
            )
            .await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains("is not a blockbind journal") && stderr.contains("left untouched"),
            "{name}: {stderr}"
        );
        assert_eq!(std::fs::read(&notes).unwrap(), content, "{name} changed");
    }
    assert_eq!(
        s.mock.requests(Api::TwitchHelix, "block_user"),
        0,
        "nothing sent"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_new_journal_and_its_lock_file_are_created_mode_0600() {
    use std::os::unix::fs::PermissionsExt;
    let s = setup().await;
    let list = s.write_path("list.txt", &s.ids(120, 2).join("\n"));
    ok(&s.run("twitch-helix", &["import", self::s(&list)]).await);
    for name in ["list.txt.journal", "list.txt.journal.lock"] {
        let mode = std::fs::metadata(s.dir.path().join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{name}: {mode:o}");
    }
}

#[tokio::test]
async fn a_second_run_on_a_journal_in_use_is_refused_naming_the_first_runs_pid() {
    let s = setup().await;
    // Every request takes 2 s: the first run is still at work when the second starts.
    s.mock.set_faults(Faults {
        latency_ms: 2_000,
        ..Faults::default()
    });
    let targets = s.ids(140, 30);
    let list = s.write_path("list.txt", &targets.join("\n"));
    let lock = s.dir.path().join("list.txt.journal.lock");
    let args = ["import", self::s(&list), "--concurrency", "1"];
    let mut first = s
        .command("twitch-helix", &args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = first.id().unwrap();
    // Ready when the lock file names it (a wait for readiness, not a timing assertion).
    let mut named = String::new();
    for _ in 0..600 {
        named = std::fs::read_to_string(&lock).unwrap_or_default();
        if !named.trim().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(named.trim(), pid.to_string(), "the lock file names the run");
    let journal_before = std::fs::read(s.dir.path().join("list.txt.journal")).unwrap();
    let requests_before = s.mock.requests_received();

    let second = s.run("twitch-helix", &args).await;
    let stderr = text(&second.stderr);
    assert_ne!(second.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("is in use by process {pid}")),
        "{stderr}"
    );
    assert!(
        first.try_wait().unwrap().is_none(),
        "the first run was still running"
    );
    // The second run sent nothing and wrote nothing (the first one may have, meanwhile).
    let journal_after = std::fs::read(s.dir.path().join("list.txt.journal")).unwrap();
    assert!(journal_after.starts_with(&journal_before));
    assert!(s.mock.requests_received() - requests_before <= 1);
    first.kill().await.unwrap();
}

#[tokio::test]
async fn another_accounts_token_on_the_same_journal_sends_every_target() {
    for api in ["x-v1", "twitch-kraken-v5"] {
        let s = setup().await;
        let targets = s.ids(300, 4);
        let list = s.write_path("list.txt", &targets.join("\n"));
        let first = ok(&s.run(api, &["import", self::s(&list)]).await);
        assert!(first.contains("done: 4 blocked"), "{api}: {first}");

        // The same file and journal, with another account's token (and no --user: the account
        // is the token's).
        let other = s.mock.nth_user(42).unwrap();
        let (platform, mut cmd) = if api == "x-v1" {
            let issued = s.mock.issue_oauth1(&other.id).unwrap();
            let mut cmd = s.command(api, &["import", self::s(&list)]);
            cmd.env("X_CONSUMER_KEY", &issued.consumer_key)
                .env("X_CONSUMER_SECRET", &issued.consumer_secret)
                .env("X_ACCESS_TOKEN", &issued.token)
                .env("X_ACCESS_TOKEN_SECRET", &issued.token_secret);
            (Platform::X, cmd)
        } else {
            let scopes = ["user_read", "user_blocks_read", "user_blocks_edit"];
            let token = s.mock.issue_twitch_token(&other.id, &scopes).unwrap();
            let mut cmd = s.command(api, &["import", self::s(&list)]);
            cmd.env("TWITCH_TOKEN", token);
            (Platform::Twitch, cmd)
        };
        let second = ok(&cmd.output().await.unwrap());
        assert!(
            second.contains("done: 4 blocked") && second.contains("0 done by an earlier run"),
            "{api}: {second}"
        );
        for t in &targets {
            assert_eq!(
                s.mock.block_requests(platform, &other.id, t),
                1,
                "{api}: {t} sent for the second account"
            );
        }
        let blocked = s.mock.blocked(platform, &other.id);
        assert!(targets.iter().all(|t| blocked.contains(t)), "{api}");

        // And the first account resumes with its own records: nothing sent again.
        let again = ok(&s.run(api, &["import", self::s(&list)]).await);
        assert!(again.contains("4 done by an earlier run"), "{api}: {again}");
    }
}

#[tokio::test]
async fn an_x_v1_token_that_names_no_user_makes_an_import_ask_for_user_before_sending() {
    let s = setup().await;
    let list = s.write_path("list.txt", &s.ids(330, 2).join("\n"));
    let mut cmd = s.command("x-v1", &["import", self::s(&list)]);
    cmd.env("X_ACCESS_TOKEN", "notauseridtoken");
    let out = cmd.output().await.unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("pass --user"), "{stderr}");
    assert!(!stderr.contains("notauseridtoken"), "{stderr}");
    assert_eq!(s.mock.requests_received(), 0, "nothing sent");
    assert!(!s.dir.path().join("list.txt.journal").exists());
}

// ---- item 5: names resolved from one list read ----

impl Setup {
    /// The default Twitch account's block list replaced by 250 users from the `first`, and what
    /// one read of the whole list costs on `api`, in pages (requests of its list operation).
    async fn seed_250(&self, api: Api, first: u64) -> (Vec<String>, u64) {
        let owner = self.mock.credentials().twitch_user_id.clone();
        self.mock.clear_blocks(Platform::Twitch, &owner);
        let seeded = self.mock.seed_blocks(Platform::Twitch, &owner, first, 250);
        let reads = || self.mock.requests(api, "get_user_block_list");
        let before = reads();
        ok(&self.run(api.name(), &["list", "--format", "jsonl"]).await);
        let one_read = reads() - before;
        assert!(one_read >= 3, "250 users take pages: {one_read}");
        (seeded, one_read)
    }
}

#[tokio::test]
async fn unblocking_by_login_reads_the_block_list_once_for_every_target() {
    let s = setup().await;
    let owner = s.mock.credentials().twitch_user_id.clone();
    let (seeded, one_read) = s.seed_250(Api::TwitchHelix, 2_000).await;
    let reads = || s.mock.requests(Api::TwitchHelix, "get_user_block_list");

    // Helix unblocks by ID: logins are found on the list the import read to plan.
    let logins: Vec<String> = seeded
        .iter()
        .step_by(40)
        .map(|id| format!("@{}", s.mock.user(id).unwrap().login))
        .collect();
    assert_eq!(logins.len(), 7);
    let file = s.write_path("logins.txt", &logins.join("\n"));
    let before = reads();
    let out = ok(&s
        .run("twitch-helix", &["import", "--unblock", self::s(&file)])
        .await);
    assert!(out.contains("done: 7 unblocked"), "{out}");
    assert_eq!(
        reads() - before,
        one_read,
        "one read of the list, not one per login"
    );
    let blocked = s.mock.blocked(Platform::Twitch, &owner);
    for id in seeded.iter().step_by(40) {
        assert!(!blocked.contains(id), "{id} unblocked");
    }

    // The `unblock` command: one read for all of its logins.
    let more: Vec<String> = seeded
        .iter()
        .skip(1)
        .step_by(60)
        .map(|id| format!("@{}", s.mock.user(id).unwrap().login))
        .collect();
    let mut args = vec!["unblock"];
    args.extend(more.iter().map(String::as_str));
    let before = reads();
    let out = ok(&s.run("twitch-helix", &args).await);
    assert_eq!(out.lines().count(), more.len(), "{out}");
    assert_eq!(
        reads() - before,
        one_read,
        "one read for {} logins",
        more.len()
    );
}

#[tokio::test]
async fn unblocking_by_id_on_kraken_v2_reads_the_block_list_once_for_every_target() {
    // Kraken v2 addresses users by login: IDs are found on the list.
    let s = setup().await;
    let owner = s.mock.credentials().twitch_user_id.clone();
    let (seeded, one_read) = s.seed_250(Api::TwitchKrakenV2, 3_000).await;
    let reads = || s.mock.requests(Api::TwitchKrakenV2, "get_user_block_list");

    let ids: Vec<&str> = seeded.iter().step_by(50).map(String::as_str).collect();
    let file = s.write_path("ids.txt", &ids.join("\n"));
    let before = reads();
    let out = ok(&s
        .run("twitch-kraken-v2", &["import", "--unblock", self::s(&file)])
        .await);
    assert!(
        out.contains(&format!("done: {} unblocked", ids.len())),
        "{out}"
    );
    assert_eq!(
        reads() - before,
        one_read,
        "one read of the list, not one per ID"
    );
    let blocked = s.mock.blocked(Platform::Twitch, &owner);
    assert!(ids.iter().all(|id| !blocked.iter().any(|b| b == id)));
}

// ---- item 7: the credentials file ----

impl Setup {
    /// Runs Helix with the mock's address and `--credentials-file file` as the only credentials,
    /// then `args`.
    async fn with_credentials_file(&self, file: &Path, args: &[&str]) -> Output {
        let mut cmd = bare_command(self.dir.path());
        cmd.env("BLOCKBIND_BASE_URL", self.mock.base_url())
            .args([
                "--platform",
                "twitch-helix",
                "--user",
                "141981764",
                "--credentials-file",
                s(file),
            ])
            .args(args);
        cmd.output().await.unwrap()
    }
}

#[cfg(unix)]
#[tokio::test]
async fn a_credentials_file_with_a_pasted_token_is_refused_naming_the_line_and_never_the_token() {
    use std::os::unix::fs::PermissionsExt;
    let s = setup().await;
    let token = s.mock.credentials().twitch_token.clone();
    let client = s.mock.credentials().twitch_client_id.clone();
    let private = |name: &str, text: &str| {
        let path = s.write_path(name, text);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        path
    };
    let cases = [
        // A token pasted on a line of its own, as `token=...`, with a comment glued on, twice.
        private("pasted", &format!("TWITCH_CLIENT_ID={client}\n{token}\n")),
        private("named", &format!("TWITCH_CLIENT_ID={client}\n{token}=x\n")),
        private(
            "trailing",
            &format!("TWITCH_CLIENT_ID={client}\nTWITCH_TOKEN=\"{token}\"x\n"),
        ),
        private(
            "twice",
            &format!("TWITCH_CLIENT_ID={client}\nTWITCH_TOKEN=a\nTWITCH_TOKEN={token}\n"),
        ),
    ];
    for file in &cases {
        let out = s.with_credentials_file(file, &["-vv", "list"]).await;
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(3), "{file:?}: {stderr}");
        assert!(stderr.contains("line "), "{file:?}: {stderr}");
        assert!(
            !stderr.contains(&token) && !stdout.contains(&token),
            "{file:?}: the token is shown: {stderr}"
        );
        assert!(
            !stderr.contains(&token[..8]),
            "{file:?}: part of it: {stderr}"
        );
    }
    assert_eq!(s.mock.requests_received(), 0, "nothing sent");

    // A symlink to a private file is not followed.
    let real = private(
        "real",
        &format!("TWITCH_CLIENT_ID={client}\nTWITCH_TOKEN={token}\n"),
    );
    let link = s.dir.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = s.with_credentials_file(&link, &["list"]).await;
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("symbolic link"),
        "{}",
        text(&out.stderr)
    );
}

// ---- items 8 and 9: a hostile server ----

/// A server that answers every request with what `answer` says for (request line, its number
/// from 1), and records the request lines.
struct Hostile {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

type Answer = fn(&str, usize) -> (u16, String);

async fn hostile(answer: Answer) -> Hostile {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut chunk = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&chunk[..n]),
                    }
                }
                let line = text(&head).lines().next().unwrap_or_default().to_string();
                let n = {
                    let mut log = log.lock().unwrap();
                    log.push(line.clone());
                    log.len()
                };
                let (status, body) = answer(&line, n);
                let response = format!(
                    "HTTP/1.1 {status} Answer\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    Hostile { url, requests }
}

impl Hostile {
    fn command(&self, dir: &Path, args: &[&str]) -> tokio::process::Command {
        let mut cmd = bare_command(dir);
        cmd.env("BLOCKBIND_BASE_URL", &self.url)
            .env("TWITCH_CLIENT_ID", "hostileclientid")
            .env("TWITCH_TOKEN", "hostiletoken")
            .args(["--platform", "twitch-helix", "--user", "141981764"])
            .args(args);
        cmd
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

/// One page of two users whose names attack a terminal and a spreadsheet; a block is refused
/// with a message that attacks the terminal too.
fn poisoned(line: &str, _: usize) -> (u16, String) {
    if line.starts_with("GET") {
        let page = serde_json::json!({
            "data": [
                {"user_id": "1", "user_login": "evil",
                 "display_name": "\u{1b}]0;owned\u{7}\u{1b}[2J\u{1b}[31mRed\rOK"},
                {"user_id": "2", "user_login": "formula",
                 "display_name": "=HYPERLINK(\"http://evil.example\",\"click\")"},
            ],
            "pagination": {},
        });
        (200, page.to_string())
    } else {
        let error = serde_json::json!({
            "error": "Bad Request", "status": 400,
            "message": "no \u{1b}[2J\u{1b}]0;owned\u{7} way",
        });
        (400, error.to_string())
    }
}

#[tokio::test]
async fn text_from_the_platform_reaches_the_terminal_with_control_characters_escaped() {
    let server = hostile(poisoned).await;
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["list"][..],
        &["list", "--format", "csv"],
        &["diff", "empty.txt"],
        &["block", "12"],
    ] {
        std::fs::write(dir.path().join("empty.txt"), "# nothing\n").unwrap();
        let out = server.command(dir.path(), args).output().await.unwrap();
        let both = format!("{}{}", text(&out.stdout), text(&out.stderr));
        for c in ['\u{1b}', '\u{7}', '\r'] {
            assert!(
                !both.contains(c),
                "{args:?}: {c:?} reached the terminal: {both:?}"
            );
        }
        if args[0] == "list" {
            assert!(both.contains("\\u{1b}[31mRed\\rOK"), "{args:?}: {both}");
        }
        if args[0] == "block" {
            // The server's message is shown (the runtime already blanks its control characters).
            assert!(both.contains("]0;owned"), "{args:?}: {both}");
        }
    }
}

#[tokio::test]
async fn an_exported_csv_has_formula_cells_neutralised() {
    let server = hostile(poisoned).await;
    let dir = tempfile::tempdir().unwrap();
    let out = server
        .command(dir.path(), &["export", "blocks.csv"])
        .output()
        .await
        .unwrap();
    ok(&out);
    let csv = std::fs::read_to_string(dir.path().join("blocks.csv")).unwrap();
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\""),
        "{csv}"
    );
    assert!(
        !csv.contains(",=HYPERLINK") && !csv.contains(",\"=HYPERLINK"),
        "{csv}"
    );
}

#[tokio::test]
async fn a_csv_whose_quoted_field_holds_a_newline_imports_every_row() {
    let s = setup().await;
    let ids = s.ids(400, 3);
    let file = s.write_path(
        "list.csv",
        &format!(
            "id,note\n{},\"spam,\nover two lines\"\n{},\"said \"\"hi\"\"\"\n{},x\n",
            ids[0], ids[1], ids[2]
        ),
    );
    let out = ok(&s.run("twitch-helix", &["import", self::s(&file)]).await);
    assert!(
        out.contains("done: 3 blocked") && out.contains("bad lines: 0"),
        "{out}"
    );
    let owner = s.mock.credentials().twitch_user_id.clone();
    for id in &ids {
        assert_eq!(s.mock.blocks_applied(Platform::Twitch, &owner, id), 1);
    }
}

/// A list that never ends: every page one user and a cursor never seen before.
fn endless(_: &str, n: usize) -> (u16, String) {
    let page = serde_json::json!({
        "data": [{"user_id": n.to_string(), "user_login": format!("u{n}"), "display_name": "U"}],
        "pagination": {"cursor": format!("cursor-{n:08}-fresh")},
    });
    (200, page.to_string())
}

#[tokio::test]
async fn a_list_that_never_ends_stops_at_the_page_cap_with_an_error_that_says_so() {
    let server = hostile(endless).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.txt"), "12826\n").unwrap();
    let out = server
        .command(dir.path(), &["--page-cap", "25", "import", "t.txt"])
        .output()
        .await
        .unwrap();
    let stderr = text(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("did not end after 25 pages"), "{stderr}");
    let requests = server.requests();
    assert_eq!(requests.len(), 25, "{requests:?}");
    assert!(
        requests.iter().all(|r| r.starts_with("GET")),
        "nothing blocked"
    );

    let out = server
        .command(
            dir.path(),
            &["--page-cap", "5", "list", "--format", "jsonl"],
        )
        .output()
        .await
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("did not end after 5 pages"));
    assert_eq!(
        text(&out.stdout).lines().count(),
        5,
        "the pages before, complete"
    );
}
