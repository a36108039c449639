//! `blockbind block` and `blockbind unblock`: the command line's targets one by one, each
//! reported. No journal and no retries beyond the facade's: that is `import`.

use blockbind::{BlockList, BlockOptions, Target};
use blockbind_cli::import::Current;
use blockbind_cli::output::terminal_safe;

use crate::args::Cli;
use crate::cmd::context;
use crate::exit::Failure;

/// `block` (with options) or `unblock` (without) of `raw`: each reported, the first failure's
/// exit code returned at the end.
pub(crate) async fn run(
    cli: &Cli,
    raw: &[String],
    block: Option<BlockOptions>,
) -> Result<u8, Failure> {
    let targets = targets(raw)?;
    let session = context::config(cli)?;
    let (_, list, _) = context::block_list(cli, &session).await?;
    // An unblock by the name the API does not address users by is found on the list: read it
    // once for all such targets, never once per target.
    let current = if block.is_none() && targets.iter().any(|t| list.unblock_reads_list(t)) {
        let asking = Current::asking(&targets, |t| list.unblock_reads_list(t));
        Some(asking.read(&*list, context::page_options(cli)).await?)
    } else {
        None
    };
    one_by_one(&*list, targets, block, current.as_ref()).await
}

fn targets(raw: &[String]) -> Result<Vec<Target>, Failure> {
    raw.iter()
        .map(|t| Target::parse(t).map_err(Failure::from))
        .collect()
}

async fn one_by_one(
    list: &dyn BlockList,
    targets: Vec<Target>,
    block: Option<BlockOptions>,
    current: Option<&Current>,
) -> Result<u8, Failure> {
    let mut code = 0;
    for target in targets {
        let result = match (block, current) {
            (Some(options), _) => list.block(target.clone(), options).await,
            (None, Some(current)) => {
                let listed = current.find(&target).cloned();
                list.unblock_listed(target.clone(), listed).await
            }
            (None, None) => list.unblock(target.clone()).await,
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
                eprintln!("blockbind: {target}: {}", terminal_safe(&e.to_string()));
                if let Some(hint) = context::scope_hint(&e.to_string()) {
                    eprintln!("blockbind: {hint}");
                }
                if code == 0 {
                    code = Failure::from(e).code;
                }
            }
        }
    }
    Ok(code)
}
