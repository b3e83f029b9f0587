//! The claims table as Markdown, the third renderer of the one claims model
//! (`claims_table`): the README's reference table is this text, generated from the
//! committed reference run's `results.json`, so the front door can never quote a figure
//! or a verdict the run does not hold. The README marks the table with
//! [`TABLE_START`] and [`TABLE_END`]; [`splice_table`] replaces what lies between.

use waitbench_core::ClaimRow;

use crate::claims_table::{ClaimsTable, explained_text};

/// The line before the generated table in a Markdown file.
pub const TABLE_START: &str = "<!-- claims table: generated from reports/reference/results.json by `cargo run -p waitbench-report --example readme_table -- --write`; do not edit by hand -->";
/// The line after it.
pub const TABLE_END: &str = "<!-- end of the generated claims table -->";

/// The claims table in Markdown: one line per claim and stack (`A · Python`), the
/// article's figure and the prediction on the claim's first line, the verdict on the
/// claim as stated in bold and, where the claim names a mechanism, whether it explains
/// the figure.
pub fn claims_table_markdown(rows: &[ClaimRow]) -> String {
    let mut out = String::from(
        "| id | claim | claimed | measured | Little's law / mechanism predicts | verdict |\n\
         |---|---|---|---|---|---|\n",
    );
    for line in ClaimsTable::of(rows).lines {
        for (n, finding) in line.findings.iter().enumerate() {
            let first = |text: &str| if n == 0 { cell(text) } else { String::new() };
            let id = if n == 0 {
                line.id.to_string()
            } else {
                format!("{} · {}", line.id, finding.stack)
            };
            let mut verdict = format!("**{}**", finding.verdict_label());
            if let (Some(_), Some(explained)) = (finding.verdict, finding.explained) {
                verdict = format!("as stated: {verdict}; {}", explained_text(explained));
            }
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                cell(&id),
                first(line.claim),
                first(line.claimed),
                cell(finding.measured),
                first(line.predicted),
                cell(&verdict)
            ));
        }
    }
    out
}

/// A table cell's text: one line, with `|` escaped.
fn cell(text: &str) -> String {
    text.replace('\n', " ").replace('|', "\\|")
}

/// Why a generated table could not be put into a Markdown file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpliceError {
    /// A marker line is missing or out of order.
    #[error(
        "the file has no generated claims table: add a line `{TABLE_START}` and, after it, a \
         line `{TABLE_END}` where the table goes"
    )]
    NoMarkers,
}

/// `markdown` with the lines between [`TABLE_START`] and [`TABLE_END`] replaced by
/// `table`.
pub fn splice_table(markdown: &str, table: &str) -> Result<String, SpliceError> {
    let start = markdown.find(TABLE_START).ok_or(SpliceError::NoMarkers)?;
    let body = start + TABLE_START.len();
    let end = markdown[body..]
        .find(TABLE_END)
        .map(|i| body + i)
        .ok_or(SpliceError::NoMarkers)?;
    Ok(format!(
        "{}\n{}{}",
        &markdown[..body],
        table,
        &markdown[end..]
    ))
}

#[cfg(test)]
mod tests {
    use waitbench_core::{Explained, Explanation, Stack, StackFinding, Verdict};

    use super::*;

    fn row() -> ClaimRow {
        ClaimRow {
            id: "A".into(),
            claim: "500 endpoints".into(),
            claimed: "13.3×".into(),
            measured: "uncapped 390×".into(),
            predicted: "ceil(N/C)·L".into(),
            verdict: Verdict::NotReproduced,
            rule: String::new(),
            why: String::new(),
            figures: Default::default(),
            trial_verdicts: Vec::new(),
            explained: Some(Explanation {
                outcome: Explained::Explained,
                text: "by 13 in flight: predicted 4.68 s, measured 4.73 s (within ±10%)".into(),
                trial_outcomes: Vec::new(),
            }),
            stacks: vec![StackFinding {
                stack: Stack::Python,
                measured: "a | b".into(),
                verdict: Some(Verdict::Reproduced),
                why_they_differ: String::new(),
                trial_verdicts: Vec::new(),
                explained: None,
            }],
        }
    }

    #[test]
    fn each_stack_gets_a_line_with_both_answers_and_pipes_escaped() {
        let table = claims_table_markdown(&[row()]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(
            lines[2],
            "| A | 500 endpoints | 13.3× | uncapped 390× | ceil(N/C)·L | as stated: **not \
             reproduced**; explained by 13 in flight: predicted 4.68 s, measured 4.73 s \
             (within ±10%) |"
        );
        assert_eq!(
            lines[3],
            "| A · Python |  |  | a \\| b |  | **reproduced** |"
        );
    }

    #[test]
    fn the_table_replaces_only_what_lies_between_the_markers() {
        let readme = format!("intro\n{TABLE_START}\n| old |\n{TABLE_END}\nafter\n");
        let spliced = splice_table(&readme, "| new |\n").unwrap();
        assert_eq!(
            spliced,
            format!("intro\n{TABLE_START}\n| new |\n{TABLE_END}\nafter\n")
        );
        assert_eq!(splice_table(&spliced, "| new |\n").unwrap(), spliced);
        assert_eq!(
            splice_table("no table", "| new |\n"),
            Err(SpliceError::NoMarkers)
        );
        let reversed = format!("{TABLE_END}\n{TABLE_START}\n");
        assert_eq!(splice_table(&reversed, ""), Err(SpliceError::NoMarkers));
    }
}
