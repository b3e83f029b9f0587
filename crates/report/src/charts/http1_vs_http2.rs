//! Claim H2: HTTP/1.1 against HTTP/2, drawn as claim C's throughput against
//! concurrency with the C/L bound: threads and async HTTP/1.1 on the bound while they
//! keep up, async HTTP/2 on it up to K × the server's stream limit and flat beyond,
//! which the share-of-bound panel shows as the queue forming in the client.

use super::ChartSpec;

/// The chart.
pub(crate) const CHART: ChartSpec = ChartSpec {
    file: "http1-vs-http2.png",
    claim: waitbench_core::claim_ids::H2,
    draw: super::throughput_vs_concurrency::draw,
};
