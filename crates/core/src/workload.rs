//! What to send and how: target URLs, the load model and the client timeouts.
//!
//! A [`Workload`] is the same for every strategy; only how the strategy executes it
//! (threads, a pool, tasks) differs, which is what makes the strategies comparable.

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::request::RequestSpec;

/// A workload that cannot be run, with what to change.
#[derive(Debug, Error, PartialEq)]
#[non_exhaustive]
pub enum WorkloadError {
    /// A count or concurrency of zero, or a non-positive rate.
    #[error("{what} must be greater than zero (got {value})")]
    NotPositive {
        /// Which setting.
        what: &'static str,
        /// The value given.
        value: String,
    },
    /// The target is neither an `http://` nor an `https://` URL.
    #[error("target {0:?} is not an http:// or https:// URL; give one like http://127.0.0.1:8080")]
    BadTarget(String),
}

/// Which paths the requests go to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PathPlan {
    /// Every request to the same path (e.g. `/`).
    Single {
        /// The path, starting with `/`.
        path: String,
    },
    /// Request i goes to `/item/{i}`: N distinct endpoints, as in a fan-out over many URLs.
    DistinctItems {
        /// How many distinct endpoints.
        count: u64,
    },
}

/// What to do with the rest of a batch when one request fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorPolicy {
    /// Keep going; every result and error is kept (`join_all`, `return_exceptions=True`).
    #[default]
    WaitAll,
    /// The first error stops the batch and drops what is in flight (`try_join_all`).
    Cancel,
}

impl ErrorPolicy {
    /// Every policy.
    pub const ALL: [ErrorPolicy; 2] = [ErrorPolicy::WaitAll, ErrorPolicy::Cancel];

    /// The policy's name, as flags and scenario files write it.
    pub fn name(self) -> &'static str {
        match self {
            ErrorPolicy::WaitAll => "wait-all",
            ErrorPolicy::Cancel => "cancel",
        }
    }

    /// What the policy does, as `--help` lists it.
    pub fn description(self) -> &'static str {
        match self {
            ErrorPolicy::WaitAll => "keep going; every result is kept (join_all)",
            ErrorPolicy::Cancel => "drop the rest at the first failure (try_join_all)",
        }
    }
}

crate::named_value!(ErrorPolicy);

impl std::str::FromStr for ErrorPolicy {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        crate::named::by_name(&ErrorPolicy::ALL, ErrorPolicy::name, "error policy", text)
    }
}

/// The load model: how many requests, and when each is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum LoadModel {
    /// N requests with at most C in flight; the total time is the result.
    Batch {
        /// Number of requests (N).
        requests: u64,
        /// Maximum requests in flight (C).
        concurrency: usize,
    },
    /// C workers, each sending the next request when the last completes.
    ClosedLoop {
        /// Number of workers (C).
        concurrency: usize,
        /// Measured duration, after the warm-up (seconds in JSON).
        #[serde(with = "duration_secs")]
        #[schemars(with = "f64")]
        duration: Duration,
        /// Unrecorded warm-up before the measured window (seconds in JSON).
        #[serde(with = "duration_secs")]
        #[schemars(with = "f64")]
        warmup: Duration,
    },
    /// A constant arrival rate; latency counts from each request's intended send time.
    OpenLoop {
        /// Requests per second.
        rate_per_s: f64,
        /// Measured duration, after the warm-up (seconds in JSON).
        #[serde(with = "duration_secs")]
        #[schemars(with = "f64")]
        duration: Duration,
        /// Unrecorded warm-up before the measured window (seconds in JSON).
        #[serde(with = "duration_secs")]
        #[schemars(with = "f64")]
        warmup: Duration,
        /// Workers available to send (the most requests that can be in flight).
        max_in_flight: usize,
    },
}

