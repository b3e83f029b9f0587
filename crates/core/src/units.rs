//! The one grammar for the quantities people type: durations (`250us`, `1.5s`, `2min`),
//! byte sizes (`64KiB`), byte rates (`64KiB/s`) and probabilities (`0.05`).
//!
//! Each quantity is a type that parses itself ([`FromStr`]) and prints itself
//! ([`fmt::Display`]) so that parsing the printed text gives back the same value: a value
//! can go from a flag into a query string or a result file and come back unchanged. Every
//! crate reads these forms through here, so a CLI flag, a query parameter and a scenario
//! file agree on what `1min` means; a crate with limits of its own (the mock server's
//! delay cap) applies them on top of a parsed value instead of parsing again. Numbers are
//! read as exact decimals, not floats, which is what makes the round trip exact.
//!
//! The `format_*` functions at the end are the other direction, for people only: short and
//! rounded, not meant to be parsed back. They are the one formatter of the terminal and
//! the HTML page alike (`812 µs`, `21.3 ms`, `14,800 req/s`: SI style, a space before the
//! unit), so that a figure reads the same wherever it is shown.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The accepted form of a duration, as error messages show it.
const DURATION_FORM: &str =
    "a number and a unit (ns, us, µs, ms, s, m or min, h), e.g. 250us, 20ms, 1.5s, 2min, or 0";

/// The accepted form of a byte size, as error messages show it.
const SIZE_FORM: &str =
    "a number of bytes with an optional unit (B, kB, MB, GB, KiB, MiB, GiB), e.g. 512, 64KiB";

/// The accepted form of a byte rate, as error messages show it.
const RATE_FORM: &str =
    "a size per second above zero, e.g. 64KiB/s, 1MiB/s or 500B/s (the /s may be left out)";

/// The accepted form of a probability, as error messages show it.
const PROBABILITY_FORM: &str = "a number from 0 to 1, e.g. 0.01";

/// Most fraction digits read: more than a nanosecond's worth in every unit, and few
/// enough that the exact arithmetic below cannot overflow.
const MAX_FRACTION_DIGITS: usize = 18;

