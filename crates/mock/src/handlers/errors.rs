//! Each platform's error bodies: Twitch's `{error, status, message}`, X v2's problem documents
//! (naming the offending parameter on a 400) and X v1.1's `{errors: [{code, message}]}`.

use serde_json::json;

use super::{Fail, Reply};
use crate::{Api, Platform};

fn reason(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error")
}

/// Each platform's error body.
pub(crate) fn render_error(api: Api, fail: &Fail) -> Reply {
    match api {
        Api::XV1 => v1_error(fail),
        _ if api.platform() == Platform::Twitch => Reply::json(
            fail.status,
            json!({"error": reason(fail.status), "status": fail.status, "message": fail.message}),
        ),
        // X v2's problem documents (`application/problem+json`), for any X API after v1.1, with
        // the members of their kind as X's 2.167 definitions list them.
        _ => x_problem(fail),
    }
}

/// The problem URI of one kind, on the host X's current (2.167) definitions use.
fn problem_type(kind: &str) -> String {
    format!("https://api.x.com/2/problems/{kind}")
}

/// X v2's RFC 7807 problem for one failure.
fn x_problem(fail: &Fail) -> Reply {
    let mut body = match fail.status {
        400 => {
            let mut detail = json!({"message": fail.message});
            let mut body = json!({
                "title": "Invalid Request",
                "type": problem_type("invalid-request"),
                "detail": "One or more parameters to your request was invalid.",
            });
            if let Some((name, value)) = &fail.parameter {
                detail["parameters"] = json!({ name: [value.clone().unwrap_or_default()] });
                body["parameter"] = json!(name);
                if let Some(value) = value {
                    body["value"] = json!(value);
                }
            }
            body["errors"] = json!([detail]);
            body
        }
        403 if fail.message.contains("Application-Only") => json!({
            "title": "Unsupported Authentication",
            "type": problem_type("unsupported-authentication"),
            "detail": fail.message,
        }),
        // Another user's list: a resource this user may not see or change.
        403 if fail.parameter.is_some() => {
            let (name, value) = fail.parameter.clone().unwrap_or_default();
            let value = value.unwrap_or_default();
            json!({
                "title": "Forbidden",
                "type": problem_type("not-authorized-for-resource"),
                "detail": fail.message,
                "parameter": name,
                "value": value,
                "resource_id": value,
                "resource_type": "user",
                "section": "data",
            })
        }
        403 => json!({
            "title": "Forbidden",
            "type": problem_type("client-forbidden"),
            "detail": fail.message,
            "reason": "client-not-enrolled",
            "registration_url": "https://developer.x.com/en/portal/product",
        }),
        404 => {
            let mut body = json!({
                "title": "Not Found Error",
                "type": problem_type("resource-not-found"),
                "detail": fail.message,
                "resource_type": "user",
            });
            if let Some((name, value)) = &fail.parameter {
                let value = value.clone().unwrap_or_default();
                body["parameter"] = json!(name);
                body["resource_id"] = json!(value);
                body["value"] = json!(value);
            }
            body
        }
        status => json!({
            "title": reason(status),
            "type": "about:blank",
            "detail": fail.message,
        }),
    };
    body["status"] = json!(fail.status);
    Reply {
        status: fail.status,
        body: Some(body),
        content_type: "application/problem+json",
    }
}

/// X v1.1's `{errors: [{code, message}]}`.
fn v1_error(fail: &Fail) -> Reply {
    let code = match fail.status {
        400 if fail.message.contains("Bad Authentication") => 215,
        400 => 44,
        401 if fail.message.contains("Invalid or expired") => 89,
        401 => 32,
        403 => 220,
        404 => 50,
        429 => 88,
        _ => 131,
    };
    Reply::json(
        fail.status,
        json!({"errors": [{"code": code, "message": fail.message}]}),
    )
}
