//! Adding up runs that different client hosts made at the same time against one server.
//!
//! When one machine cannot produce the load, N hosts each produce a share, and the shares
//! have to be added up exactly. Counts, throughputs and in-flight counts add. Percentiles
//! do not: the p99 of the whole is read from the sum of the hosts' full histograms (which
//! every result carries, see [`crate::interchange`]), never from an average of their p99s.
//!
//! Only runs of the same workload can be merged: same strategy and settings, same load
//! model and share of it, same target and conditions. Anything else is refused with the
//! first field that differs, so that a merged figure always means "N times this run".
//! What cannot be added is said, not guessed:
//! - the server's `/stats` deltas: every host read the same server over nearly the same
//!   span, so each saw (nearly) the whole; the merged result keeps the largest of each;
//! - strategy extras (a ticker's lateness): kept only where every run has the same value;
//! - the per-second timeline: hosts share no clock, so their seconds cannot be lined up
//!   exactly; each host's `--hlog` keeps its own;
//! - the environment (cores, kernel) is the first host's.

use serde_json::Value;
use thiserror::Error;

use crate::interchange::{DecodeError, EncodedHistogram, RunHistograms};
use crate::result::{
    ClientResources, Counts, LatencySummary, LittlesLaw, OpenLoopStats, RunResult, ServerRunStats,
    TrialSet,
};
use crate::workload::LoadModel;

/// Runs that cannot be merged, with which one and why.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum MergeError {
    /// Fewer than two runs.
    #[error("merging needs at least two runs, got {0}")]
    TooFew(usize),
    /// A run's workload (or strategy, or conditions) differs from the first run's.
    #[error(
        "run {index} differs from run 1 in {field}: {other} there, {first} in run 1; only runs \
         of the same workload, made at the same time by different client hosts, can be merged"
    )]
    Differs {
        /// The run, from 1.
        index: usize,
        /// The first field that differs, as a JSON path (e.g. `workload.load.concurrency`).
        field: String,
        /// Its value in run 1.
        first: String,
        /// Its value in this run.
        other: String,
    },
    /// A run written before results carried histograms.
    #[error(
        "run {index} has no histograms (it was written before results kept them); re-run it \
         with this version of waitbench"
    )]
    NoHistograms {
        /// The run, from 1.
        index: usize,
    },
    /// A histogram that cannot be decoded.
    #[error("run {index}'s {which} histogram: {source}")]
    Decode {
        /// The run, from 1.
        index: usize,
        /// Which histogram.
        which: &'static str,
        /// Why.
        source: DecodeError,
    },
    /// A histogram whose values do not fit the first run's bounds.
    #[error(
        "run {index}'s {which} histogram has values outside run 1's bounds; histograms from \
         waitbench all share one range, so it was not written by waitbench"
    )]
    Bounds {
        /// The run, from 1.
        index: usize,
        /// Which histogram.
        which: &'static str,
    },
    /// Documents with different numbers of trials.
    #[error(
        "document {index} has {other} trials and document 1 has {first}; give every host the \
         same --trials"
    )]
    Trials {
        /// The document, from 1.
        index: usize,
        /// Trials in document 1.
        first: usize,
        /// Trials in this one.
        other: usize,
    },
}

/// Merges the trials of documents from different hosts: trial i of the result adds up
/// trial i of every input.
pub fn merge_trial_sets(sets: &[&TrialSet]) -> Result<TrialSet, MergeError> {
    if sets.len() < 2 {
        return Err(MergeError::TooFew(sets.len()));
    }
    let first = sets[0].trials.len();
    for (i, set) in sets.iter().enumerate().skip(1) {
        if set.trials.len() != first {
            return Err(MergeError::Trials {
                index: i + 1,
                first,
                other: set.trials.len(),
            });
        }
    }
    let trials = (0..first)
        .map(|t| merge_runs(&sets.iter().map(|s| &s.trials[t]).collect::<Vec<_>>()))
        .collect::<Result<_, _>>()?;
    Ok(TrialSet::new(trials))
}

