//! The programs `cargo xtask bench` runs and measures. Each prints one JSON object on stdout;
//! the xtask repeats them, takes medians and compares each with its baseline measured in the
//! same run. Nothing here asserts a time: these are measurements, not tests.
//!
//! Every server is on 127.0.0.1 (port 0), started here or by the xtask, and stopped at the end.

use blockbind::Api;
use clap::{Parser, Subcommand, ValueEnum};

mod mass_block;
mod memory;
mod on_mock;
mod overhead;
mod paginate;
mod pair;
#[cfg(feature = "peers")]
mod peers;
mod scaling;

use mass_block::mass_block;
use overhead::overhead;
use paginate::{paginate, serve_mock};

#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    Sdk,
    Raw,
    /// The crate people use today for the API (`twitch_api`, `twapi-v2`): needs the `peers`
    /// feature.
    Peer,
}

/// The Tokio runtime the overhead bench runs client and server on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Flavor {
    /// One thread for client and server: both sides see the same scheduling, the least noise.
    CurrentThread,
    /// One worker per available CPU, as `#[tokio::main]` gives: closer to how the SDK is used.
    MultiThread,
}

#[derive(Subcommand)]
enum Command {
    /// Sequential list requests to a fixed local server: the generated client with the runtime
    /// against raw reqwest with the same headers, interleaved round by round, on the Tokio
    /// runtime `--runtime` names.
    Overhead {
        #[arg(long, value_enum)]
        api: Api,
        #[arg(long, default_value_t = 2_000)]
        requests: usize,
        #[arg(long, default_value_t = 9)]
        rounds: usize,
        #[arg(long, value_enum, default_value_t = Flavor::CurrentThread)]
        runtime: Flavor,
    },
    /// Serves one fixed page of 20 users for `api` (the overhead bench's server) in this process,
    /// prints one JSON line with its URL, and serves until stdin closes.
    Serve {
        #[arg(long, value_enum)]
        api: Api,
    },
    /// Sequential requests for one page to the server at `base` (from `serve`): blockbind, the
    /// peer crate and raw reqwest, round by round. Needs the `peers` feature.
    Peers {
        #[arg(long, value_enum)]
        api: Api,
        #[arg(long)]
        base: String,
        #[arg(long, default_value_t = 1_000)]
        requests: usize,
        #[arg(long, default_value_t = 9)]
        rounds: usize,
    },
    /// `inflight` concurrent tasks sending list requests to the server at `base` (from `serve`),
    /// the SDK and raw reqwest alternating round by round, on the multi-threaded runtime.
    Scaling {
        #[arg(long, value_enum)]
        api: Api,
        #[arg(long)]
        base: String,
        #[arg(long)]
        inflight: usize,
        #[arg(long, default_value_t = 4_096)]
        requests: usize,
        #[arg(long, default_value_t = 5)]
        rounds: usize,
    },
    /// Serves the mock with `users` blocks seeded for the default Twitch and X users, prints
    /// one JSON line with its URL and credentials, and serves until stdin closes.
    Mock {
        #[arg(long, default_value_t = 1_000_000)]
        users: u64,
    },
    /// Streams the whole block list from the mock at `base`: the SDK's stream, or a
    /// hand-written reqwest + serde loop over the same pages. Reports users/s and peak RSS.
    Paginate {
        #[arg(long, value_enum)]
        api: Api,
        #[arg(long, value_enum)]
        mode: Mode,
        #[arg(long)]
        base: String,
        #[arg(long)]
        user: String,
        #[arg(long)]
        client_id: String,
        /// Read from the environment variable of this name (not a flag value in `ps`).
        #[arg(long)]
        token_env: String,
    },
    /// Peak RSS of `blockbind import --plan read` or `blockbind diff` of `targets` users, all
    /// already on the block list (the mock in this process, no rate limits).
    Memory {
        #[arg(long, value_enum)]
        api: Api,
        #[arg(long)]
        cli: String,
        #[arg(long, default_value_t = 1_000_000)]
        targets: u64,
        #[arg(long, value_enum)]
        command: memory::MemoryCommand,
    },
    /// Runs `command` (inheriting the environment), waits for it and prints one JSON line with
    /// its peak RSS (`ru_maxrss` of this process's children: it is the only one), its exit
    /// status and the last line of its stdout and stderr. A process of its own, started small,
    /// because a child's `ru_maxrss` starts from its parent's peak (see `memory.rs`).
    PeakRss {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
        command: Vec<String>,
    },
    /// `blockbind import` of `targets` against the mock with one bucket and added latency.
    MassBlock {
        #[arg(long, value_enum)]
        api: Api,
        #[arg(long)]
        cli: String,
        #[arg(long)]
        targets: u64,
        #[arg(long)]
        limit: u32,
        #[arg(long)]
        window_ms: u64,
        #[arg(long, default_value_t = 20)]
        latency_ms: u64,
        #[arg(long, default_value_t = 16)]
        concurrency: u16,
    },
}

