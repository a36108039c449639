//! The HTTP side: an accept loop on hyper (so a fault can cut a connection), axum for the
//! request plumbing, and the pipeline every API request goes through: route from the spec →
//! a block request filed in the block log → faults → credentials → rate limit → parameters and
//! body against the spec → the operation → post-apply faults → rate-limit headers and the
//! contract check of the response; a block's answer is marked delivered once written in full.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::State as AxumState;
use axum::response::Response;
use bytes::Bytes;
use futures::StreamExt;
use http::{HeaderValue, StatusCode};
use tower::ServiceExt;

use crate::block_log::{InjectedFault, LogEntry};
use crate::connection::{Connection, Killable, WatchedBody, killed};
use crate::handlers::{self, Fail, Reply, sign_in_routes as sign_in};
use crate::routes::{Lookup, Route, Values};
use crate::{Api, Shared, State, Window, roll};

pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    let router = axum::Router::new().fallback(handle).with_state(shared);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let connection = Connection::new();
                let io = hyper_util::rt::TokioIo::new(Killable::new(stream, connection.clone()));
                let router = router.clone();
                let service = hyper::service::service_fn(move |mut request: http::Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(connection.clone());
                    router.clone().oneshot(request)
                });
                let mut stop = stopped.clone();
                tokio::spawn(async move {
                    let connection = hyper::server::conn::http1::Builder::new()
                        .serve_connection(io, service);
                    tokio::pin!(connection);
                    tokio::select! {
                        _ = connection.as_mut() => {}
                        _ = stop.changed() => {}
                    }
                });
            }
            _ = stopped.changed() => return,
        }
    }
}

/// Bodies larger than this are refused (413) before being read whole.
const MAX_BODY: usize = 1 << 20;

fn strip<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = path.strip_prefix(prefix)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

/// The API a request is for: the one whose path prefix the path starts with, told apart by the
/// `Accept` header where several share a prefix (Kraken v5 and v2 under `/kraken`). `Err(None)`:
/// no API there; `Err(Some(candidates))`: several, and `Accept` names none of them.
fn select_api<'a>(path: &'a str, accept: &str) -> Result<(Api, &'a str), Option<Vec<Api>>> {
    let candidates: Vec<(Api, &str)> = Api::ALL
        .into_iter()
        .filter_map(|api| Some((api, strip(path, api.info().prefix)?)))
        .collect();
    match candidates.as_slice() {
        [] => Err(None),
        [one] => Ok(*one),
        several => several
            .iter()
            .find(|(api, _)| api.info().accept.is_some_and(|a| accept.contains(a)))
            .copied()
            .ok_or_else(|| Some(several.iter().map(|(api, _)| *api).collect())),
    }
}

