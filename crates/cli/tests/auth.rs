//! `blockbind auth` end to end, the binary against the mock (in this process on 127.0.0.1:0),
//! with its config directory in a temporary directory and the OS credential store off
//! (`BLOCKBIND_KEYRING=0`): a device login the test approves, then `list` with no `--user`; an X
//! PKCE login the test completes by following the redirect; an import of 2,000 targets during
//! which the access token expires twice; and each bad input: a denied authorization, an expired
//! device code, a forged `state`, a redirect with `error`, a token endpoint answering garbage, a
//! revoked refresh token (exit 3), a `--user` that is not the token's. No output carries a token.

mod common;

use std::path::PathBuf;
use std::process::{Output, Stdio};

use blockbind_mock::{MockConfig, MockServer, Platform, SignInConfig};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

struct Setup {
    mock: MockServer,
    dir: tempfile::TempDir,
}

fn config(sign_in: SignInConfig) -> MockConfig {
    MockConfig {
        rate_limits: common::generous_buckets(&["twitch-helix", "x-v2"]),
        initial_blocks: 0,
        sign_in: SignInConfig {
            device_interval_secs: 1,
            ..sign_in
        },
        ..MockConfig::default()
    }
}

async fn setup(sign_in: SignInConfig) -> Setup {
    Setup {
        mock: MockServer::start(config(sign_in)).await.unwrap(),
        dir: tempfile::tempdir().unwrap(),
    }
}

/// Everything a run printed, to search for secrets.
#[derive(Default)]
struct Printed(String);

impl Printed {
    fn add(&mut self, output: &Output) {
        self.0.push_str(&String::from_utf8_lossy(&output.stdout));
        self.0.push_str(&String::from_utf8_lossy(&output.stderr));
    }
}

impl Setup {
    fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut cmd = common::bare_command(self.dir.path());
        cmd.env("BLOCKBIND_CONFIG_DIR", self.dir.path().join("config"))
            .env("BLOCKBIND_KEYRING", "0")
            .env("BLOCKBIND_NO_BROWSER", "1")
            .env("BLOCKBIND_BASE_URL", self.mock.base_url())
            .args(args);
        cmd
    }

    async fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().await.unwrap()
    }

    /// Starts `auth login` and returns it with the first stderr line containing `marker`.
    async fn login_until(
        &self,
        args: &[&str],
        marker: &str,
    ) -> (
        tokio::process::Child,
        String,
        BufReader<tokio::process::ChildStderr>,
    ) {
        let (child, line, _, stderr) = spawn_until(self.command(args), marker).await;
        (child, line, stderr)
    }

    fn twitch_login_args(&self) -> Vec<String> {
        vec![
            "--platform".into(),
            "twitch-helix".into(),
            "auth".into(),
            "login".into(),
            "--client-id".into(),
            self.mock.credentials().twitch_client_id.clone(),
        ]
    }

    /// A Twitch device login approved as `user` (or denied): the login's output.
    async fn twitch_login(&self, user: Option<&str>) -> Output {
        let args = self.twitch_login_args();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.device_login(self.command(&args), user).await
    }

    /// Runs the device login `cmd`, approving it as `user` (or denying it): its output.
    async fn device_login(&self, cmd: tokio::process::Command, user: Option<&str>) -> Output {
        let (child, line, _, rest) = spawn_until(cmd, "enter the code").await;
        let code = line.trim().rsplit(' ').next().unwrap().to_string();
        match user {
            Some(user) => assert!(self.mock.approve_device(&code, user).unwrap()),
            None => assert!(self.mock.deny_device(&code)),
        }
        finish(child, line, rest).await
    }

    /// An X login whose redirect the test delivers, rewritten by `tamper`.
    async fn x_login(&self, tamper: fn(String) -> String) -> Output {
        let client_id = self.mock.credentials().x_client_id.clone();
        let (child, line, mut rest) = self
            .login_until(
                &[
                    "--platform",
                    "x-v2",
                    "auth",
                    "login",
                    "--client-id",
                    &client_id,
                ],
                "open this URL",
            )
            .await;
        let mut url = String::new();
        rest.read_line(&mut url).await.unwrap();
        follow(url.trim(), tamper).await;
        finish(child, format!("{line}{url}"), rest).await
    }

    /// The stored token file (the store's file backend).
    fn token_file(&self) -> PathBuf {
        let dir = self.dir.path().join("config").join("tokens");
        std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .next()
            .unwrap()
            .path()
    }

    /// The stored token file's content, after checking it is private.
    fn stored(&self) -> serde_json::Value {
        let file = self.token_file();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", file.display());
        }
        serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap()
    }
}

