//! Claim C (and A): the three main strategies on a fixed batch at L = 10 ms for
//! C in {1, 10, 100, 300}. By Little's law each should approach C / L when it really
//! keeps C requests in flight; sequential ureq is measured at C = 1 only (it ignores C).

use criterion::{Criterion, criterion_group};
use waitbench_strategies::{StrategyKind, StrategyOptions};

use super::{bench_strategy, configured};

fn strategies(c: &mut Criterion) {
    let mut group = c.benchmark_group("strategies-L10ms");
    let options = StrategyOptions::default();
    for concurrency in [1usize, 10, 100, 300] {
        // Two waves per batch: enough to see steady state, short enough for 10 samples.
        let requests = (2 * concurrency as u64).max(20);
        let workload = waitbench_benches::batch(requests, concurrency, "latency=10ms");
        let kinds: &[StrategyKind] = if concurrency == 1 {
            &[
                StrategyKind::UreqSequential,
                StrategyKind::UreqRayon,
                StrategyKind::ReqwestTokio,
            ]
        } else {
            &[StrategyKind::UreqRayon, StrategyKind::ReqwestTokio]
        };
        for &kind in kinds {
            let id = format!("{}/C={concurrency}", kind.name());
            bench_strategy(&mut group, &id, kind, &options, &workload);
        }
    }
    group.finish();
}

criterion_group! {
    name = group;
    config = configured();
    targets = strategies
}
