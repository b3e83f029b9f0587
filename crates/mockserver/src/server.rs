//! Running the server: the embedded [`MockServer`] on its own runtime, the standalone
//! [`serve`], the accept loop and graceful shutdown. What to run comes from
//! [`ServerConfig`](crate::ServerConfig); this module only runs it.
//!
//! Every protocol wraps the same connection service: a connection is accepted and
//! counted, TLS (if any) is negotiated, then HTTP/1.1 or HTTP/2 serves it with the one
//! service and the one per-connection state, so delays, faults and counters never fork
//! by protocol.

use std::net::SocketAddr;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot, watch};
use waitbench_core::ServerStats;

use crate::app::{AppState, app};
use crate::config::ServerConfig;
use crate::connection::{Connection, ConnectionEnd, StreamExecutor};
use crate::error::ServerError;
use crate::listener;
use crate::service::connection_service;
use crate::tls::{ALPN_H2, Tls};

/// How long a refused connection is given to take its 503 before it is closed.
const REFUSAL_LINGER: Duration = Duration::from_secs(1);

/// A mock server running in this process on its own tokio runtime and threads, so its
/// work never competes with the client's runtime for a worker. Dropping it shuts it
/// down like [`MockServer::shutdown`].
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    state: AppState,
    /// `https` or `http`.
    scheme: &'static str,
    /// The CA file clients trust, when the certificate was generated.
    ca_file: Option<PathBuf>,
    control: Option<Control>,
}

#[derive(Debug)]
struct Control {
    stop: oneshot::Sender<()>,
    stopped: oneshot::Receiver<()>,
    thread: JoinHandle<()>,
}

impl MockServer {
    /// Binds `config.listen` and starts serving; returns once connections are accepted.
    pub fn start(config: ServerConfig) -> Result<MockServer, ServerError> {
        let state = AppState::new(&config)?;
        let protocol = &config.protocol;
        let tls = Tls::new(protocol)?;
        state
            .counters()
            .speaks(tls.is_some(), protocol.http2 || tls.is_some());
        let ca_file = tls
            .as_ref()
            .and_then(|tls| tls.ca_file().map(Path::to_path_buf));
        let std_listener = listener::bind(config.listen).map_err(|source| ServerError::Bind {
            addr: config.listen,
            source,
        })?;
        let addr = std_listener
            .local_addr()
            .map_err(|source| ServerError::Bind {
                addr: config.listen,
                source,
            })?;
        let (on_start, on_stop) = (Arc::clone(state.cpu()), Arc::clone(state.cpu()));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(config.worker_threads)
            .thread_name("waitbench-server")
            .enable_all()
            .on_thread_start(move || on_start.register_current_thread())
            .on_thread_stop(move || on_stop.retire_current_thread())
            .build()
            .map_err(|source| ServerError::Start {
                what: "runtime",
                source,
            })?;
        let listener = {
            let _context = runtime.enter();
            TcpListener::from_std(std_listener).map_err(|source| ServerError::Start {
                what: "listener",
                source,
            })?
        };
        let (stop, stop_rx) = oneshot::channel();
        let (stopped_tx, stopped) = oneshot::channel();
        let router = app(state.clone());
        let limits = Limits {
            max_connections: config.max_connections,
            header_read_timeout: config.header_read_timeout,
            shutdown_timeout: config.shutdown_timeout,
        };
        let protocols = Protocols {
            tls,
            h2c: protocol.http2,
            max_concurrent_streams: protocol.max_concurrent_streams,
        };
        let accept = accept_loop(listener, router, state.clone(), limits, protocols, stop_rx);
        // The runtime lives and dies on this thread, so dropping it never happens inside
        // someone else's async context (which tokio forbids).
        let thread = std::thread::Builder::new()
            .name("waitbench-server-main".into())
            .spawn(move || {
                // Spawned, not run by block_on, so the accept loop runs on the (counted)
                // worker threads rather than this one.
                let task = runtime.spawn(accept);
                let _ = runtime.block_on(task);
                runtime.shutdown_timeout(Duration::from_secs(1));
                let _ = stopped_tx.send(());
            })
            .map_err(|source| ServerError::Start {
                what: "thread",
                source,
            })?;
        Ok(MockServer {
            addr,
            state,
            scheme: config.protocol.scheme(),
            ca_file,
            control: Some(Control {
                stop,
                stopped,
                thread,
            }),
        })
    }

