//! `waitbench`: the command-line shell over the waitbench libraries. It parses flags,
//! calls the libraries, prints, and ends with one of the exit codes in `exit::HELP`,
//! the same table for every subcommand.

mod args;
mod check;
mod exit;
mod generate;
mod progress;
mod reproduce;
mod run;
mod serve;

use std::process::ExitCode;

use clap::Parser;

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

impl Conclusion {
    /// This conclusion's exit code.
    fn code(self) -> u8 {
        match self {
            Conclusion::Ok => exit::EXIT_SUCCESS,
            Conclusion::Regression => exit::EXIT_REGRESSION,
            Conclusion::Inconclusive => exit::EXIT_INCONCLUSIVE,
        }
    }
}

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    // Thousands of concurrent connections need thousands of descriptors; raise the soft
    // limit ourselves rather than asking the user to.
    if let Err(e) = waitbench_core::limits::raise_fd_limit() {
        eprintln!("warning: could not raise the open-file limit: {e}");
    }
    // `serve` is stopped by Ctrl-C as its normal end and shuts down gracefully itself.
    if !matches!(cli.command, args::Command::Serve(_))
        && let Err(e) = exit::exit_on_interrupt()
    {
        eprintln!("warning: could not install the Ctrl-C handler: {e}");
    }
    let outcome = match cli.command {
        args::Command::Serve(a) => serve::serve(a).map(|()| Conclusion::Ok),
        args::Command::Run(a) => run::run(*a).map(|()| Conclusion::Ok),
        args::Command::Reproduce(a) => reproduce::reproduce(a).map(|()| Conclusion::Ok),
        args::Command::Report(a) => reproduce::report(a).map(|()| Conclusion::Ok),
        args::Command::Check(a) => check::check(a),
        args::Command::Completions(a) => generate::completions(a.shell).map(|()| Conclusion::Ok),
        args::Command::Man => generate::man().map(|()| Conclusion::Ok),
    };
    match outcome {
        Ok(conclusion) => ExitCode::from(conclusion.code()),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(exit::exit_code(&e))
        }
    }
}
