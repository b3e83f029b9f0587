//! `waitbench`: the command-line shell over the waitbench libraries. It parses flags,
//! calls the libraries, prints, and maps failures to exit codes: 0 success, 1 a
//! regression found by `check`, 2 bad input or any other error.

mod args;
mod check;
mod progress;
mod reproduce;
mod run;
mod serve;

use std::process::ExitCode;

use clap::Parser;

/// Exit code for a regression found by `check`.
const EXIT_REGRESSION: u8 = 1;
/// Exit code for bad input and every other error.
const EXIT_ERROR: u8 = 2;
/// Exit code for a check that cannot tell noise from a regression on a contended machine
/// (sysexits' EX_TEMPFAIL: try again).
const EXIT_INCONCLUSIVE: u8 = 75;

/// What a subcommand concluded, beyond success or an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conclusion {
    /// Everything held.
    Ok,
    /// `check` found a metric past its tolerance, confirmed by re-measurement.
    Regression,
    /// `check` saw a failure it could not confirm on a contended machine.
    Inconclusive,
}

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    // Thousands of concurrent connections need thousands of descriptors; raise the soft
    // limit ourselves rather than asking the user to.
    if let Err(e) = waitbench_core::limits::raise_fd_limit() {
        eprintln!("warning: could not raise the open-file limit: {e}");
    }
    let outcome = match cli.command {
        args::Command::Serve(a) => serve::serve(a).map(|()| Conclusion::Ok),
        args::Command::Run(a) => run::run(*a).map(|()| Conclusion::Ok),
        args::Command::Reproduce(a) => reproduce::reproduce(a).map(|()| Conclusion::Ok),
        args::Command::Report(a) => reproduce::report(a).map(|()| Conclusion::Ok),
        args::Command::Check(a) => check::check(a),
    };
    match outcome {
        Ok(Conclusion::Ok) => ExitCode::SUCCESS,
        Ok(Conclusion::Regression) => ExitCode::from(EXIT_REGRESSION),
        Ok(Conclusion::Inconclusive) => ExitCode::from(EXIT_INCONCLUSIVE),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
