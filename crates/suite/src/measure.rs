//! One measured run, the same for `run`, `reproduce` and `check`: server stats before,
//! resource sampling around the strategy, server stats after, assembled into a
//! [`RunResult`].

use std::sync::OnceLock;
use std::time::Duration;

use hdrhistogram::Histogram;
use waitbench_core::{
    Environment, InjectedConditions, ResourceSampler, RunInputs, RunResult, ServerRunStats,
    ServerStats,
};
use waitbench_mockserver::MockServer;
use waitbench_strategies::{RunError, Strategy};

/// The server a run measures.
pub enum Target<'a> {
    /// The mock server embedded in this process (its CPU is subtracted from the client's).
    Embedded(&'a MockServer),
    /// Any HTTP server; its `/stats` is read when it is a waitbench server.
    Remote(String),
}

impl Target<'_> {
    /// Base URL of the server.
    pub fn url(&self) -> String {
        match self {
            Target::Embedded(server) => server.url(),
            Target::Remote(url) => url.trim_end_matches('/').to_string(),
        }
    }

    /// The server's counters, if it publishes them.
    pub fn stats(&self) -> Option<ServerStats> {
        match self {
            Target::Embedded(server) => Some(server.stats()),
            Target::Remote(url) => stats_agent()
                .get(format!("{}/stats", url.trim_end_matches('/')))
                .call()
                .ok()
                .filter(|r| r.status().is_success())
                .and_then(|mut r| r.body_mut().read_json::<ServerStats>().ok()),
        }
    }

    /// Starts a fresh max-in-flight window on the server, where it supports that.
    pub fn reset_max_in_flight(&self) {
        match self {
            Target::Embedded(server) => server.reset_max_in_flight(),
            Target::Remote(url) => {
                let _ = stats_agent()
                    .post(format!("{}/stats/reset", url.trim_end_matches('/')))
                    .send_empty();
            }
        }
    }
}

/// One agent for every `/stats` read, so they share a kept-alive connection: a new
/// connection per read would show up in the server's connection count for the run.
fn stats_agent() -> &'static ureq::Agent {
    static AGENT: OnceLock<ureq::Agent> = OnceLock::new();
    AGENT.get_or_init(|| {
        ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(2)))
            .proxy(None)
            .http_status_as_error(false)
            .build()
            .new_agent()
    })
}

/// A run's result with its full latency histogram (for `.hgrm` output).
pub struct Measured {
    /// The assembled result.
    pub result: RunResult,
    /// Latency histogram in microseconds.
    pub latency: Histogram<u64>,
}

/// Runs `strategy` once on `workload` against `target` and assembles the result.
pub fn measure(
    strategy: &dyn Strategy,
    workload: &waitbench_core::Workload,
    target: &Target<'_>,
    injected: &InjectedConditions,
) -> Result<Measured, RunError> {
    target.reset_max_in_flight();
    let before = target.stats();
    let sampler = ResourceSampler::start();
    let measurement = strategy.run(workload)?;
    let resources = sampler.stop();
    let after = target.stats();
    let server = before
        .as_ref()
        .zip(after.as_ref())
        .map(|(b, a)| ServerRunStats::between(b, a));
    let embedded_server_cpu = match (target, &server) {
        (Target::Embedded(_), Some(s)) => Duration::from_secs_f64(s.cpu_s),
        _ => Duration::ZERO,
    };
    let result = RunResult::assemble(RunInputs {
        strategy: strategy.info(workload),
        workload,
        injected: injected.clone(),
        measurement: &measurement,
        resources,
        server,
        embedded_server_cpu,
        environment: Environment::capture(),
    });
    Ok(Measured {
        result,
        latency: measurement.recorder.latency,
    })
}
