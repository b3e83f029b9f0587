//! `waitbench`: the command-line shell over the waitbench libraries. It parses flags,
//! calls the libraries, prints, and maps failures to exit codes: 0 success, 1 a
//! regression found by `check`, 2 bad input or any other error.

mod args;
mod check;
mod progress;
mod reproduce;
mod run;
mod serve;
mod summary;

use std::process::ExitCode;

use clap::Parser;

/// Exit code for a regression found by `check`.
const EXIT_REGRESSION: u8 = 1;
/// Exit code for bad input and every other error.
const EXIT_ERROR: u8 = 2;

/// What a subcommand concluded, beyond success or an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conclusion {
    /// Everything held.
    Ok,
    /// `check` found a metric past its tolerance.
    Regression,
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
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
