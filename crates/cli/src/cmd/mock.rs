//! `blockbind mock`: runs the mock of all five APIs until Ctrl-C and prints how to try it (or,
//! with `--print-credentials json`, one JSON line for scripts). Takes the options of the
//! `blockbind-mock` binary (`blockbind_mock::MockArgs`). Reads no credentials and talks to no
//! real API.

use blockbind_mock::{CredentialsFormat, MockArgs};

use crate::exit::Failure;

pub(crate) async fn run(args: &MockArgs) -> Result<u8, Failure> {
    let config = args.mock_config().map_err(Failure::usage)?;
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], args.port));
    let mock = blockbind_mock::MockServer::start_on(addr, config)
        .await
        .map_err(|e| Failure::other(e.to_string()))?;
    if args.print_credentials == CredentialsFormat::Json {
        println!("{}", mock.ready_json());
    } else {
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
    }
    let _ = tokio::signal::ctrl_c().await;
    mock.stop().await;
    Ok(0)
}
