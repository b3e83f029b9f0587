//! Which protocol a server speaks on its connections: HTTP/1.1 (the default), HTTP/2 in
//! cleartext with prior knowledge (h2c), or HTTPS through rustls, where ALPN picks h2 or
//! http/1.1 per connection. Apart from how requests are handled, which is one code path
//! whatever carries them, so that latency, faults and `/stats` mean the same on each.

use std::path::PathBuf;

use crate::spec::SpecError;

/// Default [`ProtocolConfig::max_concurrent_streams`]: what most HTTP/2 servers allow
/// (nginx, h2o, Go's net/http), so a client's streams beyond it queue as they would there.
pub const DEFAULT_MAX_CONCURRENT_STREAMS: u32 = 100;

/// The key a generated certificate carries: the handshake's signature is most of a full
/// handshake's server CPU, and it differs several-fold between these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyType {
    /// ECDSA on P-256 with SHA-256: what most sites serve today.
    #[default]
    EcdsaP256,
    /// RSA, 2048 bits, PKCS#1 v1.5 / PSS signatures: the costlier, older row.
    Rsa2048,
}

impl KeyType {
    /// Every key type, in `--help` order.
    pub const ALL: [KeyType; 2] = [KeyType::EcdsaP256, KeyType::Rsa2048];

    /// The name on the command line and in file names.
    pub fn name(self) -> &'static str {
        match self {
            KeyType::EcdsaP256 => "ecdsa-p256",
            KeyType::Rsa2048 => "rsa2048",
        }
    }

    /// One line for `--help`.
    pub fn description(self) -> &'static str {
        match self {
            KeyType::EcdsaP256 => "ECDSA P-256 (default; cheap full handshakes)",
            KeyType::Rsa2048 => "RSA 2048 bits (full handshakes cost several times more)",
        }
    }
}

waitbench_core::named_value!(KeyType);

/// How connections are spoken to. Behind the `clap` feature these are `waitbench serve`'s
/// protocol flags.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct ProtocolConfig {
    /// Serve HTTPS (rustls): ALPN offers h2 and http/1.1. Without `cert`/`key`, a
    /// certificate for localhost, 127.0.0.1 and ::1 is signed at start by a local CA
    /// that is made once and cached (its file is printed and given by
    /// [`MockServer::ca_file`](crate::MockServer::ca_file)).
    #[cfg_attr(
        feature = "clap",
        arg(
            long,
            help = "Serve HTTPS (rustls, ALPN h2 and http/1.1) with a certificate signed at \
                    start by a cached local CA, or --cert/--key"
        )
    )]
    pub tls: bool,
    /// The key of the generated certificate (ignored with `cert`/`key`).
    #[cfg_attr(
        feature = "clap",
        arg(long, value_name = "TYPE", default_value_t = KeyType::EcdsaP256)
    )]
    pub tls_key_type: KeyType,
    /// A PEM file of the certificate chain to serve, leaf first (implies `tls`; needs `key`).
    #[cfg_attr(
        feature = "clap",
        arg(
            long,
            value_name = "FILE",
            requires = "key",
            help = "PEM certificate chain to serve, leaf first (implies --tls; needs --key)"
        )
    )]
    pub cert: Option<PathBuf>,
    /// A PEM file of the private key of `cert` (PKCS#8, PKCS#1 or SEC1).
    #[cfg_attr(
        feature = "clap",
        arg(
            long,
            value_name = "FILE",
            requires = "cert",
            help = "PEM private key of --cert (PKCS#8, PKCS#1 or SEC1)"
        )
    )]
    pub key: Option<PathBuf>,
    /// Turn off TLS session resumption: no session tickets, no session cache, so every
    /// connection pays a full handshake.
    #[cfg_attr(
        feature = "clap",
        arg(
            long,
            help = "Turn off TLS session tickets and the session cache: every new connection \
                    pays a full handshake"
        )
    )]
    pub no_resumption: bool,
    /// Speak HTTP/2: in cleartext, with prior knowledge (h2c), HTTP/1.1 only to a
    /// connection that opens without the preface; with `tls`, ALPN offers h2 alone.
    #[cfg_attr(
        feature = "clap",
        arg(
            long,
            help = "Speak HTTP/2: cleartext with prior knowledge (h2c; a connection that \
                    opens without HTTP/2's preface gets HTTP/1.1), or with --tls ALPN offers \
                    h2 alone"
        )
    )]
    pub http2: bool,
    /// Most streams in flight on one HTTP/2 connection; a client's further streams wait.
    #[cfg_attr(
        feature = "clap",
        arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CONCURRENT_STREAMS)
    )]
    pub max_concurrent_streams: u32,
}

