//! Values we have never seen decode. A server that answers like the platforms do, with a value
//! added after our spec was written (a new `verified_type`, a new `reply_settings` in an expanded
//! Post, withheld `scope: "post"`), a null where X's definitions allow one, a string that breaks a
//! documented pattern, or a member no version documents, gives a page that still lists every
//! user: one unusual profile never makes a block list unreadable. Unknown enum values are kept
//! exactly as sent and serialise back to the same string.
//!
//! Each page is served by a raw capturing server on 127.0.0.1:0 and read through the facade's
//! `BlockList::blocked()`, so the bytes decoded are the bytes a platform would send.

mod common;

use blockbind::{Api, BlockedUser, Config, Credentials, Error, Target};
use common::{CaptureServer, response};
use futures::{StreamExt, TryStreamExt};

fn config(base: &str) -> Config {
    let credentials = Credentials::new()
        .with_twitch("client-id", "twitch-token")
        .and_then(|c| c.with_x_oauth2("x-token"))
        .and_then(|c| c.with_x_oauth1("ck", "cs", "at", "ats"))
        .unwrap();
    Config::builder()
        .base_url(base)
        .credentials(credentials)
        .build()
        .unwrap()
}

/// Every user `blocked()` yields from the pages `server` serves.
async fn blocked(api: Api, pages: &[&str]) -> Result<Vec<BlockedUser>, Error> {
    let server = CaptureServer::script(pages.iter().map(|p| response(200, &[], p)).collect()).await;
    let config = config(&server.base);
    let owner = match api {
        Api::TwitchKrakenV2 => Some(Target::Login("me".into())),
        Api::XV1 => None,
        _ => Some(Target::Id("1".into())),
    };
    let list = config.block_list(api, owner).await?;
    list.blocked().try_collect().await
}

fn ids(users: &[BlockedUser]) -> Vec<&str> {
    users.iter().map(|u| u.id.as_str()).collect()
}

/// X v2: every value X has added since, or may add tomorrow, in one page (from the corpus).
const X_V2_PAGE: &str =
    include_str!("fixtures/responses/x-v2/GetUsersBlockingResponse/unknown-values.json");

#[tokio::test]
async fn x_v2_lists_every_user_whatever_values_x_adds() {
    let users = blocked(Api::XV2, &[X_V2_PAGE]).await.unwrap();
    assert_eq!(ids(&users), ["11", "12", "13"]);
    assert_eq!(users[0].login.as_deref(), Some("new_badge"));
}

#[test]
fn x_v2_unknown_values_are_kept_as_sent_and_serialise_back() {
    use blockbind::x_v2::types::{
        GetUsersBlockingResponse, ReferencedTweetType, TweetReplySettings, UserVerifiedType,
    };
    let page: GetUsersBlockingResponse = serde_json::from_str(X_V2_PAGE).unwrap();
    let users = page.data;
    assert_eq!(
        users[0].verified_type,
        Some(UserVerifiedType::Unknown("gold_plus".into()))
    );
    // A value the spec lists is still its own variant.
    assert_eq!(users[2].verified_type, Some(UserVerifiedType::None));
    let tweet = &page.includes.unwrap().tweets[0];
    assert_eq!(
        tweet.reply_settings,
        Some(TweetReplySettings::Unknown("communityMembersOnly".into()))
    );
    assert_eq!(
        tweet.referenced_tweets[0].type_,
        ReferencedTweetType::Unknown("reposted_with_note".into())
    );

    // Serialising gives the values back exactly, and they read the same way as text.
    let again = serde_json::to_value(&users[0]).unwrap();
    assert_eq!(again["verified_type"], "gold_plus");
    assert_eq!(again["withheld"]["scope"], "post");
    assert_eq!(
        again["withheld"]["country_codes"][1], "not-a-country",
        "a pattern is checked when a caller builds a value, not when a response is read"
    );
    assert_eq!(
        users[0].verified_type.as_ref().unwrap().to_string(),
        "gold_plus"
    );
    assert_eq!(
        "gold_plus".parse::<UserVerifiedType>().unwrap(),
        UserVerifiedType::Unknown("gold_plus".into())
    );
}

#[test]
fn request_enums_stay_closed() {
    // What a caller sends is still checked before anything is sent.
    use blockbind::x_v2::types::UserField;
    let err = "shoe_size".parse::<UserField>().unwrap_err().to_string();
    assert!(err.contains("\"shoe_size\" is not one of"), "{err}");
    let err = "gifted"
        .parse::<blockbind::twitch_helix::types::BlockUserReason>()
        .unwrap_err()
        .to_string();
    assert!(err.contains("harassment, spam, other"), "{err}");
}

