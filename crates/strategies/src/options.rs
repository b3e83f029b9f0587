//! The knobs that change a strategy's result, each with a visible default.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use thiserror::Error;

use crate::kind::StrategyKind;

/// How a flag names the library's own default, as distinct from the flag's default.
pub const LIBRARY: &str = "library";

/// What an old `default` spelling is told: it read as the flag's default but meant the
/// library's.
const OLD_DEFAULT_HINT: &str = "`library` for the library's own default (rayon: one thread \
    per core; Python: min(32, cores + 4); urllib3 10, aiohttp 100, ureq 3), or leave the \
    flag out for its default; `default` was renamed because it read as the flag's default";

/// How many threads a blocking pool gets (rayon for `ureq-rayon`, tokio's blocking pool
/// for `tokio-spawn-blocking`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PoolSize {
    /// One thread per worker (C): every worker can have a request in flight.
    #[default]
    Concurrency,
    /// The library's own default (`library`): rayon's one thread per core, Python's
    /// min(32, cores + 4) (tokio's blocking pool: 512).
    LibraryDefault,
    /// Exactly this many threads.
    Fixed(usize),
}

impl PoolSize {
    /// The thread count for `concurrency` workers; `library_default` is what the pool's
    /// library would pick on its own.
    pub fn threads(self, concurrency: usize, library_default: usize) -> usize {
        match self {
            PoolSize::Concurrency => concurrency,
            PoolSize::LibraryDefault => library_default,
            PoolSize::Fixed(n) => n,
        }
        .max(1)
    }
}

impl fmt::Display for PoolSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolSize::Concurrency => f.write_str("concurrency"),
            PoolSize::LibraryDefault => f.write_str(LIBRARY),
            PoolSize::Fixed(n) => write!(f, "{n}"),
        }
    }
}

impl FromStr for PoolSize {
    type Err = BadOption;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim() {
            "concurrency" => Ok(PoolSize::Concurrency),
            LIBRARY => Ok(PoolSize::LibraryDefault),
            old @ ("default" | "rayon-default") => Err(BadOption {
                what: "pool size",
                given: old.to_string(),
                expected: OLD_DEFAULT_HINT,
            }),
            other => match other.parse::<usize>() {
                Ok(n) if n > 0 => Ok(PoolSize::Fixed(n)),
                _ => Err(BadOption {
                    what: "pool size",
                    given: text.to_string(),
                    expected: "concurrency, library (the library's own default) or a positive \
                               thread count",
                }),
            },
        }
    }
}

/// How many idle connections a client keeps per host (urllib3's `pool_maxsize` and
/// aiohttp's connector `limit` for the Python clients).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdlePerHost {
    /// Enough for every worker, so that no worker reconnects because the pool threw its
    /// connection away (reqwest: unbounded, its own default).
    #[default]
    Sized,
    /// The library's own default: ureq 3, reqwest unbounded, urllib3 10, aiohttp 100.
    LibraryDefault,
    /// Exactly this many.
    Fixed(usize),
}

impl IdlePerHost {
    /// The limit for a pool serving `workers`, where the library's default is
    /// `library_default` (`None`: no limit).
    pub fn limit(self, workers: usize, library_default: Option<usize>) -> Option<usize> {
        match self {
            IdlePerHost::Sized => Some(workers.max(library_default.unwrap_or(0))),
            IdlePerHost::LibraryDefault => library_default,
            IdlePerHost::Fixed(n) => Some(n),
        }
    }
}

impl fmt::Display for IdlePerHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdlePerHost::Sized => f.write_str("sized"),
            IdlePerHost::LibraryDefault => f.write_str(LIBRARY),
            IdlePerHost::Fixed(n) => write!(f, "{n}"),
        }
    }
}

impl FromStr for IdlePerHost {
    type Err = BadOption;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim() {
            "sized" | "concurrency" => Ok(IdlePerHost::Sized),
            LIBRARY => Ok(IdlePerHost::LibraryDefault),
            "default" => Err(BadOption {
                what: "idle connections per host",
                given: text.to_string(),
                expected: OLD_DEFAULT_HINT,
            }),
            other => other
                .parse::<usize>()
                .map(IdlePerHost::Fixed)
                .map_err(|_| BadOption {
                    what: "idle connections per host",
                    given: text.to_string(),
                    expected: "sized, library (the library's own default) or a number",
                }),
        }
    }
}

