//! Sends each X v2 operation through the generated client (so the request bytes are the client's
//! own) and says whether the client decoded what came back, naming the member it stopped at when
//! it did not.
//!
//! What it must not do: build a request by hand. Every request goes through the generated
//! builders and the runtime's hooks, exactly as a user's would.

use std::fmt::Display;
use std::str::FromStr;

use blockbind_x_v2::types::{TweetField, UserExpansion, UserField};
use blockbind_x_v2::{Client, Error, ResponseValue};
use serde::de::DeserializeOwned;

use crate::cases::ListCase;
use crate::recorder::{Exchange, Recorder};

/// Whether the generated client made sense of a response.
#[derive(Debug)]
pub(crate) enum Decoded {
    /// Decoded into the operation's success or error type.
    Yes,
    /// A response came back and did not decode: where and why.
    No(String),
    /// The client refused to send (its own validation): a driver bug, since every case is valid.
    NotSent(String),
    /// No response (connection or body read failed).
    Transport(String),
}

/// What one call did: the verdict on decoding and what went over the wire.
pub(crate) struct Sent {
    /// The client's verdict.
    pub(crate) decoded: Decoded,
    /// The exchanges the proxy saw for this call (one: retries are off).
    pub(crate) exchanges: Vec<Exchange>,
}

/// The official values a generated request enum can carry (`sendable`) and those it cannot.
pub(crate) struct Sendable {
    /// Values the client sends exactly as the official document spells them.
    pub(crate) sendable: Vec<String>,
    /// Official values the generated enum has no variant for.
    pub(crate) missing: Vec<String>,
}

/// Splits official enum values by whether the generated type `T` parses them and prints them back
/// unchanged.
fn sendable<T: FromStr + Display>(official: &[String]) -> Sendable {
    let (sendable, missing) = official
        .iter()
        .cloned()
        .partition(|v| v.parse::<T>().is_ok_and(|t| t.to_string() == *v));
    Sendable { sendable, missing }
}

/// `user.fields` values (see [`sendable`]).
pub(crate) fn user_fields(official: &[String]) -> Sendable {
    sendable::<UserField>(official)
}

/// `expansions` values (see [`sendable`]).
pub(crate) fn expansions(official: &[String]) -> Sendable {
    sendable::<UserExpansion>(official)
}

/// `tweet.fields` values (see [`sendable`]).
pub(crate) fn tweet_fields(official: &[String]) -> Sendable {
    sendable::<TweetField>(official)
}

/// Parses values [`sendable`] accepted.
fn parsed<T: FromStr>(values: &[String]) -> Vec<T> {
    values.iter().filter_map(|v| v.parse().ok()).collect()
}

/// `GET /users/{id}/blocking` with the case's parameters.
pub(crate) async fn list(client: &Client, recorder: &Recorder, case: &ListCase) -> Sent {
    let mut request = client.get_users_blocking().id(case.id.as_str());
    if let Some(n) = case.max_results {
        request = request.max_results(n);
    }
    if let Some(token) = &case.pagination_token {
        request = request.pagination_token(token.as_str());
    }
    if let Some(fields) = &case.user_fields {
        request = request.user_fields(parsed::<UserField>(fields));
    }
    if let Some(expansions) = &case.expansions {
        request = request.expansions(parsed::<UserExpansion>(expansions));
    }
    if let Some(fields) = &case.tweet_fields {
        request = request.tweet_fields(parsed::<TweetField>(fields));
    }
    finish(request.send().await, recorder)
}

/// `POST /users/{id}/blocking` with `{"target_user_id": target}`.
pub(crate) async fn block(client: &Client, recorder: &Recorder, id: &str, target: &str) -> Sent {
    let result = client
        .block_user()
        .id(id)
        .body_map(|body| body.target_user_id(target))
        .send()
        .await;
    finish(result, recorder)
}

/// `DELETE /users/{source_user_id}/blocking/{target_user_id}`.
pub(crate) async fn unblock(
    client: &Client,
    recorder: &Recorder,
    source: &str,
    target: &str,
) -> Sent {
    let result = client
        .unblock_user()
        .source_user_id(source)
        .target_user_id(target)
        .send()
        .await;
    finish(result, recorder)
}

fn finish<T: DeserializeOwned, E: DeserializeOwned>(
    result: Result<ResponseValue<T>, Error<E>>,
    recorder: &Recorder,
) -> Sent {
    let exchanges = recorder.take();
    let success = exchanges
        .last()
        .is_some_and(|e| (200..300).contains(&e.status));
    let decoded = match result {
        Ok(_) | Err(Error::ErrorResponse(_)) => Decoded::Yes,
        Err(Error::InvalidResponsePayload(bytes, e)) => Decoded::No(
            if success {
                explain::<T>(&bytes)
            } else {
                explain::<E>(&bytes)
            }
            .unwrap_or_else(|| without_position(&e.to_string())),
        ),
        Err(Error::UnexpectedResponse(response)) => Decoded::No(format!(
            "status {} is not a response the client knows",
            response.status()
        )),
        Err(Error::InvalidRequest(message) | Error::Custom(message)) => Decoded::NotSent(message),
        Err(
            Error::CommunicationError(e) | Error::ResponseBodyError(e) | Error::InvalidUpgrade(e),
        ) => Decoded::Transport(e.to_string()),
    };
    Sent { decoded, exchanges }
}

/// Where and why `bytes` do not decode as `T` (`data[3].verified_type: unknown variant ...`), or
/// `None` when they do.
fn explain<T: DeserializeOwned>(bytes: &[u8]) -> Option<String> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize::<_, T>(&mut deserializer)
        .err()
        .map(|e| format!("{}: {}", e.path(), without_position(&e.inner().to_string())))
}

/// A serde_json message without its ` at line L column C` suffix (the same fault sits at another
/// column in every response).
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_undecodable_body_is_explained_by_its_path() {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct Page {
            data: Vec<Item>,
        }
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct Item {
            n: u8,
        }
        let why = explain::<Page>(br#"{"data": [{"n": 1}, {"n": "x"}]}"#).unwrap();
        assert_eq!(why, "data[1].n: invalid type: string \"x\", expected u8");
        assert!(explain::<Page>(br#"{"data": []}"#).is_none());
    }

    #[test]
    fn official_values_the_client_lacks_are_set_apart() {
        let split = user_fields(&["id".to_string(), "no_such_field".to_string()]);
        assert_eq!(split.sendable, ["id"]);
        assert_eq!(split.missing, ["no_such_field"]);
    }
}