#[tokio::test]
async fn x_v1_lists_every_id_with_members_it_does_not_know() {
    let page = r#"{"ids": [11, "12", 9007199254740993], "next_cursor": 0, "next_cursor_str": "0",
        "previous_cursor": 0, "previous_cursor_str": "0", "total_count": null,
        "new_member": {"x": [1]}}"#;
    let users = blocked(Api::XV1, &[page]).await.unwrap();
    assert_eq!(ids(&users), ["11", "12", "9007199254740993"]);
}

#[tokio::test]
async fn helix_lists_every_user_with_members_it_does_not_know() {
    let page = r#"{"data": [
        {"user_id": "11", "user_login": "a", "display_name": "A", "blocked_at": "2026-01-01T00:00:00Z",
         "new_member": {"nested": [1, 2]}},
        {"user_id": "12", "user_login": "b", "display_name": "Ｂ\u00e9", "source_context": "stream"}
      ], "pagination": {}, "total": 2, "a_new_top_level_member": true}"#;
    let users = blocked(Api::TwitchHelix, &[page]).await.unwrap();
    assert_eq!(ids(&users), ["11", "12"]);
    assert_eq!(users[1].display_name.as_deref(), Some("Ｂé"));
}

#[tokio::test]
async fn kraken_v5_lists_every_user_with_nulls_and_members_it_does_not_know() {
    let page = r#"{"_total": 2, "blocks": [
        {"_id": 1, "updated_at": "2016-12-15T18:58:11.000000Z", "new": 1,
         "user": {"_id": "11", "name": "a", "display_name": "A", "bio": null, "logo": null,
                  "type": "a_type_twitch_never_documented", "badges": []}},
        {"_id": 2, "user": {"_id": 12, "name": "b", "display_name": "B"}}
      ], "_links": {"self": "x"}}"#;
    let users = blocked(Api::TwitchKrakenV5, &[page]).await.unwrap();
    assert_eq!(ids(&users), ["11", "12"]);
}

#[tokio::test]
async fn kraken_v2_lists_every_user_with_nulls_and_members_it_does_not_know() {
    let page = r#"{"blocks": [
        {"_id": 1, "updated_at": "2013-02-07T01:04:43Z", "new": [],
         "user": {"_id": 11, "name": "a", "display_name": "A", "logo": null, "staff": false,
                  "_links": {"self": "x"}, "bio": "new member"}}
      ], "_links": {"next": "x", "self": "y"}}"#;
    let users = blocked(Api::TwitchKrakenV2, &[page, r#"{"blocks": []}"#])
        .await
        .unwrap();
    assert_eq!(ids(&users), ["11"]);
}

/// X sends problems as `application/problem+json` and some errors as `application/json`; both
/// decode, and the user sees the line that names the wrong parameter.
#[tokio::test]
async fn x_errors_of_both_content_types_show_the_platform_s_specific_message() {
    let body = r#"{"errors":[{"parameters":{"max_results":["0"]},"message":"The `max_results` query parameter value [0] is not between 1 and 1000"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.x.com/2/problems/invalid-request"}"#;
    for content_type in ["application/problem+json", "application/json"] {
        let raw = format!(
            "HTTP/1.1 400 Bad Request\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        let server = CaptureServer::script(vec![raw]).await;
        let list = config(&server.base)
            .block_list(Api::XV2, Some(Target::Id("1".into())))
            .await
            .unwrap();
        let err = list.blocked().try_next().await.unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("Invalid Request")
                && text.contains("The `max_results` query parameter value [0] is not between"),
            "{content_type}: {text}"
        );
        assert_eq!(server.requests().len(), 1, "a 400 is not retried");
    }
}

/// X's 2.167 definitions make every member of a user optional. A user without an `id` cannot be
/// addressed: that entry is a typed error, and the users around it are still listed.
#[tokio::test]
async fn x_v2_a_user_without_an_id_is_one_error_not_a_lost_page() {
    let page = r#"{"data": [{"id": "11", "username": "a", "name": "A"},
        {"username": "no_id", "name": "No ID"}, {"id": "13"}], "meta": {"result_count": 3}}"#;
    let server = CaptureServer::script(vec![response(200, &[], page)]).await;
    let list = config(&server.base)
        .block_list(Api::XV2, Some(Target::Id("1".into())))
        .await
        .unwrap();
    let entries: Vec<Result<BlockedUser, Error>> = list.blocked().collect().await;
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0].as_ref().unwrap().id, "11");
    let err = entries[1].as_ref().unwrap_err().to_string();
    assert!(err.contains("without an `id`"), "{err}");
    let last = entries[2].as_ref().unwrap();
    assert_eq!((last.id.as_str(), last.login.as_deref()), ("13", None));
}
