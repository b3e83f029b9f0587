//! The bare-hyper HTTP/2 side of `hyper-tokio-h2`: K connections, each carrying the
//! streams of the workers assigned to it, driven through `hyper::client::conn::http2`.
//!
//! Why K connections shared by C workers: HTTP/2's answer to "a thousand requests in
//! flight" is a thousand streams on one connection, where HTTP/1.1 needs a thousand
//! connections. A server caps the streams in flight per connection (100 by default,
//! as most servers); streams beyond the cap wait in the client until one ends, so C
//! workers on K connections keep at most K × cap in flight, and the rest queue, which
//! the server's `max_in_flight` shows. Workers are assigned to connections in turn.
//!
//! Failures: a connection is opened on first use (over TLS with ALPN `h2`, or in
//! cleartext with prior knowledge) and again once it has closed; the worker that finds
//! it closed opens it, the others on that connection wait for the same one. A reset
//! stream (`RST_STREAM`) fails that request alone; a connection error (a TCP reset, a
//! `GOAWAY`) fails every stream on it. Both count as `reset` errors, told apart in the
//! run's connection report. A stream the server refused (`REFUSED_STREAM`, which it
//! sends for streams opened before its SETTINGS arrived) was not processed and is sent
//! again, up to three times.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::client::conn::http2::{self, SendRequest};
use hyper_util::rt::{TokioExecutor, TokioIo};
use waitbench_core::{ErrorKind, Outcome, StrategyInfo, Timeouts};

use crate::connection_log::ConnectionLog;
use crate::dial::Dialer;
use crate::reqwest_errors::{Facts, Stage, decide};
use crate::settings::set;
use crate::target::{RequestTarget, error_chain};

/// The sender half of one HTTP/2 connection (cheap to clone: a channel handle).
type Sender = SendRequest<Full<Bytes>>;

/// The K connections of a run, shared by every worker.
#[derive(Debug)]
pub(crate) struct H2Connections {
    timeouts: Timeouts,
    dialer: Dialer,
    log: Arc<ConnectionLog>,
    slots: Box<[tokio::sync::Mutex<Option<Sender>>]>,
    assigned: AtomicUsize,
}

impl H2Connections {
    /// `connections` connection slots (at least one), empty until first used; `dialer`
    /// opens them.
    pub(crate) fn new(
        timeouts: Timeouts,
        dialer: Dialer,
        log: Arc<ConnectionLog>,
        connections: usize,
    ) -> Arc<Self> {
        Arc::new(H2Connections {
            timeouts,
            dialer,
            log,
            slots: (0..connections.max(1))
                .map(|_| tokio::sync::Mutex::new(None))
                .collect(),
            assigned: AtomicUsize::new(0),
        })
    }

    /// A worker's handle: the next connection in turn.
    pub(crate) fn worker(self: &Arc<Self>) -> H2Worker {
        let slot = self.assigned.fetch_add(1, Ordering::Relaxed) % self.slots.len();
        H2Worker {
            connections: Arc::clone(self),
            slot,
            sender: None,
        }
    }

    /// Adds the client's settings to `info`.
    pub(crate) fn describe(info: &mut StrategyInfo, connections: usize) {
        set(
            info,
            "client",
            "hyper 1 (client::conn::http2, HTTP/2, no pool)",
        );
        set(
            info,
            "keep_alive",
            format!("on ({connections} HTTP/2 connections shared by every worker)"),
        );
        set(info, "http2_connections", connections);
        set(
            info,
            "http2_streams",
            "one per request; beyond the server's limit per connection they wait in the client",
        );
        set(info, "tcp_nodelay", true);
    }
}

/// One worker's view of its connection: the sender it last used, kept until the
/// connection closes, so a request takes no lock.
#[derive(Debug)]
pub(crate) struct H2Worker {
    connections: Arc<H2Connections>,
    slot: usize,
    sender: Option<Sender>,
}

impl H2Worker {
    /// Another worker's handle, on the next connection in turn.
    pub(crate) fn next(&self) -> H2Worker {
        self.connections.worker()
    }

    /// Sends `target`'s request as a new stream within the request timeout, reads and
    /// discards the whole body, and classifies the result.
    pub(crate) async fn fetch(&mut self, target: &RequestTarget) -> Outcome {
        let timeout = self.connections.timeouts.request;
        match tokio::time::timeout(timeout, self.exchange(target)).await {
            Ok(Ok(status)) => Outcome::from_status(status),
            Ok(Err(kind)) => Outcome::Error(kind),
            Err(_elapsed) => {
                target.note_error(|| {
                    format!("no whole answer within the request timeout ({timeout:?})")
                });
                Outcome::Error(ErrorKind::Timeout)
            }
        }
    }

