//! Prints the import planner's figures as a Markdown table (BENCHMARKS.md): for list sizes and
//! target counts on each API, the requests and the rate-limit waiting of reading the list first
//! (best..worst) and of sending directly, and the choice. Arithmetic only, from the registry's
//! buckets and the specs' page-size bounds: nothing is sent.
//!
//! `cargo run -p blockbind-cli --example plan_table`

use blockbind::Api;
use blockbind_cli::plan::{self, Choice, Facts, Question};

fn main() {
    println!(
        "| API | list size | targets | read first: requests | read first: waiting | send: requests | send: waiting | chosen |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---|");
    for api in [Api::TwitchHelix, Api::XV2] {
        let Some(facts) = Facts::of(api, false) else {
            continue;
        };
        for (list, targets) in [
            (1_000, 20),
            (100_000, 20),
            (1_000_000, 20),
            (1_000_000, 10_000),
            (10_000, 10_000),
            (100_000, 100_000),
        ] {
            let p = plan::choose(
                &facts,
                Question {
                    targets,
                    list_size: Some(list),
                    forced: None,
                    needs_list: false,
                },
            );
            let Some((best, worst)) = p.read else {
                continue;
            };
            println!(
                "| {} | {list} | {targets} | {}..{} | {}..{} | {} | {} | {} |",
                api.name(),
                best.requests(),
                worst.requests(),
                plan::duration(best.wait),
                plan::duration(worst.wait),
                p.send.requests(),
                plan::duration(p.send.wait),
                match p.choice {
                    Choice::Read => "read",
                    Choice::Send => "send",
                }
            );
        }
    }
}
