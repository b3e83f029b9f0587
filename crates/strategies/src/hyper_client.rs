//! The bare-hyper side of the `hyper-tokio` strategy: one HTTP/1.1 connection owned by
//! one worker, driven through `hyper::client::conn::http1`, with no pool in between.
//!
//! This is how oha drives hyper, and what reqwest is built on. reqwest adds, per request,
//! a pool checkout and check-in (with a spawned task that returns the connection once the
//! body is read), a clone of its connector and service stack, a `Url` to `Uri`
//! conversion and a header-map copy: at zero latency that doubles the client's CPU per
//! request. Measuring both on the same harness separates what the async model costs
//! from what a convenient client library costs.
//!
//! Failure handling follows reqwest's: a connection that failed is dropped and the next
//! request opens a new one; a request that never left because a reused connection had
//! closed meanwhile is sent once more on a fresh connection (hyper-util's
//! `retry_canceled_requests`), since no server saw it.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{Request, header};
use hyper_util::rt::TokioIo;
use waitbench_core::{ErrorKind, Outcome, StrategyInfo, Timeouts};

use crate::deadline::RequestDeadline;
use crate::dial::Dialer;
use crate::reqwest_errors::{Facts, Stage, decide};
use crate::settings::set;
use crate::target::{RequestTarget, error_chain};

/// The sender half of one open connection.
type Sender = SendRequest<Full<Bytes>>;

/// One worker's connection: opened on first use, and again after any failure.
#[derive(Debug)]
pub(crate) struct HyperConnection {
    deadline: RequestDeadline,
    dialer: Dialer,
    sender: Option<Sender>,
}

impl HyperConnection {
    /// A worker's connection slot, empty until its first request; `dialer` opens its
    /// connections (offering ALPN `http/1.1` over TLS).
    pub(crate) fn new(timeouts: Timeouts, dialer: Dialer) -> Self {
        HyperConnection {
            deadline: RequestDeadline::new(timeouts.request),
            dialer,
            sender: None,
        }
    }

    /// A new, unconnected slot with the same timeouts and dialer.
    pub(crate) fn fresh(&self) -> Self {
        HyperConnection {
            deadline: RequestDeadline::new(self.deadline.timeout()),
            dialer: self.dialer.clone(),
            sender: None,
        }
    }

    /// Adds the client's settings to `info`.
    pub(crate) fn describe(info: &mut StrategyInfo) {
        set(
            info,
            "client",
            "hyper 1 (client::conn::http1, HTTP/1.1, no pool)",
        );
        set(info, "keep_alive", "on (one connection per worker task)");
        set(info, "tcp_nodelay", true);
    }

    /// Sends `target`'s request within the request timeout, reads and discards the whole
    /// body frame by frame, and classifies the result. Any failure drops the connection.
    pub(crate) async fn fetch(&mut self, target: &RequestTarget) -> Outcome {
        let HyperConnection {
            deadline,
            dialer,
            sender,
        } = self;
        let outcome = match deadline.within(exchange(dialer, sender, target)).await {
            Some(Ok(status)) => return Outcome::from_status(status),
            Some(Err(kind)) => Outcome::Error(kind),
            None => Outcome::Error(deadline.expired(target)),
        };
        self.sender = None;
        outcome
    }
}

/// One exchange: a connection (`sender`'s if still open, else a new one from `dialer`),
/// the request, the whole body.
async fn exchange(
    dialer: &Dialer,
    sender: &mut Option<Sender>,
    target: &RequestTarget,
) -> Result<u16, ErrorKind> {
    let reused = sender.as_ref().is_some_and(|s| !s.is_closed());
    if !reused {
        // Boxed: opening (TCP, TLS, the handshake) is a large future that a request
        // rarely needs, and inline it would be moved with every request's.
        *sender = Some(Box::pin(connect(dialer, target)).await?);
    }
    let open = sender.as_mut().expect("connected above");
    let mut sent = send(open, target).await;
    if reused && let Err(Unsent::NotSent) = sent {
        // The idle connection closed before the request left: no server saw it.
        let open = sender.insert(Box::pin(connect(dialer, target)).await?);
        sent = send(open, target).await;
    }
    let response = sent.map_err(|unsent| match unsent {
        Unsent::NotSent => {
            target.note_error(|| "the connection closed before the request left".into());
            ErrorKind::Reset
        }
        Unsent::Failed(kind) => kind,
    })?;
    let status = response.status().as_u16();
    let mut body = response.into_body();
    while let Some(frame) = body.frame().await {
        frame.map_err(|err| classify(target, &err, Stage::Body))?;
    }
    Ok(status)
}

