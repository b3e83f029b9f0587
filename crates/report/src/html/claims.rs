//! The claims table: each claim of the article beside the figure measured here, the
//! prediction, and the verdict with the rule it came from.

use std::fmt::Write;

use waitbench_core::{ClaimRow, SuiteResults, Verdict};

use super::{anchor, escape};

pub(super) fn write(out: &mut String, suite: &SuiteResults) -> std::fmt::Result {
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
            escape(&stack.stack),
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
