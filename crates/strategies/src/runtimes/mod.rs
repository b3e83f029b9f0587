//! The language runtimes whose clients waitbench drives in a child process, one folder
//! each, behind one trait: CPython today ([`python`]).
//!
//! A runtime brings its environment (set up on first use), the command that runs one of
//! its patterns, and a table of patterns, each one declaration with its sizing rule as
//! data. What it does not bring is a protocol or a load model: every runtime's clients
//! speak client protocol 1 and are driven by [`crate::external`], which hands out core's
//! tickets. A new runtime is a folder here, a line in [`RUNTIMES`], its strategies in
//! [`StrategyKind`] and its stack in [`Stack`]; `docs/architecture.md` lists the files.

mod connections;
pub mod go;
pub mod java;
pub mod node;
pub mod python;
mod reference;
mod strategy;
pub mod toolchain;

pub use strategy::ExternalPattern;

use waitbench_core::{Stack, StrategyInfo, Workload};

use crate::error::RunError;
use crate::external::Program;
use crate::kind::StrategyKind;
use crate::options::StrategyOptions;

/// Every runtime, in the order summaries list their stacks.
pub const RUNTIMES: &[&dyn Runtime] = &[&python::Python, &go::GO, &java::JAVA, &node::NODE];

/// How one pattern runs one workload: what the driver needs beyond the workload.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The pattern's options, the `job` line's `options` object.
    pub options: serde_json::Value,
    /// Tickets outstanding at most: C, or the pattern's takers when fewer.
    pub credits: usize,
    /// Whether the pattern paces itself (protocol 1's self-paced mode) whatever
    /// `--self-paced` says: a pattern whose semantics need a request to leave the moment
    /// a task gets its slot, with no hand-out round trip between.
    pub self_paced: bool,
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

    /// The variable that makes this runtime required (`WAITBENCH_REQUIRE_PYTHON`): CI
    /// sets it, so that a client that cannot run is an error, never a series "not
    /// measured" that a green run hides.
    fn require_env(&self) -> &'static str;

    /// Whether [`require_env`](Self::require_env) is set (and not `0`).
    fn required(&self) -> bool {
        toolchain::required(self.require_env())
    }

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

/// A runtime's name as `--no-runtime` takes it: its stack's, in lower case, without
/// `.js` (`python`, `go`, `java`, `node`).
pub fn flag_name(stack: Stack) -> String {
    stack
        .name()
        .to_lowercase()
        .trim_end_matches(".js")
        .to_string()
}

/// The runtime `--no-runtime` names `name`; the error lists the names it takes.
pub fn stack_by_flag_name(name: &str) -> Result<Stack, String> {
    let name = name.trim().to_lowercase();
    RUNTIMES
        .iter()
        .map(|runtime| runtime.stack())
        .find(|&stack| flag_name(stack) == name || stack.name().to_lowercase() == name)
        .ok_or_else(|| {
            let known: Vec<String> = RUNTIMES.iter().map(|r| flag_name(r.stack())).collect();
            format!(
                "unknown runtime {name:?}; the runtimes are {}",
                known.join(", ")
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_runtime_takes_each_runtimes_short_name_and_lists_them_when_wrong() {
        assert_eq!(stack_by_flag_name("go"), Ok(Stack::Go));
        assert_eq!(stack_by_flag_name(" Java "), Ok(Stack::Java));
        assert_eq!(stack_by_flag_name("node"), Ok(Stack::Node));
        assert_eq!(stack_by_flag_name("node.js"), Ok(Stack::Node));
        assert_eq!(stack_by_flag_name("python"), Ok(Stack::Python));
        assert_eq!(
            stack_by_flag_name("rust"),
            Err("unknown runtime \"rust\"; the runtimes are python, go, java, node".into())
        );
        assert_eq!(flag_name(Stack::Node), "node");
    }

    #[test]
    fn every_runtime_has_its_own_stack_and_require_variable() {
        for (i, a) in RUNTIMES.iter().enumerate() {
            for b in &RUNTIMES[i + 1..] {
                assert_ne!(a.stack(), b.stack());
                assert_ne!(a.require_env(), b.require_env());
            }
            assert!(a.require_env().starts_with("WAITBENCH_REQUIRE_"));
            for &kind in a.kinds() {
                assert_eq!(kind.stack(), a.stack(), "{kind}");
                assert!(runtime_of(kind).is_some_and(|r| r.stack() == a.stack()));
            }
        }
    }
}
