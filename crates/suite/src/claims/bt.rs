//! Claim B over real TLS: a kept session against a new connection per request whose
//! handshake is full (`--tls-resume off`) or resumed (`on`), with and without the
//! injected connect delay; beside each saving, the client and server CPU a new
//! connection costs. Judged by claim B's own rule ([`judge_b`]): the question is the
//! same, only the cost of a new connection is now a real handshake. Each stack is
//! judged alike from its own series: Rust's reqwest (and ureq), Python's aiohttp (and
//! requests), each with a no-delay triple for the verdict.

use waitbench_core::units::format_micros;
use waitbench_core::{ClaimRow, Explanation, Point, ScenarioResult, Stack, Verdict, claim_ids};

use super::b::{B_SAVING, mean_latency};
use super::explain::{self, Prediction};
use super::{
    BOTH, Claim, Emitted, Figure, Missing, PYTHON, RUST, RowText, StackFigures, client_cpu, higher,
    last, lower, median_run, points, series,
};
use crate::claims::judge_b;

const KEPT: &str = "tls-kept";
const FULL: &str = "tls-full";
const RESUMED: &str = "tls-resumed";
const UREQ_KEPT: &str = "tls-ureq-kept";
const UREQ_FULL: &str = "tls-ureq-full";
const UREQ_RESUMED: &str = "tls-ureq-resumed";
const KEPT_LOOPBACK: &str = "tls-kept-loopback";
const FULL_LOOPBACK: &str = "tls-full-loopback";
const RESUMED_LOOPBACK: &str = "tls-resumed-loopback";
const PY_KEPT: &str = "py-tls-kept";
const PY_FULL: &str = "py-tls-full";
const PY_RESUMED: &str = "py-tls-resumed";
const PY_REQUESTS_KEPT: &str = "py-tls-requests-kept";
const PY_REQUESTS_FULL: &str = "py-tls-requests-full";
const PY_REQUESTS_RESUMED: &str = "py-tls-requests-resumed";
const PY_KEPT_LOOPBACK: &str = "py-tls-kept-loopback";
const PY_FULL_LOOPBACK: &str = "py-tls-full-loopback";
const PY_RESUMED_LOOPBACK: &str = "py-tls-resumed-loopback";

/// With the connect delay, a full handshake's saving in claim B's range makes the
/// verdict "only under stated conditions": the gate never lets it fall past the range's
/// low end.
const SAVING_FULL: Figure = higher("saving_full", "ratio", BOTH).flips_at(*B_SAVING.start());
const SAVING_RESUMED: Figure = higher("saving_resumed", "ratio", BOTH);
const SAVING_FULL_UREQ: Figure =
    higher("saving_full_ureq", "ratio", RUST).flips_at(*B_SAVING.start());
const SAVING_RESUMED_UREQ: Figure = higher("saving_resumed_ureq", "ratio", RUST);
const SAVING_FULL_REQUESTS: Figure =
    higher("saving_full_requests", "ratio", PYTHON).flips_at(*B_SAVING.start());
const SAVING_RESUMED_REQUESTS: Figure = higher("saving_resumed_requests", "ratio", PYTHON);
/// The verdict's figure: the saving against a full handshake with no delay injected,
/// reproduced within claim B's range, so a gate tolerance never crosses its low end.
const SAVING_FULL_LOOPBACK: Figure =
    higher("saving_full_loopback", "ratio", BOTH).flips_at(*B_SAVING.start());
const SAVING_RESUMED_LOOPBACK: Figure = higher("saving_resumed_loopback", "ratio", BOTH);
/// The full handshakes resumption saves: 1 − the resumed arm's full handshakes ÷ the
/// full arm's (with the connect delay). A property of the protocol and the client's
/// session cache, not of the machine: only the first C connections, opened before any
/// session exists, are full, so it reads 1 − C/N for N requests.
const HANDSHAKES_SAVED: Figure = higher("full_handshakes_saved", "ratio", BOTH);
const CLIENT_CPU_FULL: Figure = lower("client_cpu_per_full_connection_us", "µs", BOTH);
const CLIENT_CPU_RESUMED: Figure = lower("client_cpu_per_resumed_connection_us", "µs", BOTH);
const SERVER_CPU_FULL: Figure = lower("server_cpu_per_full_connection_us", "µs", BOTH);
const SERVER_CPU_RESUMED: Figure = lower("server_cpu_per_resumed_connection_us", "µs", BOTH);

