//! Claim C: async against a thread pool at 300 and more concurrent requests.

use std::fmt::Write;

use waitbench_core::units::{format_micros, format_rps, format_significant};
use waitbench_core::{
    ClaimRow, Explanation, Point, ScenarioResult, Series, Stack, StackFinding, Verdict, claim_ids,
};

use super::explain::{self, Prediction};
use super::{
    ASYNC, Claim, Emitted, Figure, GO_GOROUTINES, GO_POOL, JAVA_ASYNC, JAVA_THREADS, JAVA_VIRTUAL,
    Missing, NODE_ASYNC, PY_ASYNC, PY_ASYNC_UVLOOP, PY_GREENLETS, PY_THREADS_DEFAULTS, RUST,
    RowText, StackFigures, WITH_GO, at, capitalised, client_cpu, finding, higher, median_run,
    points, series, threads_peak, unpaired,
};

const THREADS_RIGHT_SIZED: &str = "threads-right-sized";
const THREADS_DEFAULTS: &str = "threads-defaults";
const RAYON_RIGHT_SIZED: &str = "rayon-right-sized";
const PY_THREADS_RIGHT_SIZED: &str = "py-threads-right-sized";
/// A goroutine per request on the standard transport's default of 2 idle connections per
/// host: Go's library-default row.
const GO_DEFAULT_IDLE: &str = "go-goroutines-default-idle";

/// The stacks whose library defaults are measured beside their right-sized pool.
const WITH_DEFAULTS: &[Stack] = &[Stack::Rust, Stack::Python, Stack::Go];

const CONCURRENCY: Figure = higher("concurrency", "requests", RUST);
const SPEEDUP_RIGHT_SIZED: Figure = higher("speedup_right_sized", "ratio", RUST);
/// The speedup over the right-sized pool at each C ≥ 300 (`speedup_right_sized@300`).
const SPEEDUP_RIGHT_SIZED_AT: Figure = higher("speedup_right_sized@", "ratio", WITH_GO);
const SPEEDUP_DEFAULTS: Figure = higher("speedup_defaults", "ratio", WITH_DEFAULTS);

pub(super) const CLAIM: Claim = Claim {
    id: claim_ids::C,
    claim: "async vs threads at 300+ concurrent requests",
    claimed: "1.5–5×",
    required_roles: &[ASYNC, THREADS_RIGHT_SIZED],
    optional_roles: &[
        THREADS_DEFAULTS,
        RAYON_RIGHT_SIZED,
        PY_ASYNC,
        PY_THREADS_RIGHT_SIZED,
        PY_THREADS_DEFAULTS,
        JAVA_ASYNC,
        JAVA_THREADS,
        JAVA_VIRTUAL,
        PY_GREENLETS,
        PY_ASYNC_UVLOOP,
        GO_GOROUTINES,
        GO_POOL,
        GO_DEFAULT_IDLE,
        NODE_ASYNC,
    ],
    figures: &[
        CONCURRENCY,
        SPEEDUP_RIGHT_SIZED,
        SPEEDUP_RIGHT_SIZED_AT,
        SPEEDUP_DEFAULTS,
    ],
    rule: rule_c,
    assess,
};

/// Claim C: the speedup range the article claims, from which concurrency on.
const C_SPEEDUP: std::ops::RangeInclusive<f64> = 1.5..=5.0;
const C_FROM: f64 = 300.0;

/// How far from its prediction a speedup may be and still be explained by the number of
/// requests each pool keeps in flight (relative).
const C_EXPLAINED_WITHIN: f64 = 0.25;

pub(super) fn rule_c() -> String {
    format!(
        "as stated (async against a right-sized thread pool, one thread per request in \
         flight; the library-default pool is not counted): reproduced if async is {}–{}× \
         the right-sized pool's throughput at every measured C ≥ {C_FROM}; only under \
         stated conditions if it is at some C ≥ {C_FROM} only; otherwise not reproduced. \
         Explained if, by Little's law, async's speedup is 1× over the right-sized pool at \
         C = {C_FROM} and C/P over a default pool of P workers, each within ±{:.0}%",
        C_SPEEDUP.start(),
        C_SPEEDUP.end(),
        C_EXPLAINED_WITHIN * 100.0
    )
}

/// Claim C's verdict as stated, from the async/right-sized-pool throughput ratios at
/// each measured C ≥ 300 (inconclusive without one).
pub fn judge_c(right_sized: &[f64]) -> Verdict {
    let in_range = |r: &f64| C_SPEEDUP.contains(r);
    if right_sized.is_empty() {
        Verdict::Inconclusive
    } else if right_sized.iter().all(in_range) {
        Verdict::Reproduced
    } else if right_sized.iter().any(in_range) {
        Verdict::OnlyUnderConditions
    } else {
        Verdict::NotReproduced
    }
}

