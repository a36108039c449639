//! The mock's command-line options, shared by the `blockbind-mock` binary and `blockbind mock`:
//! a fixed port, a config file, and flags for what a test most often changes (seed, population,
//! starting blocks, rate limits, faults); and the two ways it prints its credentials. Holds no
//! server logic: it only builds a [`MockConfig`] and formats what [`MockServer`] reports.

use std::path::PathBuf;

use crate::{Api, Bucket, MockConfig, MockServer};

/// How the mock prints its URLs and credentials once it listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CredentialsFormat {
    /// Each API's base URL, then `NAME=value` lines of the environment variables blockbind
    /// reads, then `ready <base URL>`.
    #[default]
    Env,
    /// One JSON object on one line (`ready`, `base_url`, `urls`, `credentials`, `env`), for
    /// scripts: [`MockServer::ready_json`].
    Json,
}

/// The mock's options as a process.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct MockArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// A YAML or JSON file with a MockConfig (every setting; the flags below override it).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Seeds the world, the tokens and the faults (default 42).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Synthesized users, IDs 600000000 and up (default 10000000).
    #[arg(long)]
    pub population: Option<u64>,
    /// Blocks each default user starts with (default 3).
    #[arg(long, value_name = "N")]
    pub initial_blocks: Option<usize>,
    /// A rate limit for one API: `API=LIMIT/WINDOW_MS`, e.g. `twitch-helix=5/3000` (repeat for
    /// several APIs).
    #[arg(long = "rate-limit", value_name = "API=LIMIT/WINDOW_MS")]
    pub rate_limits: Vec<String>,
    /// No rate limiting at all.
    #[arg(long)]
    pub no_rate_limits: bool,
    /// An injected fault: `NAME=VALUE`, e.g. `p_503=0.2` or `latency_ms=50`; names: p_500,
    /// p_503, p_429, p_reset, p_truncate, p_reset_after_apply, p_cut_after_apply, latency_ms.
    #[arg(long = "fault", value_name = "NAME=VALUE")]
    pub faults: Vec<String>,
    /// How to print the credentials: `env` (NAME=value lines) or `json` (one line, for scripts).
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = CredentialsFormat::Env)]
    pub print_credentials: CredentialsFormat,
}

impl MockArgs {
    /// The config these options describe: the file's (or the default), then each flag.
    pub fn mock_config(&self) -> Result<MockConfig, String> {
        let mut config = match &self.config {
            None => MockConfig::default(),
            Some(path) => std::fs::read_to_string(path)
                .map_err(|e| e.to_string())
                .and_then(|text| {
                    yaml_serde::from_str::<MockConfig>(&text).map_err(|e| e.to_string())
                })
                .map_err(|e| format!("cannot use {}: {e}", path.display()))?,
        };
        if let Some(seed) = self.seed {
            config.seed = seed;
        }
        if let Some(population) = self.population {
            config.population = population;
        }
        if let Some(n) = self.initial_blocks {
            config.initial_blocks = n;
        }
        if self.no_rate_limits {
            config.rate_limiting = false;
        }
        for spec in &self.rate_limits {
            let (api, bucket) = parse_rate_limit(spec)?;
            config.rate_limits.insert(api, bucket);
        }
        for spec in &self.faults {
            set_fault(&mut config, spec)?;
        }
        Ok(config)
    }
}

/// `twitch-helix=5/3000` → (`twitch-helix`, 5 per 3000 ms).
fn parse_rate_limit(spec: &str) -> Result<(String, Bucket), String> {
    let bad =
        || format!("--rate-limit {spec:?}: expected API=LIMIT/WINDOW_MS, e.g. twitch-helix=5/3000");
    let (api, bucket) = spec.split_once('=').ok_or_else(bad)?;
    let (limit, window) = bucket.split_once('/').ok_or_else(bad)?;
    let api = Api::from_name(api.trim()).ok_or_else(|| {
        format!(
            "--rate-limit {spec:?}: unknown API {api:?} (expected one of {})",
            Api::names()
        )
    })?;
    let limit = limit.trim().parse().map_err(|_| bad())?;
    let window_ms = window.trim().parse().map_err(|_| bad())?;
    if limit == 0 || window_ms == 0 {
        return Err(format!(
            "--rate-limit {spec:?}: the limit and the window must be above 0"
        ));
    }
    Ok((api.name().to_string(), Bucket { limit, window_ms }))
}

