//! `waitbench merge`: read the hosts' run documents, add them up (the suite does), print
//! the merged summary and write the merged document.

use anyhow::Context;
use waitbench_suite::output::Destination;

use crate::args::MergeArgs;

/// Runs `waitbench merge`.
pub fn merge(args: MergeArgs) -> anyhow::Result<()> {
    let document = waitbench_suite::merge::merge_files(&args.runs, std::env::args().collect())?;
    let summary = waitbench_report::summary(&document.result);
    let mut text = serde_json::to_vec_pretty(&document).context("serialising the merged run")?;
    text.push(b'\n');
    // The summary goes where the document does not.
    if args.out == Destination::Stdout {
        eprint!("{summary}");
    } else {
        print!("{summary}");
    }
    args.out.write(&text)?;
    if let Destination::File(path) = &args.out {
        eprintln!("merged {} runs into {}", args.runs.len(), path.display());
    }
    Ok(())
}
