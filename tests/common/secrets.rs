//! Secrets the wire tests send, distinctive enough that finding one in any output is a leak.

pub const HELIX_TOKEN: &str = "helixsecrettoken0123456789";
pub const KRAKEN_TOKEN: &str = "krakensecrettoken0123456789";
pub const X_TOKEN: &str = "xusersecrettoken0123456789";
pub const APP_TOKEN: &str = "xappsecrettoken0123456789";
pub const CONSUMER_SECRET: &str = "consumersecret0123456789";
pub const TOKEN_SECRET: &str = "tokensecret0123456789";