/// Nanoseconds in each duration unit.
const DURATION_UNITS: &[(&str, u128)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("min", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// Bytes in each size unit; the bare single letters are binary, as in `ulimit` and `dd`.
const SIZE_UNITS: &[(&str, u128)] = &[
    ("", 1),
    ("B", 1),
    ("kB", 1_000),
    ("KB", 1_000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
    ("KiB", 1 << 10),
    ("K", 1 << 10),
    ("k", 1 << 10),
    ("MiB", 1 << 20),
    ("M", 1 << 20),
    ("GiB", 1 << 30),
    ("G", 1 << 30),
];

/// Text that is not a valid quantity, with the form that would have been accepted.
///
/// It names the kind of quantity, not the parameter: the caller knows the parameter's
/// name and adds it (the mock server's `SpecError` carries all three).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {quantity} {value:?}: expected {expected}")]
#[non_exhaustive]
pub struct UnitError {
    /// What was being read: `duration`, `size`, `rate` or `probability`.
    pub quantity: &'static str,
    /// The text given, verbatim.
    pub value: String,
    /// The accepted form, with examples.
    pub expected: &'static str,
}

impl UnitError {
    fn new(quantity: &'static str, value: &str, expected: &'static str) -> Self {
        UnitError {
            quantity,
            value: value.to_string(),
            expected,
        }
    }
}

/// A duration written with a unit: `250us`, `20ms`, `1.5s`, `2min`, `1h` or a bare `0`.
///
/// Parsed exactly to the nanosecond (`0.1s` is 100 ms, not a float's approximation), with
/// optional spaces between number and unit. A value too large for a [`Duration`]
/// saturates at [`Duration::MAX`], so a caller's cap check reports it as too long rather
/// than as malformed. Prints in the largest unit up to seconds that it reaches, with only
/// the decimals needed (`1.5s`, `250us`, `120s`, `0`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HumanDuration(pub Duration);

impl From<Duration> for HumanDuration {
    fn from(duration: Duration) -> Self {
        HumanDuration(duration)
    }
}

impl From<HumanDuration> for Duration {
    fn from(duration: HumanDuration) -> Self {
        duration.0
    }
}

impl FromStr for HumanDuration {
    type Err = UnitError;

    fn from_str(text: &str) -> Result<Self, UnitError> {
        let error = || UnitError::new("duration", text, DURATION_FORM);
        let trimmed = text.trim();
        if trimmed == "0" {
            return Ok(HumanDuration(Duration::ZERO));
        }
        let (number, unit) = split_number(trimmed);
        let unit_nanos = lookup(DURATION_UNITS, unit).ok_or_else(error)?;
        let nanos = scaled(number, unit_nanos).ok_or_else(error)?;
        let secs = u64::try_from(nanos / 1_000_000_000);
        Ok(HumanDuration(match secs {
            Ok(secs) => Duration::new(secs, (nanos % 1_000_000_000) as u32),
            Err(_) => Duration::MAX,
        }))
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = self.0.as_nanos();
        if nanos == 0 {
            return f.write_str("0");
        }
        let (unit_nanos, unit) = [(1_000_000_000, "s"), (1_000_000, "ms"), (1_000, "us")]
            .into_iter()
            .find(|(unit_nanos, _)| nanos >= *unit_nanos)
            .unwrap_or((1, "ns"));
        write_decimal(f, nanos, unit_nanos)?;
        f.write_str(unit)
    }
}

/// A byte count: `512`, `512B`, `64KiB`, `1MiB`, `10kB` (`k`, `M`, `G` alone are binary).
///
/// Parsed exactly and rounded to the nearest byte (`1.5KiB` is 1536); a value above
/// `u64::MAX` saturates. Prints in the largest binary unit that divides it exactly, else
/// in bytes (`64KiB`, `1500B`, `0B`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ByteSize(pub u64);

impl FromStr for ByteSize {
    type Err = UnitError;

    fn from_str(text: &str) -> Result<Self, UnitError> {
        let error = || UnitError::new("size", text, SIZE_FORM);
        let (number, unit) = split_number(text.trim());
        let unit_bytes = lookup(SIZE_UNITS, unit).ok_or_else(error)?;
        let bytes = scaled(number, unit_bytes).ok_or_else(error)?;
        Ok(ByteSize(u64::try_from(bytes).unwrap_or(u64::MAX)))
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.0;
        let unit = [(1u64 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
            .into_iter()
            .find(|(unit_bytes, _)| bytes >= *unit_bytes && bytes.is_multiple_of(*unit_bytes));
        match unit {
            Some((unit_bytes, unit)) => write!(f, "{}{unit}", bytes / unit_bytes),
            None => write!(f, "{bytes}B"),
        }
    }
}

/// A transfer rate above zero in bytes per second: a [`ByteSize`] per second, written
/// with or without the `/s` (`64KiB/s`, `1MiB/s`, `500`). Prints with the `/s`.
///
/// Zero is refused: a transfer at zero bytes per second never ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ByteRate(u64);

impl ByteRate {
    /// The rate of `bytes_per_s` bytes per second; `None` for zero.
    pub fn new(bytes_per_s: u64) -> Option<ByteRate> {
        (bytes_per_s > 0).then_some(ByteRate(bytes_per_s))
    }

    /// Bytes per second, above zero.
    pub fn bytes_per_s(self) -> u64 {
        self.0
    }
}

impl FromStr for ByteRate {
    type Err = UnitError;

    fn from_str(text: &str) -> Result<Self, UnitError> {
        let trimmed = text.trim();
        let size = trimmed.strip_suffix("/s").unwrap_or(trimmed);
        size.parse::<ByteSize>()
            .ok()
            .and_then(|size| ByteRate::new(size.0))
            .ok_or_else(|| UnitError::new("rate", text, RATE_FORM))
    }
}

impl fmt::Display for ByteRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/s", ByteSize(self.0))
    }
}

/// A probability in [0, 1], written as a decimal number (`0.05`, `1`, `1e-3`).
///
/// Prints as the shortest decimal that reads back as the same `f64` (`0.05`, `1`).
#[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd)]
pub struct Probability(f64);

impl Probability {
    /// Never.
    pub const NEVER: Probability = Probability(0.0);

    /// Always.
    pub const ALWAYS: Probability = Probability(1.0);

    /// `p` as a probability; `None` unless it is in [0, 1] (NaN is not).
    pub fn new(p: f64) -> Option<Probability> {
        // Adding 0.0 turns -0.0 into 0.0, so that it prints as `0`.
        (0.0..=1.0).contains(&p).then_some(Probability(p + 0.0))
    }

    /// The probability as a number in [0, 1].
    pub fn get(self) -> f64 {
        self.0
    }
}

impl FromStr for Probability {
    type Err = UnitError;

    fn from_str(text: &str) -> Result<Self, UnitError> {
        text.trim()
            .parse::<f64>()
            .ok()
            .and_then(Probability::new)
            .ok_or_else(|| UnitError::new("probability", text, PROBABILITY_FORM))
    }
}

impl fmt::Display for Probability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Splits `text` into its leading number (digits and `.`) and the unit after it.
fn split_number(text: &str) -> (&str, &str) {
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    (number, unit.trim())
}

fn lookup(units: &[(&str, u128)], unit: &str) -> Option<u128> {
    units
        .iter()
        .find(|(name, _)| *name == unit)
        .map(|(_, factor)| *factor)
}

/// `number` (decimal digits with at most one `.`) times `unit`, exactly, rounded to the
/// nearest integer and saturating; `None` when `number` is not such a decimal.
fn scaled(number: &str, unit: u128) -> Option<u128> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return None;
    }
    if fraction.len() > MAX_FRACTION_DIGITS {
        return None;
    }
    // Only digits get here, so a failed parse means the number is enormous.
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().unwrap_or(u128::MAX)
    };
    let mut value = whole.saturating_mul(unit);
    if !fraction.is_empty() {
        let numerator: u128 = fraction.parse().ok()?;
        let scale = 10u128.pow(fraction.len() as u32);
        // Round half up: `0.0000000005s` is 1 ns, not 0.
        value = value.saturating_add((numerator * unit + scale / 2) / scale);
    }
    Some(value)
}

