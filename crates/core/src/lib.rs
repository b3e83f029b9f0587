//! waitbench-core: everything a measurement needs that is neither HTTP nor async.
//!
//! It holds the workload description ([`Workload`], [`LoadModel`]), the shared load-model
//! driver every strategy uses ([`Dispatcher`] hands out [`Ticket`]s), the per-worker
//! [`Recorder`] (hdrhistogram + outcome counters, merged at the end), the versioned result
//! schema ([`RunResult`] and friends, plain serde structs that the report and the
//! regression check read), client resource sampling, Little's-law predictions, and the
//! `/stats` document the mock server publishes. It runs no request and draws nothing.
//! With the `tokio` feature it also holds the one timer precise to tens of microseconds
//! ([`PreciseTimer`]) that the mock server's delays and the async strategies' open-loop
//! send times wait on.

pub mod capacity;
pub mod claim_ids;
pub mod connections;
pub mod dispatch;
pub mod environment;
pub mod error_samples;
pub mod extras;
pub mod hgrm;
pub mod hlog;
pub mod interchange;
pub mod interrupt;
pub mod limits;
pub mod littles_law;
pub mod merge;
pub mod named;
pub mod outcome;
pub mod pacing;
pub mod placement;
#[cfg(feature = "tokio")]
pub mod precise_timer;
pub mod rate_window;
pub mod recorder;
pub mod request;
pub mod resources;
pub mod result;
pub mod server_stats;
pub mod setup;
pub mod stack;
pub mod suite;
pub mod threshold;
pub mod timeline;
pub mod units;
pub mod workload;

pub use capacity::{Capacity, CapacityError, Demand};
pub use connections::{ConnectionReport, HttpVersion, ServerKeyType, TlsReport, TlsVersion};
pub use dispatch::{Dispatcher, Ticket};
pub use environment::Environment;
pub use error_samples::ErrorSamples;
pub use interchange::{EncodedHistogram, RunHistograms};
pub use merge::{MergeError, merge_runs, merge_trial_sets};
pub use outcome::{ErrorKind, Outcome, Tally};
pub use placement::{CpuSet, Placement, PlacementError};
#[cfg(feature = "tokio")]
pub use precise_timer::PreciseTimer;
pub use rate_window::RateWindow;
pub use recorder::{Counters, Measurement, Recorder, RecorderPool, Window, WorkerRecorder};
pub use request::{Header, RequestBody, RequestError, RequestSpec};
pub use resources::{ResourceSampler, ResourceUsage};
pub use result::{
    ClientResources, Counts, InjectedConditions, LatencySummary, LittlesLaw, OpenLoopStats,
    RunDocument, RunInputs, RunResult, SCHEMA_VERSION, ServerRunStats, Spread, StrategyInfo,
    TrialSet,
};
pub use server_stats::{Http2Streams, ServerStats, TlsHandshakes};
pub use stack::Stack;
pub use suite::{
    ClaimRow, Explained, Explanation, Point, SUITE_SCHEMA_VERSION, ScenarioResult, Series,
    StackFinding, SuiteResults, Variant, Verdict,
};
pub use timeline::{Timeline, TimelineSecond};
pub use workload::{ErrorPolicy, LoadModel, PathPlan, Timeouts, Workload, WorkloadError};

/// Serialises this crate's tests that start threads: the resource sampler test counts
/// the process's threads, which other tests' threads would otherwise change under it.
#[cfg(test)]
pub(crate) static THREAD_COUNTING: std::sync::Mutex<()> = std::sync::Mutex::new(());
