//! Claim B: reusing one session (one connection pool) against a new one per request.

use std::fmt::Write;
use std::time::Duration;

use waitbench_core::units::{format_micros, format_significant};
use waitbench_core::{ClaimRow, Point, ScenarioResult, Stack, Verdict, claim_ids};
use waitbench_mockserver::LatencySpec;

use super::{
    BOTH, Claim, Emitted, Figure, Missing, PYTHON, RUST, RowText, StackFigures, client_cpu, higher,
    last, median_run, points, series,
};

const UREQ_SHARED: &str = "ureq-shared";
const UREQ_PER_REQUEST: &str = "ureq-per-request";
const REQWEST_SHARED: &str = "reqwest-shared";
const REQWEST_PER_REQUEST: &str = "reqwest-per-request";
const REQWEST_SHARED_LOOPBACK: &str = "reqwest-shared-loopback";
const REQWEST_PER_REQUEST_LOOPBACK: &str = "reqwest-per-request-loopback";
const PY_SHARED: &str = "py-shared";
const PY_PER_REQUEST: &str = "py-per-request";
const PY_SHARED_LOOPBACK: &str = "py-shared-loopback";
const PY_PER_REQUEST_LOOPBACK: &str = "py-per-request-loopback";

const SAVING_UREQ: Figure = higher("saving_ureq", "ratio", RUST);
const SAVING_REQWEST: Figure = higher("saving_reqwest", "ratio", RUST);
/// Python's one library (aiohttp) with the setup delay.
const SAVING: Figure = higher("saving", "ratio", PYTHON);
const SAVING_LOOPBACK: Figure = higher("saving_loopback", "ratio", BOTH);

pub(super) const CLAIM: Claim = Claim {
    id: claim_ids::B,
    claim: "reusing one session cuts per-request latency",
    claimed: "30–50%",
    required_roles: &[
        UREQ_SHARED,
        UREQ_PER_REQUEST,
        REQWEST_SHARED,
        REQWEST_PER_REQUEST,
    ],
    optional_roles: &[
        REQWEST_SHARED_LOOPBACK,
        REQWEST_PER_REQUEST_LOOPBACK,
        PY_SHARED,
        PY_PER_REQUEST,
        PY_SHARED_LOOPBACK,
        PY_PER_REQUEST_LOOPBACK,
    ],
    figures: &[SAVING_UREQ, SAVING_REQWEST, SAVING, SAVING_LOOPBACK],
    rule: rule_b,
    assess,
};

/// Claim B: the saving the article claims.
const B_SAVING: std::ops::RangeInclusive<f64> = 0.30..=0.50;

fn rule_b() -> String {
    format!(
        "reproduced if reusing connections saves {:.0}–{:.0}% for both libraries on plain \
         loopback; only under stated conditions if it does so only with an injected \
         connection-setup delay; otherwise not reproduced",
        B_SAVING.start() * 100.0,
        B_SAVING.end() * 100.0
    )
}

/// Claim B's verdict from the savings with a setup delay and on plain loopback.
pub fn judge_b(with_delay: &[f64], loopback: Option<f64>) -> Verdict {
    let in_range = |x: f64| B_SAVING.contains(&x);
    if with_delay.is_empty() {
        Verdict::Inconclusive
    } else if !with_delay.iter().all(|&x| in_range(x)) {
        Verdict::NotReproduced
    } else if loopback.is_some_and(in_range) {
        Verdict::Reproduced
    } else {
        Verdict::OnlyUnderConditions
    }
}

/// A shared client against a new one per request: the roles of both series.
type Pair = (&'static str, &'static str);

/// One library's pair measured with the injected setup delay, and its figure.
struct Library {
    name: &'static str,
    pair: Pair,
    figure: &'static Figure,
}

/// The series each stack measures reuse with: its libraries with the setup delay, one
/// pair on plain loopback, and the series that must all be there to judge it.
struct Roles {
    with_delay: &'static [Library],
    loopback: Pair,
    needed: &'static [&'static str],
}

