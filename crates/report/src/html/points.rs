//! The points table of a scenario: one row per measured point, its columns a list of
//! typed columns, each a header and the function that fills its cell, so a header can
//! never drift from its cells. The figures that explain a result (its prediction and
//! efficiency, client CPU per request, RSS per in-flight request, server CPU) stand
//! right after the throughput, before the latency percentiles and the request counts,
//! so that they are in view on a laptop screen without scrolling.

use std::collections::BTreeSet;
use std::fmt::Write;

use waitbench_core::units::{
    UNAVAILABLE, format_bytes, format_count, format_micros, format_rps, format_seconds,
    format_significant,
};
use waitbench_core::{Point, RunResult, ScenarioResult, SuiteResults, Tally};

use super::escape;
use crate::figures::{Prediction, bound_rps, format_figure, predicted_time_s, spread};

/// What a cell shows when its figure is missing.
const MISSING: &str = "–";

/// One column: its header (escaped HTML) and its cell (escaped HTML) for a point.
struct Column<'a> {
    /// The header.
    header: String,
    /// Whether the cell needs a measured trial; a point without trials shows [`MISSING`].
    measured: bool,
    /// The cell of a point.
    cell: Box<dyn Fn(&Point) -> String + 'a>,
}

impl<'a> Column<'a> {
    fn new(header: &str, measured: bool, cell: impl Fn(&Point) -> String + 'a) -> Self {
        Column {
            header: escape(header),
            measured,
            cell: Box::new(cell),
        }
    }
}

/// The column of a point's x (concurrency, requests in flight, …).
fn x_column(scenario: &ScenarioResult) -> Column<'_> {
    Column::new(&scenario.x_label, false, |p| {
        escape(&format_significant(p.x, 4))
    })
}

/// The columns of a scenario's measurements table after the series column.
fn columns(scenario: &ScenarioResult) -> Vec<Column<'_>> {
    vec![
        x_column(scenario),
        Column::new("throughput, median [min–max]", true, throughput),
        Column::new("Little's-law prediction", false, predicted),
        Column::new("efficiency", true, |p| {
            p.trials
                .efficiency
                .map_or(MISSING.to_string(), |e| format!("{:.0}%", e.median * 100.0))
        }),
        Column::new("client CPU / request", true, |p| {
            spread(p, |t| Some(t.client.client_cpu_per_request_us))
                .map_or(MISSING.to_string(), |s| escape(&format_micros(s.median)))
        }),
        Column::new("RSS / in-flight", true, |p| {
            p.trials.median_trial().map_or(MISSING.to_string(), |m| {
                m.client
                    .rss_per_in_flight_bytes
                    .map_or(UNAVAILABLE.to_string(), |b| escape(&format_bytes(b)))
            })
        }),
        Column::new("server CPU", true, server_cpu),
        Column::new("p50", true, |p| {
            escape(&format_micros(p.trials.p50_us.median))
        }),
        Column::new("p99", true, |p| {
            escape(&format_micros(p.trials.p99_us.median))
        }),
        Column::new("p99.9", true, |p| {
            median_figure(p, |m| format_micros(m.latency.p999_us))
        }),
        Column::new("max", true, |p| {
            median_figure(p, |m| format_micros(m.latency.max_us))
        }),
        Column::new("wall time", true, |p| {
            escape(&format_seconds(p.trials.wall_time_s.median))
        }),
        Column::new("requests", true, |p| counts_cell(&p.trials.trials)),
    ]
}

/// The columns of a scenario's named-figures table (`extras`, a strategy's own figures
/// such as a ticker's lateness) after the series column: the x, then one per figure
/// any of its trials has; `None` when no trial has one.
fn extra_columns(scenario: &ScenarioResult) -> Option<Vec<Column<'_>>> {
    let extras: BTreeSet<&str> = scenario
        .series
        .iter()
        .flat_map(|s| &s.points)
        .flat_map(|p| &p.trials.trials)
        .flat_map(|t| t.extras.keys().map(String::as_str))
        .collect();
    if extras.is_empty() {
        return None;
    }
    let named = extras.into_iter().map(|key| Column {
        // A named figure is one long word: let it break after each underscore.
        header: escape(key).replace('_', "_<wbr>"),
        measured: true,
        cell: Box::new(move |p: &Point| {
            spread(p, |t| t.extras.get(key).copied()).map_or(MISSING.to_string(), |s| {
                escape(&format_figure(key, s.median))
            })
        }),
    });
    Some(std::iter::once(x_column(scenario)).chain(named).collect())
}

