//! The page's opening: one sentence per client stack saying how many of the article's
//! claims its clients reproduced, and which, counted from the claims model the table
//! below draws, so the headline can never disagree with the table.

use std::fmt::Write;

use waitbench_core::{SuiteResults, Verdict};

use super::claims::row_anchor;
use super::escape;
use crate::claims_table::ClaimsTable;

/// The headline block, or nothing when no claim was judged.
pub(super) fn write(out: &mut String, suite: &SuiteResults) -> std::fmt::Result {
    let table = ClaimsTable::of(&suite.claims);
    let stacks = table.stacks();
    if stacks.is_empty() {
        return Ok(());
    }
    writeln!(out, "<div class=\"headline\" id=\"headline\">")?;
    // A stack whose rows are all unpaired (no verdict to count) has no sentence.
    for stack in stacks.into_iter().filter(|s| !table.tally(s).is_empty()) {
        writeln!(out, "<p>{}</p>", sentence(&table, stack))?;
    }
    writeln!(out, "</div>")
}

/// What a verdict says in the headline.
fn phrase(verdict: Option<Verdict>) -> &'static str {
    match verdict {
        Some(Verdict::Reproduced) => "reproduced as the article states",
        Some(Verdict::OnlyUnderConditions) => "only under stated conditions",
        Some(Verdict::NotReproduced) => "not reproduced",
        Some(Verdict::Inconclusive) => "inconclusive",
        None => "not measured",
    }
}

/// `Rust clients: 3 of 9 claims reproduced as the article states (F1, F2, CO), 5 only
/// under stated conditions (…) and 1 inconclusive (D).`, with each id a link to its row.
fn sentence(table: &ClaimsTable<'_>, stack: &str) -> String {
    let tally = table.tally(stack);
    let judged: usize = tally.iter().map(|(_, ids)| ids.len()).sum();
    let reproduced = tally
        .iter()
        .find(|(v, _)| *v == Some(Verdict::Reproduced))
        .map_or(0, |(_, ids)| ids.len());
    let mut parts: Vec<String> = tally
        .iter()
        .filter(|(v, _)| *v != Some(Verdict::Reproduced))
        .map(|(verdict, ids)| format!("{} {} ({})", ids.len(), phrase(*verdict), links(ids)))
        .collect();
    let lead = match reproduced {
        0 => format!(
            "none of {judged} claim{} {}",
            plural(judged),
            phrase(Some(Verdict::Reproduced))
        ),
        n => {
            let ids = &tally[0].1;
            format!(
                "{n} of {judged} claim{} {} ({})",
                plural(judged),
                phrase(Some(Verdict::Reproduced)),
                links(ids)
            )
        }
    };
    let rest = match parts.len() {
        0 => String::new(),
        _ => {
            let last = parts.pop().unwrap_or_default();
            match parts.is_empty() {
                true => format!(", {last}"),
                false => format!(", {} and {last}", parts.join(", ")),
            }
        }
    };
    format!("<strong>{} clients:</strong> {lead}{rest}.", escape(stack))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The ids, each a link to its claim's row.
fn links(ids: &[&str]) -> String {
    ids.iter()
        .map(|id| format!("<a href=\"#{}\">{}</a>", row_anchor(id), escape(id)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use waitbench_core::{ClaimRow, StackFinding};

    use super::*;

    fn row(id: &str, verdict: Verdict, python: Option<Verdict>) -> ClaimRow {
        ClaimRow {
            id: id.into(),
            claim: String::new(),
            claimed: String::new(),
            measured: String::new(),
            predicted: String::new(),
            verdict,
            rule: String::new(),
            why: String::new(),
            figures: Default::default(),
            trial_verdicts: Vec::new(),
            explained: None,
            stacks: vec![StackFinding {
                stack: waitbench_core::Stack::Python,
                measured: String::new(),
                verdict: python,
                why_they_differ: String::new(),
                trial_verdicts: Vec::new(),
                explained: None,
            }],
        }
    }

    fn text(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    }

    #[test]
    fn each_stack_gets_a_sentence_counting_its_verdicts() {
        let rows = [
            row("A", Verdict::OnlyUnderConditions, Some(Verdict::Reproduced)),
            row("D", Verdict::Inconclusive, Some(Verdict::Reproduced)),
            row("F1", Verdict::Reproduced, Some(Verdict::NotReproduced)),
            row("F2", Verdict::Reproduced, None),
        ];
        let table = ClaimsTable::of(&rows);
        assert_eq!(
            text(&sentence(&table, "Rust")),
            "Rust clients: 2 of 4 claims reproduced as the article states (F1, F2), 1 only \
             under stated conditions (A) and 1 inconclusive (D)."
        );
        assert_eq!(
            text(&sentence(&table, "Python")),
            "Python clients: 2 of 4 claims reproduced as the article states (A, D), 1 not \
             reproduced (F1) and 1 not measured (F2)."
        );
        assert!(sentence(&table, "Rust").contains("<a href=\"#claim-f1\">F1</a>"));
    }

    #[test]
    fn a_stack_that_reproduced_nothing_says_none() {
        let rows = [row(
            "C",
            Verdict::NotReproduced,
            Some(Verdict::Inconclusive),
        )];
        let table = ClaimsTable::of(&rows);
        assert_eq!(
            text(&sentence(&table, "Rust")),
            "Rust clients: none of 1 claim reproduced as the article states, 1 not \
             reproduced (C)."
        );
    }
}