async fn handle(
    AxumState(shared): AxumState<Arc<Shared>>,
    request: axum::extract::Request,
) -> Response {
    // Counted before anything can answer, so no request escapes the count.
    shared.lock().counters.received += 1;
    let connection = request.extensions().get::<Arc<Connection>>().cloned();
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return plain(StatusCode::PAYLOAD_TOO_LARGE, "request body too large"),
    };
    let path = parts.uri.path().to_string();
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();

    if path == "/auth/authorize" {
        return into_response(handlers::authorize(&shared, &query), Vec::new());
    }
    let authorization = parts
        .headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if parts.method == http::Method::POST && path.starts_with("/mock/sign-in/") {
        return into_response(sign_in::hook(&shared, &path, &query), Vec::new());
    }
    if path == "/2/oauth2/token" && parts.method == http::Method::POST {
        return into_response(handlers::x_token(&shared, &body, authorization), Vec::new());
    }
    if parts.method == http::Method::POST {
        let origin = format!(
            "http://{}",
            parts
                .headers
                .get(http::header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("127.0.0.1")
        );
        let reply = match path.as_str() {
            "/oauth2/device" => Some(sign_in::twitch_device(&shared, &body, &origin)),
            "/oauth2/token" => Some(sign_in::twitch_token(&shared, &body)),
            "/oauth2/revoke" => Some(sign_in::twitch_revoke(&shared, &body)),
            "/2/oauth2/revoke" => Some(sign_in::x_revoke(&shared, &body, authorization)),
            _ => None,
        };
        if let Some(reply) = reply {
            return into_response(reply, Vec::new());
        }
    }
    if path == "/i/oauth2/authorize" && parts.method == http::Method::GET {
        return match sign_in::x_authorize(&shared, &query) {
            handlers::AuthorizeOutcome::Redirect(to) => Response::builder()
                .status(StatusCode::FOUND)
                .header(http::header::LOCATION, to)
                .body(axum::body::Body::empty())
                .unwrap_or_else(|_| plain(StatusCode::BAD_REQUEST, "bad redirect_uri")),
            handlers::AuthorizeOutcome::Refused(message) => {
                plain(StatusCode::BAD_REQUEST, &message)
            }
        };
    }
    if path == "/oauth2/validate" && parts.method == http::Method::GET {
        let authorization = parts
            .headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        return into_response(
            handlers::twitch_validate(&shared, authorization),
            Vec::new(),
        );
    }
    if path == "/mock/stats" && parts.method == http::Method::GET {
        return into_response(handlers::stats(&shared), Vec::new());
    }

    let accept = parts
        .headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (api, rest) = match select_api(&path, accept) {
        Ok(found) => found,
        Err(None) => return plain(StatusCode::NOT_FOUND, "no API at this path"),
        Err(Some(candidates)) => {
            let versions: Vec<&str> = candidates.iter().filter_map(|a| a.info().accept).collect();
            let fail = Fail::new(
                400,
                format!(
                    "{} needs a version: send Accept: {}",
                    candidates[0].info().prefix,
                    versions.join(" or ")
                ),
            );
            return into_response(handlers::render_error(candidates[0], &fail), Vec::new());
        }
    };

    let (route, path_params) = match shared.routes.lookup(api, &parts.method, rest) {
        Lookup::Found(route, params) => (route, params),
        Lookup::WrongMethod => {
            let fail = Fail::new(405, format!("{} is not allowed on {path}", parts.method));
            return into_response(handlers::render_error(api, &fail), Vec::new());
        }
        Lookup::NotFound => {
            let fail = Fail::new(404, format!("no operation at {path}"));
            return into_response(handlers::render_error(api, &fail), Vec::new());
        }
    };

    let latency = shared.lock().faults.latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }

    let answer = process(
        &shared,
        api,
        route,
        &path_params,
        &parts,
        &path,
        &query,
        &body,
        connection.as_deref(),
    );
    let response = match answer.delivery {
        Delivery::Whole => answer.response,
        Delivery::CutBody => truncate_body(answer.response).await,
        Delivery::CutHead => {
            if let Some(c) = &connection {
                c.cut_after(CUT_HEAD_AFTER);
            }
            answer.response
        }
    };
    match (answer.block, connection) {
        (Some(entry), Some(connection)) => watch(response, connection, shared, entry),
        _ => response,
    }
}

/// How much of a response without a body a cut lets out: `HTTP/1.1 20`, half a status line.
const CUT_HEAD_AFTER: usize = 11;

/// What becomes of a response on its way out.
enum Delivery {
    /// Sent whole.
    Whole,
    /// The headers and half the body, then the connection is cut.
    CutBody,
    /// Half the status line, then the connection is cut (a response with no body to cut).
    CutHead,
}

/// A request's response, how it goes out, and its record in the block log if it is a block.
struct Answer {
    response: Response,
    delivery: Delivery,
    block: Option<LogEntry>,
}

/// Marks the block log's entry delivered once the response is written in full.
fn watch(
    response: Response,
    connection: Arc<Connection>,
    shared: Arc<Shared>,
    entry: LogEntry,
) -> Response {
    let (parts, body) = response.into_parts();
    let on_written = Box::new(move || shared.lock().counters.block_log.delivered(&entry));
    Response::from_parts(
        parts,
        Body::new(WatchedBody::new(body, connection, on_written)),
    )
}

/// Files a block request in the block log, under the user its credentials name and the target
/// it names, before anything answers it. `None` for any other request.
fn file_block(
    state: &mut State,
    api: Api,
    route: &Route,
    values: &Values,
    headers: &http::HeaderMap,
) -> Option<LogEntry> {
    let target = handlers::block_target(api, &route.id, values, &state.world.dir)?;
    let authorization = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let user = state.tokens.claimed_user(authorization)?;
    Some(
        state
            .counters
            .block_log
            .arrive((api.platform(), user, target)),
    )
}

/// Records how a block request was answered.
fn note_block(
    state: &mut State,
    entry: Option<&LogEntry>,
    status: Option<u16>,
    fault: Option<InjectedFault>,
) {
    if let Some(r) = entry.and_then(|e| state.counters.block_log.get_mut(e)) {
        r.status = status;
        r.fault = fault;
    }
}

