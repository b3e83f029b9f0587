//! Fault specs: error statuses, resets, stalls, slow bodies and whole-server pauses, in
//! the grammar shared by CLI flags and query parameters (`fail=0.05:503`, `pause=10s/1s`).
//!
//! Each fault's type holds only valid values (a probability in [0, 1], a status a response
//! can carry, a pause shorter than its period), so a [`Faults`] built in code cannot ask
//! the server for something it would refuse in a query string. Probabilities, rates and
//! durations are read in core's grammar ([`waitbench_core::units`]).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use waitbench_core::units::{ByteRate, ByteSize, HumanDuration, Probability};

use crate::MAX_DELAY;
use crate::spec::{SpecError, parse_capped_duration};

/// The kinds of fault the server injects, as counted in `/stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// An error status instead of the normal answer.
    Fail,
    /// The connection aborted with a TCP RST.
    Reset,
    /// No answer until the client gives up (or the stall cap passes).
    Stall,
    /// The body streamed at a limited rate.
    Bandwidth,
    /// The request held until a whole-server pause ended.
    Pause,
}

impl FaultKind {
    /// Every kind, in the order `/stats` lists them.
    pub const ALL: [FaultKind; 5] = [
        FaultKind::Fail,
        FaultKind::Reset,
        FaultKind::Stall,
        FaultKind::Bandwidth,
        FaultKind::Pause,
    ];

    /// The parameter and `/stats` name: `fail`, `reset`, `stall`, `bandwidth`, `pause`.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Fail => "fail",
            FaultKind::Reset => "reset",
            FaultKind::Stall => "stall",
            FaultKind::Bandwidth => "bandwidth",
            FaultKind::Pause => "pause",
        }
    }

    /// The kind a parameter name refers to.
    pub fn from_name(name: &str) -> Option<FaultKind> {
        FaultKind::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// Answer with a status instead of the normal response, with a probability per request.
///
/// Built only through [`FailFault::new`] or parsing, so the status is always one a
/// response can carry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FailFault {
    probability: Probability,
    status: u16,
}

impl FailFault {
    /// Fails with `status` at `probability`; `None` unless `status` is in 100..=599.
    pub fn new(probability: Probability, status: u16) -> Option<FailFault> {
        (100..=599).contains(&status).then_some(FailFault {
            probability,
            status,
        })
    }

    /// Chance per request.
    pub fn probability(self) -> Probability {
        self.probability
    }

    /// The status sent, in 100..=599.
    pub fn status(self) -> u16 {
        self.status
    }
}

/// Every `every`, the whole server stops answering for `length` (from `every` after
/// start: windows are `[k*every, k*every + length)` for k = 1, 2, …).
///
/// Built only through [`PauseFault::new`] or parsing, so `0 < length < every` and
/// `length <= MAX_DELAY` always hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PauseFault {
    every: Duration,
    length: Duration,
}

impl PauseFault {
    /// A pause of `length` every `every`; `None` unless `0 < length < every` and `length`
    /// is at most [`MAX_DELAY`].
    pub fn new(every: Duration, length: Duration) -> Option<PauseFault> {
        (!length.is_zero() && length < every && length <= MAX_DELAY)
            .then_some(PauseFault { every, length })
    }

    /// Period between the starts of two pauses.
    pub fn every(self) -> Duration {
        self.every
    }

    /// How long each pause lasts (shorter than [`PauseFault::every`]).
    pub fn length(self) -> Duration {
        self.length
    }

    /// If `since_start` falls inside a pause window, how long after start it ends.
    pub fn window_end(&self, since_start: Duration) -> Option<Duration> {
        let (every, length, now) = (
            self.every.as_nanos(),
            self.length.as_nanos(),
            since_start.as_nanos(),
        );
        if now < every || now % every >= length {
            return None;
        }
        let end = now - now % every + length;
        let secs = u64::try_from(end / 1_000_000_000).ok()?;
        Some(Duration::new(secs, (end % 1_000_000_000) as u32))
    }
}