/// The table of every measured point of a scenario, with the note on how to read it,
/// and the table of the strategies' named figures when they report any.
pub(super) fn write(
    out: &mut String,
    suite: &SuiteResults,
    scenario: &ScenarioResult,
) -> std::fmt::Result {
    writeln!(out, "<h3>Measurements</h3>")?;
    write_table(out, scenario, &columns(scenario), "points")?;
    writeln!(
        out,
        "<p class=\"table-note\">Throughput, wall time, p50 and p99: median across the {} \
         [min–max]. p99.9, max, RSS and server CPU: the median-throughput trial. \
         Requests: summed over all trials (they must balance: sent = ok + http + errors). \
         Efficiency: measured throughput ÷ the Little's-law bound C/L.</p>",
        crate::trials::of_scenario(scenario, suite)
    )?;
    if let Some(columns) = extra_columns(scenario) {
        writeln!(out, "<h3>Figures the strategies report</h3>")?;
        write_table(out, scenario, &columns, "points named")?;
        writeln!(
            out,
            "<p class=\"table-note\">Median across the trials; each figure is named by \
             the strategy that measured it, in the unit its name ends with.</p>"
        )?;
    }
    Ok(())
}

/// One table: a row per point, its series named once in a cell spanning its points.
fn write_table(
    out: &mut String,
    scenario: &ScenarioResult,
    columns: &[Column<'_>],
    class: &str,
) -> std::fmt::Result {
    writeln!(out, "<div class=\"scroll\"><table class=\"{class}\">")?;
    write!(out, "<thead><tr><th>series</th>")?;
    for column in columns {
        write!(out, "<th>{}</th>", column.header)?;
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
            let unmeasured = point.trials.trials.is_empty();
            for column in columns {
                match column.measured && unmeasured {
                    true => write!(out, "<td>{MISSING}</td>")?,
                    false => write!(out, "<td>{}</td>", (column.cell)(point))?,
                }
            }
            writeln!(out, "</tr>")?;
        }
        if series.points.is_empty() {
            writeln!(
                out,
                "<tr><th scope=\"row\">{}</th><td colspan=\"{}\">no points</td></tr>",
                escape(&series.label),
                columns.len()
            )?;
        }
    }
    writeln!(out, "</tbody></table></div>")
}

/// The median throughput with its range across trials beneath.
fn throughput(point: &Point) -> String {
    let t = point.trials.throughput_rps;
    format!(
        "{} <span class=\"range\">[{}–{}]</span>",
        escape(&format_rps(t.median)),
        escape(&format_significant(t.min, 3)),
        escape(&format_significant(t.max, 3))
    )
}

/// The point's prediction: the one the suite stored, else the first trial's bound.
fn predicted(point: &Point) -> String {
    let text = match Prediction::of(point) {
        Some(p) => p.formatted(),
        None => match (bound_rps(point), predicted_time_s(point)) {
            (_, Some(s)) => format_seconds(s),
            (Some(r), None) => format_rps(r),
            (None, None) => MISSING.to_string(),
        },
    };
    escape(&text)
}

/// A figure of the median-throughput trial.
fn median_figure(point: &Point, figure: impl Fn(&RunResult) -> String) -> String {
    point
        .trials
        .median_trial()
        .map_or(MISSING.to_string(), |m| escape(&figure(m)))
}

/// The server's CPU in the median trial, and per request beneath.
fn server_cpu(point: &Point) -> String {
    point
        .trials
        .median_trial()
        .map_or(MISSING.to_string(), |m| match &m.server {
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
            // Only a waitbench server publishes its figures; any other target is sent
            // nothing but the measured requests.
            None => "not available".to_string(),
        })
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
    // One short line each, so the column stays narrow.
    let mut cell = format!(
        "sent {}<br>ok {}<br>http {} · errors {}",
        escape(&format_count(sent)),
        escape(&format_count(ok)),
        escape(&format_count(http)),
        escape(&format_count(errors))
    );
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
