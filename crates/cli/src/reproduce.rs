//! `waitbench reproduce` and `waitbench report`: run every scenario against the embedded
//! mock server, judge the claims, and write `results.json` plus the report, atomically.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::Context;
use waitbench_core::{
    Environment, Point, SUITE_SCHEMA_VERSION, ScenarioResult, Series, SuiteResults, TrialSet,
};
use waitbench_mockserver::{MockServer, ServerConfig};

use crate::args::{ReportArgs, ReproduceArgs};
use crate::measure::{Target, measure};
use crate::output::{replace_dir_atomic, write_atomic};
use crate::progress::Progress;
use crate::scenario::{self, Scenario};

/// Trials per point in a full run.
pub const FULL_TRIALS: usize = 3;

/// What the suite should run.
pub struct SuitePlan<'a> {
    /// Scaled-down mode.
    pub quick: bool,
    /// Claims to run (all when empty).
    pub only: &'a [String],
    /// Scenario folder.
    pub scenarios: &'a Path,
    /// Trials per point.
    pub trials: Option<usize>,
    /// Hide the progress bar.
    pub quiet: bool,
}

fn select(all: Vec<Scenario>, only: &[String]) -> anyhow::Result<Vec<Scenario>> {
    if only.is_empty() {
        return Ok(all);
    }
    let known: Vec<&str> = all.iter().map(|s| s.file.claim.as_str()).collect();
    for id in only {
        if !known.iter().any(|k| k.eq_ignore_ascii_case(id)) {
            anyhow::bail!(
                "--only {id}: no scenario for claim {id:?}; the scenarios cover {}",
                known.join(", ")
            );
        }
    }
    Ok(all
        .into_iter()
        .filter(|s| only.iter().any(|id| id.eq_ignore_ascii_case(&s.file.claim)))
        .collect())
}

/// Runs the suite and returns its results (nothing is written).
pub fn run_suite(plan: &SuitePlan<'_>) -> anyhow::Result<SuiteResults> {
    let started = Instant::now();
    let scenarios = select(scenario::load_dir(plan.scenarios)?, plan.only)?;
    let trials = plan
        .trials
        .unwrap_or(if plan.quick { 1 } else { FULL_TRIALS })
        .max(1);
    let server = MockServer::start(ServerConfig::default()).context("starting the mock server")?;
    let target = Target::Embedded(&server);
    let url = server.url();

    let planned: Vec<_> = scenarios
        .iter()
        .map(|s| s.plan(&url, plan.quick, trials).map(|p| (s, p)))
        .collect::<anyhow::Result<_>>()?;
    let total: u64 = planned
        .iter()
        .flat_map(|(_, series)| series.iter().flat_map(|(_, points)| points))
        .map(|p| p.trials as u64)
        .sum();
    let done = Arc::new(AtomicU64::new(0));
    let progress = {
        let done = Arc::clone(&done);
        Progress::start("starting".into(), total, "runs", plan.quiet, move || {
            done.load(Ordering::Relaxed)
        })
    };

    let mut results = Vec::new();
    for (scenario, series_plans) in planned {
        let mut series = Vec::new();
        for (index, points) in series_plans {
            let spec = &scenario.file.series[index];
            let mut measured_points = Vec::new();
            for point in points {
                let strategy = waitbench_strategies::build(point.kind, &point.options);
                let mut runs = Vec::new();
                for trial in 0..point.trials {
                    progress.set_message(format!(
                        "{} · {} · x={} · trial {}/{}",
                        scenario.file.claim,
                        spec.label,
                        point.x,
                        trial + 1,
                        point.trials
                    ));
                    let measured =
                        measure(strategy.as_ref(), &point.workload, &target, &point.injected)
                            .with_context(|| {
                                format!("scenario {} series {:?}", scenario.name, spec.label)
                            })?;
                    runs.push(measured.result);
                    done.fetch_add(1, Ordering::Relaxed);
                }
                let trials = TrialSet::new(runs);
                let first = &trials.trials[0].littles_law;
                let (predicted, unit) = match first.predicted_batch_time_s {
                    Some(t) => (Some(t), "s"),
                    None => (first.bound_rps, "req/s"),
                };
                measured_points.push(Point {
                    x: point.x,
                    predicted,
                    predicted_unit: unit.into(),
                    trials,
                });
            }
            series.push(Series {
                label: spec.label.clone(),
                role: spec.role.clone(),
                strategy: spec.strategy.0.name().to_string(),
                variant: spec.variant,
                points: measured_points,
            });
        }
        results.push(ScenarioResult {
            claim: scenario.file.claim.clone(),
            name: scenario.name.clone(),
            title: scenario.file.title.clone(),
            description: scenario.file.description.trim().to_string(),
            x_label: match scenario.file.x {
                scenario::XAxis::Concurrency => "concurrency (requests in flight)".into(),
                scenario::XAxis::None => "requests in flight".into(),
            },
            series,
        });
    }
    progress.finish();
    let claims = crate::claims::evaluate(&results);
    Ok(SuiteResults {
        schema_version: SUITE_SCHEMA_VERSION,
        quick: plan.quick,
        trials,
        environment: Environment::capture(),
        duration_s: started.elapsed().as_secs_f64(),
        scenarios: results,
        claims,
    })
}

/// Writes `results.json` and the rendered report into `out`, replacing it atomically.
pub fn write_report(results: &SuiteResults, out: &Path) -> anyhow::Result<()> {
    replace_dir_atomic(out, |dir| {
        // Compact: the full suite's file is mostly numbers, and the committed reference
        // run must stay small; `jq .` pretty-prints it.
        let json = serde_json::to_vec(results).context("serialising results.json")?;
        write_atomic(&dir.join("results.json"), &json)?;
        waitbench_report::render(results, dir)
            .with_context(|| format!("rendering the report into {}", out.display()))?;
        Ok(())
    })
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(120)
}

/// Runs `waitbench reproduce`.
pub fn reproduce(args: ReproduceArgs) -> anyhow::Result<SuiteResults> {
    let results = run_suite(&SuitePlan {
        quick: args.quick,
        only: &args.only,
        scenarios: &args.scenarios,
        trials: args.trials,
        quiet: args.quiet,
    })?;
    write_report(&results, &args.out)?;
    println!(
        "{}",
        waitbench_report::claims_table_text(&results.claims, terminal_width())
    );
    println!(
        "{} in {:.0}s on {}; report: {}",
        if results.quick {
            "quick run"
        } else {
            "full run"
        },
        results.duration_s,
        results.environment.label(),
        args.out.join("index.html").display()
    );
    Ok(results)
}

/// Runs `waitbench report`.
pub fn report(args: ReportArgs) -> anyhow::Result<()> {
    let mut results = waitbench_report::read_results(&args.results)?;
    // Claims are derived data: re-judge them from the stored measurements, so a fixed
    // rule or wording applies to results measured before the fix.
    results.claims = crate::claims::evaluate(&results.scenarios);
    write_report(&results, &args.out)?;
    println!(
        "{}",
        waitbench_report::claims_table_text(&results.claims, terminal_width())
    );
    println!("report: {}", args.out.join("index.html").display());
    Ok(())
}