/// Merges runs made at the same time by different client hosts into one result.
pub fn merge_runs(runs: &[&RunResult]) -> Result<RunResult, MergeError> {
    if runs.len() < 2 {
        return Err(MergeError::TooFew(runs.len()));
    }
    let first = runs[0];
    for (i, run) in runs.iter().enumerate().skip(1) {
        same_workload(first, run, i + 1)?;
    }
    let histograms = MergedHistograms::of(runs)?;
    let n = runs.len();
    let sum = |f: fn(&RunResult) -> f64| runs.iter().map(|r| f(r)).sum::<f64>();
    let throughput_rps = sum(|r| r.throughput_rps);

    let mut counts = Counts::default();
    for run in runs {
        let c = &run.counts;
        counts.sent += c.sent;
        counts.warmup_sent += c.warmup_sent;
        counts.ok += c.ok;
        counts.http_errors += c.http_errors;
        counts.errors += c.errors;
        for (code, k) in &c.by_status {
            *counts.by_status.entry(*code).or_default() += k;
        }
        for (kind, k) in &c.by_error {
            *counts.by_error.entry(*kind).or_default() += k;
        }
        counts.issued_after_first_failure = match (
            counts.issued_after_first_failure,
            c.issued_after_first_failure,
        ) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
    }

    let workload = crate::workload::Workload {
        load: scaled(&first.workload.load, n),
        ..first.workload.clone()
    };
    let concurrency = workload.load.concurrency();
    let bound_rps = runs
        .iter()
        .map(|r| r.littles_law.bound_rps)
        .sum::<Option<f64>>();
    let mean_in_flight = sum(|r| r.littles_law.measured_mean_in_flight);
    let completed = counts.ok + counts.http_errors + counts.errors;
    let littles_law = LittlesLaw {
        injected_mean_latency_us: first.littles_law.injected_mean_latency_us,
        effective_concurrency: runs
            .iter()
            .map(|r| r.littles_law.effective_concurrency)
            .sum(),
        bound_rps,
        efficiency: bound_rps.map(|b| throughput_rps / b),
        // Each host ran the same batch beside the others: the predicted time is one host's.
        predicted_batch_time_s: first.littles_law.predicted_batch_time_s,
        measured_mean_in_flight: mean_in_flight,
        in_flight_ratio: (concurrency > 0 && completed > 0)
            .then(|| mean_in_flight / concurrency as f64),
    };

    let open_loop = match (&first.open_loop, &histograms.send_lag) {
        (Some(open), send_lag) => Some(OpenLoopStats {
            requested_rps: runs
                .iter()
                .filter_map(|r| r.open_loop.as_ref())
                .map(|o| o.requested_rps)
                .sum(),
            achieved_rps: runs
                .iter()
                .filter_map(|r| r.open_loop.as_ref())
                .map(|o| o.achieved_rps)
                .sum(),
            late_sends: runs
                .iter()
                .filter_map(|r| r.open_loop.as_ref())
                .map(|o| o.late_sends)
                .sum(),
            queued_sends: runs
                .iter()
                .filter_map(|r| r.open_loop.as_ref())
                .map(|o| o.queued_sends)
                .sum(),
            late_threshold_us: open.late_threshold_us,
            send_lag: send_lag
                .as_ref()
                .map_or_else(LatencySummary::default, LatencySummary::from_histogram),
            // Hosts share no clock, so their seconds cannot be added: the worst host's.
            worst_second: runs
                .iter()
                .filter_map(|r| r.open_loop.as_ref()?.worst_second)
                .max_by(|a, b| a.deviation.abs().total_cmp(&b.deviation.abs())),
        }),
        (None, _) => None,
    };

    Ok(RunResult {
        schema_version: first.schema_version,
        strategy: crate::result::StrategyInfo {
            effective_concurrency: littles_law.effective_concurrency,
            ..first.strategy.clone()
        },
        workload,
        url: first.url.clone(),
        error_samples: first.error_samples.clone(),
        injected: first.injected.clone(),
        // The hosts ran side by side: the whole took as long as the longest.
        wall_time_s: runs.iter().map(|r| r.wall_time_s).fold(0.0, f64::max),
        throughput_rps,
        attempts_rps: sum(|r| r.attempts_rps),
        error_rate: match counts.sent {
            0 => 0.0,
            sent => (counts.http_errors + counts.errors) as f64 / sent as f64,
        },
        // One host stopped early makes the whole a shorter run than asked for.
        interrupted: runs.iter().any(|r| r.interrupted),
        counts,
        latency: LatencySummary::from_histogram(&histograms.latency),
        service_time: LatencySummary::from_histogram(&histograms.service),
        open_loop,
        littles_law,
        client: client(runs, concurrency),
        server: server(runs),
        extras: first
            .extras
            .iter()
            .filter(|(k, v)| runs.iter().all(|r| r.extras.get(*k) == Some(*v)))
            .map(|(k, v)| (k.clone(), *v))
            .collect(),
        connections: runs
            .iter()
            .map(|r| r.connections.as_ref())
            .collect::<Option<Vec<_>>>()
            .and_then(crate::ConnectionReport::merged),
        environment: first.environment.clone(),
        histograms: Some(histograms.encode()),
        timeline: Vec::new(),
        placement: runs
            .iter()
            .all(|r| r.placement == first.placement)
            .then(|| first.placement.clone())
            .flatten(),
        merged_runs: Some(runs.iter().map(|r| r.merged_runs.unwrap_or(1)).sum()),
    })
}

