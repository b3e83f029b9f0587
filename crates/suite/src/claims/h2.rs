//! Beyond the article: HTTP/1.1 against HTTP/2. Threads need a connection each, async
//! over HTTP/1.1 a connection per request in flight, async over HTTP/2 a few connections
//! carrying every request as a stream, up to the server's limit of streams per
//! connection, beyond which streams wait in the client.
//!
//! The judge compares each HTTP/2 point with what Little's law allows once the limit is
//! counted: min(C, K × limit) requests in flight for L each. That, and where the server's
//! in-flight count stops, are properties of the protocol, not of the machine. K is the
//! client's setting (`--connections`) or, for a client that picks its own (httpx), the
//! HTTP/2 connections it opened.
//!
//! The second question (is it explained?) tests where the rest goes: streams beyond the
//! limit wait in the client, so by Little's law a closed loop's mean latency is
//! L × max(1, C / (K × limit)) on the streams sweep.
//!
//! Each stack is judged alike from its own series: Rust's hyper (on 1, 2 and 8
//! connections, and the sweep on one), Python's httpx (`py-httpx-async --http2`, whose
//! pool multiplexes every coroutine on one connection, so its series is its sweep).

use waitbench_core::units::format_micros;
use waitbench_core::{
    Explanation, HttpVersion, Point, RunResult, ScenarioResult, Series, Stack, Verdict, claim_ids,
};
use waitbench_mockserver::DEFAULT_MAX_CONCURRENT_STREAMS;

use super::explain::{self, Prediction};
use super::{
    BOTH, Claim, Emitted, Figure, Missing, PYTHON, RUST, RowText, StackFigures, higher, median_run,
    series,
};

const THREADS: &str = "h1-threads";
const H1_ASYNC: &str = "h1-async";
const H2_ON_1: &str = "h2-on-1";
const H2_ON_2: &str = "h2-on-2";
const H2_ON_8: &str = "h2-on-8";
const H2_STREAMS: &str = "h2-streams";
const PY_H1_ASYNC: &str = "py-h1-async";
const PY_H2: &str = "py-h2";

const H2_EFFICIENCY: Figure = higher("h2_efficiency", "ratio", BOTH).flips_at(H2_EFFICIENCY_MIN);
/// The in-flight ratios: machine-independent (the protocol's, not the machine's), and
/// the verdict flips where they leave ±[`IN_FLIGHT_TOLERANCE`] of 1.
const IN_FLIGHT_WITHIN_LIMIT: Figure =
    higher("in_flight_within_limit", "ratio", BOTH).flips_at(1.0 - IN_FLIGHT_TOLERANCE);
const IN_FLIGHT_AT_LIMIT: Figure =
    higher("in_flight_at_limit", "ratio", BOTH).flips_at(1.0 - IN_FLIGHT_TOLERANCE);
const H2_OVER_H1: Figure = higher("h2_on_8_over_h1_async", "ratio", RUST);
const PY_H2_OVER_H1: Figure = higher("h2_over_h1_async", "ratio", PYTHON);

