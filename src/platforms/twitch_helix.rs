//! Twitch Helix `/helix/users/blocks` as a [`BlockList`](crate::BlockList): by user ID, with
//! Helix's `source_context` and `reason` options. Helix's block API has no user lookup, so a
//! login cannot be blocked (it is refused before sending) and is unblocked through the list.

use blockbind_runtime::{PageOptions, call};
use blockbind_twitch_helix::Client;

use crate::platforms::{Addressing, ApiClient, ApiMapping, Listed, Sent, listed, sent};
use crate::{BlockOptions, BlockedUser, Target};

/// Helix's table.
pub struct Mapping;

impl ApiMapping for Mapping {
    const ADDRESSING: Addressing = Addressing::Id;
    const OTHER_KIND: &'static str =
        "Helix addresses users by ID and its block API has no user lookup; pass the user ID";
    const OWNER: &'static str = "Helix needs the user ID of the token's user (the broadcaster)";

    fn list<'a>(client: &'a Client, owner: &'a str, options: PageOptions) -> Listed<'a> {
        let request = client.get_user_block_list().broadcaster_id(owner);
        listed(request.stream_with(options), |u| {
            BlockedUser::named(Self::API, u.user_id, u.user_login, u.display_name)
        })
    }

    fn block<'a>(c: &'a Client, _: &'a str, target: &'a Target, o: BlockOptions) -> Sent<'a> {
        let mut request = c.block_user().target_user_id(target.as_str());
        if let Some(context) = o.source_context {
            request = request.source_context(context);
        }
        if let Some(reason) = o.reason {
            request = request.reason(reason);
        }
        sent(call(request.send()))
    }

    fn unblock<'a>(client: &'a Client, _: &'a str, target: &'a Target) -> Sent<'a> {
        sent(call(client.unblock_user().target_user_id(target.as_str()).send()))
    }
}
