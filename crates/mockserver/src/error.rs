//! Why a server could not start or stopped: one error type for starting, running and
//! configuring it, below both the routes and the runner so that each can return it.

use std::net::SocketAddr;

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
    /// The server's thread panicked.
    #[error("the mock server's thread panicked")]
    Panicked,
}
