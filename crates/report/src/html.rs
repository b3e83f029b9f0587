//! The report page: one self-contained `index.html` (inline CSS, no script, no web font)
//! that shows the claims table, each scenario with its charts and a table of every
//! measured point, and how the numbers were measured. Charts are referenced as relative
//! files beside the page, so the folder opens from disk without a server or network.

use std::collections::BTreeSet;
use std::fmt::Write;

use waitbench_core::units::{
    UNAVAILABLE, format_bytes, format_count, format_micros, format_percent, format_rps,
    format_seconds, format_significant,
};
use waitbench_core::{
    ClaimRow, Point, RunResult, ScenarioResult, SuiteResults, Tally, Variant, Verdict,
};

use crate::charts::theme::SIZE;
use crate::figures::{bound_rps, format_figure, predicted_time_s, spread};
use crate::{RenderedChart, SkippedChart};

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The whole page.
pub(crate) fn page(
    suite: &SuiteResults,
    charts: &[RenderedChart],
    skipped: &[SkippedChart],
) -> String {
    let mut out = String::new();
    write_page(&mut out, suite, charts, skipped).expect("writing to a String cannot fail");
    out
}

fn write_page(
    out: &mut String,
    suite: &SuiteResults,
    charts: &[RenderedChart],
    skipped: &[SkippedChart],
) -> std::fmt::Result {
    let env = &suite.environment;
    writeln!(out, "<!DOCTYPE html>")?;
    writeln!(out, "<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">")?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        out,
        "<title>waitbench report</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>"
    )?;

    writeln!(out, "<header>\n<h1>waitbench report</h1>")?;
    writeln!(
        out,
        "<p class=\"lede\">When does async I/O beat blocking I/O and threads, by how much, and why? \
         Each claim of the article is checked against a local mock server with injected latency; \
         every figure is shown beside what Little's law predicts.</p>"
    )?;
    writeln!(out, "<dl class=\"meta\">")?;
    writeln!(out, "<dt>Environment</dt><dd>{}</dd>", escape(&env.label()))?;
    writeln!(
        out,
        "<dt>Run</dt><dd>{} run · {} trial{} per point · suite took {}</dd>",
        if suite.quick { "quick" } else { "full" },
        suite.trials,
        if suite.trials == 1 { "" } else { "s" },
        escape(&format_seconds(suite.duration_s))
    )?;
    if env.unix_time_s > 0 || !env.waitbench_version.is_empty() {
        writeln!(
            out,
            "<dt>Produced</dt><dd>{} by waitbench {}</dd>",
            escape(&utc_date(env.unix_time_s)),
            escape(&env.waitbench_version)
        )?;
    }
    writeln!(out, "</dl>")?;
    if suite.quick {
        writeln!(
            out,
            "<p class=\"notice\">This is a <strong>quick</strong> run: latencies and counts are \
             scaled down, so absolute times are smaller than the article's; ratios and \
             Little's-law efficiencies are what to compare.</p>"
        )?;
    }
    if let Some(why) = &suite.incomplete {
        writeln!(
            out,
            "<p class=\"notice incomplete\"><strong>Incomplete:</strong> {}. Claims whose \
             series were not measured are inconclusive; the figures below cover only the runs \
             that finished.</p>",
            escape(why)
        )?;
    }
    write_nav(out, suite)?;
    writeln!(out, "</header>")?;

    write_claims(out, suite)?;
    for (index, scenario) in suite.scenarios.iter().enumerate() {
        let mine: Vec<&RenderedChart> = charts.iter().filter(|c| c.scenario == index).collect();
        write_scenario(out, suite, scenario, &mine)?;
    }
    write_method(out, suite)?;

    writeln!(out, "<footer>")?;
    if !skipped.is_empty() {
        writeln!(out, "<p>Charts not drawn:</p><ul>")?;
        for s in skipped {
            writeln!(
                out,
                "<li><code>{}</code> (claim {}): {}</li>",
                escape(&s.file_name),
                escape(&s.claim),
                escape(&s.reason)
            )?;
        }
        writeln!(out, "</ul>")?;
    }
    writeln!(
        out,
        "<p>Rendered from the suite results file alone; re-render with <code>waitbench report \
         results.json</code>. Charts use the bundled DejaVu Sans font.</p>"
    )?;
    writeln!(out, "</footer>\n</main>\n</body>\n</html>")
}

