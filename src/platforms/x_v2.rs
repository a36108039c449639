//! X API v2 `/2/users/{id}/blocking` as a [`BlockList`](crate::BlockList): by user ID. Its
//! blocking endpoints have no user lookup, so a username cannot be blocked (it is refused before
//! sending) and is unblocked through the list.

use blockbind_runtime::{ApiError, PageOptions, call};
use futures::StreamExt;
use blockbind_x_v2::Client;

use crate::platforms::{Addressing, ApiClient, ApiMapping, Listed, Sent, sent};
use crate::{BlockOptions, BlockedUser, Target};

/// X v2's table.
pub struct Mapping;

impl ApiMapping for Mapping {
    const ADDRESSING: Addressing = Addressing::Id;
    const OTHER_KIND: &'static str = "X API v2 addresses users by ID and its blocking endpoints have no user lookup; pass the user ID";
    const OWNER: &'static str = "X API v2 needs the user ID of the token's user";

    fn list<'a>(client: &'a Client, owner: &'a str, options: PageOptions) -> Listed<'a> {
        let request = client.get_users_blocking().id(owner);
        // X's 2.167 definitions make every member of a user optional. `id`, `name` and
        // `username` are X's default fields, always sent; a user without an `id` cannot be
        // addressed, so that one entry is an error (the stream goes on), never a panic.
        let users = request.stream_with(options).map(|item| {
            let user = item?;
            let Some(id) = user.id else {
                return Err(ApiError::InvalidResponse {
                    status: 200,
                    message: "a blocked user without an `id` (X sends one with every user)"
                        .into(),
                });
            };
            Ok(BlockedUser {
                login: user.username,
                display_name: user.name,
                ..BlockedUser::on(Self::API, id.to_string())
            })
        });
        users.boxed()
    }

    fn block<'a>(c: &'a Client, owner: &'a str, target: &'a Target, _: BlockOptions) -> Sent<'a> {
        let request = c.block_user().id(owner);
        sent(call(request.body_map(|b| b.target_user_id(target.as_str())).send()))
    }

    fn unblock<'a>(client: &'a Client, owner: &'a str, target: &'a Target) -> Sent<'a> {
        let request = client.unblock_user().source_user_id(owner);
        sent(call(request.target_user_id(target.as_str()).send()))
    }
}