pub(super) const CLAIM: Claim = Claim {
    id: claim_ids::H2,
    claim: "async over HTTP/2 carries C requests on K connections, up to K × the stream limit",
    claimed: "beyond the article",
    required_roles: &[H1_ASYNC, H2_ON_1, H2_STREAMS],
    optional_roles: &[THREADS, H2_ON_2, H2_ON_8, PY_H1_ASYNC, PY_H2],
    figures: &[
        H2_EFFICIENCY,
        IN_FLIGHT_WITHIN_LIMIT,
        IN_FLIGHT_AT_LIMIT,
        H2_OVER_H1,
        PY_H2_OVER_H1,
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

/// How far the mean latency on the sweep may be from Little's law's L × max(1, C / (K ×
/// limit)) and still be explained by streams queuing in the client (relative).
pub(super) const H2_EXPLAINED_WITHIN: f64 = 0.15;

/// A run's HTTP/2 connections (K): its setting, else those its client opened.
fn connections(run: &RunResult) -> Option<f64> {
    if let Some(k) = run.strategy.settings.get("http2_connections") {
        return k.parse().ok();
    }
    run.connections
        .as_ref()
        .filter(|c| c.protocol == HttpVersion::Http2 && c.opened > 0)
        .map(|c| c.opened as f64)
}

/// The series each stack measures the claim with.
struct Roles {
    /// Every HTTP/2 series.
    h2: &'static [&'static str],
    /// The streams sweep on one connection.
    sweep: &'static str,
    /// Async over HTTP/1.1.
    h1: &'static str,
    /// The HTTP/2 series compared with HTTP/1.1, and the figure of that ratio.
    over_h1: (&'static str, &'static Figure),
}

const fn roles(stack: Stack) -> Option<Roles> {
    match stack {
        Stack::Rust => Some(Roles {
            h2: &[H2_ON_1, H2_ON_2, H2_ON_8, H2_STREAMS],
            sweep: H2_STREAMS,
            h1: H1_ASYNC,
            over_h1: (H2_ON_8, &H2_OVER_H1),
        }),
        Stack::Python => Some(Roles {
            h2: &[PY_H2],
            sweep: PY_H2,
            h1: PY_H1_ASYNC,
            over_h1: (PY_H2, &PY_H2_OVER_H1),
        }),
        _ => None,
    }
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

/// Little's law's mean latency for a closed loop on the sweep, µs: L while the streams
/// fit, L × C / (K × limit) once the rest wait in the client.
fn queued_latency_us(point: &Point, run: &RunResult) -> f64 {
    let capacity = connections(run).unwrap_or(1.0) * LIMIT;
    latency_s(run) * 1e6 * (point.x / capacity).max(1.0)
}

/// The claim's figures on one stack.
struct Figures<'a> {
    efficiency: f64,
    within: f64,
    at_limit: Option<f64>,
    over_h1: Option<(&'static Figure, f64)>,
    sweep: &'a Series,
}

impl<'a> StackFigures<'a> for Figures<'a> {
    fn extract(s: &'a ScenarioResult, stack: Stack) -> Result<Self, Missing> {
        let Some(roles) = roles(stack) else {
            return Err(Missing::Absent);
        };
        let h2: Vec<&Series> = roles.h2.iter().filter_map(|role| series(s, role)).collect();
        if h2.is_empty() {
            return Err(Missing::Absent);
        }
        if let Some(reason) = h2.iter().find_map(|x| x.not_measured.as_ref()) {
            return Err(Missing::NotMeasured(reason.clone()));
        }
        let sweep = series(s, roles.sweep)
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
        let (h2_role, figure) = roles.over_h1;
        let smallest = series(s, roles.h1)
            .and_then(|x| x.points.first())
            .map(|p| p.x);
        let over_h1 = smallest
            .and_then(|x| Some((figure, throughput(h2_role, x)? / throughput(roles.h1, x)?)));
        Ok(Figures {
            efficiency,
            within: if within.is_finite() { within } else { f64::NAN },
            at_limit,
            over_h1,
            sweep,
        })
    }

    fn emit(&self, out: &mut Emitted) {
        out.put(&H2_EFFICIENCY, self.efficiency);
        out.put(&IN_FLIGHT_WITHIN_LIMIT, self.within);
        if let Some(x) = self.at_limit {
            out.put(&IN_FLIGHT_AT_LIMIT, x);
        }
        if let Some((figure, x)) = self.over_h1 {
            out.put(figure, x);
        }
    }

    /// Streams beyond the limit wait in the client: on the sweep, every point's mean
    /// latency is Little's law's L × max(1, C / (K × limit)) within
    /// ±[`H2_EXPLAINED_WITHIN`]. A point far above it waited elsewhere too (a client
    /// short of CPU); one far below was not held back by the limit.
    fn explain(&self) -> Option<Explanation> {
        let each: Vec<Explanation> = self
            .sweep
            .points
            .iter()
            .filter_map(|point| {
                let run = median_run(point)?;
                let prediction = Prediction {
                    predicted: queued_latency_us(point, run),
                    measured: run.latency.mean_us,
                    tolerance: H2_EXPLAINED_WITHIN,
                };
                let mechanism = format!(
                    "by streams beyond the limit waiting in the client (C = {}, mean latency)",
                    point.x
                );
                Some(prediction.explain(&mechanism, format_micros))
            })
            .collect();
        if each.is_empty() {
            return Some(explain::untested("the streams sweep has no measured point"));
        }
        explain::all(each)
    }
}

/// What the row says is missing when the Rust series do not give the figures.
const MISSING: &str = "HTTP/1.1 and HTTP/2 series and the streams sweep";

fn assess(claim: &Claim, s: &ScenarioResult) -> waitbench_core::ClaimRow {
    super::assess(claim, s, MISSING, row_text, explain_python)
}

/// The measured text of one stack's figures, its HTTP/2 series named `h2`.
fn measured(figures: &Figures, h2: &str) -> String {
    format!(
        "HTTP/2 at ≥ {:.0}% of min(C, K × {LIMIT:.0}) / L; in flight {:.2} of C within the \
         limit, {} of K × limit beyond it{}",
        figures.efficiency * 100.0,
        figures.within,
        figures.at_limit.map_or("—".into(), |x| format!("{x:.2}")),
        figures.over_h1.map_or(String::new(), |(_, x)| format!(
            "; {h2} {x:.2}× async HTTP/1.1's throughput at the smallest C"
        ))
    )
}

impl Figures<'_> {
    fn verdict(&self) -> Verdict {
        judge_h2(self.efficiency, self.within, self.at_limit)
    }
}

/// The row's words from the Rust figures.
fn row_text(rust: &Figures) -> RowText {
    RowText {
        measured: measured(rust, "on 8 connections"),
        predicted: format!(
            "throughput min(C, K × {LIMIT:.0}) / L; in flight C, capped at K × {LIMIT:.0}"
        ),
        verdict: rust.verdict(),
        why: "HTTP/2 puts every request of a connection in one socket: C requests need no C \
              connections or threads, until the server's limit of streams per connection, \
              beyond which they queue in the client (more connections lift the cap)."
            .into(),
    }
}

