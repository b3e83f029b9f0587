//! The HTTP/2 side of `hyper-tokio-h2`: K connections, each carrying the streams of the
//! workers assigned to it, driven through `h2`, the HTTP/2 engine of the hyper project
//! that `hyper::client::conn::http2` wraps.
//!
//! Why K connections shared by C workers: HTTP/2's answer to "a thousand requests in
//! flight" is a thousand streams on one connection, where HTTP/1.1 needs a thousand
//! connections. A server caps the streams in flight per connection (100 by default,
//! as most servers); streams beyond the cap wait in the client until one ends, so C
//! workers on K connections keep at most K × cap in flight, and the rest queue, which
//! the server's `max_in_flight` shows. Workers are assigned to connections in turn.
//!
//! Why `h2` itself and not hyper's wrapper around it: hyper's HTTP/2 client hands each
//! request through a channel to the connection's task and spawns a task per request to
//! carry the response back. Measured against h2load on four connections
//! (`examples/client_ceiling.rs`, `docs/tls-and-http2.md`), that layer cost about
//! 1.3 µs of client CPU per request and a fifth of the throughput, the gap between an
//! async client at its leanest and nghttp2. With `h2` a worker's task sends its stream
//! and reads its response itself, as h2load's event loop does. The settings are
//! hyper's (windows, frame and buffer sizes, push off), so the wire is the same.
//!
//! Failures: a connection is opened on first use (over TLS with ALPN `h2`, or in
//! cleartext with prior knowledge) and again once it has closed; the worker that finds
//! it closed opens it, the others on that connection wait for the same one. A reset
//! stream (`RST_STREAM`) fails that request alone; a connection error (a TCP reset, a
//! `GOAWAY`) fails every stream on it. Both count as `reset` errors, told apart in the
//! run's connection report. A stream the server refused (`REFUSED_STREAM`, which it
//! sends for streams opened before its SETTINGS arrived) was not processed and is sent
//! again, up to three times.

use std::future::poll_fn;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use bytes::Bytes;
use h2::client::SendRequest;
use hyper::header::{CONNECTION, CONTENT_LENGTH, HeaderMap, HeaderName, TE};
use hyper::{Method, Request};
use waitbench_core::{ErrorKind, Outcome, StrategyInfo, Timeouts};

use crate::connection_log::ConnectionLog;
use crate::deadline::RequestDeadline;
use crate::dial::Dialer;
use crate::reqwest_errors::{Facts, Stage, decide};
use crate::settings::set;
use crate::target::{RequestTarget, error_chain};

/// One open HTTP/2 connection: a handle to send streams on it (cheap to clone), and
/// whether its driver has ended.
#[derive(Debug, Clone)]
struct Connection {
    sender: SendRequest<Bytes>,
    closed: Arc<AtomicBool>,
}

impl Connection {
    /// Whether the connection has ended (closed, failed, or told to go away).
    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }
}