/// Spawns `cmd` with its output piped and reads its stderr up to the first line containing
/// `marker`: the child, that line, all of stderr read so far, and the rest of stderr.
async fn spawn_until(
    mut cmd: tokio::process::Command,
    marker: &str,
) -> (
    tokio::process::Child,
    String,
    String,
    BufReader<tokio::process::ChildStderr>,
) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).await.unwrap() > 0,
            "ended before {marker:?}: {seen}"
        );
        seen.push_str(&line);
        if line.contains(marker) {
            return (child, line, seen, stderr);
        }
    }
}

async fn finish(
    mut child: tokio::process::Child,
    mut stderr_seen: String,
    mut rest: BufReader<tokio::process::ChildStderr>,
) -> Output {
    rest.read_to_string(&mut stderr_seen).await.unwrap();
    let mut stdout = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut stdout)
        .await
        .unwrap();
    let status = child.wait().await.unwrap();
    Output {
        status,
        stdout,
        stderr: stderr_seen.into_bytes(),
    }
}

/// Opens the authorize URL as a browser would, and delivers its redirect to the loopback.
async fn follow(url: &str, tamper: fn(String) -> String) {
    let client = blockbind::reqwest::Client::builder()
        .redirect(blockbind::reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client.get(url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 302, "{url}");
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let _ = client.get(tamper(location)).send().await;
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// The stored tokens, which no output but `auth token` may show.
fn secrets(stored: &serde_json::Value) -> Vec<String> {
    ["access_token", "refresh_token"]
        .iter()
        .filter_map(|k| stored["secret"][k].as_str().map(str::to_string))
        .collect()
}

/// [`assert_no_secret`] for one run's output.
fn assert_no_secret_in(output: &Output, secrets: &[String]) {
    let mut printed = Printed::default();
    printed.add(output);
    assert_no_secret(&printed, secrets);
}

fn assert_no_secret(printed: &Printed, secrets: &[String]) {
    assert!(!secrets.is_empty());
    for s in secrets {
        assert!(
            !printed.0.contains(s.as_str()),
            "a token was printed: {}",
            printed.0
        );
    }
}

#[tokio::test]
async fn a_device_login_then_list_without_user_status_token_and_logout() {
    let s = setup(SignInConfig::default()).await;
    let user = s.mock.nth_user(21).unwrap();
    s.mock.seed_blocks(Platform::Twitch, &user.id, 900, 5);
    let mut printed = Printed::default();
    let login = s.twitch_login(Some(&user.id)).await;
    printed.add(&login);
    assert_eq!(code(&login), 0, "{}", text(&login));
    assert!(text(&login).contains(&user.login), "{}", text(&login));
    let stored = s.stored();
    assert_eq!(stored["account_id"], user.id.as_str());

    let list = s
        .run(&["--platform", "twitch-helix", "list", "--format", "jsonl"])
        .await;
    printed.add(&list);
    assert_eq!(code(&list), 0, "{}", text(&list));
    assert_eq!(String::from_utf8_lossy(&list.stdout).lines().count(), 5);

    let status = s.run(&["auth", "status"]).await;
    printed.add(&status);
    let shown = text(&status);
    for expected in [
        user.login.as_str(),
        user.id.as_str(),
        "user:manage:blocked_users",
        "expires in",
        "tokens",
        "0600",
    ] {
        assert!(shown.contains(expected), "{expected:?} not in {shown}");
    }

    // Another account than the token's is refused, naming both.
    let other = s
        .run(&["--platform", "twitch-helix", "--user", "12345", "list"])
        .await;
    printed.add(&other);
    assert_eq!(code(&other), 2, "{}", text(&other));
    assert!(
        text(&other).contains("12345") && text(&other).contains(&user.id),
        "{}",
        text(&other)
    );

    assert_no_secret(&printed, &secrets(&stored));
    // Only when asked.
    let token = s
        .run(&["--platform", "twitch-helix", "auth", "token"])
        .await;
    assert_eq!(
        String::from_utf8_lossy(&token.stdout).trim(),
        stored["secret"]["access_token"].as_str().unwrap()
    );

    let logout = s
        .run(&["--platform", "twitch-helix", "auth", "logout"])
        .await;
    assert_eq!(code(&logout), 0, "{}", text(&logout));
    assert!(text(&logout).contains("revoked"), "{}", text(&logout));
    let after = s.run(&["--platform", "twitch-helix", "list"]).await;
    assert_ne!(code(&after), 0);
    assert!(text(&s.run(&["auth", "status"]).await).contains("Not signed in"));
}

#[tokio::test]
async fn an_x_pkce_login_completed_through_the_redirect_then_block_without_user() {
    let s = setup(SignInConfig::default()).await;
    let user = s.mock.nth_user(8).unwrap();
    s.mock.authorize_as(&user.id).unwrap();
    let mut printed = Printed::default();
    let login = s.x_login(|u| u).await;
    printed.add(&login);
    assert_eq!(code(&login), 0, "{}", text(&login));
    assert!(text(&login).contains(&user.login));
    let target = s.mock.nth_user(99).unwrap();
    let block = s.run(&["--platform", "x-v2", "block", &target.id]).await;
    printed.add(&block);
    assert_eq!(code(&block), 0, "{}", text(&block));
    assert_eq!(s.mock.blocked(Platform::X, &user.id), vec![target.id]);
    assert_no_secret(&printed, &secrets(&s.stored()));
}

#[tokio::test]
async fn an_import_of_2000_targets_survives_two_token_expiries_blocking_each_once() {
    // Each access token works for 800 requests: 2,000 blocks need two refreshes.
    let s = setup(SignInConfig {
        token_max_uses: Some(800),
        ..SignInConfig::default()
    })
    .await;
    let me = s.mock.credentials().twitch_user_id.clone();
    let login = s.twitch_login(Some(&me)).await;
    assert_eq!(code(&login), 0, "{}", text(&login));
    let first = s.stored();
    let targets: Vec<String> = (0..2000)
        .map(|n| s.mock.nth_user(5_000 + n).unwrap().id)
        .collect();
    std::fs::write(s.dir.path().join("bots.txt"), targets.join("\n")).unwrap();
    let import = s
        .run(&[
            "--platform",
            "twitch-helix",
            "--quiet",
            "import",
            "bots.txt",
        ])
        .await;
    assert_eq!(code(&import), 0, "{}", text(&import));
    for t in &targets {
        assert_eq!(s.mock.blocks_applied(Platform::Twitch, &me, t), 1, "{t}");
        assert_eq!(s.mock.block_requests(Platform::Twitch, &me, t), 1, "{t}");
    }
    assert_eq!(s.mock.blocked(Platform::Twitch, &me).len(), 2000);
    // The rotated pair was stored: the stored refresh token is a new one, and it works.
    let last = s.stored();
    assert_ne!(
        last["secret"]["refresh_token"],
        first["secret"]["refresh_token"]
    );
    assert_no_secret_in(&import, &[secrets(&first), secrets(&last)].concat());
    let list = s
        .run(&["--platform", "twitch-helix", "list", "--limit", "1"])
        .await;
    assert_eq!(code(&list), 0, "{}", text(&list));
}

#[tokio::test]
async fn a_denied_and_an_expired_device_login_exit_3() {
    let s = setup(SignInConfig::default()).await;
    let denied = s.twitch_login(None).await;
    assert_eq!(code(&denied), 3, "{}", text(&denied));
    assert!(text(&denied).contains("denied"), "{}", text(&denied));

    let s = setup(SignInConfig {
        device_code_secs: 0,
        ..SignInConfig::default()
    })
    .await;
    let args = s.twitch_login_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let expired = s.run(&args).await;
    assert_eq!(code(&expired), 3, "{}", text(&expired));
    assert!(text(&expired).contains("expired"), "{}", text(&expired));
    assert!(text(&s.run(&["auth", "status"]).await).contains("Not signed in"));
}

#[tokio::test]
async fn a_forged_state_and_an_error_redirect_end_the_x_login_with_exit_3() {
    let s = setup(SignInConfig::default()).await;
    let forged = s.x_login(|u| u.replace("state=", "state=forged")).await;
    assert_eq!(code(&forged), 3, "{}", text(&forged));
    assert!(text(&forged).contains("state"), "{}", text(&forged));

    s.mock.deny_next_authorization();
    let denied = s.x_login(|u| u).await;
    assert_eq!(code(&denied), 3, "{}", text(&denied));
    assert!(text(&denied).contains("denied"), "{}", text(&denied));
    assert!(text(&s.run(&["auth", "status"]).await).contains("Not signed in"));
}

/// A server that answers the authorize step with a redirect carrying `code` and the `state`
/// it was sent, and every other request (the token endpoint) with HTML.
async fn garbage_token_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                use tokio::io::AsyncWriteExt;
                let mut buf = vec![0u8; 16 * 1024];
                let n = stream.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                let target = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                let response = if target.starts_with("/i/oauth2/authorize") {
                    let url = url_of(&target);
                    let get = |k: &str| {
                        url.query_pairs()
                            .find(|(n, _)| n == k)
                            .map(|(_, v)| v.into_owned())
                            .unwrap_or_default()
                    };
                    let to = format!("{}?code=c0de&state={}", get("redirect_uri"), get("state"));
                    format!(
                        "HTTP/1.1 302 Found\r\nlocation: {to}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    )
                } else {
                    let body = "<html>garbage</html>";
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    )
                };
                let _ = stream.write_all(response.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}")
}

fn url_of(target: &str) -> blockbind::reqwest::Url {
    blockbind::reqwest::Url::parse(&format!("http://x{target}")).unwrap()
}

#[tokio::test]
async fn a_token_endpoint_answering_garbage_ends_the_login_with_exit_3() {
    let s = setup(SignInConfig::default()).await;
    let origin = garbage_token_server().await;
    let cmd = s.command(&[
        "--platform",
        "x-v2",
        "--base-url",
        &origin,
        "auth",
        "login",
        "--client-id",
        "c",
    ]);
    let (child, _, seen, mut stderr) = spawn_until(cmd, "open this URL").await;
    let mut url = String::new();
    stderr.read_line(&mut url).await.unwrap();
    follow(url.trim(), |u| u).await;
    let out = finish(child, seen, stderr).await;
    assert_eq!(code(&out), 3, "{}", text(&out));
    assert!(
        text(&out).contains("not a token response"),
        "{}",
        text(&out)
    );
}

#[tokio::test]
async fn a_revoked_refresh_token_says_log_in_again_with_exit_3() {
    let s = setup(SignInConfig {
        token_max_uses: Some(1),
        ..SignInConfig::default()
    })
    .await;
    let me = s.mock.credentials().twitch_user_id.clone();
    s.mock.seed_blocks(Platform::Twitch, &me, 900, 150);
    let login = s.twitch_login(Some(&me)).await;
    assert_eq!(code(&login), 0, "{}", text(&login));
    let stored = s.stored();
    s.mock
        .revoke(stored["secret"]["refresh_token"].as_str().unwrap());
    let list = s
        .run(&["--platform", "twitch-helix", "list", "--format", "jsonl"])
        .await;
    assert_eq!(code(&list), 3, "{}", text(&list));
    assert!(text(&list).contains("log in again"), "{}", text(&list));
    assert!(
        text(&list).contains("blockbind auth login --platform twitch-helix"),
        "{}",
        text(&list)
    );
    assert_no_secret_in(&list, &secrets(&stored));
}

/// With the credential store wanted but absent (no D-Bus session bus to reach; Linux only, so the
/// test never reaches a real user's store), the token goes to the 0600 file and login says so.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn an_absent_credential_store_falls_back_to_the_file_and_says_where() {
    let s = setup(SignInConfig::default()).await;
    let args = s.twitch_login_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut cmd = s.command(&args);
    cmd.env_remove("BLOCKBIND_KEYRING").env(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}", s.dir.path().join("no-bus").display()),
    );
    let me = s.mock.credentials().twitch_user_id.clone();
    let out = s.device_login(cmd, Some(&me)).await;
    assert_eq!(code(&out), 0, "{}", text(&out));
    let shown = text(&out);
    assert!(
        shown.contains("credential store is not available") && shown.contains("0600"),
        "{shown}"
    );
    let stored = s.stored();
    assert_eq!(stored["kept"], "file");
    assert_no_secret_in(&out, &secrets(&stored));
}

