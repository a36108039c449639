//! `import` resolving names before it blocks (issue 16 items 2 and 6), end to end against the
//! mock started in this process on 127.0.0.1:0: logins become IDs with the platform's user
//! lookup (100 a request, each name once), names of no user and the acting account are
//! reported per line and never sent, the dry run shows the IDs the run sends, and the account
//! age filter (`--created-after`, `--younger-than`) uses the lookup's `created_at`. Request
//! counts are the mock's per-operation counters.

mod common;

use std::process::Output;

use blockbind_mock::{Api, MockConfig, Platform};
use common::Setup;

/// The mock with buckets no test reaches and empty block lists.
async fn setup() -> Setup {
    Setup::start_empty(MockConfig {
        rate_limits: common::generous_buckets(&["twitch-helix", "x-v2", "x-v1.1"]),
        ..MockConfig::default()
    })
    .await
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_5000_login_helix_list_is_blocked_with_50_lookups_and_the_missing_names_reported() {
    let s = setup().await;
    let me = s.mock.credentials().twitch_user_id.clone();
    let mut lines = Vec::new();
    let mut ids = Vec::new();
    let mut missing_lines = Vec::new();
    for i in 0..5000u64 {
        if i % 500 == 250 {
            lines.push(format!("nosuchuser{i}"));
            missing_lines.push((i + 1, format!("nosuchuser{i}")));
        } else {
            let user = s.mock.nth_user(1000 + i).unwrap();
            lines.push(user.login);
            ids.push(user.id);
        }
    }
    let file = s.write("logins.txt", &(lines.join("\n") + "\n"));
    let out = s
        .run(
            "twitch-helix",
            &["--quiet", "import", &file, "--concurrency", "32"],
        )
        .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "names not sent: {stdout}\n{stderr}"
    );

    assert_eq!(
        s.mock.requests(Api::TwitchHelix, "get_users"),
        50,
        "100 names a lookup"
    );
    assert_eq!(
        s.mock.responses_with_status(400),
        0,
        "no lookup over the bound"
    );
    assert_eq!(s.mock.requests(Api::TwitchHelix, "block_user"), 4990);
    ids.sort();
    assert_eq!(s.blocked(Platform::Twitch), ids);
    for id in &ids {
        assert_eq!(s.mock.block_requests(Platform::Twitch, &me, id), 1, "{id}");
    }
    assert!(stdout.contains("done: 4990 blocked"), "{stdout}");
    assert!(stdout.contains("not sent (lookup): 10"), "{stdout}");
    for (line, name) in &missing_lines {
        let said = format!("line {line}: twitch-helix: no such user: login {name}");
        assert!(stderr.contains(&said), "{said} in {stderr}");
        assert!(
            stdout.contains(&format!("  not sent: {said}")),
            "{said} in {stdout}"
        );
    }
    assert_eq!(s.mock.violations(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dry_run_resolves_and_names_the_ids_the_real_run_sends() {
    let s = setup().await;
    let a = s.mock.nth_user(11).unwrap();
    let b = s.mock.nth_user(12).unwrap();
    let file = s.write(
        "list.txt",
        &format!("{}\n@{}\nnosuchuser77\n", a.login, b.login.to_uppercase()),
    );
    let out = s
        .run("twitch-helix", &["--quiet", "import", &file, "--dry-run"])
        .await;
    let (stdout, stderr) = text(&out);
    assert!(
        stdout.contains(&format!(
            "would block user ID {} (line 1, login {})",
            a.id, a.login
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("would block user ID {} (line 2, login", b.id)),
        "{stdout}"
    );
    assert!(
        stderr.contains("line 3: twitch-helix: no such user: login nosuchuser77"),
        "{stderr}"
    );
    assert!(stdout.contains("dry run: 2 to block"), "{stdout}");
    assert!(stdout.contains("not sent (lookup): 1"), "{stdout}");
    assert_eq!(s.mock.requests(Api::TwitchHelix, "get_users"), 1);
    assert_eq!(s.mock.requests(Api::TwitchHelix, "block_user"), 0);

    let out = s.run("twitch-helix", &["--quiet", "import", &file]).await;
    let (stdout, _) = text(&out);
    assert!(stdout.contains("done: 2 blocked"), "{stdout}");
    let mut want = vec![a.id.clone(), b.id.clone()];
    want.sort();
    assert_eq!(
        s.blocked(Platform::Twitch),
        want,
        "exactly what the dry run said"
    );
    assert_eq!(s.mock.requests(Api::TwitchHelix, "block_user"), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_that_resolves_to_the_acting_account_is_refused() {
    let s = setup().await;
    let c = s.mock.credentials().clone();
    let other = s.mock.nth_user(21).unwrap();
    let file = s.write(
        "list.txt",
        &format!("{}\n{}\n", c.twitch_login, other.login),
    );
    let out = s.run("twitch-helix", &["--quiet", "import", &file]).await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("line 1: twitch-helix: login"), "{stderr}");
    assert!(stderr.contains("you cannot block yourself"), "{stderr}");
    assert_eq!(s.blocked(Platform::Twitch), vec![other.id.clone()]);
    assert_eq!(
        s.mock
            .block_requests(Platform::Twitch, &c.twitch_user_id, &c.twitch_user_id),
        0
    );

    // X v2 the same, by username.
    let x_other = s.mock.nth_user(22).unwrap();
    let file = s.write("x.txt", &format!("@{}\n@{}\n", c.x_username, x_other.login));
    let out = s.run("x-v2", &["--quiet", "import", &file]).await;
    let (_, stderr) = text(&out);
    assert!(stderr.contains("you cannot block yourself"), "{stderr}");
    assert_eq!(s.blocked(Platform::X), vec![x_other.id.clone()]);
    assert_eq!(s.mock.requests(Api::XV2, "get_users_by_usernames"), 1);
}

/// 20 users of the mock's world by creation date, and an instant between the 10th and the 11th
/// with at least an hour on each side.
fn split_by_age(s: &Setup) -> (Vec<blockbind_mock::User>, chrono::DateTime<chrono::Utc>) {
    let mut users: Vec<_> = (300..400).filter_map(|n| s.mock.nth_user(n)).collect();
    users.sort_by_key(|u| u.created_at);
    let mut picked: Vec<_> = users.iter().step_by(5).take(20).cloned().collect();
    picked.sort_by_key(|u| u.created_at);
    let (old, young) = (picked[9].created_at, picked[10].created_at);
    assert!(
        young - old > chrono::Duration::hours(2),
        "the world spreads dates"
    );
    (picked, old + (young - old) / 2)
}

#[tokio::test(flavor = "multi_thread")]
async fn younger_than_and_created_after_block_only_accounts_created_after_the_limit() {
    let s = setup().await;
    let (users, limit) = split_by_age(&s);
    let list: String = users.iter().map(|u| format!("{}\n", u.login)).collect();
    let file = s.write("ages.txt", &list);
    let mut young: Vec<String> = users
        .iter()
        .filter(|u| u.created_at > limit)
        .map(|u| u.id.clone())
        .collect();
    young.sort();
    assert_eq!(young.len(), 10);

    let age = chrono::Utc::now() - limit;
    let younger_than = format!("{}s", age.num_seconds());
    let out = s
        .run(
            "twitch-helix",
            &["--quiet", "import", &file, "--younger-than", &younger_than],
        )
        .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("done: 10 blocked"), "{stdout}");
    assert!(stdout.contains("outside the age filter: 10"), "{stdout}");
    assert_eq!(s.blocked(Platform::Twitch), young);

    // --created-after, by IDs this time (looked up for their dates), on X v2.
    let ids: String = users.iter().map(|u| format!("{}\n", u.id)).collect();
    let file = s.write("ids.txt", &ids);
    let out = s
        .run(
            "x-v2",
            &[
                "--quiet",
                "import",
                &file,
                "--created-after",
                &limit.to_rfc3339(),
            ],
        )
        .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(s.blocked(Platform::X), young);
    assert_eq!(s.mock.requests(Api::XV2, "get_users_by_ids"), 1);

    // An API without a user lookup has no dates: refused before anything is sent.
    let before = s.mock.total_requests();
    let out = s
        .run(
            "x-v1.1",
            &["--quiet", "import", &file, "--younger-than", "7d"],
        )
        .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stderr.contains("need account creation dates"), "{stderr}");
    assert!(
        s.mock.requests(Api::XV1, "create_block") == 0,
        "nothing blocked ({} requests before)",
        before
    );

    // Bad values are refused by the parser.
    let out = s
        .run("twitch-helix", &["import", &file, "--younger-than", "7y"])
        .await;
    assert_eq!(out.status.code(), Some(2));
}