    /// Base URL, e.g. `http://127.0.0.1:40123` (`https://` with TLS).
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// The PEM file of the CA that signed the generated certificate: what a client
    /// trusts (`curl --cacert FILE`). `None` without TLS or with `--cert`/`--key`.
    pub fn ca_file(&self) -> Option<&Path> {
        self.ca_file.as_deref()
    }

    /// The bound address (with the real port when port 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's counters, read in-process (same document as `GET /stats`).
    pub fn stats(&self) -> ServerStats {
        self.state.stats()
    }

    /// A handle on the server's counters that can outlive this borrow (e.g. for a
    /// progress thread), read in-process without a request.
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// The token control requests need, `Authorization: Bearer TOKEN`: the configured one,
    /// or one generated because the server is not on loopback; `None` when control is open.
    pub fn control_token(&self) -> Option<&str> {
        self.state.control_token()
    }

    /// Starts a new stats window: max-in-flight from the current number in flight, and
    /// CPU per request from zero.
    pub fn reset_max_in_flight(&self) {
        self.state.reset_max_in_flight();
    }

    /// When the server started: its pause windows are timed from here.
    pub fn started_at(&self) -> Instant {
        self.state.started_at()
    }

    /// Stops accepting, lets requests in flight finish (up to
    /// [`ServerConfig::shutdown_timeout`]), and waits for the server's threads. Blocks.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    /// Serves until `signal` completes, then shuts down gracefully without blocking the
    /// caller's runtime (for `waitbench serve`, after printing [`MockServer::url`]).
    pub async fn run_until(
        mut self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let Some(mut control) = self.control.take() else {
            return Ok(());
        };
        tokio::select! {
            () = signal => {}
            _ = &mut control.stopped => {}
        }
        let _ = control.stop.send(());
        let _ = (&mut control.stopped).await;
        control.thread.join().map_err(|_| ServerError::Panicked)
    }

    fn stop_and_join(&mut self) {
        if let Some(control) = self.control.take() {
            let _ = control.stop.send(());
            let _ = control.thread.join();
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// Runs a server with `config` until `shutdown` completes, then stops gracefully
/// (requests in flight finish, up to [`ServerConfig::shutdown_timeout`]).
pub async fn serve(
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    MockServer::start(config)?.run_until(shutdown).await
}

/// The accept loop's share of [`ServerConfig`].
#[derive(Debug, Clone, Copy)]
struct Limits {
    max_connections: usize,
    header_read_timeout: Duration,
    shutdown_timeout: Duration,
}

/// The accept loop's share of [`ProtocolConfig`](crate::ProtocolConfig): how a
/// connection is spoken to once accepted.
#[derive(Debug, Clone)]
struct Protocols {
    tls: Option<Tls>,
    h2c: bool,
    max_concurrent_streams: u32,
}

/// Accepts connections until `stop`, then drains them for up to the shutdown timeout.
async fn accept_loop(
    listener: TcpListener,
    router: Router,
    state: AppState,
    limits: Limits,
    protocols: Protocols,
    mut stop: oneshot::Receiver<()>,
) {
    let protocols = Arc::new(protocols);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    // Each connection task holds a receiver; `closed()` on the sender tells when all
    // have finished.
    let (drain, draining) = watch::channel(false);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    loop {
        let accepted = tokio::select! {
            // A dropped sender (MockServer gone) also stops the server.
            _ = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _peer)) = accepted else {
            // Out of descriptors or memory: back off instead of spinning on the error.
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        };
        // Small responses must leave at once, not wait for Nagle's algorithm.
        let _ = stream.set_nodelay(true);
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            // Accepted only to say no: a connection left in the backlog would look
            // connected to its client and starve with no answer. The 503 is cleartext
            // HTTP/1.1; a TLS or h2c client could not read it, so it gets a close.
            if protocols.tls.is_none() && !protocols.h2c {
                tokio::spawn(refuse(stream, limits.max_connections));
            }
            continue;
        };
        state.counters().connection_accepted();
        tokio::spawn(serve_connection(
            stream,
            Arc::clone(&protocols),
            limits.header_read_timeout,
            Serving {
                state: state.clone(),
                router: router.clone(),
                http1: http.clone(),
                draining: draining.clone(),
            },
            slot,
        ));
    }
    // Closing the listener refuses new connections while the open ones drain.
    drop(listener);
    drop(draining);
    let _ = drain.send(true);
    let _ = tokio::time::timeout(limits.shutdown_timeout, drain.closed()).await;
}

/// Answers a connection over the cap with a 503 that names the cap, and closes it.
async fn refuse(mut stream: TcpStream, max_connections: usize) {
    let body = format!(
        "connection refused: the server holds at most {max_connections} connections \
         (raise --max-connections)\n"
    );
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n\
         content-length: {}\r\nconnection: close\r\nretry-after: 1\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(REFUSAL_LINGER, async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await?;
        // Reads what the client sent until it closes: closing with unread data would
        // send a RST, which can destroy the 503 before the client reads it.
        let mut sink = [0u8; 1024];
        while stream.read(&mut sink).await? > 0 {}
        std::io::Result::Ok(())
    })
    .await;
}

