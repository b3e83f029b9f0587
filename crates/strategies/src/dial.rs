//! Opening a connection for the bare-hyper strategies: TCP, then TLS through
//! tokio-rustls over https://, within the connect timeout, timed and noted in the run's
//! [`ConnectionLog`]. Both the HTTP/1.1 and the HTTP/2 client dial through here, so a
//! connection costs the same whichever protocol then runs over it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use waitbench_core::ErrorKind;

use crate::connection_log::{ConnectionLog, tls_version};
use crate::error::RunError;
use crate::target::{RequestTarget, error_chain};
use crate::tls::{is_tls_error, server_name};
use crate::transport::Transport;

/// A connected byte stream, plain or TLS.
pub(crate) trait Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Stream for T {}

/// How a run's hyper connections are opened.
#[derive(Clone)]
pub(crate) struct Dialer {
    tls: Option<TlsConnector>,
    log: Arc<ConnectionLog>,
    timeout: Duration,
}

impl std::fmt::Debug for Dialer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dialer")
            .field("tls", &self.tls.is_some())
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Dialer {
    /// Dials through `transport` offering `alpn` over TLS, each within `timeout`.
    pub(crate) fn new(
        transport: &Transport,
        alpn: &[&[u8]],
        timeout: Duration,
    ) -> Result<Self, RunError> {
        Ok(Dialer {
            tls: transport.rustls(alpn)?.map(TlsConnector::from),
            log: Arc::clone(transport.log()),
            timeout,
        })
    }

    /// Plain TCP dialing with a log of its own (tests).
    #[cfg(test)]
    pub(crate) fn plain(timeout: Duration) -> Self {
        Dialer {
            tls: None,
            log: Arc::default(),
            timeout,
        }
    }

    /// Opens a stream to `target` (TCP, and the handshake over TLS) within the
    /// timeout. A failure is noted for `target` and is a connect error, or a TLS error
    /// when the handshake failed.
    pub(crate) async fn dial(&self, target: &RequestTarget) -> Result<Box<dyn Stream>, ErrorKind> {
        let started = Instant::now();
        let failed = match tokio::time::timeout(self.timeout, self.open(target)).await {
            Ok(Ok(stream)) => {
                self.log.opened(started.elapsed());
                return Ok(stream);
            }
            Ok(Err(failure)) => failure,
            Err(_) => Failure::Connect(format!(
                "not within the connect timeout ({:?})",
                self.timeout
            )),
        };
        let (kind, reason) = match failed {
            Failure::Connect(reason) => (ErrorKind::Connect, reason),
            Failure::Tls(reason) => (ErrorKind::Tls, reason),
        };
        self.log.failed(kind == ErrorKind::Tls);
        target.note_error(|| format!("connect to {}: {reason}", target.address()));
        Err(kind)
    }

    async fn open(&self, target: &RequestTarget) -> Result<Box<dyn Stream>, Failure> {
        let stream = TcpStream::connect(target.address())
            .await
            .map_err(|e| Failure::Connect(e.to_string()))?;
        stream
            .set_nodelay(true)
            .map_err(|e| Failure::Connect(e.to_string()))?;
        let Some(tls) = &self.tls else {
            return Ok(Box::new(stream));
        };
        let name = server_name(target.host()).map_err(Failure::Tls)?;
        let stream = tls.connect(name, stream).await.map_err(|e| {
            let reason = format!("TLS handshake: {}", error_chain(&e));
            if is_tls_error(&e) {
                Failure::Tls(reason)
            } else {
                Failure::Connect(reason)
            }
        })?;
        let (_, session) = stream.get_ref();
        self.log.negotiated(
            session.protocol_version().and_then(tls_version),
            session.negotiated_cipher_suite().map(|s| s.suite()),
        );
        Ok(Box::new(stream))
    }
}

/// Why a connection could not be opened.
enum Failure {
    /// TCP: refused, unreachable, reset during the handshake.
    Connect(String),
    /// The TLS handshake: the certificate, an alert, no common parameters.
    Tls(String),
}
