//! TLS and connections for a runtime's clients: what a job tells a client about
//! `https://` (the CA files to trust, or none under `--insecure`, and whether to resume
//! sessions), and the client's own count of its connections, read back from its `extra`
//! lines into the same [`ConnectionReport`] the Rust strategies write.
//!
//! Why the trust is decided here and not in the client: a Python client must trust
//! exactly what a Rust one does (`--cacert`, `--insecure`, else waitbench's generated
//! CAs, never the system's store), and a CA file that cannot be used must stop the run
//! before anything starts, with the same error. So the files are chosen and checked by
//! the one TLS client of [`crate::tls`], and the client is handed their paths.
//!
//! Why extras: protocol 1's `extra KEY VALUE` carries numbers, which is all a count of
//! handshakes needs; the TLS version, cipher suite (by its IANA number) and key type are
//! numbers too. A client reports what its library lets it see: the server's `/stats`
//! remains the authority on full and resumed handshakes.

use std::collections::BTreeMap;
use std::sync::Arc;

use waitbench_core::{ConnectionReport, HttpVersion, ServerKeyType, TlsReport, TlsVersion};

use crate::error::RunError;
use crate::options::{StrategyOptions, TlsResume};
use crate::tls::{TlsClient, Trust};
use crate::transport::ALPN_HTTP1;

/// The `tls` option of a job: `null` over `http://`; else the CA files to trust
/// (`verify` false under `--insecure`) and whether new connections resume a session.
pub(crate) fn job_tls(
    https: bool,
    options: &StrategyOptions,
) -> Result<serde_json::Value, RunError> {
    if !https {
        return Ok(serde_json::Value::Null);
    }
    let trust = Trust::chosen(options.cacert.as_deref(), options.insecure)?;
    // Reads and parses the CA files as the Rust clients would, so that one that cannot
    // be used stops the run now, naming the file.
    TlsClient::new(trust.clone(), options.tls_resume).config(&[ALPN_HTTP1], &Arc::default())?;
    let cafiles: Vec<String> = match &trust {
        Trust::Roots(files) => files.iter().map(|f| f.display().to_string()).collect(),
        Trust::Anything => Vec::new(),
    };
    Ok(serde_json::json!({
        "cafiles": cafiles,
        "verify": trust != Trust::Anything,
        "resume": options.tls_resume == TlsResume::On,
    }))
}

/// The extras a client writes of its connections, by name (declared in
/// [`waitbench_core::extras`], which the Python sources are held to).
mod key {
    pub(super) use waitbench_core::extras::{
        CONNECT_MAX_US, CONNECT_MEAN_US, CONNECT_MIN_US, CONNECTIONS_FAILED as FAILED,
        CONNECTIONS_OPENED as OPENED, HTTP_VERSION, TLS_CIPHER_SUITE as CIPHER_SUITE,
        TLS_FAILED_HANDSHAKES as TLS_FAILED, TLS_FULL_HANDSHAKES as FULL, TLS_KEY_TYPE as KEY_TYPE,
        TLS_RESUMED_HANDSHAKES as RESUMED, TLS_RESUMPTION as RESUMPTION, TLS_VERIFIED as VERIFIED,
        TLS_VERSION as VERSION,
    };
}

/// The key types by the number a client writes (`tls_key_type`).
const KEY_TYPES: [(u32, ServerKeyType); 5] = [
    (0, ServerKeyType::Other),
    (1, ServerKeyType::EcdsaP256),
    (2, ServerKeyType::EcdsaP384),
    (3, ServerKeyType::Rsa),
    (4, ServerKeyType::Ed25519),
];

