//! Latency distributions: the grammar (`20ms`, `lognormal(median=20ms,p99=120ms)`, …),
//! per-request sampling, and the analytic mean that Little's-law predictions use.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use rand::Rng;
use rand_distr::StandardNormal;

use crate::MAX_DELAY;
use crate::spec::{
    SpecError, format_duration_spec, keyword_args, parse_capped_duration, split_top_level,
};

/// The accepted forms, shown in every latency error.
const LATENCY_FORMS: &str = "a duration (250us, 20ms, 1.5s, 1min, 0), uniform(LOW,HIGH), \
normal(mean=D,sd=D), lognormal(median=D,p99=D), pareto(min=D,alpha=A,max=D) or \
mix(W:SPEC,...) with weights summing to 1; every duration at most 60s";

/// z-score of the 99th percentile of the standard normal distribution.
const Z_P99: f64 = 2.326_347_874_040_841;

/// How deep `mix(...)` may nest: deep enough for any real use, shallow enough that a
/// hostile query string cannot exhaust the stack.
const MAX_MIX_DEPTH: usize = 4;

/// A latency distribution, sampled once per request.
///
/// Parses from and prints to the grammar shared by `--latency`, `?latency=` and the
/// `x-waitbench-latency` header; printing then parsing gives back an equal value.
#[derive(Debug, Clone, PartialEq)]
pub struct LatencySpec {
    model: Model,
}

#[derive(Debug, Clone, PartialEq)]
enum Model {
    Fixed(Duration),
    Uniform {
        low: Duration,
        high: Duration,
    },
    /// Normal, truncated at zero (negative draws are redrawn).
    Normal {
        mean: Duration,
        sd: Duration,
    },
    /// Log-normal given by its median and 99th percentile.
    LogNormal {
        median: Duration,
        p99: Duration,
    },
    /// Pareto with scale `min` and shape `alpha`; draws above `max` become `max`.
    Pareto {
        min: Duration,
        alpha: f64,
        max: Duration,
    },
    Mix(Vec<(f64, LatencySpec)>),
}

/// Parses a latency spec given as `parameter` (e.g. `latency`, `connect_delay`), so that
/// the error names the parameter the user typed.
pub fn parse_latency(parameter: &str, value: &str) -> Result<LatencySpec, SpecError> {
    parse_model(value, 0)
        .map(|model| LatencySpec { model })
        .map_err(|reason| {
            SpecError::new(
                parameter,
                value,
                format!("{reason}; accepted: {LATENCY_FORMS}"),
            )
        })
}

impl FromStr for LatencySpec {
    type Err = SpecError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_latency("latency", text)
    }
}

impl LatencySpec {
    /// A fixed delay; `None` if it exceeds [`MAX_DELAY`].
    pub fn fixed(delay: Duration) -> Option<LatencySpec> {
        (delay <= MAX_DELAY).then_some(LatencySpec {
            model: Model::Fixed(delay),
        })
    }

    /// Whether every sample is zero (no delay to apply).
    pub fn is_zero(&self) -> bool {
        self.model == Model::Fixed(Duration::ZERO)
    }

    /// Draws one delay, never above [`MAX_DELAY`].
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Duration {
        match &self.model {
            Model::Fixed(delay) => *delay,
            Model::Uniform { low, high } => {
                let (low, high) = (low.as_nanos() as u64, high.as_nanos() as u64);
                Duration::from_nanos(rng.random_range(low..=high))
            }
            Model::Normal { mean, sd } => {
                let (mean, sd) = (mean.as_secs_f64(), sd.as_secs_f64());
                // The mean is not negative, so at least half of all draws are accepted
                // and 64 rejections in a row happen with probability below 2^-64.
                let draw = (0..64)
                    .map(|_| mean + sd * rng.sample::<f64, _>(StandardNormal))
                    .find(|x| *x >= 0.0)
                    .unwrap_or(mean);
                capped_seconds(draw)
            }
            Model::LogNormal { median, p99 } => {
                let sigma = lognormal_sigma(*median, *p99);
                let z: f64 = rng.sample(StandardNormal);
                capped_seconds(median.as_secs_f64() * (sigma * z).exp())
            }
            Model::Pareto { min, alpha, max } => {
                // Inverse CDF with u in (0, 1], so the power never divides by zero.
                let u = 1.0 - rng.random::<f64>();
                let draw = min.as_secs_f64() * u.powf(-1.0 / alpha);
                capped_seconds(draw.min(max.as_secs_f64()))
            }
            Model::Mix(parts) => {
                let mut pick = rng.random::<f64>();
                for (weight, spec) in parts {
                    if pick < *weight {
                        return spec.sample(rng);
                    }
                    pick -= weight;
                }
                // Weights sum to 1 only within 1e-6: the remainder goes to the last part.
                parts
                    .last()
                    .map_or(Duration::ZERO, |(_, spec)| spec.sample(rng))
            }
        }
    }

