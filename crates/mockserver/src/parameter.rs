//! The names of the conditions a server injects, in one table: the query parameter and
//! scenario-file key (`connect_delay`), the request header (`x-waitbench-connect-delay`),
//! and the key under which results record them. Every way in and out of
//! [`Conditions`](crate::Conditions) reads its names from here, so they cannot drift.

use std::fmt;

use crate::faults::FaultKind;

/// Names in query strings, scenario files and results, in [`Parameter::ALL`]'s order.
pub(crate) const NAMES: [&str; 7] = [
    "latency",
    "connect_delay",
    "fail",
    "reset",
    "stall",
    "bandwidth",
    "pause",
];

/// Request headers, in [`Parameter::ALL`]'s order: the name with `-` for `_`, because
/// some proxies drop headers with underscores.
const HEADERS: [&str; 7] = [
    "x-waitbench-latency",
    "x-waitbench-connect-delay",
    "x-waitbench-fail",
    "x-waitbench-reset",
    "x-waitbench-stall",
    "x-waitbench-bandwidth",
    "x-waitbench-pause",
];

/// The prefix every condition header starts with.
pub(crate) const HEADER_PREFIX: &str = "x-waitbench-";

/// One injectable condition, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Parameter {
    /// Latency per request (`latency`).
    Latency,
    /// Delay on each connection's first request (`connect_delay`).
    ConnectDelay,
    /// Error status at a probability (`fail`).
    Fail,
    /// Connection reset at a probability (`reset`).
    Reset,
    /// No answer at a probability (`stall`).
    Stall,
    /// Paced body (`bandwidth`).
    Bandwidth,
    /// Periodic whole-server pause (`pause`).
    Pause,
}

impl Parameter {
    /// Every parameter, in the order queries and results list them.
    pub const ALL: [Parameter; 7] = [
        Parameter::Latency,
        Parameter::ConnectDelay,
        Parameter::Fail,
        Parameter::Reset,
        Parameter::Stall,
        Parameter::Bandwidth,
        Parameter::Pause,
    ];

    /// The query parameter and scenario key: `latency`, `connect_delay`, `fail`, ….
    pub fn name(self) -> &'static str {
        NAMES[self as usize]
    }

    /// The request header: `x-waitbench-latency`, `x-waitbench-connect-delay`, ….
    pub fn header(self) -> &'static str {
        HEADERS[self as usize]
    }

    /// The parameter a query or scenario key names.
    pub fn from_name(name: &str) -> Option<Parameter> {
        Parameter::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The parameter a header names (header names are compared in lower case).
    pub fn from_header(header: &str) -> Option<Parameter> {
        Parameter::ALL
            .into_iter()
            .find(|p| p.header().eq_ignore_ascii_case(header))
    }

    /// The fault this parameter injects, if it is a fault.
    pub fn fault(self) -> Option<FaultKind> {
        FaultKind::from_name(self.name())
    }
}

impl fmt::Display for Parameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_headers_find_their_parameter() {
        for parameter in Parameter::ALL {
            assert_eq!(Parameter::from_name(parameter.name()), Some(parameter));
            assert_eq!(Parameter::from_header(parameter.header()), Some(parameter));
            assert!(parameter.header().starts_with(HEADER_PREFIX));
        }
        assert_eq!(
            Parameter::from_header("X-Waitbench-Connect-Delay"),
            Some(Parameter::ConnectDelay)
        );
        assert_eq!(Parameter::from_name("x-waitbench-latency"), None);
        assert_eq!(Parameter::from_name("latncy"), None);
    }

    #[test]
    fn every_fault_kind_is_a_parameter() {
        let faults: Vec<FaultKind> = Parameter::ALL
            .into_iter()
            .filter_map(Parameter::fault)
            .collect();
        assert_eq!(faults, FaultKind::ALL);
        assert_eq!(Parameter::Latency.fault(), None);
    }
}
