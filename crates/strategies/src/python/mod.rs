//! The article's own stack: Python clients (`requests`, `ThreadPoolExecutor`, `aiohttp`
//! under `asyncio.gather`) run as strategies, measured by the same code as the Rust ones.
//!
//! Why a child process and not bindings: the point is to measure CPython as the article
//! ran it, interpreter, GIL and event loop included, so the client runs as an ordinary
//! `python` process. Python only executes; waitbench measures. The child streams one
//! fixed-size frame per request (intended, sent and ended times on CLOCK_MONOTONIC, the
//! clock of [`std::time::Instant`] on Linux, and the outcome) over its stdout, and
//! [`protocol`] replays every frame into core's [`Recorder`](waitbench_core::Recorder):
//! the latency definition, warm-up rule, outcome classes, accounting check and
//! histograms are core's. The child's CPU, memory and threads are sampled from outside
//! with core's [`ResourceSampler`](waitbench_core::ResourceSampler), from the moment its
//! client exists (before threads and tasks are started) until its last frame.
//!
//! The Python sources (`crates/strategies/python/`, one module per pattern) are compiled
//! into the binary and written into waitbench's cache on use, beside a virtual
//! environment made from the pinned `requirements.txt` on first use ([`environment`]).

pub(crate) mod child;
pub mod environment;
pub(crate) mod protocol;
pub(crate) mod sources;

pub use environment::{PythonEnvironment, PythonError, REQUIRE_PYTHON_ENV, python_required};