/// What every connection is served with, whatever its protocol.
struct Serving {
    state: AppState,
    router: Router,
    http1: hyper::server::conn::http1::Builder,
    draining: watch::Receiver<bool>,
}

/// Serves one connection until it closes, a handler ends it (reset or stall), or
/// shutdown drains it: TLS first if the server speaks it (a failed handshake is counted
/// and closes the connection), then HTTP/2 if h2c or ALPN chose it, else HTTP/1.1.
async fn serve_connection(
    stream: TcpStream,
    protocols: Arc<Protocols>,
    handshake_timeout: Duration,
    serving: Serving,
    _slot: OwnedSemaphorePermit,
) {
    let fd = stream.as_raw_fd();
    let Some(tls) = &protocols.tls else {
        let h2 = protocols.h2c && opens_with_h2_preface(&stream, handshake_timeout).await;
        let io = TokioIo::new(stream);
        if h2 {
            serve_http2(io, fd, &protocols, serving).await;
        } else {
            serve_http1(io, fd, serving).await;
        }
        return;
    };
    let counters = serving.state.counters();
    let Some(stream) = tls.accept(stream, handshake_timeout, counters).await else {
        return;
    };
    let h2 = stream.get_ref().1.alpn_protocol() == Some(ALPN_H2);
    let io = TokioIo::new(stream);
    if h2 {
        serve_http2(io, fd, &protocols, serving).await;
    } else {
        serve_http1(io, fd, serving).await;
    }
}

/// What an HTTP/2 client with prior knowledge sends first (RFC 9113 §3.4); no HTTP/1.1
/// request starts with its first bytes, `PRI` being no method a server serves.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Whether a cleartext connection opens with HTTP/2's preface, read without taking it
/// off the socket (within `timeout`; a client that says nothing by then is left to
/// HTTP/1.1's own timeouts).
///
/// Why an h2c server answers HTTP/1.1 too, as nginx's `http2 on` does on a cleartext
/// port: waitbench's own requests to a server (the preflight, `/health`, `/stats` and
/// `/stats/reset`) speak HTTP/1.1, and without them a run against `serve --http2`
/// could neither check its target nor report the server's figures. A client that
/// opens with the preface always gets HTTP/2.
async fn opens_with_h2_preface(stream: &TcpStream, timeout: Duration) -> bool {
    let mut opening = [0u8; H2_PREFACE.len()];
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let peeked = tokio::time::timeout_at(deadline, stream.peek(&mut opening)).await;
        let Ok(Ok(n)) = peeked else { return false };
        if n == 0 || opening[..n] != H2_PREFACE[..n] {
            return false;
        }
        if n == H2_PREFACE.len() {
            return true;
        }
        // A preface cut short: the rest follows at once from any real client; peeking
        // again now would return the same bytes, so wait a moment first.
        if tokio::time::timeout_at(deadline, tokio::time::sleep(Duration::from_millis(1)))
            .await
            .is_err()
        {
            return false;
        }
    }
}

