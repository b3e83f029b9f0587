//! What a run's connections were: the HTTP version they spoke, how many the client
//! opened and how long opening one took, and, over TLS, the handshakes by kind and the
//! session's parameters.
//!
//! Why a record of its own: a new connection is where claim B's saving lives, and over
//! TLS its cost is a handshake, full or resumed, that burns CPU on both sides. h2load
//! reports connect time (TCP and handshake) apart from time to first byte for the same
//! reason; here it sits beside the request latency, which never includes it twice: a
//! request that opens a connection has it inside its latency, as an application would.
//! The counts are the client's own (its connector and certificate verifier see every
//! connection), so they hold against any server, not only waitbench's.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The HTTP version a client's connections spoke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum HttpVersion {
    /// HTTP/1.1: one request at a time per connection.
    #[serde(rename = "HTTP/1.1")]
    Http1,
    /// HTTP/2: many streams in flight on one connection.
    #[serde(rename = "HTTP/2")]
    Http2,
}

impl HttpVersion {
    /// `HTTP/1.1` or `HTTP/2`.
    pub fn name(self) -> &'static str {
        match self {
            HttpVersion::Http1 => "HTTP/1.1",
            HttpVersion::Http2 => "HTTP/2",
        }
    }
}

/// A TLS protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum TlsVersion {
    /// TLS 1.2.
    #[serde(rename = "TLSv1.2")]
    Tls12,
    /// TLS 1.3.
    #[serde(rename = "TLSv1.3")]
    Tls13,
}

impl TlsVersion {
    /// `TLSv1.2` or `TLSv1.3`, as written in results.
    pub fn name(self) -> &'static str {
        match self {
            TlsVersion::Tls12 => "TLSv1.2",
            TlsVersion::Tls13 => "TLSv1.3",
        }
    }
}

/// The kind of key the server's certificate holds, as its handshake signature shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ServerKeyType {
    /// ECDSA on P-256.
    EcdsaP256,
    /// ECDSA on P-384.
    EcdsaP384,
    /// RSA (the signature does not say the size; waitbench's generated one is 2048).
    Rsa,
    /// Ed25519.
    Ed25519,
    /// Another algorithm.
    Other,
}

impl ServerKeyType {
    /// The name as written in results, e.g. `ecdsa-p256`.
    pub fn name(self) -> &'static str {
        match self {
            ServerKeyType::EcdsaP256 => "ecdsa-p256",
            ServerKeyType::EcdsaP384 => "ecdsa-p384",
            ServerKeyType::Rsa => "rsa",
            ServerKeyType::Ed25519 => "ed25519",
            ServerKeyType::Other => "other",
        }
    }
}

/// What the client saw of TLS over a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TlsReport {
    /// The version negotiated (the first connection's; `None` if none completed).
    pub version: Option<TlsVersion>,
    /// The cipher suite negotiated, by its IANA name (`None` where the client library
    /// does not expose its connections: reqwest).
    pub cipher_suite: Option<String>,
    /// The server key's type, from the first full handshake's signature.
    pub key_type: Option<ServerKeyType>,
    /// Whether the client offered to resume sessions on new connections
    /// (`--tls-resume on`).
    pub resumption: bool,
    /// Whether the server's certificate chain was verified (`false` under `--insecure`).
    pub verified: bool,
    /// Full handshakes: the server's certificate was received and checked.
    pub full: u64,
    /// Resumed handshakes: a connection opened without a certificate, on a session the
    /// server accepted.
    pub resumed: u64,
    /// Handshakes that failed (an untrusted certificate, an alert).
    pub failed: u64,
}

/// What a run's connections were.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConnectionReport {
    /// The HTTP version spoken.
    pub protocol: HttpVersion,
    /// Connections opened (TCP connected, and the TLS handshake done over TLS).
    pub opened: u64,
    /// Connection attempts that failed (refused, timed out, a failed handshake).
    pub failed: u64,
    /// Shortest time to open a connection (TCP connect plus handshake), µs.
    pub connect_min_us: Option<f64>,
    /// Mean time to open a connection, µs.
    pub connect_mean_us: Option<f64>,
    /// Longest time to open a connection, µs.
    pub connect_max_us: Option<f64>,
    /// HTTP/2 requests that failed because the server reset their stream alone
    /// (`RST_STREAM`, e.g. `REFUSED_STREAM`).
    #[serde(default)]
    pub http2_stream_errors: u64,
    /// HTTP/2 requests that failed with their whole connection (a `GOAWAY`, a TCP reset).
    #[serde(default)]
    pub http2_connection_errors: u64,
    /// TLS, when the target was `https://`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsReport>,
}

