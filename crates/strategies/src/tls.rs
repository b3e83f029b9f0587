//! The TLS client every Rust strategy uses: one rustls configuration (ring, as the mock
//! server), trusting waitbench's generated CAs, a file given with `--cacert`, or, with
//! `--insecure`, any certificate; resuming sessions on new connections or not
//! (`--tls-resume`).
//!
//! Why one configuration built here rather than each library's own: the comparison is
//! about the I/O model, so ureq, reqwest and hyper must do the same handshake (same
//! provider, versions, suites and session cache), and waitbench must decide resumption,
//! which no library's own options cover. The certificate verifier is wrapped so that
//! every full handshake is counted where it happens, in the client, whatever library
//! drives the connection: rustls checks the server's certificate on a full handshake
//! and never on a resumed one, so the verifier's count is the full handshakes, exactly.
//!
//! Trust: nothing but the roots named here. The system's store is never read, so a run
//! does not depend on what a machine happens to trust.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{Resumption, WebPkiServerVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use waitbench_core::{ServerKeyType, TlsVersion};

use crate::connection_log::ConnectionLog;
use crate::error::RunError;
use crate::options::TlsResume;

/// What to do about a CA file that cannot be used.
const CACERT_FIX: &str = "give --cacert a readable PEM file with the CA's CERTIFICATE";

/// The CA file waitbench's server writes in each of its cache folders.
const CA_FILE: &str = "ca.pem";

/// What a client trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Trust {
    /// These CA files (waitbench's generated ones, or `--cacert`).
    Roots(Vec<PathBuf>),
    /// Any certificate (`--insecure`): signatures are still checked, the chain is not.
    Anything,
}

impl Trust {
    /// `--insecure`, else `--cacert FILE`, else every CA waitbench generated in its
    /// cache folder (`tls/ca-*/ca.pem`), whichever key type the server uses.
    pub(crate) fn chosen(cacert: Option<&Path>, insecure: bool) -> Result<Trust, RunError> {
        if insecure {
            return Ok(Trust::Anything);
        }
        if let Some(file) = cacert {
            return Ok(Trust::Roots(vec![file.to_path_buf()]));
        }
        let folder = waitbench_core::setup::cache_folder("tls");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path().join(CA_FILE))
            .filter(|file| file.is_file())
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(RunError::Trust {
                file: folder,
                reason: "no certificate authority of waitbench's is there yet; start \
                         `waitbench serve --tls` once (it makes one), give --cacert FILE for \
                         your server's CA, or --insecure to skip verification for your own \
                         server"
                    .into(),
            });
        }
        Ok(Trust::Roots(files))
    }

    /// What the setting reads as in a result.
    pub(crate) fn describe(&self) -> String {
        match self {
            Trust::Anything => "any certificate (--insecure: chain not verified)".into(),
            Trust::Roots(files) => files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// A client's TLS settings, built into a rustls configuration once per run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TlsClient {
    trust: Trust,
    resume: TlsResume,
}

impl TlsClient {
    /// Settings trusting `trust`, resuming sessions as `resume` says.
    pub(crate) fn new(trust: Trust, resume: TlsResume) -> Self {
        TlsClient { trust, resume }
    }

    /// Whether new connections offer to resume a session.
    pub(crate) fn resumes(&self) -> bool {
        self.resume == TlsResume::On
    }

    /// What is trusted, as a result names it.
    pub(crate) fn trust(&self) -> &Trust {
        &self.trust
    }

    /// The rustls configuration offering `alpn` (most preferred first), its verifier
    /// counting into `log`. One configuration serves every connection of a run, so they
    /// share one session cache (256 sessions, rustls' default) when resuming.
    pub(crate) fn config(
        &self,
        alpn: &[&[u8]],
        log: &Arc<ConnectionLog>,
    ) -> Result<Arc<ClientConfig>, RunError> {
        let provider = ring();
        let algorithms = provider.signature_verification_algorithms;
        let inner: Arc<dyn ServerCertVerifier> = match &self.trust {
            Trust::Anything => Arc::new(AnyCertificate(algorithms)),
            Trust::Roots(files) => {
                let mut roots = RootCertStore::empty();
                for file in files {
                    for cert in read_pem(file)? {
                        roots.add(cert).map_err(|e| RunError::Trust {
                            file: file.clone(),
                            reason: format!("a certificate rustls cannot use ({e}); {CACERT_FIX}"),
                        })?;
                    }
                }
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|e| RunError::Trust {
                        file: files[0].clone(),
                        reason: format!("{e}; {CACERT_FIX}"),
                    })?
            }
        };
        let verifier = Arc::new(CountingVerifier {
            inner,
            log: Arc::clone(log),
        });
        let mut config = builder(provider)
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        if !self.resumes() {
            config.resumption = Resumption::disabled();
        }
        Ok(Arc::new(config))
    }
}

