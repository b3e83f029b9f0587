//! The reqwest side shared by the reqwest strategies: how a client is configured, and the
//! one function that sends a request, reads its body and classifies the result.
//!
//! Connections: reqwest opens them itself, so waitbench hands it the run's rustls
//! configuration (`use_preconfigured_tls`) and wraps its connector in a layer that
//! times each connection (TCP and handshake) into the run's log.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use reqwest::{Client, ClientBuilder};
use waitbench_core::{HttpVersion, Outcome, StrategyInfo, Timeouts};

use crate::connection_log::ConnectionLog;
use crate::error::RunError;
use crate::options::IdlePerHost;
use crate::reqwest_errors::{Stage, classify};
use crate::settings::set;
use crate::target::{RequestTarget, error_chain};
use crate::tls::is_tls_error;
use crate::transport::{ALPN_H2, ALPN_HTTP1, Transport};

/// reqwest's default idle timeout for pooled connections, as reported.
const REQWEST_DEFAULT_IDLE_TIMEOUT: &str = "90s (reqwest default)";

/// How the reqwest strategies configure their clients.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ReqwestSettings {
    timeouts: Timeouts,
    idle_per_host: Option<usize>,
    protocol: HttpVersion,
}

impl ReqwestSettings {
    /// Settings with the workload's timeouts; `idle_per_host` of `None` keeps reqwest's
    /// default (no limit); `protocol` is what the client speaks (HTTP/2: over ALPN `h2`
    /// on https://, with prior knowledge on http://).
    pub(crate) fn new(
        timeouts: Timeouts,
        idle_per_host: IdlePerHost,
        protocol: HttpVersion,
    ) -> Self {
        ReqwestSettings {
            timeouts,
            protocol,
            // Sized means unbounded here: reqwest keeps every connection by default.
            idle_per_host: match idle_per_host {
                IdlePerHost::Fixed(n) => Some(n),
                IdlePerHost::Sized | IdlePerHost::LibraryDefault => None,
            },
        }
    }

    /// The builder: no proxy (neither environment nor system), connect and whole-request
    /// timeouts, TCP_NODELAY, the idle limit if one was given, the protocol, and the
    /// run's TLS configuration and connection log.
    fn builder(&self, connector: &ReqwestConnector) -> ClientBuilder {
        let mut builder = Client::builder()
            .no_proxy()
            .connect_timeout(self.timeouts.connect)
            .timeout(self.timeouts.request)
            .tcp_nodelay(true)
            .connector_layer(LogLayer(Arc::clone(&connector.log)));
        builder = match self.protocol {
            HttpVersion::Http1 => builder.http1_only(),
            HttpVersion::Http2 => builder.http2_prior_knowledge(),
        };
        if let Some(tls) = &connector.tls {
            // A clone shares the session cache (an `Arc`), so every client resumes from it.
            builder = builder.use_preconfigured_tls(rustls::ClientConfig::clone(tls));
        }
        match self.idle_per_host {
            Some(n) => builder.pool_max_idle_per_host(n),
            None => builder,
        }
    }

    /// The run's connector for these settings: TLS offering this protocol's ALPN.
    pub(crate) fn connector(&self, transport: &Transport) -> Result<ReqwestConnector, RunError> {
        let alpn = match self.protocol {
            HttpVersion::Http1 => ALPN_HTTP1,
            HttpVersion::Http2 => ALPN_H2,
        };
        Ok(ReqwestConnector {
            tls: Some(
                transport
                    .rustls(&[alpn])?
                    .unwrap_or_else(|| crate::tls::trusting_nothing(&[alpn])),
            ),
            log: Arc::clone(transport.log()),
        })
    }

    /// Builds a client connecting through `connector`.
    pub(crate) fn client(&self, connector: &ReqwestConnector) -> Result<Client, reqwest::Error> {
        self.builder(connector).build()
    }

    /// Adds the client's settings to `info`; `shared` says whether one client (and its
    /// pool) serves every request.
    pub(crate) fn describe(&self, info: &mut StrategyInfo, shared: bool) {
        set(
            info,
            "client",
            format!("reqwest 0.13 (hyper, {})", self.protocol.name()),
        );
        if shared {
            set(info, "keep_alive", "on (one shared client)");
            match self.idle_per_host {
                Some(n) => set(info, "reqwest_idle_per_host", n),
                None => set(info, "reqwest_idle_per_host", "unbounded (reqwest default)"),
            }
            set(info, "reqwest_idle_timeout", REQWEST_DEFAULT_IDLE_TIMEOUT);
        } else {
            set(info, "keep_alive", "off (new client per request)");
        }
        set(info, "tcp_nodelay", true);
    }
}

/// What a run's reqwest clients connect with: the TLS configuration (over https://) and
/// the log their connector layer writes to.
#[derive(Debug, Clone)]
pub(crate) struct ReqwestConnector {
    /// Over http:// too: reqwest builds a TLS configuration either way, and without a
    /// provider of its own it would panic.
    tls: Option<Arc<rustls::ClientConfig>>,
    log: Arc<ConnectionLog>,
}

/// The layer around reqwest's connector that times each connection into the log.
#[derive(Debug, Clone)]
struct LogLayer(Arc<ConnectionLog>);

impl<S> tower::Layer<S> for LogLayer {
    type Service = Logged<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Logged {
            inner,
            log: Arc::clone(&self.0),
        }
    }
}

/// reqwest's connector, each connection timed from the call to the connected (and,
/// over TLS, handshaken) stream.
#[derive(Debug, Clone)]
struct Logged<S> {
    inner: S,
    log: Arc<ConnectionLog>,
}

/// The error reqwest's connector services return.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl<S, R> tower::Service<R> for Logged<S>
where
    S: tower::Service<R, Error = BoxError>,
    S::Future: Send + 'static,
    S::Response: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let started = Instant::now();
        let connecting = self.inner.call(request);
        let log = Arc::clone(&self.log);
        Box::pin(async move {
            let connected = connecting.await;
            match &connected {
                Ok(_) => log.opened(started.elapsed()),
                Err(err) => log.failed(is_tls_error(err.as_ref())),
            }
            connected
        })
    }
}

/// Sends `target`'s request, reads and discards the whole body chunk by chunk, and
/// classifies the result.
pub(crate) async fn fetch(client: &Client, target: &RequestTarget) -> Outcome {
    let spec = target.request();
    let request = if spec.plain {
        client.get(target.url().clone())
    } else {
        client
            .request(spec.method.clone(), target.url().clone())
            .headers(spec.headers.clone())
            .body(spec.body.clone())
    };
    let mut response = match request.send().await {
        Ok(response) => response,
        Err(err) => {
            target.note_error(|| error_chain(&err));
            return Outcome::Error(classify(&err, Stage::Send));
        }
    };
    let status = response.status().as_u16();
    loop {
        match response.chunk().await {
            Ok(Some(_)) => {}
            Ok(None) => return Outcome::from_status(status),
            Err(err) => {
                target.note_error(|| error_chain(&err));
                return Outcome::Error(classify(&err, Stage::Body));
            }
        }
    }
}