/// Claim H2 on Python: httpx's async client over HTTP/2 against itself over HTTP/1.1,
/// judged by the same rule; its pool multiplexes every coroutine on one connection, so
/// beyond the limit its streams queue, and the interpreter's CPU per request is what
/// else may hold its throughput below Little's law.
fn explain_python(python: &Figures, _rust: &Figures) -> (String, Verdict, String) {
    (
        measured(python, "httpx over HTTP/2"),
        python.verdict(),
        "httpx keeps one HTTP/2 connection and queues streams beyond the server's limit \
         in its pool; below the bound, the interpreter's CPU per request (not the \
         protocol) is what holds throughput back."
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use waitbench_core::Explained;

    /// A claim H2 scenario whose streams sweep on one connection at L = 200 ms measured
    /// `measured` (C, mean latency in ms) at each point.
    fn sweep(measured: &[(f64, f64)]) -> ScenarioResult {
        let (mut h2, template) = emptied("H2", ASYNC);
        let mut copy = template.clone();
        copy.role = H2_STREAMS.into();
        let first = copy.points[0].clone();
        copy.points = measured
            .iter()
            .map(|&(c, mean_ms)| {
                let mut point = first.clone();
                point.x = c;
                each_trial(&mut point, |trial| {
                    trial.injected.latency = Some("200ms".into());
                    trial.latency.mean_us = mean_ms * 1e3;
                    trial
                        .strategy
                        .settings
                        .insert("http2_connections".into(), "1".into());
                });
                point
            })
            .collect();
        h2.series.push(copy);
        h2
    }

    fn explained(measured: &[(f64, f64)]) -> Explanation {
        let scenario = sweep(measured);
        Figures::extract(&scenario, Stack::Rust)
            .ok()
            .and_then(|f| f.explain())
            .expect("an explanation")
    }

    #[test]
    fn h2_is_explained_when_the_sweeps_latency_grows_as_the_streams_queue() {
        // 400 streams on one connection of 100: they wait four rounds, 800 ms.
        let e = explained(&[(50.0, 202.0), (400.0, 810.0)]);
        assert_eq!(e.outcome, Explained::Explained, "{}", e.text);
        assert!(
            e.text.starts_with(
                "by streams beyond the limit waiting in the client (C = 50, mean latency): \
                 predicted 200 ms, measured 202 ms"
            ),
            "{}",
            e.text
        );
        // No queue where the limit says there must be one: not explained.
        let e = explained(&[(50.0, 202.0), (400.0, 205.0)]);
        assert_eq!(e.outcome, Explained::NotExplained, "{}", e.text);
        assert!(e.text.contains("C = 400"), "{}", e.text);
        // HTTP/2 measured, but no point of the sweep: nothing to test.
        let mut scenario = sweep(&[(50.0, 202.0)]);
        let mut on_one = series(&scenario, H2_STREAMS).unwrap().clone();
        on_one.role = H2_ON_1.into();
        scenario.series.push(on_one);
        series_mut(&mut scenario, H2_STREAMS).points.clear();
        let e = Figures::extract(&scenario, Stack::Rust)
            .ok()
            .and_then(|f| f.explain())
            .expect("an explanation");
        assert_eq!(e.outcome, Explained::Inconclusive, "{}", e.text);
        assert_eq!(
            e.text,
            "not tested: the streams sweep has no measured point"
        );
    }

    #[test]
    fn a_client_that_picks_its_own_connections_is_bounded_by_those_it_opened() {
        let mut scenario = sweep(&[(400.0, 810.0)]);
        let point = &mut series_mut(&mut scenario, H2_STREAMS).points[0];
        each_trial(point, |trial| {
            trial.strategy.settings.remove("http2_connections");
            trial.connections = Some(waitbench_core::ConnectionReport {
                protocol: HttpVersion::Http2,
                opened: 2,
                failed: 0,
                connect_min_us: None,
                connect_mean_us: None,
                connect_max_us: None,
                http2_stream_errors: 0,
                http2_connection_errors: 0,
                tls: None,
            });
        });
        let run = median_run(&series(&scenario, H2_STREAMS).unwrap().points[0]).unwrap();
        assert_eq!(connections(run), Some(2.0));
        assert_eq!(
            queued_latency_us(&series(&scenario, H2_STREAMS).unwrap().points[0], run),
            400_000.0
        );
    }

    #[test]
    fn h2_needs_its_throughput_and_the_limit_to_show() {
        assert_eq!(judge_h2(0.95, 1.0, Some(0.98)), Verdict::Reproduced);
        assert_eq!(judge_h2(0.95, 1.0, Some(0.5)), Verdict::OnlyUnderConditions);
        assert_eq!(judge_h2(0.95, 1.0, None), Verdict::OnlyUnderConditions);
        assert_eq!(judge_h2(0.7, 1.0, Some(1.0)), Verdict::NotReproduced);
        assert_eq!(judge_h2(f64::NAN, 1.0, None), Verdict::Inconclusive);
    }
}
