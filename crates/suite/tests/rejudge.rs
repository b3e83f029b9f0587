//! Claims are derived data (`waitbench report` re-judges them from the stored
//! measurements), so the committed reference run is a regression test of every claim's
//! rule, extraction and prose: re-judging its scenarios must give the claims table it
//! holds, verdicts, figures and words alike.

use std::path::Path;

use waitbench_core::{ClaimRow, SuiteResults};

fn reference() -> SuiteResults {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reports/reference/results.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).expect("the reference run is a suite result")
}

#[test]
fn rejudging_the_reference_run_gives_its_claims_table() {
    let results = reference();
    let rejudged = waitbench_suite::claims::evaluate(&results.scenarios);
    if let Ok(out) = std::env::var("WAITBENCH_REJUDGED_OUT") {
        std::fs::write(out, serde_json::to_string_pretty(&rejudged).unwrap()).unwrap();
    }
    assert_eq!(rejudged.len(), results.claims.len());
    for (new, old) in rejudged.iter().zip(&results.claims) {
        // The stored figures went through JSON once more than the re-judged ones: they may
        // differ in the last bit, never more.
        assert_eq!(
            new.figures.keys().collect::<Vec<_>>(),
            old.figures.keys().collect::<Vec<_>>(),
            "claim {}",
            old.id
        );
        for (name, value) in &new.figures {
            let stored = old.figures[name];
            assert!(
                (value - stored).abs() <= 1e-12 * stored.abs().max(1.0),
                "claim {} figure {name}: {value} re-judged, {stored} stored",
                old.id
            );
        }
        let words = |row: &ClaimRow| ClaimRow {
            figures: Default::default(),
            ..row.clone()
        };
        assert_eq!(words(new), words(old), "claim {}", old.id);
    }
}
