//! Pass/fail criteria on a run's own figures, k6's thresholds: `p99<200ms`,
//! `error_rate<0.1%`, `throughput>=500`. One grammar, read here, for `run --threshold`
//! and for `check` on `run --json` results; the quantities are read with the crate's
//! units grammar (durations as everywhere else, a share as a probability or a percent).
//!
//! A threshold is judged on the median trial, the one the summary shows.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use crate::result::RunResult;
use crate::units::{HumanDuration, format_micros, format_percent, format_rps};

/// The accepted form, as error messages show it.
const FORM: &str = "METRIC OP VALUE, e.g. p99<200ms, p50<=20ms, error_rate<0.1%, \
    throughput>500; METRIC: throughput, p50, p90, p99, p99.9, max, mean, error_rate; \
    OP: <, <=, >, >=";

/// A threshold that does not parse, with the accepted form.
#[derive(Debug, Error, PartialEq)]
#[error("threshold {given:?}: {reason}; expected {FORM}")]
pub struct ThresholdError {
    /// The text given.
    pub given: String,
    /// What is wrong with it.
    pub reason: String,
}

/// A figure of a run that a threshold can judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Metric {
    /// Goodput, successful responses per second.
    Throughput,
    /// Median latency.
    P50,
    /// 90th percentile latency.
    P90,
    /// 99th percentile latency.
    P99,
    /// 99.9th percentile latency.
    P999,
    /// Slowest request.
    Max,
    /// Mean latency.
    Mean,
    /// Share of requests that failed.
    ErrorRate,
}

impl Metric {
    /// Every metric.
    pub const ALL: [Metric; 8] = [
        Metric::Throughput,
        Metric::P50,
        Metric::P90,
        Metric::P99,
        Metric::P999,
        Metric::Max,
        Metric::Mean,
        Metric::ErrorRate,
    ];

    /// The metric named `name` (as [`Metric::name`] writes it).
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name.trim())
    }

    /// The name a threshold writes.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Throughput => "throughput",
            Metric::P50 => "p50",
            Metric::P90 => "p90",
            Metric::P99 => "p99",
            Metric::P999 => "p99.9",
            Metric::Max => "max",
            Metric::Mean => "mean",
            Metric::ErrorRate => "error_rate",
        }
    }

    /// The figure in `r`: req/s, microseconds, or a share in [0, 1].
    pub fn of(self, r: &RunResult) -> f64 {
        let l = &r.latency;
        match self {
            Metric::Throughput => r.throughput_rps,
            Metric::P50 => l.p50_us,
            Metric::P90 => l.p90_us,
            Metric::P99 => l.p99_us,
            Metric::P999 => l.p999_us,
            Metric::Max => l.max_us,
            Metric::Mean => l.mean_us,
            Metric::ErrorRate => r.error_rate,
        }
    }

    /// Whether it is a latency, in microseconds.
    fn is_latency(self) -> bool {
        !matches!(self, Metric::Throughput | Metric::ErrorRate)
    }

    /// A figure of this metric, for people.
    pub fn format(self, value: f64) -> String {
        match self {
            Metric::Throughput => format_rps(value),
            Metric::ErrorRate => format_percent(value),
            _ => format_micros(value),
        }
    }

    /// Reads a value of this metric: a duration for a latency, a share (`0.001` or
    /// `0.1%`) for the error rate, a rate (`500`, `500/s`, `500req/s`) for throughput.
    pub fn parse_value(self, text: &str) -> Result<f64, String> {
        let text = text.trim();
        if self.is_latency() {
            return text
                .parse::<HumanDuration>()
                .map(|d| d.0.as_secs_f64() * 1e6)
                .map_err(|e| e.to_string());
        }
        if self == Metric::ErrorRate {
            return parse_share(text);
        }
        let number = text
            .strip_suffix("req/s")
            .or_else(|| text.strip_suffix("/s"))
            .unwrap_or(text)
            .trim();
        number
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n >= 0.0)
            .ok_or_else(|| format!("{text:?} is not a rate; give requests per second, e.g. 500"))
    }
}

/// A share: a probability (`0.001`) or a percent (`0.1%`), in [0, 1].
pub fn parse_share(text: &str) -> Result<f64, String> {
    parse_proportion(text)
        .ok()
        .filter(|s| *s <= 1.0)
        .ok_or_else(|| {
            format!(
                "{:?} is not a share; give 0.001 or 0.1% (0 to 100%)",
                text.trim()
            )
        })
}

/// A proportion that may exceed one, as a tolerance may (`150%`, `0.2`): not negative.
pub fn parse_proportion(text: &str) -> Result<f64, String> {
    let text = text.trim();
    let value = match text.strip_suffix('%') {
        Some(percent) => percent.trim().parse::<f64>().ok().map(|p| p / 100.0),
        None => text.parse::<f64>().ok(),
    };
    value
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| format!("{text:?} is not a proportion; give 0.2 or 20%"))
}

/// How a figure is compared with the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Under the limit.
    Lt,
    /// At most the limit.
    Le,
    /// Over the limit.
    Gt,
    /// At least the limit.
    Ge,
}

