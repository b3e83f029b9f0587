//! Typed errors of reading results and rendering a report, each naming the file involved.

use std::path::PathBuf;

use thiserror::Error;

/// Why a results file could not be read or a report could not be written.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The results file does not exist.
    #[error("results file {} does not exist (write one with `waitbench reproduce`)", path.display())]
    MissingResults {
        /// The path given.
        path: PathBuf,
    },
    /// The results file exists but could not be read.
    #[error("cannot read results file {}", path.display())]
    ReadResults {
        /// The path given.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The results file is not valid JSON, or does not match the suite schema.
    #[error("{}:{line}:{column}: {message}", path.display())]
    InvalidResults {
        /// The path given.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What is wrong there.
        message: String,
    },
    /// The results file was written with a schema version this report does not read.
    #[error(
        "results file {} has {found}, but this waitbench reads schema_version \
         {supported}; re-run `waitbench reproduce` or use the waitbench that wrote it",
        path.display()
    )]
    UnsupportedSchema {
        /// The path given.
        path: PathBuf,
        /// The version found in the file (`None` when the field is missing).
        found: FoundVersion,
        /// The version this crate reads.
        supported: u32,
    },
    /// The file holds a single run (`waitbench run --json`), not a suite.
    #[error(
        "{} holds a single run result (from `waitbench run`), not suite results \
         (from `waitbench reproduce`); a report needs the suite file",
        path.display()
    )]
    SingleRunNotSuite {
        /// The path given.
        path: PathBuf,
    },
    /// The output directory or a file in it could not be written.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// plotters failed to draw or encode a chart.
    #[error("cannot draw chart {}: {message}", path.display())]
    Chart {
        /// The PNG file being drawn.
        path: PathBuf,
        /// plotters' error, as text (its error types are generic over the backend).
        message: String,
    },
    /// The bundled font could not be registered with plotters.
    #[error("the bundled chart font (DejaVu Sans) could not be loaded")]
    Font,
}

/// The `schema_version` found in a results file, for [`ReportError::UnsupportedSchema`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoundVersion {
    /// The field is absent.
    Missing,
    /// The field holds this version.
    Version(u64),
}

impl std::fmt::Display for FoundVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FoundVersion::Missing => f.write_str("no schema_version"),
            FoundVersion::Version(v) => write!(f, "schema_version {v}"),
        }
    }
}
