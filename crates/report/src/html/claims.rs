//! The claims table, drawn from the one claims model the terminal draws from: one row
//! per claim with the article's figure, the prediction and each stack's finding side by
//! side (measured figure and verdict), then the why-lines beneath across the full
//! width: the mechanism, each other stack's reason for differing, and the rule. A long
//! why-line shows its first sentence and folds the rest into a `<details>`, so the table
//! reads at a glance and the reasoning is one click away.

use std::fmt::Write;

use waitbench_core::{SuiteResults, Verdict};

use super::{anchor, escape};
use crate::claims_table::{ClaimLine, ClaimsTable, Finding, explained_text};

/// A why-line longer than this (in characters) is folded after its first sentence.
const LONG_WHY: usize = 240;

/// The id of a claim's row, the target of the headline's links.
pub(super) fn row_anchor(id: &str) -> String {
    format!("claim-{}", waitbench_core::units::slug(id))
}

/// The claims section.
pub(super) fn write(out: &mut String, suite: &SuiteResults) -> std::fmt::Result {
    writeln!(out, "<section id=\"claims\">\n<h2>Claims</h2>")?;
    if suite.claims.is_empty() {
        return writeln!(
            out,
            "<p>No claims were evaluated in this run.</p>\n</section>"
        );
    }
    let table = ClaimsTable::of(&suite.claims);
    let stacks = table.stacks();
    writeln!(
        out,
        "<p>Each claim gives the article's figure and the figure Little's law (or the stated \
         mechanism) predicts, then what each client stack measured and its verdict by the \
         rule beneath: the badge answers the claim as the article states it, the line under \
         it whether the mechanism the row names predicts the figure (within the tolerance \
         the rule states); the why-lines say what decided the number.</p>"
    )?;
    writeln!(out, "<table class=\"claims\">")?;
    write!(
        out,
        "<thead><tr><th scope=\"col\">claim</th><th scope=\"col\">Little's-law prediction</th>"
    )?;
    for stack in &stacks {
        write!(out, "<th scope=\"col\">{} clients</th>", escape(stack))?;
    }
    writeln!(out, "</tr></thead>")?;
    for line in &table.lines {
        write_line(out, suite, line, &stacks)?;
    }
    writeln!(out, "</table>\n</section>")
}

/// One claim: its row of findings, then its why-lines.
fn write_line(
    out: &mut String,
    suite: &SuiteResults,
    line: &ClaimLine<'_>,
    stacks: &[&str],
) -> std::fmt::Result {
    let id = match suite
        .scenarios
        .iter()
        .find(|s| s.claim.trim().eq_ignore_ascii_case(line.id.trim()))
    {
        Some(s) => format!("<a href=\"#{}\">{}</a>", anchor(s), escape(line.id)),
        None => escape(line.id),
    };
    // One <tbody> per claim, so that the claim's rows stay together when the table is
    // laid out as blocks on a narrow screen.
    writeln!(
        out,
        "<tbody class=\"claim\" id=\"{}\"><tr class=\"findings\">",
        row_anchor(line.id)
    )?;
    writeln!(
        out,
        "<th scope=\"row\"><span class=\"claim-id\">{id}</span> {}\
         <div class=\"claimed\"><span class=\"label\">article:</span> {}</div></th>",
        escape(line.claim),
        escape(line.claimed)
    )?;
    writeln!(
        out,
        "<td class=\"predicted\"><span class=\"label\">predicted:</span> {}</td>",
        escape(line.predicted)
    )?;
    for stack in stacks {
        match line.finding(stack) {
            Some(finding) => write_finding(out, finding)?,
            None => writeln!(
                out,
                "<td class=\"finding absent\"><span class=\"label\">{}:</span> \
                 <span class=\"small\">not judged on this stack</span></td>",
                escape(stack)
            )?,
        }
    }
    writeln!(out, "</tr>")?;
    writeln!(
        out,
        "<tr class=\"why\"><td colspan=\"{}\">",
        2 + stacks.len()
    )?;
    write_why(out, "Why", line.why)?;
    for finding in line
        .findings
        .iter()
        .filter(|f| !f.why_they_differ.is_empty())
    {
        write_why(
            out,
            &format!("Why they differ on {}", finding.stack),
            finding.why_they_differ,
        )?;
    }
    write_why(out, "Rule", line.rule)?;
    writeln!(out, "</td></tr></tbody>")
}

/// One stack's cell: its verdict badge over what it measured.
fn write_finding(out: &mut String, finding: &Finding<'_>) -> std::fmt::Result {
    let badge = match finding.verdict {
        Some(verdict) => verdict_badge(verdict),
        None => format!(
            "<span class=\"badge verdict-inconclusive\">{}</span>",
            finding.verdict_label()
        ),
    };
    let explained = match (finding.verdict, finding.explained) {
        (_, Some(explained)) => format!(
            "<div class=\"explained explained-{}\">{}</div>",
            waitbench_core::units::slug(explained.outcome.label()),
            escape(&explained_text(explained))
        ),
        _ => String::new(),
    };
    writeln!(
        out,
        "<td class=\"finding\" data-stack=\"{stack}\"><span class=\"label\">{stack}:</span> \
         {badge}{explained}<div class=\"measured\">{}</div></td>",
        escape(finding.measured),
        stack = escape(finding.stack)
    )
}

/// A why-line: whole when short, else its first sentence with the rest folded beneath.
fn write_why(out: &mut String, label: &str, text: &str) -> std::fmt::Result {
    let text = text.trim();
    if text.is_empty() {
        return Ok(());
    }
    let label = escape(label);
    match fold(text) {
        None => writeln!(
            out,
            "<p class=\"why-line\"><strong>{label}:</strong> {}</p>",
            escape(text)
        ),
        Some((first, rest)) => writeln!(
            out,
            "<details class=\"why-line\"><summary><strong>{label}:</strong> {}</summary>\
             <p>{}</p></details>",
            escape(first),
            escape(rest)
        ),
    }
}

/// A long text split after its first sentence (at a `. ` or `: ` past the first few
/// words), or `None` when it is short or has no such break.
fn fold(text: &str) -> Option<(&str, &str)> {
    if text.chars().count() <= LONG_WHY {
        return None;
    }
    let end = text
        .match_indices(". ")
        .map(|(i, _)| i + 1)
        .find(|&i| i >= 40 && i < text.len() - 1)?;
    Some((&text[..end], text[end..].trim_start()))
}

/// A coloured badge with the verdict's label.
pub(super) fn verdict_badge(verdict: Verdict) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_why_line_is_not_folded() {
        assert_eq!(fold("A blocking call holds the thread."), None);
    }

    #[test]
    fn a_long_why_line_folds_after_its_first_sentence() {
        let first = "At zero latency nothing waits: throughput is cores divided by CPU.";
        let rest = "The bare-hyper series runs the same async model without the pool. ".repeat(4);
        let text = format!("{first} {}", rest.trim_end());
        assert_eq!(fold(&text), Some((first, rest.trim_end())));
    }

    #[test]
    fn a_long_why_line_without_a_sentence_break_stays_whole() {
        assert_eq!(fold(&"word ".repeat(80)), None);
    }
}
