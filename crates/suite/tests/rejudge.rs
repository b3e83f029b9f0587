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

/// Claims added after the reference run was measured: their scenarios are not in it, so
/// their figures are checked once a new reference run includes them. (None today: the
/// reference run holds every claim.)
const NEWER_THAN_REFERENCE: [&str; 0] = [];

/// A figure's key comes from its declaration: every figure a row holds must be one its
/// claim declares (on the stack the key names), so a figure emitted without a declaration,
/// which the gate would not know the direction, unit or stack of, fails here. The
/// reference run measured every series of the stacks it holds, so every figure declared
/// on those stacks is also emitted: a declaration that no code emits fails too. A stack
/// the reference run predates (Java) has its figures held by its claims' unit tests.
#[test]
fn every_figure_the_claims_emit_is_declared_and_every_declared_one_is_emitted() {
    let results = reference();
    let rows = waitbench_suite::claims::evaluate(&results.scenarios);
    let mut emitted = std::collections::BTreeSet::new();
    for row in &rows {
        let claim = waitbench_suite::claims::claim(&row.id).expect("a row of a declared claim");
        for key in row.figures.keys() {
            let (figure, stack) = claim.figure(key).unwrap_or_else(|| {
                panic!("claim {} emits {key}, which it does not declare", row.id)
            });
            emitted.insert((row.id.clone(), figure.name, stack));
        }
    }
    let measured: std::collections::BTreeSet<_> = results
        .scenarios
        .iter()
        .flat_map(|s| &s.series)
        .map(|s| s.stack)
        .collect();
    for claim in waitbench_suite::claims::CLAIMS {
        if NEWER_THAN_REFERENCE.contains(&claim.id) {
            assert!(
                rows.iter().all(|row| row.id != claim.id),
                "the reference run now has claim {}: take it off NEWER_THAN_REFERENCE",
                claim.id
            );
            continue;
        }
        for figure in claim.figures {
            for &stack in figure.stacks.iter().filter(|s| measured.contains(s)) {
                assert!(
                    emitted.contains(&(claim.id.to_string(), figure.name, stack)),
                    "claim {} declares {} on {stack} but the reference run's rows have none",
                    claim.id,
                    figure.key(stack)
                );
            }
        }
    }
}
