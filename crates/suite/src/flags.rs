//! The flag groups that `run`, `reproduce` and `check` share, each beside the library
//! value it builds: a load model, a CPU placement, the suite's server, planted
//! regressions. Behind the `clap` feature each derives clap's `Args`, so the binary
//! flattens them and no flag, its help or its meaning is written twice; without it they
//! are plain structs that tests fill in.

use std::time::Duration;

use waitbench_core::{CpuSet, LoadModel, Placement, PlacementError, RequestSpec};
use waitbench_strategies::PlantSpec;

use crate::error::{Result, SuiteError};
use crate::load_spec::{LoadSpec, Missing};
use crate::runner::ServerChoice;

/// How requests are sent: a batch (`-n`), a closed loop (`-d`) or an open loop (`-r -d`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct LoadFlags {
    /// Batch: this many requests, at most --concurrency in flight (default 1000).
    #[cfg_attr(feature = "clap", arg(long, short = 'n', conflicts_with_all = ["duration", "rate"],
        allow_negative_numbers = true, value_parser = requests_arg))]
    pub requests: Option<u64>,
    /// Requests in flight (closed loop and batch), or the in-flight cap (open loop).
    #[cfg_attr(feature = "clap", arg(long, short = 'c', default_value_t = 10,
        allow_negative_numbers = true, value_parser = concurrency_arg))]
    pub concurrency: usize,
    /// Closed loop for this long (or open loop with --rate).
    #[cfg_attr(feature = "clap", arg(long, short = 'd', value_parser = waitbench_core::units::duration_arg))]
    pub duration: Option<Duration>,
    /// Unrecorded warm-up before the measured window (closed and open loop).
    #[cfg_attr(feature = "clap", arg(long, value_parser = waitbench_core::units::duration_arg, default_value = "0s"))]
    pub warmup: Duration,
    /// Open loop at this many requests per second (latency from the intended send time).
    #[cfg_attr(feature = "clap", arg(long, short = 'r'))]
    pub rate: Option<f64>,
}

/// A count of at least one, or waitbench's own message naming `what` it counts (clap
/// would otherwise take `-5` for an unknown flag).
fn positive(text: &str, what: &str) -> std::result::Result<u64, String> {
    match text.trim().parse::<i128>() {
        Ok(n) if n >= 1 => u64::try_from(n).map_err(|_| format!("{n} {what} is more than fits")),
        Ok(n) => Err(format!("{what} must be at least 1 (got {n})")),
        Err(_) => Err(format!(
            "{what} must be a whole number, at least 1 (got {text:?})"
        )),
    }
}

/// `--concurrency`'s value: requests in flight, at least one.
pub fn concurrency_arg(text: &str) -> std::result::Result<usize, String> {
    positive(text, "--concurrency (requests in flight)").map(|n| n as usize)
}

/// `--requests`' value: requests in the batch, at least one.
pub fn requests_arg(text: &str) -> std::result::Result<u64, String> {
    positive(text, "--requests (requests in the batch)")
}

impl LoadFlags {
    /// The load model these flags choose: `--rate` makes an open loop (and needs
    /// `--duration`), `--duration` alone a closed loop, neither a batch.
    pub fn model(&self) -> Result<LoadModel> {
        let spec = LoadSpec {
            model: None,
            requests: Some(self.requests.unwrap_or(1000)),
            duration: self.duration,
            warmup: self.warmup,
            rate: self.rate,
        };
        spec.model(self.concurrency).map_err(|missing| {
            SuiteError::Usage(
                match missing {
                    Missing::Duration => "--rate needs --duration, e.g. --rate 500 --duration 10s",
                    Missing::Requests => "a batch needs --requests, e.g. --requests 1000",
                    Missing::Rate => "an open loop needs --rate, e.g. --rate 500 --duration 10s",
                }
                .into(),
            )
        })
    }
}

/// What each request is besides its URL: `-m`, `-H`, `--body`, `--body-file`.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct RequestFlags {
    /// HTTP method of every request, e.g. POST.
    #[cfg_attr(feature = "clap", arg(long, short = 'm', default_value = "GET"))]
    pub method: String,
    /// A header on every request, `Name: value` (repeatable); an `Authorization` or
    /// `Cookie` value is not written to the result.
    #[cfg_attr(
        feature = "clap",
        arg(long = "header", short = 'H', value_name = "NAME: VALUE")
    )]
    pub headers: Vec<String>,
    /// Body of every request, as given.
    #[cfg_attr(feature = "clap", arg(long, conflicts_with = "body_file"))]
    pub body: Option<String>,
    /// Body of every request, read from this file once before the run.
    #[cfg_attr(feature = "clap", arg(long, value_name = "FILE"))]
    pub body_file: Option<std::path::PathBuf>,
}

