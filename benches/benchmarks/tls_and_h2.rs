//! Claims BT and H2 over real protocols, against the HTTPS mock server: reqwest's kept
//! session against a new connection per request with a full or a resumed TLS 1.3
//! handshake (L = 5 ms, no injected delay, so a new connection costs its real
//! handshake), and hyper over HTTP/1.1 (a connection per task) against hyper over
//! HTTP/2 on one connection at C = 100 (L = 10 ms). Run alone with
//! `cargo bench --bench bench_main -- tls`.

use criterion::{Criterion, criterion_group};
use waitbench_strategies::{StrategyKind, StrategyOptions, TlsResume};

use super::{bench_strategy, configured};

/// Options trusting the bench server's CA, resuming as `resume` says.
fn trusting(resume: TlsResume) -> StrategyOptions {
    StrategyOptions {
        cacert: waitbench_benches::tls_server().ca_file().map(Into::into),
        tls_resume: resume,
        ..StrategyOptions::default()
    }
}

fn tls_reuse(c: &mut Criterion) {
    let mut group = c.benchmark_group("tls-reuse-L5ms");
    let workload =
        waitbench_benches::batch_on(waitbench_benches::tls_server(), 100, 10, "latency=5ms");
    for (name, kind, resume) in [
        ("kept", StrategyKind::ReqwestTokio, TlsResume::On),
        (
            "full-handshake",
            StrategyKind::ReqwestPerRequest,
            TlsResume::Off,
        ),
        (
            "resumed-handshake",
            StrategyKind::ReqwestPerRequest,
            TlsResume::On,
        ),
    ] {
        bench_strategy(&mut group, name, kind, &trusting(resume), &workload);
    }
    group.finish();
}

fn http1_vs_http2(c: &mut Criterion) {
    let mut group = c.benchmark_group("tls-http1-vs-http2-L10ms");
    let workload =
        waitbench_benches::batch_on(waitbench_benches::tls_server(), 200, 100, "latency=10ms");
    for (name, kind) in [
        ("http1.1-connection-per-task", StrategyKind::HyperTokio),
        ("http2-one-connection", StrategyKind::HyperTokioH2),
    ] {
        bench_strategy(&mut group, name, kind, &trusting(TlsResume::On), &workload);
    }
    group.finish();
}

criterion_group! {
    name = group;
    config = configured();
    targets = tls_reuse, http1_vs_http2
}