/// A configuration that trusts no certificate, for a client library that insists on
/// one even for http:// (reqwest without its own provider): should anything lead it to
/// https:// (a redirect), the handshake fails rather than trusting what it finds.
pub(crate) fn trusting_nothing(alpn: &[&[u8]]) -> Arc<ClientConfig> {
    let mut config = builder(ring())
        .with_root_certificates(RootCertStore::empty())
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Arc::new(config)
}

/// ring's provider, as the server's: X25519 key exchange (rustls deprecates the
/// provider for its lack of post-quantum exchange; see docs/mock-server.md for why ring).
fn ring() -> Arc<rustls::crypto::CryptoProvider> {
    #[allow(deprecated)]
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A client configuration on `provider` offering TLS 1.3 and 1.2, to be given its trust.
fn builder(
    provider: Arc<rustls::crypto::CryptoProvider>,
) -> rustls::ConfigBuilder<ClientConfig, rustls::WantsVerifier> {
    ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .expect("ring supports TLS 1.3 and 1.2")
}

/// The certificates in PEM `file`; an error names the file and the fix.
fn read_pem(file: &Path) -> Result<Vec<CertificateDer<'static>>, RunError> {
    let bad = |reason: String| RunError::Trust {
        file: file.to_path_buf(),
        reason: format!("{reason}; {CACERT_FIX}"),
    };
    let certs = CertificateDer::pem_file_iter(file)
        .map_err(|e| bad(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(e.to_string()))?;
    if certs.is_empty() {
        return Err(bad("no CERTIFICATE section".into()));
    }
    Ok(certs)
}

/// The server name to check the certificate against: the URL's host.
pub(crate) fn server_name(host: &str) -> Result<ServerName<'static>, String> {
    ServerName::try_from(host.trim_start_matches('[').trim_end_matches(']'))
        .map(|name| name.to_owned())
        .map_err(|e| format!("{host:?} is not a name TLS can check: {e}"))
}

/// The key type a handshake signature scheme implies.
fn key_type(scheme: SignatureScheme) -> ServerKeyType {
    use SignatureScheme as S;
    match scheme {
        S::ECDSA_NISTP256_SHA256 => ServerKeyType::EcdsaP256,
        S::ECDSA_NISTP384_SHA384 => ServerKeyType::EcdsaP384,
        S::ED25519 => ServerKeyType::Ed25519,
        S::RSA_PSS_SHA256
        | S::RSA_PSS_SHA384
        | S::RSA_PSS_SHA512
        | S::RSA_PKCS1_SHA256
        | S::RSA_PKCS1_SHA384
        | S::RSA_PKCS1_SHA512 => ServerKeyType::Rsa,
        _ => ServerKeyType::Other,
    }
}

/// The verifier in front of the real one: counts each certificate check (a full
/// handshake) and notes the version and key type its signature shows.
#[derive(Debug)]
struct CountingVerifier {
    inner: Arc<dyn ServerCertVerifier>,
    log: Arc<ConnectionLog>,
}

impl ServerCertVerifier for CountingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        self.log.certificate_checked(verdict.is_ok());
        verdict
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.log.session(TlsVersion::Tls12, key_type(dss.scheme));
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.log.session(TlsVersion::Tls13, key_type(dss.scheme));
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// `--insecure`: any certificate chain is accepted, but the handshake signature must
/// still be the certificate's, so the session is with whoever holds that key.
#[derive(Debug)]
struct AnyCertificate(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

/// Whether `error`'s chain holds a rustls error: the handshake failed. An `io::Error`
/// is followed into the error it wraps, since its `source()` skips that one (tokio-rustls
/// wraps rustls' error in one, hyper-rustls that in another).
pub(crate) fn is_tls_error(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if e.is::<rustls::Error>() {
            return true;
        }
        cause = match e.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    false
}

/// The provider every strategy uses, as results name it.
pub(crate) const PROVIDER: &str = "rustls 0.23 (ring), TLS 1.3 and 1.2";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_ca_file_is_named_with_the_fix() {
        let client = TlsClient::new(
            Trust::Roots(vec!["/nonexistent/ca.pem".into()]),
            TlsResume::On,
        );
        let err = client
            .config(&[b"http/1.1"], &Arc::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/ca.pem"), "{err}");
        assert!(err.contains("--cacert"), "{err}");
    }

    #[test]
    fn signature_schemes_name_the_key() {
        assert_eq!(
            key_type(SignatureScheme::ECDSA_NISTP256_SHA256),
            ServerKeyType::EcdsaP256
        );
        assert_eq!(
            key_type(SignatureScheme::RSA_PSS_SHA256),
            ServerKeyType::Rsa
        );
    }
}
