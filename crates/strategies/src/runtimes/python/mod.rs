//! The article's own stack: Python clients (`requests`, `ThreadPoolExecutor`, `aiohttp`
//! under `asyncio.gather`) run as strategies, measured by the same code as the Rust ones.
//!
//! Why a child process and not bindings: the point is to measure CPython as the article
//! ran it, interpreter, GIL and event loop included, so the client runs as an ordinary
//! `python` process. Python only executes; waitbench measures. The child is a client of
//! protocol 1 like any other ([`crate::external`]): it takes the tickets waitbench hands
//! out and writes one line per request; the load models, the clock, the recorder and the
//! resource sampling are waitbench's.
//!
//! This folder is the runtime: its environment ([`environment`]: a virtual environment
//! made from the pinned `client/requirements.txt` on first use), its client sources
//! (`client/`: `harness.py`, what every pattern shares, and one module per pattern,
//! compiled into the binary by [`sources`]), and its patterns, one row each
//! ([`patterns`]).

pub mod environment;
mod patterns;
pub(crate) mod sources;

pub use environment::{PythonEnvironment, PythonError, REQUIRE_PYTHON_ENV, python_required};

use waitbench_core::{Stack, StrategyInfo, Workload};

use crate::error::RunError;
use crate::external::Program;
use crate::kind::StrategyKind;
use crate::options::StrategyOptions;
use crate::runtimes::{Plan, Runtime};

/// CPython, in waitbench's own virtual environment.
#[derive(Debug, Clone, Copy)]
pub struct Python;

impl Runtime for Python {
    fn stack(&self) -> Stack {
        Stack::Python
    }

    fn kinds(&self) -> &'static [StrategyKind] {
        &StrategyKind::PYTHON
    }

    fn prepare(&self) -> Result<(), RunError> {
        PythonEnvironment::get()?;
        Ok(())
    }

    fn require_env(&self) -> &'static str {
        REQUIRE_PYTHON_ENV
    }

    fn program(&self, _kind: StrategyKind) -> Result<Program, RunError> {
        let environment = PythonEnvironment::get()?;
        // -s: no user site-packages; -E: no PYTHON* variables. Only the venv's packages
        // count. The pattern comes in the job's options.
        Ok(Program {
            program: environment.python().to_path_buf(),
            args: vec![
                "-s".into(),
                "-E".into(),
                environment
                    .sources()
                    .join("main.py")
                    .to_string_lossy()
                    .into_owned(),
            ],
            current_dir: Some(environment.sources().to_path_buf()),
        })
    }

    fn plan(
        &self,
        kind: StrategyKind,
        options: &StrategyOptions,
        workload: &Workload,
    ) -> Result<Plan, RunError> {
        patterns::pattern(kind).plan(options, workload)
    }

    fn info(
        &self,
        kind: StrategyKind,
        options: &StrategyOptions,
        workload: &Workload,
    ) -> StrategyInfo {
        patterns::pattern(kind).info(options, workload)
    }

    fn client_threads(
        &self,
        kind: StrategyKind,
        options: &StrategyOptions,
        concurrency: usize,
    ) -> usize {
        patterns::pattern(kind).client_threads(options, concurrency)
    }

    fn supports_ticker(&self, kind: StrategyKind) -> bool {
        patterns::pattern(kind).supports_ticker()
    }
}
