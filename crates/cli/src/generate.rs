//! `waitbench completions` and `waitbench man`: shell completions and the man page,
//! generated from the same clap definition that parses the flags, so they cannot drift
//! from what the binary accepts.

use std::io::Write;

use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::args::Cli;

/// The binary's name as the shell sees it.
const BIN: &str = "waitbench";

/// Prints the completion script for `shell` on stdout.
pub fn completions(shell: Shell) -> anyhow::Result<()> {
    // Generated into memory first: clap_complete panics when its writer fails, and a
    // closed pipe must be an error, not a panic.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN, &mut script);
    print(&script).context("writing the completions to stdout")
}

/// Prints the roff man page on stdout (release packaging: `waitbench man > waitbench.1`).
pub fn man() -> anyhow::Result<()> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .context("rendering the man page")?;
    print(&page).context("writing the man page to stdout")
}

fn print(bytes: &[u8]) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(bytes)?;
    stdout.flush()
}
