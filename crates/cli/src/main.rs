//! `blockbind`: list, export, import, diff, block and unblock on Twitch (Helix, Kraken v5/v2)
//! and X (v2, v1.1) at the rate the platform allows, resumably. Built on the `blockbind` facade;
//! it must not talk to an API any other way.

use blockbind_cli::{credentials, import, input};

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use blockbind::{Api, BlockList, BlockOptions, BlockReason, Config, Error, SourceContext, Target};
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use futures::{StreamExt, TryStreamExt};

use blockbind_cli::import::{Current, ImportOptions, Summary};
use blockbind_cli::journal::{Journal, JournalKey};
use blockbind_cli::output::{FileFormat, ListFormat, ListWriter};

const EXAMPLES: &str = "\
Examples:
  blockbind mock                                   # a mock of all five APIs, with tokens to try
  export TWITCH_CLIENT_ID=... TWITCH_TOKEN=...
  blockbind --platform twitch-helix --user 141981764 list
  blockbind --platform twitch-helix --user 141981764 block 12826 --reason spam
  blockbind --platform x-v2 --user 2244994945 export blocks.json
  blockbind --platform twitch-helix --user 141981764 import bots.txt --concurrency 16
  blockbind --platform x-v1 import block.js         # X's archive
  blockbind --platform twitch-kraken-v5 diff blocks.csv

Credentials come from TWITCH_CLIENT_ID, TWITCH_TOKEN, X_OAUTH2_TOKEN, X_CONSUMER_KEY,
X_CONSUMER_SECRET, X_ACCESS_TOKEN and X_ACCESS_TOKEN_SECRET, or from a credentials file
(NAME=value lines, mode 0600; default ~/.config/blockbind/credentials). Never from flags.

Exit codes: 0 success, 2 usage error, 3 authentication or scope error, 4 gave up on rate
limits or retries, 1 anything else.";

