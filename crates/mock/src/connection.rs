//! One client connection as the mock serves it: a TCP stream that a fault can reset, or cut after
//! a few more bytes, and the record of which responses went out in full. A response counts as
//! *written* only when hyper has taken its last body byte and a flush then put everything it had
//! buffered on the socket; the block log's "delivered" is that. This module carries out what the
//! pipeline decided; it must not decide what is answered.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::body::Body;
use bytes::Bytes;
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// What runs once a response is on the wire.
type OnWritten = Box<dyn FnOnce() + Send>;

/// The state of one connection the pipeline can act on (reached through the request's
/// extensions).
pub(crate) struct Connection {
    killed: AtomicBool,
    /// Bytes still allowed out before the connection is cut; `usize::MAX` when no cut is
    /// pending.
    budget: AtomicUsize,
    /// Callbacks of responses hyper has taken in full, run by the next successful flush.
    written: Mutex<Vec<OnWritten>>,
}

impl Connection {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            killed: AtomicBool::new(false),
            budget: AtomicUsize::new(usize::MAX),
            written: Mutex::new(Vec::new()),
        })
    }

    /// Every read and write fails from now on (a reset).
    pub(crate) fn reset(&self) {
        self.killed.store(true, Ordering::SeqCst);
    }

    /// `bytes` more go out, then the connection is reset.
    pub(crate) fn cut_after(&self, bytes: usize) {
        self.budget.store(bytes, Ordering::SeqCst);
    }

    fn is_killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }

    fn lock_written(&self) -> std::sync::MutexGuard<'_, Vec<OnWritten>> {
        self.written.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A TCP stream that fails every read and write once its connection is reset, and writes at
/// most the budget a cut left it.
pub(crate) struct Killable {
    inner: tokio::net::TcpStream,
    connection: Arc<Connection>,
}

impl Killable {
    pub(crate) fn new(inner: tokio::net::TcpStream, connection: Arc<Connection>) -> Self {
        Self { inner, connection }
    }
}

pub(crate) fn killed() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        "fault: connection reset",
    )
}

impl AsyncRead for Killable {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.connection.is_killed() {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Killable {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.connection.is_killed() {
            return Poll::Ready(Err(killed()));
        }
        let budget = self.connection.budget.load(Ordering::SeqCst);
        if budget == 0 {
            self.connection.reset();
            return Poll::Ready(Err(killed()));
        }
        let allowed = buf.len().min(budget);
        let written = std::task::ready!(Pin::new(&mut self.inner).poll_write(cx, &buf[..allowed]));
        if let (Ok(n), true) = (&written, budget != usize::MAX) {
            self.connection.budget.store(budget - n, Ordering::SeqCst);
        }
        Poll::Ready(written)
    }

    /// A successful flush puts every byte hyper had on the socket: the responses it had taken
    /// in full are written.
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        if self.connection.is_killed() {
            return Poll::Ready(Err(killed()));
        }
        let flushed = std::task::ready!(Pin::new(&mut self.inner).poll_flush(cx));
        if flushed.is_ok() {
            let done = std::mem::take(&mut *self.connection.lock_written());
            for on_written in done {
                on_written();
            }
        }
        Poll::Ready(flushed)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A response body that tells its connection, when hyper drops it having taken all of it, to
/// run `on_written` at the next successful flush. A body that failed (a cut) or was dropped
/// before its end (the connection broke) never does.
pub(crate) struct WatchedBody {
    inner: Body,
    connection: Arc<Connection>,
    on_written: Option<OnWritten>,
    /// Hyper saw the end: `poll_frame` ended, or `is_end_stream` said so (it then stops asking).
    ended: AtomicBool,
    failed: bool,
}

impl WatchedBody {
    pub(crate) fn new(inner: Body, connection: Arc<Connection>, on_written: OnWritten) -> Self {
        Self {
            inner,
            connection,
            on_written: Some(on_written),
            ended: AtomicBool::new(false),
            failed: false,
        }
    }
}

impl HttpBody for WatchedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let frame = std::task::ready!(Pin::new(&mut self.inner).poll_frame(cx));
        match &frame {
            None => self.ended.store(true, Ordering::SeqCst),
            Some(Err(_)) => self.failed = true,
            Some(Ok(_)) => {}
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        let end = self.inner.is_end_stream();
        if end {
            self.ended.store(true, Ordering::SeqCst);
        }
        end
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for WatchedBody {
    fn drop(&mut self) {
        if self.failed || !self.ended.load(Ordering::SeqCst) {
            return;
        }
        if let Some(on_written) = self.on_written.take() {
            self.connection.lock_written().push(on_written);
        }
    }
}
