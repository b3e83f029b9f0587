//! How a waitbench process ends: one table of exit codes for every subcommand, and the
//! classification of an error into a code by its type.
//!
//! CI scripts branch on these codes (retry on 75, fail on 1, fix the job on 2, look at the
//! machine on 3, look at the target on 4), so a code must follow from what failed, never
//! from an error's wording: [`exit_code`] downcasts an error chain to the libraries' typed
//! errors. It lives here, beside those errors, so that a test or another front end
//! classifies exactly as the binary does.

use std::error::Error;

use crate::SuiteError;
use waitbench_core::WorkloadError;
use waitbench_core::setup::SetupError;
use waitbench_mockserver::ServerError;
use waitbench_report::ReportError;
use waitbench_strategies::RunError;
use waitbench_strategies::runtimes::python::PythonError;

/// Success.
pub const EXIT_SUCCESS: u8 = 0;
/// A regression: a gated metric past its tolerance, confirmed by re-measurement.
pub const EXIT_REGRESSION: u8 = 1;
/// Bad usage or input: a flag, a scenario, baseline or results file, a URL, an output path.
pub const EXIT_USAGE: u8 = 2;
/// A run failed: a strategy, the server or the report failed at runtime.
pub const EXIT_RUN_FAILED: u8 = 3;
/// A run that finished but whose error rate exceeded `--max-error-rate`: its numbers
/// describe a broken target, not a strategy.
pub const EXIT_ERROR_RATE: u8 = 4;
/// A check that cannot tell noise from a regression on a contended machine (sysexits'
/// EX_TEMPFAIL: try again).
pub const EXIT_INCONCLUSIVE: u8 = 75;
/// Interrupted by Ctrl-C (SIGINT) or SIGTERM: 128 + SIGINT, as shells report it.
pub const EXIT_INTERRUPTED: u8 = 130;

/// The exit-code table, as `--help` and the man page show it.
pub const HELP: &str = "\
Exit codes (every subcommand):
    0  success
    1  regression: a gated metric past its tolerance, confirmed by re-measurement on a
       quiet machine (check); a property the client does not have (client-check)
    2  bad usage or input: a flag, a scenario, baseline or results file, a URL, or an
       output path that cannot be written
    3  run failed: a strategy, the server or the report failed at runtime (e.g. `serve`
       on a port already in use)
    4  too many errors: a run's error rate exceeded --max-error-rate (by default any
       error, unless the run itself injects faults); its results are still written.
       Also a target that fails the one request sent before the load (refused,
       unresolvable, 4xx/5xx): nothing was measured
   75  check inconclusive: a metric failed while other processes were using the CPU,
       so noise cannot be told from a regression; run it again
  130  interrupted by Ctrl-C or SIGTERM: what was measured is printed and written,
       marked interrupted; a second Ctrl-C quits at once (`serve` stops on either and
       exits 0); a first-use setup (the Python clients) stops within a second and
       keeps nothing, so the next run sets it up again";

/// What a command concluded when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conclusion {
    /// Everything held.
    Ok,
    /// `check` found a metric past its tolerance, confirmed by re-measurement.
    Regression,
    /// `client-check` found a property the client does not have.
    Nonconforming,
    /// A run finished, but more of its requests failed than `--max-error-rate` allows.
    TooManyErrors,
    /// `check` saw a failure it could not confirm on a contended machine.
    Inconclusive,
    /// Ctrl-C or SIGTERM stopped it; what was measured was kept.
    Interrupted,
}

impl Conclusion {
    /// This conclusion's exit code.
    pub fn code(self) -> u8 {
        match self {
            Conclusion::Ok => EXIT_SUCCESS,
            Conclusion::Regression | Conclusion::Nonconforming => EXIT_REGRESSION,
            Conclusion::TooManyErrors => EXIT_ERROR_RATE,
            Conclusion::Inconclusive => EXIT_INCONCLUSIVE,
            Conclusion::Interrupted => EXIT_INTERRUPTED,
        }
    }
}

