//! A scenario with a `[server]` table runs against an embedded server of its own: here
//! claim BT's three arms over real TLS, whose handshake counts show in the results and
//! whose row is judged.

use std::path::Path;

use waitbench_core::claim_ids;
use waitbench_suite::runner::{PythonSeries, ServerChoice, SuitePlan};
use waitbench_suite::scenario::from_text;

const SCENARIO: &str = r#"
claim = "BT"
title = "reuse over TLS, small"
description = "three arms"
x = "none"

[server]
tls = true

[workload]
model = "batch"
requests = 20
concurrency = [2]
latency = "5ms"

[[series]]
label = "kept"
role = "tls-kept"
strategy = "reqwest-tokio"
variant = "plain"

[[series]]
label = "full"
role = "tls-full"
strategy = "reqwest-per-request"
variant = "plain"
set = { tls_resume = "off" }

[[series]]
label = "resumed"
role = "tls-resumed"
strategy = "ureq-per-request"
variant = "plain"
set = { tls_resume = "on" }
"#;

#[test]
fn a_scenario_with_a_tls_server_table_measures_real_handshakes_and_is_judged() {
    let scenario = from_text(SCENARIO, Path::new("tls-small.toml")).expect("a valid scenario");
    let plan = SuitePlan {
        quick: false,
        only: vec![],
        scenarios: vec![scenario],
        trials: Some(1),
        plants: vec![],
        focus: None,
        journal: None,
        resume: false,
        server: ServerChoice::Embedded,
        placement: None,
        python: PythonSeries::None,
        left_out: vec![],
    };
    let results = waitbench_suite::run_suite(&plan, &mut |_| {}).expect("the suite runs");
    let scenario = &results.scenarios[0];
    let tls = |role: &str| {
        let series = scenario.series.iter().find(|s| s.role == role).unwrap();
        let run = &series.points[0].trials.trials[0];
        assert_eq!(run.counts.ok, 20, "{role}: {:?}", run.error_samples);
        assert!(run.url.starts_with("https://"), "{}", run.url);
        let connections = run.connections.as_ref().expect("a connection report");
        let tls = connections.tls.clone().expect("TLS");
        (connections.opened, tls.full, tls.resumed)
    };
    let (kept_opened, _, _) = tls("tls-kept");
    assert!(
        kept_opened <= 2,
        "a kept session opens a connection per worker at most"
    );
    assert_eq!(
        tls("tls-full"),
        (20, 20, 0),
        "every new connection a full handshake"
    );
    let (opened, full, resumed) = tls("tls-resumed");
    assert_eq!(opened, 20);
    assert!(full <= 2 && resumed >= 18, "{full} full, {resumed} resumed");
    let row = results
        .claims
        .iter()
        .find(|row| row.id == claim_ids::BT)
        .expect("claim BT's row");
    assert!(row.figures.contains_key("saving_full"), "{:?}", row.figures);
    assert!(
        row.figures
            .contains_key("client_cpu_per_full_connection_us")
    );
}
