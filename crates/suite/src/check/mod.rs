//! `waitbench check`: compare a suite's results with a committed baseline and fail on a
//! regression, without crying wolf.
//!
//! Only metrics that do not depend on the machine's speed are gated: whether a strategy
//! keeps C requests in flight (time-averaged, so free of the window's edges), Little's-law
//! efficiency under latencies long enough that CPU contention cannot change the in-flight
//! count, speedup ratios and savings, accounting, and latency overshoot. Absolute req/s
//! and latency are tracked only.
//!
//! A gate on a shared machine still sees noise, so a gated metric that fails is
//! re-measured with fresh trials of that point alone before a regression is declared
//! ([`Confirmation`]), and the machine's load from other processes is measured around the
//! run ([`crate::contention`]). The verdict follows from both ([`GateVerdict::of`]).
//!
//! The pieces: [`metrics`] (what a result provides, declared once), [`baseline`] (the
//! committed file and how tolerances are derived from many runs), [`compare`], [`gate`]
//! (one check from start to verdict), [`render`] (terminal, Markdown and JSON) and
//! [`export`] (one file per tracking format). [`own`] checks a `run --json` document of
//! the user's own service instead: thresholds and a baseline run, no re-measurement.

pub mod baseline;
pub mod compare;
pub mod export;
pub mod gate;
pub mod metrics;
pub mod own;
pub mod render;

pub use baseline::{Baseline, BaselineMetric, Selection, Tolerance, make_baseline, read_baseline};
pub use compare::{Comparison, Confirmation, Status, compare};
pub use gate::{CONFIRMATION_TRIALS, Checked, GateVerdict, confirm};
pub use metrics::{Direction, MetricKey, PointMetric, metrics};