/// The exit code for an error chain (outermost first, as `anyhow::Error::chain` yields
/// it): the first error whose type says what failed decides; anything else (a flag
/// combination rejected by the CLI itself) is bad usage.
pub fn exit_code<'a>(chain: impl IntoIterator<Item = &'a (dyn Error + 'static)>) -> u8 {
    chain.into_iter().find_map(classify).unwrap_or(EXIT_USAGE)
}

/// The code for one error of the chain, if its type decides it.
fn classify(err: &(dyn Error + 'static)) -> Option<u8> {
    if let Some(e) = err.downcast_ref::<SuiteError>() {
        return Some(suite(e));
    }
    if let Some(e) = err.downcast_ref::<RunError>() {
        return Some(run(e));
    }
    if let Some(e) = err.downcast_ref::<ServerError>() {
        return Some(server(e));
    }
    if let Some(e) = err.downcast_ref::<ReportError>() {
        return Some(report(e));
    }
    if let Some(e) = err.downcast_ref::<SetupError>() {
        return Some(setup(e));
    }
    if err.downcast_ref::<WorkloadError>().is_some() {
        return Some(EXIT_USAGE);
    }
    None
}

fn suite(err: &SuiteError) -> u8 {
    match err {
        SuiteError::Run { source, .. } | SuiteError::Strategy(source) => run(source),
        // The load is fine; the machine's limits are not: look at the machine.
        SuiteError::Capacity(_) => EXIT_RUN_FAILED,
        SuiteError::Server(e) => server(e),
        // Transparent: the report error's own variant says whose fault it is.
        SuiteError::Report(e) => report(e),
        // Serialising our own documents cannot fail on input: it is a bug at runtime.
        SuiteError::Serialize { .. } => EXIT_RUN_FAILED,
        // The CPUs asked for are fine; the kernel would not pin to them.
        SuiteError::Placement(waitbench_core::PlacementError::Os { .. }) => EXIT_RUN_FAILED,
        SuiteError::Setup(e) => setup(e),
        // The machine lacks what CI asked for: a failure of the run, not of its flags.
        SuiteError::PythonRequired { .. } | SuiteError::RuntimeRequired { .. } => EXIT_RUN_FAILED,
        // The target answers every request with a failure: the error rate would be 100%.
        SuiteError::Preflight(_) => EXIT_ERROR_RATE,
        _ => EXIT_USAGE,
    }
}

fn run(err: &RunError) -> u8 {
    match err {
        RunError::Workload(_) | RunError::Target { .. } => EXIT_USAGE,
        RunError::Python(PythonError::Interrupted(e)) => setup(e),
        _ => EXIT_RUN_FAILED,
    }
}

/// A setup the user interrupted ends as any interrupted command does; one that failed
/// is a failure of the machine, not of the flags.
fn setup(err: &SetupError) -> u8 {
    match err {
        SetupError::Interrupted { .. } => EXIT_INTERRUPTED,
        _ => EXIT_RUN_FAILED,
    }
}

fn server(err: &ServerError) -> u8 {
    match err {
        // A flag's value, or the file a flag named (--cert, --key), is wrong.
        ServerError::Setting(_) | ServerError::CertificateFile { .. } | ServerError::Tls(_) => {
            EXIT_USAGE
        }
        ServerError::Setup(e) => setup(e),
        _ => EXIT_RUN_FAILED,
    }
}

fn report(err: &ReportError) -> u8 {
    match err {
        ReportError::Chart { .. } | ReportError::Font => EXIT_RUN_FAILED,
        _ => EXIT_USAGE,
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use anyhow::Context;

    use super::*;

    fn code(err: impl Into<anyhow::Error>) -> u8 {
        exit_code(err.into().chain())
    }

    fn io() -> std::io::Error {
        std::io::Error::from(std::io::ErrorKind::AddrInUse)
    }

    #[test]
    fn input_errors_of_the_suite_are_bad_usage() {
        assert_eq!(code(SuiteError::Usage("--only Z".into())), EXIT_USAGE);
        let baseline = SuiteError::Baseline {
            path: PathBuf::from("ci.json"),
            message: "lists no metrics".into(),
        };
        assert_eq!(code(baseline), EXIT_USAGE);
        let read = SuiteError::Read {
            path: PathBuf::from("scenarios"),
            hint: "",
            source: io(),
        };
        assert_eq!(code(read), EXIT_USAGE);
    }

    #[test]
    fn a_strategy_failing_at_runtime_is_a_failed_run() {
        let failed = RunError::WorkerPanicked("boom".into());
        assert_eq!(code(failed), EXIT_RUN_FAILED);
        let in_suite = SuiteError::Run {
            scenario: "c-concurrency-sweep".into(),
            series: "async".into(),
            strategy: "reqwest-tokio",
            source: RunError::Accounting("sent 10, counted 9".into()),
        };
        assert_eq!(code(in_suite), EXIT_RUN_FAILED);
    }

    #[test]
    fn a_bad_target_url_is_bad_usage_even_inside_a_run_error() {
        let target = RunError::Target {
            url: "http://exa mple/".into(),
            reason: "invalid domain".into(),
        };
        assert_eq!(code(target), EXIT_USAGE);
        let workload = RunError::Workload(WorkloadError::BadTarget("ftp://x".into()));
        assert_eq!(code(workload), EXIT_USAGE);
        assert_eq!(code(WorkloadError::BadTarget("ftp://x".into())), EXIT_USAGE);
    }

    #[test]
    fn an_interrupted_setup_exits_as_interrupted_however_it_is_wrapped() {
        let interrupted = || SetupError::Interrupted {
            what: "the Python clients".into(),
        };
        assert_eq!(code(interrupted()), EXIT_INTERRUPTED);
        assert_eq!(code(SuiteError::Setup(interrupted())), EXIT_INTERRUPTED);
        let in_run = RunError::Python(PythonError::Interrupted(Box::new(interrupted())));
        assert_eq!(code(in_run), EXIT_INTERRUPTED);
        let failed = SetupError::Io {
            what: "the Python clients".into(),
            step: "cannot create",
            path: PathBuf::from("/cache"),
            reason: "read-only file system".into(),
        };
        assert_eq!(code(SuiteError::Setup(failed)), EXIT_RUN_FAILED);
    }

    #[test]
    fn a_server_that_cannot_bind_is_a_failed_run_under_any_context() {
        let bind = ServerError::Bind {
            addr: "127.0.0.1:8080".parse().unwrap(),
            source: io(),
        };
        let err = Err::<(), _>(bind)
            .context("starting the server on 127.0.0.1:8080")
            .unwrap_err();
        assert_eq!(exit_code(err.chain()), EXIT_RUN_FAILED);
        assert_eq!(
            code(SuiteError::Server(ServerError::Panicked)),
            EXIT_RUN_FAILED
        );
    }

    #[test]
    fn unreadable_results_are_bad_input_and_a_broken_renderer_a_failed_run() {
        let missing = ReportError::MissingResults {
            path: PathBuf::from("results.json"),
        };
        assert_eq!(code(missing), EXIT_USAGE);
        assert_eq!(code(SuiteError::Report(ReportError::Font)), EXIT_RUN_FAILED);
    }

    #[test]
    fn an_untyped_error_from_the_cli_is_bad_usage() {
        assert_eq!(
            code(anyhow::anyhow!("--trials must be at least 1")),
            EXIT_USAGE
        );
    }

    #[test]
    fn help_lists_every_code_once() {
        let listed: Vec<u8> = HELP
            .lines()
            .filter_map(|line| line.split_whitespace().next()?.parse().ok())
            .collect();
        assert_eq!(
            listed,
            [
                EXIT_SUCCESS,
                EXIT_REGRESSION,
                EXIT_USAGE,
                EXIT_RUN_FAILED,
                EXIT_ERROR_RATE,
                EXIT_INCONCLUSIVE,
                EXIT_INTERRUPTED
            ]
        );
    }
}