/// The series each stack sweeps C with, and what to say when two share no C.
struct Roles {
    async_: &'static str,
    right_sized: &'static str,
    defaults: Option<&'static str>,
    share_no_c: &'static str,
}

const fn roles(stack: Stack) -> Option<Roles> {
    match stack {
        Stack::Rust => Some(Roles {
            async_: ASYNC,
            right_sized: THREADS_RIGHT_SIZED,
            defaults: Some(THREADS_DEFAULTS),
            share_no_c: "async and threads-right-sized share no C",
        }),
        Stack::Python => Some(Roles {
            async_: PY_ASYNC,
            right_sized: PY_THREADS_RIGHT_SIZED,
            defaults: Some(PY_THREADS_DEFAULTS),
            share_no_c: "aiohttp and the right-sized pool share no C",
        }),
        // A fixed pool has no library default in Java: Executors wants its size.
        Stack::Java => Some(Roles {
            async_: JAVA_ASYNC,
            right_sized: JAVA_THREADS,
            defaults: None,
            share_no_c: "sendAsync and the platform-thread pool share no C",
        }),
        // No Go client holds an OS thread per request: the pool of C worker goroutines
        // is Go's right-sized pool, and the transport's 2 idle connections per host its
        // library default.
        Stack::Go => Some(Roles {
            async_: GO_GOROUTINES,
            right_sized: GO_POOL,
            defaults: Some(GO_DEFAULT_IDLE),
            share_no_c: "the goroutines and the pool of worker goroutines share no C",
        }),
        // A stack with no series in this claim (a user's own client, a runtime that has
        // not joined it) has nothing to say about it.
        _ => None,
    }
}

/// A stack's further rows, by name and role: judged against the stack's right-sized pool
/// by the same rule, in its why-line.
fn extras(stack: Stack) -> &'static [(&'static str, &'static str)] {
    match stack {
        Stack::Python => &[
            ("requests on gevent's greenlets", PY_GREENLETS),
            ("aiohttp on uvloop", PY_ASYNC_UVLOOP),
        ],
        _ => &[],
    }
}

fn tput(series: Option<&Series>, x: f64) -> Option<f64> {
    at(series, x).map(|p| p.trials.throughput_rps.median)
}

/// Every C an async and a thread-pool series share, with async's speedup there.
fn speedups(async_s: Option<&Series>, pool: Option<&Series>) -> Vec<(f64, f64)> {
    async_s
        .map(|a| a.points.iter().map(|p| p.x).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|x| Some((x, tput(async_s, x)? / tput(pool, x)?)))
        .collect()
}

/// Async's speedup over a library-default pool at the largest C ≥ 300 both reached: the
/// default pool is swept only as far as it finishes in reasonable time.
fn defaults_speedup(async_s: Option<&Series>, defaults: Option<&Series>) -> Option<(f64, f64)> {
    let x = defaults?
        .points
        .iter()
        .rev()
        .map(|p| p.x)
        .find(|&x| x >= C_FROM && at(async_s, x).is_some())?;
    Some((x, tput(async_s, x)? / tput(defaults, x)?))
}

/// Claim C's figures on one stack: async's speedup over the right-sized pool at the
/// largest C both reached and at each C ≥ 300, and over the default pool.
struct Figures<'a> {
    async_s: Option<&'a Series>,
    right_sized: Option<&'a Series>,
    defaults: Option<&'a Series>,
    /// The largest C both reached, and the speedup there.
    largest: (f64, f64),
    /// (C, speedup) at every C ≥ 300 both reached.
    from_300: Vec<(f64, f64)>,
    /// (C, speedup) over the default pool, if it reached a C ≥ 300.
    over_defaults: Option<(f64, f64)>,
    /// The stack's further rows judged against the same right-sized pool, with their
    /// names (Python's greenlets and uvloop).
    extras: Vec<(&'static str, &'a Series)>,
}

