//! A recording reverse proxy on 127.0.0.1: the generated client talks to it, it forwards each
//! request unchanged to the server under test (Prism) and hands the answer back unchanged,
//! keeping a copy of both. That copy is how the driver sees the exact request the client sent and
//! the exact bytes it received, without a hook in the runtime and without sending anything twice.
//!
//! What it must not do: change a request or a response (beyond the hop-by-hop headers HTTP/1.1
//! requires each connection to set itself), or talk to any host but the upstream it was given.

use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

/// One request the client sent and what came back.
#[derive(Clone)]
pub(crate) struct Exchange {
    /// The request's method: `GET`.
    pub(crate) method: String,
    /// The request's path and query, as sent: `/2/users/1/blocking?user.fields=id,name`.
    pub(crate) path_and_query: String,
    /// The request's body, byte for byte (empty when it had none).
    pub(crate) request_body: Bytes,
    /// The upstream's status, or 502 when it could not be reached (see `upstream_error`).
    pub(crate) status: u16,
    /// The upstream's response headers.
    pub(crate) headers: HeaderMap,
    /// The upstream's response body, byte for byte.
    pub(crate) body: Bytes,
    /// Why the upstream gave no answer, when it did not.
    pub(crate) upstream_error: Option<String>,
}

/// The running proxy.
pub(crate) struct Recorder {
    url: String,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
    server: tokio::task::JoinHandle<()>,
}

#[derive(Clone)]
struct Forward {
    upstream: String,
    http: reqwest::Client,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
}

/// Headers that describe one connection, not the message: each side sets its own.
const HOP_BY_HOP: [header::HeaderName; 5] = [
    header::CONNECTION,
    header::CONTENT_LENGTH,
    header::HOST,
    header::TRANSFER_ENCODING,
    header::HeaderName::from_static("keep-alive"),
];

impl Recorder {
    /// Starts the proxy on a free port of 127.0.0.1, forwarding to `upstream` (an origin such as
    /// `http://127.0.0.1:4010`).
    pub(crate) async fn start(upstream: &str) -> Result<Self> {
        let exchanges = Arc::new(Mutex::new(Vec::new()));
        let state = Forward {
            upstream: upstream.trim_end_matches('/').to_string(),
            // A redirect from the upstream is an answer to hand back and record, not one to
            // follow: following it would show the client (and the verdict) a different
            // exchange than the one Prism answered.
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .context("building the recording proxy's HTTP client")?,
            exchanges: exchanges.clone(),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding the recording proxy")?;
        let url = format!("http://{}", listener.local_addr()?);
        let app = axum::Router::new().fallback(forward).with_state(state);
        let server = tokio::spawn(async move {
            // The proxy lives as long as the driver; an accept error ends it, and the requests
            // then fail as transport errors, which the report counts.
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            url,
            exchanges,
            server,
        })
    }

    /// The proxy's origin (`http://127.0.0.1:<port>`).
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// Every exchange recorded since the last call, oldest first.
    pub(crate) fn take(&self) -> Vec<Exchange> {
        std::mem::take(&mut *self.exchanges.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn forward(State(state): State<Forward>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let request_body = axum::body::to_bytes(body, usize::MAX).await;
    let request_body_copy = request_body.as_ref().cloned().unwrap_or_default();
    let result = async {
        let body = request_body?;
        let mut headers = parts.headers.clone();
        for name in &HOP_BY_HOP {
            headers.remove(name);
        }
        let response = state
            .http
            .request(
                parts.method.clone(),
                format!("{}{path_and_query}", state.upstream),
            )
            .headers(headers)
            .body(body)
            .send()
            .await?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await?;
        anyhow::Ok((status, headers, body))
    }
    .await;
    let exchange = match result {
        Ok((status, headers, body)) => Exchange {
            method: parts.method.to_string(),
            path_and_query,
            request_body: request_body_copy,
            status: status.as_u16(),
            headers,
            body,
            upstream_error: None,
        },
        Err(e) => Exchange {
            method: parts.method.to_string(),
            path_and_query,
            request_body: request_body_copy,
            status: StatusCode::BAD_GATEWAY.as_u16(),
            headers: HeaderMap::new(),
            body: Bytes::from(format!("{e:#}")),
            upstream_error: Some(format!("{e:#}")),
        },
    };
    let mut response = Response::new(Body::from(exchange.body.clone()));
    *response.status_mut() =
        StatusCode::from_u16(exchange.status).unwrap_or(StatusCode::BAD_GATEWAY);
    *response.headers_mut() = exchange.headers.clone();
    for name in &HOP_BY_HOP {
        response.headers_mut().remove(name);
    }
    state
        .exchanges
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(exchange);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An upstream that answers every request with its own method, path and query, a custom
    /// header and a status that is not 200.
    async fn upstream() -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new()
            .route(
                "/moved",
                axum::routing::get(|| async {
                    Response::builder()
                        .status(StatusCode::FOUND)
                        .header(header::LOCATION, "/elsewhere")
                        .body(Body::empty())
                        .unwrap()
                }),
            )
            .fallback(|request: Request| async move {
                let echo = format!("{} {}", request.method(), request.uri());
                Response::builder()
                    .status(StatusCode::CREATED)
                    .header("sl-violations", "[]")
                    .body(Body::from(echo))
                    .unwrap()
            });
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        url
    }

    #[tokio::test]
    async fn the_client_gets_what_the_upstream_sent_and_the_recorder_keeps_a_copy() {
        let recorder = Recorder::start(&upstream().await).await.unwrap();
        let response = reqwest::Client::new()
            .delete(format!("{}/2/users/1/blocking/2?a=b,c", recorder.url()))
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers()["sl-violations"], "[]");
        let body = response.bytes().await.unwrap();
        assert_eq!(body, "DELETE /2/users/1/blocking/2?a=b,c");

        let exchanges = recorder.take();
        assert_eq!(exchanges.len(), 1);
        let exchange = &exchanges[0];
        assert_eq!(exchange.method, "DELETE");
        assert_eq!(exchange.path_and_query, "/2/users/1/blocking/2?a=b,c");
        assert_eq!(exchange.request_body, "{}");
        assert_eq!((exchange.status, &exchange.body), (201, &body));
        assert_eq!(exchange.headers["sl-violations"], "[]");
        assert!(exchange.upstream_error.is_none());
        assert!(recorder.take().is_empty(), "taken once");
    }

    #[tokio::test]
    async fn a_redirect_is_handed_back_not_followed() {
        let recorder = Recorder::start(&upstream().await).await.unwrap();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let response = client
            .get(format!("{}/moved", recorder.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FOUND);
        assert_eq!(response.headers()[header::LOCATION], "/elsewhere");
        let exchanges = recorder.take();
        assert_eq!(exchanges.len(), 1, "the proxy did not follow it either");
        assert_eq!(exchanges[0].status, 302);
    }

    #[tokio::test]
    async fn an_unreachable_upstream_is_recorded_as_such() {
        // A port nothing listens on: bound, then released.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let recorder = Recorder::start(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap();
        let response = reqwest::get(format!("{}/2/x", recorder.url()))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
        assert!(recorder.take()[0].upstream_error.is_some());
    }
}
