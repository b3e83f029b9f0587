//! The suite's one error type: every variant carries the file, scenario or metric it is
//! about and says what would fix it, so the binary only has to print it.

use std::path::PathBuf;

use thiserror::Error;
use waitbench_mockserver::ServerError;
use waitbench_report::ReportError;
use waitbench_strategies::RunError;

/// What can go wrong in the suite.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SuiteError {
    /// A scenario file that cannot be used as written.
    #[error("{}: {message}", path.display())]
    Scenario {
        /// The file.
        path: PathBuf,
        /// What is wrong and the accepted form.
        message: String,
    },
    /// A baseline file that cannot be used as written.
    #[error("baseline {}: {message}", path.display())]
    Baseline {
        /// The file.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A request the suite cannot carry out as asked (e.g. `--only X` for no scenario).
    #[error("{0}")]
    Usage(String),
    /// The baseline and the results do not name the same metrics.
    #[error("{0}")]
    Metrics(String),
    /// A file or folder that could not be read.
    #[error("reading {}{hint}: {source}", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// What to do about it (may be empty).
        hint: &'static str,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file or folder that could not be written.
    #[error(
        "{action} {} failed; give a path in a writable folder with free space",
        path.display()
    )]
    Write {
        /// What was being done (`writing`, `creating`, `moving aside`…).
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A document that could not be serialised.
    #[error("serialising {what}: {source}")]
    Serialize {
        /// Which document.
        what: &'static str,
        /// The serde error.
        source: serde_json::Error,
    },
    /// The embedded mock server did not start.
    #[error("starting the mock server: {0}")]
    Server(#[from] ServerError),
    /// A strategy failed to run a point.
    #[error("scenario {scenario} series {series:?}: running {strategy}: {source}")]
    Run {
        /// Scenario name (empty for a single run).
        scenario: String,
        /// Series label.
        series: String,
        /// Strategy name.
        strategy: &'static str,
        /// Why it failed.
        source: RunError,
    },
    /// The report could not be rendered or read.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A suite journal that cannot be resumed.
    #[error("journal {}: {message}", path.display())]
    Journal {
        /// The journal file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// The machine cannot take the load asked for (checked before a run starts).
    #[error(transparent)]
    Capacity(#[from] waitbench_core::capacity::CapacityError),
    /// A single run's strategy failed (`waitbench run`).
    #[error(transparent)]
    Strategy(#[from] RunError),
    /// A run document (`waitbench run --json`) that cannot be read as one.
    #[error("{} is not a run document written by `waitbench run --json`: {source}", path.display())]
    Document {
        /// The file.
        path: PathBuf,
        /// What the parser found.
        source: serde_json::Error,
    },
    /// Runs that cannot be merged.
    #[error("cannot merge")]
    Merge(#[from] waitbench_core::MergeError),
    /// The request sent before the clock failed: the target cannot be measured.
    #[error(transparent)]
    Preflight(#[from] crate::preflight::PreflightError),
    /// CPUs that cannot be used as asked.
    #[error(transparent)]
    Placement(#[from] waitbench_core::PlacementError),
    /// The Python clients were required (`WAITBENCH_REQUIRE_PYTHON`) and the results lack
    /// the Python figures a check was asked to gate.
    #[error(
        "the Python clients are required ({env}=1) but {reason}; install python3 3.11 or \
         newer with pip and access to the package index, or unset {env} to measure the \
         Rust stack alone",
        env = waitbench_strategies::runtimes::python::REQUIRE_PYTHON_ENV
    )]
    PythonRequired {
        /// What is missing.
        reason: String,
    },
    /// A runtime's clients (Python, Go, Java, Node.js) were required (its
    /// `WAITBENCH_REQUIRE_…` variable) and cannot run.
    #[error(
        "the {runtime} clients are required ({env}=1) but cannot run: {reason}; install \
         what it names, or unset {env} to leave {runtime} out"
    )]
    RuntimeRequired {
        /// The runtime, as its stack is named.
        runtime: &'static str,
        /// The variable that requires it.
        env: &'static str,
        /// What is missing.
        reason: String,
    },
    /// A first-use setup (the Python clients' environment) was interrupted or failed.
    #[error(transparent)]
    Setup(#[from] waitbench_core::setup::SetupError),
}

/// The suite's result type.
pub type Result<T, E = SuiteError> = std::result::Result<T, E>;