impl<'a> StackFigures<'a> for Figures<'a> {
    fn extract(s: &'a ScenarioResult, stack: Stack) -> Result<Self, Missing> {
        let Some(roles) = roles(stack) else {
            return Err(Missing::Absent);
        };
        points(s, &[roles.async_, roles.right_sized])?;
        let async_s = series(s, roles.async_);
        let right_sized = series(s, roles.right_sized);
        let defaults = roles.defaults.and_then(|role| series(s, role));
        let shared = speedups(async_s, right_sized);
        let Some(&largest) = shared.last() else {
            return Err(Missing::Inconclusive(roles.share_no_c.into()));
        };
        Ok(Figures {
            async_s,
            right_sized,
            defaults,
            largest,
            from_300: shared.into_iter().filter(|&(x, _)| x >= C_FROM).collect(),
            over_defaults: defaults_speedup(async_s, defaults),
            extras: extras(stack)
                .iter()
                .filter_map(|&(name, role)| Some((name, series(s, role)?)))
                .collect(),
        })
    }

    fn emit(&self, out: &mut Emitted) {
        out.put(&CONCURRENCY, self.largest.0);
        out.put(&SPEEDUP_RIGHT_SIZED, self.largest.1);
        for &(x, r) in &self.from_300 {
            out.put_at(&SPEEDUP_RIGHT_SIZED_AT, x, r);
        }
        if let Some((_, d)) = self.over_defaults {
            out.put(&SPEEDUP_DEFAULTS, d);
        }
    }

    fn explain(&self) -> Option<Explanation> {
        let ratio = |x: f64| format!("{}×", format_significant(x, 3));
        let Some(&(x, right_sized)) = self.from_300.first() else {
            return Some(explain::untested(&format!("no C ≥ {C_FROM}")));
        };
        let equal = Prediction {
            predicted: 1.0,
            measured: right_sized,
            tolerance: C_EXPLAINED_WITHIN,
        }
        .explain(&format!("both keep C in flight at C = {x}"), ratio);
        let Some((xd, d)) = self.over_defaults else {
            return Some(explain::untested("no library-default pool at C ≥ 300"));
        };
        let workers = self
            .defaults_point()
            .and_then(median_run)
            .map_or(0, |r| r.strategy.effective_concurrency);
        let fewer = Prediction {
            predicted: if workers == 0 {
                f64::NAN
            } else {
                xd / workers as f64
            },
            measured: d,
            tolerance: C_EXPLAINED_WITHIN,
        }
        .explain(
            &format!("the default pool keeps {workers} in flight at C = {xd}"),
            ratio,
        );
        explain::all(vec![equal, fewer])
    }
}

impl Figures<'_> {
    fn verdict(&self) -> Verdict {
        let speedups: Vec<f64> = self.from_300.iter().map(|&(_, r)| r).collect();
        judge_c(&speedups)
    }

    /// "1.05× at C = 300, 1.01× at C = 1000".
    fn speedups_text(&self) -> String {
        speedups_text(&self.from_300)
    }

    /// Each further row judged by the claim's rule against the same right-sized pool,
    /// with the share of C/L it kept and its client CPU per request: " By the same rule,
    /// requests on gevent's greenlets: 1.01× at C = 300, not reproduced (…)."
    fn extras_text(&self) -> String {
        let mut out = String::new();
        for &(name, extra) in &self.extras {
            if let Some(reason) = &extra.not_measured {
                let _ = write!(out, " {}: not measured: {reason}.", capitalised(name));
                continue;
            }
            let from_300: Vec<(f64, f64)> = speedups(Some(extra), self.right_sized)
                .into_iter()
                .filter(|&(x, _)| x >= C_FROM)
                .collect();
            let Some(&(x, _)) = from_300.last() else {
                continue;
            };
            let Some(p) = at(Some(extra), x) else {
                continue;
            };
            let ratios: Vec<f64> = from_300.iter().map(|&(_, r)| r).collect();
            let _ = write!(
                out,
                " By the same rule, {name}: {} against the right-sized pool, {}; it kept \
                 {:.2} of C/L at C = {x} on {} of client CPU per request and {} OS threads.",
                speedups_text(&from_300),
                judge_c(&ratios).label(),
                efficiency(p),
                format_micros(client_cpu(p)),
                threads_peak(p),
            );
        }
        out
    }

    /// The default pool's point where it was compared.
    fn defaults_point(&self) -> Option<&Point> {
        self.over_defaults.and_then(|(x, _)| at(self.defaults, x))
    }
}