/// The load of `n` hosts each running `load`.
fn scaled(load: &LoadModel, n: usize) -> LoadModel {
    match *load {
        LoadModel::Batch {
            requests,
            concurrency,
        } => LoadModel::Batch {
            requests: requests * n as u64,
            concurrency: concurrency * n,
        },
        LoadModel::ClosedLoop {
            concurrency,
            duration,
            warmup,
        } => LoadModel::ClosedLoop {
            concurrency: concurrency * n,
            duration,
            warmup,
        },
        LoadModel::OpenLoop {
            rate_per_s,
            duration,
            warmup,
            max_in_flight,
        } => LoadModel::OpenLoop {
            rate_per_s: rate_per_s * n as f64,
            duration,
            warmup,
            max_in_flight: max_in_flight * n,
        },
    }
}

/// Refuses `run` unless its strategy, workload and conditions are the first run's.
fn same_workload(first: &RunResult, run: &RunResult, index: usize) -> Result<(), MergeError> {
    let json = |r: &RunResult| {
        serde_json::json!({
            "strategy": { "name": r.strategy.name, "settings": r.strategy.settings },
            "workload": r.workload,
            "injected": {
                "latency": r.injected.latency,
                "connect_delay": r.injected.connect_delay,
                "faults": r.injected.faults,
            },
            "schema_version": r.schema_version,
        })
    };
    match first_difference(&json(first), &json(run), String::new()) {
        None => Ok(()),
        Some((field, a, b)) => Err(MergeError::Differs {
            index,
            field,
            first: a,
            other: b,
        }),
    }
}

/// The first path where two JSON values differ, with both values.
fn first_difference(a: &Value, b: &Value, path: String) -> Option<(String, String, String)> {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| {
                first_difference(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    join(k),
                )
            })
        }
        _ if a == b => None,
        _ => Some((path, a.to_string(), b.to_string())),
    }
}

/// The sum of every run's histograms.
struct MergedHistograms {
    latency: hdrhistogram::Histogram<u64>,
    service: hdrhistogram::Histogram<u64>,
    send_lag: Option<hdrhistogram::Histogram<u64>>,
}

impl MergedHistograms {
    fn of(runs: &[&RunResult]) -> Result<Self, MergeError> {
        let encoded: Vec<&RunHistograms> = runs
            .iter()
            .enumerate()
            .map(|(i, r)| {
                r.histograms
                    .as_ref()
                    .ok_or(MergeError::NoHistograms { index: i + 1 })
            })
            .collect::<Result<_, _>>()?;
        let add = |which: &'static str,
                   pick: fn(&RunHistograms) -> Option<&EncodedHistogram>|
         -> Result<Option<hdrhistogram::Histogram<u64>>, MergeError> {
            let mut total: Option<hdrhistogram::Histogram<u64>> = None;
            for (i, h) in encoded.iter().enumerate() {
                let Some(h) = pick(h) else { continue };
                let h = h.decode().map_err(|source| MergeError::Decode {
                    index: i + 1,
                    which,
                    source,
                })?;
                match &mut total {
                    None => total = Some(h),
                    Some(t) => t.add(&h).map_err(|_| MergeError::Bounds {
                        index: i + 1,
                        which,
                    })?,
                }
            }
            Ok(total)
        };
        Ok(MergedHistograms {
            latency: add("latency", |h| Some(&h.latency))?.expect("every run has one"),
            service: add("service-time", |h| Some(&h.service_time))?.expect("every run has one"),
            send_lag: add("send-lag", |h| h.send_lag.as_ref())?,
        })
    }

    fn encode(&self) -> RunHistograms {
        RunHistograms {
            latency: EncodedHistogram::encode(&self.latency),
            service_time: EncodedHistogram::encode(&self.service),
            send_lag: self.send_lag.as_ref().map(EncodedHistogram::encode),
        }
    }
}

