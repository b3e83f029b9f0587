//! What each strategy reports about itself: the settings that change a result and how
//! many requests it can really have in flight.

use waitbench_core::Workload;
use waitbench_strategies::{PoolSize, RuntimeFlavor, StrategyKind, StrategyOptions, build};

fn workload(concurrency: usize) -> Workload {
    Workload {
        target: "http://127.0.0.1:1".into(),
        paths: waitbench_core::PathPlan::Single { path: "/".into() },
        query: None,
        load: waitbench_core::LoadModel::Batch {
            requests: 1000,
            concurrency,
        },
        on_error: Default::default(),
        request: Default::default(),
        timeouts: Default::default(),
    }
}

fn effective(kind: StrategyKind, options: &StrategyOptions, concurrency: usize) -> usize {
    build(kind, options)
        .info(&workload(concurrency))
        .effective_concurrency
}

#[test]
fn effective_concurrency_follows_each_execution_model() {
    let defaults = StrategyOptions::default();
    let cores = std::thread::available_parallelism().unwrap().get();
    assert_eq!(effective(StrategyKind::UreqSequential, &defaults, 300), 1);
    assert_eq!(effective(StrategyKind::UreqRayon, &defaults, 300), 300);
    assert_eq!(effective(StrategyKind::ReqwestTokio, &defaults, 300), 300);
    assert_eq!(effective(StrategyKind::UreqPerRequest, &defaults, 300), 300);
    assert_eq!(
        effective(StrategyKind::ReqwestPerRequest, &defaults, 300),
        300
    );
    assert_eq!(
        effective(StrategyKind::TokioSpawnBlocking, &defaults, 300),
        300
    );
    assert_eq!(
        effective(StrategyKind::TokioBlocking, &defaults, 300),
        cores.min(300)
    );

    let rayon_default = StrategyOptions {
        threads: PoolSize::LibraryDefault,
        ..Default::default()
    };
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        assert_eq!(
            effective(StrategyKind::UreqRayon, &rayon_default, 300),
            cores
        );
    }
    let current = StrategyOptions {
        runtime_flavor: RuntimeFlavor::CurrentThread,
        ..Default::default()
    };
    assert_eq!(effective(StrategyKind::TokioBlocking, &current, 300), 1);
}

#[test]
fn every_strategy_reports_its_timeouts_proxy_and_client_settings() {
    for kind in StrategyKind::ALL {
        let info = build(kind, &StrategyOptions::default()).info(&workload(10));
        assert_eq!(info.name, kind.name());
        for key in [
            "timeout_connect",
            "timeout_request",
            "proxy",
            "keep_alive",
            "client",
        ] {
            assert!(
                info.settings.contains_key(key),
                "{kind} lacks {key}: {info:?}"
            );
        }
        assert_eq!(
            info.settings.contains_key("runtime_flavor"),
            kind.uses_tokio(),
            "{kind}"
        );
    }
}

#[test]
fn rayon_idle_limits_follow_the_pool_unless_given() {
    let info = build(StrategyKind::UreqRayon, &StrategyOptions::default()).info(&workload(300));
    assert_eq!(info.settings["rayon_threads"], "300");
    assert_eq!(info.settings["ureq_idle_per_host"], "300");
    let churn = StrategyOptions {
        idle_per_host: waitbench_strategies::IdlePerHost::Fixed(3),
        ..Default::default()
    };
    let info = build(StrategyKind::UreqRayon, &churn).info(&workload(300));
    assert_eq!(info.settings["ureq_idle_per_host"], "3");
}