/// Writes `value / unit` with only the decimals needed to be exact (`unit` a power of 10).
fn write_decimal(f: &mut fmt::Formatter<'_>, value: u128, unit: u128) -> fmt::Result {
    let (whole, fraction) = (value / unit, value % unit);
    if fraction == 0 {
        return write!(f, "{whole}");
    }
    let width = unit.ilog10() as usize;
    let digits = format!("{fraction:0width$}");
    write!(f, "{whole}.{}", digits.trim_end_matches('0'))
}

/// The accepted form of a wall-clock instant, as error messages show it.
const WALL_CLOCK_FORM: &str = "an RFC 3339 time with its offset, e.g. 2026-12-01T02:00:00Z or \
     2026-12-01T03:00:00.5+01:00, or @ and Unix seconds, e.g. @1764554400";

/// A wall-clock instant (`--start-at`): RFC 3339 with an offset, or `@` and Unix seconds.
///
/// It is the one place waitbench reads the wall clock, to let N client hosts start
/// together; nothing measured depends on clocks agreeing, since each side measures
/// durations only, so NTP-level agreement (milliseconds) is plenty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WallClock(pub std::time::SystemTime);

impl WallClock {
    /// Nanoseconds since the Unix epoch (an instant before it is refused when parsed).
    fn unix_nanos(self) -> u128 {
        self.0
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    }
}

impl FromStr for WallClock {
    type Err = UnitError;

    fn from_str(text: &str) -> Result<Self, UnitError> {
        let bad = || UnitError::new("time", text, WALL_CLOCK_FORM);
        let t = text.trim();
        let since_epoch = match t.strip_prefix('@') {
            Some(seconds) => exact_seconds(seconds).ok_or_else(bad)?,
            None => rfc3339(t).ok_or_else(bad)?,
        };
        Ok(WallClock(std::time::UNIX_EPOCH + since_epoch))
    }
}

impl fmt::Display for WallClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = self.unix_nanos();
        let seconds = (nanos / 1_000_000_000) as i64;
        let (days, of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            of_day / 3600,
            of_day / 60 % 60,
            of_day % 60
        )?;
        let fraction = nanos % 1_000_000_000;
        if fraction != 0 {
            let digits = format!("{fraction:09}");
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        f.write_str("Z")
    }
}

