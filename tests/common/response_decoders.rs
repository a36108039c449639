// The response types of the corpus, by `<crate>/<Type>` (the directories of
// tests/fixtures/responses/), as one array expression. Included by tests/response_fixtures.rs and
// by the fuzz target `decode_responses`, each with its own generic `decode`; tools/fuzz/run seeds
// the fuzz corpus with each fixture behind its key's index in this list.
[
    ("twitch-helix/GetUserBlockListResponse", decode::<blockbind_twitch_helix::types::GetUserBlockListResponse>),
    ("twitch-helix/Error", decode::<blockbind_twitch_helix::types::Error>),
    ("twitch-kraken-v5/BlockList", decode::<blockbind_twitch_kraken_v5::types::BlockList>),
    ("twitch-kraken-v5/Block", decode::<blockbind_twitch_kraken_v5::types::Block>),
    ("twitch-kraken-v5/UserList", decode::<blockbind_twitch_kraken_v5::types::UserList>),
    ("twitch-kraken-v5/FollowList", decode::<blockbind_twitch_kraken_v5::types::FollowList>),
    ("twitch-kraken-v5/AuthenticatedUser", decode::<blockbind_twitch_kraken_v5::types::AuthenticatedUser>),
    ("twitch-kraken-v5/KrakenError", decode::<blockbind_twitch_kraken_v5::types::KrakenError>),
    ("twitch-kraken-v2/BlockList", decode::<blockbind_twitch_kraken_v2::types::BlockList>),
    ("twitch-kraken-v2/Block", decode::<blockbind_twitch_kraken_v2::types::Block>),
    ("x-v2/GetUsersBlockingResponse", decode::<blockbind_x_v2::types::GetUsersBlockingResponse>),
    ("x-v2/BlockUserMutationResponse", decode::<blockbind_x_v2::types::BlockUserMutationResponse>),
    ("x-v2/ErrorResponse", decode::<blockbind_x_v2::types::ErrorResponse>),
    ("x-v2/Problem", decode::<blockbind_x_v2::types::Problem>),
    ("x-v1/BlockIdsResponse", decode::<blockbind_x_v1::types::BlockIdsResponse>),
    ("x-v1/BlockListResponse", decode::<blockbind_x_v1::types::BlockListResponse>),
    ("x-v1/User", decode::<blockbind_x_v1::types::User>),
    ("x-v1/ErrorResponse", decode::<blockbind_x_v1::types::ErrorResponse>),
]
