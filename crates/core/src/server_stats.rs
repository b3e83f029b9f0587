//! The document the mock server publishes at `/stats`, shared so that clients parse
//! exactly what the server writes.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The mock server's counters since it started (monotonic, except the in-flight gauges
/// and the figures since the last reset).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServerStats {
    /// Requests answered or ended (including faults), excluding `/stats` and `/health`.
    pub requests_served: u64,
    /// Requests being handled right now.
    pub in_flight: u64,
    /// Most requests in flight at once since start or the last `POST /stats/reset`.
    pub max_in_flight: u64,
    /// Faults injected, by kind (`fail`, `reset`, `stall`, `bandwidth`, `pause`).
    pub faults: BTreeMap<String, u64>,
    /// TCP connections accepted.
    pub connections_accepted: u64,
    /// CPU time used by the server's own threads, in seconds.
    pub cpu_seconds: f64,
    /// The conditions the server applies to a request that asks for none (its
    /// `serve --latency …` flags), so a client can state what a run really had.
    #[serde(default)]
    pub defaults: crate::InjectedConditions,
    /// Requests served since start or the last `POST /stats/reset`.
    #[serde(default)]
    pub requests_since_reset: u64,
    /// CPU seconds of the server's threads since start or the last `POST /stats/reset`.
    #[serde(default)]
    pub cpu_seconds_since_reset: f64,
    /// Server CPU per request since start or the last `POST /stats/reset`, in
    /// microseconds: what a delayed request costs the cores the client shares. None
    /// until a request is served.
    #[serde(default)]
    pub cpu_per_request_us: Option<f64>,
    /// Times the precise delay timer woke the server's runtime since start: one wake-up
    /// completes every delay due by then, so fewer per request means more batching.
    #[serde(default)]
    pub timer_wakeups: u64,
    /// Timer wake-ups per request since start or the last `POST /stats/reset`. None
    /// until a request is served.
    #[serde(default)]
    pub timer_wakeups_per_request: Option<f64>,
}
