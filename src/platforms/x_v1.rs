//! X API v1.1 `blocks/*` as a [`BlockList`](crate::BlockList): acting as the user of the OAuth
//! 1.0a credentials (no owner), taking a `user_id` or a `screen_name` as given. The list is read
//! with `blocks/ids` (5000 per page, IDs only: `login` and `display_name` are `None`).

use blockbind_runtime::{PageOptions, call};
use blockbind_x_v1::Client;

use crate::platforms::{Addressing, ApiClient, ApiMapping, Blocks, Listed, Sent, listed, sent};
use crate::{BlockOptions, BlockedUser, Target};

/// X v1.1's table.
pub struct Mapping;

impl ApiMapping for Mapping {
    const ADDRESSING: Addressing = Addressing::Either;
    const LIST: &'static str = "get_block_ids";
    // `get_block_ids` takes no page size (X's prose says 5,000 a page): no bound to read.
    const PAGE_SIZE: Option<&'static str> = None;
    const BLOCK: &'static str = "create_block";
    const UNBLOCK: &'static str = "destroy_block";
    const OWNER: &'static str = "X API v1.1 acts as the user of the OAuth 1.0a credentials";

    fn list<'a>(client: &'a Client, _: &'a str, options: PageOptions) -> Listed<'a> {
        let ids = client.get_block_ids().stream_with(options);
        listed(ids, |id| BlockedUser::on(Self::API, id.to_string()))
    }

    fn block<'a>(c: &'a Client, _: &'a str, target: &'a Target, _: BlockOptions) -> Sent<'a> {
        let request = c.create_block().skip_status(true).include_entities(false);
        sent(call(match target {
            Target::Id(id) => request.user_id(id.as_str()),
            Target::Login(login) => request.screen_name(login.as_str()),
        }
        .send()))
    }

    fn unblock<'a>(client: &'a Client, _: &'a str, target: &'a Target) -> Sent<'a> {
        let request = client.destroy_block().skip_status(true).include_entities(false);
        sent(call(match target {
            Target::Id(id) => request.user_id(id.as_str()),
            Target::Login(login) => request.screen_name(login.as_str()),
        }
        .send()))
    }
}

impl Blocks<Mapping> {
    /// The block list of the user of the client's OAuth 1.0a credentials (v1.1 has no owner
    /// parameter).
    pub fn for_credentials(client: Client) -> Self {
        Self::new(client, "")
    }
}