/// Why a request got no response.
enum Unsent {
    /// The connection was closed before the request was written.
    NotSent,
    /// The exchange failed after the request may have left.
    Failed(ErrorKind),
}

/// Sends `target`'s request once the connection is ready for it.
async fn send(
    sender: &mut Sender,
    target: &RequestTarget,
) -> Result<hyper::Response<hyper::body::Incoming>, Unsent> {
    if sender.ready().await.is_err() {
        return Err(Unsent::NotSent);
    }
    sender
        .try_send_request(request(target))
        .await
        .map_err(|mut err| match err.take_message() {
            Some(_) => Unsent::NotSent,
            None => Unsent::Failed(classify(target, err.error(), Stage::Send)),
        })
}

/// The request for `target`, in origin form with its `Host` header (unless the user gave
/// one), then the user's method, headers and body (hyper adds its `Content-Length`).
fn request(target: &RequestTarget) -> Request<Full<Bytes>> {
    let spec = target.request();
    let mut request = Request::new(Full::new(spec.body.clone()));
    *request.uri_mut() = target.origin_form().clone();
    if !spec.plain {
        *request.method_mut() = spec.method.clone();
        request.headers_mut().clone_from(&spec.headers);
    }
    let headers = request.headers_mut();
    if !headers.contains_key(header::HOST) {
        headers.insert(header::HOST, target.authority().clone());
    }
    request
}

/// Opens a connection to `target` through `dialer` and starts its driver task. A
/// failure is a connect error (a TLS error when the handshake failed).
async fn connect(dialer: &Dialer, target: &RequestTarget) -> Result<Sender, ErrorKind> {
    let stream = dialer.dial(target).await?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await.map_err(|e| {
        target.note_error(|| format!("connect to {}: {}", target.address(), error_chain(&e)));
        ErrorKind::Connect
    })?;
    // The driver ends by itself when the sender is dropped or the peer closes; its
    // error, if any, reaches the worker through the sender.
    tokio::spawn(connection);
    Ok(sender)
}

/// Classifies a hyper error raised at `stage`, noting its message for `target`.
fn classify(target: &RequestTarget, err: &hyper::Error, stage: Stage) -> ErrorKind {
    target.note_error(|| error_chain(err));
    decide(Facts::of_chain(err), stage)
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::time::Duration;

    use super::*;
    use crate::test_support::assert_async_client_classifies;

    fn plain_dialer() -> Dialer {
        Dialer::plain(Timeouts::default().connect)
    }

    #[test]
    fn a_connection_the_server_closed_is_replaced_without_an_error() {
        // Each connection answers one request, then the server closes it.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            for _ in 0..2 {
                let (mut stream, _) = listener.accept().unwrap();
                let mut buf = [0u8; 1024];
                let _ = stream.read(&mut buf).unwrap();
                stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                    .unwrap();
            }
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let target = RequestTarget::parse(&url).unwrap();
        let mut connection = HyperConnection::new(Timeouts::default(), plain_dialer());
        runtime.block_on(async {
            assert_eq!(connection.fetch(&target).await, Outcome::from_status(200));
            // Let the close arrive, as it would between two requests of a slow workload.
            tokio::time::sleep(Duration::from_millis(50)).await;
            assert_eq!(connection.fetch(&target).await, Outcome::from_status(200));
        });
        server.join().unwrap();
    }

    #[test]
    fn misbehaving_servers_end_as_the_expected_outcome() {
        assert_async_client_classifies(|timeouts, target| async move {
            HyperConnection::new(timeouts, Dialer::plain(timeouts.connect))
                .fetch(&target)
                .await
        });
    }
}
