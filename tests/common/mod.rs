//! A raw TCP listener on 127.0.0.1:0 that records the exact bytes of every HTTP/1.1 request it
//! receives and answers each with a fixed response. Wire tests assert on what was really sent,
//! not on our own structs read back.

#![allow(dead_code)] // each test binary uses a different part of this module

pub mod facade;
pub mod hostile;
pub mod secrets;

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct CapturedRequest {
    pub raw: Vec<u8>,
    pub method: String,
    /// The request target: path and query string, exactly as sent.
    pub target: String,
    /// Header names lowercased, values as sent, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// When the request had fully arrived.
    pub at: std::time::SystemTime,
}

impl CapturedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }
}

/// A capturing server; stops when dropped.
pub struct CaptureServer {
    pub base: String,
    requests: Arc<Mutex<Vec<CapturedRequest>>>,
    task: JoinHandle<()>,
}

impl Drop for CaptureServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl CaptureServer {
    /// Starts a server answering every request with `status` and `body` (JSON when non-empty).
    pub async fn start(status: u16, body: &'static str) -> Self {
        Self::script(vec![response(status, &[], body)]).await
    }

    /// Starts a server answering the n-th request with `responses[n]` (raw HTTP/1.1 responses),
    /// and every later one with the last.
    pub async fn script(responses: Vec<String>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let sink = requests.clone();
        let responses = Arc::new(responses);
        let served = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(serve(
                    stream,
                    sink.clone(),
                    responses.clone(),
                    served.clone(),
                ));
            }
        });
        Self {
            base: format!("http://{addr}"),
            requests,
            task,
        }
    }

    pub fn requests(&self) -> Vec<CapturedRequest> {
        self.requests.lock().unwrap().clone()
    }

    /// The single request received since the last call, panicking if there is not exactly one.
    pub fn take_one(&self) -> CapturedRequest {
        let mut all = self.requests.lock().unwrap();
        assert_eq!(all.len(), 1, "expected exactly one request, got {all:#?}");
        all.pop().unwrap()
    }
}

/// Ends a scripted response: the server writes what comes before it, then closes the
/// connection (a body cut short, a reset before any byte).
pub const CLOSE: &str = "\u{0}<close>";

/// A raw HTTP/1.1 response with `headers` and a JSON `body` (none when empty).
pub fn response(status: u16, headers: &[(&str, String)], body: &str) -> String {
    let mut out = format!(
        "HTTP/1.1 {status} Status\r\ncontent-length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        out.push_str("content-type: application/json\r\n");
    }
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(body);
    out
}

async fn serve(
    mut stream: TcpStream,
    sink: Arc<Mutex<Vec<CapturedRequest>>>,
    responses: Arc<Vec<String>>,
    served: Arc<std::sync::atomic::AtomicUsize>,
) {
    let mut buf = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buf).await else {
            return;
        };
        sink.lock().unwrap().push(request);
        let n = served.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let response = &responses[n.min(responses.len() - 1)];
        if let Some(cut) = response.strip_suffix(CLOSE) {
            let _ = stream.write_all(cut.as_bytes()).await;
            return; // the connection closes here, whatever the response promised
        }
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

async fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<CapturedRequest> {
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_string();
    let target = request_line.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let raw: Vec<u8> = buf.drain(..head_end + len).collect();
    let body = raw[head_end..].to_vec();
    Some(CapturedRequest {
        raw,
        method,
        target,
        headers,
        body,
        at: std::time::SystemTime::now(),
    })
}
