//! Reading a suite results file, with errors that say which file and what is wrong.

use std::path::Path;

use serde::Deserialize;
use serde::de::IgnoredAny;
use waitbench_core::SuiteResults;
use waitbench_core::suite::SUITE_SCHEMA_VERSION;

use crate::error::{FoundVersion, ReportError};

/// The few top-level fields looked at before the full parse, so that a file from another
/// schema version is reported as such rather than as a confusing missing field.
#[derive(Deserialize)]
struct Probe {
    schema_version: Option<u64>,
    scenarios: Option<IgnoredAny>,
    strategy: Option<IgnoredAny>,
    workload: Option<IgnoredAny>,
}

/// Reads and checks a `results.json` written by `waitbench reproduce`.
pub fn read_results(path: &Path) -> Result<SuiteResults, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            ReportError::MissingResults {
                path: path.to_path_buf(),
            }
        } else {
            ReportError::ReadResults {
                path: path.to_path_buf(),
                source,
            }
        }
    })?;
    parse_results(&text, path)
}

/// Parses the text of a results file; `path` is only used in errors.
pub(crate) fn parse_results(text: &str, path: &Path) -> Result<SuiteResults, ReportError> {
    let invalid = |err: serde_json::Error, what: &str| ReportError::InvalidResults {
        path: path.to_path_buf(),
        line: err.line(),
        // serde_json reports column 0 for a problem found at a line break.
        column: err.column().max(1),
        message: format!("{what}: {}", strip_position(&err)),
    };
    let probe: Probe =
        serde_json::from_str(text).map_err(|err| invalid(err, "not valid results JSON"))?;
    if probe.scenarios.is_none() && probe.strategy.is_some() && probe.workload.is_some() {
        return Err(ReportError::SingleRunNotSuite {
            path: path.to_path_buf(),
        });
    }
    match probe.schema_version {
        Some(v) if v == u64::from(SUITE_SCHEMA_VERSION) => {}
        found => {
            return Err(ReportError::UnsupportedSchema {
                path: path.to_path_buf(),
                found: found.map_or(FoundVersion::Missing, FoundVersion::Version),
                supported: SUITE_SCHEMA_VERSION,
            });
        }
    }
    serde_json::from_str(text)
        .map_err(|err| invalid(err, "does not match the suite results schema"))
}

/// serde_json's message without its trailing " at line L column C" (the error carries both).
fn strip_position(err: &serde_json::Error) -> String {
    let message = err.to_string();
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_give_line_and_column() {
        let err = parse_results(
            "{\n  \"schema_version\": 1,\n  oops\n}",
            Path::new("r.json"),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("r.json:3:3: not valid results JSON"),
            "{text}"
        );
        assert!(!text.contains(" at line "), "{text}");
    }

    #[test]
    fn a_single_run_file_is_named_as_such() {
        let err = parse_results(
            r#"{"schema_version": 1, "strategy": {}, "workload": {}}"#,
            Path::new("run.json"),
        )
        .unwrap_err();
        assert!(matches!(err, ReportError::SingleRunNotSuite { .. }));
    }

    #[test]
    fn missing_version_is_reported_before_other_fields() {
        let err = parse_results("{}", Path::new("r.json")).unwrap_err();
        assert!(err.to_string().contains("has no schema_version"), "{err}");
    }

    #[test]
    fn schema_mismatch_names_the_field() {
        let err = parse_results(r#"{"schema_version": 1}"#, Path::new("r.json")).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("does not match the suite results schema"),
            "{text}"
        );
        assert!(text.contains("missing field"), "{text}");
    }
}