const fn roles(stack: Stack) -> Option<Roles> {
    match stack {
        Stack::Rust => Some(Roles {
            with_delay: &[
                Library {
                    name: "ureq",
                    pair: (UREQ_SHARED, UREQ_PER_REQUEST),
                    figure: &SAVING_UREQ,
                },
                Library {
                    name: "reqwest",
                    pair: (REQWEST_SHARED, REQWEST_PER_REQUEST),
                    figure: &SAVING_REQWEST,
                },
            ],
            loopback: (REQWEST_SHARED_LOOPBACK, REQWEST_PER_REQUEST_LOOPBACK),
            needed: &[
                UREQ_SHARED,
                UREQ_PER_REQUEST,
                REQWEST_SHARED,
                REQWEST_PER_REQUEST,
            ],
        }),
        Stack::Python => Some(Roles {
            with_delay: &[Library {
                name: "aiohttp",
                pair: (PY_SHARED, PY_PER_REQUEST),
                figure: &SAVING,
            }],
            loopback: (PY_SHARED_LOOPBACK, PY_PER_REQUEST_LOOPBACK),
            needed: &[
                PY_SHARED,
                PY_PER_REQUEST,
                PY_SHARED_LOOPBACK,
                PY_PER_REQUEST_LOOPBACK,
            ],
        }),
        // A stack with no series in this claim (a user's own client, a runtime that has
        // not joined it) has nothing to say about it.
        _ => None,
    }
}

fn mean_latency(p: &Point) -> f64 {
    median_run(p).map_or(f64::NAN, |r| r.latency.mean_us)
}

/// What reusing the client saved one pair, with the pair's points.
struct Saving<'a> {
    saving: f64,
    shared: &'a Point,
    fresh: &'a Point,
}

/// Claim B's figures on one stack: each library's saving with the setup delay, and the
/// saving on plain loopback if measured.
struct Figures<'a> {
    with_delay: Vec<(&'static Library, Saving<'a>)>,
    loopback: Option<Saving<'a>>,
}

impl<'a> StackFigures<'a> for Figures<'a> {
    fn extract(s: &'a ScenarioResult, stack: Stack) -> Result<Self, Missing> {
        let Some(roles) = roles(stack) else {
            return Err(Missing::Absent);
        };
        points(s, roles.needed)?;
        let saving = |(shared, fresh): Pair| {
            let (shared, fresh) = (last(series(s, shared))?, last(series(s, fresh))?);
            Some(Saving {
                saving: 1.0 - mean_latency(shared) / mean_latency(fresh),
                shared,
                fresh,
            })
        };
        let with_delay: Vec<_> = roles
            .with_delay
            .iter()
            .filter_map(|library| Some((library, saving(library.pair)?)))
            .collect();
        if with_delay.is_empty() {
            return Err(Missing::Inconclusive(
                "no shared and per-request pair has a point".into(),
            ));
        }
        Ok(Figures {
            with_delay,
            loopback: saving(roles.loopback),
        })
    }

    fn emit(&self, out: &mut Emitted) {
        for (library, x) in &self.with_delay {
            out.put(library.figure, x.saving);
        }
        if let Some(x) = &self.loopback {
            out.put(&SAVING_LOOPBACK, x.saving);
        }
    }
}

impl Figures<'_> {
    fn verdict(&self) -> Verdict {
        let with_delay: Vec<f64> = self.with_delay.iter().map(|(_, x)| x.saving).collect();
        judge_b(&with_delay, self.loopback.as_ref().map(|x| x.saving))
    }
}

fn spec_mean(spec: Option<&str>) -> Duration {
    spec.and_then(|s| s.parse::<LatencySpec>().ok())
        .map_or(Duration::ZERO, |l| l.mean())
}

/// What the row says is missing when the Rust series do not give the figures.
const MISSING: &str = "shared and per-request series";

fn assess(claim: &Claim, s: &ScenarioResult) -> ClaimRow {
    super::assess(claim, s, MISSING, row_text, explain_python)
}

/// The row's words from the Rust figures.
fn row_text(rust: &Figures) -> RowText {
    let run = median_run(rust.with_delay[0].1.shared);
    let setup = spec_mean(run.and_then(|r| r.injected.connect_delay.as_deref()));
    let latency = spec_mean(run.and_then(|r| r.injected.latency.as_deref()));
    let predicted = waitbench_core::littles_law::reuse_saving(setup, latency);
    let named = rust.with_delay.iter().map(|(l, x)| (l.name, x.saving));
    let measured: Vec<String> = named
        .chain(rust.loopback.as_ref().map(|x| ("loopback", x.saving)))
        .map(|(name, x)| format!("{name} {:.0}%", x * 100.0))
        .collect();
    RowText {
        measured: measured.join("; "),
        predicted: format!(
            "{:.0}% with a {} setup delay at L = {}; ≈ 0% on plain loopback",
            predicted * 100.0,
            format_micros(setup.as_secs_f64() * 1e6),
            format_micros(latency.as_secs_f64() * 1e6)
        ),
        verdict: rust.verdict(),
        why: "A new connection costs a handshake: the saving is setup/(setup + L), tens of µs on \
         loopback, so the article's 30–50% needs a network-like setup delay."
            .into(),
    }
}

