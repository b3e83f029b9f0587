//! A suite run's journal: every finished run is appended as one JSON line the moment it
//! ends, so Ctrl-C or a crash in minute 11 of a 12-minute suite loses at most the run
//! under way, and `reproduce --resume` measures only what is missing.
//!
//! The journal sits beside the report folder (`reports/latest.journal.jsonl` for
//! `--out reports/latest`), because the folder itself is replaced whole when the report
//! is written. Its first line names the plan (every planned run, in order); a journal
//! written by another plan (other flags, other scenarios) is refused on resume rather
//! than mixed in. Lines are appended and flushed one at a time; a line cut short by a
//! crash can only be the last one, and is ignored. The journal is removed once a complete
//! report is written.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use waitbench_core::RunResult;

use crate::error::{Result, SuiteError};
use crate::output::io;

/// Version of the journal's line format.
const JOURNAL_VERSION: u32 = 1;

/// Which run of the plan a result belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunKey {
    /// Scenario name.
    pub scenario: String,
    /// Series label.
    pub series: String,
    /// The point's x.
    pub x: f64,
    /// Trial number from 1.
    pub trial: usize,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Header {
    journal: u32,
    quick: bool,
    plan: Vec<RunKey>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    run: RunKey,
    result: RunResult,
}

/// The journal of one suite run, open for appending.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
}

/// The journal file for the report folder `out`.
pub fn path_for(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "report".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!("{name}.journal.jsonl"))
}

/// Removes the journal of the report folder `out`, if there is one: its suite is
/// complete and written.
pub fn remove_for(out: &Path) -> Result<()> {
    let path = path_for(out);
    match fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io("removing", &path)(e)),
        _ => Ok(()),
    }
}

impl Journal {
    /// Starts a new journal for `plan` at `path`, replacing any old one.
    pub fn create(path: &Path, quick: bool, plan: &[RunKey]) -> Result<Self> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(io("creating", parent))?;
        }
        let file = File::create(path).map_err(io("creating", path))?;
        let mut journal = Journal {
            path: path.to_path_buf(),
            file,
        };
        journal.append(&Header {
            journal: JOURNAL_VERSION,
            quick,
            plan: plan.to_vec(),
        })?;
        Ok(journal)
    }

    /// Opens the journal at `path` to continue `plan`: returns the runs it holds, in the
    /// order they were measured. Refused when it was written for another plan.
    pub fn resume(
        path: &Path,
        quick: bool,
        plan: &[RunKey],
    ) -> Result<(Self, Vec<(RunKey, RunResult)>)> {
        let refuse = |message: String| SuiteError::Journal {
            path: path.to_path_buf(),
            message,
        };
        let file = File::open(path).map_err(|e| {
            refuse(format!(
                "cannot be read ({e}): there is nothing to resume; run without --resume"
            ))
        })?;
        let lines: Vec<String> = BufReader::new(file)
            .lines()
            .collect::<std::io::Result<_>>()
            .map_err(|e| refuse(format!("cannot be read: {e}")))?;
        let header: Header = lines
            .first()
            .and_then(|l| serde_json::from_str(l).ok())
            .ok_or_else(|| refuse("has no plan line: run without --resume to start over".into()))?;
        let expected = Header {
            journal: JOURNAL_VERSION,
            quick,
            plan: plan.to_vec(),
        };
        if header != expected {
            return Err(refuse(
                "was written for another plan (other flags or scenarios): resume with the \
                 flags it was started with, or run without --resume to start over"
                    .into(),
            ));
        }
        let mut done = Vec::new();
        let last = lines.len() - 1;
        for (n, line) in lines.iter().enumerate().skip(1) {
            match serde_json::from_str::<Entry>(line) {
                Ok(entry) if plan.contains(&entry.run) => done.push((entry.run, entry.result)),
                Ok(entry) => {
                    return Err(refuse(format!(
                        "line {}: run {:?} is not in the plan",
                        n + 1,
                        entry.run
                    )));
                }
                // Only the last line can have been cut short by a crash.
                Err(_) if n == last => {}
                Err(e) => return Err(refuse(format!("line {} is not a run: {e}", n + 1))),
            }
        }
        // Rewritten whole, so a cut-short last line does not stay in front of new ones.
        let mut journal = Journal::create(path, quick, plan)?;
        for (run, result) in &done {
            journal.record(run, result)?;
        }
        Ok((journal, done))
    }

    /// Appends one finished run and flushes it to disk.
    pub fn record(&mut self, run: &RunKey, result: &RunResult) -> Result<()> {
        self.append(&Entry {
            run: run.clone(),
            result: result.clone(),
        })
    }

    /// Where the journal is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn append<T: Serialize>(&mut self, value: &T) -> Result<()> {
        let mut line = serde_json::to_vec(value).map_err(|source| SuiteError::Serialize {
            what: "a journal line",
            source,
        })?;
        line.push(b'\n');
        self.file
            .write_all(&line)
            .and_then(|()| self.file.sync_data())
            .map_err(io("appending to", &self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Appends raw text, as a crash in the middle of a line would leave it.
    fn append_raw(path: &Path, text: &str) {
        let mut f = fs::OpenOptions::new().append(true).open(path).unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }

    fn key(x: f64, trial: usize) -> RunKey {
        RunKey {
            scenario: "c-concurrency-sweep".into(),
            series: "async".into(),
            x,
            trial,
        }
    }

    fn result(throughput: f64) -> RunResult {
        let text = include_str!("../../report/tests/fixtures/small-results.json");
        let suite: waitbench_core::SuiteResults = serde_json::from_str(text).unwrap();
        let mut r = suite.scenarios[0].series[0].points[0].trials.trials[0].clone();
        r.throughput_rps = throughput;
        r
    }

    #[test]
    fn resume_returns_every_recorded_run_and_ignores_a_cut_short_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latest.journal.jsonl");
        let plan = [key(1.0, 1), key(10.0, 1), key(100.0, 1)];
        let mut journal = Journal::create(&path, true, &plan).unwrap();
        journal.record(&plan[0], &result(10.0)).unwrap();
        journal.record(&plan[1], &result(99.0)).unwrap();
        drop(journal);
        append_raw(&path, "{\"run\":{\"scenario\":\"c-con");
        let (_journal, done) = Journal::resume(&path, true, &plan).unwrap();
        let got: Vec<(RunKey, f64)> = done
            .into_iter()
            .map(|(k, r)| (k, r.throughput_rps))
            .collect();
        assert_eq!(got, [(plan[0].clone(), 10.0), (plan[1].clone(), 99.0)]);
        // The cut-short line is gone from the rewritten journal.
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
    }

    #[test]
    fn a_journal_of_another_plan_is_refused_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latest.journal.jsonl");
        Journal::create(&path, true, &[key(1.0, 1)]).unwrap();
        let err = Journal::resume(&path, false, &[key(1.0, 1)]).unwrap_err();
        assert!(err.to_string().contains("another plan"), "{err}");
        assert!(err.to_string().contains("without --resume"), "{err}");
    }

    #[test]
    fn resuming_without_a_journal_says_there_is_nothing_to_resume() {
        let dir = tempfile::tempdir().unwrap();
        let err = Journal::resume(&dir.path().join("none.jsonl"), true, &[]).unwrap_err();
        assert!(err.to_string().contains("nothing to resume"), "{err}");
    }

    #[test]
    fn the_journal_sits_beside_the_report_folder() {
        assert_eq!(
            path_for(Path::new("reports/latest")),
            Path::new("reports/latest.journal.jsonl")
        );
    }
}
