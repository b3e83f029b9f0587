//! The pieces of the parameter grammar every spec shares: the error type, durations
//! capped at [`MAX_DELAY`] (read in core's grammar, [`waitbench_core::units`], the same
//! as every other crate's), and splitting `name(arg,arg)` argument lists.

use std::time::Duration;

use waitbench_core::units::HumanDuration;

use crate::MAX_DELAY;

/// A parameter value the server cannot accept, with what it would accept instead.
///
/// The CLI shows it as an argument error; over HTTP it becomes a 400 JSON body with the
/// same three fields.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {parameter} {value:?}: expected {expected}")]
pub struct SpecError {
    /// The parameter, as the user named it (`latency`, `fail`, `x-waitbench-latency`, …).
    pub parameter: String,
    /// The value given, verbatim.
    pub value: String,
    /// The accepted form, with an example and the reason this value was refused.
    pub expected: String,
}

impl SpecError {
    /// An error for `parameter` = `value`, which should have matched `expected`.
    pub fn new(
        parameter: impl Into<String>,
        value: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        SpecError {
            parameter: parameter.into(),
            value: value.into(),
            expected: expected.into(),
        }
    }
}

/// Parses a duration in the workspace's one grammar
/// ([`HumanDuration`]: `250us`, `1.5s`, `1min`,
/// `0`, …); too large a value saturates, so the caller's cap check rejects it.
pub fn parse_duration_spec(text: &str) -> Option<Duration> {
    waitbench_core::units::parse_duration(text)
}

/// Formats a duration so that [`parse_duration_spec`] reads back the same value: the
/// largest unit up to seconds that it reaches, with only the decimals needed (`1.5s`,
/// `250us`, `0`).
pub fn format_duration_spec(duration: Duration) -> String {
    HumanDuration(duration).to_string()
}

/// Parses a duration that must not exceed [`MAX_DELAY`]; the error text is the
/// `expected` part of a [`SpecError`].
pub(crate) fn parse_capped_duration(text: &str, what: &str) -> Result<Duration, String> {
    let duration = text
        .parse::<HumanDuration>()
        .map_err(|error| format!("{what} as {} (got {:?})", error.expected, text.trim()))?
        .0;
    if duration > MAX_DELAY {
        return Err(format!(
            "{what} of at most {} (the server's delay cap; got {})",
            format_duration_spec(MAX_DELAY),
            text.trim()
        ));
    }
    Ok(duration)
}

/// Splits `text` at top-level occurrences of `separator`, ignoring those inside
/// parentheses, so nested specs such as `mix(0.5:1ms,0.5:uniform(1ms,2ms))` stay whole.
pub(crate) fn split_top_level(text: &str, separator: char) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (index, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| "balanced parentheses (found an extra ')')".to_string())?;
            }
            c if c == separator && depth == 0 => {
                parts.push(text[start..index].trim());
                start = index + c.len_utf8();
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err("balanced parentheses (a '(' is never closed)".to_string());
    }
    parts.push(text[start..].trim());
    Ok(parts)
}

/// Reads `key=value` arguments for a model that takes exactly `keys`, in any order.
pub(crate) fn keyword_args<'a, const N: usize>(
    args: &[&'a str],
    keys: [&str; N],
    form: &str,
) -> Result<[&'a str; N], String> {
    let mut values: [Option<&'a str>; N] = [None; N];
    for arg in args {
        let (key, value) = arg
            .split_once('=')
            .ok_or_else(|| format!("{form} with named arguments (got {arg:?})"))?;
        let slot = keys
            .iter()
            .position(|k| *k == key.trim())
            .ok_or_else(|| format!("{form} (unknown argument {:?})", key.trim()))?;
        if values[slot].replace(value.trim()).is_some() {
            return Err(format!("{form} (argument {:?} given twice)", key.trim()));
        }
    }
    let mut out = [""; N];
    for (slot, key) in keys.iter().enumerate() {
        out[slot] = values[slot].ok_or_else(|| format!("{form} (missing {key}=)"))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_durations_take_core_grammar_and_refuse_more_than_the_cap() {
        let capped = |text| parse_capped_duration(text, "a delay");
        assert_eq!(capped("1min"), Ok(Duration::from_secs(60)));
        assert_eq!(capped("250µs"), Ok(Duration::from_micros(250)));
        assert_eq!(capped("0"), Ok(Duration::ZERO));
        let too_long = capped("1h").unwrap_err();
        assert_eq!(
            too_long,
            "a delay of at most 60s (the server's delay cap; got 1h)"
        );
        assert!(
            capped("99999999999999999999999s")
                .unwrap_err()
                .contains("delay cap")
        );
        let malformed = capped("fast").unwrap_err();
        assert!(
            malformed
                .starts_with("a delay as a number and a unit (ns, us, µs, ms, s, m or min, h)"),
            "{malformed}"
        );
        assert!(malformed.ends_with("(got \"fast\")"), "{malformed}");
    }

    #[test]
    fn duration_specs_print_and_parse_back_unchanged() {
        for nanos in [0u64, 1, 1_500, 250_000, 1_234_567, 60_000_000_000] {
            let duration = Duration::from_nanos(nanos);
            let text = format_duration_spec(duration);
            assert_eq!(parse_duration_spec(&text), Some(duration), "{text}");
        }
    }

    #[test]
    fn top_level_split_keeps_nested_arguments_together() {
        assert_eq!(
            split_top_level("0.5:1ms, 0.5:uniform(1ms,2ms)", ',').unwrap(),
            ["0.5:1ms", "0.5:uniform(1ms,2ms)"]
        );
        assert!(split_top_level("a(b", ',').is_err());
        assert!(split_top_level("a)b(", ',').is_err());
    }

    #[test]
    fn spec_error_names_parameter_value_and_form() {
        let error = SpecError::new("latency", "fast", "a duration such as 20ms");
        assert_eq!(
            error.to_string(),
            "invalid latency \"fast\": expected a duration such as 20ms"
        );
    }
}
