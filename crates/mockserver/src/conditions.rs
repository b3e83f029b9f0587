//! The conditions a server injects (latency, connection-setup delay and faults) as one
//! typed value, with every way in and out written once.
//!
//! Conditions arrive as CLI flags, scenario files, query strings and request headers, and
//! leave as query strings (a client asking a server for them) and as the result file's
//! record of what was injected. Translated separately, they drift apart (a name spelled
//! two ways, a rate printed in a form the server refuses); here the names come from one
//! table ([`Parameter`]), each value's text meets its parser in one `match`
//! ([`Conditions::set`]) and its printer in another ([`Conditions::entries`]), and every
//! other way in or out goes through those two.

use axum::http::HeaderMap;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use waitbench_core::InjectedConditions;

use crate::faults::{Faults, parse_bandwidth, parse_fail, parse_pause, parse_probability};
use crate::latency::{LatencySpec, parse_latency};
use crate::parameter::{HEADER_PREFIX, NAMES, Parameter};
use crate::query;
use crate::spec::SpecError;

/// What a query string must look like, shown when one cannot be decoded.
const QUERY_FORM: &str = "NAME=VALUE pairs joined by &, values percent-encoded as UTF-8";

/// Latency, connection-setup delay and faults, each unset (`None`) or a valid value.
///
/// Every value reads and prints in the grammar of the mock server's parameters, the same
/// for a CLI flag, a query parameter (`?latency=20ms`), a header (`x-waitbench-latency`)
/// and a scenario key (`latency = "20ms"`); durations, sizes, rates and probabilities in
/// it are core's ([`waitbench_core::units`]). Printing then parsing gives an equal value.
///
/// Serialized, it is a table from parameter name (`latency`, `connect_delay`, `fail`,
/// `reset`, `stall`, `bandwidth`, `pause`) to its text. A scenario file's keys come in
/// through [`Conditions::set`], one key at a time, like a query string's.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct Conditions {
    /// Injected latency per request: a duration (250us, 20ms, 1.5s) or a distribution.
    ///
    /// Durations: `250us`, `20ms`, `1.5s`, `1min`, `0`; distributions: (`uniform(10ms,30ms)`, `normal(mean=20ms,sd=5ms)`,
    /// `lognormal(median=20ms,p99=120ms)`, `pareto(min=5ms,alpha=1.5,max=2s)`,
    /// `mix(0.9:5ms,0.1:lognormal(median=200ms,p99=1s))`); every duration at most 60 s.
    #[cfg_attr(feature = "clap", arg(long, value_name = "SPEC"))]
    pub latency: Option<LatencySpec>,
    /// Extra delay on the first request of each new connection (models TCP/TLS handshakes).
    ///
    /// In the same grammar as `latency`; `0` turns a default off.
    #[cfg_attr(feature = "clap", arg(long, value_name = "SPEC"))]
    pub connect_delay: Option<LatencySpec>,
    /// Faults: `fail` as `PROBABILITY:STATUS` (`0.05:503`), `reset` and `stall` as a
    /// probability (`0.01`), `bandwidth` as a rate (`64KiB/s`, the `/s` optional), `pause`
    /// as `EVERY/LENGTH` (`10s/1s`).
    #[cfg_attr(feature = "clap", command(flatten))]
    pub faults: Faults,
}

