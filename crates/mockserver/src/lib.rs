//! waitbench-mockserver: the HTTP server that waitbench's clients are measured against.
//!
//! It injects what real services do to clients, precisely and on demand: per-request
//! latency drawn from a distribution ([`LatencySpec`]: fixed, uniform, normal,
//! log-normal, Pareto, mixtures), a connection-setup delay on the first request of each
//! connection, and faults ([`Faults`]: error statuses, connection resets, stalls, slow
//! bodies, whole-server pauses). Delays run on a timer precise to tens of microseconds
//! (a `timerfd` in the server's own event loop), not tokio's 1 ms wheel, and every response says in a `Server-Timing` header what was
//! sampled and what was applied. The server counts what it did ([`ServerStats`] at
//! `/stats`, including the CPU time of its own threads), and runs embedded in a test or
//! benchmark ([`MockServer`], on its own runtime and threads) or standalone ([`serve`]).
//! It knows nothing about clients or strategies and draws no charts.
//!
//! It speaks HTTP/1.1, HTTP/2 in cleartext (h2c) or HTTPS through rustls with ALPN h2
//! and http/1.1 ([`ProtocolConfig`]), with a certificate signed at start by a local CA
//! that is made once and cached; every protocol wraps the same request handling, and
//! `/stats` counts full and resumed TLS handshakes, their CPU, and HTTP/2 streams.
//!
//! It protects itself where others can reach it: connections over a cap get a 503 and
//! are closed, a connection that sends no whole request head within the header-read
//! timeout (idle, or dribbling its headers) is closed, and off loopback the control
//! endpoints need a token (see [`ServerConfig`]). Per-request parameters stay open: they
//! touch only the request that asks.
//!
//! What to inject is one value, [`Conditions`] (latency, connect delay and every fault),
//! read and written the same way wherever it is given: CLI flag, scenario file, query
//! parameter, `x-waitbench-*` header, or the result file's record. Its parameters share
//! one grammar, whose durations, sizes, rates and probabilities are core's
//! ([`waitbench_core::units`]); malformed or out-of-range values are rejected with a
//! [`SpecError`] naming the parameter, the value and the accepted form (a 400 JSON body
//! over HTTP).
//!
//! [`ServerStats`]: waitbench_core::ServerStats

mod app;
mod body;
mod certificate;
mod conditions;
mod config;
mod connection;
mod control;
mod error;
mod faults;
mod latency;
mod listener;
mod parameter;
mod protocol;
mod query;
mod server;
mod service;
mod spec;
mod stats;
mod tls;

use std::time::Duration;

pub use app::{AppState, SERVER_HEADER, app};
pub use certificate::{CA_CERT_FILE, LEAF_NAMES};
pub use conditions::Conditions;
pub use config::{
    DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_CONNECTIONS, DEFAULT_SHUTDOWN_TIMEOUT, ServerConfig,
    listen_address,
};
pub use control::{CONTROL_TOKEN_ENV, CONTROL_TOKEN_HEADER, generate_control_token};
pub use error::ServerError;
pub use faults::{
    FailFault, FaultKind, Faults, PauseFault, format_bandwidth, parse_bandwidth, parse_fail,
    parse_pause, parse_probability,
};
pub use latency::{LatencySpec, parse_latency};
pub use listener::LISTEN_BACKLOG;
pub use parameter::Parameter;
pub use protocol::{DEFAULT_MAX_CONCURRENT_STREAMS, KeyType, ProtocolConfig};
pub use server::{MockServer, serve};
pub use spec::{SpecError, format_duration_spec, parse_duration_spec};

/// Longest delay the server applies (latency, connect delay or one pause): a spec whose
/// stated value exceeds it is rejected, and sampled tail values above it are clamped.
pub const MAX_DELAY: Duration = Duration::from_secs(60);

/// Largest body `/bytes/{n}` serves (16 MiB), so a typo cannot exhaust memory or time.
pub const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

/// Longest a stalled request is held before its connection is closed.
pub const MAX_STALL: Duration = Duration::from_secs(60);
