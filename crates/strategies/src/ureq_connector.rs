//! How the ureq strategies open connections: ureq's own TCP connector, then, over
//! https://, a rustls session from the run's configuration; each connection timed into
//! the run's [`ConnectionLog`].
//!
//! Why not ureq's `RustlsConnector`: it builds its own rustls configuration from ureq's
//! `TlsConfig`, which can neither turn session resumption off nor share the counting
//! verifier, and it does not show the negotiated session. This is the same wrapping
//! (a `StreamOwned` over ureq's `TransportAdapter`, ureq's buffers), with the run's
//! configuration.

use std::fmt;
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Instant;

use rustls::{ClientConfig, ClientConnection, StreamOwned};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, LazyBuffers, NextTimeout, TcpConnector, Transport,
    TransportAdapter,
};

use crate::connection_log::{ConnectionLog, tls_version};
use crate::tls::{is_tls_error, server_name};

/// Opens ureq's connections, over TLS when the URL is https://.
pub(crate) struct LoggedConnector {
    tcp: TcpConnector,
    tls: Option<Arc<ClientConfig>>,
    log: Arc<ConnectionLog>,
}

impl fmt::Debug for LoggedConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoggedConnector")
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

impl Clone for LoggedConnector {
    fn clone(&self) -> Self {
        LoggedConnector::new(self.tls.clone(), Arc::clone(&self.log))
    }
}

impl LoggedConnector {
    /// Connects with `tls` over https://, noting each connection in `log`.
    pub(crate) fn new(tls: Option<Arc<ClientConfig>>, log: Arc<ConnectionLog>) -> Self {
        LoggedConnector {
            tcp: TcpConnector::default(),
            tls,
            log,
        }
    }

    /// The TLS session over `tcp`, handshaken.
    fn wrap(
        &self,
        details: &ConnectionDetails,
        tcp: Box<dyn Transport>,
    ) -> Result<TlsTransport, ureq::Error> {
        let Some(config) = &self.tls else {
            return Err(ureq::Error::Tls(
                "an https:// URL on a run built without TLS",
            ));
        };
        let host = details
            .uri
            .authority()
            .map_or("", |authority| authority.host());
        let name = server_name(host).map_err(|_| ureq::Error::Tls("a host TLS cannot check"))?;
        let mut session = ClientConnection::new(Arc::clone(config), name)?;
        let mut socket = TransportAdapter::new(tcp, details.current_time.clone());
        socket.set_timeout(details.timeout);
        session.complete_io(&mut socket).map_err(|err| {
            // rustls reports a failed handshake as an io::Error wrapping its own.
            match err
                .get_ref()
                .and_then(|e| e.downcast_ref::<rustls::Error>())
            {
                Some(tls) => ureq::Error::Rustls(tls.clone()),
                None => ureq::Error::Io(err),
            }
        })?;
        self.log.negotiated(
            session.protocol_version().and_then(tls_version),
            session.negotiated_cipher_suite().map(|s| s.suite()),
        );
        let buffers = LazyBuffers::new(
            details.config.input_buffer_size(),
            details.config.output_buffer_size(),
        );
        Ok(TlsTransport {
            buffers,
            stream: StreamOwned::new(session, socket),
        })
    }
}

impl Connector<()> for LoggedConnector {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        _chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let started = Instant::now();
        let opened = Connector::<()>::connect(&self.tcp, details, None).and_then(|tcp| {
            let tcp = tcp.ok_or(ureq::Error::ConnectionFailed)?.boxed();
            if details.needs_tls() {
                Ok(Box::new(self.wrap(details, tcp)?) as Box<dyn Transport>)
            } else {
                Ok(tcp)
            }
        });
        match &opened {
            Ok(_) => self.log.opened(started.elapsed()),
            Err(err) => self.log.failed(is_tls(err)),
        }
        opened.map(Some)
    }
}

/// Whether a ureq error is a failed TLS handshake.
pub(crate) fn is_tls(err: &ureq::Error) -> bool {
    match err {
        ureq::Error::Rustls(_) | ureq::Error::Tls(_) => true,
        ureq::Error::Io(io) => is_tls_error(io),
        _ => false,
    }
}

/// A TLS session over ureq's TCP transport.
struct TlsTransport {
    buffers: LazyBuffers,
    stream: StreamOwned<ClientConnection, TransportAdapter>,
}

impl fmt::Debug for TlsTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsTransport").finish_non_exhaustive()
    }
}

impl Transport for TlsTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let output = &self.buffers.output()[..amount];
        self.stream.write_all(output)?;
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let input = self.buffers.input_append_buf();
        let amount = self.stream.read(input)?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        self.stream.get_mut().get_mut().is_open()
    }

    fn is_tls(&self) -> bool {
        true
    }
}
