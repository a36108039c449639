//! Twitch Kraken v2 `/kraken/users/{login}/blocks` as a [`BlockList`](crate::BlockList): by
//! login, with no user lookup, so an ID cannot be blocked (it is refused before sending) and is
//! unblocked through the list. Unblocking a user who is not blocked (Kraken's 404) succeeds.

use blockbind_runtime::{PageOptions, call};
use blockbind_twitch_kraken_v2::Client;

use crate::platforms::{Addressing, ApiClient, ApiMapping, Listed, Sent, listed, sent};
use crate::{BlockOptions, BlockedUser, Target};

/// Kraken v2's table.
pub struct Mapping;

impl ApiMapping for Mapping {
    const ADDRESSING: Addressing = Addressing::Login;
    const LIST: &'static str = "get_user_block_list";
    const PAGE_SIZE: Option<&'static str> = Some("limit");
    const BLOCK: &'static str = "block_user";
    const UNBLOCK: &'static str = "unblock_user";
    const OTHER_KIND: &'static str =
        "Kraken v2 addresses users by login and has no user lookup; pass the login";
    const OWNER: &'static str = "Kraken v2 needs the login of the token's user";
    const NOT_BLOCKED_IS_404: bool = true;

    fn list<'a>(client: &'a Client, owner: &'a str, options: PageOptions) -> Listed<'a> {
        let blocks = client.get_user_block_list().login(owner).stream_with(options);
        listed(blocks, |b| BlockedUser {
            blocked_at: b.updated_at,
            ..BlockedUser::named(Self::API, b.user.id.to_string(), b.user.name, b.user.display_name)
        })
    }

    fn block<'a>(c: &'a Client, owner: &'a str, target: &'a Target, _: BlockOptions) -> Sent<'a> {
        sent(call(c.block_user().user(owner).target(target.as_str()).send()))
    }

    fn unblock<'a>(client: &'a Client, owner: &'a str, target: &'a Target) -> Sent<'a> {
        let request = client.unblock_user().user(owner);
        sent(call(request.target(target.as_str()).send()))
    }
}
