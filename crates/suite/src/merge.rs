//! `waitbench merge`: the run documents that N client hosts wrote at the same time,
//! read and added up into one (the arithmetic is core's [`waitbench_core::merge`]).

use std::path::{Path, PathBuf};

use waitbench_core::{RunDocument, TrialSet, merge_trial_sets};

use crate::error::{Result, SuiteError};

/// Reads one `waitbench run --json` document.
pub fn read_document(path: &Path) -> Result<RunDocument<'static>> {
    let bytes = std::fs::read(path).map_err(|source| SuiteError::Read {
        path: path.to_path_buf(),
        hint: "",
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|source| SuiteError::Document {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads the documents at `paths` and merges them trial by trial; the merged document
/// records `command` as the command that made it.
pub fn merge_files(paths: &[PathBuf], command: Vec<String>) -> Result<RunDocument<'static>> {
    let documents: Vec<RunDocument<'static>> = paths
        .iter()
        .map(|p| read_document(p))
        .collect::<Result<_>>()?;
    let sets: Vec<&TrialSet> = documents.iter().map(|d| d.result.as_ref()).collect();
    let merged = merge_trial_sets(&sets)?;
    Ok(RunDocument {
        schema_version: waitbench_core::SCHEMA_VERSION,
        command,
        result: std::borrow::Cow::Owned(merged),
    })
}