#[allow(clippy::too_many_arguments)]
fn process(
    shared: &Shared,
    api: Api,
    route: &Route,
    path_params: &std::collections::HashMap<String, String>,
    parts: &http::request::Parts,
    path: &str,
    query: &[(String, String)],
    body: &[u8],
    connection: Option<&Connection>,
) -> Answer {
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    let mut state = shared.lock();
    *state
        .counters
        .requests
        .entry((api, route.id.clone()))
        .or_default() += 1;
    // Validated now so a block request is filed before anything answers it; a refusal still
    // comes where the platform would refuse (after credentials and the rate limit).
    let values = shared.routes.validate(route, path_params, query, body);
    let block = match &values {
        Ok(v) => file_block(&mut state, api, route, v, &parts.headers),
        Err(_) => None,
    };
    let reset = |state: &mut State, fault| {
        state.counters.faults += 1;
        note_block(state, block.as_ref(), None, Some(fault));
        if let Some(c) = connection {
            c.reset();
        }
        Answer {
            response: plain(StatusCode::INTERNAL_SERVER_ERROR, ""),
            delivery: Delivery::Whole,
            block: block.clone(),
        }
    };

    // Faults first: they stand for trouble in front of the platform.
    let faults = state.faults.clone();
    if roll(&mut state, faults.p_reset) {
        return reset(&mut state, InjectedFault::Reset);
    }
    for (p, status) in [(faults.p_500, 500u16), (faults.p_503, 503)] {
        if roll(&mut state, p) {
            state.counters.faults += 1;
            *state.counters.statuses.entry(status).or_default() += 1;
            note_block(
                &mut state,
                block.as_ref(),
                Some(status),
                Some(InjectedFault::Status(status)),
            );
            let reply = handlers::render_error(api, &Fail::new(status, "injected fault"));
            return Answer {
                response: into_response(reply, Vec::new()),
                delivery: Delivery::Whole,
                block: block.clone(),
            };
        }
    }
    let injected_429 = roll(&mut state, faults.p_429);
    let truncate = roll(&mut state, faults.p_truncate);

    let mut rate_headers = Vec::new();
    let mut ran = false;
    let reply = (|| -> Result<Reply, Fail> {
        let base_url = format!("http://{host}{path}");
        let caller = handlers::authenticate(
            api,
            route,
            &parts.headers,
            parts.method.as_str(),
            &base_url,
            query,
            body,
            &mut state.tokens,
            &shared.config,
        )?;
        if let Some(limit) = rate_check(shared, &mut state, route, &caller, injected_429) {
            rate_headers = limit.headers(api);
            if limit.exhausted {
                return Err(Fail::new(429, "Too Many Requests"));
            }
        }
        let values = values.map_err(Fail::from)?;
        let state = &mut *state;
        let mut ctx = handlers::Ctx {
            api,
            values,
            caller,
            world: &mut state.world,
            counters: &mut state.counters,
            config: &shared.config,
            origin: format!("http://{host}"),
            block_entry: block.clone(),
        };
        ran = true;
        handlers::dispatch(route, &mut ctx)
    })();
    if injected_429 {
        state.counters.faults += 1;
    }
    let reply = reply.unwrap_or_else(|fail| handlers::render_error(api, &fail));
    *state.counters.statuses.entry(reply.status).or_default() += 1;
    if shared.config.validate_responses {
        check_contract(&mut state, route, &reply);
    }

    // Faults after the operation ran: the platform did the work, the answer is lost on the way.
    let after_apply = if !ran {
        None
    } else if roll(&mut state, faults.p_reset_after_apply) {
        Some(InjectedFault::ResetAfterApply)
    } else if roll(&mut state, faults.p_cut_after_apply) {
        Some(InjectedFault::CutAfterApply)
    } else {
        None
    };
    if after_apply.is_some() {
        state.counters.post_apply_faults += 1;
    }
    if after_apply == Some(InjectedFault::ResetAfterApply) {
        return reset(&mut state, InjectedFault::ResetAfterApply);
    }
    let has_body = reply.body.is_some();
    let (delivery, fault) = match after_apply {
        Some(cut) if has_body => (Delivery::CutBody, Some(cut)),
        Some(cut) => (Delivery::CutHead, Some(cut)),
        // A response without a body has nothing to truncate.
        None if truncate && has_body => (Delivery::CutBody, Some(InjectedFault::Truncated)),
        None => (
            Delivery::Whole,
            injected_429.then_some(InjectedFault::Status(429)),
        ),
    };
    if matches!(delivery, Delivery::CutBody | Delivery::CutHead) {
        state.counters.faults += 1;
    }
    note_block(&mut state, block.as_ref(), Some(reply.status), fault);
    drop(state);
    Answer {
        response: into_response(reply, rate_headers),
        delivery,
        block,
    }
}