impl Op {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }

    /// Whether `value` passes against `limit`.
    pub fn holds(self, value: f64, limit: f64) -> bool {
        match self {
            Op::Lt => value < limit,
            Op::Le => value <= limit,
            Op::Gt => value > limit,
            Op::Ge => value >= limit,
        }
    }
}

/// One criterion: a metric, an operator and a limit (in the metric's unit).
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// What is judged.
    pub metric: Metric,
    /// How.
    pub op: Op,
    /// Against what: req/s, microseconds or a share.
    pub limit: f64,
}

impl FromStr for Threshold {
    type Err = ThresholdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = |reason: String| ThresholdError {
            given: text.to_string(),
            reason,
        };
        let at = text
            .find(['<', '>'])
            .ok_or_else(|| bad("no operator".into()))?;
        let (name, rest) = text.split_at(at);
        let (op, value) = [("<=", Op::Le), (">=", Op::Ge), ("<", Op::Lt), (">", Op::Gt)]
            .into_iter()
            .find_map(|(symbol, op)| rest.strip_prefix(symbol).map(|v| (op, v)))
            .ok_or_else(|| bad("no operator".into()))?;
        let name = name.trim();
        let metric =
            Metric::from_name(name).ok_or_else(|| bad(format!("unknown metric {name:?}")))?;
        let limit = metric.parse_value(value).map_err(bad)?;
        Ok(Threshold { metric, op, limit })
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.metric.name(),
            self.op.symbol(),
            self.metric.format(self.limit)
        )
    }
}

/// A threshold judged on one result.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    /// The threshold.
    pub threshold: Threshold,
    /// The figure measured; `None` for a latency of a run in which nothing succeeded.
    pub measured: Option<f64>,
    /// Whether it held.
    pub passed: bool,
}

impl Threshold {
    /// Judges this threshold on `r`. A latency judged on a run with no success fails:
    /// there is no latency to hold to a limit.
    pub fn judge(&self, r: &RunResult) -> Judged {
        let no_latency = self.metric.is_latency() && r.counts.ok == 0;
        let measured = (!no_latency).then(|| self.metric.of(r));
        Judged {
            threshold: self.clone(),
            measured,
            passed: measured.is_some_and(|m| self.op.holds(m, self.limit)),
        }
    }
}

impl Judged {
    /// The figure as the table and the failure line show it.
    pub fn shown(&self) -> String {
        self.measured.map_or_else(
            || "none: no request succeeded".to_string(),
            |m| self.threshold.metric.format(m),
        )
    }
}

/// The table of judged thresholds, one line each, `ok` or `FAILED`.
pub fn table(label: &str, judged: &[Judged]) -> String {
    let mut out = format!("thresholds ({label})\n");
    for j in judged {
        let t = &j.threshold;
        out.push_str(&format!(
            "  {:<7} {:<12} {:<24} measured {}\n",
            if j.passed { "ok" } else { "FAILED" },
            t.metric.name(),
            format!("{} {}", t.op.symbol(), t.metric.format(t.limit)),
            j.shown(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k6_style_thresholds_parse_in_the_units_grammar() {
        let t: Threshold = "p99<200ms".parse().unwrap();
        assert_eq!((t.metric, t.op, t.limit), (Metric::P99, Op::Lt, 200_000.0));
        let t: Threshold = "error_rate<0.1%".parse().unwrap();
        assert_eq!(t.metric, Metric::ErrorRate);
        assert!((t.limit - 0.001).abs() < 1e-12);
        let t: Threshold = "error_rate <= 0.02".parse().unwrap();
        assert_eq!((t.op, t.limit), (Op::Le, 0.02));
        let t: Threshold = "throughput>=500/s".parse().unwrap();
        assert_eq!(
            (t.metric, t.op, t.limit),
            (Metric::Throughput, Op::Ge, 500.0)
        );
        let t: Threshold = "p99.9<1.5s".parse().unwrap();
        assert_eq!((t.metric, t.limit), (Metric::P999, 1_500_000.0));
    }

    #[test]
    fn a_bad_threshold_names_what_is_wrong_and_the_form() {
        let err = "p98<1ms".parse::<Threshold>().unwrap_err().to_string();
        assert!(err.contains("unknown metric \"p98\""), "{err}");
        assert!(err.contains("e.g. p99<200ms"), "{err}");
        let err = "p99=1ms".parse::<Threshold>().unwrap_err().to_string();
        assert!(err.contains("no operator"), "{err}");
        let err = "p99<fast".parse::<Threshold>().unwrap_err().to_string();
        assert!(err.contains("duration"), "{err}");
        let err = "error_rate<200%"
            .parse::<Threshold>()
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a share"), "{err}");
    }

    #[test]
    fn operators_hold_as_written() {
        assert!(Op::Lt.holds(1.0, 2.0) && !Op::Lt.holds(2.0, 2.0));
        assert!(Op::Le.holds(2.0, 2.0) && !Op::Le.holds(2.1, 2.0));
        assert!(Op::Gt.holds(3.0, 2.0) && !Op::Gt.holds(2.0, 2.0));
        assert!(Op::Ge.holds(2.0, 2.0) && !Op::Ge.holds(1.9, 2.0));
    }
}
