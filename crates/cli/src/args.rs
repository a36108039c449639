//! The command line's clap model: global flags, subcommands, value enums and help texts.
//! Parsing only: no I/O, no API calls, no exit codes.

use std::path::PathBuf;

use blockbind::{Api, BlockOptions, BlockReason, SourceContext};
use clap::builder::TypedValueParser;
use clap::{Parser, Subcommand};

use blockbind_cli::output::{FileFormat, ListFormat};

const EXAMPLES: &str = "\
Examples:
  blockbind mock                                   # a mock of all five APIs, with tokens to try
  export TWITCH_CLIENT_ID=... TWITCH_TOKEN=...
  blockbind --platform twitch-helix --user 141981764 list
  blockbind --platform twitch-helix --user 141981764 block 12826 --reason spam
  blockbind --platform x-v2 --user 2244994945 export blocks.json
  blockbind --platform twitch-helix --user 141981764 import bots.txt --concurrency 16
  blockbind --platform x-v1 import block.js         # X's archive
  blockbind --platform twitch-helix --user 141981764 diff blocks.csv

Twitch Kraken v5 and v2 are legacy (shut down by Twitch; v5 on 2022-02-28): they answer only
from the mock or an archive, and a warning says so when --base-url is not this machine.

Credentials come from the variables the specs name (see `blockbind mock` for each one), or
from a credentials file (NAME=value lines, mode 0600; default ~/.config/blockbind/credentials).
Never from flags.

Exit codes: 0 success, 2 usage error, 3 authentication or scope error, 4 gave up on rate
limits or retries, 5 the X access level (plan) does not include the endpoint (e.g. blocking on
X v2 needs Enterprise), 1 anything else.";

#[derive(Parser)]
#[command(
    name = "blockbind",
    version,
    about = "Block lists of Twitch and X: list, export, import, diff, block and unblock at the rate limit, resumably",
    after_help = EXAMPLES
)]
pub(crate) struct Cli {
    /// The API to use.
    #[arg(long, global = true, env = "BLOCKBIND_PLATFORM", value_enum)]
    pub(crate) platform: Option<Api>,
    /// Send every API to this origin instead (e.g. the mock: http://127.0.0.1:8080).
    #[arg(long, global = true, env = "BLOCKBIND_BASE_URL")]
    pub(crate) base_url: Option<String>,
    /// The acting account: an ID or a login (`id:`/`login:`/`@` to be explicit). Kraken v5
    /// finds it from the token; Helix and X v2 need the ID, Kraken v2 the login; X v1.1 ignores it.
    #[arg(long, global = true, env = "BLOCKBIND_USER")]
    pub(crate) user: Option<String>,
    /// A credentials file (NAME=value lines, mode 0600).
    #[arg(long, global = true, env = "BLOCKBIND_CREDENTIALS_FILE")]
    pub(crate) credentials_file: Option<PathBuf>,
    /// More output on stderr: -v requests and retries, -vv everything (secrets stay redacted).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    /// No progress output.
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
    /// Fail rather than read more than this many pages of a block list (a server that never
    /// ends its list); the default is far above any real list.
    #[arg(long, global = true, env = "BLOCKBIND_PAGE_CAP", value_name = "PAGES",
          default_value_t = blockbind::runtime::pagination::DEFAULT_PAGE_CAP,
          value_parser = clap::value_parser!(u64).range(1..).map(|n| n as usize))]
    pub(crate) page_cap: usize,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The values a Helix `block_user` enum parameter takes, from its spec, parsed into the
/// generated type.
fn helix_block<T>(parameter: &str) -> impl clap::builder::TypedValueParser<Value = T>
where
    T: std::str::FromStr + Clone + Send + Sync + 'static,
{
    let values = blockbind::twitch_helix::API
        .operation("block_user")
        .and_then(|op| op.enum_values(parameter))
        .unwrap_or_default();
    clap::builder::PossibleValuesParser::new(values.iter().copied()).try_map(|value| {
        value
            .parse::<T>()
            .map_err(|_| format!("{value:?} is not accepted"))
    })
}

#[derive(clap::Args, Debug, Clone, Copy)]
pub(crate) struct BlockFlags {
    /// Where the harassment took place (Helix only; other APIs ignore it).
    #[arg(long, value_parser = helix_block::<SourceContext>("source_context"))]
    source_context: Option<SourceContext>,
    /// Why the user is blocked (Helix only; other APIs ignore it).
    #[arg(long, value_parser = helix_block::<BlockReason>("reason"))]
    reason: Option<BlockReason>,
}

/// `import`'s account-age filter: only accounts created after a date, or younger than an age
/// (both: both hold). Needs the creation dates of a user lookup (Helix, X v2).
#[derive(clap::Args, Debug, Clone, Copy)]
pub(crate) struct AgeFlags {
    /// Only accounts created after DATE (YYYY-MM-DD, midnight UTC, or an RFC 3339 time).
    #[arg(long, value_name = "DATE", value_parser = blockbind_cli::age::parse_date)]
    pub(crate) created_after: Option<chrono::DateTime<chrono::Utc>>,
    /// Only accounts younger than DURATION (a number and s, m, h, d or w: 7d, 36h).
    #[arg(long, value_name = "DURATION", value_parser = blockbind_cli::age::parse_duration)]
    pub(crate) younger_than: Option<chrono::Duration>,
}

