//! Claim D: per-request overhead at L = 0, one request at a time, so the time per
//! element is the client's (plus the embedded server's) CPU cost of one request.
//! `hyper-tokio` beside `reqwest-tokio` separates the cost of async from the cost of
//! reqwest's conveniences (pool, service stack).

use criterion::{Criterion, criterion_group};
use waitbench_strategies::{StrategyKind, StrategyOptions};

use super::{bench_strategy, configured};

fn overhead(c: &mut Criterion) {
    let mut group = c.benchmark_group("overhead-L0");
    let options = StrategyOptions::default();
    let workload = waitbench_benches::batch(500, 1, "");
    for kind in [
        StrategyKind::UreqSequential,
        StrategyKind::UreqRayon,
        StrategyKind::ReqwestTokio,
        StrategyKind::HyperTokio,
    ] {
        bench_strategy(&mut group, kind.name(), kind, &options, &workload);
    }
    group.finish();
}

criterion_group! {
    name = group;
    config = configured();
    targets = overhead
}