impl RequestFlags {
    /// The request these flags describe; a bad header or an unreadable file is named.
    pub fn spec(&self) -> Result<RequestSpec> {
        let method = if self.method.is_empty() {
            "GET"
        } else {
            &self.method
        };
        RequestSpec::from_flags(
            method,
            &self.headers,
            self.body.as_deref(),
            self.body_file.as_deref(),
        )
        .map_err(|e| SuiteError::Usage(e.to_string()))
    }
}

/// Where the client's and the embedded server's threads run.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct PlacementFlags {
    /// Pin the client's threads (runtimes, pools, workers) to these CPUs, e.g. 1 or 2-3.
    #[cfg_attr(feature = "clap", arg(long, value_name = "LIST"))]
    pub client_cpus: Option<CpuSet>,
    /// Pin the embedded server's threads to these CPUs, disjoint from --client-cpus, e.g. 0.
    #[cfg_attr(feature = "clap", arg(long, value_name = "LIST"))]
    pub server_cpus: Option<CpuSet>,
}

impl PlacementFlags {
    /// The placement asked for, `None` when nothing is pinned; overlapping sets are refused.
    pub fn placement(&self) -> std::result::Result<Option<Placement>, PlacementError> {
        let placement = Placement::new(self.client_cpus.clone(), self.server_cpus.clone())?;
        Ok(placement.is_pinned().then_some(placement))
    }
}

/// The token a standalone server's control requests need.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct ControlTokenFlags {
    /// Token of a server started with `serve --control-token`: sent as
    /// `Authorization: Bearer TOKEN` on its control requests (stats reset).
    #[cfg_attr(
        feature = "clap",
        arg(
            long,
            value_name = "TOKEN",
            env = waitbench_mockserver::CONTROL_TOKEN_ENV,
            hide_env_values = true
        )
    )]
    pub control_token: Option<String>,
}

/// Where a suite's server runs (`reproduce` and `check`), and where threads are pinned.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct SuiteServerFlags {
    /// Run every scenario against a standalone `waitbench serve` at this URL (e.g. on
    /// another host) instead of the embedded server.
    #[cfg_attr(
        feature = "clap",
        arg(long, value_name = "URL", conflicts_with = "server_cpus")
    )]
    pub server: Option<String>,
    /// The server's control token.
    #[cfg_attr(feature = "clap", command(flatten))]
    pub token: ControlTokenFlags,
    /// CPU placement.
    #[cfg_attr(feature = "clap", command(flatten))]
    pub placement: PlacementFlags,
}

impl SuiteServerFlags {
    /// The server these flags choose.
    pub fn choice(&self) -> ServerChoice {
        match &self.server {
            None => ServerChoice::Embedded,
            Some(url) => ServerChoice::Remote {
                url: url.clone(),
                control_token: self.token.control_token.clone(),
            },
        }
    }
}

/// Deliberate regressions, to show the gate catches them; never on by default.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct PlantFlags {
    /// Debugging: plant a regression in one strategy to show the gate catches it,
    /// e.g. reqwest-tokio:in-flight=80% or ureq-threads:delay=6ms (never on by default).
    #[cfg_attr(feature = "clap", arg(long = "plant", value_name = "STRATEGY:PLANT"))]
    pub specs: Vec<PlantSpec>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(requests: Option<u64>, duration: Option<u64>, rate: Option<f64>) -> LoadFlags {
        LoadFlags {
            requests,
            concurrency: 7,
            duration: duration.map(Duration::from_secs),
            warmup: Duration::from_secs(1),
            rate,
        }
    }

    #[test]
    fn neither_duration_nor_rate_is_a_batch_of_a_thousand_by_default() {
        assert_eq!(
            flags(None, None, None).model().unwrap(),
            LoadModel::Batch {
                requests: 1000,
                concurrency: 7
            }
        );
    }

    #[test]
    fn duration_alone_is_a_closed_loop_and_with_rate_an_open_loop() {
        assert!(matches!(
            flags(None, Some(3), None).model().unwrap(),
            LoadModel::ClosedLoop { concurrency: 7, .. }
        ));
        assert!(matches!(
            flags(None, Some(3), Some(50.0)).model().unwrap(),
            LoadModel::OpenLoop {
                max_in_flight: 7,
                ..
            }
        ));
    }

    #[test]
    fn a_negative_or_zero_count_gets_a_message_naming_the_flag() {
        assert_eq!(concurrency_arg("5"), Ok(5));
        assert_eq!(
            concurrency_arg("-5").unwrap_err(),
            "--concurrency (requests in flight) must be at least 1 (got -5)"
        );
        assert!(
            concurrency_arg("0")
                .unwrap_err()
                .contains("at least 1 (got 0)")
        );
        assert!(requests_arg("many").unwrap_err().contains("whole number"));
    }

    #[test]
    fn rate_without_duration_names_the_missing_flag() {
        let error = flags(None, None, Some(50.0)).model().unwrap_err();
        assert!(
            error.to_string().contains("--rate needs --duration"),
            "{error}"
        );
    }
}