fn write_nav(out: &mut String, suite: &SuiteResults) -> std::fmt::Result {
    writeln!(out, "<nav><ol>")?;
    writeln!(out, "<li><a href=\"#claims\">Claims</a></li>")?;
    for scenario in &suite.scenarios {
        writeln!(
            out,
            "<li><a href=\"#{}\"><span class=\"claim-id\">{}</span> {}</a></li>",
            anchor(scenario),
            escape(&scenario.claim),
            escape(&scenario.title)
        )?;
    }
    writeln!(out, "<li><a href=\"#method\">Method</a></li>")?;
    writeln!(out, "</ol></nav>")
}

fn write_claims(out: &mut String, suite: &SuiteResults) -> std::fmt::Result {
    writeln!(out, "<section id=\"claims\">\n<h2>Claims</h2>")?;
    if suite.claims.is_empty() {
        return writeln!(
            out,
            "<p>No claims were evaluated in this run.</p>\n</section>"
        );
    }
    writeln!(
        out,
        "<p>Each row gives the article's figure, the figure measured here, the figure Little's \
         law (or the stated mechanism) predicts, and the verdict with the rule it came from.</p>"
    )?;
    writeln!(out, "<div class=\"scroll\"><table class=\"claims\">")?;
    writeln!(
        out,
        "<thead><tr><th>id</th><th>claim</th><th>claimed</th><th>measured</th>\
         <th>Little's-law prediction</th><th>verdict</th><th>why</th></tr></thead>\n<tbody>"
    )?;
    for row in &suite.claims {
        write_claim_row(out, suite, row)?;
    }
    writeln!(out, "</tbody></table></div>\n</section>")
}

fn write_claim_row(out: &mut String, suite: &SuiteResults, row: &ClaimRow) -> std::fmt::Result {
    let id = match suite
        .scenarios
        .iter()
        .find(|s| s.claim.trim().eq_ignore_ascii_case(row.id.trim()))
    {
        Some(s) => format!("<a href=\"#{}\">{}</a>", anchor(s), escape(&row.id)),
        None => escape(&row.id),
    };
    writeln!(
        out,
        "<tr><td class=\"id\">{id}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
         <td class=\"verdict\">{}<div class=\"rule\">Rule: {}</div></td><td>{}</td></tr>",
        escape(&row.claim),
        escape(&row.claimed),
        escape(&row.measured),
        escape(&row.predicted),
        verdict_badge(row.verdict),
        escape(&row.rule),
        escape(&row.why)
    )?;
    for stack in &row.stacks {
        let verdict = stack.verdict.map_or_else(
            || "<span class=\"badge verdict-inconclusive\">not measured</span>".to_string(),
            verdict_badge,
        );
        writeln!(
            out,
            "<tr class=\"stack\"><td class=\"id\">{} · {}</td><td>the same claim on the \
             article's own stack</td><td></td><td>{}</td><td></td>\
             <td class=\"verdict\">{verdict}</td><td>Why they differ: {}</td></tr>",
            escape(&row.id),
            escape(stack.stack.name()),
            escape(&stack.measured),
            escape(&stack.why_they_differ)
        )?;
    }
    Ok(())
}

/// A coloured badge with the verdict's label.
fn verdict_badge(verdict: Verdict) -> String {
    let class = match verdict {
        Verdict::Reproduced => "reproduced",
        Verdict::OnlyUnderConditions => "conditional",
        Verdict::NotReproduced => "not-reproduced",
        Verdict::Inconclusive => "inconclusive",
    };
    format!(
        "<span class=\"badge verdict-{class}\">{}</span>",
        escape(verdict.label())
    )
}

