//! Unit tests of `ApiError`: messages from each platform's error shape, typed refusals,
//! transport errors.

use super::*;
use serde_json::json;

#[test]
fn each_platform_error_shape_gives_its_message() {
    let twitch = json!({"error": "Bad Request", "status": 400, "message": "Invalid reason"});
    assert_eq!(
        message_from_json(&twitch).unwrap(),
        "Bad Request: Invalid reason"
    );
    let problem = json!({"title": "Unauthorized", "detail": "Unauthorized", "type": "about:blank", "status": 401});
    assert_eq!(message_from_json(&problem).unwrap(), "Unauthorized");
    let v11 = json!({"errors": [{"code": 88, "message": "Rate limit exceeded"}]});
    assert_eq!(
        message_from_json(&v11).unwrap(),
        "Rate limit exceeded (code 88)"
    );
    assert_eq!(message_from_json(&json!([1, 2])), None);
}

#[test]
fn an_x_problem_keeps_the_line_that_names_the_parameter() {
    let problem = json!({
        "errors": [{"parameters": {"max_results": ["0"]},
                    "message": "The `max_results` query parameter value [0] is not between 1 and 1000"}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.x.com/2/problems/invalid-request",
    });
    assert_eq!(
        message_from_json(&problem).unwrap(),
        "Invalid Request: One or more parameters to your request was invalid. \
         The `max_results` query parameter value [0] is not between 1 and 1000"
    );
    // X's 2.167 members, when no `errors` list is sent.
    let problem = json!({"title": "Not Found Error", "detail": "Could not find user.",
        "type": "https://api.x.com/2/problems/resource-not-found",
        "parameter": "target_user_id", "value": "42", "resource_type": "user"});
    assert_eq!(
        message_from_json(&problem).unwrap(),
        "Not Found Error: Could not find user. parameter `target_user_id`, value \"42\""
    );
    // A bare error object keeps its code.
    let bare = json!({"code": 32, "message": "Could not authenticate you."});
    assert_eq!(
        message_from_json(&bare).unwrap(),
        "Could not authenticate you. (code 32)"
    );
}

#[test]
fn many_or_long_platform_messages_are_cut_and_cleaned() {
    let errors: Vec<_> = (0..10)
        .map(|i| json!({"message": format!("error {i}")}))
        .collect();
    let m = message_from_json(&json!({"title": "Invalid Request", "errors": errors})).unwrap();
    assert_eq!(m, "Invalid Request: error 0; error 1; error 2; and 7 more");

    let long = json!({"error": "Bad Request", "message": "x".repeat(100_000)});
    let m = message_from_json(&long).unwrap();
    assert!(m.chars().count() <= MESSAGE_CHARS + 1, "{}", m.len());
    assert!(m.ends_with('…'), "{m}");

    // Parts within their own limit that add up to more than the whole limit: cut as a whole.
    let errors: Vec<_> = (0..3)
        .map(|i| json!({"message": format!("{i}{}", "y".repeat(190))}))
        .collect();
    let m = message_from_json(&json!({"title": "t".repeat(190), "errors": errors})).unwrap();
    assert_eq!(m.chars().count(), MESSAGE_CHARS + 1, "{m}");
    assert!(
        m.ends_with('…') && m.contains("0yyy") && m.contains("1yyy"),
        "{m}"
    );

    // A message that repeats the title, the detail or the message is not said twice.
    let repeated = json!({"title": "Forbidden", "detail": "X", "errors": [{"message": "X"}]});
    assert_eq!(message_from_json(&repeated).unwrap(), "Forbidden: X");
    let repeated = json!({"error": "E", "message": "m", "errors": [{"message": "m"}]});
    assert_eq!(message_from_json(&repeated).unwrap(), "E: m");
    let repeated = json!({"title": "T", "detail": "D", "message": "D"});
    assert_eq!(message_from_json(&repeated).unwrap(), "T: D");

    // A terminal escape or a line break from a server never reaches the user's terminal as such.
    let hostile = json!({"error": "Bad Request", "message": "a\u{1b}[2Jb\r\nc"});
    assert_eq!(
        message_from_json(&hostile).unwrap(),
        "Bad Request: a [2Jb  c"
    );
}

#[test]
fn unknown_bodies_are_cut_not_copied_whole() {
    let text = "upstream error; ".repeat(1000);
    let m = fallback_message(502, text.as_bytes());
    assert!(m.starts_with("Bad Gateway: upstream error; "), "{m}");
    assert!(m.chars().count() < 240);
    let html = "<html>".repeat(100_000);
    let m = fallback_message(502, html.as_bytes());
    assert_eq!(m, "Bad Gateway: an HTML page (600000 bytes)");
    let m = fallback_message(500, b"oops\x1b]0;owned\x07\r\nmore");
    assert_eq!(m, "Internal Server Error: oops ]0;owned   more");
}

#[test]
fn builder_messages_say_what_the_parameter_must_be() {
    for (progenitor, ours) in [
        (
            "conversion to `:: std :: num :: NonZeroU32` for first failed",
            "parameter `first` must be a whole number of 1 or more",
        ),
        (
            "conversion to `UserId` for id failed",
            "parameter `id` must be a valid `UserId` as the spec defines it",
        ),
        (
            "conversion to `:: std :: vec :: Vec < types :: UserField >` for user_fields failed",
            "parameter `user_fields` must be a list of a valid `UserField` as the spec defines it",
        ),
        (
            "broadcaster_id was not initialized",
            "required parameter `broadcaster_id` is missing",
        ),
        ("something else entirely", "something else entirely"),
    ] {
        assert_eq!(describe_invalid_request(progenitor), ours);
    }
}

#[test]
fn html_pages_are_named_by_their_title() {
    let page =
        b"<!DOCTYPE html><html><head><TITLE> 502 Bad Gateway </TITLE></head><body>x</body></html>";
    assert_eq!(
        fallback_message(502, page),
        format!(
            "Bad Gateway: an HTML page titled \"502 Bad Gateway\" ({} bytes)",
            page.len()
        )
    );
    assert_eq!(
        fallback_message(503, b"<html>down</html>"),
        "Service Unavailable: an HTML page (17 bytes)"
    );
}

#[test]
fn a_refusal_round_trips_through_its_hook_message_alone() {
    use crate::error::Bound;
    let refusals = [
        RequestError::OutOfRange {
            operation: "get_user_block_list".into(),
            parameter: "first".into(),
            value: "101".into(),
            bound: Bound {
                min: Some(1),
                max: Some(100),
            },
        },
        RequestError::MissingScopes {
            operation: "block_user".into(),
            missing: vec!["user:manage:blocked_users".into()],
            granted: vec![],
        },
        // A message holding a whole encoded refusal, and a value with quotes and a newline.
        RequestError::Refresh(RequestError::UnknownOperation("x".into()).into_hook_message()),
        RequestError::NotAnInteger {
            operation: "op".into(),
            parameter: "id".into(),
            value: "1\"2\n]".into(),
        },
        RequestError::OAuth1BaseUrl,
    ];
    for refusal in refusals {
        let message = refusal.clone().into_hook_message();
        assert!(
            message.starts_with(&format!("{refusal}{REFUSAL_TAG}")),
            "the readable message comes first: {message}"
        );
        assert_eq!(
            recover_refusal(&message),
            Some(refusal.clone()),
            "{message}"
        );
        assert_eq!(
            ApiError::from(progenitor_client::Error::<()>::Custom(message)),
            ApiError::Refused(refusal)
        );
    }
}

#[test]
fn a_message_that_is_not_an_encoded_refusal_is_invalid_input() {
    let refusal = RequestError::UnknownOperation("op".into());
    let message = refusal.into_hook_message();
    let forged = message.replacen("unknown operation", "unknown", 1);
    for other in [
        "no tag at all".to_string(),
        forged,
        format!("{message} and more"),
        format!("unknown operation `op`{REFUSAL_TAG}not json]"),
    ] {
        assert_eq!(
            ApiError::from(progenitor_client::Error::<()>::Custom(other.clone())),
            ApiError::InvalidInput(other)
        );
    }
}

#[test]
fn a_transport_error_reads_as_its_message_and_has_no_source_without_one() {
    let e = ApiError::Transport("down".into());
    assert_eq!(e.to_string(), "transport error: down");
    assert!(std::error::Error::source(&e).is_none());
    let ApiError::Transport(t) = &e else {
        unreachable!()
    };
    assert!(t.contains("down") && t.reqwest_error().is_none());
}

#[test]
fn a_transport_error_keeps_the_reqwest_error_as_its_source() {
    let reqwest_error = reqwest::Client::new().get("not a url").build().unwrap_err();
    let text = without_url(&reqwest_error);
    let e = ApiError::from(progenitor_client::Error::<()>::CommunicationError(
        reqwest_error,
    ));
    assert_eq!(e.to_string(), format!("transport error: {text}"));
    let source = std::error::Error::source(&e).expect("a source");
    assert!(
        source
            .downcast_ref::<reqwest::Error>()
            .unwrap()
            .is_builder()
    );
    let copy = e.clone();
    assert_eq!(copy, e);
    let ApiError::Transport(transport) = &copy else {
        panic!("{copy:?}")
    };
    assert!(transport.reqwest_error().is_some_and(|r| r.is_builder()));
    assert!(std::error::Error::source(transport).is_some());
}

#[test]
fn a_refusal_comes_back_typed() {
    let e = RequestError::UnknownOperation("nope_for_test".into());
    let message = e.clone().into_hook_message();
    let back = ApiError::from(progenitor_client::Error::<()>::Custom(message));
    assert_eq!(back, ApiError::Refused(e));
    assert!(back.nothing_sent());
}
