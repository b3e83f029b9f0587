//! The gate's teeth, shown without a live run: the recorded results of `waitbench check`
//! runs with a planted regression fail against the committed baseline, naming the metric
//! the plant moves, and a recorded run of unchanged code passes. The fixtures are
//! `results.json` files kept from `scripts/gate-noise.sh` runs (docs/ci-gate.md, "How
//! well the gate holds, measured"), each with the coordinated-omission scenario of one
//! quick run of unchanged code added (the median of the 30 that the send-lag metrics'
//! baseline came from), since those gate-noise runs predate the send-lag metrics, and
//! claims BT's and H2's scenarios and rows of one quick Rust-only run of unchanged code
//! (`reproduce --quick --only BT,H2 --no-python`, the 15th of the 30 their entries came
//! from), since those runs predate the TLS and HTTP/2 metrics; neither plant touches the
//! strategies those metrics read.

use std::path::{Path, PathBuf};

use waitbench_core::SuiteResults;
use waitbench_suite::check::{Baseline, GateVerdict, gate, read_baseline};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

fn baseline() -> Baseline {
    read_baseline(&repo("fixtures/baselines/ci.json")).expect("the committed baseline reads")
}

fn recorded(name: &str) -> SuiteResults {
    let path = repo("crates/suite/tests/fixtures").join(name);
    let text = std::fs::read_to_string(&path).expect("the recorded results exist");
    serde_json::from_str(&text).expect("the recorded results parse")
}

fn failing(name: &str) -> (GateVerdict, Vec<String>) {
    let checked = gate::stored(&baseline(), recorded(name)).expect("the results have every metric");
    let failed = checked
        .rows
        .iter()
        .filter(|r| r.fails())
        .map(|r| r.name.clone())
        .collect();
    (checked.verdict, failed)
}

#[test]
fn a_pool_capped_at_80_percent_of_c_fails_the_gate_on_in_flight_ratio() {
    let (verdict, failed) = failing("planted-reqwest-in-flight-80.json");
    assert_eq!(verdict, GateVerdict::Regression, "{failed:?}");
    for metric in [
        "C.async@100.in_flight_ratio",
        "C.async@300.in_flight_ratio",
        "C.async@1000.in_flight_ratio",
    ] {
        assert!(
            failed.iter().any(|f| f == metric),
            "{metric} not in {failed:?}"
        );
    }
}

#[test]
fn a_fixed_delay_per_request_fails_the_gate_on_efficiency() {
    let (verdict, failed) = failing("planted-threads-delay.json");
    assert_eq!(verdict, GateVerdict::Regression, "{failed:?}");
    assert!(
        failed
            .iter()
            .any(|f| f.starts_with("C.threads-right-sized@") && f.ends_with(".efficiency")),
        "{failed:?}"
    );
    // The plant is in the thread pool only: the async series hold.
    assert!(
        !failed.iter().any(|f| f.starts_with("C.async@")),
        "{failed:?}"
    );
}

#[test]
fn unchanged_code_passes_the_gate() {
    let (verdict, failed) = failing("unchanged.json");
    assert_eq!(verdict, GateVerdict::Pass, "{failed:?}");
}