    async fn exchange(&mut self, target: &RequestTarget) -> Result<u16, ErrorKind> {
        if self.sender.as_ref().is_none_or(|s| s.is_closed()) {
            self.sender = Some(self.open(target).await?);
        }
        let log = &self.connections.log;
        let sender = self.sender.as_mut().expect("opened above");
        // Waits while the connection cannot take a stream (not while streams are over
        // the server's limit: those wait inside h2 once sent).
        sender
            .ready()
            .await
            .map_err(|err| classify(log, target, &err, Stage::Send))?;
        let mut refusals = 0;
        let response = loop {
            match sender.send_request(request(target)).await {
                Ok(response) => break response,
                // The server processed nothing of a refused stream (RFC 9113 §8.7): it
                // comes from streams opened before its SETTINGS (with their limit)
                // arrived, and is sent again, as browsers do.
                Err(err) if refused(&err) && refusals < MAX_REFUSALS => refusals += 1,
                Err(err) => return Err(classify(log, target, &err, Stage::Send)),
            }
        };
        let status = response.status().as_u16();
        let mut body = response.into_body();
        while let Some(frame) = body.frame().await {
            frame.map_err(|err| classify(log, target, &err, Stage::Body))?;
        }
        Ok(status)
    }

    /// The worker's connection: the one in its slot if still open, else a new one
    /// (opened by whichever worker of the slot comes first; the others wait for it).
    async fn open(&self, target: &RequestTarget) -> Result<Sender, ErrorKind> {
        let mut slot = self.connections.slots[self.slot].lock().await;
        if let Some(sender) = slot.as_ref().filter(|s| !s.is_closed()) {
            return Ok(sender.clone());
        }
        *slot = None;
        let stream = self.connections.dialer.dial(target).await?;
        let (sender, connection) = http2::Builder::new(TokioExecutor::new())
            .handshake(TokioIo::new(stream))
            .await
            .map_err(|e| {
                target.note_error(|| {
                    format!(
                        "HTTP/2 handshake with {}: {}",
                        target.address(),
                        error_chain(&e)
                    )
                });
                ErrorKind::Connect
            })?;
        // The driver ends when every sender is dropped or the connection fails; its
        // error reaches the streams through their responses.
        tokio::spawn(connection);
        *slot = Some(sender.clone());
        Ok(sender)
    }
}

/// Classifies a hyper error, noting its message for `target` and in `log` whether it
/// was the stream's alone or the connection's.
fn classify(
    log: &ConnectionLog,
    target: &RequestTarget,
    err: &hyper::Error,
    stage: Stage,
) -> ErrorKind {
    let scope = scope(err);
    log.http2_error(scope);
    target.note_error(|| format!("HTTP/2 {} error: {}", scope.name(), error_chain(err)));
    match decide(Facts::of_chain(err), stage) {
        // A stream refused or reset by the server is a reset, not an unknown failure.
        ErrorKind::Other => ErrorKind::Reset,
        kind => kind,
    }
}

/// How many times one request is sent again after its stream was refused.
const MAX_REFUSALS: u32 = 3;

/// Whether `err` is the server's `REFUSED_STREAM`: the stream was not processed.
fn refused(err: &hyper::Error) -> bool {
    h2_error(err).is_some_and(|h2| h2.reason() == Some(h2::Reason::REFUSED_STREAM))
}

/// The h2 error in `err`'s chain, if any.
fn h2_error(err: &hyper::Error) -> Option<&h2::Error> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cause {
        if let Some(h2) = e.downcast_ref::<h2::Error>() {
            return Some(h2);
        }
        cause = e.source();
    }
    None
}

/// Whether an HTTP/2 failure ended one stream or the whole connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum H2Scope {
    /// `RST_STREAM`: this request alone.
    Stream,
    /// A `GOAWAY`, a socket error, a closed connection: every stream on it.
    Connection,
}

impl H2Scope {
    /// `stream` or `connection`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            H2Scope::Stream => "stream",
            H2Scope::Connection => "connection",
        }
    }
}

/// The scope of `err`: a stream error when h2 says the stream was reset (and not by a
/// `GOAWAY`), a connection error otherwise.
fn scope(err: &hyper::Error) -> H2Scope {
    match h2_error(err) {
        Some(h2) if h2.is_reset() && !h2.is_go_away() => H2Scope::Stream,
        _ => H2Scope::Connection,
    }
}

/// The request for `target` with its absolute URI (HTTP/2 sends scheme and authority
/// as pseudo-headers), then the user's method, headers and body.
fn request(target: &RequestTarget) -> Request<Full<Bytes>> {
    let spec = target.request();
    let mut request = Request::new(Full::new(spec.body.clone()));
    *request.uri_mut() = target.absolute().clone();
    if !spec.plain {
        *request.method_mut() = spec.method.clone();
        request.headers_mut().clone_from(&spec.headers);
    }
    request
}