/// The faults to inject; each is off when `None`. Every field's type only holds valid
/// values, so any combination is a valid set of faults. Per-request values override the
/// server's defaults kind by kind. Set by name or from text through
/// [`Conditions`](crate::Conditions), which holds these beside the latencies.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct Faults {
    /// Answer with an error status at a probability, e.g. 0.05:503.
    #[cfg_attr(feature = "clap", arg(long, value_name = "P:STATUS"))]
    pub fail: Option<FailFault>,
    /// Abort the connection with a TCP RST at a probability, e.g. 0.01.
    #[cfg_attr(feature = "clap", arg(long, value_name = "P"))]
    pub reset: Option<Probability>,
    /// Never answer (until the client gives up) at a probability, e.g. 0.001.
    #[cfg_attr(feature = "clap", arg(long, value_name = "P"))]
    pub stall: Option<Probability>,
    /// Send bodies slowly, e.g. 64KiB/s.
    #[cfg_attr(feature = "clap", arg(long, value_name = "RATE"))]
    pub bandwidth: Option<ByteRate>,
    /// Stop answering periodically, e.g. 10s/1s (every 10 s, for 1 s).
    #[cfg_attr(feature = "clap", arg(long, value_name = "EVERY/FOR"))]
    pub pause: Option<PauseFault>,
}

impl Faults {
    /// Whether no fault is set.
    pub fn is_empty(&self) -> bool {
        *self == Faults::default()
    }

    /// These faults with every kind that `overrides` sets replaced by its value.
    pub fn overridden_by(&self, overrides: &Faults) -> Faults {
        Faults {
            fail: overrides.fail.or(self.fail),
            reset: overrides.reset.or(self.reset),
            stall: overrides.stall.or(self.stall),
            bandwidth: overrides.bandwidth.or(self.bandwidth),
            pause: overrides.pause.or(self.pause),
        }
    }
}

/// Parses a probability in [0, 1] given as `parameter`.
pub fn parse_probability(parameter: &str, value: &str) -> Result<Probability, SpecError> {
    value
        .parse::<Probability>()
        .map_err(|error| SpecError::new(parameter, value, error.expected))
}

/// Parses a fail spec `PROBABILITY:STATUS` (`0.05:503`; a bare probability means 503).
pub fn parse_fail(parameter: &str, value: &str) -> Result<FailFault, SpecError> {
    let form = "PROBABILITY:STATUS with a probability from 0 to 1 and a status from 100 \
                to 599, e.g. 0.05:503";
    let error = |why: &str| SpecError::new(parameter, value, format!("{form} ({why})"));
    let (p, status) = value.split_once(':').unwrap_or((value, "503"));
    let probability = p
        .parse::<Probability>()
        .map_err(|_| error("bad probability"))?;
    let status = status
        .trim()
        .parse::<u16>()
        .map_err(|_| error("bad status"))?;
    FailFault::new(probability, status).ok_or_else(|| error("bad status"))
}

impl FromStr for FailFault {
    type Err = SpecError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_fail("fail", text)
    }
}

impl fmt::Display for FailFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.probability, self.status)
    }
}

/// Parses a body rate such as `64KiB/s`, `1MiB/s` or `500` (bytes per second, > 0).
pub fn parse_bandwidth(parameter: &str, value: &str) -> Result<ByteRate, SpecError> {
    value
        .parse::<ByteRate>()
        .map_err(|error| SpecError::new(parameter, value, error.expected))
}

/// Formats a rate in bytes per second as [`ByteRate`] prints it, so that
/// [`parse_bandwidth`] reads it back exactly (`64KiB/s`, `1500B/s`).
pub fn format_bandwidth(bytes_per_s: u64) -> String {
    format!("{}/s", ByteSize(bytes_per_s))
}

/// Parses a pause spec `EVERY/LENGTH` (`10s/1s`): LENGTH at most 60s and below EVERY.
pub fn parse_pause(parameter: &str, value: &str) -> Result<PauseFault, SpecError> {
    let form = "EVERY/LENGTH with 0 < LENGTH < EVERY and LENGTH at most 60s, e.g. 10s/1s";
    let error = |why: String| SpecError::new(parameter, value, format!("{form} ({why})"));
    let (every, length) = value
        .split_once('/')
        .ok_or_else(|| error("no '/'".to_string()))?;
    let every = every
        .parse::<HumanDuration>()
        .map_err(|_| error(format!("EVERY {:?} is not a duration", every.trim())))?
        .0;
    let length = parse_capped_duration(length, "LENGTH").map_err(error)?;
    PauseFault::new(every, length).ok_or_else(|| error("needs 0 < LENGTH < EVERY".to_string()))
}