/// The APIs with a hand-written raw-reqwest baseline to compare against.
const MEASURED: [Api; 2] = [Api::TwitchHelix, Api::XV2];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    if let Command::PeakRss { command } = &args.command {
        return memory::peak_rss(command);
    }
    let api = match &args.command {
        Command::Overhead { api, .. }
        | Command::Serve { api }
        | Command::Peers { api, .. }
        | Command::Scaling { api, .. }
        | Command::Paginate { api, .. }
        | Command::MassBlock { api, .. }
        | Command::Memory { api, .. } => Some(*api),
        _ => None,
    };
    if let Some(api) = api
        && !MEASURED.contains(&api)
    {
        return Err(
            format!("no raw-reqwest baseline for {api}: measure twitch-helix or x-v2").into(),
        );
    }
    // The overhead comparison runs client and server on one thread by default, so both sides
    // see the same scheduling; the others are closer to real use on the multi-threaded runtime.
    let runtime = match args.command {
        Command::Overhead {
            runtime: Flavor::CurrentThread,
            ..
        }
        | Command::Peers { .. } => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?,
        _ => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers())
            .enable_all()
            .build()?,
    };
    runtime.block_on(run(args))
}

/// The multi-threaded runtime's worker count, named here so the overhead bench can report it.
fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    match args.command {
        Command::Overhead {
            api,
            requests,
            rounds,
            runtime,
        } => {
            let workers = match runtime {
                Flavor::CurrentThread => 1,
                Flavor::MultiThread => workers(),
            };
            overhead(api, requests, rounds, runtime, workers).await
        }
        Command::Mock { users } => serve_mock(users).await,
        Command::PeakRss { .. } => unreachable!("run before the runtime starts"),
        Command::Serve { api } => overhead::serve(api).await,
        Command::Peers {
            api,
            base,
            requests,
            rounds,
        } => peers(api, &base, requests, rounds).await,
        Command::Scaling {
            api,
            base,
            inflight,
            requests,
            rounds,
        } => scaling::scaling(api, &base, inflight, requests, rounds).await,
        Command::Paginate {
            api,
            mode,
            base,
            user,
            client_id,
            token_env,
        } => {
            let token = std::env::var(&token_env)?;
            if mode == Mode::Peer {
                return paginate_peer(api, &base, &user, &client_id, &token).await;
            }
            paginate(api, mode, &base, &user, &client_id, &token).await
        }
        Command::Memory {
            api,
            cli,
            targets,
            command,
        } => memory::memory(api, &cli, targets, command).await,
        Command::MassBlock {
            api,
            cli,
            targets,
            limit,
            window_ms,
            latency_ms,
            concurrency,
        } => {
            mass_block(
                api,
                &cli,
                targets,
                limit,
                window_ms,
                latency_ms,
                concurrency,
            )
            .await
        }
    }
}

#[cfg(feature = "peers")]
async fn peers(
    api: Api,
    base: &str,
    requests: usize,
    rounds: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    peers::per_request(api, base, requests, rounds).await
}

#[cfg(feature = "peers")]
async fn paginate_peer(
    api: Api,
    base: &str,
    user: &str,
    client_id: &str,
    token: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    peers::paginate_peer(api, base, user, client_id, token).await
}

#[cfg(not(feature = "peers"))]
async fn peers(_: Api, _: &str, _: usize, _: usize) -> Result<(), Box<dyn std::error::Error>> {
    Err(NO_PEERS.into())
}

#[cfg(not(feature = "peers"))]
async fn paginate_peer(
    _: Api,
    _: &str,
    _: &str,
    _: &str,
    _: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    Err(NO_PEERS.into())
}

#[cfg(not(feature = "peers"))]
const NO_PEERS: &str = "built without the `peers` feature: `cargo build --release -p blockbind-bench --features peers`";
