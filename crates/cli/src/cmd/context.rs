//! What several commands share: the `Config` and `BlockList` from the global flags and the
//! credentials, and reading an input file. Must not print or decide a command's outcome.

use std::path::Path;
use std::sync::Arc;

use blockbind::{
    Api, BlockList, Config, OAuth2UserToken, PageOptions, Target, TwitchKrakenV5Blocks, UserToken,
};
use blockbind_cli::token_store::{self, Store};
use blockbind_cli::{credentials, input};

use crate::args::Cli;
use crate::exit::{Failure, io_failure};

/// The config from the global flags and the credentials, and what the credentials say of the
/// acting account.
pub(crate) struct Session {
    pub(crate) config: Config,
    /// The user an X OAuth 1.0a access token names (`credentials::oauth1_token_user`).
    x_oauth1_user: Option<String>,
}

/// The stored sign-in a command uses, to tell after a failure whether it needs a new one.
static SIGNED_IN: std::sync::OnceLock<(Api, Arc<OAuth2UserToken>)> = std::sync::OnceLock::new();

/// "log in again" when the stored sign-in's refresh token was refused during this run.
pub(crate) fn login_required() -> Option<String> {
    let (api, token) = SIGNED_IN.get()?;
    token.login_required().then(|| {
        format!(
            "the stored sign-in was revoked or has expired: log in again with `blockbind auth login --platform {}`",
            api.name()
        )
    })
}

/// With a stored sign-in, what to do about a scope it lacks (the runtime refuses the request
/// before sending, naming the scope): sign in again, which asks for every scope the commands
/// need.
pub(crate) fn scope_hint(message: &str) -> Option<String> {
    static SHOWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let (api, _) = SIGNED_IN.get()?;
    let missing = message.contains("which the token does not have");
    // Once a run, however many targets fail on it.
    (missing && !SHOWN.swap(true, std::sync::atomic::Ordering::Relaxed)).then(|| {
        format!(
            "the stored sign-in lacks that scope: `blockbind auth login --platform {}` grants every scope the commands need",
            api.name()
        )
    })
}

/// The stored sign-in for `--platform` (and `--user`), as a user token whose refreshes are
/// stored before they are used. `None`: nothing stored (or X v1.1, which signs with OAuth 1.0a).
fn stored_token(cli: &Cli) -> Result<Option<UserToken>, Failure> {
    let Some(api) = cli.platform.filter(|a| *a != Api::XV1) else {
        return Ok(None);
    };
    let Ok(store) = Store::open() else {
        return Ok(None);
    };
    let entries = store.entries()?;
    let Some(entry) = token_store::choose(&entries, api.platform(), cli.user.as_deref())
        .map_err(Failure::usage)?
        .cloned()
    else {
        return Ok(None);
    };
    let secret = store.secret(&entry).map_err(|e| Failure {
        code: crate::exit::AUTH,
        message: e.to_string(),
    })?;
    let token = store.user_token(entry, secret, |e| {
        eprintln!("blockbind: could not store the refreshed token: {e}");
    });
    Ok(Some(token))
}

/// The config from the global flags and the credentials.
pub(crate) fn config(cli: &Cli) -> Result<Session, Failure> {
    let loaded = credentials::load(cli.credentials_file.as_deref())?;
    let mut credentials = loaded.credentials;
    if let Some(token) = stored_token(cli)? {
        credentials = credentials.with_user_token(token)?;
        if let Some(api) = cli.platform
            && let Some(t) = credentials.user_token(api.platform())
        {
            let _ = SIGNED_IN.set((api, t.clone()));
        }
    }
    let mut builder = Config::builder()
        .credentials(credentials)
        .user_agent(concat!("blockbind-cli/", env!("CARGO_PKG_VERSION")));
    if let Some(url) = &cli.base_url {
        builder = builder.base_url(url);
    }
    Ok(Session {
        config: builder.build()?,
        x_oauth1_user: loaded.x_oauth1_user,
    })
}

/// The warning for a legacy API (Kraken) sent to a server that is not on this machine: the
/// platform shut it down, so only a mock or an archive on loopback can answer. `None` for a live
/// API, no `--platform`, or a loopback base URL (127.0.0.1, localhost, [::1]).
pub(crate) fn legacy_warning(cli: &Cli) -> Option<String> {
    let api = cli.platform?;
    let legacy = api.info().legacy?;
    let url = cli
        .base_url
        .clone()
        .unwrap_or_else(|| api.default_base_url().to_string());
    let host = blockbind::reqwest::Url::parse(&url).ok().and_then(|u| {
        u.host_str()
            .map(|h| h.trim_matches(['[', ']']).to_ascii_lowercase())
    });
    let local = host.is_some_and(|h| {
        h == "localhost"
            || h.parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    });
    (!local).then(|| {
        format!(
            "warning: {} is legacy: {legacy} Expect no answer from {url}; point --base-url at the mock or an archive on this machine.",
            api.name()
        )
    })
}

