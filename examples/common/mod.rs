//! What every example does first: start the embedded mock of all five APIs on 127.0.0.1 and
//! build a `Config` that points every client at it, with the mock's credentials read as the
//! environment variables a real run reads.

use std::collections::HashMap;

use blockbind::{Config, Credentials};
use blockbind_mock::{MockConfig, MockServer};

pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

pub async fn start() -> Result<(MockServer, Config)> {
    let mock = MockServer::start(MockConfig::default()).await?;
    let env: HashMap<&str, String> = mock.credentials().env_vars().into_iter().collect();
    let config = Config::builder()
        .base_url(mock.base_url())
        .credentials(Credentials::from_lookup(|name| env.get(name).cloned())?)
        .build()?;
    println!("mock of all five APIs at {}", mock.base_url());
    Ok((mock, config))
}
