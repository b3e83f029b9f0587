//! Claim B: a shared client vs a new client per request, for ureq and reqwest, with a
//! 5 ms connection-setup delay on each new connection (L = 5 ms), so the predicted
//! saving from reuse is setup / (setup + L) = 50%.

use criterion::{Criterion, criterion_group};
use waitbench_strategies::{StrategyKind, StrategyOptions};

use super::{bench_strategy, configured};

fn connection_reuse(c: &mut Criterion) {
    let mut group = c.benchmark_group("connection-reuse-setup5ms");
    let options = StrategyOptions::default();
    let workload = waitbench_benches::batch(100, 10, "latency=5ms&connect_delay=5ms");
    for kind in [
        StrategyKind::UreqRayon,
        StrategyKind::UreqPerRequest,
        StrategyKind::ReqwestTokio,
        StrategyKind::ReqwestPerRequest,
    ] {
        bench_strategy(&mut group, kind.name(), kind, &options, &workload);
    }
    group.finish();
}

criterion_group! {
    name = group;
    config = configured();
    targets = connection_reuse
}
