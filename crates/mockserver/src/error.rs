//! Why a server could not start or stopped: one error type for starting, running and
//! configuring it, below both the routes and the runner so that each can return it.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::spec::SpecError;

/// Why the server could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The system's reason.
        #[source]
        source: std::io::Error,
    },
    /// A setting is out of range (the error names it, its value and the accepted form).
    #[error(transparent)]
    Setting(#[from] SpecError),
    /// A thread or the runtime could not be started.
    #[error("cannot start the server's {what}")]
    Start {
        /// What failed to start.
        what: &'static str,
        /// The system's reason.
        #[source]
        source: std::io::Error,
    },
    /// A certificate or key file could not be read or used.
    #[error("cannot use {}: {problem}; {fix}", path.display())]
    CertificateFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
        /// What to do about it.
        fix: &'static str,
    },
    /// A certificate or key could not be generated.
    #[error("cannot generate the server's TLS certificate: {0}")]
    Certificate(String),
    /// rustls refused the certificate and key (e.g. a key that is not the certificate's).
    #[error(
        "cannot serve TLS with this certificate and key: {0}; check that --key is the key of --cert's first certificate"
    )]
    Tls(#[source] rustls::Error),
    /// A first-use setup (the local certificate authority) did not finish.
    #[error(transparent)]
    Setup(#[from] waitbench_core::setup::SetupError),
    /// The server's thread panicked.
    #[error("the mock server's thread panicked")]
    Panicked,
}
