//! The points table of a scenario: one row per measured point.

use std::collections::BTreeSet;
use std::fmt::Write;

use waitbench_core::units::{
    UNAVAILABLE, format_bytes, format_count, format_micros, format_rps, format_seconds,
    format_significant,
};
use waitbench_core::{Point, RunResult, ScenarioResult, SuiteResults, Tally};

use super::escape;
use crate::figures::{Prediction, bound_rps, format_figure, predicted_time_s, spread};

/// Column headers of the points table, in order.
const POINT_COLUMNS: [&str; 14] = [
    "series",
    "x",
    "predicted",
    "throughput, median [min–max]",
    "wall time",
    "p50",
    "p99",
    "p99.9",
    "max",
    "sent / ok / http / errors",
    "client CPU / request",
    "RSS / in-flight",
    "server CPU",
    "efficiency",
];

/// The table of every measured point of a scenario, with the note on how to read it.
pub(super) fn write(
    out: &mut String,
    suite: &SuiteResults,
    scenario: &ScenarioResult,
) -> std::fmt::Result {
    let extras: BTreeSet<&str> = scenario
        .series
        .iter()
        .flat_map(|s| &s.points)
        .flat_map(|p| &p.trials.trials)
        .flat_map(|t| t.extras.keys().map(String::as_str))
        .collect();
    writeln!(
        out,
        "<h3>Measurements</h3>\n<div class=\"scroll\"><table class=\"points\">"
    )?;
    write!(out, "<thead><tr>")?;
    for (i, column) in POINT_COLUMNS.iter().enumerate() {
        let column = if i == 1 {
            escape(&scenario.x_label)
        } else {
            escape(column)
        };
        write!(out, "<th>{column}</th>")?;
    }
    for key in &extras {
        write!(out, "<th>{}</th>", escape(key))?;
    }
    writeln!(out, "</tr></thead>\n<tbody>")?;
    for series in &scenario.series {
        for (n, point) in series.points.iter().enumerate() {
            write!(out, "<tr>")?;
            if n == 0 {
                write!(
                    out,
                    "<th scope=\"row\" rowspan=\"{}\">{}</th>",
                    series.points.len(),
                    escape(&series.label)
                )?;
            }
            for cell in point_cells(point) {
                write!(out, "<td>{cell}</td>")?;
            }
            for key in &extras {
                let value = spread(point, |t| t.extras.get(*key).copied());
                let cell = value.map_or("–".to_string(), |s| format_figure(key, s.median));
                write!(out, "<td>{}</td>", escape(&cell))?;
            }
            writeln!(out, "</tr>")?;
        }
        if series.points.is_empty() {
            writeln!(
                out,
                "<tr><th scope=\"row\">{}</th><td colspan=\"{}\">no points</td></tr>",
                escape(&series.label),
                POINT_COLUMNS.len() - 1 + extras.len()
            )?;
        }
    }
    writeln!(out, "</tbody></table></div>")?;
    writeln!(
        out,
        "<p class=\"table-note\">Throughput, wall time, p50 and p99: median across the {} \
         trial{} [min–max]. p99.9, max, RSS and server CPU: the median-throughput trial. \
         Request counts: summed over all trials (they must balance: sent = ok + http + errors). \
         Efficiency: measured throughput ÷ the Little's-law bound C/L.</p>",
        suite.trials,
        if suite.trials == 1 { "" } else { "s" }
    )
}

/// The escaped cells of one point (everything after the series column).
fn point_cells(point: &Point) -> Vec<String> {
    let trials = &point.trials;
    let median = trials.median_trial();
    let x = escape(&format_significant(point.x, 4));
    let predicted = match Prediction::of(point) {
        Some(p) => p.formatted(),
        None => match (bound_rps(point), predicted_time_s(point)) {
            (_, Some(s)) => format_seconds(s),
            (Some(r), None) => format_rps(r),
            (None, None) => "–".to_string(),
        },
    };
    if trials.trials.is_empty() {
        let mut cells = vec![x, escape(&predicted)];
        cells.extend(std::iter::repeat_n(
            "–".to_string(),
            POINT_COLUMNS.len() - 3,
        ));
        return cells;
    }
    let t = trials.throughput_rps;
    let throughput = format!(
        "{} <span class=\"range\">[{}–{}]</span>",
        escape(&format_rps(t.median)),
        escape(&format_significant(t.min, 3)),
        escape(&format_significant(t.max, 3))
    );
    let wall = escape(&format_seconds(trials.wall_time_s.median));
    let p50 = escape(&format_micros(trials.p50_us.median));
    let p99 = escape(&format_micros(trials.p99_us.median));
    let (p999, max) = median.map_or(("–".into(), "–".into()), |m| {
        (
            escape(&format_micros(m.latency.p999_us)),
            escape(&format_micros(m.latency.max_us)),
        )
    });
    let counts = counts_cell(&trials.trials);
    let cpu = spread(point, |t| Some(t.client.client_cpu_per_request_us))
        .map_or("–".to_string(), |s| escape(&format_micros(s.median)));
    let rss = median.map_or("–".to_string(), |m| {
        m.client
            .rss_per_in_flight_bytes
            .map_or(UNAVAILABLE.to_string(), |b| escape(&format_bytes(b)))
    });
    let server = median.map_or("–".to_string(), |m| match &m.server {
        Some(s) => {
            let per_request = if s.requests > 0 {
                format!(
                    " <span class=\"range\">({}/req)</span>",
                    escape(&format_micros(s.cpu_s * 1e6 / s.requests as f64))
                )
            } else {
                String::new()
            };
            format!("{}{per_request}", escape(&format_seconds(s.cpu_s)))
        }
        // Only a waitbench server publishes its figures; any other target is sent nothing
        // but the measured requests.
        None => "not available".to_string(),
    });
    let efficiency = trials
        .efficiency
        .map_or("–".to_string(), |e| format!("{:.0}%", e.median * 100.0));
    vec![
        x,
        escape(&predicted),
        throughput,
        wall,
        p50,
        p99,
        p999,
        max,
        counts,
        cpu,
        rss,
        server,
        efficiency,
    ]
}

/// Request counts summed over trials, with typed errors by kind, flagged when unbalanced.
fn counts_cell(trials: &[RunResult]) -> String {
    let tally = trials
        .iter()
        .map(|t| t.counts.tally())
        .fold(Tally::default(), |a, b| a + b);
    let Tally {
        sent,
        ok,
        http_errors: http,
        errors,
    } = tally;
    let mut by_kind: std::collections::BTreeMap<String, u64> = Default::default();
    for t in trials {
        for (kind, n) in &t.counts.by_error {
            *by_kind.entry(kind.to_string()).or_default() += n;
        }
        for (status, n) in &t.counts.by_status {
            *by_kind.entry(format!("HTTP {status}")).or_default() += n;
        }
    }
    let mut cell = format!(
        "{} / {} / {} / {}",
        format_count(sent),
        format_count(ok),
        format_count(http),
        format_count(errors)
    );
    cell = escape(&cell);
    if !by_kind.is_empty() {
        let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
        write!(
            cell,
            "<div class=\"small\">{}</div>",
            escape(&kinds.join(", "))
        )
        .expect("writing to a String cannot fail");
    }
    if !tally.balanced() {
        cell.push_str("<div class=\"warn\">unbalanced!</div>");
    }
    cell
}