impl LoadModel {
    /// How many workers (threads or tasks) the strategy should run: C, or the in-flight cap.
    pub fn concurrency(&self) -> usize {
        match self {
            LoadModel::Batch { concurrency, .. } | LoadModel::ClosedLoop { concurrency, .. } => {
                *concurrency
            }
            LoadModel::OpenLoop { max_in_flight, .. } => *max_in_flight,
        }
    }

    /// A short name for summaries: `batch`, `closed-loop` or `open-loop`.
    pub fn name(&self) -> &'static str {
        match self {
            LoadModel::Batch { .. } => "batch",
            LoadModel::ClosedLoop { .. } => "closed-loop",
            LoadModel::OpenLoop { .. } => "open-loop",
        }
    }
}

/// Client timeouts; every strategy applies both so a stalled request ends as a timeout.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct Timeouts {
    /// Limit on establishing a TCP connection (seconds in JSON).
    #[serde(with = "duration_secs")]
    #[schemars(with = "f64")]
    #[cfg_attr(
        feature = "clap",
        arg(long = "connect-timeout", value_name = "DURATION", default_value = "5s",
            value_parser = crate::units::duration_arg, help = "Connect timeout")
    )]
    pub connect: Duration,
    /// Limit on the whole request, from send to the end of the body (seconds in JSON).
    #[serde(with = "duration_secs")]
    #[schemars(with = "f64")]
    #[cfg_attr(
        feature = "clap",
        arg(long = "timeout", value_name = "DURATION", default_value = "30s",
            value_parser = crate::units::duration_arg,
            help = "Whole-request timeout, from send to the end of the body")
    )]
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(30),
        }
    }
}

/// Everything a strategy needs to run one measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Workload {
    /// Base URL of the server, without a trailing slash (e.g. `http://127.0.0.1:8080`).
    pub target: String,
    /// Which paths to request.
    pub paths: PathPlan,
    /// Query string appended to every request (without `?`), e.g. `latency=5ms`.
    pub query: Option<String>,
    /// When requests are sent.
    pub load: LoadModel,
    /// What a failure does to the rest of a batch.
    pub on_error: ErrorPolicy,
    /// Client timeouts.
    pub timeouts: Timeouts,
    /// Method, headers and body of every request (a plain `GET` when absent).
    #[serde(default)]
    pub request: RequestSpec,
}

impl Workload {
    /// Whether the target is `https://`: the clients speak TLS to it.
    pub fn is_https(&self) -> bool {
        self.target.starts_with("https://")
    }

    /// Checks the workload can run: positive counts and rates, an `http://` or
    /// `https://` target.
    pub fn validate(&self) -> Result<(), WorkloadError> {
        if !self.target.starts_with("http://") && !self.is_https() {
            return Err(WorkloadError::BadTarget(self.target.clone()));
        }
        let positive = |what: &'static str, ok: bool, value: String| {
            if ok {
                Ok(())
            } else {
                Err(WorkloadError::NotPositive { what, value })
            }
        };
        match &self.load {
            LoadModel::Batch {
                requests,
                concurrency,
            } => {
                positive("requests", *requests > 0, requests.to_string())?;
                positive("concurrency", *concurrency > 0, concurrency.to_string())?;
            }
            LoadModel::ClosedLoop {
                concurrency,
                duration,
                ..
            } => {
                positive("concurrency", *concurrency > 0, concurrency.to_string())?;
                positive("duration", !duration.is_zero(), format!("{duration:?}"))?;
            }
            LoadModel::OpenLoop {
                rate_per_s,
                duration,
                max_in_flight,
                ..
            } => {
                positive("rate", *rate_per_s > 0.0, rate_per_s.to_string())?;
                positive("duration", !duration.is_zero(), format!("{duration:?}"))?;
                positive(
                    "max in flight",
                    *max_in_flight > 0,
                    max_in_flight.to_string(),
                )?;
            }
        }
        if let PathPlan::DistinctItems { count } = self.paths {
            positive("distinct endpoints", count > 0, count.to_string())?;
        }
        Ok(())
    }

    /// The URL as sent, for the summary: the one URL, or the first of the distinct
    /// endpoints with how many there are.
    pub fn sent_url(&self) -> String {
        let urls = self.urls();
        match urls.as_slice() {
            [one] => one.clone(),
            [first, ..] => format!("{first} … ({} distinct URLs)", urls.len()),
            [] => self.target.clone(),
        }
    }

    /// Builds every URL the workload uses once, so that workers index into it per request
    /// instead of formatting a string on the hot path.
    /// A path that has a query of its own (`/search?q=1`) gets the workload's query
    /// after an `&`, so the user's query is sent exactly as given.
    pub fn urls(&self) -> Vec<String> {
        let base = self.target.trim_end_matches('/');
        let suffix = |path: &str| match &self.query {
            Some(query) if !query.is_empty() && path.contains('?') => format!("&{query}"),
            Some(query) if !query.is_empty() => format!("?{query}"),
            _ => String::new(),
        };
        match &self.paths {
            PathPlan::Single { path } => vec![format!("{base}{path}{}", suffix(path))],
            PathPlan::DistinctItems { count } => (0..*count)
                .map(|i| format!("{base}/item/{i}{}", suffix("")))
                .collect(),
        }
    }
}

