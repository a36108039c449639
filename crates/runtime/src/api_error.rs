//! One error type for every generated client's failures, keeping what the platform said.
//!
//! Generated methods return `progenitor_client::Error<E>`; [`ApiError::from_client`] turns any of
//! them into an [`ApiError`]: refused before sending (the runtime's typed [`RequestError`]), the
//! platform's status and message with the rate-limit state of that response and how many attempts
//! were made, a transport failure, or a response that did not decode.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use reqwest::header::HeaderMap;

use crate::error::RequestError;
use crate::limits::Refusal;
use crate::ratelimit::RateLimit;

/// The response header in which [`crate::Runtime::exec`] reports how many attempts it made.
pub const ATTEMPTS_HEADER: &str = "blockbind-attempts";

/// The response header in which [`crate::Runtime::exec`] reports, on a 403, the access levels
/// that include the operation (its `x-availability`, comma-separated).
pub const AVAILABILITY_HEADER: &str = "blockbind-availability";

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ApiError {
    /// The runtime refused the request before sending it (bounds, credentials, scopes,
    /// transport).
    Refused(RequestError),
    /// A builder argument did not convert to the spec's type (e.g. a malformed ID); nothing was
    /// sent.
    InvalidInput(String),
    /// The platform answered with an error status. When retries were allowed and exhausted,
    /// `attempts` is above 1 and this is the last answer.
    Status {
        /// The HTTP status of the last answer.
        status: u16,
        /// The platform's error message, read from its error shape (or a cut-down body).
        message: String,
        /// The rate-limit headers of the last answer, when it had them.
        rate_limit: Option<RateLimit>,
        /// How many times the request was sent.
        attempts: u32,
    },
    /// The platform refused because the caller's access level (X's plan) does not include the
    /// operation: a `client-forbidden` problem with reason `client-not-enrolled`, or
    /// `usage-capped`, from an operation the spec marks with `x-availability`. Other
    /// credentials of the same plan will not help; a plan that includes it will.
    NotAvailable {
        /// The HTTP status (403).
        status: u16,
        /// The access levels that include the operation, from the spec's `x-availability`
        /// (e.g. `["enterprise"]`).
        access_levels: Vec<String>,
        /// The problem's kind, the last segment of its `type`: `client-forbidden` or
        /// `usage-capped`.
        problem: String,
        /// The platform's error message.
        message: String,
        /// The rate-limit headers of the answer, when it had them.
        rate_limit: Option<RateLimit>,
    },
    /// No usable response arrived (connection refused or reset, timeout, body cut short). Its
    /// [`std::error::Error::source`] is the `reqwest::Error`.
    Transport(TransportError),
    /// A success status whose body does not match the spec.
    InvalidResponse {
        /// The (success) HTTP status.
        status: u16,
        /// What did not match.
        message: String,
    },
    /// Waiting for the rate limit would have gone past what is left of the retry policy's
    /// `max_total_wait`: the call failed at once instead of sleeping (nothing more was sent).
    RateLimited {
        /// The bucket as the limiter knew it: the server's window, why it is closed, until when.
        state: Box<crate::RateLimitState>,
        /// How long the wait would have been.
        wait: std::time::Duration,
        /// What was left of `max_total_wait`.
        budget: std::time::Duration,
    },
    /// The response body is larger than the configured limit; it was not read past the limit
    /// (not at all when its `Content-Length` said so).
    ResponseTooLarge {
        /// The limit, in bytes.
        limit: u64,
        /// The size the server announced in `Content-Length`, when it announced one over the limit.
        content_length: Option<u64>,
    },
    /// A list stream reached its page cap (`PageOptions::page_cap`) without the list ending:
    /// a server handing out fresh page tokens forever.
    TooManyPages {
        /// The cap, in pages.
        limit: usize,
    },
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused(e) => write!(f, "refused before sending: {e}"),
            Self::InvalidInput(message) => write!(f, "invalid input: {message}"),
            Self::Status {
                status,
                message,
                attempts,
                ..
            } => write!(
                f,
                "{status} from the platform: {message}{}",
                attempts_suffix(*attempts)
            ),
            Self::NotAvailable {
                status,
                access_levels,
                message,
                ..
            } => write!(
                f,
                "{status} from the platform: {message}; this endpoint needs {}",
                access_levels_text(access_levels)
            ),
            Self::Transport(e) => write!(f, "transport error: {e}"),
            Self::InvalidResponse { status, message } => {
                write!(
                    f,
                    "{status}: the response does not match the spec: {message}"
                )
            }
            Self::RateLimited {
                state,
                wait,
                budget,
            } => {
                write!(
                    f,
                    "rate limited: {} would wait {} s, more than the {} s left of the retry policy's max_total_wait",
                    state.bucket,
                    wait.as_secs(),
                    budget.as_secs()
                )?;
                if let Some(reason) = &state.wait_reason {
                    write!(f, " ({reason})")?;
                }
                Ok(())
            }
            Self::ResponseTooLarge {
                limit,
                content_length,
            } => match content_length {
                Some(length) => write!(
                    f,
                    "response body of {length} bytes (Content-Length) is over the limit of {limit} bytes; not read"
                ),
                None => write!(
                    f,
                    "response body is over the limit of {limit} bytes; reading stopped there"
                ),
            },
            Self::TooManyPages { limit } => write!(
                f,
                "the list did not end after {limit} pages (the page cap): the server keeps handing out new page tokens"
            ),
        }
    }
}

