//! The certificate an HTTPS server presents: the user's (`--cert`/`--key`, PEM), or one
//! signed at start by a local certificate authority that waitbench makes once and caches.
//!
//! Why a cached CA and a fresh leaf: a client must trust the server without anybody
//! setting trust up by hand, and across runs. The CA's certificate is a file in
//! waitbench's cache (`$XDG_CACHE_HOME/waitbench/tls/ca-KEYTYPE/ca.pem`, see
//! [`waitbench_core::setup::cache_folder`]) that every client is given as its only root
//! (`curl --cacert`, `reqwest`'s root store, Python's `cafile`); it is made through
//! [`waitbench_core::setup`], so it is whole or absent, made by one process at a time,
//! and announced in one line. The leaf, for `localhost`, `127.0.0.1` and `::1`, gets a
//! new key and serial at each start, so a server's private key never outlives it.
//!
//! Keys come from ring (ECDSA P-256) and, since ring cannot generate RSA keys, from the
//! pure-Rust `rsa` crate as PKCS#8 (RSA 2048): no C library beyond ring's own sources.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SerialNumber,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use waitbench_core::setup::{Setup, cache_folder};

use crate::error::ServerError;
use crate::protocol::{KeyType, ProtocolConfig};

/// The CA certificate's file in its cache folder: the one file clients trust.
pub const CA_CERT_FILE: &str = "ca.pem";
/// The CA key's file beside it, readable by its owner only.
const CA_KEY_FILE: &str = "ca-key.pem";
/// What to do about an unusable `--cert` file.
const CERT_FIX: &str = "give --cert a readable PEM certificate file, or drop --cert and --key to \
                        serve a generated certificate";
/// What to do about a `--cert` file that is not a PEM certificate chain.
const CERT_PEM_FIX: &str =
    "give --cert a PEM file with one or more CERTIFICATE sections, leaf first";
/// What to do about an unusable `--key` file.
const KEY_FIX: &str = "give --key a readable PEM key file, or drop --cert and --key to serve a \
                       generated certificate";
/// What to do about an unusable cached CA.
const CACHE_FIX: &str = "delete that folder and start again: the CA is made anew";
/// The names a generated leaf is valid for: the loopback names a client may use.
pub const LEAF_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// What a TLS server presents: the chain (leaf first), its key, and the CA file that
/// clients trust when the chain was generated.
#[derive(Debug)]
pub(crate) struct Identity {
    pub(crate) chain: Vec<CertificateDer<'static>>,
    pub(crate) key: PrivateKeyDer<'static>,
    pub(crate) ca_file: Option<PathBuf>,
}

/// The identity `config` asks for: its files, or a leaf signed by the cached CA of its
/// key type (made on first use).
pub(crate) fn identity(config: &ProtocolConfig) -> Result<Identity, ServerError> {
    match (&config.cert, &config.key) {
        (Some(cert), Some(key)) => from_files(cert, key),
        _ => generated(config.tls_key_type, &cache_folder("tls")),
    }
}

/// A new leaf signed by the CA of `key_type` cached under `cache` (made now if absent).
pub(crate) fn generated(key_type: KeyType, cache: &Path) -> Result<Identity, ServerError> {
    let dir = cache.join(format!("ca-{}", key_type.name()));
    let setup = Setup {
        what: "the local TLS certificate authority",
        takes: Some(match key_type {
            KeyType::EcdsaP256 => "under a second",
            KeyType::Rsa2048 => "a few seconds",
        }),
    };
    setup.ensure(&dir, |workshop| -> Result<(), ServerError> {
        let key = new_key(key_type)?;
        let cert = ca_params().self_signed(&key).map_err(generation)?;
        let folder = workshop.folder();
        let io = |path: &Path, source| ServerError::CertificateFile {
            path: path.to_path_buf(),
            problem: format!("cannot write it ({source})"),
            fix: "check that waitbench's cache folder is writable, or set XDG_CACHE_HOME",
        };
        std::fs::create_dir_all(folder).map_err(|e| io(folder, e))?;
        write_private(&folder.join(CA_KEY_FILE), &key.serialize_pem())
            .map_err(|e| io(&folder.join(CA_KEY_FILE), e))?;
        std::fs::write(folder.join(CA_CERT_FILE), cert.pem())
            .map_err(|e| io(&folder.join(CA_CERT_FILE), e))?;
        Ok(())
    })?;
    let ca_file = dir.join(CA_CERT_FILE);
    let ca_key_file = dir.join(CA_KEY_FILE);
    let ca_key_pem = read(&ca_key_file, CACHE_FIX)?;
    let ca_key =
        KeyPair::from_pem_and_sign_algo(&ca_key_pem, algorithm(key_type)).map_err(|e| {
            ServerError::CertificateFile {
                path: ca_key_file.clone(),
                problem: format!("it holds no usable {key_type} key ({e})"),
                fix: "delete that folder and start again: the CA is made anew",
            }
        })?;
    let ca_cert = certificates(&ca_file, &read(&ca_file, CACHE_FIX)?, CACHE_FIX)?;
    let issuer = Issuer::new(ca_params(), ca_key);
    let leaf_key = new_key(key_type)?;
    let mut leaf =
        CertificateParams::new(LEAF_NAMES.map(String::from).to_vec()).map_err(generation)?;
    leaf.distinguished_name = DistinguishedName::new();
    leaf.distinguished_name
        .push(DnType::CommonName, "waitbench mock server");
    leaf.serial_number = Some(SerialNumber::from(rand::random::<u64>()));
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.use_authority_key_identifier_extension = true;
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).map_err(generation)?;
    let mut chain = vec![leaf_cert.der().clone()];
    chain.extend(ca_cert);
    Ok(Identity {
        chain,
        key: PrivatePkcs8KeyDer::from(leaf_key.serialize_der()).into(),
        ca_file: Some(ca_file),
    })
}