    /// The distribution's mean, computed analytically (including the truncation at zero,
    /// the Pareto cap and the [`MAX_DELAY`] clamp), for Little's-law predictions.
    pub fn mean(&self) -> Duration {
        capped_seconds(self.mean_seconds())
    }

    fn mean_seconds(&self) -> f64 {
        let cap = MAX_DELAY.as_secs_f64();
        match &self.model {
            Model::Fixed(delay) => delay.as_secs_f64(),
            Model::Uniform { low, high } => (low.as_secs_f64() + high.as_secs_f64()) / 2.0,
            Model::Normal { mean, sd } => {
                let (mu, sigma) = (mean.as_secs_f64(), sd.as_secs_f64());
                if sigma == 0.0 {
                    return mu;
                }
                // E[min(X, cap) | X >= 0] for X ~ N(mu, sigma).
                let (a, b) = (-mu / sigma, (cap - mu) / sigma);
                let kept = 1.0 - normal_cdf(a);
                let inside =
                    mu * (normal_cdf(b) - normal_cdf(a)) + sigma * (normal_pdf(a) - normal_pdf(b));
                (inside + cap * (1.0 - normal_cdf(b))) / kept
            }
            Model::LogNormal { median, p99 } => {
                let sigma = lognormal_sigma(*median, *p99);
                let mu = median.as_secs_f64().ln();
                if sigma == 0.0 {
                    return median.as_secs_f64();
                }
                // E[min(X, cap)] for X = exp(N(mu, sigma)).
                let below = (mu + sigma * sigma / 2.0).exp()
                    * normal_cdf((cap.ln() - mu - sigma * sigma) / sigma);
                below + cap * (1.0 - normal_cdf((cap.ln() - mu) / sigma))
            }
            Model::Pareto { min, alpha, max } => {
                // E[min(X, max)] = min + integral from min to max of (min/x)^alpha dx.
                let (scale, top) = (min.as_secs_f64(), max.as_secs_f64());
                if (alpha - 1.0).abs() < 1e-12 {
                    scale + scale * (top / scale).ln()
                } else {
                    scale + scale * ((top / scale).powf(1.0 - alpha) - 1.0) / (1.0 - alpha)
                }
            }
            Model::Mix(parts) => parts.iter().map(|(w, spec)| w * spec.mean_seconds()).sum(),
        }
    }
}

impl fmt::Display for LatencySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = |duration: &Duration| format_duration_spec(*duration);
        match &self.model {
            Model::Fixed(delay) => write!(f, "{}", d(delay)),
            Model::Uniform { low, high } => write!(f, "uniform({},{})", d(low), d(high)),
            Model::Normal { mean, sd } => write!(f, "normal(mean={},sd={})", d(mean), d(sd)),
            Model::LogNormal { median, p99 } => {
                write!(f, "lognormal(median={},p99={})", d(median), d(p99))
            }
            Model::Pareto { min, alpha, max } => {
                write!(f, "pareto(min={},alpha={alpha},max={})", d(min), d(max))
            }
            Model::Mix(parts) => {
                f.write_str("mix(")?;
                for (index, (weight, spec)) in parts.iter().enumerate() {
                    if index > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{weight}:{spec}")?;
                }
                f.write_str(")")
            }
        }
    }
}

