//! Twitch Kraken v5 `/kraken/users/{user_id}/blocks` as a [`BlockList`](crate::BlockList): by
//! user ID; a login is resolved with Kraken's own Get Users (`/users?login=`), one request per
//! login, and the owner can be the token's user (Get User, `/user`). Unblocking a user who is
//! not blocked (Kraken's 404) succeeds.

use blockbind_runtime::{ApiError, PageOptions, call};
use blockbind_twitch_kraken_v5::Client;
use futures::future::BoxFuture;

use crate::platforms::{Addressing, ApiClient, ApiMapping, Blocks, Listed, Sent, listed, sent};
use crate::{BlockOptions, BlockedUser, Error, Target};

/// Kraken v5's table.
pub struct Mapping;

impl ApiMapping for Mapping {
    const ADDRESSING: Addressing = Addressing::Id;
    const LIST: &'static str = "get_user_block_list";
    const PAGE_SIZE: Option<&'static str> = Some("limit");
    const BLOCK: &'static str = "block_user";
    const UNBLOCK: &'static str = "unblock_user";
    const OWNER: &'static str = "Kraken v5 needs the user ID or login of the token's user";
    const NOT_BLOCKED_IS_404: bool = true;

    fn list<'a>(client: &'a Client, owner: &'a str, options: PageOptions) -> Listed<'a> {
        let blocks = client.get_user_block_list().user_id(owner);
        listed(blocks.stream_with(options), |block| {
            let user = block.user;
            let created_at = user.created_at;
            let named = BlockedUser::named(Self::API, user.id.to_string(), user.name, user.display_name);
            BlockedUser { blocked_at: block.updated_at, created_at, ..named }
        })
    }

    fn block<'a>(c: &'a Client, owner: &'a str, target: &'a Target, _: BlockOptions) -> Sent<'a> {
        let request = c.block_user().user_id(owner);
        sent(call(request.target_user_id(target.as_str()).send()))
    }

    fn unblock<'a>(client: &'a Client, owner: &'a str, target: &'a Target) -> Sent<'a> {
        let request = client.unblock_user().user_id(owner).target_user_id(target.as_str());
        sent(call(request.send()))
    }

    fn lookup<'a>(
        client: &'a Client,
        login: &'a str,
    ) -> Option<BoxFuture<'a, Result<Option<String>, ApiError>>> {
        Some(Box::pin(find_login(client, login)))
    }

    fn owner<'a>(client: &'a Client, user: Option<Target>) -> BoxFuture<'a, Result<String, Error>> {
        Box::pin(async move {
            match user {
                None => Ok(Blocks::<Self>::for_token_user(client.clone())
                    .await?
                    .owner()
                    .to_string()),
                Some(user) => Blocks::<Self>::resolve_with(client, &user).await,
            }
        })
    }
}

/// The ID Get Users gives `login`, if any user has it.
async fn find_login(client: &Client, login: &str) -> Result<Option<String>, ApiError> {
    let found = call(client.get_users().login(vec![login.to_string()]).send()).await?;
    Ok(found
        .users
        .into_iter()
        .filter_map(|u| u.0)
        .find(|u| u.name.eq_ignore_ascii_case(login))
        .map(|u| u.id.to_string()))
}

impl Blocks<Mapping> {
    /// Acting as the user of the client's token (Kraken's Get User, `/user`).
    pub async fn for_token_user(client: Client) -> Result<Self, Error> {
        let me = call(client.get_authenticated_user().send())
            .await
            .map_err(Error::api(<Mapping as ApiClient>::API))?;
        Ok(Self::new(client, me.id.to_string()))
    }

    /// The owner's user ID.
    pub fn user_id(&self) -> &str {
        self.owner()
    }

    /// The ID of a target: itself, or the ID Get Users gives its login.
    pub async fn resolve(&self, target: &Target) -> Result<String, Error> {
        Self::resolve_with(self.client(), target).await
    }

    /// [`Self::resolve`] before there is a block list (to find the acting user).
    pub async fn resolve_with(client: &Client, target: &Target) -> Result<String, Error> {
        match target {
            Target::Id(id) => Ok(id.clone()),
            Target::Login(login) => find_login(client, login)
                .await
                .map_err(Error::api(<Mapping as ApiClient>::API))?
                .ok_or_else(|| Error::UnknownUser {
                    api: <Mapping as ApiClient>::API,
                    login: login.clone(),
                }),
        }
    }
}