/// Serde helper: a [`Duration`] as fractional seconds, readable in JSON.
pub mod duration_secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the duration as seconds (`f64`).
    pub fn serialize<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(duration.as_secs_f64())
    }

    /// Reads seconds (`f64`) back into a duration.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        let seconds = f64::deserialize(deserializer)?;
        Duration::try_from_secs_f64(seconds).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(requests: u64, concurrency: usize) -> Workload {
        Workload {
            target: "http://127.0.0.1:1".into(),
            paths: PathPlan::DistinctItems { count: requests },
            query: Some("latency=5ms".into()),
            load: LoadModel::Batch {
                requests,
                concurrency,
            },
            on_error: ErrorPolicy::WaitAll,
            timeouts: Timeouts::default(),
            request: RequestSpec::default(),
        }
    }

    #[test]
    fn a_path_with_its_own_query_keeps_it_and_gets_the_conditions_after_an_ampersand() {
        let mut workload = batch(1, 1);
        workload.paths = PathPlan::Single {
            path: "/search?q=a/b".into(),
        };
        assert_eq!(
            workload.urls(),
            ["http://127.0.0.1:1/search?q=a/b&latency=5ms"]
        );
        workload.query = None;
        assert_eq!(workload.sent_url(), "http://127.0.0.1:1/search?q=a/b");
    }

    #[test]
    fn https_targets_are_accepted_and_other_schemes_named() {
        let mut workload = batch(1, 1);
        workload.target = "https://127.0.0.1:8443".into();
        assert!(workload.validate().is_ok());
        assert!(workload.is_https());
        workload.target = "ftp://127.0.0.1:21".into();
        let err = workload.validate().unwrap_err();
        assert!(
            err.to_string().contains("not an http:// or https:// URL"),
            "{err}"
        );
    }

    #[test]
    fn distinct_items_build_one_url_per_endpoint_with_the_query() {
        let urls = batch(3, 1).urls();
        assert_eq!(
            urls,
            [
                "http://127.0.0.1:1/item/0?latency=5ms",
                "http://127.0.0.1:1/item/1?latency=5ms",
                "http://127.0.0.1:1/item/2?latency=5ms"
            ]
        );
    }

    #[test]
    fn zero_concurrency_is_rejected_by_name() {
        let err = batch(3, 0).validate().unwrap_err();
        assert_eq!(
            err.to_string(),
            "concurrency must be greater than zero (got 0)"
        );
    }

    #[test]
    fn non_http_target_is_rejected() {
        let mut workload = batch(1, 1);
        workload.target = "localhost:80".into();
        assert!(matches!(
            workload.validate(),
            Err(WorkloadError::BadTarget(_))
        ));
    }
}
