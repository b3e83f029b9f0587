//! `waitbench client-check`: build the client to check, run the probes with a line per
//! probe on stderr, print the table on stdout, and exit 1 unless every property holds.

use anyhow::Context;
use waitbench_strategies::{StrategyOptions, build};
use waitbench_suite::client_check::{Checked, check};
use waitbench_suite::exit::Conclusion;

use crate::args::ClientCheckArgs;

/// Runs `waitbench client-check`.
pub fn client_check(args: ClientCheckArgs) -> anyhow::Result<Conclusion> {
    let (strategy, name) = match args.strategy {
        Some(kind) => (
            build(kind, &StrategyOptions::default()),
            kind.name().to_string(),
        ),
        None => anyhow::bail!(
            "checking a program needs the external client runtime; check a built-in \
             strategy with -s NAME"
        ),
    };
    let checked = check(&*strategy, &mut |probe| {
        eprintln!("{name}: {} ({})", probe.name(), probe.describe());
    })
    .with_context(|| format!("checking {name}"))?;
    match checked {
        Checked::Interrupted => Ok(Conclusion::Interrupted),
        Checked::Judged(report) => {
            print!("{}", report.render());
            Ok(if report.passed() {
                Conclusion::Ok
            } else {
                Conclusion::Nonconforming
            })
        }
    }
}
