//! The facade pointed at a mock: its config and credentials, read the way users read theirs.

use std::collections::HashMap;

use blockbind::{Config, Credentials};
use blockbind_mock::MockServer;

/// The mock's default credentials, read the way users read theirs: as environment variables.
pub fn credentials(mock: &MockServer) -> Credentials {
    let env: HashMap<&str, String> = mock.credentials().env_vars().into_iter().collect();
    Credentials::from_lookup(|name| env.get(name).cloned()).expect("valid credentials")
}

/// A config for every API of the mock, with its default credentials.
pub fn config(mock: &MockServer) -> Config {
    Config::builder()
        .base_url(mock.base_url())
        .credentials(credentials(mock))
        .build()
        .expect("config builds")
}