impl ConnectionReport {
    /// The sum of `reports` made by clients at the same time (counts add up; the time
    /// range spans them all, the mean is weighted by connections); `None` when empty or
    /// when they spoke different protocols.
    pub fn merged<'a>(reports: impl IntoIterator<Item = &'a ConnectionReport>) -> Option<Self> {
        let mut reports = reports.into_iter();
        let mut total = reports.next()?.clone();
        for next in reports {
            if next.protocol != total.protocol {
                return None;
            }
            let weight = |r: &ConnectionReport| r.opened as f64;
            total.connect_mean_us = match (total.connect_mean_us, next.connect_mean_us) {
                (Some(a), Some(b)) => Some(
                    (a * weight(&total) + b * weight(next))
                        / (weight(&total) + weight(next)).max(1.0),
                ),
                (a, b) => a.or(b),
            };
            total.connect_min_us = combine(total.connect_min_us, next.connect_min_us, f64::min);
            total.connect_max_us = combine(total.connect_max_us, next.connect_max_us, f64::max);
            total.opened += next.opened;
            total.failed += next.failed;
            total.http2_stream_errors += next.http2_stream_errors;
            total.http2_connection_errors += next.http2_connection_errors;
            total.tls = match (total.tls.take(), &next.tls) {
                (Some(mut a), Some(b)) => {
                    a.full += b.full;
                    a.resumed += b.resumed;
                    a.failed += b.failed;
                    Some(a)
                }
                (a, b) => a.or_else(|| b.clone()),
            };
        }
        Some(total)
    }
}

/// `pick` of two optional figures, or whichever is present.
fn combine(a: Option<f64>, b: Option<f64>, pick: fn(f64, f64) -> f64) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(pick(a, b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(opened: u64, mean: f64, full: u64) -> ConnectionReport {
        ConnectionReport {
            protocol: HttpVersion::Http1,
            opened,
            failed: 1,
            connect_min_us: Some(mean / 2.0),
            connect_mean_us: Some(mean),
            connect_max_us: Some(mean * 2.0),
            http2_stream_errors: 0,
            http2_connection_errors: 1,
            tls: Some(TlsReport {
                full,
                resumed: opened - full,
                ..TlsReport::default()
            }),
        }
    }

    #[test]
    fn merged_reports_add_counts_and_weigh_the_mean_by_connections() {
        let merged =
            ConnectionReport::merged(&[report(10, 100.0, 1), report(30, 200.0, 3)]).unwrap();
        assert_eq!(merged.opened, 40);
        assert_eq!(merged.failed, 2);
        assert_eq!(merged.http2_connection_errors, 2);
        assert_eq!(merged.connect_mean_us, Some(175.0));
        assert_eq!(merged.connect_min_us, Some(50.0));
        assert_eq!(merged.connect_max_us, Some(400.0));
        let tls = merged.tls.unwrap();
        assert_eq!((tls.full, tls.resumed), (4, 36));
    }

    #[test]
    fn versions_are_written_as_the_protocols_name_them() {
        let json = serde_json::to_string(&(HttpVersion::Http2, TlsVersion::Tls13)).unwrap();
        assert_eq!(json, r#"["HTTP/2","TLSv1.3"]"#);
        for key in [
            ServerKeyType::EcdsaP256,
            ServerKeyType::Rsa,
            ServerKeyType::Other,
        ] {
            assert_eq!(
                serde_json::to_value(key).unwrap(),
                key.name(),
                "names match serde's"
            );
        }
        assert_eq!(
            serde_json::to_value(TlsVersion::Tls12).unwrap(),
            TlsVersion::Tls12.name()
        );
        let merged = ConnectionReport::merged(&[
            report(1, 1.0, 1),
            ConnectionReport {
                protocol: HttpVersion::Http2,
                ..report(1, 1.0, 1)
            },
        ]);
        assert_eq!(merged, None, "different protocols do not add up");
    }
}
