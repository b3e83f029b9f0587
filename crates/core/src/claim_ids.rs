//! The ids of the article's claims (`docs/claims.md`), declared once: the claim registry
//! (`waitbench-suite`), the report's charts and the scenario files' `claim` name a claim
//! by these, and `results.json` records them as `ScenarioResult::claim` and `ClaimRow::id`.

/// 500 endpoints: sequential against async.
pub const A: &str = "A";
/// Reusing one session against a new one per request.
pub const B: &str = "B";
/// Async against threads at 300+ concurrent requests.
pub const C: &str = "C";
/// Throughput and p99 at saturation.
pub const D: &str = "D";
/// Memory per in-flight request: a thread against a task.
pub const E: &str = "E";
/// CPU-bound work: async gains nothing.
pub const F1: &str = "F1";
/// A blocking call inside async freezes the loop.
pub const F2: &str = "F2";
/// Gather cancels the rest on the first error.
pub const G: &str = "G";
/// The method check: closed-loop load hides server pauses (coordinated omission).
pub const CO: &str = "CO";

/// Claim B over real TLS: kept, full and resumed handshakes.
pub const BT: &str = "BT";
/// Beyond the article: HTTP/1.1 against HTTP/2.
pub const H2: &str = "H2";

/// Beyond the article: synchronous code on cheap threads keeps C/L like async.
pub const K: &str = "K";

/// Every claim id, in the order of the claims table.
pub const ALL: [&str; 12] = [A, B, C, D, E, F1, F2, G, CO, BT, H2, K];