pub(super) const CLAIM: Claim = Claim {
    id: claim_ids::BT,
    claim: "reusing one session cuts per-request latency, over real TLS",
    claimed: "30–50%",
    required_roles: &[KEPT, FULL, RESUMED],
    optional_roles: &[
        UREQ_KEPT,
        UREQ_FULL,
        UREQ_RESUMED,
        KEPT_LOOPBACK,
        FULL_LOOPBACK,
        RESUMED_LOOPBACK,
        PY_KEPT,
        PY_FULL,
        PY_RESUMED,
        PY_REQUESTS_KEPT,
        PY_REQUESTS_FULL,
        PY_REQUESTS_RESUMED,
        PY_KEPT_LOOPBACK,
        PY_FULL_LOOPBACK,
        PY_RESUMED_LOOPBACK,
    ],
    figures: &[
        SAVING_FULL,
        SAVING_RESUMED,
        SAVING_FULL_UREQ,
        SAVING_RESUMED_UREQ,
        SAVING_FULL_REQUESTS,
        SAVING_RESUMED_REQUESTS,
        HANDSHAKES_SAVED,
        SAVING_FULL_LOOPBACK,
        SAVING_RESUMED_LOOPBACK,
        CLIENT_CPU_FULL,
        CLIENT_CPU_RESUMED,
        SERVER_CPU_FULL,
        SERVER_CPU_RESUMED,
    ],
    rule: rule_bt,
    assess,
};

fn rule_bt() -> String {
    format!(
        "claim B's rule over real TLS: reproduced if a kept session saves {:.0}–{:.0}% \
         against a new connection with a full handshake without an injected delay (the \
         handshake's own cost); only under stated conditions if it does so only with the \
         injected connect delay; otherwise not reproduced",
        B_SAVING.start() * 100.0,
        B_SAVING.end() * 100.0
    )
}

/// One arm against the kept session: what reuse saves it, and what a new connection of
/// it costs the client and the server beyond a kept one's request.
struct Arm<'a> {
    saving: f64,
    client_cpu_us: f64,
    server_cpu_us: f64,
    point: &'a Point,
}

/// A run's server CPU per request, µs (NaN without server figures).
fn server_cpu(p: &Point) -> f64 {
    median_run(p)
        .and_then(|r| r.server.as_ref())
        .filter(|s| s.requests > 0)
        .map_or(f64::NAN, |s| s.cpu_s / s.requests as f64 * 1e6)
}

/// The full TLS handshakes a point's median run counted (`None` without a TLS record).
fn full_handshakes(p: &Point) -> Option<u64> {
    median_run(p)?
        .connections
        .as_ref()?
        .tls
        .as_ref()
        .map(|t| t.full)
}

/// How far from the connect time's share of a new connection's latency a saving may be
/// and still be explained by it (relative).
pub(super) const BT_EXPLAINED_WITHIN: f64 = 0.25;

/// The share of a new-connection arm's mean latency that its client spent connecting
/// and handshaking; `None` when its client records no connect time.
fn connect_share(arm: &Arm) -> Option<f64> {
    let connect_us = median_run(arm.point)
        .and_then(|r| r.connections.as_ref())
        .and_then(|c| c.connect_mean_us)?;
    Some(connect_us / mean_latency(arm.point))
}

