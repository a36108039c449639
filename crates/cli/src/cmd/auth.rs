//! `blockbind auth`: sign in as people do (Twitch's device code flow, X's authorization code
//! with PKCE through a loopback redirect), see what is stored, print the token for a script, and
//! sign out (revoke and forget). Tokens go to `token_store`; they are printed only by
//! `auth token`, never in a message.

use blockbind::runtime::oauth2::{GrantedToken, X_AUTHORIZE_URL, X_TOKEN_URL, validate_twitch};
use blockbind::runtime::sign_in::{self, SignInError, TWITCH_ID_URL, X_REVOKE_URL};
use blockbind::{Api, Platform};
use blockbind_cli::token_store::{self, Entry, Kept, Secret, Store};
use secrecy::{ExposeSecret, SecretString};

use crate::args::{AuthCommand, Cli};
use crate::exit::{AUTH, Failure, OTHER, SUCCESS};

/// What Twitch's block commands need.
pub(crate) const TWITCH_SCOPES: [&str; 2] =
    ["user:read:blocked_users", "user:manage:blocked_users"];
/// What X v2's block commands need, and a refresh token (`offline.access`).
pub(crate) const X_SCOPES: [&str; 5] = [
    "users.read",
    "tweet.read",
    "block.read",
    "block.write",
    "offline.access",
];

impl From<SignInError> for Failure {
    fn from(e: SignInError) -> Self {
        Failure {
            code: match e {
                SignInError::Io(_) => OTHER,
                _ => AUTH,
            },
            message: format!("sign-in failed: {e}"),
        }
    }
}

impl From<token_store::StoreError> for Failure {
    fn from(e: token_store::StoreError) -> Self {
        Failure::other(e.to_string())
    }
}

fn auth_failure(message: impl Into<String>) -> Failure {
    Failure {
        code: AUTH,
        message: message.into(),
    }
}

/// The platform of `--platform`, for signing in: Helix (Twitch) or X v2.
fn platform(cli: &Cli, required: bool) -> Result<Option<Platform>, Failure> {
    match cli.platform {
        Some(Api::TwitchHelix) => Ok(Some(Platform::Twitch)),
        Some(Api::XV2) => Ok(Some(Platform::X)),
        Some(other) => Err(Failure::usage(format!(
            "{} has no sign-in here: use --platform twitch-helix (Twitch) or x-v2 (X); X v1.1 takes OAuth 1.0a credentials from variables",
            other.name()
        ))),
        None if required => Err(Failure::usage(
            "--platform twitch-helix or --platform x-v2 is required",
        )),
        None => Ok(None),
    }
}

fn origin(cli: &Cli) -> Option<String> {
    cli.base_url
        .as_deref()
        .map(|o| o.trim_end_matches('/').to_string())
}

/// Twitch's sign-in host, or the origin's `oauth2`.
pub(crate) fn twitch_id_url(origin: Option<&str>) -> String {
    origin.map_or_else(|| TWITCH_ID_URL.to_string(), |o| format!("{o}/oauth2"))
}

fn http() -> blockbind::reqwest::Client {
    blockbind::Runtime::http_client(blockbind::DEFAULT_TIMEOUT)
}

pub(crate) async fn run(cli: &Cli, command: &AuthCommand) -> Result<u8, Failure> {
    let store = Store::open()?;
    match command {
        AuthCommand::Login {
            client_id,
            client_secret,
            no_browser,
        } => {
            let platform = platform(cli, true)?.expect("required");
            let client_id = client_id
                .clone()
                .or_else(|| {
                    (platform == Platform::Twitch)
                        .then(|| std::env::var("TWITCH_CLIENT_ID").ok())
                        .flatten()
                })
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    Failure::usage(
                        "--client-id (or BLOCKBIND_CLIENT_ID) is required: your app's client ID (dev.twitch.tv/console or developer.x.com)",
                    )
                })?;
            let secret = client_secret.clone().map(SecretString::from);
            login(cli, &store, platform, client_id, secret, *no_browser).await
        }
        AuthCommand::Status => status(cli, &store),
        AuthCommand::Token => token(cli, &store).await,
        AuthCommand::Logout => logout(cli, &store).await,
    }
}