/// The hosts' client resources, added up: CPU and memory are each host's own.
fn client(runs: &[&RunResult], concurrency: usize) -> ClientResources {
    let sum = |f: fn(&ClientResources) -> f64| runs.iter().map(|r| f(&r.client)).sum::<f64>();
    let sum_opt = |f: fn(&ClientResources) -> Option<u64>| {
        runs.iter().map(|r| f(&r.client)).sum::<Option<u64>>()
    };
    let client_cpu_s = sum(|c| c.client_cpu_s);
    let sent: u64 = runs
        .iter()
        .map(|r| r.counts.sent + r.counts.warmup_sent)
        .sum();
    let per_in_flight = |steady: Option<u64>, baseline: Option<u64>| {
        Some((steady? as f64 - baseline? as f64) / concurrency.max(1) as f64)
    };
    let (rss_steady, rss_baseline) = (
        sum_opt(|c| c.rss_steady_bytes),
        sum_opt(|c| c.rss_baseline_bytes),
    );
    let (vm_steady, vm_baseline) = (
        sum_opt(|c| c.vm_steady_bytes),
        sum_opt(|c| c.vm_baseline_bytes),
    );
    ClientResources {
        process_cpu_user_s: sum(|c| c.process_cpu_user_s),
        process_cpu_sys_s: sum(|c| c.process_cpu_sys_s),
        client_cpu_s,
        client_cpu_per_request_us: if sent == 0 {
            0.0
        } else {
            client_cpu_s * 1e6 / sent as f64
        },
        rss_baseline_bytes: rss_baseline,
        rss_peak_bytes: sum_opt(|c| c.rss_peak_bytes),
        rss_steady_bytes: rss_steady,
        vm_baseline_bytes: vm_baseline,
        vm_peak_bytes: sum_opt(|c| c.vm_peak_bytes),
        vm_steady_bytes: vm_steady,
        threads_baseline: sum_opt(|c| c.threads_baseline),
        threads_peak: sum_opt(|c| c.threads_peak),
        rss_per_in_flight_bytes: per_in_flight(rss_steady, rss_baseline),
        vm_per_in_flight_bytes: per_in_flight(vm_steady, vm_baseline),
    }
}