/// A kept session and its new-connection arms: the roles of the three series.
type Triple = (&'static str, &'static str, &'static str);

/// One library's triple, and the figures its savings are recorded under.
struct Library {
    name: &'static str,
    triple: Triple,
    figures: (&'static Figure, &'static Figure),
}

/// The series each stack measures the claim with: its first library (required), a
/// second one, and the first library's triple without the connect delay.
struct Roles {
    first: Library,
    second: Library,
    loopback: Triple,
}

const fn roles(stack: Stack) -> Option<Roles> {
    match stack {
        Stack::Rust => Some(Roles {
            first: Library {
                name: "reqwest",
                triple: (KEPT, FULL, RESUMED),
                figures: (&SAVING_FULL, &SAVING_RESUMED),
            },
            second: Library {
                name: "ureq",
                triple: (UREQ_KEPT, UREQ_FULL, UREQ_RESUMED),
                figures: (&SAVING_FULL_UREQ, &SAVING_RESUMED_UREQ),
            },
            loopback: (KEPT_LOOPBACK, FULL_LOOPBACK, RESUMED_LOOPBACK),
        }),
        Stack::Python => Some(Roles {
            first: Library {
                name: "aiohttp",
                triple: (PY_KEPT, PY_FULL, PY_RESUMED),
                figures: (&SAVING_FULL, &SAVING_RESUMED),
            },
            second: Library {
                name: "requests",
                triple: (PY_REQUESTS_KEPT, PY_REQUESTS_FULL, PY_REQUESTS_RESUMED),
                figures: (&SAVING_FULL_REQUESTS, &SAVING_RESUMED_REQUESTS),
            },
            loopback: (PY_KEPT_LOOPBACK, PY_FULL_LOOPBACK, PY_RESUMED_LOOPBACK),
        }),
        // A stack with no series in this claim has nothing to say about it.
        _ => None,
    }
}

fn arm<'a>(kept: &Point, fresh: &'a Point) -> Arm<'a> {
    Arm {
        saving: 1.0 - mean_latency(kept) / mean_latency(fresh),
        client_cpu_us: client_cpu(fresh) - client_cpu(kept),
        server_cpu_us: server_cpu(fresh) - server_cpu(kept),
        point: fresh,
    }
}

/// The claim's figures on one stack: the first library's full and resumed arms with
/// the connect delay, and the second library's and the no-delay arms where measured.
struct Figures<'a> {
    roles: Roles,
    full: Arm<'a>,
    resumed: Arm<'a>,
    second: Option<(Arm<'a>, Arm<'a>)>,
    loopback: Option<(Arm<'a>, Arm<'a>)>,
}

impl<'a> StackFigures<'a> for Figures<'a> {
    fn extract(s: &'a ScenarioResult, stack: Stack) -> Result<Self, Missing> {
        let Some(roles) = roles(stack) else {
            return Err(Missing::Absent);
        };
        let (kept, full, resumed) = roles.first.triple;
        let found = points(s, &[kept, full, resumed])?;
        let triple = |(kept, full, resumed): Triple| {
            let kept = last(series(s, kept))?;
            Some((
                arm(kept, last(series(s, full))?),
                arm(kept, last(series(s, resumed))?),
            ))
        };
        Ok(Figures {
            full: arm(found[0], found[1]),
            resumed: arm(found[0], found[2]),
            second: triple(roles.second.triple),
            loopback: triple(roles.loopback),
            roles,
        })
    }

    fn emit(&self, out: &mut Emitted) {
        out.put(&SAVING_FULL, self.full.saving);
        out.put(&SAVING_RESUMED, self.resumed.saving);
        if let (Some(full), Some(resumed)) = (
            full_handshakes(self.full.point),
            full_handshakes(self.resumed.point),
        ) && full > 0
        {
            out.put(&HANDSHAKES_SAVED, 1.0 - resumed as f64 / full as f64);
        }
        if let Some((full, resumed)) = &self.second {
            let (full_figure, resumed_figure) = self.roles.second.figures;
            out.put(full_figure, full.saving);
            out.put(resumed_figure, resumed.saving);
        }
        // The CPU of a new connection is the handshake's own where no delay is injected.
        let (full, resumed) = self
            .loopback
            .as_ref()
            .map_or((&self.full, &self.resumed), |(f, r)| (f, r));
        if let Some((f, r)) = &self.loopback {
            out.put(&SAVING_FULL_LOOPBACK, f.saving);
            out.put(&SAVING_RESUMED_LOOPBACK, r.saving);
        }
        out.put(&CLIENT_CPU_FULL, full.client_cpu_us);
        out.put(&CLIENT_CPU_RESUMED, resumed.client_cpu_us);
        out.put(&SERVER_CPU_FULL, full.server_cpu_us);
        out.put(&SERVER_CPU_RESUMED, resumed.server_cpu_us);
    }

    /// A new connection adds its connect and handshake time to its request and nothing
    /// else, so reuse saves that time's share of the new connection's latency. An arm
    /// whose client records no connect time (reqwest hides its connections) is left
    /// out; a saving beyond the share (building a client, a slower handshake path) reads
    /// "not explained".
    fn explain(&self) -> Option<Explanation> {
        let timed: Vec<Explanation> = self
            .arms()
            .into_iter()
            .filter_map(|(name, arm)| {
                let share = connect_share(arm)?;
                let prediction = Prediction {
                    predicted: share,
                    measured: arm.saving,
                    tolerance: BT_EXPLAINED_WITHIN,
                };
                let mechanism = format!("by the connect and handshake time ({name})");
                Some(prediction.explain(&mechanism, |x| format!("{:.0}%", x * 100.0)))
            })
            .collect();
        if timed.is_empty() {
            return Some(explain::untested(
                "no arm's client recorded its connect and handshake time",
            ));
        }
        explain::all(timed)
    }
}