impl Conditions {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Conditions::default()
    }

    /// Sets `parameter` from its text, as the query parameter of that name would; the
    /// error names the parameter, the value and the accepted form.
    pub fn set(&mut self, parameter: Parameter, value: &str) -> Result<(), SpecError> {
        self.set_as(parameter, parameter.name(), value)
    }

    /// The one place a parameter's text meets its parser; `given_as` is the name the user
    /// wrote (a query name or a header), so that the error repeats it.
    fn set_as(
        &mut self,
        parameter: Parameter,
        given_as: &str,
        value: &str,
    ) -> Result<(), SpecError> {
        let faults = &mut self.faults;
        match parameter {
            Parameter::Latency => self.latency = Some(parse_latency(given_as, value)?),
            Parameter::ConnectDelay => self.connect_delay = Some(parse_latency(given_as, value)?),
            Parameter::Fail => faults.fail = Some(parse_fail(given_as, value)?),
            Parameter::Reset => faults.reset = Some(parse_probability(given_as, value)?),
            Parameter::Stall => faults.stall = Some(parse_probability(given_as, value)?),
            Parameter::Bandwidth => faults.bandwidth = Some(parse_bandwidth(given_as, value)?),
            Parameter::Pause => faults.pause = Some(parse_pause(given_as, value)?),
        }
        Ok(())
    }

    /// The value of `parameter` as text that [`Conditions::set`] reads back, if set.
    fn text(&self, parameter: Parameter) -> Option<String> {
        let faults = &self.faults;
        match parameter {
            Parameter::Latency => self.latency.as_ref().map(ToString::to_string),
            Parameter::ConnectDelay => self.connect_delay.as_ref().map(ToString::to_string),
            Parameter::Fail => faults.fail.map(|fail| fail.to_string()),
            Parameter::Reset => faults.reset.map(|p| p.to_string()),
            Parameter::Stall => faults.stall.map(|p| p.to_string()),
            Parameter::Bandwidth => faults.bandwidth.map(|rate| rate.to_string()),
            Parameter::Pause => faults.pause.map(|pause| pause.to_string()),
        }
    }

    /// The parameters that are set with their text, in [`Parameter::ALL`]'s order; each
    /// text reads back through [`Conditions::set`] to an equal value.
    pub fn entries(&self) -> Vec<(Parameter, String)> {
        Parameter::ALL
            .into_iter()
            .filter_map(|parameter| Some((parameter, self.text(parameter)?)))
            .collect()
    }

    /// These conditions with every value that `top` sets replacing ours: later values
    /// win (a request's over the server's defaults, a series' over its scenario's).
    pub fn overlaid(&self, top: &Conditions) -> Conditions {
        Conditions {
            latency: top.latency.clone().or_else(|| self.latency.clone()),
            connect_delay: top
                .connect_delay
                .clone()
                .or_else(|| self.connect_delay.clone()),
            faults: self.faults.overridden_by(&top.faults),
        }
    }

    /// Reads a query string (`latency=20ms&fail=0.05%3A503`, without the `?`) as the
    /// server reads a request's; a later pair overrides an earlier one, and an unknown
    /// name is refused so that a typo cannot silently run without the intended delay.
    pub fn from_query(query: &str) -> Result<Conditions, SpecError> {
        let mut conditions = Conditions::default();
        conditions.apply_query(query)?;
        Ok(conditions)
    }

    /// The query string (without the `?`) that asks a waitbench server for these
    /// conditions on each request, values percent-encoded; `None` when nothing is set.
    pub fn to_query(&self) -> Option<String> {
        let pairs: Vec<String> = self
            .entries()
            .into_iter()
            .map(|(parameter, text)| format!("{parameter}={}", query::encode(&text)))
            .collect();
        (!pairs.is_empty()).then(|| pairs.join("&"))
    }

    /// What a request asks for: its `x-waitbench-*` headers, overridden by its query.
    pub(crate) fn from_request(
        headers: &HeaderMap,
        query: Option<&str>,
    ) -> Result<Conditions, SpecError> {
        let mut conditions = Conditions::default();
        conditions.apply_headers(headers)?;
        if let Some(query) = query {
            conditions.apply_query(query)?;
        }
        Ok(conditions)
    }

    fn apply_query(&mut self, query: &str) -> Result<(), SpecError> {
        let pairs =
            query::decode_pairs(query).ok_or_else(|| SpecError::new("query", query, QUERY_FORM))?;
        for (name, value) in pairs {
            let Some(parameter) = Parameter::from_name(&name) else {
                let known = NAMES.join(", ");
                let expected = format!("no such parameter; known: {known}");
                return Err(SpecError::new(name, value, expected));
            };
            self.set_as(parameter, &name, &value)?;
        }
        Ok(())
    }

    fn apply_headers(&mut self, headers: &HeaderMap) -> Result<(), SpecError> {
        // One pass over the few headers a request has, rather than a lookup per parameter:
        // this runs on every request.
        for (name, value) in headers {
            let name = name.as_str();
            if !name.starts_with(HEADER_PREFIX) {
                continue;
            }
            let Some(parameter) = Parameter::from_header(name) else {
                let known: Vec<&str> = Parameter::ALL.map(Parameter::header).to_vec();
                let expected = format!("no such header; known: {}", known.join(", "));
                let value = String::from_utf8_lossy(value.as_bytes());
                return Err(SpecError::new(name, value, expected));
            };
            let text = value.to_str().map_err(|_| {
                SpecError::new(name, format!("{value:?}"), "a spec in visible ASCII")
            })?;
            self.set_as(parameter, name, text)?;
        }
        Ok(())
    }

    /// The record of these conditions in a result file, with the latency's mean (for
    /// Little's law) and whether the server ran in the measuring process.
    pub fn to_injected(&self, embedded_server: bool) -> InjectedConditions {
        let mut injected = InjectedConditions {
            mean_latency_us: self
                .latency
                .as_ref()
                .map_or(0.0, |spec| spec.mean().as_secs_f64() * 1e6),
            embedded_server,
            ..InjectedConditions::default()
        };
        for (parameter, text) in self.entries() {
            match parameter {
                Parameter::Latency => injected.latency = Some(text),
                Parameter::ConnectDelay => injected.connect_delay = Some(text),
                _ => {
                    injected.faults.insert(parameter.name().to_string(), text);
                }
            }
        }
        injected
    }

    /// Reads back the conditions a result file records (the inverse of
    /// [`Conditions::to_injected`]); the error names the first value that does not parse.
    pub fn from_injected(injected: &InjectedConditions) -> Result<Conditions, SpecError> {
        let mut conditions = Conditions::default();
        let named = [
            (Parameter::Latency, &injected.latency),
            (Parameter::ConnectDelay, &injected.connect_delay),
        ];
        for (parameter, text) in named {
            if let Some(text) = text {
                conditions.set(parameter, text)?;
            }
        }
        for (name, text) in &injected.faults {
            let parameter = Parameter::from_name(name)
                .filter(|parameter| parameter.fault().is_some())
                .ok_or_else(|| {
                    SpecError::new(
                        name,
                        text,
                        "a fault named fail, reset, stall, bandwidth or pause",
                    )
                })?;
            conditions.set(parameter, text)?;
        }
        Ok(conditions)
    }
}