/// Parses one model; the error is the `expected` text (what would have been accepted).
fn parse_model(text: &str, depth: usize) -> Result<Model, String> {
    let text = text.trim();
    let Some(open) = text.find('(') else {
        return parse_capped_duration(text, "a delay").map(Model::Fixed);
    };
    let name = text[..open].trim();
    let inner = text[open + 1..]
        .strip_suffix(')')
        .ok_or_else(|| format!("{name}(...) ending with ')'"))?;
    let args = split_top_level(inner, ',')?;
    match name {
        "uniform" => {
            let form = "uniform(LOW,HIGH) with LOW <= HIGH, e.g. uniform(10ms,30ms)";
            let [low, high] = args[..] else {
                return Err(format!("{form} (two arguments)"));
            };
            let low = parse_capped_duration(low, "uniform's LOW")?;
            let high = parse_capped_duration(high, "uniform's HIGH")?;
            if low > high {
                return Err(format!("{form} (LOW is above HIGH)"));
            }
            Ok(Model::Uniform { low, high })
        }
        "normal" => {
            let form = "normal(mean=D,sd=D), e.g. normal(mean=20ms,sd=5ms)";
            let [mean, sd] = keyword_args(&args, ["mean", "sd"], form)?;
            Ok(Model::Normal {
                mean: parse_capped_duration(mean, "normal's mean")?,
                sd: parse_capped_duration(sd, "normal's sd")?,
            })
        }
        "lognormal" => {
            let form = "lognormal(median=D,p99=D) with 0 < median <= p99, \
                        e.g. lognormal(median=20ms,p99=120ms)";
            let [median, p99] = keyword_args(&args, ["median", "p99"], form)?;
            let median = parse_capped_duration(median, "lognormal's median")?;
            let p99 = parse_capped_duration(p99, "lognormal's p99")?;
            if median.is_zero() || p99 < median {
                return Err(format!("{form} (needs 0 < median <= p99)"));
            }
            Ok(Model::LogNormal { median, p99 })
        }
        "pareto" => {
            let form = "pareto(min=D,alpha=A,max=D) with 0 < min <= max and alpha > 0, \
                        e.g. pareto(min=5ms,alpha=1.5,max=2s)";
            let [min, alpha, max] = keyword_args(&args, ["min", "alpha", "max"], form)?;
            let min = parse_capped_duration(min, "pareto's min")?;
            let max = parse_capped_duration(max, "pareto's max")?;
            let alpha: f64 = alpha
                .parse()
                .ok()
                .filter(|a: &f64| a.is_finite() && *a > 0.0)
                .ok_or_else(|| format!("{form} (alpha {alpha:?} is not a positive number)"))?;
            if min.is_zero() || max < min {
                return Err(format!("{form} (needs 0 < min <= max)"));
            }
            Ok(Model::Pareto { min, alpha, max })
        }
        "mix" => parse_mix(&args, depth),
        _ => Err(format!("a known model, not {name:?}")),
    }
}

fn parse_mix(args: &[&str], depth: usize) -> Result<Model, String> {
    let form = "mix(W:SPEC,...) with weights in [0,1] summing to 1, \
                e.g. mix(0.9:5ms,0.1:lognormal(median=200ms,p99=1s))";
    if depth >= MAX_MIX_DEPTH {
        return Err(format!("{form} (nested at most {MAX_MIX_DEPTH} deep)"));
    }
    let mut parts = Vec::with_capacity(args.len());
    for arg in args {
        let (weight, spec) = arg
            .split_once(':')
            .ok_or_else(|| format!("{form} (part {arg:?} has no WEIGHT:)"))?;
        let weight: f64 = weight
            .trim()
            .parse()
            .ok()
            .filter(|w: &f64| (0.0..=1.0).contains(w))
            .ok_or_else(|| format!("{form} (weight {:?} is not in [0,1])", weight.trim()))?;
        let model = parse_model(spec, depth + 1)?;
        parts.push((weight, LatencySpec { model }));
    }
    let total: f64 = parts.iter().map(|(w, _)| w).sum();
    if (total - 1.0).abs() > 1e-6 {
        return Err(format!("{form} (these weights sum to {total})"));
    }
    Ok(Model::Mix(parts))
}

/// sigma of the log-normal whose median and 99th percentile are given.
fn lognormal_sigma(median: Duration, p99: Duration) -> f64 {
    (p99.as_secs_f64() / median.as_secs_f64()).ln() / Z_P99
}

/// Seconds to a duration clamped to `[0, MAX_DELAY]`; NaN (impossible from a validated
/// spec, but cheap to guard) becomes zero.
fn capped_seconds(seconds: f64) -> Duration {
    if seconds.is_nan() || seconds <= 0.0 {
        return Duration::ZERO;
    }
    Duration::try_from_secs_f64(seconds)
        .unwrap_or(MAX_DELAY)
        .min(MAX_DELAY)
}

