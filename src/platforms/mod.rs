//! The five [`BlockList`] implementations, each behind its API's feature, and
//! [`Config::block_list`], which picks one at run time.

#[cfg(feature = "twitch-helix")]
mod twitch_helix;
#[cfg(feature = "twitch-kraken-v2")]
mod twitch_kraken_v2;
#[cfg(feature = "twitch-kraken-v5")]
mod twitch_kraken_v5;
#[cfg(feature = "x-v1")]
mod x_v1;
#[cfg(feature = "x-v2")]
mod x_v2;

#[cfg(feature = "twitch-helix")]
pub use twitch_helix::TwitchHelixBlocks;
#[cfg(feature = "twitch-kraken-v2")]
pub use twitch_kraken_v2::TwitchKrakenV2Blocks;
#[cfg(feature = "twitch-kraken-v5")]
pub use twitch_kraken_v5::TwitchKrakenV5Blocks;
#[cfg(feature = "x-v1")]
pub use x_v1::XV1Blocks;
#[cfg(feature = "x-v2")]
pub use x_v2::XV2Blocks;

#[cfg(any(feature = "twitch-kraken-v5", feature = "twitch-kraken-v2"))]
use blockbind_runtime::ApiError;

use crate::{Api, BlockList, Config, Error, Target};

/// Kraken answers an unblock of a user who is not blocked with 404: the goal is reached.
#[cfg(any(feature = "twitch-kraken-v5", feature = "twitch-kraken-v2"))]
fn not_blocked_is_done(result: Result<(), ApiError>) -> Result<(), ApiError> {
    match result {
        Err(e) if e.status() == Some(404) => Ok(()),
        other => other,
    }
}

impl Config {
    /// The block list of `user` on `api`, as a `Box<dyn BlockList>`.
    ///
    /// Who `user` must be, per API:
    /// - Twitch Helix: the token's user ID (required: Helix has no lookup);
    /// - Kraken v5: an ID or a login (resolved with Get Users); `None` asks Kraken for the
    ///   token's user;
    /// - Kraken v2: the login (required: v2 has no lookup);
    /// - X v2: the user ID (required: the blocking endpoints have no lookup);
    /// - X v1.1: ignored: v1.1 acts as the user of the OAuth 1.0a credentials.
    pub async fn block_list(
        &self,
        api: Api,
        user: Option<Target>,
    ) -> Result<Box<dyn BlockList>, Error> {
        let _ = &user;
        match api {
            #[cfg(feature = "twitch-helix")]
            Api::TwitchHelix => match user {
                Some(Target::Id(id)) => {
                    Ok(Box::new(TwitchHelixBlocks::new(self.twitch_helix()?, id)))
                }
                _ => Err(Error::NeedsUser {
                    api,
                    reason: "Helix needs the user ID of the token's user (the broadcaster)",
                }),
            },
            #[cfg(feature = "twitch-kraken-v5")]
            Api::TwitchKrakenV5 => {
                let client = self.twitch_kraken_v5()?;
                Ok(Box::new(match user {
                    None => TwitchKrakenV5Blocks::for_token_user(client).await?,
                    Some(user) => {
                        let id = TwitchKrakenV5Blocks::resolve_with(&client, &user).await?;
                        TwitchKrakenV5Blocks::new(client, id)
                    }
                }))
            }
            #[cfg(feature = "twitch-kraken-v2")]
            Api::TwitchKrakenV2 => match user {
                Some(Target::Login(login)) => Ok(Box::new(TwitchKrakenV2Blocks::new(
                    self.twitch_kraken_v2()?,
                    login,
                ))),
                _ => Err(Error::NeedsUser {
                    api,
                    reason: "Kraken v2 needs the login of the token's user",
                }),
            },
            #[cfg(feature = "x-v2")]
            Api::XV2 => match user {
                Some(Target::Id(id)) => Ok(Box::new(XV2Blocks::new(self.x_v2()?, id))),
                _ => Err(Error::NeedsUser {
                    api,
                    reason: "X API v2 needs the user ID of the token's user",
                }),
            },
            #[cfg(feature = "x-v1")]
            Api::XV1 => Ok(Box::new(XV1Blocks::new(self.x_v1()?))),
            #[allow(unreachable_patterns)]
            _ => Err(Error::FeatureDisabled { api }),
        }
    }
}