impl From<BlockFlags> for BlockOptions {
    fn from(f: BlockFlags) -> Self {
        BlockOptions {
            source_context: f.source_context,
            reason: f.reason,
        }
    }
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Print the block list.
    List {
        /// `json` is all or nothing: the array is printed once the whole list is read, and a
        /// failed run prints none of it. `jsonl` (one JSON object a line), `csv` and `table`
        /// stream page by page: a failed run may end early, but every line printed is complete.
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
    /// Write the whole block list to FILE (written to a temporary file, renamed over FILE once
    /// complete: a failed export leaves FILE as it was and no temporary file).
    Export {
        file: PathBuf,
        /// Default: from FILE's extension (.csv, .jsonl or .ndjson), else json.
        #[arg(long, value_enum)]
        format: Option<FileFormat>,
    },
    /// Block (or unblock) everyone in FILE: one ID, login, @name or profile URL per line; chat
    /// commands (/block, .block, /ban; /unblock and /unban with --unblock); CSV with an ID or
    /// login column (id, userID, user_id, login, userName, screen_name, ... in any case; so
    /// CommanderRoot's export); a `blockbind export` JSON or JSON Lines file; X's archive
    /// `block.js` or `mute.js`. A file in none of these is refused with its first line. Prints
    /// the plan (read the list first, or send directly) before sending.
    Import {
        file: PathBuf,
        #[command(flatten)]
        bulk: crate::cmd::bulk::BulkFlags,
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
        #[command(flatten)]
        age: AgeFlags,
    },
    /// Reverse what the import runs recorded in JOURNAL confirmed on this API and account:
    /// blocks are unblocked, unblocks blocked again. Journaled itself (resume by running it
    /// again; `undo JOURNAL.undo` redoes). A journal of another API or account is refused.
    /// Targets the import sent without reading the list for them are left alone (they may have
    /// been blocked before it) unless --include-unknown.
    Undo {
        /// The import's journal (FILE.journal, or its --journal).
        from: PathBuf,
        /// Where the undo's confirmed targets are recorded (default: JOURNAL.undo).
        #[arg(long)]
        journal: Option<PathBuf>,
        /// Requests in flight (the rate limiter still paces them).
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
        concurrency: u16,
        /// Show what would be done; send nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also reverse targets whose state before the import is unknown (sent directly,
        /// without reading the list): unblocks may remove blocks you had before the import.
        #[arg(long)]
        include_unknown: bool,
    },
    /// Compare FILE with the block list: entries not blocked, and blocked users not in FILE.
    /// With --format, writes one side (--only, default `missing`) in a format `import` reads:
    /// `diff --format csv --only missing > todo.csv && import todo.csv` closes the diff, and
    /// `--only extra` feeds `import --unblock`.
    Diff {
        file: PathBuf,
        /// Write the users as `import` reads them instead of the report (counts go to stderr).
        #[arg(long, value_enum)]
        format: Option<crate::cmd::diff::DiffFormat>,
        /// Which side: in FILE but not blocked (`missing`), or blocked but not in FILE (`extra`).
        #[arg(long, value_enum, requires = "format")]
        only: Option<crate::cmd::diff::DiffSide>,
    },
    /// Run the mock of all five APIs and print its URLs and tokens to try with.
    #[cfg(feature = "mock")]
    Mock {
        #[command(flatten)]
        mock: blockbind_mock::MockArgs,
    },
    /// Sign in (Twitch's device code, X's browser sign-in), see what is stored, print the
    /// token for a script, or sign out. With a stored token, --user is optional.
    Auth {
        #[command(subcommand)]
        action: AuthCommand,
    },
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page, blockbind(1), in roff; with --dir, write it and one page per
    /// subcommand (blockbind-list(1), ...) into DIR instead.
    Man {
        /// Write blockbind.1 and blockbind-SUBCOMMAND.1 here (created if missing).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub(crate) enum AuthCommand {
    /// Sign in: `--platform twitch-helix` shows a code to enter at twitch.tv/activate;
    /// `--platform x-v2` prints a URL to open (and opens a browser where there is one), then
    /// takes the redirect on 127.0.0.1. The token is stored; nothing is printed of it.
    Login {
        /// Your app's client ID (Twitch: default TWITCH_CLIENT_ID).
        #[arg(long, env = "BLOCKBIND_CLIENT_ID")]
        client_id: Option<String>,
        /// A confidential client's secret; prefer the variable: flags show in process lists.
        #[arg(long, env = "BLOCKBIND_CLIENT_SECRET", hide_env_values = true)]
        client_secret: Option<String>,
        /// Print the sign-in URL only; do not open a browser.
        #[arg(long)]
        no_browser: bool,
    },
    /// Show the stored sign-ins: platform, account, scopes, expiry and where each is kept (no
    /// token).
    Status,
    /// Print the stored access token of --platform (and --user), for scripts.
    Token,
    /// Revoke the stored tokens of --platform (and --user) and forget them.
    Logout,
}