impl std::error::Error for ApiError {
    /// The `reqwest::Error` of a transport failure.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // Not the `TransportError`, whose message this one already says.
            Self::Transport(e) => std::error::Error::source(e),
            _ => None,
        }
    }
}

/// A transport failure: what went wrong, said without the URL, and the `reqwest::Error` it came
/// from (shared, so [`ApiError`] stays `Clone`).
///
/// It reads as its message (`Display`, and `Deref<Target = str>`, as the `String` this variant
/// held before did); two are equal when their messages are. Its `source` is the `reqwest::Error`.
#[derive(Debug, Clone)]
pub struct TransportError {
    message: String,
    source: Option<Arc<reqwest::Error>>,
}

impl TransportError {
    /// A transport failure with only a message (no `reqwest::Error` behind it).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// What went wrong, without the URL.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The `reqwest::Error` this came from (ask it `is_timeout`, `is_connect`, ...).
    pub fn reqwest_error(&self) -> Option<&reqwest::Error> {
        self.source.as_deref()
    }
}

impl std::error::Error for TransportError {
    /// The `reqwest::Error` (an [`ApiError::Transport`]'s source is this same error, directly).
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<reqwest::Error> for TransportError {
    fn from(e: reqwest::Error) -> Self {
        Self {
            message: without_url(&e),
            source: Some(Arc::new(e)),
        }
    }
}

impl From<String> for TransportError {
    fn from(message: String) -> Self {
        Self::new(message)
    }
}

impl From<&str> for TransportError {
    fn from(message: &str) -> Self {
        Self::new(message)
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Deref for TransportError {
    type Target = str;

    fn deref(&self) -> &str {
        &self.message
    }
}

impl AsRef<str> for TransportError {
    fn as_ref(&self) -> &str {
        &self.message
    }
}

impl PartialEq for TransportError {
    fn eq(&self, other: &Self) -> bool {
        self.message == other.message
    }
}

/// "the Enterprise access level", "one of the access levels Pay-per-use, Enterprise".
fn access_levels_text(levels: &[String]) -> String {
    let title = |level: &String| {
        let mut chars = level.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect::<String>())
            .unwrap_or_default()
    };
    match levels {
        [one] => format!("the {} access level", title(one)),
        many => format!(
            "one of the access levels {}",
            many.iter().map(title).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn attempts_suffix(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (gave up after {attempts} attempts)")
    } else {
        String::new()
    }
}

impl ApiError {
    /// The HTTP status the platform answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. }
            | Self::NotAvailable { status, .. }
            | Self::InvalidResponse { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The rate-limit state of the failing response, when it carried one.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        match self {
            Self::Status { rate_limit, .. } | Self::NotAvailable { rate_limit, .. } => *rate_limit,
            Self::RateLimited { state, .. } => state.rate_limit,
            _ => None,
        }
    }

    /// True when nothing reached the network (the input or credentials could be checked first).
    pub fn nothing_sent(&self) -> bool {
        matches!(self, Self::Refused(_) | Self::InvalidInput(_))
    }

    /// Converts a generated client's error, reading the body of an undocumented response.
    pub async fn from_client<E: serde::Serialize>(error: progenitor_client::Error<E>) -> Self {
        use progenitor_client::Error;
        match error {
            Error::UnexpectedResponse(response) => {
                if let Some(refusal) = response.extensions().get::<Refusal>() {
                    return refusal.clone().into();
                }
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                let body = response.bytes().await;
                if let Err(e) = &body
                    && let Some(refusal) = Refusal::find(e)
                {
                    return refusal.clone().into();
                }
                let (message, json) = match body {
                    Ok(body) => (
                        message_from_body(&body).unwrap_or_else(|| fallback_message(status, &body)),
                        serde_json::from_slice(&body).ok(),
                    ),
                    Err(e) => (format!("(body unreadable: {e})"), None),
                };
                status_error(status, message, &headers, json.as_ref())
            }
            other => Self::from(other),
        }
    }
}

/// Awaits a generated call and gives its value, or the [`ApiError`] with the platform's status
/// and message (the body of an undocumented response is read for it).
pub async fn call<T, E, F>(send: F) -> Result<T, ApiError>
where
    E: serde::Serialize,
    F: std::future::Future<
            Output = Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>,
        >,
{
    match send.await {
        Ok(value) => Ok(value.into_inner()),
        Err(e) => Err(ApiError::from_client(e).await),
    }
}

impl<E: serde::Serialize> From<progenitor_client::Error<E>> for ApiError {
    /// Converts without reading the body of an undocumented response (its message is then the
    /// status text); [`ApiError::from_client`] reads it.
    fn from(error: progenitor_client::Error<E>) -> Self {
        use progenitor_client::Error;
        match error {
            Error::Custom(message) => match recover_refusal(&message) {
                Some(refusal) => Self::Refused(refusal),
                None => Self::InvalidInput(message),
            },
            Error::InvalidRequest(message) => {
                Self::InvalidInput(describe_invalid_request(&message))
            }
            Error::CommunicationError(e)
            | Error::InvalidUpgrade(e)
            | Error::ResponseBodyError(e) => match Refusal::find(&e) {
                Some(refusal) => refusal.clone().into(),
                None => Self::Transport(e.into()),
            },
            Error::ErrorResponse(value) => {
                let status = value.status().as_u16();
                let headers = value.headers().clone();
                let body = serde_json::to_value(value.into_inner()).unwrap_or_default();
                let message = message_from_json(&body)
                    .unwrap_or_else(|| fallback_message(status, body.to_string().as_bytes()));
                status_error(status, message, &headers, Some(&body))
            }
            Error::InvalidResponsePayload(body, e) => Self::InvalidResponse {
                status: 200,
                message: format!("{e} (in {} bytes of body)", body.len()),
            },
            Error::UnexpectedResponse(response) => {
                if let Some(refusal) = response.extensions().get::<Refusal>() {
                    return refusal.clone().into();
                }
                let status = response.status().as_u16();
                let reason = response
                    .status()
                    .canonical_reason()
                    .unwrap_or("undocumented status");
                status_error(status, reason.to_string(), response.headers(), None)
            }
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::TooLarge {
                limit,
                content_length,
            } => Self::ResponseTooLarge {
                limit,
                content_length,
            },
            Refusal::RateLimited {
                state,
                wait,
                budget,
            } => Self::RateLimited {
                state,
                wait,
                budget,
            },
        }
    }
}

fn status_error(
    status: u16,
    message: String,
    headers: &HeaderMap,
    body: Option<&serde_json::Value>,
) -> ApiError {
    let attempts = headers
        .get(ATTEMPTS_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let access_levels = headers
        .get(AVAILABILITY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(',').map(str::to_string).collect::<Vec<_>>());
    if let (Some(access_levels), Some(problem)) = (access_levels, body.and_then(plan_problem)) {
        return ApiError::NotAvailable {
            status,
            access_levels,
            problem,
            message,
            rate_limit: RateLimit::from_any_headers(headers),
        };
    }
    ApiError::Status {
        status,
        message,
        rate_limit: RateLimit::from_any_headers(headers),
        attempts,
    }
}

/// The kind of an X problem that means "your access level does not include this endpoint":
/// `client-forbidden` with reason `client-not-enrolled` (not `official-client-forbidden`), or
/// `usage-capped`. `unsupported-authentication` is left out: X sends it for the kind of
/// credential (an app-only token), which other credentials fix, not for the plan.
fn plan_problem(body: &serde_json::Value) -> Option<String> {
    let kind = body.get("type")?.as_str()?.rsplit('/').next()?;
    let reason = body.get("reason").and_then(|r| r.as_str());
    match (kind, reason) {
        ("client-forbidden", Some("client-not-enrolled") | None) | ("usage-capped", _) => {
            Some(kind.to_string())
        }
        _ => None,
    }
}

/// A reqwest error's text without the URL (a v1.1 query can carry a screen name; an OAuth 1.0a
/// signed URL never carries a secret, but the rule is simple: no URLs in errors).
pub(crate) fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "response body cut short or unreadable"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {detail}")
    }
}

fn message_from_body(body: &[u8]) -> Option<String> {
    message_from_json(&serde_json::from_slice(body).ok()?)
}

/// How long one platform message may be in an error (each part, then the whole), in characters.
const PART_CHARS: usize = 200;
const MESSAGE_CHARS: usize = 500;

/// The human message of each platform's error shape, with its most specific part: Twitch
/// `{error, status, message}`, X v2 problems `{title, detail}` with their `errors[].message` (the
/// line that names the wrong parameter) or `parameter`/`value`, X's `{errors: [{code, message}]}`
/// and bare `{code, message}`. Each part is cut to [`PART_CHARS`], the whole to
/// [`MESSAGE_CHARS`], and control characters become spaces.
fn message_from_json(body: &serde_json::Value) -> Option<String> {
    let text = |v: &serde_json::Value, k: &str| {
        v.get(k)
            .and_then(|s| s.as_str())
            .map(clean)
            .filter(|s| !s.is_empty())
    };
    let code = |v: &serde_json::Value| v.get("code").and_then(|c| c.as_i64());
    let with_code = |message: String, v: &serde_json::Value| match code(v) {
        Some(code) => format!("{message} (code {code})"),
        None => message,
    };

    // The general part: a problem's title and detail, or Twitch's error and message.
    let head = match (text(body, "title"), text(body, "detail")) {
        (Some(title), Some(detail)) if title != detail => Some(format!("{title}: {detail}")),
        (title, detail) => detail.or(title),
    };
    // The raw parts the head is made of: a listed or top-level message that repeats one of them
    // is not said twice.
    let parts: Vec<String> = ["title", "detail", "error", "message"]
        .iter()
        .filter_map(|k| text(body, k))
        .collect();
    let head = match (head, text(body, "message")) {
        (Some(head), Some(message))
            if text(body, "title").as_ref() != Some(&message)
                && text(body, "detail").as_ref() != Some(&message) =>
        {
            Some(format!("{head}: {message}"))
        }
        (None, Some(message)) => Some(with_code(
            match text(body, "error") {
                Some(error) if error != message => format!("{error}: {message}"),
                _ => message,
            },
            body,
        )),
        (head, _) => head.or_else(|| text(body, "error")),
    };

    // The specific part: each listed error's message (three at most), else the parameter.
    let mut specific: Vec<String> = Vec::new();
    let listed = body.get("errors").and_then(|e| e.as_array());
    for error in listed.into_iter().flatten() {
        let Some(message) = text(error, "message").or_else(|| text(error, "detail")) else {
            continue;
        };
        if parts.contains(&message) {
            continue;
        }
        let message = with_code(message, error);
        if !specific.contains(&message) {
            specific.push(message);
        }
    }
    let more = specific.len().saturating_sub(3);
    specific.truncate(3);
    if more > 0 {
        specific.push(format!("and {more} more"));
    }
    if specific.is_empty()
        && let Some(parameter) = text(body, "parameter")
    {
        specific.push(match text(body, "value") {
            Some(value) => format!("parameter `{parameter}`, value {value:?}"),
            None => format!("parameter `{parameter}`"),
        });
    }

    let joined = specific.join("; ");
    let message = match (head, specific.is_empty()) {
        (Some(head), true) => head,
        (None, false) => joined,
        (Some(head), false) => {
            let sep = if head.ends_with('.') { " " } else { ": " };
            format!("{head}{sep}{joined}")
        }
        (None, true) => return None,
    };
    Some(cut(&message, MESSAGE_CHARS))
}

/// A platform's text with control characters (a terminal escape, a newline) as spaces, cut to
/// [`PART_CHARS`].
fn clean(text: &str) -> String {
    let text: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    cut(&text, PART_CHARS)
}

fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// Progenitor's builder messages, said the way a person reads them: `conversion to
/// `:: std :: num :: NonZeroU32` for first failed` becomes "parameter `first` must be a whole
/// number of 1 or more", and `x was not initialized` "required parameter `x` is missing".
fn describe_invalid_request(message: &str) -> String {
    if let Some(name) = message.strip_suffix(" was not initialized") {
        return format!("required parameter `{name}` is missing");
    }
    let Some((ty, name)) = message
        .strip_prefix("conversion to `")
        .and_then(|rest| rest.strip_suffix(" failed"))
        .and_then(|rest| rest.split_once("` for "))
    else {
        return message.to_string();
    };
    let ty: String = ty.chars().filter(|c| !c.is_whitespace()).collect();
    let short = ty
        .trim_start_matches("::")
        .rsplit("::")
        .next()
        .unwrap_or(&ty)
        .trim_end_matches('>');
    let what = match short {
        t if t.starts_with("NonZero") => "a whole number of 1 or more".to_string(),
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number of 0 or more".to_string(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number".to_string(),
        "bool" => "true or false".to_string(),
        "String" => "text".to_string(),
        t => format!("a valid `{t}` as the spec defines it"),
    };
    let list = if ty.contains("Vec<") {
        "a list of "
    } else {
        ""
    };
    format!("parameter `{name}` must be {list}{what}")
}

/// For bodies that are not a known error shape: the status text and the start of the body (of
/// an HTML page, its title).
fn fallback_message(status: u16, body: &[u8]) -> String {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("undocumented status");
    let text = String::from_utf8_lossy(body);
    // No terminal escape or line break from a server reaches the user's terminal as such.
    let text: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let text = text.as_str();
    if text.is_empty() {
        return reason.to_string();
    }
    if text.starts_with('<') {
        let lower = text.to_ascii_lowercase();
        let title = lower
            .find("<title>")
            .map(|i| i + "<title>".len())
            .and_then(|start| Some((start, start + lower[start..].find("</title>")?)))
            .map(|(start, end)| {
                text[start..end]
                    .trim()
                    .chars()
                    .take(120)
                    .collect::<String>()
            })
            .filter(|t| !t.is_empty());
        return match title {
            Some(title) => format!(
                "{reason}: an HTML page titled {title:?} ({} bytes)",
                body.len()
            ),
            None => format!("{reason}: an HTML page ({} bytes)", body.len()),
        };
    }
    let cut: String = text.chars().take(200).collect();
    let more = if cut.len() < text.len() { "…" } else { "" };
    format!("{reason}: {cut}{more}")
}

/// Where a typed refusal starts in the message of a generated client's `Error::Custom`: after the
/// human-readable message, this tag, the refusal as JSON, and `]`.
const REFUSAL_TAG: &str = " [blockbind-refusal: ";

impl RequestError {
    /// The message a generated client's `pre` hook returns in `Error::Custom`: the error's text,
    /// then the typed error itself, encoded so that [`ApiError`] can give it back (progenitor's
    /// hook can only fail with a `String`).
    pub fn into_hook_message(self) -> String {
        let message = self.to_string();
        match serde_json::to_string(&self) {
            Ok(json) => format!("{message}{REFUSAL_TAG}{json}]"),
            Err(_) => message,
        }
    }
}

/// The typed refusal [`RequestError::into_hook_message`] encoded in `message`, if it is one: the
/// JSON after a tag must decode, and the text before it must be that error's text (so a message
/// that merely contains the tag, e.g. in a parameter's value, is never misread).
fn recover_refusal(message: &str) -> Option<RequestError> {
    let body = message.strip_suffix(']')?;
    body.match_indices(REFUSAL_TAG).find_map(|(at, tag)| {
        let refusal: RequestError = serde_json::from_str(&body[at + tag.len()..]).ok()?;
        (refusal.to_string() == body[..at]).then_some(refusal)
    })
}

#[cfg(test)]
mod tests;