impl Default for ProtocolConfig {
    fn default() -> Self {
        ProtocolConfig {
            tls: false,
            tls_key_type: KeyType::default(),
            cert: None,
            key: None,
            no_resumption: false,
            http2: false,
            max_concurrent_streams: DEFAULT_MAX_CONCURRENT_STREAMS,
        }
    }
}

impl ProtocolConfig {
    /// HTTPS with a certificate generated at start (resumption on, ALPN h2 and http/1.1).
    pub fn tls() -> ProtocolConfig {
        ProtocolConfig {
            tls: true,
            ..ProtocolConfig::default()
        }
    }

    /// Cleartext HTTP/2 with prior knowledge.
    pub fn h2c() -> ProtocolConfig {
        ProtocolConfig {
            http2: true,
            ..ProtocolConfig::default()
        }
    }

    /// Whether connections are TLS (asked for, or implied by a certificate file).
    pub fn is_tls(&self) -> bool {
        self.tls || self.cert.is_some() || self.key.is_some()
    }

    /// `https` or `http`, for the server's URL.
    pub fn scheme(&self) -> &'static str {
        if self.is_tls() { "https" } else { "http" }
    }

    /// What the server speaks, for its start line: `HTTP/1.1`, `h2c`, `HTTPS (h2, http/1.1)`.
    pub fn describe(&self) -> String {
        match (self.is_tls(), self.http2) {
            (false, false) => "HTTP/1.1".into(),
            (false, true) => "HTTP/2 cleartext (h2c, prior knowledge)".into(),
            (true, http2) => {
                let alpn = if http2 { "h2" } else { "h2, http/1.1" };
                let resumption = if self.no_resumption { "off" } else { "on" };
                format!("HTTPS (ALPN {alpn}; resumption {resumption})")
            }
        }
    }

    /// Checks the settings the types allow out of range.
    pub fn validate(&self) -> Result<(), SpecError> {
        if self.max_concurrent_streams == 0 {
            return Err(SpecError::new(
                "max_concurrent_streams",
                "0",
                "at least 1 stream, e.g. 100",
            ));
        }
        if self.cert.is_some() != self.key.is_some() {
            let (given, missing) = if self.cert.is_some() {
                ("cert", "key")
            } else {
                ("key", "cert")
            };
            return Err(SpecError::new(
                given,
                "a file without its pair",
                format!("--cert and --key together (add --{missing} FILE)"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_without_its_key_or_zero_streams_is_refused_naming_the_fix() {
        let lone = ProtocolConfig {
            cert: Some("server.pem".into()),
            ..ProtocolConfig::default()
        };
        assert!(lone.is_tls(), "a certificate implies TLS");
        let error = lone.validate().unwrap_err().to_string();
        assert!(error.contains("add --key FILE"), "{error}");
        let zero = ProtocolConfig {
            max_concurrent_streams: 0,
            ..ProtocolConfig::h2c()
        };
        let error = zero.validate().unwrap_err().to_string();
        assert!(
            error.contains("max_concurrent_streams") && error.contains("at least 1"),
            "{error}"
        );
        assert_eq!(ProtocolConfig::default().validate(), Ok(()));
    }

    #[test]
    fn the_scheme_and_description_follow_the_protocol() {
        assert_eq!(ProtocolConfig::default().scheme(), "http");
        assert_eq!(
            ProtocolConfig::h2c().describe(),
            "HTTP/2 cleartext (h2c, prior knowledge)"
        );
        let tls = ProtocolConfig {
            no_resumption: true,
            http2: true,
            ..ProtocolConfig::tls()
        };
        assert_eq!(tls.scheme(), "https");
        assert_eq!(tls.describe(), "HTTPS (ALPN h2; resumption off)");
    }
}
