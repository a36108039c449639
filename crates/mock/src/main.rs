//! `blockbind-mock [--port N] [--config FILE] [--seed N] [--rate-limit API=LIMIT/WINDOW_MS]
//! [--fault NAME=VALUE] [--print-credentials env|json]`: the mock of all five APIs as a process.
//! Prints each API's base URL and the default credentials (or one JSON line), then a `ready`
//! line, and serves until Ctrl-C. `blockbind mock` takes the same options.

use std::net::SocketAddr;

use blockbind_mock::{CredentialsFormat, MockArgs, MockServer};
use clap::Parser;

#[derive(Parser)]
#[command(
    version,
    about = "A stateful, spec-driven mock of the Twitch Helix, Kraken v5/v2 and X v2/v1.1 block-list APIs"
)]
struct Args {
    #[command(flatten)]
    mock: MockArgs,
    /// The same as `--print-credentials json`.
    #[arg(long)]
    json: bool,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let config = match args.mock.mock_config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("blockbind-mock: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], args.mock.port));
    let mock = match MockServer::start_on(addr, config).await {
        Ok(m) => m,
        Err(e) => {
            eprintln!("blockbind-mock: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if args.json || args.mock.print_credentials == CredentialsFormat::Json {
        println!("{}", mock.ready_json());
    } else {
        print!("{}", mock.banner());
        println!();
        println!("ready {}", mock.base_url());
    }
    let _ = tokio::signal::ctrl_c().await;
    mock.stop().await;
    std::process::ExitCode::SUCCESS
}
