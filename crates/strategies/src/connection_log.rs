//! The client's own log of its connections over a run: how many it opened or failed to
//! open, how long opening took (TCP connect plus TLS handshake, as h2load's "time for
//! connect"), and the handshakes by kind.
//!
//! Why counted in the client: the server's `/stats` counts handshakes too, but only
//! waitbench's server has one; these counts hold against any target. Each strategy's
//! connector notes its connections here (once per connection, never per request, so
//! atomics are all the hot path sees), and the certificate verifier ([`crate::tls`])
//! notes each full handshake. A resumed handshake is a TLS connection opened without
//! a certificate check: `resumed = opened − full`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use waitbench_core::{ConnectionReport, HttpVersion, ServerKeyType, TlsReport, TlsVersion};

use crate::tls::TlsClient;

/// Counters shared by every connection of one run.
#[derive(Debug, Default)]
pub(crate) struct ConnectionLog {
    opened: AtomicU64,
    failed: AtomicU64,
    connect_ns_sum: AtomicU64,
    /// The shortest connect time plus one, so that zero means "none yet".
    connect_ns_min_plus_one: AtomicU64,
    connect_ns_max: AtomicU64,
    certificates_accepted: AtomicU64,
    handshakes_failed: AtomicU64,
    http2_stream_errors: AtomicU64,
    http2_connection_errors: AtomicU64,
    session: Mutex<Session>,
}

/// The session parameters, from the first connection that showed them.
#[derive(Debug, Default)]
struct Session {
    version: Option<TlsVersion>,
    key_type: Option<ServerKeyType>,
    cipher_suite: Option<String>,
}

impl ConnectionLog {
    /// A connection opened, in `took` (connect and handshake).
    pub(crate) fn opened(&self, took: Duration) {
        let ns = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX - 1);
        self.opened.fetch_add(1, Ordering::Relaxed);
        self.connect_ns_sum.fetch_add(ns, Ordering::Relaxed);
        self.connect_ns_max.fetch_max(ns, Ordering::Relaxed);
        let mut current = self.connect_ns_min_plus_one.load(Ordering::Relaxed);
        while current == 0 || ns + 1 < current {
            match self.connect_ns_min_plus_one.compare_exchange_weak(
                current,
                ns + 1,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(seen) => current = seen,
            }
        }
    }

    /// A connection attempt failed; `tls` says whether its handshake did.
    pub(crate) fn failed(&self, tls: bool) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        if tls {
            self.handshakes_failed.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// An HTTP/2 request failed with its stream alone or with its connection.
    pub(crate) fn http2_error(&self, scope: crate::h2_client::H2Scope) {
        let counter = match scope {
            crate::h2_client::H2Scope::Stream => &self.http2_stream_errors,
            crate::h2_client::H2Scope::Connection => &self.http2_connection_errors,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// A server certificate was checked (a full handshake), and accepted or not.
    pub(crate) fn certificate_checked(&self, accepted: bool) {
        if accepted {
            self.certificates_accepted.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A full handshake's version and server key type, kept from the first.
    pub(crate) fn session(&self, version: TlsVersion, key_type: ServerKeyType) {
        let mut session = self.session.lock().unwrap_or_else(|e| e.into_inner());
        session.version.get_or_insert(version);
        session.key_type.get_or_insert(key_type);
    }

    /// A connection's negotiated version and cipher suite, where the client library
    /// exposes its connection; kept from the first.
    pub(crate) fn negotiated(
        &self,
        version: Option<TlsVersion>,
        suite: Option<rustls::CipherSuite>,
    ) {
        let mut session = self.session.lock().unwrap_or_else(|e| e.into_inner());
        if session.version.is_none() {
            session.version = version;
        }
        if session.cipher_suite.is_none() {
            session.cipher_suite = suite.map(|s| format!("{s:?}"));
        }
    }

    /// The report of a run whose connections spoke `protocol`, over TLS when `tls` is
    /// given.
    pub(crate) fn report(
        &self,
        protocol: HttpVersion,
        tls: Option<&TlsClient>,
    ) -> ConnectionReport {
        let opened = self.opened.load(Ordering::Relaxed);
        let us = |ns: u64| ns as f64 / 1e3;
        let min = self.connect_ns_min_plus_one.load(Ordering::Relaxed);
        let full = self.certificates_accepted.load(Ordering::Relaxed);
        let session = self.session.lock().unwrap_or_else(|e| e.into_inner());
        ConnectionReport {
            protocol,
            opened,
            failed: self.failed.load(Ordering::Relaxed),
            connect_min_us: (min > 0).then(|| us(min - 1)),
            connect_mean_us: (opened > 0)
                .then(|| us(self.connect_ns_sum.load(Ordering::Relaxed)) / opened as f64),
            connect_max_us: (opened > 0).then(|| us(self.connect_ns_max.load(Ordering::Relaxed))),
            http2_stream_errors: self.http2_stream_errors.load(Ordering::Relaxed),
            http2_connection_errors: self.http2_connection_errors.load(Ordering::Relaxed),
            tls: tls.map(|client| TlsReport {
                version: session.version,
                cipher_suite: session.cipher_suite.clone(),
                key_type: session.key_type,
                resumption: client.resumes(),
                verified: client.trust() != &crate::tls::Trust::Anything,
                full,
                resumed: opened.saturating_sub(full),
                failed: self.handshakes_failed.load(Ordering::Relaxed),
            }),
        }
    }
}

/// TLS 1.3 or 1.2, from rustls' version.
pub(crate) fn tls_version(version: rustls::ProtocolVersion) -> Option<TlsVersion> {
    match version {
        rustls::ProtocolVersion::TLSv1_3 => Some(TlsVersion::Tls13),
        rustls::ProtocolVersion::TLSv1_2 => Some(TlsVersion::Tls12),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::TlsResume;
    use crate::tls::Trust;

    #[test]
    fn connect_times_and_handshakes_add_up() {
        let log = ConnectionLog::default();
        log.opened(Duration::from_micros(300));
        log.opened(Duration::from_micros(100));
        log.opened(Duration::from_micros(200));
        log.certificate_checked(true);
        log.certificate_checked(false);
        log.failed(true);
        log.session(TlsVersion::Tls13, ServerKeyType::EcdsaP256);
        log.session(TlsVersion::Tls12, ServerKeyType::Rsa);
        let client = TlsClient::new(Trust::Roots(vec![]), TlsResume::On);
        let report = log.report(HttpVersion::Http1, Some(&client));
        assert_eq!(report.opened, 3);
        assert_eq!(report.failed, 1);
        assert_eq!(report.connect_min_us, Some(100.0));
        assert_eq!(report.connect_mean_us, Some(200.0));
        assert_eq!(report.connect_max_us, Some(300.0));
        let tls = report.tls.unwrap();
        assert_eq!((tls.full, tls.resumed, tls.failed), (1, 2, 1));
        assert_eq!(tls.version, Some(TlsVersion::Tls13), "the first is kept");
        assert_eq!(tls.key_type, Some(ServerKeyType::EcdsaP256));
        assert!(tls.resumption && tls.verified);
    }

    #[test]
    fn a_run_that_opened_nothing_has_no_connect_time() {
        let report = ConnectionLog::default().report(HttpVersion::Http2, None);
        assert_eq!(report.opened, 0);
        assert_eq!(report.connect_mean_us, None);
        assert_eq!(report.connect_min_us, None);
        assert!(report.tls.is_none());
    }
}
