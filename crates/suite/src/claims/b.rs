//! Claim B: reusing one session (one connection pool) against a new one per request.

use super::*;

pub(super) const UREQ_SHARED: &str = "ureq-shared";
pub(super) const UREQ_PER_REQUEST: &str = "ureq-per-request";
pub(super) const REQWEST_SHARED: &str = "reqwest-shared";
pub(super) const REQWEST_PER_REQUEST: &str = "reqwest-per-request";
pub(super) const REQWEST_SHARED_LOOPBACK: &str = "reqwest-shared-loopback";
pub(super) const REQWEST_PER_REQUEST_LOOPBACK: &str = "reqwest-per-request-loopback";
pub(super) const PY_SHARED: &str = "py-shared";
pub(super) const PY_PER_REQUEST: &str = "py-per-request";
pub(super) const PY_SHARED_LOOPBACK: &str = "py-shared-loopback";
pub(super) const PY_PER_REQUEST_LOOPBACK: &str = "py-per-request-loopback";

pub(super) const CLAIM: Claim = Claim {
    id: "B",
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
    figures: &[
        higher("saving_ureq", "ratio"),
        higher("saving_reqwest", "ratio"),
        higher("saving_loopback", "ratio"),
        higher("python_saving", "ratio").python(),
        higher("python_saving_loopback", "ratio").python(),
    ],
    rule: rule_b,
    judge: claim_b,
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

fn mean_latency(p: &Point) -> f64 {
    median_run(p).map_or(f64::NAN, |r| r.latency.mean_us)
}

fn claim_b(text: &Claim, s: &ScenarioResult) -> ClaimRow {
    let saving = |shared: &str, fresh: &str| -> Option<(f64, &Point)> {
        let a = last(series(s, shared))?;
        let b = last(series(s, fresh))?;
        Some((1.0 - mean_latency(a) / mean_latency(b), a))
    };
    let ureq = saving(UREQ_SHARED, UREQ_PER_REQUEST);
    let reqwest = saving(REQWEST_SHARED, REQWEST_PER_REQUEST);
    let loopback = saving(REQWEST_SHARED_LOOPBACK, REQWEST_PER_REQUEST_LOOPBACK);
    let with_delay: Vec<f64> = [ureq, reqwest].iter().flatten().map(|(x, _)| *x).collect();
    let Some((_, point)) = ureq.or(reqwest) else {
        return inconclusive(text, "shared and per-request series");
    };
    let run = median_run(point);
    let setup = spec_mean(run.and_then(|r| r.injected.connect_delay.as_deref()));
    let latency = spec_mean(run.and_then(|r| r.injected.latency.as_deref()));
    let predicted = waitbench_core::littles_law::reuse_saving(setup, latency);
    let mut figures = BTreeMap::new();
    let mut measured = Vec::new();
    for (name, value) in [("ureq", ureq), ("reqwest", reqwest), ("loopback", loopback)] {
        if let Some((x, _)) = value {
            figures.insert(format!("saving_{name}"), x);
            measured.push(format!("{name} {:.0}%", x * 100.0));
        }
    }
    let mut row = row(
        text,
        measured.join("; "),
        format!(
            "{:.0}% with a {} setup delay at L = {}; ≈ 0% on plain loopback",
            predicted * 100.0,
            format_micros(setup.as_secs_f64() * 1e6),
            format_micros(latency.as_secs_f64() * 1e6)
        ),
        judge_b(&with_delay, loopback.map(|(x, _)| x)),
        "A new connection costs a handshake: the saving is setup/(setup + L), tens of µs on \
         loopback, so the article's 30–50% needs a network-like setup delay."
            .into(),
        figures,
    );
    // Rust's loopback pair, like Python's: there the CPU is all a new client costs.
    let rust =
        last(series(s, REQWEST_SHARED_LOOPBACK)).zip(last(series(s, REQWEST_PER_REQUEST_LOOPBACK)));
    row.stacks.extend(python_b(s, rust, &mut row.figures));
    row
}

/// Claim B on the article's own stack: one aiohttp `ClientSession` against a new one per
/// request, with the setup delay and on plain loopback, judged by the same rule; why it
/// differs from Rust is computed from each client's CPU per request.
fn python_b(
    s: &ScenarioResult,
    rust: Option<(&Point, &Point)>,
    figures: &mut BTreeMap<String, f64>,
) -> Option<StackFinding> {
    let roles = [
        PY_SHARED,
        PY_PER_REQUEST,
        PY_SHARED_LOOPBACK,
        PY_PER_REQUEST_LOOPBACK,
    ];
    let points = match python_points(s, &roles)? {
        Ok(points) => points,
        Err(unjudged) => return Some(unjudged),
    };
    let saving = |shared: &Point, fresh: &Point| 1.0 - mean_latency(shared) / mean_latency(fresh);
    let with_delay = saving(points[0], points[1]);
    let loopback = saving(points[2], points[3]);
    figures.insert("python_saving".into(), with_delay);
    figures.insert("python_saving_loopback".into(), loopback);
    let cpu = |p: &Point| median_run(p).map_or(f64::NAN, |r| r.client.client_cpu_per_request_us);
    let measured = format!(
        "aiohttp {:.0}%; loopback {:.0}%",
        with_delay * 100.0,
        loopback * 100.0
    );
    let mut why = format!(
        "A new ClientSession costs a connection and the session itself: {} of client CPU per \
         request against {} with one session ({}× on loopback, where the setup delay is \
         absent and only that CPU remains).",
        format_micros(cpu(points[3])),
        format_micros(cpu(points[2])),
        format_significant(cpu(points[3]) / cpu(points[2]), 2)
    );
    if let Some((shared, fresh)) = rust {
        let _ = write!(
            why,
            " Rust's reqwest on loopback: {} against {} ({}×).",
            format_micros(cpu(fresh)),
            format_micros(cpu(shared)),
            format_significant(cpu(fresh) / cpu(shared), 2)
        );
    }
    Some(python_finding(
        measured,
        Some(judge_b(&[with_delay], Some(loopback))),
        why,
    ))
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
