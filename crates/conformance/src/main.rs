//! `blockbind-conformance`: X's official OpenAPI definitions as the oracle for the generated X v2
//! client. With Prism serving one official version in dynamic mode (`tools/prism/run` starts it),
//! it sends every X v2 operation the version has, `--count` times each with varied valid
//! parameters, through the generated client and the runtime, behind a recording proxy. For each
//! exchange it records whether Prism found a request violation, whether the body satisfies the
//! official response schema, and whether the client decoded it. It prints a report and, last, one
//! JSON line; it exits non-zero when a request broke the official definition or a response valid
//! for X did not decode, and when the run tested too little to say: no request sent, an official
//! operation it does not drive, an expected operation (`--expect`) sent fewer than `--count`
//! times, or an operation with too few answers valid for X. The failing exchanges are saved under
//! `--out` for a look.
//!
//! What it must not do: read `specs/` (the oracle is X's document alone), build requests by hand,
//! or talk to anything but the `--base-url` it was given (on 127.0.0.1 in CI).

#![warn(missing_docs, unreachable_pub)]

use std::collections::BTreeSet;
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use blockbind_runtime::{Auth, RetryPolicy, Runtime};
use clap::Parser;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::Value;

mod cases;
mod drive;
mod evidence;
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
    /// Generated operations (`get_users_blocking,block_user`) the run must send `--count` times
    /// each, besides every one the document has: a document that lost an operation fails.
    #[arg(long, value_delimiter = ',')]
    expect: Vec<String>,
    /// The directory the failing exchanges are saved in (`target/conformance/<version>` in CI).
    #[arg(long)]
    out: PathBuf,
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
    let mut tally = Tally::new(args.count);
    let mut notes = Vec::new();
    for op in &args.expect {
        tally.expect(op);
    }
    // The official operations some generated operation drove; every other one fails the run.
    let mut driven = BTreeSet::new();

    for op in blockbind_x_v2::API.operations {
        let full_path = format!("{prefix}{}", op.path);
        let Some(theirs) = official.operation(op.method, &full_path)? else {
            notes.push(format!(
                "{}: {} {full_path} is not in this version, not sent",
                op.id, op.method
            ));
            continue;
        };
        match op.id {
            "get_users_blocking" => {
                let choices = list_choices(&official, &theirs, &mut notes)?;
                for i in 0..args.count {
                    let case = cases::list_case(i, &choices, &mut rng);
                    let sent = drive::list(&client, &recorder, &case).await;
                    tally.record(op.id, &theirs, &sent);
                }
            }
            "block_user" => {
                let path = theirs.parameter("path", "id");
                let ids = id_digits(&official, path, "block_user `id`", &mut notes)?;
                let body = theirs.body_property("target_user_id");
                let targets =
                    id_digits(&official, body, "block_user `target_user_id`", &mut notes)?;
                for _ in 0..args.count {
                    let id = cases::user_id(&ids, &mut rng);
                    let target = cases::user_id(&targets, &mut rng);
                    let sent = drive::block(&client, &recorder, &id, &target).await;
                    tally.record(op.id, &theirs, &sent);
                }
            }
            "unblock_user" => {
                let path = |name| theirs.parameter("path", name);
                let what = "unblock_user `source_user_id`";
                let sources = id_digits(&official, path("source_user_id"), what, &mut notes)?;
                let what = "unblock_user `target_user_id`";
                let targets = id_digits(&official, path("target_user_id"), what, &mut notes)?;
                for _ in 0..args.count {
                    let source = cases::user_id(&sources, &mut rng);
                    let target = cases::user_id(&targets, &mut rng);
                    let sent = drive::unblock(&client, &recorder, &source, &target).await;
                    tally.record(op.id, &theirs, &sent);
                }
            }
            // Not driven: the official operation it matches is reported below.
            _ => continue,
        }
        notes.push(format!("{} is {} here", op.id, theirs.id));
        tally.expect(op.id);
        driven.insert(theirs.id);
    }
    for (id, route) in official.operations() {
        if !driven.contains(&id) {
            tally.undriven(format!(
                "{route} ({id}): no generated operation the driver knows matches it \
                 (add it to the client's spec, then to main.rs)"
            ));
        }
    }

    let spec = args.spec.file_name().map_or_else(
        || args.spec.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let saved = evidence::save(&args.out, tally.evidence())?;
    tally.print(official.version(), &spec, &notes, args.kinds, &saved);
    Ok(tally.passed())
}

/// The digit counts of a user ID, from the pattern of its parameter or body member `schema`, or,
/// when it declares none, from the document's `UserId` schema: X's July 2025 file types its path
/// `id`s as bare strings while typing every other user ID (the body's `target_user_id`, the
/// DELETE's `target_user_id`) as `UserId`, `^[0-9]{1,19}$`.
fn id_digits(
    official: &Official,
    schema: Option<&Value>,
    what: &str,
    notes: &mut Vec<String>,
) -> Result<RangeInclusive<usize>> {
    let schema = match schema.filter(|s| s.get("pattern").is_some()) {
        Some(own) => own,
        None => {
            notes.push(format!(
                "{what}: declares no pattern, generated as the document's `UserId`"
            ));
            official
                .user_id_schema()
                .with_context(|| format!("{what} has no pattern and the document no `UserId`"))?
        }
    };
    cases::id_digit_bounds(schema).with_context(|| format!("the official {what}"))
}

/// What the list requests may send against this version: each parameter the official operation
/// declares, with the official values the generated enums can carry and the bounds its schema
/// sets. Official parameters and values the client cannot send become notes.
fn list_choices(
    official: &Official,
    theirs: &Operation,
    notes: &mut Vec<String>,
) -> Result<Choices> {
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
    let user_fields = values("user.fields", drive::user_fields);
    let expansions = values("expansions", drive::expansions);
    let tweet_fields = values("tweet.fields", drive::tweet_fields);
    let query = |name| theirs.parameter("query", name);
    let choices = Choices {
        user_fields,
        expansions,
        tweet_fields,
        max_results: query("max_results")
            .map(cases::integer_bounds)
            .transpose()
            .context("the official `max_results`")?,
        pagination_token: query("pagination_token")
            .map(cases::token_bounds)
            .transpose()
            .context("the official `pagination_token`")?,
        id_digits: id_digits(
            official,
            theirs.parameter("path", "id"),
            "get_users_blocking `id`",
            notes,
        )?,
    };
    for name in theirs.query.keys() {
        if !CLIENT_QUERY.contains(&name.as_str()) {
            notes.push(format!(
                "`{name}`: an official parameter the client has no builder method for"
            ));
        }
    }
    Ok(choices)
}