/// The API chosen by `--platform`, its block list for `--user`, and the acting account: the
/// user whose list it is, as the platform knows them (see [`acting_account`]; `None` when it
/// cannot be told).
pub(crate) async fn block_list(
    cli: &Cli,
    session: &Session,
) -> Result<(Api, Box<dyn BlockList>, Option<String>), Failure> {
    let api: Api = cli.platform.ok_or_else(|| {
        Failure::usage(format!(
            "--platform (or BLOCKBIND_PLATFORM) is required: one of {}",
            Api::names()
        ))
    })?;
    let user = cli.user.as_deref().map(Target::parse).transpose()?;
    // A stored sign-in names the acting user; a different --user is refused.
    let user = session.config.acting_user(api, user)?;
    if api == Api::TwitchKrakenV5 {
        // The owner is the token's user (Get User) or `--user` resolved to its ID: the list
        // knows it; ask it rather than a second time.
        let client = session.config.twitch_kraken_v5()?;
        let list = match &user {
            None => TwitchKrakenV5Blocks::for_token_user(client).await?,
            Some(user) => {
                let id = TwitchKrakenV5Blocks::resolve_with(&client, user).await?;
                TwitchKrakenV5Blocks::new(client, id)
            }
        };
        let account = Some(list.user_id().to_string());
        return Ok((api, Box::new(list), account));
    }
    let account = acting_account(api, user.as_ref(), session);
    let list = session.config.block_list(api, user).await?;
    Ok((api, list, account))
}

/// Whose block list a command acts on, for the import journal's key: `--user` where the API
/// takes it (Kraken v2's login lowercased), and on X v1.1, which has no owner parameter, the user
/// its OAuth 1.0a access token names. X documents the form `<user id>-<random>` for access tokens
/// (its signing reference's token is `370773112-GmHx...`), and the mock issues them so; v1.1
/// documents no `account/verify_credentials` in this project's references, so the token is read
/// rather than the platform asked. `None`: a v1.1 token of another form and no `--user` ID.
fn acting_account(api: Api, user: Option<&Target>, session: &Session) -> Option<String> {
    if api == Api::XV1 {
        return session.x_oauth1_user.clone().or_else(|| match user {
            Some(Target::Id(id)) => Some(id.clone()),
            _ => None,
        });
    }
    Some(match user {
        Some(Target::Login(login)) => login.to_ascii_lowercase(),
        Some(Target::Id(id)) => id.clone(),
        // The facade refuses these APIs without `--user`, naming what they need.
        None => "-".into(),
    })
}

/// [`acting_account`], or why an import cannot key its journal without `--user`.
pub(crate) fn require_account(account: Option<String>) -> Result<String, Failure> {
    account.ok_or_else(|| {
        Failure::usage(
            "cannot tell whose X v1.1 access token this is (X issues them as `<user id>-...`); \
             pass --user <your user ID>, so the import journal is kept per account",
        )
    })
}

/// How every command reads a block list: whole, but failing past `--page-cap` pages.
pub(crate) fn page_options(cli: &Cli) -> PageOptions {
    PageOptions::default().with_page_cap(cli.page_cap)
}

/// Refuses an input file that `--platform` cannot use in this direction (`input::Parsed::check`):
/// no known format, users of the other platform, chat commands of the other direction. Before
/// any request.
pub(crate) fn check_input(cli: &Cli, parsed: &input::Parsed, unblock: bool) -> Result<(), Failure> {
    let Some(api) = cli.platform else {
        return Ok(()); // `block_list` asks for --platform
    };
    parsed.check(api, unblock).map_err(|bad| {
        Failure::usage(format!(
            "line {}: {}",
            bad.line,
            blockbind_cli::output::terminal_safe(&bad.why)
        ))
    })
}

/// An input file (import, diff), refused if over `input::MAX_FILE_BYTES`; opened once, and
/// read as a stream where its format allows (`input::parse_reader`).
pub(crate) fn read_input(path: &Path) -> Result<input::Parsed, Failure> {
    let file = std::fs::File::open(path).map_err(|e| io_failure("cannot read", path, e))?;
    let size = file
        .metadata()
        .map_err(|e| io_failure("cannot read", path, e))?
        .len();
    if size > input::MAX_FILE_BYTES {
        return Err(Failure::usage(format!(
            "{} is {size} bytes; split it into files under {} bytes",
            path.display(),
            input::MAX_FILE_BYTES
        )));
    }
    let reader = std::io::BufReader::new(std::io::Read::take(file, input::MAX_FILE_BYTES));
    input::parse_reader(reader).map_err(|e| io_failure("cannot read", path, e))
}