impl FromStr for PauseFault {
    type Err = SpecError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_pause("pause", text)
    }
}

impl fmt::Display for PauseFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}",
            HumanDuration(self.every),
            HumanDuration(self.length)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fault_prints_back_as_it_was_written() {
        for text in ["0.05:503", "1:500"] {
            assert_eq!(text.parse::<FailFault>().unwrap().to_string(), text);
        }
        for text in ["10s/1s", "1.5s/250ms"] {
            assert_eq!(text.parse::<PauseFault>().unwrap().to_string(), text);
        }
    }

    #[test]
    fn bare_fail_probability_means_503() {
        assert_eq!(
            "1".parse::<FailFault>().unwrap(),
            FailFault::new(Probability::ALWAYS, 503).unwrap()
        );
    }

    #[test]
    fn constructors_refuse_what_parsing_refuses() {
        let half = Probability::new(0.5).unwrap();
        assert!(FailFault::new(half, 503).is_some());
        assert_eq!(FailFault::new(half, 99), None);
        assert_eq!(FailFault::new(half, 600), None);
        let s = Duration::from_secs;
        assert!(PauseFault::new(s(10), s(1)).is_some());
        assert_eq!(PauseFault::new(s(1), s(1)), None);
        assert_eq!(PauseFault::new(s(10), Duration::ZERO), None);
        assert_eq!(PauseFault::new(s(600), MAX_DELAY + s(1)), None);
    }

    #[test]
    fn bandwidth_prints_in_the_largest_exact_unit() {
        assert_eq!(format_bandwidth(65536), "64KiB/s");
        assert_eq!(format_bandwidth(1 << 20), "1MiB/s");
        assert_eq!(format_bandwidth(1500), "1500B/s");
        let rate = |text| parse_bandwidth("bandwidth", text).map(ByteRate::bytes_per_s);
        assert_eq!(rate("1500B/s"), Ok(1500));
        assert_eq!(rate("256KiB/s"), Ok(262_144));
    }

    #[test]
    fn out_of_range_faults_are_refused_by_name() {
        let cases = [
            (parse_fail("fail", "1.5:503").map(|_| ()), "bad probability"),
            (parse_fail("fail", "0.1:600").map(|_| ()), "bad status"),
            (parse_fail("fail", "0.1:99").map(|_| ()), "bad status"),
            (
                parse_probability("reset", "-0.1").map(|_| ()),
                "a number from 0 to 1",
            ),
            (
                parse_bandwidth("bandwidth", "fast").map(|_| ()),
                "above zero",
            ),
            (
                parse_pause("pause", "1s/2s").map(|_| ()),
                "0 < LENGTH < EVERY",
            ),
            (parse_pause("pause", "10m/2m").map(|_| ()), "delay cap"),
            (parse_pause("pause", "10s").map(|_| ()), "no '/'"),
            (parse_pause("pause", "x/1s").map(|_| ()), "EVERY"),
        ];
        for (result, fragment) in cases {
            let error = result.unwrap_err();
            assert!(error.expected.contains(fragment), "{error}");
        }
    }

    #[test]
    fn request_faults_override_server_faults_kind_by_kind() {
        let p = Probability::new;
        let server = Faults {
            reset: p(0.5),
            stall: p(0.1),
            ..Faults::default()
        };
        let request = Faults {
            stall: Some(Probability::NEVER),
            ..Faults::default()
        };
        let merged = server.overridden_by(&request);
        assert_eq!((merged.reset, merged.stall), (p(0.5), p(0.0)));
    }

    #[test]
    fn pause_windows_start_one_period_after_start() {
        let pause: PauseFault = "10s/1s".parse().unwrap();
        let s = Duration::from_secs_f64;
        assert_eq!(pause.window_end(s(0.5)), None);
        assert_eq!(pause.window_end(s(9.9)), None);
        assert_eq!(pause.window_end(s(10.0)), Some(s(11.0)));
        assert_eq!(pause.window_end(s(10.5)), Some(s(11.0)));
        assert_eq!(pause.window_end(s(11.0)), None);
        assert_eq!(pause.window_end(s(20.25)), Some(s(21.0)));
    }
}