impl Figures<'_> {
    /// Every arm, named, in the order the row lists them.
    fn arms(&self) -> Vec<(String, &Arm<'_>)> {
        let (first, second) = (self.roles.first.name, self.roles.second.name);
        let mut arms = vec![
            (format!("{first} full"), &self.full),
            (format!("{first} resumed"), &self.resumed),
        ];
        if let Some((f, r)) = &self.second {
            arms.extend([
                (format!("{second} full"), f),
                (format!("{second} resumed"), r),
            ]);
        }
        if let Some((f, r)) = &self.loopback {
            arms.extend([
                ("no delay, full".to_string(), f),
                ("no delay, resumed".to_string(), r),
            ]);
        }
        arms
    }

    /// Every arm's saving, named, in the order the row lists them.
    fn named(&self) -> Vec<(String, f64)> {
        self.arms()
            .into_iter()
            .map(|(name, arm)| (name, arm.saving))
            .collect()
    }

    fn verdict(&self) -> Verdict {
        let with_delay = [
            Some(self.full.saving),
            self.second.as_ref().map(|(f, _)| f.saving),
        ];
        judge_bt(
            self.loopback.as_ref().map(|(f, _)| f.saving),
            &with_delay.into_iter().flatten().collect::<Vec<_>>(),
        )
    }
}

/// Claim BT's verdict: as stated, the article's session against a full handshake per
/// request with no delay added (`loopback_full`, `None` unmeasured), so the saving is the
/// handshake's own cost; a range reached only with the injected delay (`with_delay`) is
/// reached only under that stated condition.
pub fn judge_bt(loopback_full: Option<f64>, with_delay: &[f64]) -> Verdict {
    match judge_b(loopback_full) {
        Verdict::NotReproduced | Verdict::Inconclusive
            if with_delay.iter().any(|x| B_SAVING.contains(x)) =>
        {
            Verdict::OnlyUnderConditions
        }
        verdict => verdict,
    }
}

/// What the row says is missing when the Rust series do not give the figures.
const MISSING: &str = "kept, full-handshake and resumed series over TLS";

fn assess(claim: &Claim, s: &ScenarioResult) -> ClaimRow {
    super::assess(claim, s, MISSING, row_text, explain_python)
}

/// Each arm's saving, named, and why: what a new connection costs the client and the
/// server, full and resumed, and which settings give the article's range.
fn measured_and_why(figures: &Figures) -> (String, String) {
    let named = figures.named();
    let measured = named
        .iter()
        .map(|(name, x)| format!("{name} {:.0}%", x * 100.0))
        .collect::<Vec<_>>()
        .join("; ");
    let in_range: Vec<&str> = named
        .iter()
        .filter(|(_, x)| B_SAVING.contains(x))
        .map(|(name, _)| name.as_str())
        .collect();
    let (full, resumed) = figures
        .loopback
        .as_ref()
        .map_or((&figures.full, &figures.resumed), |(f, r)| (f, r));
    let handshakes = |a: &Arm| {
        median_run(a.point)
            .and_then(|r| r.connections.as_ref())
            .and_then(|c| c.tls.as_ref())
            .map_or_else(
                || "?".into(),
                |t| format!("{} full, {} resumed", t.full, t.resumed),
            )
    };
    let why = format!(
        "A new TLS connection costs a handshake: {} of client CPU and {} of server CPU when \
         full ({}), {} and {} when resumed ({}). The article's {:.0}–{:.0}% comes from: {}.",
        format_micros(full.client_cpu_us),
        format_micros(full.server_cpu_us),
        handshakes(full),
        format_micros(resumed.client_cpu_us),
        format_micros(resumed.server_cpu_us),
        handshakes(resumed),
        B_SAVING.start() * 100.0,
        B_SAVING.end() * 100.0,
        if in_range.is_empty() {
            "no setting measured here".to_string()
        } else {
            in_range.join(", ")
        }
    );
    (measured, why)
}