/// The connection report in a client's `extras`, which loses those keys; `None` when the
/// client reported no connections (over `http://`, a client that counts none).
pub(crate) fn take_report(extras: &mut BTreeMap<String, f64>) -> Option<ConnectionReport> {
    let mut take = |key: &str| extras.remove(key);
    let opened = take(key::OPENED)?;
    let count = |value: Option<f64>| value.map_or(0, |v| v.max(0.0) as u64);
    let failed = count(take(key::FAILED));
    let connect = [
        take(key::CONNECT_MIN_US),
        take(key::CONNECT_MEAN_US),
        take(key::CONNECT_MAX_US),
    ];
    let protocol = match take(key::HTTP_VERSION) {
        Some(2.0) => HttpVersion::Http2,
        _ => HttpVersion::Http1,
    };
    let full = take(key::FULL);
    let resumed = take(key::RESUMED);
    let tls_failed = take(key::TLS_FAILED);
    let resumption = take(key::RESUMPTION);
    let verified = take(key::VERIFIED);
    let version = take(key::VERSION).and_then(|v| match v as u32 {
        12 => Some(TlsVersion::Tls12),
        13 => Some(TlsVersion::Tls13),
        _ => None,
    });
    let cipher_suite = take(key::CIPHER_SUITE)
        .filter(|&id| id > 0.0)
        .map(|id| format!("{:?}", rustls::CipherSuite::from(id as u16)));
    let key_type = take(key::KEY_TYPE).and_then(|n| {
        KEY_TYPES
            .iter()
            .find(|(number, _)| f64::from(*number) == n)
            .map(|(_, kind)| *kind)
    });
    let tls = full.map(|full| TlsReport {
        version,
        cipher_suite,
        key_type,
        resumption: resumption.is_some_and(|v| v != 0.0),
        verified: verified.is_some_and(|v| v != 0.0),
        full: count(Some(full)),
        resumed: count(resumed),
        failed: count(tls_failed),
    });
    Some(ConnectionReport {
        protocol,
        opened: count(Some(opened)),
        failed,
        connect_min_us: connect[0],
        connect_mean_us: connect[1],
        connect_max_us: connect[2],
        http2_stream_errors: 0,
        http2_connection_errors: 0,
        tls,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extras(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn a_clients_tls_extras_become_its_connection_report_and_leave_the_extras() {
        let mut figures = extras(&[
            (key::OPENED, 300.0),
            (key::FAILED, 0.0),
            (key::FULL, 11.0),
            (key::RESUMED, 289.0),
            (key::TLS_FAILED, 0.0),
            (key::RESUMPTION, 1.0),
            (key::VERIFIED, 1.0),
            (key::VERSION, 13.0),
            (key::CIPHER_SUITE, f64::from(0x1302)),
            (key::KEY_TYPE, 1.0),
            (key::CONNECT_MEAN_US, 812.5),
            ("ticker_ticks", 7.0),
        ]);
        let report = take_report(&mut figures).expect("a report");
        assert_eq!(report.protocol, HttpVersion::Http1);
        assert_eq!(report.opened, 300);
        assert_eq!(report.connect_mean_us, Some(812.5));
        let tls = report.tls.expect("TLS");
        assert_eq!(tls.version, Some(TlsVersion::Tls13));
        assert_eq!(
            tls.cipher_suite.as_deref(),
            Some("TLS13_AES_256_GCM_SHA384")
        );
        assert_eq!(tls.key_type, Some(ServerKeyType::EcdsaP256));
        assert!(tls.resumption && tls.verified);
        assert_eq!((tls.full, tls.resumed, tls.failed), (11, 289, 0));
        // What is not the connections' stays.
        assert_eq!(figures, extras(&[("ticker_ticks", 7.0)]));
    }

    #[test]
    fn a_client_that_counts_no_connections_has_no_report() {
        let mut figures = extras(&[(key::HTTP_VERSION, 2.0)]);
        assert_eq!(take_report(&mut figures), None);
    }

    #[test]
    fn the_job_is_told_nothing_over_http_and_no_files_under_insecure() {
        let options = StrategyOptions {
            insecure: true,
            tls_resume: TlsResume::Off,
            ..Default::default()
        };
        assert_eq!(job_tls(false, &options).unwrap(), serde_json::Value::Null);
        let tls = job_tls(true, &options).unwrap();
        assert_eq!(
            tls,
            serde_json::json!({"cafiles": [], "verify": false, "resume": false})
        );
    }

    #[test]
    fn a_ca_file_that_cannot_be_read_stops_the_job_naming_it() {
        let options = StrategyOptions {
            cacert: Some("/nonexistent/ca.pem".into()),
            ..Default::default()
        };
        let message = job_tls(true, &options).unwrap_err().to_string();
        assert!(
            message.starts_with("cannot trust /nonexistent/ca.pem"),
            "{message}"
        );
    }
}