fn check_contract(state: &mut crate::State, route: &Route, reply: &Reply) {
    let body = reply.bytes();
    let content_type = reply.body.as_ref().map(|_| reply.content_type);
    if let Err(e) = route.check_response(reply.status, content_type, &body) {
        tracing::warn!(violation = %e, "mock response does not match the spec");
        if state.counters.violations.len() < 1000 {
            state.counters.violations.push(e);
        }
    }
}

/// Rate-limit state of one request.
pub(crate) struct Limit {
    limit: u32,
    remaining: u32,
    reset: u64,
    exhausted: bool,
}

impl Limit {
    fn headers(&self, api: Api) -> Vec<(&'static str, String)> {
        let names = match api.platform() {
            crate::Platform::Twitch => {
                ["Ratelimit-Limit", "Ratelimit-Remaining", "Ratelimit-Reset"]
            }
            crate::Platform::X => [
                "x-rate-limit-limit",
                "x-rate-limit-remaining",
                "x-rate-limit-reset",
            ],
        };
        vec![
            (names[0], self.limit.to_string()),
            (names[1], self.remaining.to_string()),
            (names[2], self.reset.to_string()),
        ]
    }
}

fn unix(t: SystemTime) -> Duration {
    t.duration_since(UNIX_EPOCH).unwrap_or_default()
}

/// Fixed windows aligned to whole seconds (so `reset`, in Unix seconds, is exact).
fn rate_check(
    shared: &Shared,
    state: &mut crate::State,
    route: &Route,
    caller: &crate::auth::Caller,
    injected_429: bool,
) -> Option<Limit> {
    let config = &shared.config;
    if !config.rate_limiting {
        return None;
    }
    let (limit, window_ms, shared_bucket) = match config.rate_limits.get(route.api.name()) {
        Some(b) => (
            b.limit,
            b.window_ms,
            route.rate.as_ref().is_none_or(|r| r.shared),
        ),
        None => {
            let r = route.rate.as_ref()?;
            (r.limit, r.window_seconds * 1000, r.shared)
        }
    };
    let window = Duration::from_millis(window_ms.max(1));
    let key = (
        route.api,
        caller.client_id.clone().unwrap_or_default(),
        caller.user_id.clone().unwrap_or_default(),
        if shared_bucket {
            String::new()
        } else {
            route.id.clone()
        },
    );
    let now = SystemTime::now();
    // Whole-second windows start on a whole second, so the announced reset is exact.
    let start = if window_ms % 1000 == 0 {
        UNIX_EPOCH + Duration::from_secs(unix(now).as_secs())
    } else {
        now
    };
    let w = state
        .windows
        .entry(key)
        .or_insert(Window { start, used: 0 });
    if now >= w.start + window {
        *w = Window { start, used: 0 };
    }
    let end = unix(w.start + window);
    let reset = end.as_secs() + u64::from(end.subsec_nanos() > 0);
    if injected_429 {
        return Some(Limit {
            limit,
            remaining: 0,
            reset: unix(now).as_secs() + 1,
            exhausted: true,
        });
    }
    if w.used >= limit {
        state.counters.dry_resets.insert((route.api, reset));
        return Some(Limit {
            limit,
            remaining: 0,
            reset,
            exhausted: true,
        });
    }
    w.used += 1;
    if w.used == limit {
        state.counters.dry_resets.insert((route.api, reset));
    }
    Some(Limit {
        limit,
        remaining: limit - w.used,
        reset,
        exhausted: false,
    })
}

fn plain(status: StatusCode, message: &str) -> Response {
    let mut r = Response::new(Body::from(message.to_string()));
    *r.status_mut() = status;
    r
}

fn into_response(reply: Reply, headers: Vec<(&'static str, String)>) -> Response {
    let bytes = reply.bytes();
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if reply.body.is_some() {
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static(reply.content_type),
        );
    }
    for (name, value) in headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, v);
        }
    }
    response
}

/// Sends the headers and half the body, then fails the stream (the connection is cut).
async fn truncate_body(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let half = Bytes::copy_from_slice(&bytes[..bytes.len() / 2]);
    parts
        .headers
        .insert(http::header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    // The failure waits one turn: hyper flushes what it has (the headers and the half) while
    // the body is pending, and only then sees the error and drops the connection. Failing at
    // once would drop it with nothing sent, a reset rather than a cut.
    let cut = futures::stream::once(async {
        tokio::task::yield_now().await;
        Err::<Bytes, _>(killed())
    });
    let chunks = futures::stream::iter([Ok(half)]).chain(cut);
    Response::from_parts(parts, Body::from_stream(chunks))
}