/// One server seen by every host over nearly the same span: the largest reading of each
/// figure, not their sum, which would count the server N times.
fn server(runs: &[&RunResult]) -> Option<ServerRunStats> {
    let mut seen = runs.iter().filter_map(|r| r.server.as_ref());
    let mut total = seen.next()?.clone();
    for s in seen {
        total.requests = total.requests.max(s.requests);
        total.max_in_flight = total.max_in_flight.max(s.max_in_flight);
        total.connections_accepted = total.connections_accepted.max(s.connections_accepted);
        total.cpu_s = total.cpu_s.max(s.cpu_s);
        for (kind, k) in &s.faults {
            let mine = total.faults.entry(kind.clone()).or_default();
            *mine = (*mine).max(*k);
        }
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::recorder::{Measurement, Recorder};
    use crate::result::{InjectedConditions, RunInputs, StrategyInfo};
    use crate::workload::{ErrorPolicy, PathPlan, Timeouts, Workload};
    use crate::{Environment, ResourceUsage};

    fn workload(concurrency: usize) -> Workload {
        Workload {
            target: "http://127.0.0.1:8080".into(),
            paths: PathPlan::Single { path: "/".into() },
            query: Some("latency=20ms".into()),
            load: LoadModel::ClosedLoop {
                concurrency,
                duration: Duration::from_secs(5),
                warmup: Duration::from_secs(1),
            },
            on_error: ErrorPolicy::WaitAll,
            request: Default::default(),
            timeouts: Timeouts::default(),
        }
    }

    /// A run whose latencies are exactly `latencies_us`, with one 503 among them.
    fn run(workload: &Workload, latencies_us: &[u64]) -> RunResult {
        let mut recorder = Recorder::new();
        for &v in latencies_us {
            recorder.latency.record(v).unwrap();
            recorder.service.record(v).unwrap();
        }
        let n = latencies_us.len() as u64;
        recorder.counters.sent = n;
        recorder.counters.ok = n - 1;
        recorder.counters.statuses = vec![(503, 1)];
        let start = Instant::now();
        let measurement = Measurement {
            recorder,
            window_start: start,
            window_end: start + Duration::from_secs(5),
            issued_after_first_failure: None,
            extras: Default::default(),
            mean_in_flight: workload.load.concurrency() as f64 * 0.99,
            interrupted: false,
            timeline: Default::default(),
            client_process: None,
            error_samples: Vec::new(),
            connections: None,
        };
        RunResult::assemble(RunInputs {
            strategy: StrategyInfo {
                name: "hyper-tokio".into(),
                settings: Default::default(),
                effective_concurrency: workload.load.concurrency(),
            },
            workload,
            injected: InjectedConditions {
                latency: Some("20ms".into()),
                mean_latency_us: 20_000.0,
                ..Default::default()
            },
            measurement: &measurement,
            resources: ResourceUsage::default(),
            server: None,
            embedded_server_cpu: Duration::ZERO,
            environment: Environment::capture(),
            placement: None,
        })
    }

    fn samples(seed: u64, n: usize) -> Vec<u64> {
        // A spread-out, deterministic set: 20 ms with a tail up to ~400 ms.
        (0..n as u64)
            .map(|i| 20_000 + (i * 7_919 + seed * 104_729) % 20_000 + (i % 97) * (i % 89) * 50)
            .collect()
    }

    #[test]
    fn merged_counts_are_sums_and_percentiles_those_of_one_histogram_of_all_samples() {
        let w = workload(100);
        let (a, b) = (samples(1, 3_000), samples(2, 5_000));
        let merged = merge_runs(&[&run(&w, &a), &run(&w, &b)]).unwrap();

        let mut both = Recorder::new();
        for &v in a.iter().chain(&b) {
            both.latency.record(v).unwrap();
        }
        let expected = LatencySummary::from_histogram(&both.latency);
        assert_eq!(merged.latency, expected);
        assert_eq!(merged.counts.sent, 8_000);
        assert_eq!(merged.counts.ok, 7_998);
        assert_eq!(merged.counts.by_status[&503], 2);
        assert!(merged.counts.balanced());
        let (ra, rb) = (run(&w, &a), run(&w, &b));
        assert!((merged.throughput_rps - (ra.throughput_rps + rb.throughput_rps)).abs() < 1e-9);
        assert_eq!(merged.workload.load.concurrency(), 200);
        assert_eq!(merged.merged_runs, Some(2));
        // The merged histogram travels too, so merges of merges stay exact.
        let decoded = merged.histograms.unwrap().latency.decode().unwrap();
        assert_eq!(decoded.len(), 8_000);
    }

    #[test]
    fn the_merged_p99_is_not_the_mean_of_the_p99s() {
        let w = workload(10);
        let fast: Vec<u64> = (0..1_000).map(|i| 1_000 + i).collect();
        let slow: Vec<u64> = (0..1_000).map(|i| 100_000 + i * 100).collect();
        let (a, b) = (run(&w, &fast), run(&w, &slow));
        let merged = merge_runs(&[&a, &b]).unwrap();
        let averaged = (a.latency.p99_us + b.latency.p99_us) / 2.0;
        assert!(merged.latency.p99_us > averaged * 1.5, "{merged:?}");
    }

    #[test]
    fn runs_of_different_workloads_are_refused_naming_the_field() {
        let error = merge_runs(&[
            &run(&workload(100), &[1_000]),
            &run(&workload(50), &[1_000]),
        ])
        .unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("run 2 differs from run 1 in workload.load.concurrency: 50 there, 100"),
            "{text}"
        );
    }

    #[test]
    fn a_run_without_histograms_is_refused() {
        let w = workload(10);
        let mut old = run(&w, &[1_000]);
        old.histograms = None;
        let error = merge_runs(&[&run(&w, &[1_000]), &old]).unwrap_err();
        assert!(matches!(error, MergeError::NoHistograms { index: 2 }));
    }

    #[test]
    fn trial_sets_merge_trial_by_trial_and_need_equal_trial_counts() {
        let w = workload(10);
        let one = TrialSet::new(vec![run(&w, &[1_000]), run(&w, &[2_000])]);
        let merged = merge_trial_sets(&[&one, &one]).unwrap();
        assert_eq!(merged.trials.len(), 2);
        assert_eq!(merged.trials[1].counts.sent, 2);
        let short = TrialSet::new(vec![run(&w, &[1_000])]);
        assert!(matches!(
            merge_trial_sets(&[&one, &short]),
            Err(MergeError::Trials {
                index: 2,
                first: 2,
                other: 1
            })
        ));
        assert!(matches!(
            merge_trial_sets(&[&one]),
            Err(MergeError::TooFew(1))
        ));
    }
}