/// Serves HTTP/1.1 on `io`, whose socket is `fd`.
async fn serve_http1<I>(io: I, fd: RawFd, serving: Serving)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let connection = Arc::new(Connection::default());
    let service = connection_service(serving.state, serving.router);
    let conn = serving.http1.serve_connection(io, service);
    drive(conn, connection, fd, serving.draining).await;
}

/// Serves HTTP/2 on `io`, whose socket is `fd`: each stream's handler runs in a task of
/// the connection's scope ([`StreamExecutor`]).
async fn serve_http2<I>(io: I, fd: RawFd, protocols: &Protocols, serving: Serving)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let counters = Arc::clone(serving.state.counters());
    counters.h2_connection();
    let connection = Arc::new(Connection::default());
    let (executor, _alive) = StreamExecutor::new(Arc::clone(&connection), counters);
    let mut http2 = hyper::server::conn::http2::Builder::new(executor);
    http2
        .timer(TokioTimer::new())
        .max_concurrent_streams(protocols.max_concurrent_streams);
    let service = connection_service(serving.state, serving.router);
    let conn = http2.serve_connection(io, service);
    drive(conn, connection, fd, serving.draining).await;
    // `_alive` drops here: stream tasks still running (a reset or stalled request)
    // end with their connection.
}

/// A hyper connection that can finish its requests in flight and then close.
trait GracefulShutdown: Future {
    fn graceful_shutdown(self: Pin<&mut Self>);
}

impl<I, S> GracefulShutdown for hyper::server::conn::http1::Connection<I, S>
where
    Self: Future,
    I: hyper::rt::Read + hyper::rt::Write + Unpin,
    S: hyper::service::HttpService<hyper::body::Incoming, ResBody = axum::body::Body>,
{
    fn graceful_shutdown(self: Pin<&mut Self>) {
        hyper::server::conn::http1::Connection::graceful_shutdown(self);
    }
}

impl<I, S, E> GracefulShutdown for hyper::server::conn::http2::Connection<I, S, E>
where
    Self: Future,
    I: hyper::rt::Read + hyper::rt::Write + Unpin,
    S: hyper::service::HttpService<hyper::body::Incoming, ResBody = axum::body::Body>,
    E: hyper::rt::bounds::Http2ServerConnExec<S::Future, S::ResBody>,
{
    fn graceful_shutdown(self: Pin<&mut Self>) {
        hyper::server::conn::http2::Connection::graceful_shutdown(self);
    }
}

/// Runs `conn` with `connection` as its handlers' state until it closes, a handler ends
/// it, or shutdown drains it; a reset closes socket `fd` with a RST.
async fn drive<C: GracefulShutdown>(
    conn: C,
    connection: Arc<Connection>,
    fd: RawFd,
    mut draining: watch::Receiver<bool>,
) {
    Connection::serve(Arc::clone(&connection), async move {
        tokio::pin!(conn);
        let mut shutting_down = false;
        loop {
            tokio::select! {
                _ = conn.as_mut() => return,
                how = connection.ended() => {
                    if how == ConnectionEnd::Reset {
                        // SAFETY: the stream that owns `fd` lives inside `conn`, which is
                        // still alive here, so the descriptor is open.
                        let socket = unsafe { BorrowedFd::borrow_raw(fd) };
                        // Linger 0 makes the close below send a RST instead of a FIN.
                        let _ = socket2::SockRef::from(&socket).set_linger(Some(Duration::ZERO));
                    }
                    return;
                }
                changed = draining.changed(), if !shutting_down => {
                    shutting_down = true;
                    if changed.is_ok() {
                        // Finishes the request in flight, then closes; idle ones close now.
                        conn.as_mut().graceful_shutdown();
                    }
                }
            }
        }
    })
    .await;
}
