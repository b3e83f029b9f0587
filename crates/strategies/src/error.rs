//! Why a strategy could not produce a measurement. A failed *request* is never an error
//! here: it is an [`Outcome`](waitbench_core::Outcome) counted in the measurement.

use thiserror::Error;
use waitbench_core::WorkloadError;

/// A run that could not be carried out or whose result cannot be trusted.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RunError {
    /// The workload itself is invalid (zero concurrency, bad target, …).
    #[error("invalid workload")]
    Workload(#[from] WorkloadError),
    /// A URL of the workload could not be parsed by a client library.
    #[error(
        "the target URL {url} is not valid ({reason}): give an http:// or https:// URL such as http://127.0.0.1:8080"
    )]
    Target {
        /// The URL as built from the workload.
        url: String,
        /// What the parser reported.
        reason: String,
    },
    /// Over https://, the certificates to trust could not be read or used.
    #[error("cannot trust {}: {reason}", file.display())]
    Trust {
        /// The CA file (or the folder where waitbench's CAs were looked for).
        file: std::path::PathBuf,
        /// What is wrong with it, and what to do.
        reason: String,
    },
    /// The tokio runtime could not be built.
    #[error("could not build the tokio runtime ({flavor}, {threads} worker threads)")]
    Runtime {
        /// Flavor asked for.
        flavor: &'static str,
        /// Worker threads asked for.
        threads: usize,
        /// What tokio reported.
        #[source]
        source: std::io::Error,
    },
    /// The timer async workers wait on for their send times could not be created.
    #[error(
        "could not create the timer that paces open-loop sends (a timerfd); raise the open-file limit (ulimit -n) if it is exhausted"
    )]
    SendTimer(#[source] std::io::Error),
    /// The rayon thread pool could not be built.
    #[error("could not build a rayon pool of {threads} threads")]
    ThreadPool {
        /// Threads asked for.
        threads: usize,
        /// What rayon reported.
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
    /// The reqwest client could not be built.
    #[error("could not build the reqwest client")]
    Client(#[source] reqwest::Error),
    /// A worker thread could not be started (thread or memory limits).
    #[error("could not start worker thread {index} of {total}")]
    SpawnThread {
        /// Zero-based index of the thread that failed.
        index: usize,
        /// Threads the run needed.
        total: usize,
        /// What the OS reported.
        #[source]
        source: std::io::Error,
    },
    /// The strategy cannot run this workload with the options given.
    #[error("{strategy} with {option} needs {needs}")]
    Unsupported {
        /// The strategy.
        strategy: &'static str,
        /// The option, as `--name value`.
        option: String,
        /// What the workload must be instead.
        needs: &'static str,
    },
    /// A worker panicked; the run's counts are incomplete.
    #[error("a worker panicked: {0}")]
    WorkerPanicked(String),
    /// A Python strategy could not run: no usable Python (the series is not measured), or
    /// its first-use setup was interrupted.
    #[error(transparent)]
    Python(#[from] crate::runtimes::python::PythonError),
    /// A Go, Java or Node.js strategy could not run: its toolchain is missing (the
    /// series is not measured), or its first-use build was interrupted.
    #[error(transparent)]
    Toolchain(#[from] crate::runtimes::toolchain::ToolchainError),
    /// An external client (a runtime's pattern, or a user's program) could not be
    /// measured: it did not start, broke protocol 1, or failed.
    #[error(transparent)]
    External(Box<crate::external::ExternalError>),
    /// `sent != ok + http_errors + errors` after the run: a request was lost or counted
    /// twice, so the measurement is not trustworthy.
    #[error("{0}")]
    Accounting(String),
}

impl RunError {
    /// The first-use setup this error interrupted, if it is one (a venv or a toolchain
    /// build stopped by Ctrl-C): the user asked to stop, so it is never a reason to go on
    /// without the runtime.
    pub fn into_interrupted_setup(self) -> Result<waitbench_core::setup::SetupError, RunError> {
        match self {
            RunError::Python(crate::runtimes::python::PythonError::Interrupted(setup))
            | RunError::Toolchain(crate::runtimes::toolchain::ToolchainError::Interrupted(setup)) => {
                Ok(*setup)
            }
            other => Err(other),
        }
    }
}

impl From<crate::external::ExternalError> for RunError {
    fn from(err: crate::external::ExternalError) -> Self {
        RunError::External(Box::new(err))
    }
}

/// The message of a panic payload, for [`RunError::WorkerPanicked`].
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".to_string())
}