/// Which tokio scheduler the tokio strategies build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RuntimeFlavor {
    /// `new_multi_thread`: tasks spread over the runtime's worker threads.
    #[default]
    MultiThread,
    /// `new_current_thread`: every task on the one thread that drives the runtime.
    CurrentThread,
}

impl RuntimeFlavor {
    /// Every flavor.
    pub const ALL: [RuntimeFlavor; 2] = [RuntimeFlavor::MultiThread, RuntimeFlavor::CurrentThread];

    /// What the flavor does, as `--help` lists it.
    pub fn description(self) -> &'static str {
        match self {
            RuntimeFlavor::MultiThread => "tasks spread over the runtime's worker threads",
            RuntimeFlavor::CurrentThread => {
                "every task on one thread: one blocking call stops everything"
            }
        }
    }

    /// The flavor's name as written in settings: `multi-thread` or `current-thread`.
    pub fn name(self) -> &'static str {
        match self {
            RuntimeFlavor::MultiThread => "multi-thread",
            RuntimeFlavor::CurrentThread => "current-thread",
        }
    }
}

/// `--runtime`'s values, listed in `--help` from the flavours themselves.
#[cfg(feature = "clap")]
impl clap::ValueEnum for RuntimeFlavor {
    fn value_variants<'a>() -> &'a [Self] {
        &Self::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let alias = match self {
            RuntimeFlavor::MultiThread => "multi",
            RuntimeFlavor::CurrentThread => "current",
        };
        Some(
            clap::builder::PossibleValue::new(self.name())
                .alias(alias)
                .help(self.description()),
        )
    }
}

impl fmt::Display for RuntimeFlavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for RuntimeFlavor {
    type Err = BadOption;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim() {
            "multi-thread" | "multi" => Ok(RuntimeFlavor::MultiThread),
            "current-thread" | "current" => Ok(RuntimeFlavor::CurrentThread),
            _ => Err(BadOption {
                what: "runtime flavor",
                given: text.to_string(),
                expected: "multi-thread or current-thread",
            }),
        }
    }
}

/// How `py-aiohttp` awaits its requests together, and so what one failed request does to
/// the others (claim G). The article's claim is about exactly this choice: "gather
/// cancels the rest on the first error unless return_exceptions=True".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AwaitWith {
    /// C worker coroutines under `asyncio.gather` take the requests in turn; a failure is
    /// recorded and its worker goes on, so no exception ever reaches `gather`.
    #[default]
    Workers,
    /// One task per request under `asyncio.gather(*tasks)`; a failed request raises.
    Gather,
    /// The same under `asyncio.gather(*tasks, return_exceptions=True)`.
    GatherReturnExceptions,
    /// One task per request in an `asyncio.TaskGroup` (Python 3.11+); a failed request
    /// raises.
    TaskGroup,
}

impl AwaitWith {
    /// Every way.
    pub const ALL: [AwaitWith; 4] = [
        AwaitWith::Workers,
        AwaitWith::Gather,
        AwaitWith::GatherReturnExceptions,
        AwaitWith::TaskGroup,
    ];

    /// The name as written in settings and sent to the Python pattern.
    pub fn name(self) -> &'static str {
        match self {
            AwaitWith::Workers => "workers",
            AwaitWith::Gather => "gather",
            AwaitWith::GatherReturnExceptions => "gather-return-exceptions",
            AwaitWith::TaskGroup => "taskgroup",
        }
    }

    /// The Python that awaits the requests, as `--help` and the run's settings show it.
    pub fn description(self) -> &'static str {
        match self {
            AwaitWith::Workers => {
                "C worker coroutines under asyncio.gather; a failure is recorded, never raised"
            }
            AwaitWith::Gather => "a task per request, asyncio.gather(*tasks); a failure raises",
            AwaitWith::GatherReturnExceptions => {
                "a task per request, asyncio.gather(*tasks, return_exceptions=True)"
            }
            AwaitWith::TaskGroup => "a task per request in an asyncio.TaskGroup; a failure raises",
        }
    }

    /// Whether every request is its own task, so that a failure is an exception that the
    /// awaiting construct sees (a batch only: the tasks are made up front).
    pub fn task_per_request(self) -> bool {
        self != AwaitWith::Workers
    }
}

waitbench_core::named_value!(AwaitWith);

impl FromStr for AwaitWith {
    type Err = BadOption;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        AwaitWith::ALL
            .into_iter()
            .find(|way| way.name() == text.trim())
            .ok_or_else(|| BadOption {
                what: "way to await the requests",
                given: text.to_string(),
                expected: "workers, gather, gather-return-exceptions or taskgroup",
            })
    }
}

