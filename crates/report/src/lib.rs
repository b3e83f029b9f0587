//! waitbench-report: turns a suite results file (`results.json`, written by
//! `waitbench reproduce`) into a report folder — PNG charts drawn with plotters and a
//! self-contained `index.html` — and formats the claims table and a run's summary for a
//! terminal.
//!
//! It reads results only: it never runs a request, so a report can be re-rendered from
//! the same file at any time. Charts use a bundled font (DejaVu Sans, see
//! `assets/LICENSE-DejaVu.txt`), so no system font or fontconfig is needed; the HTML page
//! inlines its style sheet (`assets/report.css`) and references the PNGs beside it, so it
//! opens from disk without a server or network. The claims table is one model
//! (`claims_table`) drawn for the terminal and for the page. Writing the folder atomically (temp dir + rename) is the caller's
//! job: [`render`] writes into the directory it is given.

mod charts;
mod claims_markdown;
mod claims_table;
mod claims_text;
mod comparison;
mod error;
mod figures;
mod html;
mod read;
mod summary;
mod trials;

use std::path::{Path, PathBuf};

use waitbench_core::SuiteResults;

pub use claims_markdown::{
    SpliceError, TABLE_END, TABLE_START, claims_table_markdown, splice_table,
};
pub use claims_text::claims_table_text;
pub use comparison::comparison;
pub use error::{FoundVersion, ReportError};
pub use read::read_results;
pub use summary::{headline, summary};

/// Width and height of every chart, in pixels.
pub const CHART_SIZE_PX: (u32, u32) = charts::theme::SIZE;

/// Name of the HTML page inside the report folder.
pub const INDEX_FILE: &str = "index.html";

/// A chart written into the report folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedChart {
    /// File name inside the folder, e.g. `throughput-vs-concurrency.png`.
    pub file_name: String,
    /// Full path of the PNG.
    pub path: PathBuf,
    /// Claim id the chart belongs to.
    pub claim: String,
    /// Index into [`SuiteResults::scenarios`] of the scenario drawn.
    pub scenario: usize,
}

/// A chart that was not drawn, and why (e.g. its scenario did not run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedChart {
    /// File name it would have had.
    pub file_name: String,
    /// Claim id it belongs to.
    pub claim: String,
    /// Why it was skipped.
    pub reason: String,
}

/// What [`render`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedReport {
    /// The HTML page.
    pub index_html: PathBuf,
    /// The charts drawn, in report order.
    pub charts: Vec<RenderedChart>,
    /// The charts skipped, with reasons.
    pub skipped: Vec<SkippedChart>,
}

impl RenderedReport {
    /// Every file written: the charts, then `index.html`.
    pub fn files(&self) -> Vec<&Path> {
        self.charts
            .iter()
            .map(|c| c.path.as_path())
            .chain([self.index_html.as_path()])
            .collect()
    }
}

/// Renders the report for `results` into `out_dir` (created if missing): one PNG per
/// chart whose scenario is present, and `index.html`.
pub fn render(results: &SuiteResults, out_dir: &Path) -> Result<RenderedReport, ReportError> {
    std::fs::create_dir_all(out_dir).map_err(|source| ReportError::Write {
        path: out_dir.to_path_buf(),
        source,
    })?;
    if !charts::theme::ensure_font() {
        return Err(ReportError::Font);
    }
    let (charts, skipped) = charts::render_all(results, out_dir)?;
    let index_html = out_dir.join(INDEX_FILE);
    let page = html::page(results, &charts, &skipped);
    std::fs::write(&index_html, page).map_err(|source| ReportError::Write {
        path: index_html.clone(),
        source,
    })?;
    Ok(RenderedReport {
        index_html,
        charts,
        skipped,
    })
}