/// "1.05× at C = 300, 1.01× at C = 1000".
fn speedups_text(speedups: &[(f64, f64)]) -> String {
    speedups
        .iter()
        .map(|(x, r)| format!("{r:.2}× at C = {x}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The share of C/L a point kept (median across trials; NaN without one).
fn efficiency(p: &Point) -> f64 {
    p.trials.efficiency.map_or(f64::NAN, |e| e.median)
}

/// What the row says is missing when the Rust series do not give the figures.
const MISSING: &str = "async and threads-right-sized at a shared C";

fn assess(claim: &Claim, s: &ScenarioResult) -> ClaimRow {
    let mut row = super::assess_stacks(
        claim,
        s,
        MISSING,
        row_text,
        &[
            (Stack::Python, explain_python),
            (Stack::Java, explain_java),
            (Stack::Go, explain_go),
        ],
    );
    row.stacks.extend(node_finding(s));
    row
}

/// The row's words from the Rust figures.
fn row_text(rust: &Figures) -> RowText {
    let x = rust.largest.0;
    let mut measured = format!("vs right-sized pool: {}", rust.speedups_text());
    if let Some((xd, d)) = rust.over_defaults {
        let _ = write!(measured, "; at C = {xd}: {d:.0}× vs library-default pool");
    }
    let x_defaults = rust.over_defaults.map(|(xd, _)| xd);
    let default_in_flight = rust
        .defaults_point()
        .and_then(median_run)
        .map(|r| r.strategy.effective_concurrency);
    let predicted = match default_in_flight {
        Some(p) => format!(
            "1.0× (both C/L); default pool keeps {p} in flight → {:.0}× at C = {}",
            x_defaults.unwrap_or(x) / p.max(1) as f64,
            x_defaults.unwrap_or(x)
        ),
        None => "1.0× (both reach C/L)".into(),
    };
    let cores = at(rust.async_s, x)
        .and_then(median_run)
        .map_or(0, |r| r.environment.cores);
    RowText {
        measured,
        predicted,
        verdict: rust.verdict(),
        why: format!(
            "By Little's law throughput is C/L whoever holds the C requests: a gap appears \
             when the thread pool keeps fewer requests in flight{}, and at thousands of \
             threads, when their CPU and memory on the {cores} cores the client shares with \
             the server become the limit.",
            match (default_in_flight, x_defaults) {
                (Some(p), Some(xd)) => format!(" (the library-default pool kept {p} of C = {xd})"),
                _ => String::new(),
            }
        ),
    }
}

/// Claim C on the article's own stack: aiohttp against `requests` on a right-sized
/// `ThreadPoolExecutor` and on Python's default one, judged by the same rule, with why it
/// differs from Rust computed from the client CPU per request (the one interpreter's
/// ceiling, 1 ÷ CPU, under the GIL) and the default pool's size.
fn explain_python(python: &Figures, rust: &Figures) -> (String, Verdict, String) {
    let rust_threads = at(rust.right_sized, rust.largest.0);
    let x = python.largest.0;
    let mut measured = format!(
        "aiohttp vs right-sized ThreadPoolExecutor: {}",
        python.speedups_text()
    );
    if let Some((xd, d)) = python.over_defaults {
        let _ = write!(measured, "; at C = {xd}: {d:.0}× vs the default pool");
    }
    let verdict = python.verdict();
    // Both series reached x: it is the largest C they share.
    let (Some(a), Some(t)) = (at(python.async_s, x), at(python.right_sized, x)) else {
        return (measured, verdict, String::new());
    };
    let latency_us = median_run(t).map_or(f64::NAN, |r| r.injected.mean_latency_us);
    // One interpreter runs one request's Python at a time: 1 ÷ CPU per request is its
    // ceiling, reached at C = L ÷ CPU.
    let ceiling = |p: &Point| {
        format!(
            "{} of client CPU per request: a ceiling of {}, reached at C ≈ {}",
            format_micros(client_cpu(p)),
            format_rps(1e6 / client_cpu(p)),
            format_significant(latency_us / client_cpu(p), 2)
        )
    };
    let offered = x * 1e6 / latency_us;
    let under = |p: &Point| offered < 1e6 / client_cpu(p);
    let regime = match (under(t), under(a)) {
        (true, true) => "under both ceilings, so both can keep C/L",
        (false, true) => {
            "above the threads' ceiling and under aiohttp's, so only aiohttp can keep C/L"
        }
        (true, false) => "under the threads' ceiling and above aiohttp's",
        (false, false) => "above both ceilings, so CPU, not waiting, decides",
    };
    let mut why = format!(
        "At L = {} and C = {x} ({} offered) the {x} threads spend {}, aiohttp {}: {regime} \
         (they kept {:.2} and {:.2} of it). Under the GIL the threads' CPU per request, not \
         their number, is the limit.",
        format_micros(latency_us),
        format_rps(offered),
        ceiling(t),
        ceiling(a),
        efficiency(t),
        efficiency(a),
    );
    if let Some(pool) = python.defaults_point() {
        let workers = median_run(pool).map_or(0, |r| r.strategy.effective_concurrency);
        let cores = median_run(pool).map_or(0, |r| r.environment.cores);
        let _ = write!(
            why,
            " The default pool has min(32, cores + 4) = {workers} workers on {cores} cores: \
             {workers} in flight, so C/{workers} = {:.0}× slower at C = {}.",
            pool.x / workers.max(1) as f64,
            pool.x
        );
    }
    if let Some(rust) = rust_threads {
        let _ = write!(
            why,
            " Rust's threads spend {} per request, Python's {}× that.",
            format_micros(client_cpu(rust)),
            format_significant(client_cpu(t) / client_cpu(rust), 2)
        );
    }
    why.push_str(&python.extras_text());
    (measured, verdict, why)
}

/// Claim C on Java: `sendAsync` against the blocking `send` on C platform threads,
/// judged by the same rule, with why it differs computed from each series' client CPU per
/// request against the offered load and the OS threads each kept.
fn explain_java(java: &Figures, _rust: &Figures) -> (String, Verdict, String) {
    let x = java.largest.0;
    let mut measured = format!("sendAsync vs C platform threads: {}", java.speedups_text());
    let verdict = java.verdict();
    let (Some(a), Some(t)) = (at(java.async_s, x), at(java.right_sized, x)) else {
        return (measured, verdict, String::new());
    };
    let latency_us = median_run(t).map_or(f64::NAN, |r| r.injected.mean_latency_us);
    let offered = x * 1e6 / latency_us;
    let cores = median_run(t).map_or(0, |r| r.environment.cores);
    let why = format!(
        "At L = {} and C = {x} ({} offered), the platform threads spent {} of client CPU \
         per request on {} OS threads and kept {:.2} of C/L; sendAsync spent {} on {} and \
         kept {:.2}. {} CPU per request × {} offered is {:.2} of the {cores} cores for \
         the threads: past the cores, CPU and not waiting decides.",
        format_micros(latency_us),
        format_rps(offered),
        format_micros(client_cpu(t)),
        threads_peak(t),
        efficiency(t),
        format_micros(client_cpu(a)),
        threads_peak(a),
        efficiency(a),
        format_micros(client_cpu(t)),
        format_rps(offered),
        client_cpu(t) * offered / 1e6,
    );
    if java.from_300.is_empty() {
        let _ = write!(measured, " (no C ≥ {C_FROM})");
    }
    (measured, verdict, why)
}

/// Claim C on Go: a goroutine per request against a fixed pool of C worker goroutines,
/// judged by the same rule, with why computed from each series' client CPU per request,
/// the OS threads each ran on and, for the transport's default idle limit, the
/// connections it opened.
fn explain_go(go: &Figures, _rust: &Figures) -> (String, Verdict, String) {
    let x = go.largest.0;
    let mut measured = format!(
        "goroutine per request vs C worker goroutines: {}",
        go.speedups_text()
    );
    if let Some((xd, d)) = go.over_defaults {
        let _ = write!(
            measured,
            "; at C = {xd}: {d:.2}× vs 2 idle connections per host"
        );
    }
    let verdict = go.verdict();
    let (Some(g), Some(p)) = (at(go.async_s, x), at(go.right_sized, x)) else {
        return (measured, verdict, String::new());
    };
    let latency_us = median_run(p).map_or(f64::NAN, |r| r.injected.mean_latency_us);
    let offered = x * 1e6 / latency_us;
    let cores = median_run(p).map_or(0, |r| r.environment.cores);
    let workers = median_run(p).map_or(0, |r| r.strategy.effective_concurrency);
    let mut why = format!(
        "At L = {} and C = {x} ({} offered), the goroutines spent {} of client CPU per \
         request on {} OS threads and kept {:.2} of C/L; the pool of {workers} worker \
         goroutines spent {} on {} and kept {:.2}. Both are goroutines multiplexed onto \
         GOMAXPROCS OS threads, so a pool of C workers holds the same C requests in flight \
         and Little's law gives both C/L; {} × {} is {:.2} of the {cores} cores.",
        format_micros(latency_us),
        format_rps(offered),
        format_micros(client_cpu(g)),
        threads_peak(g),
        efficiency(g),
        format_micros(client_cpu(p)),
        threads_peak(p),
        efficiency(p),
        format_micros(client_cpu(g)),
        format_rps(offered),
        client_cpu(g) * offered / 1e6,
    );
    if let Some(d) = go.defaults_point() {
        let opened = median_run(d)
            .and_then(|r| r.server.as_ref())
            .map(|s| (s.connections_accepted, s.requests));
        if let Some((opened, requests)) = opened {
            let _ = write!(
                why,
                " With the default 2 idle connections per host all C = {} stay in flight \
                 (kept {:.2} of C/L), but the transport opened {opened} connections for \
                 {requests} requests, at {} of client CPU per request.",
                d.x,
                efficiency(d),
                format_micros(client_cpu(d)),
            );
        }
    }
    (measured, verdict, why)
}

/// Claim C on Node.js: one event loop holds every request as a promise and Node has no
/// thread pool to set against it, so there is no verdict; whether the loop kept C in
/// flight (C/L within the claim's explanation tolerance at the largest C) is tested, and
/// the why-line says what its CPU per request allows.
fn node_finding(s: &ScenarioResult) -> Option<StackFinding> {
    let node = match unpaired(s, NODE_ASYNC, Stack::Node)? {
        Ok(node) => node,
        Err(not_measured) => return Some(not_measured),
    };
    let p = node.points.iter().rev().find(|p| p.x >= C_FROM)?;
    let latency_us = median_run(p).map_or(f64::NAN, |r| r.injected.mean_latency_us);
    let offered = p.x * 1e6 / latency_us;
    let cpu = client_cpu(p);
    let kept: Vec<String> = node
        .points
        .iter()
        .filter(|q| q.x >= C_FROM)
        .map(|q| format!("{:.2} at C = {}", efficiency(q), q.x))
        .collect();
    let measured = format!(
        "http.request on one event loop: kept {} of C/L (no thread pool to compare)",
        kept.join(", ")
    );
    let why = format!(
        "Node.js has no thread per request to set against its promises, so the claim's \
         comparison has no counterpart: the row shows whether the one event loop kept C in \
         flight. At L = {} and C = {} ({} offered) it spent {} of client CPU per request on \
         {} OS threads: one loop's ceiling is 1 ÷ CPU per request, {}, so the offered load \
         is {:.2} of it.",
        format_micros(latency_us),
        p.x,
        format_rps(offered),
        format_micros(cpu),
        threads_peak(p),
        format_rps(1e6 / cpu),
        offered * cpu / 1e6,
    );
    let mut found = finding(Stack::Node, measured, None, why);
    found.explained = Some(
        Prediction {
            predicted: 1.0,
            measured: efficiency(p),
            tolerance: C_EXPLAINED_WITHIN,
        }
        .explain(
            &format!("one event loop keeps C in flight at C = {}", p.x),
            |v| format!("{} of C/L", format_significant(v, 3)),
        ),
    );
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::test_support::*;
    use waitbench_core::Explained;

    #[test]
    fn c_as_stated_counts_the_right_sized_pool_alone() {
        assert_eq!(judge_c(&[2.0, 3.0]), Verdict::Reproduced);
        assert_eq!(judge_c(&[1.02]), Verdict::NotReproduced);
        assert_eq!(judge_c(&[9.0]), Verdict::NotReproduced);
        assert_eq!(judge_c(&[0.9]), Verdict::NotReproduced);
        // ≈ 1× at 300 and 1000, a gap only where 5,000 threads collapse.
        assert_eq!(judge_c(&[1.0, 1.01, 3.97]), Verdict::OnlyUnderConditions);
        assert_eq!(judge_c(&[]), Verdict::Inconclusive);
    }

    #[test]
    fn c_is_explained_by_in_flight_counts_only_when_both_predictions_hold() {
        let explained = |defaults: &[(f64, f64)], right_sized_300: f64| {
            let mut runs: Vec<SweptSeries> = vec![
                (ASYNC, &[(100.0, 99.0), (300.0, 297.0)], 20.0, 0),
                (THREADS_RIGHT_SIZED, &[(100.0, 99.0), (300.0, 0.0)], 25.0, 0),
            ];
            let right: Vec<(f64, f64)> = vec![(100.0, 99.0), (300.0, 297.0 / right_sized_300)];
            runs[1].1 = &right;
            if !defaults.is_empty() {
                runs.push((THREADS_DEFAULTS, defaults, 25.0, 2));
            }
            evaluate(&[sweep(&runs)])[0].explained.clone().unwrap()
        };
        // A pool of 2 at C = 300: 150× predicted.
        let e = explained(&[(300.0, 2.0)], 1.0);
        assert_eq!(e.outcome, Explained::Explained, "{}", e.text);
        assert!(
            e.text.contains(
                "the default pool keeps 2 in flight at C = 300: predicted 150×, measured 148×"
            ),
            "{}",
            e.text
        );
        assert_eq!(
            explained(&[(300.0, 0.5)], 1.0).outcome,
            Explained::NotExplained
        );
        assert_eq!(
            explained(&[(300.0, 2.0)], 2.0).outcome,
            Explained::NotExplained
        );
        assert_eq!(explained(&[], 1.0).outcome, Explained::Inconclusive);
    }

    /// A swept series: role, (C, throughput) points, client CPU per request, pool size.
    type SweptSeries<'a> = (&'a str, &'a [(f64, f64)], f64, usize);

    /// A claim C scenario made from the saturation fixture's thread series: one copy per
    /// role, with a point per (C, throughput) at L = 1 s, each trial with this client CPU
    /// per request (µs) and pool size (0: one per request).
    fn sweep(runs: &[SweptSeries<'_>]) -> ScenarioResult {
        let mut c = saturation();
        c.claim = "C".into();
        let template = series(&c, THREADS).unwrap().points[0].clone();
        c.series.clear();
        for &(role, points, cpu, pool) in runs {
            let mut copy = series(&saturation(), THREADS).unwrap().clone();
            copy.role = role.into();
            copy.stack = stack_of(role);
            copy.points = points
                .iter()
                .map(|&(x, throughput)| {
                    let mut point = template.clone();
                    point.x = x;
                    each_trial(&mut point, |trial| {
                        trial.throughput_rps = throughput;
                        trial.injected.mean_latency_us = 1e6;
                        trial.littles_law.efficiency = Some(throughput / x);
                        trial.client.client_cpu_per_request_us = cpu;
                        trial.strategy.effective_concurrency =
                            if pool == 0 { x as usize } else { pool };
                        trial.environment.cores = 2;
                    });
                    point
                })
                .collect();
            c.series.push(copy);
        }
        c
    }

    #[test]
    fn c_on_python_is_judged_by_the_same_rule_with_the_interpreters_ceiling() {
        let c = sweep(&[
            (ASYNC, &[(100.0, 99.0), (300.0, 297.0)], 20.0, 0),
            (
                THREADS_RIGHT_SIZED,
                &[(100.0, 99.0), (300.0, 297.0)],
                25.0,
                0,
            ),
            (PY_ASYNC, &[(10.0, 10.0), (300.0, 294.0)], 250.0, 0),
            (
                PY_THREADS_RIGHT_SIZED,
                &[(10.0, 10.0), (300.0, 280.0)],
                1_000.0,
                0,
            ),
            (
                PY_THREADS_DEFAULTS,
                &[(10.0, 6.0), (300.0, 5.88)],
                1_000.0,
                6,
            ),
        ]);
        let row = &evaluate(&[c])[0];
        assert_eq!(row.verdict, Verdict::NotReproduced, "Rust: 1× at C = 300");
        let python = &row.stacks[0];
        assert_eq!(python.stack, Stack::Python);
        // 1.05× against the right-sized pool (the default one's 50× is not counted).
        assert_eq!(python.verdict, Some(Verdict::NotReproduced));
        assert_eq!(
            python.explained.as_ref().map(|e| e.outcome),
            Some(Explained::Explained)
        );
        assert_eq!(
            python.measured,
            "aiohttp vs right-sized ThreadPoolExecutor: 1.05× at C = 300; at C = 300: 50× vs \
             the default pool"
        );
        let why = &python.why_they_differ;
        assert!(
            why.contains("At L = 1 s and C = 300 (300 req/s offered)"),
            "{why}"
        );
        assert!(
            why.contains(
                "1 ms of client CPU per request: a ceiling of 1000 req/s, reached at C ≈ 1000"
            ),
            "{why}"
        );
        assert!(
            why.contains("under both ceilings, so both can keep C/L (they kept 0.93 and 0.98"),
            "{why}"
        );
        assert!(
            why.contains("= 6 workers on 2 cores: 6 in flight, so C/6 = 50× slower"),
            "{why}"
        );
        assert!(why.contains("Python's 40× that"), "{why}");
        assert!((row.figures["python_speedup_right_sized@300"] - 1.05).abs() < 1e-9);
        assert!((row.figures["python_speedup_defaults"] - 50.0).abs() < 1e-9);
    }

    /// Rust's pair at 1× (the row every C scenario needs), and `more` beside it.
    fn with_rust(more: &[SweptSeries<'_>]) -> ScenarioResult {
        let mut runs: Vec<SweptSeries> = vec![
            (ASYNC, &[(100.0, 99.0), (300.0, 297.0)], 20.0, 0),
            (
                THREADS_RIGHT_SIZED,
                &[(100.0, 99.0), (300.0, 297.0)],
                25.0,
                0,
            ),
        ];
        runs.extend_from_slice(more);
        sweep(&runs)
    }

    fn finding_of(c: ScenarioResult, stack: Stack) -> (ClaimRow, waitbench_core::StackFinding) {
        let row = evaluate(&[c]).remove(0);
        let found = row
            .stacks
            .iter()
            .find(|f| f.stack == stack)
            .cloned()
            .unwrap_or_else(|| panic!("a {stack} finding"));
        (row, found)
    }

    #[test]
    fn c_on_go_sets_a_goroutine_per_request_against_a_pool_of_worker_goroutines() {
        let go = |pool_at_1000: f64| {
            let pool = [(300.0, 290.0), (1000.0, pool_at_1000)];
            finding_of(
                with_rust(&[
                    (GO_GOROUTINES, &[(300.0, 294.0), (1000.0, 980.0)], 40.0, 0),
                    (GO_POOL, &pool, 45.0, 0),
                    (GO_DEFAULT_IDLE, &[(300.0, 291.0)], 90.0, 0),
                ]),
                Stack::Go,
            )
        };
        let (row, same) = go(970.0);
        assert_eq!(same.verdict, Some(Verdict::NotReproduced));
        assert_eq!(
            same.measured,
            "goroutine per request vs C worker goroutines: 1.01× at C = 300, 1.01× at C = \
             1000; at C = 300: 1.01× vs 2 idle connections per host"
        );
        let why = &same.why_they_differ;
        assert!(
            why.contains("the goroutines spent 40 µs of client CPU per request"),
            "{why}"
        );
        assert!(why.contains("the pool of 1000 worker goroutines"), "{why}");
        assert!(
            why.contains("With the default 2 idle connections per host all C = 300"),
            "{why}"
        );
        assert_eq!(
            same.explained.map(|e| e.outcome),
            Some(Explained::Explained)
        );
        assert!((row.figures["go_speedup_right_sized@1000"] - 980.0 / 970.0).abs() < 1e-9);
        assert!(row.figures.contains_key("go_speedup_defaults"));
        // A pool that kept half its C in flight at 1,000: 2× there, in the claimed range.
        let (_, gap) = go(490.0);
        assert_eq!(gap.verdict, Some(Verdict::OnlyUnderConditions));
    }

    #[test]
    fn c_on_node_has_no_verdict_but_tests_that_one_loop_kept_c_in_flight() {
        let node = |at_3000: f64| {
            let points = [(300.0, 297.0), (3000.0, at_3000)];
            finding_of(with_rust(&[(NODE_ASYNC, &points, 80.0, 0)]), Stack::Node).1
        };
        let kept = node(2_900.0);
        assert_eq!(kept.verdict, None);
        assert_eq!(
            kept.measured,
            "http.request on one event loop: kept 0.99 at C = 300, 0.97 at C = 3000 of C/L \
             (no thread pool to compare)"
        );
        assert!(
            kept.why_they_differ
                .contains("so the offered load is 0.24 of it"),
            "{}",
            kept.why_they_differ
        );
        let explained = kept.explained.unwrap();
        assert_eq!(
            explained.outcome,
            Explained::Explained,
            "{}",
            explained.text
        );
        assert_eq!(
            node(1_500.0).explained.unwrap().outcome,
            Explained::NotExplained
        );
    }

    #[test]
    fn c_judges_greenlets_and_uvloop_against_pythons_right_sized_pool() {
        let (_, python) = finding_of(
            with_rust(&[
                (PY_ASYNC, &[(300.0, 294.0)], 250.0, 0),
                (PY_THREADS_RIGHT_SIZED, &[(300.0, 280.0)], 1_000.0, 0),
                (PY_GREENLETS, &[(300.0, 291.0)], 400.0, 0),
                (PY_ASYNC_UVLOOP, &[(300.0, 296.0)], 150.0, 0),
            ]),
            Stack::Python,
        );
        let why = &python.why_they_differ;
        assert!(
            why.contains(
                "By the same rule, requests on gevent's greenlets: 1.04× at C = 300 against \
                 the right-sized pool, not reproduced; it kept 0.97 of C/L at C = 300 on 400 \
                 µs of client CPU per request"
            ),
            "{why}"
        );
        assert!(
            why.contains("By the same rule, aiohttp on uvloop: 1.06× at C = 300"),
            "{why}"
        );
    }

    #[test]
    fn c_on_java_is_judged_by_the_same_rule_with_the_cpu_it_spent() {
        let c = sweep(&[
            (ASYNC, &[(100.0, 99.0), (300.0, 297.0)], 20.0, 0),
            (
                THREADS_RIGHT_SIZED,
                &[(100.0, 99.0), (300.0, 297.0)],
                25.0,
                0,
            ),
            (JAVA_ASYNC, &[(300.0, 294.0), (1000.0, 960.0)], 60.0, 0),
            (JAVA_THREADS, &[(300.0, 290.0), (1000.0, 480.0)], 120.0, 0),
        ]);
        let row = &evaluate(&[c])[0];
        let java = row
            .stacks
            .iter()
            .find(|f| f.stack == Stack::Java)
            .expect("a Java finding");
        // 1.01× at 300 is out of the claimed range, 2× at 1,000 in it.
        assert_eq!(java.verdict, Some(Verdict::OnlyUnderConditions));
        assert_eq!(
            java.measured,
            "sendAsync vs C platform threads: 1.01× at C = 300, 2.00× at C = 1000"
        );
        let why = &java.why_they_differ;
        assert!(why.contains("At L = 1 s and C = 1000"), "{why}");
        assert!(
            why.contains("the platform threads spent 120 µs of client CPU per request"),
            "{why}"
        );
        assert!(why.contains("kept 0.48 of C/L"), "{why}");
        assert!((row.figures["java_speedup_right_sized@1000"] - 2.0).abs() < 1e-9);
    }
}