/// A map from parameter name to its text, as [`Conditions::entries`] gives them.
impl Serialize for Conditions {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let entries = self.entries();
        let mut map = serializer.serialize_map(Some(entries.len()))?;
        for (parameter, text) in &entries {
            map.serialize_entry(parameter.name(), text)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;
    use waitbench_core::units::{ByteRate, Probability};

    use super::*;

    /// One value for every parameter, each in the form that prints back unchanged.
    const EVERY_PARAMETER: [(&str, &str); 7] = [
        ("latency", "lognormal(median=20ms,p99=120ms)"),
        ("connect_delay", "mix(0.9:5ms,0.1:uniform(10ms,30ms))"),
        ("fail", "0.05:503"),
        ("reset", "0.01"),
        ("stall", "0.001"),
        ("bandwidth", "64KiB/s"),
        ("pause", "10s/1s"),
    ];

    fn every_parameter() -> Conditions {
        let mut conditions = Conditions::default();
        for (name, value) in EVERY_PARAMETER {
            let parameter = Parameter::from_name(name).expect("a parameter");
            conditions.set(parameter, value).expect("a valid value");
        }
        conditions
    }

    #[test]
    fn every_parameter_prints_back_as_it_was_written() {
        let conditions = every_parameter();
        let entries: Vec<(&str, String)> = conditions
            .entries()
            .into_iter()
            .map(|(parameter, text)| (parameter.name(), text))
            .collect();
        let written: Vec<(&str, String)> = EVERY_PARAMETER
            .iter()
            .map(|(name, value)| (*name, value.to_string()))
            .collect();
        assert_eq!(entries, written);
        assert!(Conditions::default().entries().is_empty());
    }

    #[test]
    fn query_round_trips_through_percent_encoding() {
        let conditions = every_parameter();
        let query = conditions.to_query().expect("something is set");
        assert!(
            query.starts_with("latency=lognormal%28median%3D20ms%2Cp99%3D120ms%29&"),
            "{query}"
        );
        assert!(query.contains("&bandwidth=64KiB%2Fs&"), "{query}");
        assert_eq!(Conditions::from_query(&query), Ok(conditions));
        let latency_only = Conditions {
            latency: Some(
                "mix(0.5:1ms,0.5:lognormal(median=20ms,p99=120ms))"
                    .parse()
                    .unwrap(),
            ),
            ..Conditions::default()
        };
        let query = latency_only.to_query().expect("latency is set");
        assert_eq!(Conditions::from_query(&query), Ok(latency_only));
        assert_eq!(Conditions::default().to_query(), None);
    }

    #[test]
    fn query_reads_unencoded_specs_as_curl_sends_them() {
        let conditions =
            Conditions::from_query("latency=uniform(1ms,2ms)&fail=1:500&bandwidth=1MiB/s")
                .expect("valid");
        assert_eq!(
            conditions.latency,
            Some("uniform(1ms,2ms)".parse().unwrap())
        );
        assert_eq!(conditions.faults.fail, Some("1:500".parse().unwrap()));
        assert_eq!(conditions.faults.bandwidth, ByteRate::new(1 << 20));
        let later = Conditions::from_query("reset=0.5&reset=0.25").expect("valid");
        assert_eq!(later.faults.reset, Probability::new(0.25));
    }

    #[test]
    fn bad_values_name_the_parameter_the_value_and_the_accepted_form() {
        let cases = [
            (
                "latency=fast",
                "latency",
                "fast",
                "a delay as a number and a unit",
            ),
            ("latency=2min", "latency", "2min", "the server's delay cap"),
            (
                "connect_delay=uniform(2ms,1ms)",
                "connect_delay",
                "uniform(2ms,1ms)",
                "LOW is above HIGH",
            ),
            ("fail=1.5:503", "fail", "1.5:503", "bad probability"),
            ("fail=0.1:600", "fail", "0.1:600", "bad status"),
            ("reset=-0.1", "reset", "-0.1", "a number from 0 to 1"),
            ("stall=NaN", "stall", "NaN", "a number from 0 to 1"),
            (
                "bandwidth=0",
                "bandwidth",
                "0",
                "a size per second above zero",
            ),
            ("pause=1s/2s", "pause", "1s/2s", "0 < LENGTH < EVERY"),
            ("pause=10min/2min", "pause", "10min/2min", "delay cap"),
            (
                "latncy=5ms",
                "latncy",
                "5ms",
                "no such parameter; known: latency, connect_delay",
            ),
            ("latency=%zz", "query", "latency=%zz", "percent-encoded"),
        ];
        for (query, parameter, value, fragment) in cases {
            let error = Conditions::from_query(query).unwrap_err();
            assert_eq!(
                (error.parameter.as_str(), error.value.as_str()),
                (parameter, value),
                "{query}"
            );
            assert!(
                error.expected.contains(fragment),
                "{query}: {}",
                error.expected
            );
            let message = error.to_string();
            assert!(
                message.starts_with(&format!("invalid {parameter} {value:?}: expected ")),
                "{message}"
            );
        }
    }

    #[test]
    fn headers_set_conditions_and_the_query_overrides_them() {
        let mut headers = HeaderMap::new();
        headers.insert("x-waitbench-latency", HeaderValue::from_static("3ms"));
        headers.insert("x-waitbench-connect-delay", HeaderValue::from_static("1ms"));
        headers.insert("x-waitbench-reset", HeaderValue::from_static("0.5"));
        headers.insert("accept", HeaderValue::from_static("*/*"));
        let conditions =
            Conditions::from_request(&headers, Some("latency=1ms&stall=0.25")).expect("valid");
        assert_eq!(conditions.latency, Some("1ms".parse().unwrap()));
        assert_eq!(conditions.connect_delay, Some("1ms".parse().unwrap()));
        assert_eq!(conditions.faults.reset, Probability::new(0.5));
        assert_eq!(conditions.faults.stall, Probability::new(0.25));
    }

    #[test]
    fn bad_and_unknown_headers_are_refused_by_their_name() {
        let refused = |name: &'static str, value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(name, HeaderValue::from_static(value));
            Conditions::from_request(&headers, None).unwrap_err()
        };
        let error = refused("x-waitbench-latency", "soon");
        assert_eq!(
            (error.parameter.as_str(), error.value.as_str()),
            ("x-waitbench-latency", "soon")
        );
        let error = refused("x-waitbench-latncy", "5ms");
        assert_eq!(error.parameter, "x-waitbench-latncy");
        assert!(
            error.expected.contains("x-waitbench-connect-delay"),
            "{}",
            error.expected
        );
    }