/// The K connections of a run, shared by every worker.
#[derive(Debug)]
pub(crate) struct H2Connections {
    timeouts: Timeouts,
    dialer: Dialer,
    log: Arc<ConnectionLog>,
    slots: Box<[tokio::sync::Mutex<Option<Connection>>]>,
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
            link: Link {
                connections: Arc::clone(self),
                slot,
                connection: None,
            },
            deadline: RequestDeadline::new(self.timeouts.request),
        }
    }

    /// Adds the client's settings to `info`.
    pub(crate) fn describe(info: &mut StrategyInfo, connections: usize) {
        set(
            info,
            "client",
            "h2 0.4 (hyper's HTTP/2 engine, driven directly: no task per request), no pool",
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

/// One worker: its connection, and its request timeout.
#[derive(Debug)]
pub(crate) struct H2Worker {
    link: Link,
    deadline: RequestDeadline,
}

/// A worker's view of its connection: the handle it last used, kept until the
/// connection closes, so a request takes no lock.
#[derive(Debug)]
struct Link {
    connections: Arc<H2Connections>,
    slot: usize,
    connection: Option<Connection>,
}

impl H2Worker {
    /// Another worker's handle, on the next connection in turn.
    pub(crate) fn next(&self) -> H2Worker {
        self.link.connections.worker()
    }

    /// Sends `target`'s request as a new stream within the request timeout, reads and
    /// discards the whole body, and classifies the result.
    pub(crate) async fn fetch(&mut self, target: &RequestTarget) -> Outcome {
        match self.deadline.within(self.link.exchange(target)).await {
            Some(Ok(status)) => Outcome::from_status(status),
            Some(Err(kind)) => Outcome::Error(kind),
            None => Outcome::Error(self.deadline.expired(target)),
        }
    }
}

impl Link {
    async fn exchange(&mut self, target: &RequestTarget) -> Result<u16, ErrorKind> {
        if self.connection.as_ref().is_none_or(Connection::is_closed) {
            // Boxed: opening (TCP, TLS, the h2 handshake) is a large future that a
            // request rarely needs, and inline it would be moved with every request's.
            self.connection = Some(Box::pin(self.open(target)).await?);
        }
        let log = &self.connections.log;
        let Connection { sender, closed } = self.connection.as_mut().expect("opened above");
        // A failed connection is marked closed at once, before its driver task ends:
        // requests that fail without waiting would otherwise find it open again and
        // fail on it in a loop that never lets the driver run.
        let failed = |err: &h2::Error, stage| {
            if err.is_io() || err.is_go_away() {
                closed.store(true, Ordering::Release);
            }
            classify(log, target, err, stage)
        };
        let body = &target.request().body;
        let mut refusals = 0;
        let response = loop {
            // Waits while this worker's last stream is still waiting to open (the
            // connection is at the server's stream limit): streams beyond the limit
            // queue in the client, one per worker. An error here means the connection
            // can carry no more streams.
            if let Err(err) = poll_fn(|cx| sender.poll_ready(cx)).await {
                closed.store(true, Ordering::Release);
                return Err(classify(log, target, &err, Stage::Send));
            }
            let (response, mut stream) = sender
                .send_request(head(target), body.is_empty())
                .map_err(|err| failed(&err, Stage::Send))?;
            if !body.is_empty() {
                // h2 buffers what the window does not take yet and sends it as the
                // server opens the window.
                stream
                    .send_data(body.clone(), true)
                    .map_err(|err| failed(&err, Stage::Send))?;
            }
            match response.await {
                Ok(response) => break response,
                // The server processed nothing of a refused stream (RFC 9113 §8.7): it
                // comes from streams opened before its SETTINGS (with their limit)
                // arrived, and is sent again, as browsers do.
                Err(err) if refused(&err) && refusals < MAX_REFUSALS => refusals += 1,
                Err(err) => return Err(failed(&err, Stage::Send)),
            }
        };
        let status = response.status().as_u16();
        let mut body = response.into_body();
        while let Some(chunk) = body.data().await {
            let chunk = chunk.map_err(|err| failed(&err, Stage::Body))?;
            // Gives the window back as the bytes are read, as hyper's body does.
            body.flow_control()
                .release_capacity(chunk.len())
                .map_err(|err| failed(&err, Stage::Body))?;
        }
        Ok(status)
    }

    /// The worker's connection: the one in its slot if still open, else a new one
    /// (opened by whichever worker of the slot comes first; the others wait for it).
    async fn open(&self, target: &RequestTarget) -> Result<Connection, ErrorKind> {
        let mut slot = self.connections.slots[self.slot].lock().await;
        if let Some(connection) = slot.as_ref().filter(|c| !c.is_closed()) {
            return Ok(connection.clone());
        }
        *slot = None;
        let stream = self.connections.dialer.dial(target).await?;
        let (sender, driver) = builder().handshake(stream).await.map_err(|e| {
            target.note_error(|| {
                format!(
                    "HTTP/2 handshake with {}: {}",
                    target.address(),
                    error_chain(&e)
                )
            });
            ErrorKind::Connect
        })?;
        let closed = Arc::new(AtomicBool::new(false));
        let ended = Arc::clone(&closed);
        // The driver ends when every handle is dropped or the connection fails; its
        // error reaches the streams through their responses.
        tokio::spawn(async move {
            let _ = driver.await;
            ended.store(true, Ordering::Release);
        });
        let connection = Connection { sender, closed };
        *slot = Some(connection.clone());
        Ok(connection)
    }
}

/// hyper's HTTP/2 client settings (its `proto::h2::client` defaults), so the wire is
/// what `hyper::client::conn::http2` would send.
fn builder() -> h2::client::Builder {
    let mut builder = h2::client::Builder::new();
    builder
        .initial_max_send_streams(100)
        .initial_window_size(2 * 1024 * 1024)
        .initial_connection_window_size(5 * 1024 * 1024)
        .max_header_list_size(16 * 1024)
        .max_send_buffer_size(1024 * 1024)
        .enable_push(false);
    builder
}

/// Classifies an h2 error, noting its message for `target` and in `log` whether it
/// was the stream's alone or the connection's.
fn classify(
    log: &ConnectionLog,
    target: &RequestTarget,
    err: &h2::Error,
    stage: Stage,
) -> ErrorKind {
    let scope = scope(err);
    log.http2_error(scope);
    target.note_error(|| format!("HTTP/2 {} error: {}", scope.name(), error_chain(err)));
    let facts = err
        .get_io()
        .map_or_else(Facts::default, |io| Facts::of_chain(io));
    match decide(facts, stage) {
        // A stream refused or reset by the server is a reset, not an unknown failure.
        ErrorKind::Other => ErrorKind::Reset,
        kind => kind,
    }
}

/// How many times one request is sent again after its stream was refused.
const MAX_REFUSALS: u32 = 3;

/// Whether `err` is the server's `REFUSED_STREAM`: the stream was not processed.
fn refused(err: &h2::Error) -> bool {
    err.reason() == Some(h2::Reason::REFUSED_STREAM)
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
fn scope(err: &h2::Error) -> H2Scope {
    if err.is_reset() && !err.is_go_away() {
        H2Scope::Stream
    } else {
        H2Scope::Connection
    }
}

/// The request head for `target` with its absolute URI (HTTP/2 sends scheme and
/// authority as pseudo-headers), then the user's method and headers, made fit for
/// HTTP/2 as hyper makes them: connection-specific headers dropped, and a
/// `content-length` for a body (or for a method whose body has meaning).
fn head(target: &RequestTarget) -> Request<()> {
    let spec = target.request();
    let mut request = Request::new(());
    *request.uri_mut() = target.absolute().clone();
    if !spec.plain {
        *request.method_mut() = spec.method.clone();
        let headers = request.headers_mut();
        headers.clone_from(&spec.headers);
        strip_connection_headers(headers);
        let has_payload_semantics = !matches!(
            spec.method,
            Method::GET | Method::HEAD | Method::DELETE | Method::CONNECT
        );
        if (!spec.body.is_empty() || has_payload_semantics) && !headers.contains_key(CONTENT_LENGTH)
        {
            headers.insert(CONTENT_LENGTH, spec.body.len().into());
        }
    }
    request
}

/// Headers that HTTP/2 forbids (RFC 9113 §8.2.2), which h2 refuses to send.
const CONNECTION_HEADERS: [&str; 4] = [
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
];

/// Drops what HTTP/2 forbids: the connection-specific headers, the ones a
/// `Connection` header names, and a `TE` other than `trailers`.
fn strip_connection_headers(headers: &mut HeaderMap) {
    for name in CONNECTION_HEADERS {
        headers.remove(name);
    }
    if headers.get(TE).is_some_and(|te| te != "trailers") {
        headers.remove(TE);
    }
    if let Some(named) = headers.remove(CONNECTION) {
        let named = named.to_str().unwrap_or_default().to_owned();
        for name in named.split(',') {
            if let Ok(name) = HeaderName::from_bytes(name.trim().as_bytes()) {
                headers.remove(name);
            }
        }
    }
}