/// A stored token without the scope a command needs: refused before sending, naming the scope
/// and the command that grants it (exit 3).
#[tokio::test]
async fn a_missing_scope_is_named_with_the_login_that_grants_it_before_sending() {
    let s = setup(SignInConfig::default()).await;
    let me = s.mock.credentials().twitch_user_id.clone();
    let login = s.twitch_login(Some(&me)).await;
    assert_eq!(code(&login), 0, "{}", text(&login));
    // The stored entry as an older sign-in with the read scope only would have left it.
    let file = s.token_file();
    let mut stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    stored["scopes"] = serde_json::json!(["user:read:blocked_users"]);
    std::fs::write(&file, stored.to_string()).unwrap();
    let before = s
        .mock
        .requests(blockbind_mock::Api::TwitchHelix, "block_user");
    let block = s
        .run(&["--platform", "twitch-helix", "block", "12826"])
        .await;
    assert_eq!(code(&block), 3, "{}", text(&block));
    let shown = text(&block);
    assert!(shown.contains("user:manage:blocked_users"), "{shown}");
    assert!(
        shown.contains("blockbind auth login --platform twitch-helix"),
        "{shown}"
    );
    assert_eq!(
        s.mock
            .requests(blockbind_mock::Api::TwitchHelix, "block_user"),
        before
    );
    assert_no_secret_in(&block, &secrets(&stored));
}

