//! waitbench-suite: the claims suite as a library. It owns the scenario files, the claim
//! registry (which series each claim needs and how its verdict is judged), the runner
//! shared by `run`, `reproduce` and `check`, and the comparison with a committed baseline.
//!
//! It is everything the `waitbench` binary does that is not talking to a user: the binary
//! parses flags, draws progress and prints; this crate measures, judges and writes files,
//! so that tests and other crates can reach every rule. The default scenarios and CI
//! baseline are compiled in ([`builtin`]), so an installed binary needs no checkout.
//! It does not send requests itself (`waitbench-strategies` does), serve them
//! (`waitbench-mockserver`) or draw (`waitbench-report`).

pub mod builtin;
pub mod check;
pub mod claims;
pub mod client_check;
pub mod contention;
mod error;
pub mod exit;
pub mod flags;
pub mod interrupt;
pub mod journal;
pub mod load_spec;
pub mod measure;
pub mod merge;
pub mod output;
pub mod placement;
pub mod preflight;
pub mod progress;
pub mod runner;
pub mod scenario;
pub mod single;
pub mod start_at;
pub mod target_url;
#[cfg(test)]
mod test_server;

pub use builtin::{load_baseline, load_scenarios};
pub use error::{Result, SuiteError};
pub use measure::{Measured, Target, WaitbenchServer, measure, measure_placed};
pub use runner::{
    FULL_TRIALS, Focus, Progress, PythonSeries, ServerChoice, SuitePlan, run_suite, write_report,
};
pub use scenario::{Scenario, load_dir};