/// Claim B on the article's own stack: one aiohttp `ClientSession` against a new one per
/// request, with the setup delay and on plain loopback, judged by the same rule; why it
/// differs from Rust is computed from each client's CPU per request.
fn explain_python(python: &Figures, rust: &Figures) -> (String, Verdict, String) {
    let rust_loopback = rust.loopback.as_ref();
    let nan = |x: Option<&Saving>| x.map_or(f64::NAN, |x| x.saving);
    let with_delay = nan(python.with_delay.first().map(|(_, x)| x));
    let loopback = python.loopback.as_ref();
    let measured = format!(
        "aiohttp {:.0}%; loopback {:.0}%",
        with_delay * 100.0,
        nan(loopback) * 100.0
    );
    let cpu = |p: Option<&Point>| p.map_or(f64::NAN, client_cpu);
    let (shared, fresh) = (loopback.map(|x| x.shared), loopback.map(|x| x.fresh));
    let mut why = format!(
        "A new ClientSession costs a connection and the session itself: {} of client CPU per \
         request against {} with one session ({}× on loopback, where the setup delay is \
         absent and only that CPU remains).",
        format_micros(cpu(fresh)),
        format_micros(cpu(shared)),
        format_significant(cpu(fresh) / cpu(shared), 2)
    );
    if let Some(rust) = rust_loopback {
        let _ = write!(
            why,
            " Rust's reqwest on loopback: {} against {} ({}×).",
            format_micros(client_cpu(rust.fresh)),
            format_micros(client_cpu(rust.shared)),
            format_significant(client_cpu(rust.fresh) / client_cpu(rust.shared), 2)
        );
    }
    (measured, python.verdict(), why)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::test_support::*;

    #[test]
    fn b_needs_the_saving_on_plain_loopback_to_be_reproduced() {
        assert_eq!(judge_b(&[0.4, 0.41], Some(0.35)), Verdict::Reproduced);
        assert_eq!(
            judge_b(&[0.4, 0.41], Some(0.01)),
            Verdict::OnlyUnderConditions
        );
        assert_eq!(judge_b(&[0.4, 0.1], Some(0.01)), Verdict::NotReproduced);
        assert_eq!(judge_b(&[], None), Verdict::Inconclusive);
    }

    /// A claim B scenario made from the saturation fixture's reqwest series: one copy per
    /// role, every trial's mean latency scaled (the Rust pairs save 1 − 1/1.6 = 37.5%, and
    /// 1% on loopback).
    fn reuse_with_python(scaled: &[(&str, f64)]) -> ScenarioResult {
        let (mut b, template) = emptied("B", ASYNC);
        for (role, factor) in [
            (UREQ_SHARED, 1.0),
            (UREQ_PER_REQUEST, 1.6),
            (REQWEST_SHARED, 1.0),
            (REQWEST_PER_REQUEST, 1.6),
            (REQWEST_SHARED_LOOPBACK, 1.0),
            (REQWEST_PER_REQUEST_LOOPBACK, 1.01),
        ]
        .into_iter()
        .chain(scaled.iter().copied())
        {
            let mut copy = template.clone();
            copy.role = role.into();
            for point in &mut copy.points {
                each_trial(point, |trial| {
                    trial.latency.mean_us *= factor;
                });
            }
            b.series.push(copy);
        }
        b
    }

    #[test]
    fn b_on_python_judges_aiohttps_sessions_by_the_same_rule() {
        let b = reuse_with_python(&[
            (PY_SHARED, 1.0),
            (PY_PER_REQUEST, 1.7),
            (PY_SHARED_LOOPBACK, 1.0),
            (PY_PER_REQUEST_LOOPBACK, 1.2),
        ]);
        let row = &evaluate(&[b])[0];
        let python = &row.stacks[0];
        // 1 − 1/1.7 = 41% with the setup delay, 1 − 1/1.2 = 17% on loopback.
        assert_eq!(python.measured, "aiohttp 41%; loopback 17%");
        assert_eq!(python.verdict, Some(Verdict::OnlyUnderConditions));
        assert!(
            python
                .why_they_differ
                .contains("Rust's reqwest on loopback"),
            "{}",
            python.why_they_differ
        );
        assert!((row.figures["python_saving_loopback"] - (1.0 - 1.0 / 1.2)).abs() < 1e-9);
    }
}
