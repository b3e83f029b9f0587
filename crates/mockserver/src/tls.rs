//! HTTPS through rustls (ring's cryptography): the server's TLS settings, and each
//! connection's handshake, counted by kind and by the CPU it cost.
//!
//! Resumption is on unless asked off: TLS 1.3 tickets sealed by a rotating ticketer
//! (stateless, so any number of clients resume) and a session cache for TLS 1.2. Off,
//! the server keeps no sessions and sends no tickets, so every connection is a full
//! handshake, whatever the client offers.
//!
//! How the handshake's CPU is measured: the handshake is one future, polled by one
//! worker thread at a time but possibly by different ones across polls (tokio moves
//! tasks). Around each poll the polling thread's own CPU clock
//! (`CLOCK_THREAD_CPUTIME_ID`) is read, and the differences are added up, so the sum is
//! the CPU the handshake used on whichever threads ran it: key exchange, signature,
//! ticket sealing, and the socket reads and writes of its flights, and not the time it
//! spent waiting for the client. A handshake takes two to three polls, so the clock
//! reads add about 1 µs to a cost of 100 µs or more.

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::HandshakeKind;
use rustls::server::{NoServerSessionStorage, ServerSessionMemoryCache};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::certificate;
use crate::error::ServerError;
use crate::protocol::ProtocolConfig;
use crate::stats::{Counters, Handshake, thread_cpu_nanos};

/// Sessions the TLS 1.2 cache holds (TLS 1.3 resumes from tickets, which need none).
const SESSION_CACHE: usize = 4096;

/// The ALPN name of HTTP/2.
pub(crate) const ALPN_H2: &[u8] = b"h2";
/// The ALPN name of HTTP/1.1.
const ALPN_HTTP1: &[u8] = b"http/1.1";

/// A server's TLS side: its acceptor, and the CA file clients trust when its certificate
/// was generated.
#[derive(Clone)]
pub(crate) struct Tls {
    acceptor: TlsAcceptor,
    ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("ca_file", &self.ca_file)
            .finish_non_exhaustive()
    }
}

impl Tls {
    /// The TLS side `config` asks for, `None` for cleartext; makes or loads the
    /// certificate (the local CA on first use).
    pub(crate) fn new(config: &ProtocolConfig) -> Result<Option<Tls>, ServerError> {
        if !config.is_tls() {
            return Ok(None);
        }
        let identity = certificate::identity(config)?;
        // ring builds from the toolchain and a C compiler alone (aws-lc-rs, rustls'
        // default, has a much larger C build); its lack of post-quantum key exchange
        // (rustls deprecates its provider for that) means X25519 handshakes.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(ServerError::Tls)?
            .with_no_client_auth()
            .with_single_cert(identity.chain, identity.key)
            .map_err(ServerError::Tls)?;
        server.alpn_protocols = if config.http2 {
            vec![ALPN_H2.to_vec()]
        } else {
            vec![ALPN_H2.to_vec(), ALPN_HTTP1.to_vec()]
        };
        if config.no_resumption {
            server.session_storage = Arc::new(NoServerSessionStorage {});
            server.send_tls13_tickets = 0;
        } else {
            server.session_storage = ServerSessionMemoryCache::new(SESSION_CACHE);
            server.ticketer = rustls::crypto::ring::Ticketer::new().map_err(ServerError::Tls)?;
        }
        Ok(Some(Tls {
            acceptor: TlsAcceptor::from(Arc::new(server)),
            ca_file: identity.ca_file,
        }))
    }

    /// The generated certificate's CA file, `None` with the user's certificate.
    pub(crate) fn ca_file(&self) -> Option<&Path> {
        self.ca_file.as_deref()
    }

    /// Runs the server's side of a handshake on `stream`, within `timeout`, and counts
    /// it (full, resumed or failed, and its CPU); `None` when it failed.
    pub(crate) async fn accept(
        &self,
        stream: TcpStream,
        timeout: Duration,
        counters: &Counters,
    ) -> Option<TlsStream<TcpStream>> {
        let mut timed = CpuTimed {
            inner: self.acceptor.accept(stream),
            spent_ns: 0,
        };
        let done = tokio::time::timeout(timeout, &mut timed).await;
        let (kind, stream) = match done {
            Ok(Ok(stream)) => {
                let kind = match stream.get_ref().1.handshake_kind() {
                    Some(HandshakeKind::Resumed) => Handshake::Resumed,
                    _ => Handshake::Full,
                };
                (kind, Some(stream))
            }
            Ok(Err(_)) | Err(_) => (Handshake::Failed, None),
        };
        counters.handshake(kind, timed.spent_ns);
        stream
    }
}

/// A future whose polls' CPU time, on the threads that ran them, is added up.
struct CpuTimed<F> {
    inner: F,
    spent_ns: u64,
}

impl<F: Future + Unpin> Future for CpuTimed<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let before = thread_cpu_nanos();
        let polled = Pin::new(&mut self.inner).poll(cx);
        self.spent_ns += thread_cpu_nanos().saturating_sub(before);
        polled
    }
}
