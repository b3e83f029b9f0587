//! How many trials a report's points ran, in words. A suite runs its default number of
//! trials per point unless a scenario sets its own (a full run gives the costliest
//! scenarios fewer), so the report says the count each scenario's points ran rather
//! than the suite's default alone.

use waitbench_core::{ScenarioResult, SuiteResults};

/// The fewest and the most trials any point of `scenarios` ran (`None`: no point).
fn range<'a>(scenarios: impl IntoIterator<Item = &'a ScenarioResult>) -> Option<(usize, usize)> {
    scenarios
        .into_iter()
        .flat_map(|s| &s.series)
        .flat_map(|s| &s.points)
        .map(|p| p.trials.trials.len())
        .fold(None, |found, n| match found {
            None => Some((n, n)),
            Some((lo, hi)) => Some((lo.min(n), hi.max(n))),
        })
}

fn words((lo, hi): (usize, usize)) -> String {
    if lo == hi {
        format!("{lo} trial{}", if lo == 1 { "" } else { "s" })
    } else {
        format!("{lo}–{hi} trials")
    }
}

/// "3 trials", or "2–3 trials" when scenarios ran different counts; the suite's default
/// when nothing was measured.
pub(crate) fn of_suite(suite: &SuiteResults) -> String {
    words(range(&suite.scenarios).unwrap_or((suite.trials, suite.trials)))
}

/// The trials `scenario`'s points ran, in the same words.
pub(crate) fn of_scenario(scenario: &ScenarioResult, suite: &SuiteResults) -> String {
    words(range([scenario]).unwrap_or((suite.trials, suite.trials)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_count_is_said_alone_and_two_counts_as_a_range() {
        assert_eq!(words((1, 1)), "1 trial");
        assert_eq!(words((3, 3)), "3 trials");
        assert_eq!(words((2, 3)), "2–3 trials");
    }
}