async fn login(
    cli: &Cli,
    store: &Store,
    platform: Platform,
    client_id: String,
    client_secret: Option<SecretString>,
    no_browser: bool,
) -> Result<u8, Failure> {
    let http = http();
    let origin = origin(cli);
    let secret_str = client_secret
        .as_ref()
        .map(|s| s.expose_secret().to_string());
    let (grant, account_id, login, scopes, expires_in) = match platform {
        Platform::Twitch => {
            let id_url = twitch_id_url(origin.as_deref());
            let code =
                sign_in::twitch_device_code(&http, &id_url, &client_id, &TWITCH_SCOPES).await?;
            eprintln!(
                "To sign in to Twitch, open {} and enter the code {}",
                code.verification_uri, code.user_code
            );
            eprintln!(
                "Waiting for you to approve (the code expires in {} s)...",
                code.expires_in.as_secs()
            );
            let grant =
                sign_in::twitch_poll_device(&http, &id_url, &client_id, &TWITCH_SCOPES, &code)
                    .await?;
            let v = validate_twitch(
                &http,
                &format!("{id_url}/validate"),
                grant.access_token.expose_secret(),
            )
            .await
            .map_err(|e| auth_failure(format!("the new token did not validate: {e}")))?;
            let user = v
                .user_id
                .ok_or_else(|| auth_failure("the new token names no user"))?;
            let scopes = if v.scopes.is_empty() {
                grant.scopes.clone()
            } else {
                v.scopes
            };
            let expires = v.expires_in.or(grant.expires_in.map(|d| d.as_secs()));
            (grant, user, v.login, scopes, expires)
        }
        _ => {
            let authorize = origin.as_ref().map_or_else(
                || X_AUTHORIZE_URL.to_string(),
                |o| format!("{o}/i/oauth2/authorize"),
            );
            let token_url = origin.as_ref().map_or_else(
                || X_TOKEN_URL.to_string(),
                |o| format!("{o}/2/oauth2/token"),
            );
            let grant = sign_in::pkce_loopback(
                &http,
                &authorize,
                &token_url,
                &client_id,
                secret_str.as_deref(),
                &X_SCOPES,
                |url| {
                    eprintln!("To sign in to X, open this URL in a browser:\n  {url}");
                    if !no_browser {
                        open_browser(url.as_str());
                    }
                },
            )
            .await?;
            let (id, username) = x_me(origin.as_deref(), &grant).await?;
            let expires = grant.expires_in.map(|d| d.as_secs());
            let scopes = grant.scopes.clone();
            (grant, id, Some(username), scopes, expires)
        }
    };
    let entry = Entry {
        platform,
        account_id,
        login,
        client_id,
        scopes,
        expires_at: expires_in.map(|s| token_store::now() + s),
        origin,
        kept: Kept::File,
    };
    let secret = Secret {
        access_token: grant.access_token.clone(),
        refresh_token: grant.refresh_token.clone(),
        client_secret,
    };
    let (entry, fallback) = store.save(entry, &secret)?;
    if let Some(why) = fallback {
        eprintln!("blockbind: {why}; the token is kept in the file instead");
    }
    println!(
        "Signed in to {} as {} with scopes {}; token kept in {}",
        token_store::platform_key(platform),
        entry.account(),
        entry.scopes.join(" "),
        store.describe(&entry)
    );
    Ok(SUCCESS)
}

/// X's `GET /2/users/me` (specs/x-v2.yaml, through the generated client): the signed-in user's
/// ID and username.
async fn x_me(origin: Option<&str>, grant: &GrantedToken) -> Result<(String, String), Failure> {
    let refused = |why: String| auth_failure(format!("X did not say who signed in: {why}"));
    let credentials = blockbind::Credentials::new()
        .with_x_oauth2(grant.access_token.expose_secret())
        .map_err(|e| refused(e.to_string()))?;
    let mut builder = blockbind::Config::builder().credentials(credentials);
    if let Some(o) = origin {
        builder = builder.base_url(o);
    }
    let client = builder
        .build()
        .and_then(|c| c.x_v2())
        .map_err(|e| refused(e.to_string()))?;
    let me = client
        .get_users_me()
        .send()
        .await
        .map_err(|e| refused(e.to_string()))?
        .into_inner()
        .data;
    match (me.id, me.username) {
        (Some(id), Some(username)) => Ok((id.to_string(), username)),
        _ => Err(refused("users/me named no ID or username".into())),
    }
}

/// Opens `url` in a browser when there is one to open: not under CI or tests
/// (`BLOCKBIND_NO_BROWSER`), and on Linux only with a display.
fn open_browser(url: &str) {
    let set = |v: &str| std::env::var_os(v).is_some_and(|v| !v.is_empty());
    if set("CI") || set("BLOCKBIND_NO_BROWSER") {
        return;
    }
    let command = if cfg!(target_os = "macos") {
        Some(("open", vec![url]))
    } else if cfg!(windows) {
        Some(("explorer", vec![url]))
    } else if set("DISPLAY") || set("WAYLAND_DISPLAY") {
        Some(("xdg-open", vec![url]))
    } else {
        None
    };
    if let Some((program, args)) = command {
        let _ = std::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }
}