    #[test]
    fn later_conditions_win_and_unset_ones_keep_the_earlier_value() {
        let base = Conditions::from_query("latency=20ms&connect_delay=10ms&reset=0.5").unwrap();
        let top = Conditions::from_query("connect_delay=0&stall=0.1").unwrap();
        let merged = base.overlaid(&top);
        assert_eq!(
            merged,
            Conditions::from_query("latency=20ms&connect_delay=0&reset=0.5&stall=0.1").unwrap()
        );
        assert_eq!(base.overlaid(&Conditions::default()), base);
        assert_eq!(Conditions::default().overlaid(&base), base);
    }

    #[test]
    fn injected_record_keeps_every_value_and_the_latency_mean() {
        let conditions = every_parameter();
        let injected = conditions.to_injected(true);
        assert_eq!(
            injected.latency.as_deref(),
            Some("lognormal(median=20ms,p99=120ms)")
        );
        assert_eq!(
            injected.connect_delay.as_deref(),
            Some("mix(0.9:5ms,0.1:uniform(10ms,30ms))")
        );
        let faults: Vec<(&str, &str)> = injected
            .faults
            .iter()
            .map(|(name, text)| (name.as_str(), text.as_str()))
            .collect();
        assert_eq!(
            faults,
            [
                ("bandwidth", "64KiB/s"),
                ("fail", "0.05:503"),
                ("pause", "10s/1s"),
                ("reset", "0.01"),
                ("stall", "0.001")
            ]
        );
        let mean_us = conditions.latency.as_ref().unwrap().mean().as_secs_f64() * 1e6;
        assert_eq!(injected.mean_latency_us, mean_us);
        assert!(injected.embedded_server);
        assert_eq!(Conditions::from_injected(&injected), Ok(conditions));
        let none = Conditions::default().to_injected(false);
        assert_eq!(none, InjectedConditions::default());
    }

    #[test]
    fn injected_records_of_older_runs_read_back() {
        // `waitbench run` used to record bandwidth as plain bytes per second.
        let mut injected = InjectedConditions::default();
        injected.faults.insert("bandwidth".into(), "65536/s".into());
        let conditions = Conditions::from_injected(&injected).expect("readable");
        assert_eq!(conditions.faults.bandwidth, ByteRate::new(65536));
        injected.faults.insert("nap".into(), "1s".into());
        assert_eq!(
            Conditions::from_injected(&injected).unwrap_err().parameter,
            "nap"
        );
    }
}
