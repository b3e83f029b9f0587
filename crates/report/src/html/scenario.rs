//! A scenario's section: what it measures, the points that failed more requests than the
//! scenario injects, its charts, and the series with their settings.

use std::fmt::Write;

use waitbench_core::units::{format_percent, format_significant};
use waitbench_core::{RunResult, ScenarioResult, SuiteResults, Variant};

use super::{anchor, escape, points};
use crate::RenderedChart;
use crate::charts::theme::SIZE;

/// One scenario's section: its prose, the errors it did not inject, its charts, its series
/// and its measured points.
pub(super) fn write(
    out: &mut String,
    suite: &SuiteResults,
    scenario: &ScenarioResult,
    charts: &[&RenderedChart],
) -> std::fmt::Result {
    writeln!(
        out,
        "<section class=\"scenario\" id=\"{}\">",
        anchor(scenario)
    )?;
    writeln!(
        out,
        "<h2><span class=\"claim-id\">{}</span> {}</h2>",
        escape(&scenario.claim),
        escape(&scenario.title)
    )?;
    writeln!(
        out,
        "<p class=\"scenario-name\">scenario <code>{}</code></p>",
        escape(&scenario.name)
    )?;
    for paragraph in scenario
        .description
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
    {
        writeln!(out, "<p>{}</p>", escape(paragraph.trim()))?;
    }
    let over_budget: Vec<String> = scenario
        .series
        .iter()
        .flat_map(|series| series.points.iter().map(move |p| (series, p)))
        .filter_map(|(series, point)| {
            let worst = point
                .trials
                .trials
                .iter()
                .filter(|t| t.error_rate > t.injected.error_budget(None))
                .map(|t| t.error_rate)
                .max_by(f64::total_cmp)?;
            Some(format!(
                "{} at x = {}: {} of requests failed",
                series.label,
                format_significant(point.x, 4),
                format_percent(worst)
            ))
        })
        .collect();
    if !over_budget.is_empty() {
        writeln!(
            out,
            "<p class=\"notice incomplete\"><strong>Errors the scenario does not inject:</strong> \
             {}. Throughput counts successes only, but these points measured a struggling \
             client or server, not only the strategy.</p>",
            escape(&over_budget.join("; "))
        )?;
    }
    for chart in charts {
        writeln!(
            out,
            "<figure><img src=\"{file}\" alt=\"{alt}\" width=\"{w}\" height=\"{h}\" \
             loading=\"lazy\"><figcaption><a href=\"{file}\">{file}</a></figcaption></figure>",
            file = escape(&chart.file_name),
            alt = escape(&format!(
                "Chart for claim {}: {}",
                chart.claim, scenario.title
            )),
            w = SIZE.0,
            h = SIZE.1
        )?;
    }
    if scenario.series.is_empty() {
        return writeln!(out, "<p>No series were measured.</p>\n</section>");
    }
    write_series_table(out, scenario)?;
    points::write(out, suite, scenario)?;
    writeln!(out, "</section>")
}

fn write_series_table(out: &mut String, scenario: &ScenarioResult) -> std::fmt::Result {
    writeln!(
        out,
        "<h3>Series</h3>\n<div class=\"scroll\"><table class=\"series\">"
    )?;
    writeln!(
        out,
        "<thead><tr><th>series</th><th>variant</th><th>strategy and settings</th>\
         <th>injected at the server</th></tr></thead>\n<tbody>"
    )?;
    for series in &scenario.series {
        let first = series.points.iter().find_map(|p| p.trials.trials.first());
        let settings = match &series.not_measured {
            Some(reason) => format!("not measured: {reason}"),
            None => first.map_or_else(String::new, settings_text),
        };
        let injected = first.map_or_else(String::new, injected_text);
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td><code>{}</code>{}</td><td>\
             <span class=\"label\">injected at the server:</span> {}</td></tr>",
            escape(&series.label),
            variant_badge(series.variant),
            escape(&series.strategy),
            if settings.is_empty() {
                String::new()
            } else {
                format!("<div class=\"small\">{}</div>", escape(&settings))
            },
            escape(&injected)
        )?;
    }
    writeln!(out, "</tbody></table></div>")
}

fn variant_badge(variant: Variant) -> &'static str {
    match variant {
        Variant::Defaults => "<span class=\"badge variant-defaults\">library defaults</span>",
        Variant::RightSized => "<span class=\"badge variant-right\">right-sized</span>",
        Variant::Plain => "<span class=\"badge variant-plain\">plain</span>",
    }
}

fn settings_text(trial: &RunResult) -> String {
    let mut parts: Vec<String> = trial
        .strategy
        .settings
        .iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect();
    if trial.strategy.effective_concurrency > 0 {
        parts.push(format!(
            "effective concurrency = {}",
            trial.strategy.effective_concurrency
        ));
    }
    parts.join(" · ")
}

fn injected_text(trial: &RunResult) -> String {
    let i = &trial.injected;
    let mut parts = Vec::new();
    if let Some(latency) = &i.latency {
        parts.push(format!("latency {latency}"));
    }
    if let Some(delay) = &i.connect_delay {
        parts.push(format!("connection setup {delay}"));
    }
    for (name, spec) in &i.faults {
        parts.push(format!("{name} {spec}"));
    }
    if parts.is_empty() {
        "none".to_string()
    } else {
        parts.join(" · ")
    }
}
