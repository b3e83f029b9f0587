//! Parsing and printing of durations, sizes and rates in the forms users type
//! (`250us`, `1.5s`, `64KiB`), shared by the server's spec grammar and the CLI.

use std::time::Duration;

/// Parses a duration such as `250us`, `1ms`, `1.5s`, `2m` or `0`; `None` when malformed.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text == "0" {
        return Some(Duration::ZERO);
    }
    let split = text.find(|c: char| c.is_ascii_alphabetic() || c == 'µ')?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.trim().parse().ok()?;
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    let seconds = match unit.trim() {
        "ns" => value * 1e-9,
        "us" | "µs" => value * 1e-6,
        "ms" => value * 1e-3,
        "s" => value,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        _ => return None,
    };
    Duration::try_from_secs_f64(seconds).ok()
}

/// Parses a byte size such as `512`, `64KiB`, `1MiB`, `10kB`; `None` when malformed.
pub fn parse_bytes(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number.trim().parse().ok()?;
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    let factor = match unit.trim() {
        "" | "B" => 1.0,
        "kB" | "KB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "KiB" | "k" | "K" => 1024.0,
        "MiB" | "M" => 1024.0 * 1024.0,
        "GiB" | "G" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some((value * factor).round() as u64)
}

/// Formats a duration compactly with a unit that keeps 3–4 significant digits.
pub fn format_duration(duration: Duration) -> String {
    format_micros(duration.as_secs_f64() * 1e6)
}

/// Formats a value in microseconds with a readable unit (`812µs`, `21.3ms`, `1.02s`).
pub fn format_micros(micros: f64) -> String {
    if micros < 1_000.0 {
        format!("{micros:.0}µs")
    } else if micros < 1_000_000.0 {
        format!("{:.2}ms", micros / 1e3)
    } else {
        format!("{:.2}s", micros / 1e6)
    }
}

/// Formats a byte count with binary units (`12.0 KiB`, `3.4 MiB`).
pub fn format_bytes(bytes: f64) -> String {
    const KIB: f64 = 1024.0;
    if bytes.abs() < KIB {
        format!("{bytes:.0} B")
    } else if bytes.abs() < KIB * KIB {
        format!("{:.1} KiB", bytes / KIB)
    } else if bytes.abs() < KIB * KIB * KIB {
        format!("{:.1} MiB", bytes / (KIB * KIB))
    } else {
        format!("{:.2} GiB", bytes / (KIB * KIB * KIB))
    }
}

/// Reduces `text` to `[a-z0-9-]` (other characters become `-`), for anchors and the
/// measure names of tracking services.
pub fn slug(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_keep_lowercase_alphanumerics() {
        assert_eq!(slug("Throughput_RPS@1000"), "throughput-rps-1000");
    }

    #[test]
    fn durations_parse_in_every_unit() {
        assert_eq!(parse_duration("250us"), Some(Duration::from_micros(250)));
        assert_eq!(parse_duration("1ms"), Some(Duration::from_millis(1)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("0"), Some(Duration::ZERO));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("-1ms"), None);
        assert_eq!(parse_duration("1 parsec"), None);
    }

    #[test]
    fn sizes_parse_with_binary_and_decimal_units() {
        assert_eq!(parse_bytes("64KiB"), Some(65536));
        assert_eq!(parse_bytes("1MiB"), Some(1 << 20));
        assert_eq!(parse_bytes("10kB"), Some(10_000));
        assert_eq!(parse_bytes("512"), Some(512));
        assert_eq!(parse_bytes("lots"), None);
    }

    #[test]
    fn micros_format_with_a_readable_unit() {
        assert_eq!(format_micros(812.0), "812µs");
        assert_eq!(format_micros(21_300.0), "21.30ms");
        assert_eq!(format_micros(1_020_000.0), "1.02s");
    }
}