/// The row's words from the Rust figures.
fn row_text(rust: &Figures) -> RowText {
    let (measured, why) = measured_and_why(rust);
    RowText {
        measured,
        predicted: "with the connect delay as claim B's setup/(setup + L); without it, the \
                    handshake's CPU (hundreds of µs) against L"
            .into(),
        verdict: rust.verdict(),
        why,
    }
}

/// Claim BT on the article's own stack (aiohttp, and requests), judged by the same rule
/// from its own series; why it differs is its own handshakes' cost.
fn explain_python(python: &Figures, _rust: &Figures) -> (String, Verdict, String) {
    let (measured, why) = measured_and_why(python);
    (measured, python.verdict(), why)
}

#[cfg(test)]
mod tests {
    use waitbench_core::{ConnectionReport, Explained, HttpVersion};

    use super::super::test_support::*;
    use super::*;

    /// A claim BT scenario made from the saturation fixture's reqwest series: a kept arm,
    /// and full and resumed arms whose mean latency is 1.6× the kept one's (reuse saves
    /// 37.5%), whose clients spent `connect_share` of that latency connecting (`None`:
    /// their client records no connect time, as reqwest's does not).
    fn tls_reuse(connect_share: Option<f64>) -> ScenarioResult {
        let (mut bt, template) = emptied("BT", ASYNC);
        for (role, factor) in [(KEPT, 1.0), (FULL, 1.6), (RESUMED, 1.6)] {
            let mut copy = template.clone();
            copy.role = role.into();
            for point in &mut copy.points {
                each_trial(point, |trial| {
                    trial.latency.mean_us *= factor;
                    trial.connections =
                        connect_share
                            .filter(|_| factor > 1.0)
                            .map(|share| ConnectionReport {
                                protocol: HttpVersion::Http1,
                                opened: 1,
                                failed: 0,
                                connect_min_us: None,
                                connect_mean_us: Some(trial.latency.mean_us * share),
                                connect_max_us: None,
                                http2_stream_errors: 0,
                                http2_connection_errors: 0,
                                tls: None,
                            });
                });
            }
            bt.series.push(copy);
        }
        bt
    }

    fn explained(bt: ScenarioResult) -> Explanation {
        evaluate(&[bt])[0]
            .explained
            .clone()
            .expect("an explanation")
    }

    #[test]
    fn resumption_saves_the_full_handshakes_of_all_but_the_first_connections() {
        let mut bt = tls_reuse(Some(0.35));
        for (role, full) in [(FULL, 300), (RESUMED, 10)] {
            for point in &mut series_mut(&mut bt, role).points {
                each_trial(point, |trial| {
                    let connections = trial.connections.as_mut().unwrap();
                    connections.tls = Some(waitbench_core::TlsReport {
                        full,
                        resumed: 300 - full,
                        ..Default::default()
                    });
                });
            }
        }
        let row = &evaluate(&[bt])[0];
        let saved = row.figures["full_handshakes_saved"];
        assert!((saved - (1.0 - 10.0 / 300.0)).abs() < 1e-12, "{saved}");
        // Without TLS records there is nothing to count.
        let row = &evaluate(&[tls_reuse(Some(0.35))])[0];
        assert!(!row.figures.contains_key("full_handshakes_saved"));
    }

    #[test]
    fn bt_is_explained_only_when_the_connect_time_is_what_reuse_saves() {
        let e = explained(tls_reuse(Some(0.35)));
        assert_eq!(e.outcome, Explained::Explained, "{}", e.text);
        assert!(
            e.text.starts_with(
                "by the connect and handshake time (reqwest full): predicted 35%, measured 38%"
            ),
            "{}",
            e.text
        );
        // Reuse saved far more than connecting cost: something else made the new
        // connection slow, and the connect time does not explain it.
        let e = explained(tls_reuse(Some(0.1)));
        assert_eq!(e.outcome, Explained::NotExplained, "{}", e.text);
        // No client recorded its connect time: nothing to test.
        let e = explained(tls_reuse(None));
        assert_eq!(e.outcome, Explained::Inconclusive, "{}", e.text);
        assert!(e.text.starts_with("not tested"), "{}", e.text);
    }
}
