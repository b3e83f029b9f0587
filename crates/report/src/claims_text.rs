//! The claims table as plain text for a terminal, drawn from the one claims model
//! (`claims_table`) the page draws from: one line per stack's finding, columns shrunk to
//! the width given and their cells wrapped at word boundaries.

use waitbench_core::ClaimRow;

use crate::claims_table::ClaimsTable;

/// Space between columns.
const GAP: &str = "  ";
/// A wrapping column is never made narrower than this (unless its content is).
const MIN_COLUMN: usize = 10;

/// Renders the claims table (id, claimed, measured, predicted, verdict) within `width`
/// terminal columns, wrapping cells; it may exceed `width` only when even the narrowest
/// columns do not fit. Ends with a newline.
pub fn claims_table_text(rows: &[ClaimRow], width: usize) -> String {
    let header = ["id", "claimed", "measured", "predicted", "verdict"];
    // A claim judged on more stacks than one gets one line per stack, each named; the
    // article's figure and the prediction are the claim's, written on its first line.
    let cells: Vec<[String; 5]> = ClaimsTable::of(rows)
        .lines
        .iter()
        .flat_map(|line| {
            let named = line.findings.len() > 1;
            line.findings.iter().enumerate().map(move |(n, finding)| {
                let first = |text: &str| {
                    if n == 0 {
                        text.to_string()
                    } else {
                        String::new()
                    }
                };
                [
                    match named {
                        true => format!("{} · {}", line.id, finding.stack),
                        false => line.id.to_string(),
                    },
                    first(line.claimed),
                    finding.measured.to_string(),
                    first(line.predicted),
                    finding.verdict_text(),
                ]
            })
        })
        .collect();
    let widths = fit_widths(&header, &cells, width);

    let mut out = String::new();
    push_line(&mut out, &header.map(String::from), &widths);
    push_line(&mut out, &widths.map(|w| "-".repeat(w)), &widths);
    let wrapped: Vec<[Vec<String>; 5]> = cells
        .iter()
        .map(|row| std::array::from_fn(|i| wrap(&row[i], widths[i])))
        .collect();
    let any_wraps = wrapped.iter().any(|row| row.iter().any(|c| c.len() > 1));
    for (n, row) in wrapped.iter().enumerate() {
        if any_wraps && n > 0 {
            out.push('\n');
        }
        let height = row.iter().map(Vec::len).max().unwrap_or(1);
        for line in 0..height {
            let parts = std::array::from_fn(|i| row[i].get(line).cloned().unwrap_or_default());
            push_line(&mut out, &parts, &widths);
        }
    }
    out
}

/// Column widths: each column's natural width, then the widest wrapping column narrowed
/// one character at a time until the table fits or every column is at its minimum.
fn fit_widths(header: &[&str; 5], cells: &[[String; 5]], width: usize) -> [usize; 5] {
    let mut widths: [usize; 5] = std::array::from_fn(|i| {
        cells
            .iter()
            .map(|row| longest_line(&row[i]))
            .chain([header[i].chars().count()])
            .max()
            .unwrap_or(0)
    });
    // The id column never wraps; every other column may.
    let minimum: [usize; 5] = std::array::from_fn(|i| {
        if i == 0 {
            widths[0]
        } else {
            widths[i]
                .min(MIN_COLUMN.max(header[i].len()))
                // "not reproduced" and "inconclusive" fit on one line.
                .max(if i == 4 { widths[4].min(14) } else { 0 })
        }
    });
    let available = width.saturating_sub(GAP.len() * (widths.len() - 1));
    // The widest column gives way first: the verdict (which names the explanation too)
    // as much as the text columns.
    while widths.iter().sum::<usize>() > available {
        let widest = (1..5)
            .filter(|&i| widths[i] > minimum[i])
            .max_by_key(|&i| widths[i]);
        match widest {
            Some(i) => widths[i] -= 1,
            None => break,
        }
    }
    widths
}

