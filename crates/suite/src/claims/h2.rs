//! Beyond the article: HTTP/1.1 against HTTP/2. Threads need a connection each, async
//! over HTTP/1.1 a connection per request in flight, async over HTTP/2 a few connections
//! carrying every request as a stream, up to the server's limit of streams per
//! connection, beyond which streams wait in the client.
//!
//! The judge compares each HTTP/2 point with what Little's law allows once the limit is
//! counted: min(C, K × limit) requests in flight for L each. That, and where the server's
//! in-flight count stops, are properties of the protocol, not of the machine.

use waitbench_core::{
    ClaimRow, Point, RunResult, ScenarioResult, Series, Stack, Verdict, claim_ids,
};
use waitbench_mockserver::DEFAULT_MAX_CONCURRENT_STREAMS;

use super::{
    Claim, Emitted, Figure, Missing, RUST, StackFigures, higher, inconclusive, median_run, row,
    series,
};

const THREADS: &str = "h1-threads";
const H1_ASYNC: &str = "h1-async";
const H2_ON_1: &str = "h2-on-1";
const H2_ON_2: &str = "h2-on-2";
const H2_ON_8: &str = "h2-on-8";
const H2_STREAMS: &str = "h2-streams";

const H2_EFFICIENCY: Figure = higher("h2_efficiency", "ratio", RUST);
const IN_FLIGHT_WITHIN_LIMIT: Figure = higher("in_flight_within_limit", "ratio", RUST);
const IN_FLIGHT_AT_LIMIT: Figure = higher("in_flight_at_limit", "ratio", RUST);
const H2_OVER_H1: Figure = higher("h2_on_8_over_h1_async", "ratio", RUST);

pub(super) const CLAIM: Claim = Claim {
    id: claim_ids::H2,
    claim: "async over HTTP/2 carries C requests on K connections, up to K × the stream limit",
    claimed: "beyond the article",
    required_roles: &[H1_ASYNC, H2_ON_1, H2_STREAMS],
    optional_roles: &[THREADS, H2_ON_2, H2_ON_8],
    figures: &[
        H2_EFFICIENCY,
        IN_FLIGHT_WITHIN_LIMIT,
        IN_FLIGHT_AT_LIMIT,
        H2_OVER_H1,
    ],
    rule: rule_h2,
    assess,
};

/// The share of Little's-law throughput (with the stream limit) HTTP/2 must reach.
const H2_EFFICIENCY_MIN: f64 = 0.9;
/// How close the server's in-flight count must come to its bound (C within the limit,
/// K × limit beyond it), either side.
const IN_FLIGHT_TOLERANCE: f64 = 0.1;

fn rule_h2() -> String {
    format!(
        "reproduced if async over HTTP/2 reaches ≥ {:.0}% of min(C, K × limit) / L at every \
         C and K, and the server's in-flight count is C within the stream limit and stops \
         at K × limit beyond it (±{:.0}%: the rest wait in the client); only under stated \
         conditions if the throughput holds but the in-flight count does not; otherwise \
         not reproduced",
        H2_EFFICIENCY_MIN * 100.0,
        IN_FLIGHT_TOLERANCE * 100.0
    )
}

/// The verdict from the lowest HTTP/2 efficiency and the in-flight ratios within and at
/// the limit (server's max in flight ÷ its bound).
pub fn judge_h2(efficiency: f64, within: f64, at_limit: Option<f64>) -> Verdict {
    let near = |x: f64| (x - 1.0).abs() <= IN_FLIGHT_TOLERANCE;
    if efficiency.is_nan() || within.is_nan() {
        Verdict::Inconclusive
    } else if efficiency < H2_EFFICIENCY_MIN {
        Verdict::NotReproduced
    } else if near(within) && at_limit.is_some_and(near) {
        Verdict::Reproduced
    } else {
        Verdict::OnlyUnderConditions
    }
}

/// The stream limit per connection the scenario's server keeps (its default).
const LIMIT: f64 = DEFAULT_MAX_CONCURRENT_STREAMS as f64;

/// A run's HTTP/2 connections (K), from its settings.
fn connections(run: &RunResult) -> Option<f64> {
    run.strategy.settings.get("http2_connections")?.parse().ok()
}

/// A run's injected latency, seconds.
fn latency_s(run: &RunResult) -> f64 {
    super::b::spec_mean(run.injected.latency.as_deref()).as_secs_f64()
}

/// What a point may keep in flight: C, or K × limit when that is fewer.
fn bound(point: &Point, run: &RunResult) -> f64 {
    connections(run).map_or(point.x, |k| point.x.min(k * LIMIT))
}

/// Throughput ÷ min(C, K × limit) / L.
fn efficiency(point: &Point) -> f64 {
    median_run(point).map_or(f64::NAN, |run| {
        run.throughput_rps / (bound(point, run) / latency_s(run))
    })
}

