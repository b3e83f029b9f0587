//! `waitbench check`: run the gate's scenarios (or read results), compare with the
//! baseline, re-measure what failed, and turn the verdict into an exit code.

use waitbench_core::SuiteResults;
use waitbench_suite::check::export::exported;
use waitbench_suite::check::render::{table_markdown, table_text};
use waitbench_suite::check::{
    Baseline, CONFIRMATION_TRIALS, GateVerdict, MetricKey, compare, confirm, make_baseline,
    metrics, read_baseline,
};
use waitbench_suite::contention::Contention;
use waitbench_suite::output::{write_atomic, write_json};
use waitbench_suite::{Focus, Scenario, SuitePlan};

use crate::Conclusion;
use crate::args::CheckArgs;

/// Runs `waitbench check`.
pub fn check(args: CheckArgs) -> anyhow::Result<Conclusion> {
    let baseline = read_baseline(&args.baseline)?;
    if !args.make_baseline.is_empty() {
        return rebuild_baseline(&args, &baseline);
    }
    let mut contention = Vec::new();
    let (results, scenarios) = match &args.results {
        Some(path) => (waitbench_report::read_results(path)?, None),
        None => {
            let scenarios = waitbench_suite::load_dir(&args.scenarios)?;
            let plan = SuitePlan {
                quick: true,
                only: baseline.claims(),
                scenarios: scenarios.clone(),
                trials: None,
                plants: args.plant.clone(),
                focus: None,
            };
            eprintln!(
                "no results file given: running the quick suite for claims {}",
                plan.only.join(", ")
            );
            let (results, load) =
                Contention::around(|| crate::reproduce::run_suite(&plan, args.quiet));
            let results = results?;
            contention.push(load);
            waitbench_suite::write_report(&results, &args.out)?;
            eprintln!("report: {}", args.out.join("index.html").display());
            (results, Some(scenarios))
        }
    };
    let current = metrics(&results);
    let mut rows = compare(&baseline, &current)?;
    if let Some(scenarios) = scenarios {
        let (confirmed, load) = Contention::around(|| {
            confirm(&mut rows, |key| {
                eprintln!("{key} failed: re-measuring it with {CONFIRMATION_TRIALS} fresh trials");
                remeasure(key, &scenarios, &args)
            })
        });
        confirmed?;
        if rows.iter().any(|r| r.confirmation.is_some()) {
            contention.push(load);
        }
    }
    let verdict = GateVerdict::of(&rows, &contention);
    let headline = verdict.headline(&rows);
    print!("{}", table_text(&rows));
    for load in &contention {
        println!("machine: {}", load.describe());
    }
    println!("{headline}");
    if let Some(path) = &args.markdown {
        let mut text = table_markdown(&rows, &headline);
        for load in &contention {
            text.push_str(&format!("\nmachine: {}\n", load.describe()));
        }
        write_atomic(path, text.as_bytes())?;
    }
    if let Some(path) = &args.json {
        write_json(
            path,
            &waitbench_suite::check::render::json(&rows, verdict, &contention),
        )?;
    }
    if let Some(format) = args.export {
        let written = format.write(&exported(&results, &baseline), &args.export_file)?;
        for file in written {
            eprintln!("wrote {} ({format})", file.display());
        }
    }
    if args.update_baseline {
        let mut updated = baseline.clone();
        for (name, metric) in updated.metrics.iter_mut() {
            metric.value = current[name];
        }
        write_json(&args.baseline, &updated)?;
        println!(
            "updated {} from the current results",
            args.baseline.display()
        );
        return Ok(Conclusion::Ok);
    }
    Ok(match verdict {
        GateVerdict::Pass => Conclusion::Ok,
        GateVerdict::Regression => Conclusion::Regression,
        GateVerdict::Inconclusive => Conclusion::Inconclusive,
    })
}

/// The metric's value in each of [`CONFIRMATION_TRIALS`] fresh trials: of its point alone
/// for a point metric, of its whole scenario for a claim figure.
fn remeasure(
    key: &MetricKey,
    scenarios: &[Scenario],
    args: &CheckArgs,
) -> anyhow::Result<Vec<f64>> {
    let plan = |trials, focus| SuitePlan {
        quick: true,
        only: vec![key.claim().to_string()],
        scenarios: scenarios.to_vec(),
        trials: Some(trials),
        plants: args.plant.clone(),
        focus,
    };
    let name = key.to_string();
    match key {
        MetricKey::Point { role, x, .. } => {
            let focus = Focus {
                role: role.clone(),
                x: *x,
            };
            let results =
                crate::reproduce::run_suite(&plan(CONFIRMATION_TRIALS, Some(focus)), true)?;
            Ok(key.trial_values(&results))
        }
        MetricKey::Claim { .. } => (0..CONFIRMATION_TRIALS)
            .map(|_| {
                let results = crate::reproduce::run_suite(&plan(1, None), true)?;
                metrics(&results)
                    .get(&name)
                    .copied()
                    .ok_or_else(|| anyhow::anyhow!("re-measuring {name}: the results lack it"))
            })
            .collect(),
    }
}

/// `--make-baseline`: the baseline's metrics, re-derived from many runs' results.
fn rebuild_baseline(args: &CheckArgs, template: &Baseline) -> anyhow::Result<Conclusion> {
    let runs: Vec<SuiteResults> = args
        .make_baseline
        .iter()
        .map(|p| waitbench_report::read_results(p))
        .collect::<Result<_, _>>()?;
    let baseline = make_baseline(
        template,
        &runs,
        waitbench_suite::check::baseline::TOLERANCE_POLICY,
    )?;
    write_json(&args.baseline, &baseline)?;
    println!(
        "wrote {} from {} runs ({} metrics)",
        args.baseline.display(),
        runs.len(),
        baseline.metrics.len()
    );
    Ok(Conclusion::Ok)
}