/// An option value that does not parse, with what would.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid {what} {given:?}; expected {expected}")]
pub struct BadOption {
    /// Which option.
    pub what: &'static str,
    /// The value given.
    pub given: String,
    /// What is accepted.
    pub expected: &'static str,
}

/// Settings shared by all strategies; each strategy uses and reports the ones it has.
/// With the `clap` feature it is also the command line's set of strategy flags, so a
/// flag and the setting it sets are one declaration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct StrategyOptions {
    /// Pool size of ureq-rayon and tokio-spawn-blocking, and py-threadpool's workers: a
    /// number, `concurrency` (one per request in flight) or `library` (the library's own
    /// default: rayon one per core, Python min(32, cores + 4)).
    #[cfg_attr(feature = "clap", arg(long, default_value = "concurrency"))]
    pub threads: PoolSize,
    /// Idle connections kept per host: a number, `sized` (enough for every worker, the
    /// default) or `library` (the library's own default: ureq 3, urllib3 10, aiohttp 100).
    #[cfg_attr(feature = "clap", arg(long, default_value = "sized"))]
    pub idle_per_host: IdlePerHost,
    /// Tokio worker threads for the async strategies (default: one per core).
    #[cfg_attr(feature = "clap", arg(long))]
    pub runtime_threads: Option<usize>,
    /// Tokio runtime flavour.
    #[cfg_attr(
        feature = "clap",
        arg(long = "runtime", value_name = "FLAVOR", value_enum, default_value_t)
    )]
    pub runtime_flavor: RuntimeFlavor,
    /// CPU work done on each response after it is recorded, e.g. 200us (claim F1).
    #[cfg_attr(
        feature = "clap",
        arg(long, default_value = "0s", value_parser = waitbench_core::units::duration_arg)
    )]
    pub cpu_work: Duration,
    /// Run a 1 ms ticker task beside the async workers and report its lateness (claim F2).
    #[cfg_attr(feature = "clap", arg(long))]
    pub ticker: bool,
    /// How py-aiohttp awaits its requests, so what a failed one does to the rest (claim G).
    #[cfg_attr(
        feature = "clap",
        arg(long, value_name = "PATTERN", value_enum, default_value_t)
    )]
    pub await_with: AwaitWith,
    /// A deliberate regression, to show the CI gate catches it; `None` by default.
    #[cfg_attr(feature = "clap", arg(skip))]
    pub plant: Option<crate::Plant>,
}

/// The number of cores, as the libraries count them for their defaults.
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `ThreadPoolExecutor`'s default `max_workers` (Python 3.8+): min(32, cores + 4).
pub(crate) fn python_default_threads() -> usize {
    32.min(cores() + 4)
}

impl StrategyOptions {
    /// tokio worker threads: the option, or one per core.
    pub(crate) fn runtime_threads(&self) -> usize {
        self.runtime_threads.unwrap_or_else(cores).max(1)
    }

