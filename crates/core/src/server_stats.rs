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
    /// TLS handshakes since start, by kind, and their server CPU; absent from a server
    /// without TLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsHandshakes>,
    /// HTTP/2 connections and streams since start; absent from a server that cannot
    /// speak HTTP/2 (plain HTTP/1.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http2: Option<Http2Streams>,
}

/// A TLS server's handshakes since start: how many of each kind, and the CPU the
/// server's threads spent in them (each handshake's polls timed on the thread CPU clock
/// of the thread that ran them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TlsHandshakes {
    /// Full handshakes completed (a new session: key exchange and a signature).
    pub full: u64,
    /// Resumed handshakes completed (a session ticket or cached session accepted).
    pub resumed: u64,
    /// Handshakes that failed or timed out (e.g. a client that does not trust the
    /// certificate); no request is read on these connections.
    pub failed: u64,
    /// Server CPU seconds spent in full handshakes.
    pub full_cpu_seconds: f64,
    /// Server CPU seconds spent in resumed handshakes.
    pub resumed_cpu_seconds: f64,
    /// Server CPU per full handshake, microseconds; None before the first.
    pub cpu_per_full_us: Option<f64>,
    /// Server CPU per resumed handshake, microseconds; None before the first.
    pub cpu_per_resumed_us: Option<f64>,
}

/// A server's HTTP/2 traffic since start: how many requests shared each connection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Http2Streams {
    /// Connections that spoke HTTP/2 (h2c, or h2 chosen by ALPN).
    pub connections: u64,
    /// Streams (requests) opened on them, `/stats` and `/health` included.
    pub streams: u64,
}