/// What `auth login` stored, loaded by a program through the library (`token_store`) into the
/// facade's `Config`, acting for the signed-in user without naming them.
#[tokio::test]
async fn a_program_loads_what_auth_login_stored_into_a_config() {
    use blockbind::{Api, BlockList, Config, Credentials};
    use blockbind_cli::token_store::{self, Store};
    use futures::TryStreamExt;

    let s = setup(SignInConfig::default()).await;
    let user = s.mock.nth_user(31).unwrap();
    s.mock.seed_blocks(Platform::Twitch, &user.id, 700, 4);
    let login = s.twitch_login(Some(&user.id)).await;
    assert_eq!(code(&login), 0, "{}", text(&login));

    let store = Store::at(s.dir.path().join("config"), false);
    let entries = store.entries().unwrap();
    let entry = token_store::choose(&entries, blockbind::Platform::Twitch, None)
        .unwrap()
        .unwrap()
        .clone();
    let secret = store.secret(&entry).unwrap();
    let token = store.user_token(entry, secret, |e| panic!("{e}"));
    let config = Config::builder()
        .base_url(s.mock.base_url())
        .credentials(Credentials::new().with_user_token(token).unwrap())
        .build()
        .unwrap();
    let acting = config.acting_user(Api::TwitchHelix, None).unwrap();
    let list = config.block_list(Api::TwitchHelix, acting).await.unwrap();
    let got: Vec<_> = list.blocked().try_collect().await.unwrap();
    assert_eq!(got.len(), 4);
}

