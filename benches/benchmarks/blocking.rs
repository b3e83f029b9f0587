//! Claim F2: a blocking ureq call inside tokio tasks on a current-thread runtime (the
//! anti-pattern: requests run one at a time, ≈ N·L) vs the same call in spawn_blocking
//! (the fix: ≈ ceil(N/C)·L).

use criterion::{Criterion, criterion_group};
use waitbench_strategies::{RuntimeFlavor, StrategyKind, StrategyOptions};

use super::{bench_strategy, configured};

fn blocking(c: &mut Criterion) {
    let mut group = c.benchmark_group("blocking-in-async-L5ms");
    let options = StrategyOptions {
        runtime_flavor: RuntimeFlavor::CurrentThread,
        ..StrategyOptions::default()
    };
    let workload = waitbench_benches::batch(50, 10, "latency=5ms");
    for kind in [
        StrategyKind::TokioBlocking,
        StrategyKind::TokioSpawnBlocking,
    ] {
        bench_strategy(&mut group, kind.name(), kind, &options, &workload);
    }
    group.finish();
}

criterion_group! {
    name = group;
    config = configured();
    targets = blocking
}