/// The CA's parameters: the same at every start, so that an [`Issuer`] rebuilt from
/// them and the cached key names the cached certificate's subject and key identifier.
fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, "waitbench local CA (loopback only)");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

fn algorithm(key_type: KeyType) -> &'static rcgen::SignatureAlgorithm {
    match key_type {
        KeyType::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
        KeyType::Rsa2048 => &rcgen::PKCS_RSA_SHA256,
    }
}

/// A new key of `key_type`.
fn new_key(key_type: KeyType) -> Result<KeyPair, ServerError> {
    match key_type {
        KeyType::EcdsaP256 => KeyPair::generate_for(algorithm(key_type)).map_err(generation),
        KeyType::Rsa2048 => {
            use rsa::pkcs8::EncodePrivateKey;
            let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
                .map_err(|e| ServerError::Certificate(format!("RSA key generation: {e}")))?;
            let der = key
                .to_pkcs8_der()
                .map_err(|e| ServerError::Certificate(format!("RSA key encoding: {e}")))?;
            let pkcs8 = PrivatePkcs8KeyDer::from(der.as_bytes().to_vec());
            KeyPair::from_pkcs8_der_and_sign_algo(&pkcs8, algorithm(key_type)).map_err(generation)
        }
    }
}

fn generation(e: rcgen::Error) -> ServerError {
    ServerError::Certificate(e.to_string())
}

/// The user's certificate chain and key, read from PEM files.
pub(crate) fn from_files(cert: &Path, key: &Path) -> Result<Identity, ServerError> {
    let chain = certificates(cert, &read(cert, CERT_FIX)?, CERT_PEM_FIX)?;
    let key_pem = read(key, KEY_FIX)?;
    let key_der = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| {
        ServerError::CertificateFile {
            path: key.to_path_buf(),
            problem: format!("it holds no PEM private key ({e})"),
            fix: "give --key a PEM file with a PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE \
                      KEY section",
        }
    })?;
    Ok(Identity {
        chain,
        key: key_der,
        ca_file: None,
    })
}

/// The file's text; the error names the file and says `fix`.
fn read(path: &Path, fix: &'static str) -> Result<String, ServerError> {
    std::fs::read_to_string(path).map_err(|e| ServerError::CertificateFile {
        path: path.to_path_buf(),
        problem: format!("cannot read it ({e})"),
        fix,
    })
}

/// Every certificate of a PEM text, in order; at least one.
fn certificates(
    path: &Path,
    pem: &str,
    fix: &'static str,
) -> Result<Vec<CertificateDer<'static>>, ServerError> {
    let invalid = |problem: String| ServerError::CertificateFile {
        path: path.to_path_buf(),
        problem,
        fix,
    };
    let chain = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(format!("it is not valid PEM ({e})")))?;
    if chain.is_empty() {
        return Err(invalid("it holds no CERTIFICATE section".into()));
    }
    Ok(chain)
}

/// Writes a private key readable by its owner alone.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("waitbench-tls-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn the_ca_is_made_once_and_each_start_signs_a_new_leaf() {
        let cache = cache("once");
        let first = generated(KeyType::EcdsaP256, &cache).unwrap();
        let ca_pem = std::fs::read_to_string(first.ca_file.as_ref().unwrap()).unwrap();
        let second = generated(KeyType::EcdsaP256, &cache).unwrap();
        assert_eq!(first.ca_file, second.ca_file);
        assert_eq!(
            std::fs::read_to_string(second.ca_file.as_ref().unwrap()).unwrap(),
            ca_pem,
            "the cached CA is reused"
        );
        assert_eq!(first.chain.len(), 2);
        assert_eq!(first.chain[1], second.chain[1], "same CA in both chains");
        assert_ne!(first.chain[0], second.chain[0], "a new leaf each start");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let key = cache.join("ca-ecdsa-p256").join(CA_KEY_FILE);
            let mode = std::fs::metadata(key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&cache).unwrap();
    }

    #[test]
    fn a_missing_or_empty_file_names_the_file_and_the_fix() {
        let cache = cache("files");
        std::fs::create_dir_all(&cache).unwrap();
        let missing = cache.join("nope.pem");
        let empty = cache.join("empty.pem");
        std::fs::write(&empty, "not pem at all\n").unwrap();
        let error = from_files(&missing, &empty).unwrap_err().to_string();
        assert!(
            error.contains("nope.pem") && error.contains("cannot read it"),
            "{error}"
        );
        assert!(error.contains("give --cert a readable PEM"), "{error}");
        let error = from_files(&empty, &empty).unwrap_err().to_string();
        assert!(
            error.contains("empty.pem") && error.contains("no CERTIFICATE"),
            "{error}"
        );
        std::fs::remove_dir_all(&cache).unwrap();
    }
}