/// `auth token` with a stored access token that has expired (or is about to: the mock grants 30 s,
/// under the one-minute refresh margin) refreshes it first and stores the rotated pair before
/// printing the new token, which the platform accepts; with the refresh token revoked, exit 3
/// "log in again" and no token printed.
#[tokio::test]
async fn auth_token_refreshes_an_expired_token_and_stores_the_pair_first_or_says_log_in_again() {
    let s = setup(SignInConfig {
        twitch_token_secs: 30,
        ..SignInConfig::default()
    })
    .await;
    let me = s.mock.credentials().twitch_user_id.clone();
    let login = s.twitch_login(Some(&me)).await;
    assert_eq!(code(&login), 0, "{}", text(&login));
    let before = s.stored();

    let token = s
        .run(&["--platform", "twitch-helix", "auth", "token"])
        .await;
    assert_eq!(code(&token), 0, "{}", text(&token));
    let printed = String::from_utf8_lossy(&token.stdout).trim().to_string();
    let after = s.stored();
    assert_ne!(printed, before["secret"]["access_token"].as_str().unwrap());
    assert_eq!(printed, after["secret"]["access_token"].as_str().unwrap());
    assert_ne!(
        after["secret"]["refresh_token"], before["secret"]["refresh_token"],
        "the rotated refresh token is stored"
    );
    // The printed token is one the platform accepts.
    let validate = blockbind::reqwest::Client::new()
        .get(format!("{}/validate", s.mock.twitch_id_url()))
        .header("authorization", format!("OAuth {printed}"))
        .send()
        .await
        .unwrap();
    assert_eq!(validate.status().as_u16(), 200);

    s.mock
        .revoke(after["secret"]["refresh_token"].as_str().unwrap());
    let refused = s
        .run(&["--platform", "twitch-helix", "auth", "token"])
        .await;
    assert_eq!(code(&refused), 3, "{}", text(&refused));
    assert!(
        text(&refused).contains("log in again"),
        "{}",
        text(&refused)
    );
    assert!(
        text(&refused).contains("blockbind auth login --platform twitch-helix"),
        "{}",
        text(&refused)
    );
    assert_no_secret_in(&refused, &secrets(&after));
}