/// `p_503=0.2` → `config.faults.p_503 = 0.2`, by the field's name in the config file.
fn set_fault(config: &mut MockConfig, spec: &str) -> Result<(), String> {
    let (name, value) = spec
        .split_once('=')
        .ok_or_else(|| format!("--fault {spec:?}: expected NAME=VALUE, e.g. p_503=0.2"))?;
    let mut faults = serde_json::to_value(&config.faults).map_err(|e| e.to_string())?;
    let fields = faults
        .as_object_mut()
        .ok_or_else(|| "faults are not an object".to_string())?;
    if !fields.contains_key(name.trim()) {
        let names: Vec<&str> = fields.keys().map(String::as_str).collect();
        return Err(format!(
            "--fault {spec:?}: unknown fault {name:?} (expected one of {})",
            names.join(", ")
        ));
    }
    let value: serde_json::Value = value
        .trim()
        .parse::<serde_json::Number>()
        .map(serde_json::Value::Number)
        .map_err(|_| format!("--fault {spec:?}: {value:?} is not a number"))?;
    fields.insert(name.trim().to_string(), value);
    config.faults = serde_json::from_value(faults).map_err(|e| format!("--fault {spec:?}: {e}"))?;
    Ok(())
}

impl MockServer {
    /// What a script needs from the running mock, as one JSON object: `ready: true`,
    /// `base_url`, `urls` (each API's base URL by name), `x_token_url`, `credentials` (the
    /// default users' [`crate::Credentials`]) and `env` (the environment variables blockbind
    /// reads, by name).
    pub fn ready_json(&self) -> serde_json::Value {
        let urls: serde_json::Map<String, serde_json::Value> = Api::ALL
            .iter()
            .map(|a| (a.name().to_string(), self.url(*a).into()))
            .collect();
        let env: serde_json::Map<String, serde_json::Value> = self
            .credentials()
            .env_vars()
            .into_iter()
            .map(|(name, value)| (name.to_string(), value.into()))
            .collect();
        serde_json::json!({
            "ready": true,
            "base_url": self.base_url(),
            "urls": urls,
            "x_token_url": self.x_token_url(),
            "credentials": self.credentials(),
            "env": env,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_defaults() {
        let args = MockArgs {
            seed: Some(7),
            population: Some(1000),
            initial_blocks: Some(25),
            rate_limits: vec!["x-v1.1=4/2000".into()],
            faults: vec!["p_503=0.25".into(), "latency_ms=5".into()],
            ..MockArgs::default()
        };
        let c = args.mock_config().unwrap();
        assert_eq!((c.seed, c.population, c.initial_blocks), (7, 1000, 25));
        assert_eq!(
            c.rate_limits.get("x-v1"),
            Some(&Bucket {
                limit: 4,
                window_ms: 2000
            })
        );
        assert_eq!((c.faults.p_503, c.faults.latency_ms), (0.25, 5));
    }

    #[test]
    fn bad_flags_say_what_is_expected() {
        for (args, expected) in [
            (
                MockArgs {
                    rate_limits: vec!["myspace=1/1".into()],
                    ..MockArgs::default()
                },
                "unknown API \"myspace\"",
            ),
            (
                MockArgs {
                    rate_limits: vec!["x-v2=five".into()],
                    ..MockArgs::default()
                },
                "expected API=LIMIT/WINDOW_MS",
            ),
            (
                MockArgs {
                    faults: vec!["p_404=0.1".into()],
                    ..MockArgs::default()
                },
                "unknown fault \"p_404\" (expected one of ",
            ),
            (
                MockArgs {
                    faults: vec!["latency_ms=-1".into()],
                    ..MockArgs::default()
                },
                "--fault \"latency_ms=-1\"",
            ),
        ] {
            let e = args.mock_config().unwrap_err();
            assert!(e.contains(expected), "{e}");
        }
    }
}
