//! X API v2 `/2/users/{id}/blocking` as a [`BlockList`](crate::BlockList): by user ID.
//! Usernames are resolved with users lookup (`/2/users/by`, 100 a request, with `created_at`),
//! and IDs checked with `/2/users`.

use blockbind_runtime::{ApiError, PageOptions, call};
use blockbind_x_v2::Client;
use blockbind_x_v2::types::{User, UserField};
use futures::StreamExt;
use futures::future::BoxFuture;

use crate::platforms::{Addressing, ApiClient, ApiMapping, Listed, Sent, sent};
use crate::{BlockOptions, BlockedUser, Target};

/// X v2's table.
pub struct Mapping;

impl ApiMapping for Mapping {
    const ADDRESSING: Addressing = Addressing::Id;
    const LIST: &'static str = "get_users_blocking";
    const PAGE_SIZE: Option<&'static str> = Some("max_results");
    const BLOCK: &'static str = "block_user";
    const UNBLOCK: &'static str = "unblock_user";
    const OTHER_KIND: &'static str = "X API v2 addresses users by ID";
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
                created_at: user.created_at,
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

    fn lookup_users<'a>(
        client: &'a Client,
        logins: &'a [String],
        ids: &'a [String],
    ) -> Option<BoxFuture<'a, Result<Vec<BlockedUser>, ApiError>>> {
        Some(Box::pin(async move {
            let fields = vec![UserField::CreatedAt];
            let mut users: Vec<User> = Vec::new();
            // Names were checked against X's rules before the lookup (Target::check_for), so
            // none fails to parse; one that did would be reported as not found, never sent.
            let names: Vec<_> = logins.iter().filter_map(|n| n.parse().ok()).collect();
            if !names.is_empty() {
                let request = client.get_users_by_usernames().usernames(names);
                users.extend(call(request.user_fields(fields.clone()).send()).await?.data);
            }
            let ids: Vec<_> = ids.iter().filter_map(|n| n.parse().ok()).collect();
            if !ids.is_empty() {
                let request = client.get_users_by_ids().ids(ids);
                users.extend(call(request.user_fields(fields).send()).await?.data);
            }
            Ok(users
                .into_iter()
                .filter_map(|u| {
                    Some(BlockedUser {
                        login: u.username,
                        display_name: u.name,
                        created_at: u.created_at,
                        ..BlockedUser::on(Self::API, u.id?.to_string())
                    })
                })
                .collect())
        }))
    }
}
