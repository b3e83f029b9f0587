//! Property tests of the condition grammar (latency specs, faults) and of the query
//! string that carries it: whatever the input, parsing never panics; and whatever parses,
//! printing it and parsing the print gives back the same value, so a spec written into a
//! result file or a query string is the one that was asked for.
//!
//! Valid inputs are generated from the grammar's forms; hostile ones are arbitrary text,
//! text made of the grammar's own characters, and valid specs with one character changed.
//! The case count is modest so `cargo test --workspace` stays quick on two cores.

use std::time::Duration;

use proptest::prelude::*;
use waitbench_core::units::{ByteRate, Probability};
use waitbench_mockserver::{Conditions, FailFault, LatencySpec, PauseFault};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    }
}

/// A duration up to the 60 s cap, written in one of the units the grammar reads.
fn duration_text() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u64..=60_000_000).prop_map(|us| format!("{us}us")),
        (0u64..=60_000).prop_map(|ms| format!("{ms}ms")),
        (0u64..=60).prop_map(|s| format!("{s}s")),
        (0u64..=59_999).prop_map(|ms| format!("{}.{:03}s", ms / 1000, ms % 1000)),
        Just("1min".to_string()),
        Just("0".to_string()),
    ]
}

/// Microseconds in 1..=60 s's range, for the forms that need ordered or non-zero values.
fn micros() -> impl Strategy<Value = u64> {
    1u64..=60_000_000
}

/// A latency spec in any of the grammar's forms, mixtures nested up to two deep.
fn latency_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        duration_text(),
        (micros(), micros()).prop_map(|(a, b)| format!("uniform({}us,{}us)", a.min(b), a.max(b))),
        (duration_text(), duration_text()).prop_map(|(m, s)| format!("normal(mean={m},sd={s})")),
        (micros(), micros()).prop_map(|(a, b)| format!(
            "lognormal(median={}us,p99={}us)",
            a.min(b),
            a.max(b)
        )),
        (micros(), 1u32..=50, micros()).prop_map(|(a, alpha, b)| format!(
            "pareto(min={}us,alpha={},max={}us)",
            a.min(b),
            f64::from(alpha) / 10.0,
            a.max(b)
        )),
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        // Weights in eighths sum to exactly 1 in binary floating point.
        (1usize..=4)
            .prop_flat_map(move |parts| {
                (
                    proptest::collection::vec(1u32..=4, parts),
                    proptest::collection::vec(inner.clone(), parts),
                )
            })
            .prop_filter_map("weights that can sum to 8 eighths", |(counts, specs)| {
                let total: u32 = counts.iter().sum();
                let mut eighths: Vec<u32> = counts.iter().map(|c| c * 8 / total).collect();
                let short = 8 - eighths.iter().sum::<u32>();
                eighths[0] += short;
                let parts: Vec<String> = eighths
                    .iter()
                    .zip(&specs)
                    .map(|(e, spec)| format!("{}:{spec}", f64::from(*e) / 8.0))
                    .collect();
                Some(format!("mix({})", parts.join(",")))
            })
    })
}

/// Fault values in their grammar: `fail`, `reset`/`stall`, `bandwidth`, `pause`.
fn fail_text() -> impl Strategy<Value = String> {
    (0u32..=1000, 100u16..=599)
        .prop_map(|(p, status)| format!("{}:{status}", f64::from(p) / 1000.0))
}

fn probability_text() -> impl Strategy<Value = String> {
    (0u32..=10_000).prop_map(|p| format!("{}", f64::from(p) / 10_000.0))
}

fn bandwidth_text() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u64..=1_000_000_000).prop_map(|b| format!("{b}")),
        (1u64..=1_000_000).prop_map(|k| format!("{k}KiB/s")),
        (1u64..=1000).prop_map(|m| format!("{m}MiB/s")),
        (1u64..=1_000_000).prop_map(|k| format!("{k}kB/s")),
    ]
}

fn pause_text() -> impl Strategy<Value = String> {
    (2u64..=60_000, 1u64..=60_000).prop_map(|(every, length)| {
        let length = length.min(every - 1);
        format!("{every}ms/{length}ms")
    })
}

/// A query string setting some of the conditions, values percent-encoded or not.
fn query_text() -> impl Strategy<Value = String> {
    let pair = prop_oneof![
        latency_text().prop_map(|v| ("latency", v)),
        latency_text().prop_map(|v| ("connect_delay", v)),
        fail_text().prop_map(|v| ("fail", v)),
        probability_text().prop_map(|v| ("reset", v)),
        probability_text().prop_map(|v| ("stall", v)),
        bandwidth_text().prop_map(|v| ("bandwidth", v)),
        pause_text().prop_map(|v| ("pause", v)),
    ];
    (proptest::collection::vec(pair, 1..=7), any::<bool>()).prop_map(|(pairs, encode)| {
        pairs
            .iter()
            .map(|(name, value)| {
                let value = if encode {
                    value
                        .replace('%', "%25")
                        .replace(':', "%3A")
                        .replace('/', "%2F")
                        .replace('(', "%28")
                        .replace(')', "%29")
                } else {
                    value.clone()
                };
                format!("{name}={value}")
            })
            .collect::<Vec<_>>()
            .join("&")
    })
}

