//! `waitbench`: the command-line shell over the waitbench libraries. It parses flags,
//! calls the libraries, prints, and ends with one of the exit codes in
//! `waitbench_suite::exit::HELP`, the same table for every subcommand.

mod args;
mod check;
mod client_check;
mod generate;
mod merge;
mod progress;
mod reproduce;
mod run;
mod serve;

use std::process::ExitCode;

use clap::Parser;
use waitbench_suite::exit::{Conclusion, EXIT_INTERRUPTED, exit_code};
use waitbench_suite::interrupt::{self, FirstSignal};

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    // Thousands of concurrent connections need thousands of descriptors; raise the soft
    // limit ourselves rather than asking the user to.
    if let Err(e) = waitbench_core::limits::raise_fd_limit() {
        eprintln!("warning: could not raise the open-file limit: {e}");
    }
    // A command that measures keeps what it measured on the first Ctrl-C; one that only
    // reads or prints has nothing to keep. `serve` stops gracefully by itself.
    let first = match &cli.command {
        args::Command::Run(_)
        | args::Command::Reproduce(_)
        | args::Command::Check(_)
        | args::Command::ClientCheck(_) => FirstSignal::Stop,
        _ => FirstSignal::Quit,
    };
    if !matches!(cli.command, args::Command::Serve(_))
        && let Err(e) = interrupt::install(first, EXIT_INTERRUPTED, |message| {
            eprintln!("{}{message}", progress::clear_line());
        })
    {
        eprintln!("warning: could not install the Ctrl-C handler: {e}");
    }
    let outcome = match cli.command {
        args::Command::Serve(a) => serve::serve(a).map(|()| Conclusion::Ok),
        args::Command::Run(a) => run::run(*a),
        args::Command::Reproduce(a) => reproduce::reproduce(a),
        args::Command::Report(a) => reproduce::report(a).map(|()| Conclusion::Ok),
        args::Command::Check(a) => check::check(a),
        args::Command::ClientCheck(a) => client_check::client_check(a),
        args::Command::Merge(a) => merge::merge(a).map(|()| Conclusion::Ok),
        args::Command::Completions(a) => generate::completions(a.shell).map(|()| Conclusion::Ok),
        args::Command::Man => generate::man().map(|()| Conclusion::Ok),
    };
    match outcome {
        Ok(conclusion) => ExitCode::from(conclusion.code()),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(exit_code(e.chain()))
        }
    }
}
