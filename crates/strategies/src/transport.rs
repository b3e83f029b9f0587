//! What every connection of a run is opened with: TLS or not (decided by the target's
//! scheme), the TLS client settings, and the [`ConnectionLog`] its connector writes to.
//! Built once per run, before the clock starts, so a CA file that cannot be read stops
//! the run before anything is sent.

use std::sync::Arc;

use rustls::ClientConfig;
use waitbench_core::{ConnectionReport, HttpVersion, Measurement, StrategyInfo, Workload};

use crate::connection_log::ConnectionLog;
use crate::error::RunError;
use crate::options::StrategyOptions;
use crate::settings::set;
use crate::tls::{PROVIDER, TlsClient, Trust};

/// ALPN's name for HTTP/1.1.
pub(crate) const ALPN_HTTP1: &[u8] = b"http/1.1";
/// ALPN's name for HTTP/2 over TLS.
pub(crate) const ALPN_H2: &[u8] = b"h2";

/// A run's way of opening connections.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    tls: Option<TlsClient>,
    log: Arc<ConnectionLog>,
}

impl Transport {
    /// Plain TCP for an `http://` target, TLS as `options` say for `https://`.
    pub(crate) fn new(workload: &Workload, options: &StrategyOptions) -> Result<Self, RunError> {
        Self::for_scheme(workload.is_https(), options)
    }

    /// TLS as `options` say when `https`, else plain TCP.
    pub(crate) fn for_scheme(https: bool, options: &StrategyOptions) -> Result<Self, RunError> {
        let tls = if https {
            let trust = Trust::chosen(options.cacert.as_deref(), options.insecure)?;
            Some(TlsClient::new(trust, options.tls_resume))
        } else {
            None
        };
        Ok(Transport {
            tls,
            log: Arc::default(),
        })
    }

    /// Plain TCP with a log of its own (tests).
    #[cfg(test)]
    pub(crate) fn plain() -> Self {
        Transport {
            tls: None,
            log: Arc::default(),
        }
    }

    /// The rustls configuration offering `alpn`, or `None` over plain TCP.
    pub(crate) fn rustls(&self, alpn: &[&[u8]]) -> Result<Option<Arc<ClientConfig>>, RunError> {
        self.tls
            .as_ref()
            .map(|tls| tls.config(alpn, &self.log))
            .transpose()
    }

    /// The log every connection is noted in.
    pub(crate) fn log(&self) -> &Arc<ConnectionLog> {
        &self.log
    }

    /// What the run's connections were, speaking `protocol`.
    pub(crate) fn report(&self, protocol: HttpVersion) -> ConnectionReport {
        self.log.report(protocol, self.tls.as_ref())
    }

    /// `measurement` with the connections' report added.
    pub(crate) fn attach(
        &self,
        protocol: HttpVersion,
        measurement: Result<Measurement, RunError>,
    ) -> Result<Measurement, RunError> {
        measurement.map(|mut m| {
            m.connections = Some(self.report(protocol));
            m
        })
    }

    /// Adds the TLS settings to `info` for an `https://` workload (nothing otherwise);
    /// trust is named as it would be chosen, without failing when it cannot be.
    pub(crate) fn describe(
        info: &mut StrategyInfo,
        workload: &Workload,
        options: &StrategyOptions,
    ) {
        if !workload.is_https() {
            return;
        }
        set(info, "tls", PROVIDER);
        let trust = Trust::chosen(options.cacert.as_deref(), options.insecure)
            .map_or_else(|e| e.to_string(), |t| t.describe());
        set(info, "tls_trust", trust);
        set(info, "tls_resume", options.tls_resume);
    }
}
