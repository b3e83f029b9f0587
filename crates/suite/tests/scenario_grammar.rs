//! Property tests of scenario files: whatever the text, loading never panics (a bad file
//! is an error naming the file); and conditions written into a scenario come out of its
//! plan, and out of the result record the plan makes, exactly as written.
//!
//! The condition grammar itself is tested in the mock server's `tests/grammar.rs`; here
//! the subject is the scenario file around it. The case count is modest so
//! `cargo test --workspace` stays quick on two cores.

use std::path::Path;

use proptest::prelude::*;
use waitbench_mockserver::Conditions;
use waitbench_suite::scenario;

/// A real scenario: its `[workload]` table is where the generated conditions go.
const BASE: &str = include_str!("../../../fixtures/scenarios/g-error-policy.toml");
const PATH: &str = "fuzzed/g-error-policy.toml";

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 128,
        ..ProptestConfig::default()
    }
}

fn duration() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u64..=60_000).prop_map(|ms| format!("{ms}ms")),
        (0u64..=60_000_000).prop_map(|us| format!("{us}us")),
        (0u64..=60).prop_map(|s| format!("{s}s")),
    ]
}

fn latency() -> impl Strategy<Value = String> {
    prop_oneof![
        duration(),
        (1u64..=60_000, 1u64..=60_000).prop_map(|(a, b)| format!(
            "uniform({}ms,{}ms)",
            a.min(b),
            a.max(b)
        )),
        (1u64..=60_000, 1u64..=60_000).prop_map(|(a, b)| format!(
            "lognormal(median={}ms,p99={}ms)",
            a.min(b),
            a.max(b)
        )),
        (duration(), duration()).prop_map(|(a, b)| format!("mix(0.25:{a},0.75:{b})")),
    ]
}

/// Some of the condition keys with valid values, as `key = value` TOML lines; numbers
/// sometimes bare (`reset = 0.01`), as a scenario may write them.
fn condition_lines() -> impl Strategy<Value = Vec<(&'static str, String, String)>> {
    let probability = (0u32..=1000).prop_map(|p| f64::from(p) / 1000.0);
    let line = prop_oneof![
        latency().prop_map(|v| ("latency", format!("{v:?}"), v)),
        latency().prop_map(|v| ("connect_delay", format!("{v:?}"), v)),
        (probability.clone(), 100u16..=599).prop_map(|(p, s)| {
            let v = format!("{p}:{s}");
            ("fail", format!("{v:?}"), v)
        }),
        (probability.clone(), any::<bool>()).prop_map(|(p, bare)| {
            let v = p.to_string();
            ("reset", if bare { v.clone() } else { format!("{v:?}") }, v)
        }),
        probability.prop_map(|p| ("stall", format!("\"{p}\""), p.to_string())),
        (1u64..=100_000).prop_map(|k| ("bandwidth", format!("\"{k}KiB/s\""), format!("{k}KiB/s"))),
        (2u64..=60_000, 1u64..=60_000).prop_map(|(every, length)| {
            let v = format!("{every}ms/{}ms", length.min(every - 1));
            ("pause", format!("{v:?}"), v)
        }),
    ];
    proptest::collection::vec(line, 1..=7).prop_map(|mut lines| {
        // A TOML table refuses a repeated key; keep each key's last value.
        let mut seen = std::collections::HashSet::new();
        lines.reverse();
        lines.retain(|(key, _, _)| seen.insert(*key));
        lines
    })
}

/// The base scenario with its `[workload]` conditions replaced by `lines`.
fn scenario_with(lines: &[(&'static str, String, String)]) -> String {
    let mut text = String::new();
    for line in BASE.lines() {
        if line.starts_with("latency =") || line.starts_with("fail =") {
            continue;
        }
        text.push_str(line);
        text.push('\n');
        if line == "[workload]" {
            for (key, toml_value, _) in lines {
                text.push_str(&format!("{key} = {toml_value}\n"));
            }
        }
    }
    text
}

/// The base scenario cut at any character, or with one line inserted anywhere: a key the
/// file may or may not know, with a value of any type.
fn damaged() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("latency"),
        Just("fail"),
        Just("pause"),
        Just("concurrency"),
        Just("requests"),
        Just("role"),
        Just("latncy"),
        Just("[workload]"),
        Just("[[series]]"),
    ];
    let value = prop_oneof![
        Just("\"5ms\"".to_string()),
        Just("[1, 2]".to_string()),
        Just("{ on_error = \"maybe\" }".to_string()),
        Just("-1".to_string()),
        Just("1e400".to_string()),
        Just("\"unterminated".to_string()),
        any::<String>().prop_map(|s| format!("{s:?}")),
        "[a-z0-9().,:=/ ]{0,12}",
    ];
    prop_oneof![
        any::<prop::sample::Index>().prop_map(|at| {
            let cut = at.index(BASE.len() + 1);
            let cut = (0..=cut)
                .rev()
                .find(|i| BASE.is_char_boundary(*i))
                .unwrap_or(0);
            BASE[..cut].to_string()
        }),
        (any::<prop::sample::Index>(), key, value).prop_map(|(at, key, value)| {
            let mut lines: Vec<String> = BASE.lines().map(str::to_string).collect();
            let i = at.index(lines.len() + 1);
            lines.insert(i, format!("{key} = {value}"));
            lines.join("\n")
        }),
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn conditions_written_into_a_scenario_are_the_ones_planned_and_recorded(
        lines in condition_lines()
    ) {
        let text = scenario_with(&lines);
        let parsed = scenario::from_text(&text, Path::new(PATH))
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let query: Vec<String> = lines.iter().map(|(k, _, v)| format!("{k}={v}")).collect();
        let expected = Conditions::from_query(&query.join("&"))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let plan = parsed
            .plan("http://127.0.0.1:1", false, 1)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (_, points) in plan {
            for point in points {
                let recorded = Conditions::from_injected(&point.injected).ok();
                prop_assert_eq!(recorded.as_ref(), Some(&expected), "{}", text);
            }
        }
    }

    #[test]
    fn a_damaged_scenario_is_an_error_naming_the_file_never_a_panic(text in damaged()) {
        if let Err(error) = scenario::from_text(&text, Path::new(PATH)) {
            let message = error.to_string();
            prop_assert!(message.contains(PATH), "{message}");
        }
    }
}
