//! The pieces of the parameter grammar every spec shares: the error type, exact
//! durations, and splitting `name(arg,arg)` argument lists.

use std::time::Duration;

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

/// Parses a duration exactly (no float rounding, so printing and parsing round-trip):
/// a decimal number and a unit `ns`, `us`/`µs`, `ms`, `s` or `m`, or a bare `0`.
/// Values too large for a [`Duration`] saturate, so the caller's cap check rejects them.
pub fn parse_duration_spec(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text == "0" {
        return Some(Duration::ZERO);
    }
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    let unit_nanos: u128 = match unit.trim() {
        "ns" => 1,
        "us" | "µs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        _ => return None,
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) || fraction.len() > 18 {
        return None;
    }
    let whole_value: u128 = if whole.is_empty() {
        0
    } else {
        match whole.parse::<u128>() {
            Ok(value) => value,
            // Only digits get here, so a failure means the number is enormous.
            Err(_) => return Some(Duration::MAX),
        }
    };
    let mut nanos = whole_value.saturating_mul(unit_nanos);
    if !fraction.is_empty() {
        let digits: u128 = fraction.parse().ok()?;
        let scale = 10u128.pow(fraction.len() as u32);
        // Round to the nearest nanosecond: `0.0000000005s` is 1 ns, not 0.
        nanos = nanos.saturating_add((digits * unit_nanos + scale / 2) / scale);
    }
    let secs = u64::try_from(nanos / 1_000_000_000).unwrap_or(u64::MAX);
    Some(Duration::new(secs, (nanos % 1_000_000_000) as u32))
}

/// Formats a duration so that [`parse_duration_spec`] reads back the same value: the
/// largest unit it reaches, with only the decimals needed (`1.5s`, `250us`, `0`).
pub fn format_duration_spec(duration: Duration) -> String {
    if duration.is_zero() {
        return "0".to_string();
    }
    let nanos = duration.as_nanos();
    let (unit_nanos, unit, decimals) = if nanos >= 1_000_000_000 {
        (1_000_000_000u128, "s", 9)
    } else if nanos >= 1_000_000 {
        (1_000_000, "ms", 6)
    } else if nanos >= 1_000 {
        (1_000, "us", 3)
    } else {
        (1, "ns", 0)
    };
    let whole = nanos / unit_nanos;
    let fraction = nanos % unit_nanos;
    if fraction == 0 {
        format!("{whole}{unit}")
    } else {
        let digits = format!("{fraction:0decimals$}");
        format!("{whole}.{}{unit}", digits.trim_end_matches('0'))
    }
}

/// Parses a duration that must not exceed [`MAX_DELAY`]; the error text is the
/// `expected` part of a [`SpecError`].
pub(crate) fn parse_capped_duration(text: &str, what: &str) -> Result<Duration, String> {
    let duration = parse_duration_spec(text).ok_or_else(|| {
        format!(
            "{what} as a duration with a unit, e.g. 250us, 20ms, 1.5s or 0 (got {:?})",
            text.trim()
        )
    })?;
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
    fn durations_parse_exactly_in_every_unit() {
        assert_eq!(
            parse_duration_spec("250us"),
            Some(Duration::from_micros(250))
        );
        assert_eq!(
            parse_duration_spec("250µs"),
            Some(Duration::from_micros(250))
        );
        assert_eq!(parse_duration_spec("1ms"), Some(Duration::from_millis(1)));
        assert_eq!(
            parse_duration_spec("1.5s"),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            parse_duration_spec(".5ms"),
            Some(Duration::from_micros(500))
        );
        assert_eq!(parse_duration_spec("1m"), Some(Duration::from_secs(60)));
        assert_eq!(parse_duration_spec("0"), Some(Duration::ZERO));
        assert_eq!(
            parse_duration_spec("0.123456789s"),
            Some(Duration::from_nanos(123_456_789))
        );
        assert_eq!(
            parse_duration_spec("99999999999999999999999999999999999999999s"),
            Some(Duration::MAX)
        );
    }

    #[test]
    fn malformed_durations_are_refused() {
        for text in [
            "", "10", "ms", "-1ms", "1.2.3ms", "1e3ms", "1 parsec", ".ms", "1h",
        ] {
            assert_eq!(parse_duration_spec(text), None, "{text:?}");
        }
    }

    #[test]
    fn durations_format_and_parse_back_unchanged() {
        for nanos in [
            0u64,
            1,
            999,
            1_000,
            1_500,
            250_000,
            1_000_000,
            1_234_567,
            60_000_000_000,
        ] {
            let duration = Duration::from_nanos(nanos);
            let text = format_duration_spec(duration);
            assert_eq!(parse_duration_spec(&text), Some(duration), "{text}");
        }
        assert_eq!(format_duration_spec(Duration::from_millis(1500)), "1.5s");
        assert_eq!(format_duration_spec(Duration::from_micros(250)), "250us");
        assert_eq!(
            format_duration_spec(Duration::from_micros(20_500)),
            "20.5ms"
        );
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
