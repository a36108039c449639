//! A server on 127.0.0.1:0 that answers each request as a closure says: a computed response
//! (fresh page tokens forever, headers with the time of the request), a chunked body generated
//! lazily as the client reads it (hundreds of megabytes without holding them), or no answer at
//! all. It records every request as [`CapturedRequest`], so tests count what was really sent.

use std::sync::{Arc, Mutex};

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use super::{CapturedRequest, read_request};

/// How the server answers one request.
pub enum Reply {
    /// These bytes (a whole HTTP/1.1 response, e.g. from [`super::response`]).
    Raw(String),
    /// A 200 with `Transfer-Encoding: chunked` and `chunks` chunks of `chunk_bytes` bytes each,
    /// each made as it is written.
    Chunked { chunk_bytes: usize, chunks: usize },
    /// Only these bytes (a response head, or part of one), then silence with the connection
    /// held open.
    Stall(String),
}

/// A server answering with a closure of the request's number (0 for the first) and the request;
/// stops when dropped.
pub struct HostileServer {
    pub base: String,
    requests: Arc<Mutex<Vec<CapturedRequest>>>,
    task: JoinHandle<()>,
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type Answer = dyn Fn(usize, &CapturedRequest) -> Reply + Send + Sync;

impl HostileServer {
    pub async fn start(
        answer: impl Fn(usize, &CapturedRequest) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let sink = requests.clone();
        let answer: Arc<Answer> = Arc::new(answer);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, sink.clone(), answer.clone()));
            }
        });
        Self {
            base,
            requests,
            task,
        }
    }

    pub fn requests(&self) -> Vec<CapturedRequest> {
        self.requests.lock().unwrap().clone()
    }
}

async fn serve(mut stream: TcpStream, sink: Arc<Mutex<Vec<CapturedRequest>>>, answer: Arc<Answer>) {
    let mut buf = Vec::new();
    while let Some(request) = read_request(&mut stream, &mut buf).await {
        let n = {
            let mut all = sink.lock().unwrap();
            all.push(request.clone());
            all.len() - 1
        };
        match answer(n, &request) {
            Reply::Raw(bytes) => {
                if stream.write_all(bytes.as_bytes()).await.is_err() {
                    return;
                }
            }
            Reply::Chunked {
                chunk_bytes,
                chunks,
            } => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let mut chunk = format!("{chunk_bytes:x}\r\n").into_bytes();
                chunk.extend(std::iter::repeat_n(b' ', chunk_bytes));
                chunk.extend_from_slice(b"\r\n");
                for _ in 0..chunks {
                    // The client hangs up once it has refused the body: that ends this.
                    if stream.write_all(&chunk).await.is_err() {
                        return;
                    }
                }
                if stream.write_all(b"0\r\n\r\n").await.is_err() {
                    return;
                }
            }
            Reply::Stall(bytes) => {
                let _ = stream.write_all(bytes.as_bytes()).await;
                std::future::pending::<()>().await;
            }
        }
    }
}
