//! `blockbind-mock --port N [--config FILE]`: the mock of all five APIs as a process. Prints each
//! API's base URL and the default credentials, then a `ready` line, and serves until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;

use blockbind_mock::{Api, MockConfig, MockServer};
use clap::Parser;

#[derive(Parser)]
#[command(
    version,
    about = "A stateful, spec-driven mock of the Twitch Helix, Kraken v5/v2 and X v2/v1.1 block-list APIs"
)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// A YAML or JSON file with a MockConfig (seed, population, rate_limits, faults, ...).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Print the ready line and credentials as one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let config = match &args.config {
        None => MockConfig::default(),
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| yaml_serde::from_str::<MockConfig>(&text).map_err(|e| e.to_string()))
        {
            Ok(c) => c,
            Err(e) => {
                eprintln!("blockbind-mock: cannot use {}: {e}", path.display());
                return std::process::ExitCode::from(2);
            }
        },
    };
    let mock =
        match MockServer::start_on(SocketAddr::from(([127, 0, 0, 1], args.port)), config).await {
            Ok(m) => m,
            Err(e) => {
                eprintln!("blockbind-mock: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
    if args.json {
        let urls: serde_json::Map<String, serde_json::Value> = Api::ALL
            .iter()
            .map(|a| {
                (
                    a.name().to_string(),
                    serde_json::Value::String(mock.url(*a)),
                )
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({"ready": true, "base_url": mock.base_url(), "urls": urls, "credentials": mock.credentials()})
        );
    } else {
        print!("{}", mock.banner());
        println!();
        println!("ready {}", mock.base_url());
    }
    let _ = tokio::signal::ctrl_c().await;
    mock.stop().await;
    std::process::ExitCode::SUCCESS
}