/// Non-negative decimal seconds, exactly (`1764554400.25`).
fn exact_seconds(text: &str) -> Option<Duration> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || fraction.len() > 9
        || !(whole.bytes().chain(fraction.bytes())).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let nanos = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<9}").parse().ok()?
    };
    Some(Duration::new(whole.parse().ok()?, nanos))
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` as time since the Unix epoch.
fn rfc3339(text: &str) -> Option<Duration> {
    let number = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
    };
    let (date, rest) = text.split_once(['T', 't', ' '])?;
    let mut ymd = date.splitn(3, '-');
    let (y, m, d) = (
        number(ymd.next()?)?,
        number(ymd.next()?)?,
        number(ymd.next()?)?,
    );
    let (clock, offset_s) = if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        (clock, 0)
    } else {
        let at = rest.rfind(['+', '-'])?;
        let (clock, offset) = rest.split_at(at);
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let (oh, om) = offset[1..].split_once(':')?;
        let (oh, om) = (number(oh)?, number(om)?);
        if oh > 23 || om > 59 {
            return None;
        }
        (clock, sign * (oh * 3600 + om * 60))
    };
    let mut hms = clock.splitn(3, ':');
    let (hh, mm, ss) = (number(hms.next()?)?, number(hms.next()?)?, hms.next()?);
    let seconds = exact_seconds(ss)?;
    let days_in_month = match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    if !(1..=days_in_month).contains(&d) || hh > 23 || mm > 59 || seconds.as_secs() > 60 {
        return None;
    }
    let unix = days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 - offset_s
        + seconds.as_secs() as i64;
    Some(Duration::new(
        u64::try_from(unix).ok()?,
        seconds.subsec_nanos(),
    ))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (the inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// Parses a duration in [`HumanDuration`]'s grammar; `None` when malformed.
pub fn parse_duration(text: &str) -> Option<Duration> {
    text.parse::<HumanDuration>().ok().map(Duration::from)
}

/// Parses a duration flag (`250us`, `1.5s`, `2min`) in [`HumanDuration`]'s grammar, with
/// the grammar's own error: the `value_parser` of every duration flag.
pub fn duration_arg(text: &str) -> Result<Duration, UnitError> {
    text.parse::<HumanDuration>().map(Duration::from)
}

/// Parses a byte size in [`ByteSize`]'s grammar; `None` when malformed.
pub fn parse_bytes(text: &str) -> Option<u64> {
    text.parse::<ByteSize>().ok().map(|size| size.0)
}

/// Formats a duration for people, as [`format_micros`] does (`812 µs`, `21.3 ms`, `5 s`);
/// [`HumanDuration`] prints exactly, for parsing back.
pub fn format_duration(duration: Duration) -> String {
    format_micros(duration.as_secs_f64() * 1e6)
}

/// Formats seconds for people, as [`format_micros`] does.
pub fn format_seconds(seconds: f64) -> String {
    format_micros(seconds * 1e6)
}

/// Formats microseconds in the largest unit they reach (µs, ms, s) with 3 significant
/// digits (more only in a whole number: `1234 s`) and a space before the unit: `812 µs`,
/// `21.3 ms`, `1.02 s`, `240 s`.
///
/// The terminal summary, the claims text and the HTML page all print durations through
/// here, so one run reads the same everywhere. A value that rounds up to 1000 of a unit
/// moves to the next (`999.7 µs` is `1 ms`); a non-finite value prints as `–`.
pub fn format_micros(micros: f64) -> String {
    const UNITS: [(f64, &str); 3] = [(1e6, "s"), (1e3, "ms"), (1.0, "µs")];
    if !micros.is_finite() {
        return NOT_A_NUMBER.to_string();
    }
    let rounded = round_significant(micros, DURATION_DIGITS);
    let (scale, unit) = UNITS
        .into_iter()
        .find(|(scale, _)| rounded.abs() >= *scale)
        .unwrap_or(UNITS[2]);
    format!(
        "{} {unit}",
        format_significant(micros / scale, DURATION_DIGITS)
    )
}

/// Formats a rate in requests per second: `14,812 req/s`, `97.3 req/s`.
pub fn format_rps(rps: f64) -> String {
    format!("{} req/s", format_significant(rps, RATE_DIGITS))
}

/// Formats a share in [0, 1] as a percentage with three significant digits: `1.23%`,
/// `0%`, `100%`.
pub fn format_percent(fraction: f64) -> String {
    format!("{}%", format_significant(fraction * 100.0, 3))
}

/// Formats a count with thousands grouped from five digits up: `812`, `5000`, `48,213`.
pub fn format_count(count: u64) -> String {
    group_thousands(&count.to_string())
}

/// Formats `value` with `digits` significant digits (never rounding the integer part
/// away), trailing zeros trimmed and thousands grouped from five digits up: `12,346`,
/// `2.5`, `0.0123`, `5000`; a non-finite value prints as `–`.
pub fn format_significant(value: f64, digits: u32) -> String {
    if !value.is_finite() {
        return NOT_A_NUMBER.to_string();
    }
    if value == 0.0 {
        return "0".to_string();
    }
    let magnitude = value.abs().log10().floor() as i64;
    let decimals = (i64::from(digits) - 1 - magnitude).max(0) as usize;
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    group_thousands(&text)
}

/// What a number that is not one (NaN, infinite) prints as.
const NOT_A_NUMBER: &str = "–";

/// What a figure this platform cannot measure prints as (memory from `/proc` elsewhere
/// than on Linux): never 0, which would read as a measurement.
pub const UNAVAILABLE: &str = "unavailable";

/// Significant digits of a duration for people.
const DURATION_DIGITS: u32 = 3;

/// Significant digits of a rate for people.
const RATE_DIGITS: u32 = 3;

/// `value` rounded to `digits` significant digits.
fn round_significant(value: f64, digits: u32) -> f64 {
    if value == 0.0 {
        return 0.0;
    }
    let magnitude = value.abs().log10().floor() as i32;
    let scale = 10f64.powi(digits as i32 - 1 - magnitude);
    (value * scale).round() / scale
}

/// Groups the integer part of a plain decimal in threes with commas, from five digits up
/// (four-digit numbers such as years and concurrencies read better ungrouped).
fn group_thousands(text: &str) -> String {
    let (sign, rest) = text.strip_prefix('-').map_or(("", text), |r| ("-", r));
    let (int, fraction) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    if int.len() <= 4 {
        return text.to_string();
    }
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Formats a byte count with binary units (`12.0 KiB`, `3.4 MiB`), rounded for people.
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
    fn wall_clock_times_parse_in_rfc3339_and_unix_form_and_print_in_utc() {
        let at = |text: &str| text.parse::<WallClock>().unwrap();
        let unix = |t: WallClock| t.0.duration_since(std::time::UNIX_EPOCH).unwrap();
        assert_eq!(unix(at("1970-01-01T00:00:00Z")), Duration::ZERO);
        assert_eq!(
            unix(at("2026-12-01T02:00:00Z")),
            Duration::from_secs(1_796_090_400)
        );
        assert_eq!(at("2026-12-01T03:00:00+01:00"), at("2026-12-01T02:00:00Z"));
        assert_eq!(at("@1796090400.25"), at("2026-12-01T02:00:00.25Z"));
        assert_eq!(
            at("2024-02-29T23:59:59.5-00:30").to_string(),
            "2024-03-01T00:29:59.5Z"
        );
        assert_eq!(
            at("2026-12-01T02:00:00Z").to_string(),
            "2026-12-01T02:00:00Z"
        );
    }

    #[test]
    fn malformed_wall_clock_times_show_the_accepted_form() {
        for text in [
            "",
            "2026-12-01",
            "2026-12-01T02:00:00",
            "2026-02-30T00:00:00Z",
            "@-5",
            "now",
        ] {
            let error = text.parse::<WallClock>().unwrap_err().to_string();
            assert!(error.contains("RFC 3339"), "{text:?}: {error}");
        }
    }

    fn duration(text: &str) -> Duration {
        text.parse::<HumanDuration>()
            .unwrap_or_else(|e| panic!("{e}"))
            .0
    }

    #[test]
    fn slugs_keep_lowercase_alphanumerics() {
        assert_eq!(slug("Throughput_RPS@1000"), "throughput-rps-1000");
    }

    #[test]
    fn durations_parse_exactly_in_every_unit() {
        assert_eq!(duration("250us"), Duration::from_micros(250));
        assert_eq!(duration("250µs"), Duration::from_micros(250));
        assert_eq!(duration("1ms"), Duration::from_millis(1));
        assert_eq!(duration("1.5s"), Duration::from_millis(1500));
        assert_eq!(duration(".5ms"), Duration::from_micros(500));
        assert_eq!(duration("2m"), Duration::from_secs(120));
        assert_eq!(duration("1min"), Duration::from_secs(60));
        assert_eq!(duration("1h"), Duration::from_secs(3600));
        assert_eq!(duration("1.5 s"), Duration::from_millis(1500));
        assert_eq!(duration(" 0 "), Duration::ZERO);
        assert_eq!(duration("0.1s"), Duration::from_millis(100));
        assert_eq!(duration("0.123456789s"), Duration::from_nanos(123_456_789));
        assert_eq!(duration("0.0000000005s"), Duration::from_nanos(1));
    }

    #[test]
    fn durations_too_large_saturate_instead_of_failing() {
        assert_eq!(
            duration("99999999999999999999999999999999999999999s"),
            Duration::MAX
        );
        assert_eq!(duration("999999999999999999999h"), Duration::MAX);
    }

    #[test]
    fn malformed_durations_are_refused() {
        for text in [
            "", "10", "ms", "-1ms", "1.2.3ms", "1e3ms", "1 parsec", ".ms", "1hr", "NaNs", "inf",
        ] {
            assert!(text.parse::<HumanDuration>().is_err(), "{text:?}");
        }
    }

    #[test]
    fn durations_print_and_parse_back_unchanged() {
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
            u64::MAX,
        ] {
            let value = HumanDuration(Duration::from_nanos(nanos));
            assert_eq!(value.to_string().parse(), Ok(value), "{value}");
        }
        let max = HumanDuration(Duration::MAX);
        assert_eq!(max.to_string().parse(), Ok(max));
        let printed = |d: Duration| HumanDuration(d).to_string();
        assert_eq!(printed(Duration::from_millis(1500)), "1.5s");
        assert_eq!(printed(Duration::from_micros(250)), "250us");
        assert_eq!(printed(Duration::from_micros(20_500)), "20.5ms");
        assert_eq!(printed(Duration::from_secs(120)), "120s");
        assert_eq!(printed(Duration::ZERO), "0");
    }

    #[test]
    fn sizes_parse_with_binary_and_decimal_units() {
        let size = |text: &str| text.parse::<ByteSize>().map(|s| s.0);
        assert_eq!(size("64KiB"), Ok(65536));
        assert_eq!(size("1MiB"), Ok(1 << 20));
        assert_eq!(size("10kB"), Ok(10_000));
        assert_eq!(size("512"), Ok(512));
        assert_eq!(size("512 B"), Ok(512));
        assert_eq!(size("1.5KiB"), Ok(1536));
        assert_eq!(size("1k"), Ok(1024));
        assert_eq!(size("99999999999GiB"), Ok(u64::MAX));
        for text in ["lots", "", "-1", "1e3", "1 parsec", "1KIB"] {
            assert!(size(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn sizes_print_in_the_largest_exact_unit_and_parse_back() {
        for bytes in [
            0u64,
            1,
            1000,
            1023,
            1024,
            1536,
            65536,
            1 << 20,
            3 << 30,
            u64::MAX,
        ] {
            let size = ByteSize(bytes);
            assert_eq!(size.to_string().parse(), Ok(size), "{size}");
        }
        assert_eq!(ByteSize(65536).to_string(), "64KiB");
        assert_eq!(ByteSize(1536).to_string(), "1536B");
        assert_eq!(ByteSize(3 << 30).to_string(), "3GiB");
    }

    #[test]
    fn rates_parse_with_or_without_per_second() {
        let rate = |text: &str| text.parse::<ByteRate>().map(ByteRate::bytes_per_s);
        assert_eq!(rate("64KiB/s"), Ok(65536));
        assert_eq!(rate("64KiB"), Ok(65536));
        assert_eq!(rate("500B/s"), Ok(500));
        assert_eq!(rate(" 1MiB/s "), Ok(1 << 20));
        for text in ["0", "0B/s", "fast", "64KiB/min", "/s"] {
            assert!(rate(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn rates_print_with_per_second_and_parse_back() {
        for bytes in [1u64, 1500, 65536, 1 << 20, u64::MAX] {
            let rate = ByteRate::new(bytes).expect("above zero");
            assert_eq!(rate.to_string().parse(), Ok(rate), "{rate}");
        }
        assert_eq!(
            ByteRate::new(65536).map(|r| r.to_string()).as_deref(),
            Some("64KiB/s")
        );
        assert_eq!(ByteRate::new(0), None);
    }

    #[test]
    fn probabilities_are_numbers_from_zero_to_one() {
        let p = |text: &str| text.parse::<Probability>().map(Probability::get);
        assert_eq!(p("0.05"), Ok(0.05));
        assert_eq!(p("1"), Ok(1.0));
        assert_eq!(p("1e-3"), Ok(0.001));
        assert_eq!(p("-0"), Ok(0.0));
        for text in ["1.5", "-0.1", "NaN", "inf", "", "5%"] {
            assert!(p(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn probabilities_print_and_parse_back_unchanged() {
        for value in [0.0, 1.0, 0.05, 0.001, 1.0 / 3.0, f64::MIN_POSITIVE] {
            let p = Probability::new(value).expect("in range");
            assert_eq!(p.to_string().parse(), Ok(p), "{p}");
        }
        assert_eq!(
            Probability::new(0.05).map(|p| p.to_string()).as_deref(),
            Some("0.05")
        );
        assert_eq!(
            Probability::new(-0.0).map(|p| p.to_string()).as_deref(),
            Some("0")
        );
    }

    #[test]
    fn errors_name_the_quantity_the_value_and_the_accepted_form() {
        let cases: [(UnitError, &str); 4] = [
            (
                "fast".parse::<HumanDuration>().unwrap_err(),
                "invalid duration \"fast\": expected a number and a unit (ns, us, µs, ms, s, \
                 m or min, h), e.g. 250us, 20ms, 1.5s, 2min, or 0",
            ),
            (
                "lots".parse::<ByteSize>().unwrap_err(),
                "invalid size \"lots\": expected a number of bytes with an optional unit (B, \
                 kB, MB, GB, KiB, MiB, GiB), e.g. 512, 64KiB",
            ),
            (
                "0/s".parse::<ByteRate>().unwrap_err(),
                "invalid rate \"0/s\": expected a size per second above zero, e.g. 64KiB/s, \
                 1MiB/s or 500B/s (the /s may be left out)",
            ),
            (
                "2".parse::<Probability>().unwrap_err(),
                "invalid probability \"2\": expected a number from 0 to 1, e.g. 0.01",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
    }

    #[test]
    fn convenience_parsers_use_the_same_grammar() {
        assert_eq!(parse_duration("1min"), Some(Duration::from_secs(60)));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_bytes("64KiB"), Some(65536));
        assert_eq!(parse_bytes("lots"), None);
    }

    #[test]
    fn durations_for_people_keep_three_digits_and_a_space_before_the_unit() {
        assert_eq!(format_micros(812.0), "812 µs");
        assert_eq!(format_micros(850.4), "850 µs");
        assert_eq!(format_micros(21_300.0), "21.3 ms");
        assert_eq!(format_micros(10_000.0), "10 ms");
        assert_eq!(format_micros(1_020_000.0), "1.02 s");
        assert_eq!(format_micros(240e6), "240 s");
        assert_eq!(format_micros(1_234.2e6), "1234 s");
        assert_eq!(format_micros(0.4), "0.4 µs");
        assert_eq!(format_micros(0.0), "0 µs");
        assert_eq!(format_micros(-1_500.0), "-1.5 ms");
        assert_eq!(format_seconds(2.41), "2.41 s");
        assert_eq!(format_duration(Duration::from_millis(5)), "5 ms");
    }

    #[test]
    fn a_duration_that_rounds_up_to_a_thousand_moves_to_the_next_unit() {
        assert_eq!(format_micros(999.7), "1 ms");
        assert_eq!(format_micros(999_600.0), "1 s");
        assert_eq!(format_micros(999.4), "999 µs");
    }

    #[test]
    fn numbers_that_are_not_print_as_a_dash() {
        assert_eq!(format_micros(f64::NAN), "–");
        assert_eq!(format_significant(f64::INFINITY, 3), "–");
    }

    #[test]
    fn significant_digits_are_trimmed_and_grouped_from_five_digits() {
        assert_eq!(format_significant(12345.6, 3), "12,346");
        assert_eq!(format_significant(2.5, 3), "2.5");
        assert_eq!(format_significant(0.012345, 3), "0.0123");
        assert_eq!(format_significant(1000.0, 3), "1000");
        assert_eq!(format_significant(-98765.0, 2), "-98,765");
        assert_eq!(format_significant(-0.0004, 1), "-0.0004");
        assert_eq!(format_significant(1234567.25, 9), "1,234,567.25");
    }

    #[test]
    fn rates_and_counts_use_the_same_grouping() {
        assert_eq!(format_rps(14_812.4), "14,812 req/s");
        assert_eq!(format_rps(97.34), "97.3 req/s");
        assert_eq!(format_count(5000), "5000");
        assert_eq!(format_count(1_234_567), "1,234,567");
        assert_eq!(format_count(0), "0");
    }
}
