//! `blockbind-conformance`: X's official OpenAPI definitions as the oracle for the generated X v2
//! client. With Prism serving one official version in dynamic mode (`tools/prism/run` starts it),
//! it sends every X v2 operation the version has, `--count` times each with varied valid
//! parameters, through the generated client and the runtime, behind a recording proxy. For each
//! exchange it records whether Prism found a request violation, whether the body satisfies the
//! official response schema, and whether the client decoded it. It prints a report and, last, one
//! JSON line; it exits non-zero when a request broke the official definition or a response valid
//! for X did not decode.
//!
//! What it must not do: read `specs/` (the oracle is X's document alone), build requests by hand,
//! or talk to anything but the `--base-url` it was given (on 127.0.0.1 in CI).

#![warn(missing_docs, unreachable_pub)]

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use blockbind_runtime::{Auth, RetryPolicy, Runtime};
use clap::Parser;
use rand::SeedableRng;
use rand::rngs::StdRng;

mod cases;
mod drive;
mod official;
mod recorder;
mod report;
mod verdict;

use cases::Choices;
use official::{Official, Operation};
use recorder::Recorder;
use report::Tally;

/// The token sent as `Authorization: Bearer`: Prism checks that the scheme is there, not its value.
const TOKEN: &str = "conformance-oauth2-user-token";

/// The wire names of the list operation's query parameters the generated client can send.
const CLIENT_QUERY: [&str; 5] = [
    "max_results",
    "pagination_token",
    "user.fields",
    "expansions",
    "tweet.fields",
];

#[derive(Parser)]
#[command(
    about = "Drive the generated X v2 client against an official X definition served by Prism"
)]
struct Args {
    /// The origin Prism serves the official document at (its paths start with `/2`).
    #[arg(long)]
    base_url: String,
    /// The official OpenAPI document (one version, as JSON).
    #[arg(long)]
    spec: PathBuf,
    /// Requests per operation.
    #[arg(long, default_value_t = 100)]
    count: usize,
    /// Seed of the parameter generator.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// How many kinds of each fault the report lists (the largest first).
    #[arg(long, default_value_t = 10)]
    kinds: usize,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("blockbind-conformance: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(args: Args) -> Result<bool> {
    let official = Official::load(&args.spec)?;
    let recorder = Recorder::start(&args.base_url).await?;
    // The generated paths are relative to the spec's server URL (`https://api.x.com/2`); the
    // official paths carry that prefix themselves.
    let prefix = reqwest::Url::parse(blockbind_x_v2::API.base_url)
        .context("the generated API's base URL")?
        .path()
        .trim_end_matches('/')
        .to_string();
    let runtime = Runtime::new(Auth::user_token(TOKEN)?)
        .with_retry(RetryPolicy::none())
        .with_pacing(false);
    let client = blockbind_x_v2::Client::new(&format!("{}{prefix}", recorder.url()), runtime);
    let mut rng = StdRng::seed_from_u64(args.seed);
    let mut tally = Tally::default();
    let mut notes = Vec::new();

    for op in blockbind_x_v2::API.operations {
        let full_path = format!("{prefix}{}", op.path);
        let Some(theirs) = official.operation(op.method, &full_path)? else {
            notes.push(format!(
                "{}: {} {full_path} is not in this version, not sent",
                op.id, op.method
            ));
            continue;
        };
        notes.push(format!("{} is {} here", op.id, theirs.id));
        match op.id {
            "get_users_blocking" => {
                let choices = list_choices(&theirs, &mut notes);
                for i in 0..args.count {
                    let case = cases::list_case(i, &choices, &mut rng);
                    let sent = drive::list(&client, &recorder, &case).await;
                    tally.record(op.id, &theirs, &sent);
                }
            }
            "block_user" => {
                for _ in 0..args.count {
                    let (id, target) = (cases::user_id(&mut rng), cases::user_id(&mut rng));
                    let sent = drive::block(&client, &recorder, &id, &target).await;
                    tally.record(op.id, &theirs, &sent);
                }
            }
            "unblock_user" => {
                for _ in 0..args.count {
                    let (id, target) = (cases::user_id(&mut rng), cases::user_id(&mut rng));
                    let sent = drive::unblock(&client, &recorder, &id, &target).await;
                    tally.record(op.id, &theirs, &sent);
                }
            }
            other => notes.push(format!(
                "{other}: the driver does not know this operation yet (add it to main.rs)"
            )),
        }
    }

    let spec = args.spec.file_name().map_or_else(
        || args.spec.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    tally.print(official.version(), &spec, &notes, args.kinds);
    Ok(tally.passed())
}

/// What the list requests may send against this version: each parameter the official operation
/// declares, with the official values the generated enums can carry. Official parameters and
/// values the client cannot send become notes.
fn list_choices(theirs: &Operation, notes: &mut Vec<String>) -> Choices {
    let declared = |name: &str| theirs.query.get(name).map(Vec::as_slice);
    let mut values = |name: &str, split: fn(&[String]) -> drive::Sendable| {
        let Some(official) = declared(name) else {
            notes.push(format!(
                "`{name}`: not declared by this version, never sent"
            ));
            return Vec::new();
        };
        let split = split(official);
        if !split.missing.is_empty() {
            notes.push(format!(
                "`{name}`: official values the client has no variant for: {}",
                split.missing.join(", ")
            ));
        }
        split.sendable
    };
    let choices = Choices {
        user_fields: values("user.fields", drive::user_fields),
        expansions: values("expansions", drive::expansions),
        tweet_fields: values("tweet.fields", drive::tweet_fields),
        max_results: declared("max_results").is_some(),
        pagination_token: declared("pagination_token").is_some(),
    };
    for name in theirs.query.keys() {
        if !CLIENT_QUERY.contains(&name.as_str()) {
            notes.push(format!(
                "`{name}`: an official parameter the client has no builder method for"
            ));
        }
    }
    choices
}