fn longest_line(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// The units `waitbench_core::units` prints after a space (`812 µs`, `14,812 req/s`).
const UNITS: &[&str] = &["µs", "ms", "s", "req/s", "B", "KiB", "MiB", "GiB"];

/// The words of `paragraph`, with a number and the unit after it kept as one word, so
/// that a wrapped cell never leaves `15` at the end of a line and `ms` on the next.
fn words(paragraph: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in paragraph.split_whitespace() {
        let unit = word.trim_end_matches([',', ';', ':', ')', '.']);
        match words.last_mut() {
            Some(number)
                if UNITS.contains(&unit) && number.ends_with(|c: char| c.is_ascii_digit()) =>
            {
                number.push(' ');
                number.push_str(word);
            }
            _ => words.push(word.to_string()),
        }
    }
    words
}

/// Greedy word wrap to `width` characters; words longer than a line are split.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        let mut line_len = 0;
        for word in words(paragraph) {
            let mut word: Vec<char> = word.chars().collect();
            let sep = usize::from(line_len > 0);
            if line_len + sep + word.len() <= width {
                if sep == 1 {
                    line.push(' ');
                }
                line.extend(word.iter());
                line_len += sep + word.len();
                continue;
            }
            if line_len > 0 {
                lines.push(std::mem::take(&mut line));
            }
            while word.len() > width {
                let rest = word.split_off(width);
                lines.push(word.iter().collect());
                word = rest;
            }
            line.extend(word.iter());
            line_len = word.len();
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

fn push_line(out: &mut String, parts: &[String; 5], widths: &[usize; 5]) {
    let mut line = String::new();
    for (i, (part, width)) in parts.iter().zip(widths).enumerate() {
        if i > 0 {
            line.push_str(GAP);
        }
        line.push_str(part);
        let pad = width.saturating_sub(part.chars().count());
        line.extend(std::iter::repeat_n(' ', pad));
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use waitbench_core::{Stack, Verdict};

    use super::*;

    fn row(id: &str, claimed: &str, verdict: Verdict) -> ClaimRow {
        ClaimRow {
            id: id.into(),
            claim: "a claim".into(),
            claimed: claimed.into(),
            measured: "13.1× (0.48 s vs 6.3 s)".into(),
            predicted: "ceil(500/13)·480 ms = 18.7 s".into(),
            verdict,
            rule: "within 20 %".into(),
            why: "pool size".into(),
            figures: Default::default(),
            trial_verdicts: Vec::new(),
            explained: None,
            stacks: Vec::new(),
        }
    }

    #[test]
    fn a_row_judged_on_python_too_gets_a_line_per_stack() {
        let mut judged = row("D", "+41%", Verdict::NotReproduced);
        judged.stacks.push(waitbench_core::StackFinding {
            stack: Stack::Python,
            measured: "aiohttp +544% throughput".into(),
            verdict: Some(Verdict::Reproduced),
            why_they_differ: "GIL".into(),
            trial_verdicts: Vec::new(),
            explained: None,
        });
        let mut unmeasured = row("A", "13.3×", Verdict::Reproduced);
        unmeasured.stacks.push(waitbench_core::StackFinding {
            stack: Stack::Python,
            measured: "not measured: no python3 on PATH".into(),
            verdict: None,
            why_they_differ: String::new(),
            trial_verdicts: Vec::new(),
            explained: None,
        });
        let text = claims_table_text(&[judged, unmeasured], 200);
        let line = |start: &str| {
            text.lines()
                .find(|l| l.starts_with(start))
                .unwrap_or_else(|| panic!("no {start} line in\n{text}"))
                .to_string()
        };
        assert!(line("D · Rust").ends_with("not reproduced"), "{text}");
        assert!(line("D · Python").contains("aiohttp +544%"), "{text}");
        assert!(line("D · Python").ends_with("reproduced"), "{text}");
        assert!(line("A · Python").ends_with("not measured"), "{text}");
    }

    #[test]
    fn a_wide_terminal_gets_one_line_per_claim() {
        let rows = [
            row("A", "13.3×", Verdict::Reproduced),
            row("B", "30–50 %", Verdict::NotReproduced),
        ];
        let text = claims_table_text(&rows, 200);
        assert_eq!(text.lines().count(), 4, "{text}");
        assert!(
            text.lines().nth(2).unwrap().starts_with("A   13.3×"),
            "{text}"
        );
        assert!(text.contains("not reproduced"));
    }

    #[test]
    fn a_narrow_terminal_wraps_cells_within_the_width() {
        let rows = [row(
            "C",
            "1.5–5× the throughput of threads at 300+ concurrent requests, widening at 5,000",
            Verdict::OnlyUnderConditions,
        )];
        let text = claims_table_text(&rows, 60);
        for line in text.lines() {
            assert!(line.chars().count() <= 60, "{line:?} is wider than 60");
        }
        assert!(text.contains("widening"), "no word may be lost: {text}");
        assert!(text.lines().count() > 3);
    }

    #[test]
    fn a_number_is_never_wrapped_away_from_its_unit() {
        assert_eq!(
            wrap("setup delay at L = 15 ms; 0.17 s (363×)", 10),
            ["setup", "delay at L", "= 15 ms;", "0.17 s", "(363×)"]
        );
        assert_eq!(wrap("3 trials of 5 s", 9), ["3 trials", "of 5 s"]);
    }

    #[test]
    fn long_words_are_split_rather_than_overflowing() {
        assert_eq!(wrap("abcdefghij xy", 4), ["abcd", "efgh", "ij", "xy"]);
        assert_eq!(wrap("", 4), [""]);
    }
}
