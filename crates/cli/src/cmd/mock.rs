//! `blockbind mock`: runs the mock of all five APIs until Ctrl-C and prints how to try it.
//! Reads no credentials and talks to no real API.

use crate::exit::Failure;

pub(crate) async fn run(port: u16) -> Result<u8, Failure> {
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
