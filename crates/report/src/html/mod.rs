//! The report page: one self-contained `index.html` (the style sheet inlined from
//! `assets/report.css`, no script, no web font) that opens with a headline per client
//! stack, then the claims table, each scenario with its charts and a table of every
//! measured point, and how the numbers were measured. Charts are referenced as relative
//! files beside the page, so the folder opens from disk without a server or network.
//!
//! One file per section: `headline` (a sentence per stack), `claims` (the claims
//! table), `scenario` (a scenario's prose, error budgets, charts and series), `points`
//! (its measured points), `method` (how the numbers were measured); this file holds the
//! skeleton and what they share.

mod claims;
mod headline;
mod method;
mod points;
mod scenario;

use std::fmt::Write;

use waitbench_core::units::{WallClock, format_seconds};
use waitbench_core::{ScenarioResult, SuiteResults};

use crate::{RenderedChart, SkippedChart};

/// The style sheet, inlined into the page so that it opens alone from disk.
const CSS: &str = include_str!("../../assets/report.css");

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
        "<title>waitbench report</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<main>"
    )?;

    writeln!(out, "<header>\n<h1>waitbench report</h1>")?;
    writeln!(
        out,
        "<p class=\"lede\">When does async I/O beat blocking I/O and threads, by how much, and why? \
         Each claim of the article is checked against a local mock server with injected latency; \
         every figure is shown beside what Little's law predicts.</p>"
    )?;
    headline::write(out, suite)?;
    writeln!(out, "<dl class=\"meta\">")?;
    writeln!(out, "<dt>Environment</dt><dd>{}</dd>", escape(&env.label()))?;
    writeln!(
        out,
        "<dt>Run</dt><dd>{} run · {} per point · suite took {}</dd>",
        if suite.quick { "quick" } else { "full" },
        crate::trials::of_suite(suite),
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

    claims::write(out, suite)?;
    for (index, scenario) in suite.scenarios.iter().enumerate() {
        let mine: Vec<&RenderedChart> = charts.iter().filter(|c| c.scenario == index).collect();
        scenario::write(out, suite, scenario, &mine)?;
    }
    method::write(out, suite)?;

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

/// The id of a scenario's section: `s-` and its name reduced to `[a-z0-9-]`.
fn anchor(scenario: &ScenarioResult) -> String {
    format!("s-{}", waitbench_core::units::slug(&scenario.name))
}

/// `YYYY-MM-DD HH:MM UTC` from Unix seconds, by the wall clock's own calendar.
fn utc_date(unix_s: u64) -> String {
    let instant = WallClock(std::time::UNIX_EPOCH + std::time::Duration::from_secs(unix_s));
    // RFC 3339 in UTC: `YYYY-MM-DDTHH:MM:SS` and `Z`; the page shows it to the minute.
    let rfc3339 = instant.to_string();
    format!("{} {} UTC", &rfc3339[..10], &rfc3339[11..16])
}

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