fn normal_pdf(x: f64) -> f64 {
    (-x * x / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Complementary error function (Numerical Recipes' Chebyshev fit, relative error below
/// 1.2e-7: ample for a mean used in predictions); std has no `erfc` on stable.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let value = t * poly.exp();
    if x >= 0.0 { value } else { 2.0 - value }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    fn spec(text: &str) -> LatencySpec {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    /// Median, 99th percentile and mean (in ms) of 10,000 seeded draws.
    fn sample_stats(spec: &LatencySpec) -> (f64, f64, f64) {
        let mut rng = StdRng::seed_from_u64(7);
        let mut ms: Vec<f64> = (0..10_000)
            .map(|_| spec.sample(&mut rng).as_secs_f64() * 1e3)
            .collect();
        ms.sort_by(f64::total_cmp);
        let mean = ms.iter().sum::<f64>() / ms.len() as f64;
        (ms[5_000], ms[9_900], mean)
    }

    fn assert_close(what: &str, measured: f64, expected: f64, tolerance: f64) {
        let error = (measured - expected).abs() / expected;
        assert!(
            error <= tolerance,
            "{what}: measured {measured:.3}, expected {expected:.3} (off by {:.1}%)",
            error * 100.0
        );
    }

    #[test]
    fn fixed_always_gives_the_same_delay() {
        let (p50, p99, mean) = sample_stats(&spec("1.5ms"));
        assert_eq!((p50, p99, mean), (1.5, 1.5, 1.5));
        assert_eq!(spec("1.5ms").mean(), Duration::from_micros(1500));
    }

    #[test]
    fn uniform_samples_match_the_distribution() {
        let s = spec("uniform(10ms,30ms)");
        let (p50, p99, mean) = sample_stats(&s);
        assert_close("median", p50, 20.0, 0.03);
        assert_close("p99", p99, 29.8, 0.03);
        assert_close("mean", mean, 20.0, 0.03);
        assert_close("analytic mean", s.mean().as_secs_f64() * 1e3, 20.0, 1e-9);
    }

    #[test]
    fn normal_samples_match_the_distribution() {
        let s = spec("normal(mean=20ms,sd=5ms)");
        let (p50, p99, mean) = sample_stats(&s);
        assert_close("median", p50, 20.0, 0.03);
        assert_close("p99", p99, 20.0 + Z_P99 * 5.0, 0.04);
        assert_close("mean", mean, 20.0, 0.03);
        assert_close("analytic mean", s.mean().as_secs_f64() * 1e3, 20.0, 1e-4);
    }

    #[test]
    fn normal_truncated_at_zero_has_the_truncated_mean() {
        // Half-normal: mean sd*sqrt(2/pi) = 7.979 ms, and no negative draw.
        let s = spec("normal(mean=0,sd=10ms)");
        let (_, _, mean) = sample_stats(&s);
        let expected = 10.0 * (2.0 / std::f64::consts::PI).sqrt();
        assert_close("mean", mean, expected, 0.03);
        assert_close(
            "analytic mean",
            s.mean().as_secs_f64() * 1e3,
            expected,
            1e-4,
        );
    }

    #[test]
    fn lognormal_samples_match_median_and_p99() {
        let s = spec("lognormal(median=20ms,p99=120ms)");
        let (p50, p99, mean) = sample_stats(&s);
        let sigma = (6.0f64).ln() / Z_P99;
        let expected_mean = 20.0 * (sigma * sigma / 2.0).exp();
        assert_close("median", p50, 20.0, 0.04);
        assert_close("p99", p99, 120.0, 0.08);
        assert_close("mean", mean, expected_mean, 0.04);
        assert_close(
            "analytic mean",
            s.mean().as_secs_f64() * 1e3,
            expected_mean,
            1e-4,
        );
    }

    #[test]
    fn pareto_samples_match_and_respect_the_cap() {
        let s = spec("pareto(min=5ms,alpha=1.5,max=2s)");
        let (p50, p99, mean) = sample_stats(&s);
        let alpha: f64 = 1.5;
        assert_close("median", p50, 5.0 * 2f64.powf(1.0 / alpha), 0.04);
        assert_close("p99", p99, 5.0 * 100f64.powf(1.0 / alpha), 0.08);
        let analytic = s.mean().as_secs_f64() * 1e3;
        // Capped at 2 s: 5 + 5 * ((400)^(-0.5) - 1) / (-0.5) = 14.5 ms.
        assert_close("analytic mean", analytic, 14.5, 1e-6);
        assert_close("mean", mean, analytic, 0.06);
        let mut rng = StdRng::seed_from_u64(1);
        let tight = spec("pareto(min=5ms,alpha=0.2,max=10ms)");
        assert!((0..1000).all(|_| tight.sample(&mut rng) <= Duration::from_millis(10)));
    }

    #[test]
    fn mixture_samples_each_part_by_weight() {
        let s = spec("mix(0.9:5ms,0.1:lognormal(median=200ms,p99=1s))");
        let (p50, p99, mean) = sample_stats(&s);
        let sigma = (5.0f64).ln() / Z_P99;
        // The mixture's p99 is the log-normal part's 90th percentile (z = 1.2816).
        assert_close("median", p50, 5.0, 1e-9);
        assert_close("p99", p99, 200.0 * (sigma * 1.281_551_6).exp(), 0.08);
        let expected_mean = 0.9 * 5.0 + 0.1 * 200.0 * (sigma * sigma / 2.0).exp();
        assert_close("mean", mean, expected_mean, 0.05);
        assert_close(
            "analytic mean",
            s.mean().as_secs_f64() * 1e3,
            expected_mean,
            1e-4,
        );
    }

    #[test]
    fn tail_samples_are_clamped_to_the_cap() {
        let s = spec("lognormal(median=50s,p99=60s)");
        let mut rng = StdRng::seed_from_u64(3);
        assert!((0..10_000).all(|_| s.sample(&mut rng) <= MAX_DELAY));
        assert!(s.mean() <= MAX_DELAY);
    }

    #[test]
    fn every_form_prints_and_parses_back_equal() {
        for text in [
            "250us",
            "0",
            "1.5s",
            "uniform(10ms,30ms)",
            "normal(mean=20ms,sd=5ms)",
            "lognormal(median=20ms,p99=120ms)",
            "pareto(min=5ms,alpha=1.5,max=2s)",
            "mix(0.9:5ms,0.1:lognormal(median=200ms,p99=1s))",
            "mix(0.5:mix(0.5:1ms,0.5:2ms),0.5:uniform(0,1ms))",
        ] {
            let parsed = spec(text);
            assert_eq!(parsed.to_string(), text);
            assert_eq!(spec(&parsed.to_string()), parsed);
        }
        assert_eq!(
            spec(" normal( sd=5ms , mean=20ms ) ").to_string(),
            "normal(mean=20ms,sd=5ms)"
        );
    }

    #[test]
    fn errors_name_the_parameter_value_and_accepted_form() {
        let cases = [
            ("fast", "a delay as a number and a unit"),
            ("90s", "delay cap; got 90s"),
            ("uniform(30ms,10ms)", "LOW is above HIGH"),
            ("uniform(10ms)", "two arguments"),
            ("normal(mean=20ms)", "missing sd="),
            ("normal(mean=20ms,sd=5ms,x=1)", "unknown argument"),
            ("lognormal(median=0,p99=1s)", "0 < median <= p99"),
            ("pareto(min=5ms,alpha=-1,max=2s)", "not a positive number"),
            ("pareto(min=5ms,alpha=1.5,max=2m)", "delay cap; got 2m"),
            ("mix(0.5:1ms,0.4:2ms)", "sum to 0.9"),
            ("mix(1.5:1ms)", "not in [0,1]"),
            ("mix(1:mix(1:mix(1:mix(1:mix(1:1ms)))))", "nested at most"),
            ("gamma(1ms)", "a known model"),
            ("uniform(1ms,2ms", "ending with ')'"),
        ];
        for (text, fragment) in cases {
            let error = parse_latency("connect_delay", text).unwrap_err();
            assert_eq!(error.parameter, "connect_delay");
            assert_eq!(error.value, text);
            assert!(
                error.expected.contains(fragment),
                "{text}: {}",
                error.expected
            );
            assert!(error.expected.contains("accepted:"), "{text}");
        }
    }

    #[test]
    fn hostile_input_is_refused_without_panicking() {
        for text in [
            "(",
            ")",
            "mix(",
            "mix()",
            "mix(:)",
            "((((",
            "µ",
            "1µ",
            "uniform(,)",
        ] {
            assert!(text.parse::<LatencySpec>().is_err(), "{text}");
        }
        let deep = "mix(1:".repeat(10_000) + "1ms" + &")".repeat(10_000);
        assert!(deep.parse::<LatencySpec>().is_err());
    }
}