fn status(cli: &Cli, store: &Store) -> Result<u8, Failure> {
    let only = platform(cli, false)?;
    let entries: Vec<Entry> = store
        .entries()?
        .into_iter()
        .filter(|e| only.is_none_or(|p| p == e.platform))
        .collect();
    if entries.is_empty() {
        println!(
            "Not signed in. Run `blockbind auth login --platform twitch-helix` or `--platform x-v2`."
        );
        return Ok(SUCCESS);
    }
    let now = token_store::now();
    for e in &entries {
        let expiry = match e.expires_at {
            Some(at) if at > now => format!(
                "access token expires in {} min (refreshed when needed)",
                (at - now) / 60
            ),
            Some(_) => "access token expired (refreshed on the next command)".to_string(),
            None => "expiry unknown".to_string(),
        };
        println!(
            "{}: {}\n  scopes: {}\n  {expiry}\n  client ID: {}\n  kept in: {}",
            token_store::platform_key(e.platform),
            e.account(),
            e.scopes.join(" "),
            e.client_id,
            store.describe(e)
        );
        if let Some(o) = &e.origin {
            println!("  signed in at: {o}");
        }
    }
    Ok(SUCCESS)
}

fn chosen(cli: &Cli, store: &Store) -> Result<Entry, Failure> {
    let platform = platform(cli, true)?.expect("required");
    let entries = store.entries()?;
    token_store::choose(&entries, platform, cli.user.as_deref())
        .map_err(Failure::usage)?
        .cloned()
        .ok_or_else(|| {
            auth_failure(format!(
                "not signed in to {}: run `blockbind auth login --platform {}`",
                token_store::platform_key(platform),
                cli.platform.map_or("", Api::name)
            ))
        })
}

/// How long before its expiry a stored access token is refreshed before printing: the runtime's
/// refresh margin, so a script is not handed a token about to stop working.
const REFRESH_AHEAD_SECS: u64 = 60;

/// Prints the access token, for scripts: the one place a token is printed, and only when asked.
/// One that has expired (or is about to) is refreshed first, and the rotated pair stored before
/// the new token is printed; a refused refresh token is exit 3, "log in again".
async fn token(cli: &Cli, store: &Store) -> Result<u8, Failure> {
    let entry = chosen(cli, store)?;
    let secret = store
        .secret(&entry)
        .map_err(|e| auth_failure(e.to_string()))?;
    let expiring = entry
        .expires_at
        .is_some_and(|at| at <= token_store::now() + REFRESH_AHEAD_SECS);
    if !expiring {
        println!("{}", secret.access_token.expose_secret());
        return Ok(SUCCESS);
    }
    let log_in_again = format!(
        "log in again with `blockbind auth login --platform {}`",
        cli.platform.map_or("", Api::name)
    );
    if secret.refresh_token.is_none() {
        return Err(auth_failure(format!(
            "the stored access token has expired and there is no refresh token: {log_in_again}"
        )));
    }
    let platform = entry.platform;
    let user = store.user_token(entry, secret, |e| {
        eprintln!("blockbind: could not store the refreshed token: {e}");
    });
    let credentials = blockbind::Credentials::new().with_user_token(user)?;
    let user = credentials
        .user_token(platform)
        .expect("the user token was just added");
    match user.access_token(&http()).await {
        Ok(access) => {
            println!("{}", access.expose_secret());
            Ok(SUCCESS)
        }
        Err(_) if user.login_required() => Err(auth_failure(format!(
            "the stored access token has expired and its refresh token was refused (revoked, already used or expired): {log_in_again}"
        ))),
        Err(e) => Err(Failure::other(format!(
            "the stored access token has expired and could not be refreshed: {e}"
        ))),
    }
}

async fn logout(cli: &Cli, store: &Store) -> Result<u8, Failure> {
    let entry = chosen(cli, store)?;
    let http = http();
    let revoke_url = match entry.platform {
        Platform::Twitch => format!("{}/revoke", twitch_id_url(entry.origin.as_deref())),
        _ => entry.origin.as_ref().map_or_else(
            || X_REVOKE_URL.to_string(),
            |o| format!("{o}/2/oauth2/revoke"),
        ),
    };
    let mut revoked = true;
    if let Ok(secret) = store.secret(&entry) {
        let tokens = std::iter::once(&secret.access_token).chain(secret.refresh_token.as_ref());
        for token in tokens {
            if let Err(e) =
                sign_in::revoke(&http, &revoke_url, &entry.client_id, token.expose_secret()).await
            {
                revoked = false;
                eprintln!("blockbind: could not revoke a token ({e}); forgetting it anyway");
            }
        }
    }
    store.remove(&entry)?;
    println!(
        "Signed out of {}: {}; {}",
        token_store::platform_key(entry.platform),
        entry.account(),
        if revoked {
            "tokens revoked and forgotten"
        } else {
            "forgotten"
        }
    );
    Ok(SUCCESS)
}