#[derive(Parser)]
#[command(
    name = "blockbind",
    version,
    about = "Block lists of Twitch and X: list, export, import, diff, block and unblock at the rate limit, resumably",
    after_help = EXAMPLES
)]
struct Cli {
    /// The API to use.
    #[arg(long, global = true, env = "BLOCKBIND_PLATFORM", value_enum)]
    platform: Option<PlatformArg>,
    /// Send every API to this origin instead (e.g. the mock: http://127.0.0.1:8080).
    #[arg(long, global = true, env = "BLOCKBIND_BASE_URL")]
    base_url: Option<String>,
    /// The acting account: an ID or a login (`id:`/`login:`/`@` to be explicit). Kraken v5
    /// finds it from the token; Helix and X v2 need the ID, Kraken v2 the login; X v1.1 ignores it.
    #[arg(long, global = true, env = "BLOCKBIND_USER")]
    user: Option<String>,
    /// A credentials file (NAME=value lines, mode 0600).
    #[arg(long, global = true, env = "BLOCKBIND_CREDENTIALS_FILE")]
    credentials_file: Option<PathBuf>,
    /// More output on stderr: -v requests and retries, -vv everything (secrets stay redacted).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// No progress output.
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum PlatformArg {
    #[value(name = "twitch-helix")]
    TwitchHelix,
    #[value(name = "twitch-kraken-v5")]
    TwitchKrakenV5,
    #[value(name = "twitch-kraken-v2")]
    TwitchKrakenV2,
    #[value(name = "x-v2")]
    XV2,
    #[value(name = "x-v1", alias = "x-v1.1")]
    XV1,
}

impl From<PlatformArg> for Api {
    fn from(p: PlatformArg) -> Api {
        match p {
            PlatformArg::TwitchHelix => Api::TwitchHelix,
            PlatformArg::TwitchKrakenV5 => Api::TwitchKrakenV5,
            PlatformArg::TwitchKrakenV2 => Api::TwitchKrakenV2,
            PlatformArg::XV2 => Api::XV2,
            PlatformArg::XV1 => Api::XV1,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ContextArg {
    Chat,
    Whisper,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ReasonArg {
    Harassment,
    Spam,
    Other,
}

#[derive(clap::Args, Debug, Clone, Copy)]
struct BlockFlags {
    /// Where the harassment took place (Helix only; other APIs ignore it).
    #[arg(long, value_enum)]
    source_context: Option<ContextArg>,
    /// Why the user is blocked (Helix only; other APIs ignore it).
    #[arg(long, value_enum)]
    reason: Option<ReasonArg>,
}

impl From<BlockFlags> for BlockOptions {
    fn from(f: BlockFlags) -> Self {
        BlockOptions {
            source_context: f.source_context.map(|c| match c {
                ContextArg::Chat => SourceContext::Chat,
                ContextArg::Whisper => SourceContext::Whisper,
            }),
            reason: f.reason.map(|r| match r {
                ReasonArg::Harassment => BlockReason::Harassment,
                ReasonArg::Spam => BlockReason::Spam,
                ReasonArg::Other => BlockReason::Other,
            }),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Print the block list.
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
        /// At most this many entries.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Block one or more users (IDs or logins).
    Block {
        #[arg(required = true)]
        targets: Vec<String>,
        #[command(flatten)]
        flags: BlockFlags,
    },
    /// Unblock one or more users (IDs or logins).
    Unblock {
        #[arg(required = true)]
        targets: Vec<String>,
    },
    /// Write the whole block list to FILE (written to a temporary file, then renamed).
    Export {
        file: PathBuf,
        /// Default: from FILE's extension, else json.
        #[arg(long, value_enum)]
        format: Option<FileFormat>,
    },
    /// Block (or unblock) everyone in FILE: one ID or login per line, CSV with an `id` or
    /// `login` column, a `blockbind export` JSON file, or X's archive `block.js`.
    Import {
        file: PathBuf,
        /// Unblock the users in FILE instead.
        #[arg(long)]
        unblock: bool,
        /// Where confirmed targets are recorded, to resume an interrupted run (default:
        /// FILE.journal).
        #[arg(long)]
        journal: Option<PathBuf>,
        /// Requests in flight (the rate limiter still paces them).
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
        concurrency: u16,
        /// Show what would be done; send nothing but the list read.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        flags: BlockFlags,
    },
    /// Compare FILE with the block list: entries not blocked, and blocked users not in FILE.
    Diff { file: PathBuf },
    /// Run the mock of all five APIs and print its URLs and tokens to try with.
    Mock {
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// A failure with the exit code it maps to.
#[derive(Debug)]
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            message: message.into(),
        }
    }

    fn other(message: impl Into<String>) -> Self {
        Self {
            code: 1,
            message: message.into(),
        }
    }
}

/// 3 for authentication or scopes, 4 for rate limits or retries given up, else 1.
fn code_of(e: &Error) -> u8 {
    let gave_up = e.is_rate_limited()
        || matches!(
            e.api_error(),
            Some(blockbind::ApiError::Status { attempts, .. }) if *attempts > 1
        );
    if e.is_auth() {
        3
    } else if gave_up {
        4
    } else {
        1
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = match &e {
            Error::InvalidTarget { .. } | Error::NeedsUser { .. } | Error::InvalidConfig(_) => 2,
            e => code_of(e),
        };
        Self {
            code,
            message: e.to_string(),
        }
    }
}

impl From<credentials::CredentialsError> for Failure {
    fn from(e: credentials::CredentialsError) -> Self {
        Self {
            code: 3,
            message: e.to_string(),
        }
    }
}

fn io_failure(what: &str, path: &Path, e: std::io::Error) -> Failure {
    Failure::other(format!("{what} {}: {e}", path.display()))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    if cli.verbose > 0 {
        let level = if cli.verbose > 1 { "trace" } else { "debug" };
        // Each request's span is printed when it closes: API, operation, method, path, status,
        // attempts, rate-limit remaining and time taken (credentials are never span fields).
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .with_env_filter(tracing_subscriber::EnvFilter::new(format!(
                "blockbind={level},blockbind_runtime={level}"
            )))
            .init();
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("blockbind: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("blockbind: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// The config from the global flags and the credentials.
fn config(cli: &Cli) -> Result<Config, Failure> {
    let credentials = credentials::load(cli.credentials_file.as_deref())?;
    let mut builder = Config::builder()
        .credentials(credentials)
        .user_agent(concat!("blockbind-cli/", env!("CARGO_PKG_VERSION")));
    if let Some(url) = &cli.base_url {
        builder = builder.base_url(url);
    }
    Ok(builder.build()?)
}

async fn block_list(
    cli: &Cli,
    config: &Config,
) -> Result<(Api, Box<dyn BlockList>, String), Failure> {
    let api: Api = cli
        .platform
        .ok_or_else(|| Failure::usage("--platform (or BLOCKBIND_PLATFORM) is required: twitch-helix, twitch-kraken-v5, twitch-kraken-v2, x-v2 or x-v1"))?
        .into();
    let user = cli.user.as_deref().map(Target::parse).transpose()?;
    let shown = user
        .as_ref()
        .map(|u| u.as_str().to_string())
        .unwrap_or_else(|| "-".into());
    let list = config.block_list(api, user).await?;
    Ok((api, list, shown))
}

fn targets(raw: &[String]) -> Result<Vec<Target>, Failure> {
    raw.iter()
        .map(|t| Target::parse(t).map_err(Failure::from))
        .collect()
}

fn read_input(path: &Path) -> Result<input::Parsed, Failure> {
    let size = std::fs::metadata(path)
        .map_err(|e| io_failure("cannot read", path, e))?
        .len();
    if size > input::MAX_FILE_BYTES {
        return Err(Failure::usage(format!(
            "{} is {size} bytes; split it into files under {} bytes",
            path.display(),
            input::MAX_FILE_BYTES
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| io_failure("cannot read", path, e))?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(input::parse(&text))
}

async fn run(cli: Cli) -> Result<u8, Failure> {
    match &cli.command {
        Command::Completions { shell } => {
            clap_complete::generate(
                *shell,
                &mut Cli::command(),
                "blockbind",
                &mut std::io::stdout(),
            );
            Ok(0)
        }
        Command::Mock { port } => mock(*port).await,
        Command::List { format, limit } => {
            let config = config(&cli)?;
            let (_, list, _) = block_list(&cli, &config).await?;
            let stdout = std::io::stdout().lock();
            let mut writer =
                ListWriter::new(stdout, *format).map_err(|e| Failure::other(e.to_string()))?;
            let mut stream = list.blocked().take(limit.unwrap_or(usize::MAX));
            while let Some(user) = stream.try_next().await? {
                if let Err(e) = writer.write(&user) {
                    if e.kind() == std::io::ErrorKind::BrokenPipe {
                        return Ok(0);
                    }
                    return Err(Failure::other(e.to_string()));
                }
            }
            let (_stdout, _count) = writer.finish().map_err(|e| Failure::other(e.to_string()))?;
            Ok(0)
        }
        Command::Block {
            targets: raw,
            flags,
        } => {
            let targets = targets(raw)?;
            let config = config(&cli)?;
            let (_, list, _) = block_list(&cli, &config).await?;
            one_by_one(&*list, targets, Some((*flags).into())).await
        }
        Command::Unblock { targets: raw } => {
            let targets = targets(raw)?;
            let config = config(&cli)?;
            let (_, list, _) = block_list(&cli, &config).await?;
            one_by_one(&*list, targets, None).await
        }
        Command::Export { file, format } => {
            let config = config(&cli)?;
            let (_, list, _) = block_list(&cli, &config).await?;
            export(&*list, file, *format, cli.quiet).await
        }
        Command::Diff { file } => {
            let parsed = read_input(file)?;
            let config = config(&cli)?;
            let (_, list, _) = block_list(&cli, &config).await?;
            diff(&*list, &parsed).await
        }
        Command::Import {
            file,
            unblock,
            journal,
            concurrency,
            dry_run,
            flags,
        } => {
            let parsed = read_input(file)?;
            let config = config(&cli)?;
            let (api, list, user) = block_list(&cli, &config).await?;
            let journal_path = journal.clone().unwrap_or_else(|| {
                let mut p = file.clone().into_os_string();
                p.push(".journal");
                PathBuf::from(p)
            });
            let options = ImportOptions {
                unblock: *unblock,
                concurrency: usize::from(*concurrency),
                dry_run: *dry_run,
                block_options: (*flags).into(),
                quiet: cli.quiet,
            };
            import(&config, api, &*list, &user, parsed, &journal_path, &options).await
        }
    }
}

/// `block` (with options) or `unblock` (without) of the command line's targets: each reported,
/// the first failure's exit code returned at the end.
async fn one_by_one(
    list: &dyn BlockList,
    targets: Vec<Target>,
    block: Option<BlockOptions>,
) -> Result<u8, Failure> {
    let mut code = 0;
    for target in targets {
        let result = match block {
            Some(options) => list.block(target.clone(), options).await,
            None => list.unblock(target.clone()).await,
        };
        match result {
            Ok(()) => println!(
                "{} {target}",
                if block.is_some() {
                    "blocked"
                } else {
                    "unblocked"
                }
            ),
            Err(e) => {
                eprintln!("blockbind: {target}: {e}");
                if code == 0 {
                    code = Failure::from(e).code;
                }
            }
        }
    }
    Ok(code)
}

async fn export(
    list: &dyn BlockList,
    file: &Path,
    format: Option<FileFormat>,
    quiet: bool,
) -> Result<u8, Failure> {
    let format = format.unwrap_or(match file.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("csv") => FileFormat::Csv,
        _ => FileFormat::Json,
    });
    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| io_failure("cannot write in", dir, e))?;
    let out = std::io::BufWriter::new(tmp);
    let mut writer =
        ListWriter::new(out, format.into()).map_err(|e| io_failure("cannot write", file, e))?;
    let mut stream = list.blocked();
    while let Some(user) = stream.try_next().await? {
        writer
            .write(&user)
            .map_err(|e| io_failure("cannot write", file, e))?;
    }
    let (out, count) = writer
        .finish()
        .map_err(|e| io_failure("cannot write", file, e))?;
    let tmp = out
        .into_inner()
        .map_err(|e| io_failure("cannot write", file, e.into_error()))?;
    tmp.persist(file)
        .map_err(|e| io_failure("cannot write", file, e.error))?;
    if !quiet {
        eprintln!("exported {count} blocked users to {}", file.display());
    }
    Ok(0)
}

async fn diff(list: &dyn BlockList, parsed: &input::Parsed) -> Result<u8, Failure> {
    for bad in &parsed.bad {
        eprintln!("line {}: {}", bad.line, bad.why);
    }
    let current = Current::read(list).await?;
    let mut missing = 0;
    for entry in &parsed.entries {
        let blocked = current.blocks(entry);
        if blocked == Some(true) {
            continue;
        }
        if blocked == Some(false) {
            missing += 1;
            println!(
                "+ {} (line {}): in the file, not blocked",
                entry.target, entry.line
            );
        } else {
            println!(
                "? {} (line {}): this API lists IDs only",
                entry.target, entry.line
            );
        }
    }
    let in_file: std::collections::HashSet<String> = parsed
        .entries
        .iter()
        .flat_map(|e| [Some(&e.target), e.also.as_ref()])
        .flatten()
        .map(|t| t.as_str().to_ascii_lowercase())
        .collect();
    let mut extra = 0;
    for user in &current.users {
        let named = in_file.contains(&user.id)
            || user
                .login
                .as_ref()
                .is_some_and(|l| in_file.contains(&l.to_ascii_lowercase()));
        if !named {
            extra += 1;
            println!(
                "- user ID {} ({}): blocked, not in the file",
                user.id,
                user.login.as_deref().unwrap_or("-")
            );
        }
    }
    println!("{missing} in the file but not blocked, {extra} blocked but not in the file");
    Ok(if parsed.bad.is_empty() { 0 } else { 1 })
}

async fn import(
    config: &Config,
    api: Api,
    list: &dyn BlockList,
    user: &str,
    parsed: input::Parsed,
    journal_path: &Path,
    options: &ImportOptions,
) -> Result<u8, Failure> {
    let mut summary = Summary {
        duplicates: parsed.duplicates,
        bad: parsed.bad.clone(),
        dry_run: options.dry_run,
        ..Summary::default()
    };
    for bad in &parsed.bad {
        eprintln!("line {}: {}", bad.line, bad.why);
    }
    let key = JournalKey {
        operation: if options.unblock { "unblock" } else { "block" },
        api: api.name().to_string(),
        user: user.to_string(),
    };
    let mut journal = if options.dry_run {
        None
    } else {
        Some(Journal::open(journal_path, &key).map_err(|e| Failure::usage(e.to_string()))?)
    };
    if !options.quiet {
        let resumed = journal.as_ref().map_or(0, Journal::done_count);
        eprintln!(
            "{} targets ({} format); journal {} ({resumed} confirmed by an earlier run); reading the current block list to skip what is done",
            parsed.entries.len(),
            parsed.format,
            journal_path.display(),
        );
    }
    let current = Current::read(list).await?;
    let todo = import::plan(
        &parsed,
        &current,
        journal.as_ref(),
        options.unblock,
        &mut summary,
    );
    if options.dry_run {
        summary.planned = todo.len();
        for entry in todo.iter().take(20) {
            println!(
                "would {} {} (line {})",
                key.operation, entry.target, entry.line
            );
        }
        if todo.len() > 20 {
            println!("... and {} more", todo.len() - 20);
        }
    } else if let Some(journal) = journal.as_mut() {
        import::run(
            list,
            todo,
            journal,
            options,
            || config.last_rate_limit(),
            &mut summary,
        )
        .await;
    }
    print_summary(&summary, &key);
    Ok(summary_code(&summary))
}

fn print_summary(s: &Summary, key: &JournalKey) {
    let verb = if key.operation == "block" {
        "blocked"
    } else {
        "unblocked"
    };
    if s.dry_run {
        println!(
            "dry run: {} to {}, {} already {verb}, {} duplicates, {} bad lines; nothing sent",
            s.planned,
            key.operation,
            s.already,
            s.duplicates,
            s.bad.len()
        );
        return;
    }
    println!(
        "done: {} {verb}; skipped: {} already {verb}, {} done by an earlier run, {} duplicates; failed: {}; bad lines: {}",
        s.done,
        s.already,
        s.journaled,
        s.duplicates,
        s.failed.len(),
        s.bad.len()
    );
    for f in &s.failed {
        println!(
            "  failed: line {}: {}: {}",
            f.entry.line, f.entry.target, f.error
        );
    }
    if let Some(e) = &s.aborted {
        let left = s.planned - s.done - s.failed.len();
        println!("stopped early ({left} not attempted; run the same command again to resume): {e}");
    }
}

fn summary_code(s: &Summary) -> u8 {
    if let Some(e) = &s.aborted {
        return code_of(e);
    }
    match s.failed.iter().map(|f| code_of(&f.error)).max() {
        Some(code) => code,
        None if !s.bad.is_empty() => 1,
        None => 0,
    }
}

async fn mock(port: u16) -> Result<u8, Failure> {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mock = blockbind_mock::MockServer::start_on(addr, blockbind_mock::MockConfig::default())
        .await
        .map_err(|e| Failure::other(e.to_string()))?;
    print!("{}", mock.banner());
    let c = mock.credentials();
    println!();
    println!("Try, with the variables above exported:");
    println!(
        "  blockbind --base-url {} --platform twitch-helix --user {} list",
        mock.base_url(),
        c.twitch_user_id
    );
    println!(
        "  blockbind --base-url {} --platform x-v2 --user {} block 783214",
        mock.base_url(),
        c.x_user_id
    );
    println!();
    println!("ready {}", mock.base_url());
    let _ = tokio::signal::ctrl_c().await;
    mock.stop().await;
    Ok(0)
}
