//! [`StrategyOptions`] set by name: the way a scenario file (or any other key = value
//! source) gives a strategy's settings. The names come from one table ([`OptionKey`]),
//! and each value meets the parser its type owns, the one its command-line flag uses
//! too, so a setting reads the same wherever it is written.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use waitbench_core::units::HumanDuration;

use crate::options::StrategyOptions;

/// A strategy setting, by the name a scenario file gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKey {
    /// `threads`: the pool size ([`crate::PoolSize`]).
    Threads,
    /// `idle_per_host`: idle connections kept per host ([`crate::IdlePerHost`]).
    IdlePerHost,
    /// `runtime_threads`: tokio worker threads.
    RuntimeThreads,
    /// `runtime`: the tokio runtime flavour ([`crate::RuntimeFlavor`]).
    Runtime,
    /// `cpu_work`: CPU work per response, a duration.
    CpuWork,
    /// `ticker`: run the 1 ms ticker, `true` or `false`.
    Ticker,
    /// `await_with`: how py-aiohttp awaits its requests ([`crate::AwaitWith`]).
    AwaitWith,
    /// `combinator`: how the tokio strategies await a batch ([`crate::Combinator`]).
    Combinator,
    /// `tls_resume`: whether new TLS connections resume a session, `on` or `off`.
    TlsResume,
    /// `http2`: reqwest-tokio speaks HTTP/2, `true` or `false`.
    Http2,
    /// `connections`: hyper-tokio-h2's HTTP/2 connections, a positive count.
    Connections,
}

impl OptionKey {
    /// Every setting, in the order an error lists them.
    pub const ALL: [OptionKey; 11] = [
        OptionKey::Threads,
        OptionKey::IdlePerHost,
        OptionKey::RuntimeThreads,
        OptionKey::Runtime,
        OptionKey::CpuWork,
        OptionKey::Ticker,
        OptionKey::AwaitWith,
        OptionKey::Combinator,
        OptionKey::TlsResume,
        OptionKey::Http2,
        OptionKey::Connections,
    ];

    /// The name, as a scenario key.
    pub fn name(self) -> &'static str {
        match self {
            OptionKey::Threads => "threads",
            OptionKey::IdlePerHost => "idle_per_host",
            OptionKey::RuntimeThreads => "runtime_threads",
            OptionKey::Runtime => "runtime",
            OptionKey::CpuWork => "cpu_work",
            OptionKey::Ticker => "ticker",
            OptionKey::AwaitWith => "await_with",
            OptionKey::Combinator => "combinator",
            OptionKey::TlsResume => "tls_resume",
            OptionKey::Http2 => "http2",
            OptionKey::Connections => "connections",
        }
    }

    /// The setting called `name`, if one is.
    pub fn from_name(name: &str) -> Option<OptionKey> {
        OptionKey::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for OptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `value` through `T`'s own parser, its error as text.
fn parse<T: FromStr>(value: &str) -> Result<T, String>
where
    T::Err: fmt::Display,
{
    value.trim().parse().map_err(|e: T::Err| e.to_string())
}

impl StrategyOptions {
    /// Sets `key` from its text; the error says what was expected.
    pub fn set(&mut self, key: OptionKey, value: &str) -> Result<(), String> {
        match key {
            OptionKey::Threads => self.threads = parse(value)?,
            OptionKey::IdlePerHost => self.idle_per_host = parse(value)?,
            OptionKey::RuntimeThreads => match parse::<usize>(value) {
                Ok(n) if n > 0 => self.runtime_threads = Some(n),
                _ => return Err(format!("expected a positive thread count, got {value:?}")),
            },
            OptionKey::Runtime => self.runtime_flavor = parse(value)?,
            OptionKey::CpuWork => self.cpu_work = Duration::from(parse::<HumanDuration>(value)?),
            OptionKey::Ticker => {
                self.ticker =
                    parse(value).map_err(|_| format!("expected true or false, got {value:?}"))?
            }
            OptionKey::AwaitWith => self.await_with = parse(value)?,
            OptionKey::Combinator => self.combinator = parse(value)?,
            OptionKey::TlsResume => self.tls_resume = parse(value)?,
            OptionKey::Http2 => {
                self.http2 =
                    parse(value).map_err(|_| format!("expected true or false, got {value:?}"))?
            }
            OptionKey::Connections => {
                self.connections =
                    Some(parse(value).map_err(|_| {
                        format!("expected a positive connection count, got {value:?}")
                    })?)
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AwaitWith, IdlePerHost, PoolSize, RuntimeFlavor};

    #[test]
    fn every_name_reads_back_as_its_key() {
        for key in OptionKey::ALL {
            assert_eq!(OptionKey::from_name(key.name()), Some(key));
        }
        assert_eq!(OptionKey::from_name("latency"), None);
    }

    #[test]
    fn each_setting_is_parsed_by_its_types_own_grammar() {
        let mut options = StrategyOptions::default();
        options.set(OptionKey::Threads, "8").unwrap();
        options.set(OptionKey::IdlePerHost, "3").unwrap();
        options.set(OptionKey::RuntimeThreads, "2").unwrap();
        options.set(OptionKey::Runtime, "current-thread").unwrap();
        options.set(OptionKey::CpuWork, "200us").unwrap();
        options.set(OptionKey::Ticker, "true").unwrap();
        options.set(OptionKey::AwaitWith, "taskgroup").unwrap();
        options.set(OptionKey::TlsResume, "off").unwrap();
        options.set(OptionKey::Http2, "true").unwrap();
        options.set(OptionKey::Connections, "8").unwrap();
        assert_eq!(options.threads, PoolSize::Fixed(8));
        assert_eq!(options.idle_per_host, IdlePerHost::Fixed(3));
        assert_eq!(options.runtime_threads, Some(2));
        assert_eq!(options.runtime_flavor, RuntimeFlavor::CurrentThread);
        assert_eq!(options.cpu_work, Duration::from_micros(200));
        assert!(options.ticker);
        assert_eq!(options.await_with, AwaitWith::TaskGroup);
        assert_eq!(options.tls_resume, crate::TlsResume::Off);
        assert!(options.http2);
        assert_eq!(options.connections.map(|k| k.get()), Some(8));
        assert!(options.set(OptionKey::Connections, "0").is_err());
    }

    #[test]
    fn a_bad_value_says_what_was_expected() {
        let mut options = StrategyOptions::default();
        let err = options.set(OptionKey::Runtime, "fast").unwrap_err();
        assert!(err.contains("multi-thread or current-thread"), "{err}");
        let err = options.set(OptionKey::Ticker, "yes").unwrap_err();
        assert_eq!(err, "expected true or false, got \"yes\"");
        let err = options.set(OptionKey::RuntimeThreads, "0").unwrap_err();
        assert!(err.contains("positive thread count"), "{err}");
        assert_eq!(options, StrategyOptions::default(), "nothing was set");
    }
}
