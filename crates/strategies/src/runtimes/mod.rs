//! The language runtimes whose clients waitbench drives in a child process, one folder
//! each, behind one trait: CPython today ([`python`]).
//!
//! A runtime brings its environment (set up on first use), the command that runs one of
//! its patterns, and a table of patterns, each one declaration with its sizing rule as
//! data. What it does not bring is a protocol or a load model: every runtime's clients
//! speak client protocol 1 and are driven by [`crate::external`], which hands out core's
//! tickets. A new runtime is a folder here, a line in [`RUNTIMES`], its strategies in
//! [`StrategyKind`] and its stack in [`Stack`]; `docs/architecture.md` lists the files.

pub mod python;

mod strategy;

pub use strategy::ExternalPattern;

use waitbench_core::{Stack, StrategyInfo, Workload};

use crate::error::RunError;
use crate::external::Program;
use crate::kind::StrategyKind;
use crate::options::StrategyOptions;

/// Every runtime, in the order summaries list their stacks.
pub const RUNTIMES: &[&dyn Runtime] = &[&python::Python];

/// How one pattern runs one workload: what the driver needs beyond the workload.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The pattern's options, the `job` line's `options` object.
    pub options: serde_json::Value,
    /// Tickets outstanding at most: C, or the pattern's takers when fewer.
    pub credits: usize,
}

/// A language runtime whose clients run in a child process.
pub trait Runtime: Sync {
    /// The stack its clients measure.
    fn stack(&self) -> Stack;

    /// Its patterns, as [`StrategyKind`] declares them.
    fn kinds(&self) -> &'static [StrategyKind];

    /// Sets up, on first use, what its clients need (an environment, a build), visibly
    /// and interruptibly; the error says why they cannot run.
    fn prepare(&self) -> Result<(), RunError>;

    /// The command that runs `kind`'s client (after [`prepare`](Self::prepare)).
    fn program(&self, kind: StrategyKind) -> Result<Program, RunError>;

    /// How `kind` runs `workload` with `options`; an error when it cannot.
    fn plan(
        &self,
        kind: StrategyKind,
        options: &StrategyOptions,
        workload: &Workload,
    ) -> Result<Plan, RunError>;

    /// What a result reports of `kind` with `options` on `workload`.
    fn info(
        &self,
        kind: StrategyKind,
        options: &StrategyOptions,
        workload: &Workload,
    ) -> StrategyInfo;

    /// The most threads (and processes) `kind` starts at `concurrency`, for the
    /// capacity check before a run.
    fn client_threads(
        &self,
        kind: StrategyKind,
        options: &StrategyOptions,
        concurrency: usize,
    ) -> usize;

    /// Whether `kind` can run the 1 ms ticker on its event loop.
    fn supports_ticker(&self, kind: StrategyKind) -> bool;
}

/// The runtime whose pattern `kind` is; `None` for waitbench's own Rust strategies.
pub fn runtime_of(kind: StrategyKind) -> Option<&'static dyn Runtime> {
    RUNTIMES
        .iter()
        .copied()
        .find(|runtime| runtime.kinds().contains(&kind))
}

/// The runtime of `stack`; `None` for Rust, and for a user's own client.
pub fn runtime_of_stack(stack: Stack) -> Option<&'static dyn Runtime> {
    RUNTIMES
        .iter()
        .copied()
        .find(|runtime| runtime.stack() == stack)
}