    /// The most threads `kind` starts with these options at `concurrency` (its pool or
    /// runtime, not the process's other threads): what a capacity check
    /// ([`waitbench_core::capacity::Demand::threads`]) needs before a run.
    pub fn client_threads(&self, kind: StrategyKind, concurrency: usize) -> usize {
        let concurrency = concurrency.max(1);
        match kind {
            StrategyKind::UreqSequential => 1,
            StrategyKind::UreqRayon => self.threads.threads(concurrency, cores()),
            StrategyKind::UreqThreads | StrategyKind::UreqPerRequest => concurrency,
            StrategyKind::ReqwestTokio
            | StrategyKind::HyperTokio
            | StrategyKind::ReqwestPerRequest
            | StrategyKind::TokioBlocking => self.runtime_threads(),
            StrategyKind::TokioSpawnBlocking => {
                self.runtime_threads()
                    + self
                        .threads
                        .threads(concurrency, crate::runtime::TOKIO_DEFAULT_BLOCKING_THREADS)
            }
            // An external client's threads live in its child process but count against
            // the same per-user limit; its runtime's table sizes them.
            external => crate::runtimes::runtime_of(external).map_or(1, |runtime| {
                runtime.client_threads(external, self, concurrency)
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_sizes_parse_and_resolve() {
        assert_eq!("concurrency".parse(), Ok(PoolSize::Concurrency));
        assert_eq!("library".parse(), Ok(PoolSize::LibraryDefault));
        assert_eq!(PoolSize::LibraryDefault.to_string(), "library");
        assert_eq!("8".parse(), Ok(PoolSize::Fixed(8)));
        assert!("0".parse::<PoolSize>().is_err());
        assert_eq!(PoolSize::Concurrency.threads(50, 2), 50);
        assert_eq!(PoolSize::LibraryDefault.threads(50, 2), 2);
        assert_eq!(PoolSize::Fixed(7).threads(50, 2), 7);
    }

    #[test]
    fn thread_per_request_strategies_need_a_thread_per_connection_and_async_ones_do_not() {
        let options = StrategyOptions {
            runtime_threads: Some(2),
            ..StrategyOptions::default()
        };
        assert_eq!(
            options.client_threads(StrategyKind::UreqThreads, 5000),
            5000
        );
        assert_eq!(options.client_threads(StrategyKind::UreqRayon, 5000), 5000);
        assert_eq!(options.client_threads(StrategyKind::HyperTokio, 5000), 2);
        assert_eq!(options.client_threads(StrategyKind::ReqwestTokio, 5000), 2);
        assert_eq!(
            options.client_threads(StrategyKind::UreqSequential, 5000),
            1
        );
        assert_eq!(
            options.client_threads(StrategyKind::TokioSpawnBlocking, 300),
            302
        );
        let rayon_default = StrategyOptions {
            threads: PoolSize::Fixed(8),
            ..options
        };
        assert_eq!(
            rayon_default.client_threads(StrategyKind::UreqRayon, 5000),
            8
        );
    }

    #[test]
    fn python_clients_count_the_threads_of_their_child_process() {
        let sized = StrategyOptions::default();
        assert_eq!(sized.client_threads(StrategyKind::PyThreadpool, 100), 102);
        let python_default = StrategyOptions {
            threads: PoolSize::LibraryDefault,
            ..StrategyOptions::default()
        };
        assert_eq!(
            python_default.client_threads(StrategyKind::PyThreadpool, 100),
            python_default_threads() + 2
        );
        assert_eq!(sized.client_threads(StrategyKind::PyAiohttp, 5000), 2);
    }

    #[test]
    fn idle_limits_parse_and_resolve_against_each_librarys_default() {
        assert_eq!("library".parse(), Ok(IdlePerHost::LibraryDefault));
        assert_eq!(IdlePerHost::LibraryDefault.to_string(), "library");
        assert_eq!("sized".parse(), Ok(IdlePerHost::Sized));
        assert_eq!("3".parse(), Ok(IdlePerHost::Fixed(3)));
        assert!("many".parse::<IdlePerHost>().is_err());
        assert_eq!(IdlePerHost::Sized.limit(300, Some(3)), Some(300));
        assert_eq!(IdlePerHost::Sized.limit(1, Some(3)), Some(3));
        assert_eq!(IdlePerHost::LibraryDefault.limit(300, Some(100)), Some(100));
        assert_eq!(IdlePerHost::LibraryDefault.limit(300, None), None);
        assert_eq!(IdlePerHost::Fixed(7).limit(300, None), Some(7));
    }

    #[test]
    fn the_old_default_spelling_is_refused_with_the_new_one() {
        for old in ["default", "rayon-default"] {
            let err = old.parse::<PoolSize>().unwrap_err().to_string();
            assert!(
                err.contains("`library` for the library's own default"),
                "{err}"
            );
        }
        let err = "default".parse::<IdlePerHost>().unwrap_err().to_string();
        assert!(err.contains("`library`"), "{err}");
    }

    #[test]
    fn ways_to_await_round_trip_through_their_names() {
        for way in AwaitWith::ALL {
            assert_eq!(way.name().parse(), Ok(way));
        }
        assert_eq!(AwaitWith::default(), AwaitWith::Workers);
        let err = "wait".parse::<AwaitWith>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid way to await the requests \"wait\"; expected workers, gather, \
             gather-return-exceptions or taskgroup"
        );
    }

    #[test]
    fn flavors_round_trip_through_their_names() {
        for flavor in [RuntimeFlavor::MultiThread, RuntimeFlavor::CurrentThread] {
            assert_eq!(flavor.name().parse(), Ok(flavor));
        }
        let err = "green".parse::<RuntimeFlavor>().unwrap_err();
        assert!(err.to_string().contains("current-thread"));
    }
}
