//! The default scenarios and CI baseline, built into the binary.
//!
//! An installed `waitbench` (`cargo install --path crates/cli`) has no checkout beside it,
//! so defaults read from `fixtures/` relative to the working directory would fail
//! anywhere but the repository root. The files are compiled in with `include_str!`
//! instead: editing `fixtures/scenarios/*.toml` or `fixtures/baselines/ci.json` is what
//! changes the binary, and `--scenarios DIR` / `--baseline FILE` still override them.

use std::path::{Path, PathBuf};

use crate::check::baseline::parse_baseline;
use crate::check::{Baseline, read_baseline};
use crate::error::Result;
use crate::scenario::{Scenario, from_text, load_dir};

/// One file compiled into the binary: its name in `fixtures/` and its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinFile {
    /// Path relative to the repository root, e.g. `fixtures/scenarios/a-fan-out.toml`.
    pub path: &'static str,
    /// The file's contents at build time.
    pub text: &'static str,
}

impl BuiltinFile {
    /// The name errors give it: its repository path, marked as the built-in copy.
    pub fn display_path(&self) -> PathBuf {
        PathBuf::from(format!("built-in {}", self.path))
    }
}

/// Compiles in a file of the repository's `fixtures/` folder.
macro_rules! fixture {
    ($path:literal) => {
        BuiltinFile {
            path: $path,
            text: include_str!(concat!("../../../", $path)),
        }
    };
}

/// Every scenario of `fixtures/scenarios/`, in file-name order (the order `load_dir` uses).
pub const SCENARIOS: [BuiltinFile; 11] = [
    fixture!("fixtures/scenarios/a-fan-out.toml"),
    fixture!("fixtures/scenarios/b-connection-reuse.toml"),
    fixture!("fixtures/scenarios/c-concurrency-sweep.toml"),
    fixture!("fixtures/scenarios/d-saturation.toml"),
    fixture!("fixtures/scenarios/e-memory.toml"),
    fixture!("fixtures/scenarios/f1-cpu-bound.toml"),
    fixture!("fixtures/scenarios/f2-blocking-in-async.toml"),
    fixture!("fixtures/scenarios/g-error-policy.toml"),
    fixture!("fixtures/scenarios/h-coordinated-omission.toml"),
    fixture!("fixtures/scenarios/i-tls-reuse.toml"),
    fixture!("fixtures/scenarios/j-http1-vs-http2.toml"),
];

/// The committed CI baseline, `fixtures/baselines/ci.json`.
pub const BASELINE: BuiltinFile = fixture!("fixtures/baselines/ci.json");

/// The built-in scenarios, parsed and validated.
pub fn scenarios() -> Result<Vec<Scenario>> {
    SCENARIOS
        .iter()
        .map(|file| from_text(file.text, &file.display_path()))
        .collect()
}

/// The built-in CI baseline, parsed and validated.
pub fn baseline() -> Result<Baseline> {
    parse_baseline(BASELINE.text, &BASELINE.display_path())
}

/// The scenarios of `dir` when one is given, otherwise the built-in ones.
pub fn load_scenarios(dir: Option<&Path>) -> Result<Vec<Scenario>> {
    dir.map_or_else(scenarios, load_dir)
}

/// The baseline in `file` when one is given, otherwise the built-in one.
pub fn load_baseline(file: Option<&Path>) -> Result<Baseline> {
    file.map_or_else(baseline, read_baseline)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repository() -> &'static Path {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
    }

    #[test]
    fn every_builtin_scenario_loads_and_covers_every_claim() {
        let claims: Vec<String> = scenarios()
            .expect("the built-in scenarios are valid")
            .into_iter()
            .map(|s| s.file.claim)
            .collect();
        // A claim judged on another's scenario (K on E's) has none of its own.
        let own: Vec<&str> = waitbench_core::claim_ids::ALL
            .into_iter()
            .filter(|id| crate::claims::scenario_claim(id) == *id)
            .collect();
        assert_eq!(
            claims, own,
            "one built-in scenario per claim with a scenario of its own, in file order"
        );
        for id in waitbench_core::claim_ids::ALL {
            let scenario = crate::claims::scenario_claim(id);
            assert!(
                claims.iter().any(|c| c == scenario),
                "claim {id} has no scenario"
            );
        }
    }

    #[test]
    fn builtin_scenarios_are_exactly_the_files_in_fixtures() {
        let dir = repository().join("fixtures/scenarios");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .expect("fixtures/scenarios exists in the repository")
            .map(|e| e.expect("a readable entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .map(|p| {
                p.strip_prefix(repository())
                    .expect("inside the repository")
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        on_disk.sort();
        let built_in: Vec<String> = SCENARIOS.iter().map(|f| f.path.to_string()).collect();
        assert_eq!(
            built_in, on_disk,
            "a scenario file was added or removed: list it in builtin::SCENARIOS"
        );
        for file in SCENARIOS {
            let text = std::fs::read_to_string(repository().join(file.path)).unwrap();
            assert_eq!(
                file.text, text,
                "{} differs from its built-in copy",
                file.path
            );
        }
    }

    #[test]
    fn builtin_baseline_is_the_committed_file_byte_for_byte() {
        let on_disk = std::fs::read(repository().join("fixtures/baselines/ci.json"))
            .expect("fixtures/baselines/ci.json exists in the repository");
        assert_eq!(BASELINE.text.as_bytes(), on_disk.as_slice());
        let parsed = baseline().expect("the built-in baseline is valid");
        assert_eq!(
            parsed,
            read_baseline(&repository().join(BASELINE.path)).unwrap()
        );
    }

    #[test]
    fn builtin_scenarios_are_named_by_file_stem_and_marked_as_built_in() {
        let first = &scenarios().unwrap()[0];
        assert_eq!(first.name, "a-fan-out");
        assert_eq!(
            first.path,
            Path::new("built-in fixtures/scenarios/a-fan-out.toml")
        );
    }

    #[test]
    fn a_given_folder_overrides_the_builtin_scenarios() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("only-co.toml"), SCENARIOS[8].text).unwrap();
        let loaded = load_scenarios(Some(dir.path())).unwrap();
        assert_eq!(loaded.len(), 1);
        assert_eq!(loaded[0].name, "only-co");
        assert_eq!(load_scenarios(None).unwrap().len(), SCENARIOS.len());
    }

    #[test]
    fn a_missing_baseline_file_is_an_error_not_the_builtin_one() {
        let err = load_baseline(Some(Path::new("no/such/baseline.json"))).unwrap_err();
        assert!(err.to_string().contains("no/such/baseline.json"), "{err}");
        assert!(load_baseline(None).is_ok());
    }
}
