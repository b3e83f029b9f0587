//! The comparison as a table: plain text for the terminal, Markdown for a pull-request
//! comment or a CI job summary. Both print the same cells, so they never disagree.

use std::fmt::Write;

use waitbench_core::units::format_significant;

use super::baseline::Tolerance;
use super::compare::{Comparison, Status};

fn short(x: f64) -> String {
    format_significant(x, 3)
}

fn change(c: &Comparison) -> String {
    if c.baseline.value == 0.0 {
        // `{:+}` has no effect on a string: the sign is written out.
        let sign = if c.current > 0.0 { "+" } else { "" };
        format!("{sign}{}", short(c.current))
    } else {
        format!("{:+.1}%", (c.current / c.baseline.value - 1.0) * 100.0)
    }
}

fn tolerance(t: Tolerance) -> String {
    match t {
        Tolerance::Relative(r) => format!("±{:.1}%", r * 100.0),
        Tolerance::Absolute(a) => format!("±{}", short(a)),
    }
}

fn status_label(c: &Comparison) -> String {
    let confirmed = c.confirmation.as_ref().map(|k| {
        format!(
            " ({}/{} re-measured trials regressed)",
            k.regressed,
            k.values.len()
        )
    });
    match (c.status, c.baseline.gate) {
        (Status::Regressed, true) if c.fails() => {
            format!("REGRESSED{}", confirmed.unwrap_or_default())
        }
        (Status::Regressed, true) => format!("noise, cleared{}", confirmed.unwrap_or_default()),
        (Status::Regressed, false) => "worse (tracked)".into(),
        (Status::Improved, _) => "improved".into(),
        (Status::Ok, true) if c.baseline.invariant => {
            "ok (invariant: moves only with a change)".into()
        }
        (Status::Ok, true) => "ok".into(),
        (Status::Ok, false) => "ok (tracked)".into(),
    }
}

const HEADERS: [&str; 7] = [
    "metric",
    "baseline",
    "current",
    "change",
    "tolerance",
    "used",
    "status",
];

fn cells(c: &Comparison) -> [String; 7] {
    [
        c.name.clone(),
        short(c.baseline.value),
        short(c.current),
        change(c),
        match c.baseline.edge {
            Some(edge) if c.baseline.reaches_past_edge() => format!(
                "{} → ±{} (the verdict flips at {})",
                tolerance(c.baseline.tolerance),
                short(c.baseline.allowance()),
                short(edge)
            ),
            _ => tolerance(c.baseline.tolerance),
        },
        format!("{:.0}%", c.tolerance_used().max(0.0) * 100.0),
        status_label(c),
    ]
}

/// The comparison as a terminal table.
pub fn table_text(rows: &[Comparison]) -> String {
    let all: Vec<[String; 7]> = rows.iter().map(cells).collect();
    let widths: Vec<usize> = (0..HEADERS.len())
        .map(|i| {
            all.iter()
                .map(|r| r[i].chars().count())
                .chain([HEADERS[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let line = |cols: Vec<&str>, out: &mut String| {
        let padded: Vec<String> = cols
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        let _ = writeln!(out, "{}", padded.join("  ").trim_end());
    };
    line(HEADERS.to_vec(), &mut out);
    for r in &all {
        line(r.iter().map(String::as_str).collect(), &mut out);
    }
    out
}

/// The comparison as a Markdown table, under a heading that gives the verdict.
pub fn table_markdown(rows: &[Comparison], verdict: &str) -> String {
    let mut out = format!(
        "### waitbench check: {verdict}\n\n| {} |\n|{}\n",
        HEADERS.join(" | "),
        "---|".repeat(HEADERS.len())
    );
    for c in rows {
        let mut cols = cells(c);
        cols[0] = format!("`{}`", cols[0]);
        if c.fails() {
            cols[6] = format!("**{}**", cols[6]);
        }
        let _ = writeln!(out, "| {} |", cols.join(" | "));
    }
    out
}

/// The comparison as JSON (`check --json`): every row with its tolerance used and any
/// re-measurement, the machine's load, and the verdict, for scripts that aggregate runs.
pub fn json(
    rows: &[Comparison],
    verdict: super::GateVerdict,
    suite_load: Option<&crate::contention::Contention>,
    confirmation_load: Option<&crate::contention::Contention>,
) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|c| {
            serde_json::json!({
                "name": c.name,
                "baseline": c.baseline.value,
                "current": c.current,
                "tolerance": c.baseline.tolerance,
                "allowance": c.baseline.allowance(),
                "invariant": c.baseline.invariant,
                "tolerance_used": c.tolerance_used(),
                "gate": c.baseline.gate,
                "status": format!("{:?}", c.status).to_lowercase(),
                "fails": c.fails(),
                "confirmation": c.confirmation.as_ref().map(|k| serde_json::json!({
                    "values": k.values,
                    "regressed": k.regressed,
                })),
            })
        })
        .collect();
    serde_json::json!({
        "verdict": format!("{verdict:?}").to_lowercase(),
        "contended": suite_load.is_some_and(|l| l.contended())
            || confirmation_load.is_some_and(|l| l.contended()),
        "suite_load": suite_load,
        "confirmation_load": confirmation_load,
        "rows": rows,
    })
}