fn write_scenario(
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
    write_points_table(out, suite, scenario)?;
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
            "<tr><td>{}</td><td>{}</td><td><code>{}</code>{}</td><td>{}</td></tr>",
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

fn write_points_table(
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
    let predicted = match point.predicted {
        Some(p) if point.predicted_unit == "s" => format_seconds(p),
        Some(p) if point.predicted_unit == "req/s" => format_rps(p),
        Some(p) => format!("{} {}", format_significant(p, 3), point.predicted_unit),
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

fn write_method(out: &mut String, suite: &SuiteResults) -> std::fmt::Result {
    let cores = suite.environment.cores;
    writeln!(out, "<section id=\"method\">\n<h2>Method</h2>")?;
    let paragraphs = [
        "<strong>Latency</strong> of a request is measured from just before it is sent to the \
         end of its body. In an open-loop run (a fixed arrival rate) it is measured from the \
         request's <em>intended</em> send time instead, so that a stalled server or client \
         cannot hide the requests queued behind it (coordinated omission); the service time \
         from the actual send is kept separately. Every value is recorded in microseconds in \
         an HdrHistogram per worker, merged at the end; the spectrum charts plot its \
         percentiles on a 1/(1−p) scale."
            .to_string(),
        format!(
            "<strong>Trials and spread.</strong> Every point is measured in {} independent \
             trial{}. Tables and charts show the median across trials with the min–max range \
             (whiskers); statistics are taken across trials, never across correlated requests \
             of one trial. Where one trial stands for the point (tail percentiles, spectra, \
             memory), it is the trial with the median throughput.",
            suite.trials,
            if suite.trials == 1 { "" } else { "s" }
        ),
        "<strong>Little's law.</strong> With C requests in flight, each taking L, a closed \
         system completes X = C / L requests per second; N requests through a pool of P \
         workers take ceil(N / P) · L. Each measured figure is shown beside this prediction, \
         and efficiency = measured ÷ bound: well below 100 % means fewer requests were really \
         in flight than asked for (a pool, a connection limit, CPU)."
            .to_string(),
        server_paragraph(suite, cores),
        "<strong>Defaults and right-sized.</strong> Where a library default shapes the result \
         (pool sizes, idle connections per host, worker threads), the scenario runs twice: with \
         the defaults (the artifact on) and right-sized (the artifact off), both labelled."
            .to_string(),
    ];
    for p in paragraphs {
        writeln!(out, "<p>{p}</p>")?;
    }
    writeln!(out, "</section>")
}

/// Where the server ran and where the threads were pinned: what the server's CPU share
/// means depends on it.
fn server_paragraph(suite: &SuiteResults, cores: usize) -> String {
    let accounting = "Every request ends as exactly one of ok, HTTP error or typed error, and \
                      the counts must balance.";
    let placement = suite.placement.as_ref().map_or(String::new(), |p| {
        let side = |name: &str, cpus: &Option<waitbench_core::CpuSet>| {
            cpus.as_ref()
                .map(|c| {
                    format!(
                        " the {name} was pinned to CPU{} {c};",
                        if c.len() == 1 { "" } else { "s" }
                    )
                })
                .unwrap_or_default()
        };
        format!(
            " CPU placement:{}{} no other thread of either may run elsewhere.",
            side("client", &p.client_cpus),
            side("server", &p.server_cpus)
        )
    });
    match &suite.server_url {
        Some(url) => format!(
            "<strong>Server elsewhere.</strong> The scenarios ran against a standalone \
             <code>waitbench serve</code> at <code>{}</code>: every condition travelled in each \
             request's query string, its counters were reset through its control endpoint \
             before each run, and the server CPU shown beside each point is read from its \
             <code>/stats</code>. Each side measured durations only, so no clocks had to \
             agree.{placement} {accounting}",
            escape(url)
        ),
        None => format!(
            "<strong>One machine.</strong> The client and the mock server share the same {cores} \
             core{}: server CPU is reported beside each point, and offered load is kept well \
             under the server's measured ceiling so that the client, not the server, is \
             measured.{placement} {accounting}",
            if cores == 1 { "" } else { "s" }
        ),
    }
}

/// The id of a scenario's section: `s-` and its name reduced to `[a-z0-9-]`.
fn anchor(scenario: &ScenarioResult) -> String {
    format!("s-{}", waitbench_core::units::slug(&scenario.name))
}

/// `YYYY-MM-DD HH:MM UTC` from Unix seconds (civil-from-days, proleptic Gregorian).
fn utc_date(unix_s: u64) -> String {
    let days = (unix_s / 86_400) as i64;
    let secs = unix_s % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60
    )
}

/// Inline style sheet: system fonts only, readable tables, coloured verdict badges.
const CSS: &str = r#"
:root { --ink: #212529; --muted: #5a6068; --line: #dee2e6; --bg: #ffffff; --soft: #f6f7f9;
  --accent: #1f77b4; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1280px; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 2rem; margin: 0 0 .5rem; }
h2 { font-size: 1.45rem; margin: 2.8rem 0 .6rem; padding-top: .4rem; border-top: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; }
a { color: var(--accent); }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9em; }
.lede { color: var(--muted); max-width: 60rem; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 1rem 0; }
.meta dt { font-weight: 600; }
.meta dd { margin: 0; }
.notice { background: #fff8e1; border-left: 4px solid #f0ad4e; padding: .6rem 1rem; }
.notice.incomplete { background: #fdecea; border-left-color: #d9534f; }
nav ol { columns: 2; padding-left: 1.4rem; }
nav li { break-inside: avoid; }
.claim-id { display: inline-block; min-width: 2.2em; padding: 0 .4em; margin-right: .3em;
  border-radius: .3em; background: var(--soft); border: 1px solid var(--line);
  font-weight: 700; text-align: center; }
.scenario-name { color: var(--muted); margin-top: 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .45rem .6rem; border-bottom: 1px solid var(--line); }
thead th { background: var(--soft); border-bottom: 2px solid var(--line); white-space: nowrap; }
tbody tr:hover { background: #fafbfc; }
table.points td { white-space: nowrap; font-variant-numeric: tabular-nums; }
table.points tbody th { max-width: 16rem; }
table.claims td.id { font-weight: 700; }
td.verdict { min-width: 12rem; }
.rule, .small, .range, .table-note { color: var(--muted); font-size: .82rem; }
.rule { margin-top: .35rem; }
.warn { color: #c62828; font-weight: 600; }
.badge { display: inline-block; padding: .1rem .55rem; border-radius: 999px; font-size: .8rem;
  font-weight: 600; white-space: nowrap; border: 1px solid transparent; }
.verdict-reproduced { background: #e3f4e6; color: #1e6b2c; border-color: #a8d5b1; }
.verdict-conditional { background: #fff3d6; color: #8a5a00; border-color: #f1cf7a; }
.verdict-not-reproduced { background: #fde4e4; color: #a32020; border-color: #f1aaaa; }
.verdict-inconclusive { background: #eceef1; color: #4a5058; border-color: #c9ced5; }
.variant-defaults { background: #fff3d6; color: #8a5a00; }
.variant-right { background: #e3f0fa; color: #1b5c8c; }
.variant-plain { background: #eceef1; color: #4a5058; }
figure { margin: 1.2rem 0; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 4px; }
figcaption { color: var(--muted); font-size: .8rem; margin-top: .3rem; }
footer { margin-top: 3rem; padding-top: 1rem; border-top: 1px solid var(--line); color: var(--muted); font-size: .85rem; }
@media print { nav { display: none; } h2 { break-before: page; } figure { break-inside: avoid; } }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn unix_time_becomes_a_utc_date() {
        assert_eq!(utc_date(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_date(1_700_000_000), "2023-11-14 22:13 UTC");
        assert_eq!(utc_date(951_782_400), "2000-02-29 00:00 UTC");
    }
}
