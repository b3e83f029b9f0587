//! How the process ends: one table of exit codes for every subcommand, the classification
//! of an error into a code by its type, and the exit on Ctrl-C or SIGTERM.
//!
//! CI scripts branch on these codes (retry on 75, fail on 1, fix the job on 2, look at the
//! machine on 3), so a code must follow from what failed, never from an error's wording:
//! [`exit_code`] downcasts the error chain to the libraries' typed errors.

use std::error::Error;

use waitbench_core::WorkloadError;
use waitbench_mockserver::ServerError;
use waitbench_report::ReportError;
use waitbench_strategies::RunError;
use waitbench_suite::SuiteError;

/// Success.
pub const EXIT_SUCCESS: u8 = 0;
/// A regression: a gated metric past its tolerance, confirmed by re-measurement.
pub const EXIT_REGRESSION: u8 = 1;
/// Bad usage or input: a flag, a scenario, baseline or results file, a URL, an output path.
pub const EXIT_USAGE: u8 = 2;
/// A run failed: a strategy, the server or the report failed at runtime.
pub const EXIT_RUN_FAILED: u8 = 3;
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
       quiet machine (check)
    2  bad usage or input: a flag, a scenario, baseline or results file, a URL, or an
       output path that cannot be written
    3  run failed: a strategy, the server or the report failed at runtime (e.g. `serve`
       on a port already in use)
   75  check inconclusive: a metric failed while other processes were using the CPU,
       so noise cannot be told from a regression; run it again
  130  interrupted by Ctrl-C or SIGTERM (`serve` stops on either and exits 0)";

/// The exit code for an error: the first error in its chain whose type says what
/// failed decides; anything else (a flag combination rejected by the CLI itself) is
/// bad usage.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    err.chain().find_map(classify).unwrap_or(EXIT_USAGE)
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
    if err.downcast_ref::<WorkloadError>().is_some() {
        return Some(EXIT_USAGE);
    }
    None
}

fn suite(err: &SuiteError) -> u8 {
    match err {
        SuiteError::Run { source, .. } => run(source),
        SuiteError::Server(e) => server(e),
        // Transparent: the report error's own variant says whose fault it is.
        SuiteError::Report(e) => report(e),
        // Serialising our own documents cannot fail on input: it is a bug at runtime.
        SuiteError::Serialize { .. } => EXIT_RUN_FAILED,
        _ => EXIT_USAGE,
    }
}

fn run(err: &RunError) -> u8 {
    match err {
        RunError::Workload(_) | RunError::Target { .. } => EXIT_USAGE,
        _ => EXIT_RUN_FAILED,
    }
}

fn server(err: &ServerError) -> u8 {
    match err {
        ServerError::Setting(_) => EXIT_USAGE,
        _ => EXIT_RUN_FAILED,
    }
}

fn report(err: &ReportError) -> u8 {
    match err {
        ReportError::Chart { .. } | ReportError::Font => EXIT_RUN_FAILED,
        _ => EXIT_USAGE,
    }
}

/// Makes Ctrl-C (SIGINT) and SIGTERM end the process at once with
/// [`EXIT_INTERRUPTED`] and a one-line message. No output is left half-written: each is
/// written to a hidden temporary sibling and renamed into place, so an interrupted run
/// saves nothing (at worst that temporary stays behind).
pub fn exit_on_interrupt() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // Registered before returning, so that a signal arriving during the run is ours
    // rather than the default handler's (which would end the process without a code).
    let signals = {
        let _context = runtime.enter();
        Signals::register()?
    };
    std::thread::Builder::new()
        .name("waitbench-signals".into())
        .spawn(move || {
            let name = runtime.block_on(signals.first());
            eprintln!(
                "{}interrupted by {name}: stopped; this run's results were not saved",
                clear_line()
            );
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        })?;
    Ok(())
}

/// The signals that interrupt a run.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    #[cfg(unix)]
    fn register() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    #[cfg(not(unix))]
    fn register() -> std::io::Result<Self> {
        Ok(Signals {})
    }

    /// Waits for the first signal and names it.
    #[cfg(unix)]
    async fn first(mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "Ctrl-C (SIGINT)",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }

    /// Waits for the first signal and names it.
    #[cfg(not(unix))]
    async fn first(self) -> &'static str {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

/// Clears a progress bar's line first when stderr is a terminal, so the message does not
/// run on from the bar.
fn clear_line() -> &'static str {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() {
        "\r\x1b[2K"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use anyhow::Context;

    use super::*;

    fn code(err: impl Into<anyhow::Error>) -> u8 {
        exit_code(&err.into())
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
    fn a_server_that_cannot_bind_is_a_failed_run_under_any_context() {
        let bind = ServerError::Bind {
            addr: "127.0.0.1:8080".parse().unwrap(),
            source: io(),
        };
        let err = Err::<(), _>(bind)
            .context("starting the server on 127.0.0.1:8080")
            .unwrap_err();
        assert_eq!(exit_code(&err), EXIT_RUN_FAILED);
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
                EXIT_INCONCLUSIVE,
                EXIT_INTERRUPTED
            ]
        );
    }
}
