//! `waitbench client-check`: build the client to check, run the probes with a line per
//! probe on stderr, print the table on stdout, and exit 1 unless every property holds.

use anyhow::Context;
use waitbench_strategies::external::Program;
use waitbench_strategies::{Strategy, StrategyOptions, UserClient, build};
use waitbench_suite::client_check::{Checked, check};
use waitbench_suite::exit::Conclusion;

use crate::args::ClientCheckArgs;

/// Runs `waitbench client-check`.
pub fn client_check(args: ClientCheckArgs) -> anyhow::Result<Conclusion> {
    let (strategy, name): (Box<dyn Strategy>, String) = match (args.strategy, &args.command[..]) {
        (Some(kind), _) => (build(kind, &StrategyOptions::default()), kind.name().into()),
        (None, [program, args @ ..]) => {
            let program = Program {
                program: program.into(),
                args: args.to_vec(),
                current_dir: None,
            };
            let name = program.display();
            (Box::new(UserClient::new(program)), name)
        }
        (None, []) => anyhow::bail!("give the client's command after `--`, or -s NAME"),
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