/// The server's max in flight ÷ what the point may keep in flight.
fn in_flight(point: &Point) -> f64 {
    median_run(point).map_or(f64::NAN, |run| {
        run.server
            .as_ref()
            .map_or(f64::NAN, |s| s.max_in_flight as f64 / bound(point, run))
    })
}

/// The claim's figures on Rust's clients.
struct Figures {
    efficiency: f64,
    within: f64,
    at_limit: Option<f64>,
    over_h1: Option<f64>,
}

impl<'a> StackFigures<'a> for Figures {
    fn extract(s: &'a ScenarioResult, stack: Stack) -> Result<Self, Missing> {
        if stack != Stack::Rust {
            return Err(Missing::Absent);
        }
        let h2: Vec<&Series> = [H2_ON_1, H2_ON_2, H2_ON_8, H2_STREAMS]
            .iter()
            .filter_map(|role| series(s, role))
            .collect();
        let sweep = series(s, H2_STREAMS)
            .ok_or_else(|| Missing::Inconclusive("no streams-per-connection sweep".into()))?;
        if h2.iter().all(|x| x.points.is_empty()) {
            return Err(Missing::Inconclusive("no HTTP/2 point".into()));
        }
        let efficiency = h2
            .iter()
            .flat_map(|x| &x.points)
            .map(efficiency)
            .fold(f64::INFINITY, f64::min);
        // The sweep is on one connection: within the limit at C ≤ limit, at it beyond.
        let within = sweep
            .points
            .iter()
            .filter(|p| p.x <= LIMIT)
            .map(in_flight)
            .fold(f64::INFINITY, f64::min);
        let at_limit = sweep
            .points
            .iter()
            .filter(|p| p.x > LIMIT)
            .map(in_flight)
            .reduce(f64::max);
        let throughput = |role, x: f64| {
            series(s, role)?
                .points
                .iter()
                .find(|p| p.x == x)
                .and_then(median_run)
                .map(|r| r.throughput_rps)
        };
        let smallest = series(s, H1_ASYNC)
            .and_then(|x| x.points.first())
            .map(|p| p.x);
        let over_h1 =
            smallest.and_then(|x| Some(throughput(H2_ON_8, x)? / throughput(H1_ASYNC, x)?));
        Ok(Figures {
            efficiency,
            within: if within.is_finite() { within } else { f64::NAN },
            at_limit,
            over_h1,
        })
    }

    fn emit(&self, out: &mut Emitted) {
        out.put(&H2_EFFICIENCY, self.efficiency);
        out.put(&IN_FLIGHT_WITHIN_LIMIT, self.within);
        if let Some(x) = self.at_limit {
            out.put(&IN_FLIGHT_AT_LIMIT, x);
        }
        if let Some(x) = self.over_h1 {
            out.put(&H2_OVER_H1, x);
        }
    }
}

fn assess(claim: &Claim, s: &ScenarioResult) -> ClaimRow {
    let Ok(rust) = Figures::extract(s, Stack::Rust) else {
        return inconclusive(claim, "HTTP/1.1 and HTTP/2 series and the streams sweep");
    };
    let measured = format!(
        "HTTP/2 at ≥ {:.0}% of min(C, K × {LIMIT:.0}) / L; in flight {:.2} of C within the \
         limit, {} of K × limit beyond it{}",
        rust.efficiency * 100.0,
        rust.within,
        rust.at_limit.map_or("—".into(), |x| format!("{x:.2}")),
        rust.over_h1.map_or(String::new(), |x| format!(
            "; on 8 connections {x:.2}× async HTTP/1.1's throughput at the smallest C"
        ))
    );
    row(
        claim,
        measured,
        format!("throughput min(C, K × {LIMIT:.0}) / L; in flight C, capped at K × {LIMIT:.0}"),
        judge_h2(rust.efficiency, rust.within, rust.at_limit),
        "HTTP/2 puts every request of a connection in one socket: C requests need no C \
         connections or threads, until the server's limit of streams per connection, \
         beyond which they queue in the client (more connections lift the cap)."
            .into(),
        rust.emitted(Stack::Rust),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h2_needs_its_throughput_and_the_limit_to_show() {
        assert_eq!(judge_h2(0.95, 1.0, Some(0.98)), Verdict::Reproduced);
        assert_eq!(judge_h2(0.95, 1.0, Some(0.5)), Verdict::OnlyUnderConditions);
        assert_eq!(judge_h2(0.95, 1.0, None), Verdict::OnlyUnderConditions);
        assert_eq!(judge_h2(0.7, 1.0, Some(1.0)), Verdict::NotReproduced);
        assert_eq!(judge_h2(f64::NAN, 1.0, None), Verdict::Inconclusive);
    }
}