/// Text built from the grammar's own characters and words: most of it is invalid in
/// ways a parser must handle (unbalanced parentheses, empty arguments, huge numbers).
fn grammar_noise() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("("),
        Just(")"),
        Just(","),
        Just(":"),
        Just("="),
        Just("/"),
        Just("&"),
        Just("%"),
        Just("%3A"),
        Just("."),
        Just("-"),
        Just(" "),
        Just("mix"),
        Just("uniform"),
        Just("normal"),
        Just("lognormal"),
        Just("pareto"),
        Just("mean"),
        Just("sd"),
        Just("median"),
        Just("p99"),
        Just("alpha"),
        Just("min"),
        Just("max"),
        Just("latency"),
        Just("fail"),
        Just("pause"),
        Just("bandwidth"),
        Just("0"),
        Just("1"),
        Just("0.5"),
        Just("99999999999999999999"),
        Just("1e308"),
        Just("NaN"),
        Just("inf"),
        Just("ms"),
        Just("us"),
        Just("s"),
        Just("KiB"),
    ];
    proptest::collection::vec(token, 0..24).prop_map(|tokens| tokens.concat())
}

/// A valid spec with one character replaced, inserted or removed.
fn near_miss(valid: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (valid, any::<prop::sample::Index>(), any::<char>(), 0u8..3).prop_map(|(text, at, c, how)| {
        let mut chars: Vec<char> = text.chars().collect();
        let i = at.index(chars.len() + 1);
        match how {
            0 if i < chars.len() => chars[i] = c,
            1 => chars.insert(i, c),
            _ if i < chars.len() => {
                chars.remove(i);
            }
            _ => chars.push(c),
        }
        chars.into_iter().collect()
    })
}

fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        grammar_noise(),
        near_miss(latency_text()),
        near_miss(query_text()),
    ]
}

/// Parses `text` as `T`; if it parses, asserts that its print parses back equal and
/// prints the same.
fn round_trips<T>(text: &str) -> Result<(), TestCaseError>
where
    T: std::str::FromStr + std::fmt::Display + PartialEq + std::fmt::Debug,
{
    if let Ok(value) = text.parse::<T>() {
        let printed = value.to_string();
        let again = printed.parse::<T>();
        prop_assert!(
            again.is_ok(),
            "{text:?} printed as {printed:?}, which does not parse"
        );
        let again = again.ok().expect("checked above");
        prop_assert_eq!(&again, &value, "{:?} printed as {:?}", text, printed);
        prop_assert_eq!(again.to_string(), printed);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_latency_form_parses_and_its_print_parses_back_equal(text in latency_text()) {
        let spec = text
            .parse::<LatencySpec>()
            .map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
        round_trips::<LatencySpec>(&text)?;
        // A parsed spec never samples above the cap, whatever its tail.
        let mut rng = rand_for_test();
        prop_assert!(spec.sample(&mut rng) <= Duration::from_secs(60));
    }

    #[test]
    fn every_fault_form_parses_and_its_print_parses_back_equal(
        fail in fail_text(),
        probability in probability_text(),
        bandwidth in bandwidth_text(),
        pause in pause_text(),
    ) {
        prop_assert!(fail.parse::<FailFault>().is_ok(), "{fail:?}");
        prop_assert!(probability.parse::<Probability>().is_ok(), "{probability:?}");
        prop_assert!(bandwidth.parse::<ByteRate>().is_ok(), "{bandwidth:?}");
        prop_assert!(pause.parse::<PauseFault>().is_ok(), "{pause:?}");
        round_trips::<FailFault>(&fail)?;
        round_trips::<Probability>(&probability)?;
        round_trips::<ByteRate>(&bandwidth)?;
        round_trips::<PauseFault>(&pause)?;
    }

    #[test]
    fn every_query_parses_and_its_printed_query_parses_back_equal(query in query_text()) {
        let conditions = Conditions::from_query(&query)
            .map_err(|e| TestCaseError::fail(format!("{query:?}: {e}")))?;
        let printed = conditions.to_query().expect("a generated query sets something");
        let again = Conditions::from_query(&printed);
        prop_assert_eq!(again.ok(), Some(conditions), "{:?} printed as {:?}", query, printed);
    }

    #[test]
    fn hostile_text_never_panics_and_what_parses_round_trips(text in hostile()) {
        round_trips::<LatencySpec>(&text)?;
        round_trips::<FailFault>(&text)?;
        round_trips::<Probability>(&text)?;
        round_trips::<ByteRate>(&text)?;
        round_trips::<PauseFault>(&text)?;
        if let Ok(conditions) = Conditions::from_query(&text) {
            match conditions.to_query() {
                Some(printed) => prop_assert_eq!(
                    Conditions::from_query(&printed).ok(),
                    Some(conditions),
                    "{:?} printed as {:?}", text, printed
                ),
                None => prop_assert!(conditions.is_empty()),
            }
        }
    }
}

/// A seeded generator, so a failing case replays with the same samples.
fn rand_for_test() -> impl rand::Rng {
    use rand::SeedableRng;
    rand::rngs::StdRng::seed_from_u64(13)
}
