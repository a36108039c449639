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
        // X v2's problem documents, for any X API after v1.1.
        _ => {
            if fail.status == 400 {
                let mut detail = json!({"message": fail.message});
                if let Some((name, value)) = &fail.parameter {
                    detail["parameters"] = json!({ name: [value.clone().unwrap_or_default()] });
                }
                Reply::json(
                    400,
                    json!({
                        "errors": [detail],
                        "title": "Invalid Request",
                        "detail": "One or more parameters to your request was invalid.",
                        "type": "https://api.twitter.com/2/problems/invalid-request",
                    }),
                )
            } else {
                let (kind, title) = match fail.status {
                    403 if fail.message.contains("Application-Only") => (
                        "https://api.twitter.com/2/problems/unsupported-authentication",
                        "Unsupported Authentication",
                    ),
                    403 => (
                        "https://api.twitter.com/2/problems/client-forbidden",
                        "Forbidden",
                    ),
                    404 => (
                        "https://api.twitter.com/2/problems/resource-not-found",
                        "Not Found Error",
                    ),
                    _ => ("about:blank", reason(fail.status)),
                };
                Reply {
                    status: fail.status,
                    body: Some(json!({
                        "title": title,
                        "type": kind,
                        "status": fail.status,
                        "detail": fail.message,
                    })),
                    content_type: "application/problem+json",
                }
            }
        }
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
