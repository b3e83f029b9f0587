//! The bench groups, one per file.

pub mod blocking;
pub mod connection_reuse;
pub mod overhead;
pub mod strategies;
pub mod tls_and_h2;

use std::time::Duration;

use criterion::{BenchmarkGroup, Criterion, Throughput, measurement::WallTime};
use waitbench_core::Workload;
use waitbench_strategies::{StrategyKind, StrategyOptions};

/// Sample settings sized so the whole suite fits in minutes on two shared cores.
pub fn configured() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args()
}

/// Benchmarks `kind` on `workload` under `name`, counting requests as elements.
pub fn bench_strategy(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    kind: StrategyKind,
    options: &StrategyOptions,
    workload: &Workload,
) {
    let strategy = waitbench_strategies::build(kind, options);
    let requests = match workload.load {
        waitbench_core::LoadModel::Batch { requests, .. } => requests,
        _ => unreachable!("benches use batches"),
    };
    group.throughput(Throughput::Elements(requests));
    group.bench_function(name, |b| {
        b.iter_custom(|iters| waitbench_benches::timed_batches(strategy.as_ref(), workload, iters))
    });
}
