//! `py-requests`, `py-requests-session`, `py-threadpool`, `py-aiohttp`,
//! `py-aiohttp-per-request`, `py-async-blocking`, `py-async-executor` and
//! `py-process-pool`: the article's Python patterns, one module each in
//! `crates/strategies/python/`, run in a child CPython process (see [`crate::python`]).
//!
//! Execution, as each module reads: `requests.get` or one `requests.Session` in a loop
//! (one worker, whatever C); `requests` on a `ThreadPoolExecutor` of `threads` threads
//! (`--threads library` is Python's own min(32, cores + 4)) running C workers, so at
//! most min(threads, C) requests are in flight; one `aiohttp.ClientSession` (connector
//! limit C, or `idle_per_host`) or a session per request, with C coroutines under
//! `asyncio.gather` (or, for claim G, one task per request awaited by `gather`,
//! `gather(return_exceptions=True)` or a `TaskGroup`, see [`AwaitWith`]); claim F2's pair, C coroutines under `asyncio.gather` that call
//! `requests` directly inside `async def` (one request at a time, the loop frozen for
//! each) or through `loop.run_in_executor` on a default executor of `threads` threads.
//! Workers take the load model's tickets in turn, as the Rust workers take the
//! dispatcher's. With `ticker` on, the asyncio patterns run a 1 ms ticker task on their
//! event loop (the twin of the Rust one, in `harness.py`) and report its lateness under
//! the same `ticker_lateness_*_us` names.
//!
//! Timing model: the interpreter, libraries and client are set up first (untimed, and
//! the baseline of the child's memory is taken then); the thread pool's threads are
//! started before the clock. Each request is timed by the child from just before the
//! library call to the end of the body read, on CLOCK_MONOTONIC, and waitbench records
//! it with core's recorder. `requests`' timeout is (connect, read): the read timeout
//! bounds each wait for bytes, not the whole request as the Rust clients' does.
//!
//! Claim G's ways ([`AwaitWith::task_per_request`]) make every request of a batch its own
//! task, as the article's `tasks = [fetch(session, url) for url in urls]`, and an
//! `asyncio.Semaphore(C)` keeps C in flight; a request takes its ticket when it gets a
//! slot, so "issued" counts requests really sent. A failed request is recorded, then
//! raised, as `response.raise_for_status()` would, so that the awaiting construct sees
//! it; a task cancelled in flight is recorded as cancelled. The first failure is noted
//! without stopping anything: what stops is what the construct stops. When `gather`
//! re-raises, the pattern then waits for the tasks it left running (a script that ends
//! there instead has `asyncio.run` cancel them on its way out, which is not `gather`'s
//! doing).
//!
//! Library behaviour kept as the article's code has it: aiohttp re-sends a GET once, on
//! a new connection, when a connection fails before the answer (a reset, or a close
//! without a response); the retry is part of that one request's latency and outcome, so
//! a reset fault of rate p ends as a reset error at about p² per request.

use waitbench_core::{Measurement, StrategyInfo, Workload};

use crate::Strategy;
use crate::error::RunError;
use crate::kind::StrategyKind;
use crate::options::{AwaitWith, IdlePerHost, StrategyOptions, cores, python_default_threads};
use crate::python::{PythonEnvironment, child, sources};
use crate::run::per_request_construct;
use crate::settings::{common, set};

/// One of the article's Python patterns.
#[derive(Debug, Clone)]
pub struct PythonClient {
    kind: StrategyKind,
    options: StrategyOptions,
}

/// What the pattern runs with for one workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sizing {
    /// Workers taking tickets (threads' or coroutines' loops).
    workers: usize,
    /// `py-threadpool` and `py-async-executor`: the executor's threads.
    threads: usize,
    /// `py-process-pool`: the pool's processes.
    processes: usize,
    /// Connections the client may keep: urllib3's `pool_maxsize` or aiohttp's `limit`.
    connections: usize,
    /// Requests that can really be in flight.
    effective: usize,
}

/// urllib3's default connections kept per host (`HTTPAdapter(pool_maxsize=10)`).
const URLLIB3_DEFAULT_POOL_MAXSIZE: usize = 10;

/// aiohttp's default connector limit (`TCPConnector(limit=100)`).
const AIOHTTP_DEFAULT_LIMIT: usize = 100;

impl PythonClient {
    /// The pattern `kind` (a Python strategy) with `options` (uses `threads` and
    /// `idle_per_host`).
    pub fn new(kind: StrategyKind, options: &StrategyOptions) -> Self {
        debug_assert!(StrategyKind::PYTHON.contains(&kind), "{kind} is not Python");
        PythonClient {
            kind,
            options: options.clone(),
        }
    }

    fn sizing(&self, workload: &Workload) -> Sizing {
        let c = workload.load.concurrency();
        match self.kind {
            StrategyKind::PyThreadpool | StrategyKind::PyAsyncExecutor => {
                let threads = self.options.threads.threads(c, python_default_threads());
                let connections = self
                    .options
                    .idle_per_host
                    .limit(threads, Some(URLLIB3_DEFAULT_POOL_MAXSIZE))
                    .unwrap_or(URLLIB3_DEFAULT_POOL_MAXSIZE);
                Sizing {
                    workers: c,
                    threads,
                    processes: 0,
                    connections,
                    effective: threads.min(c),
                }
            }
            StrategyKind::PyAiohttp | StrategyKind::PyProcessPool => {
                // Sized is exactly C here: the limit caps what is in flight, so raising
                // it above C would change nothing and lowering it is what `Fixed` is for.
                let limit = match self.options.idle_per_host {
                    IdlePerHost::Sized => c,
                    other => other
                        .limit(c, Some(AIOHTTP_DEFAULT_LIMIT))
                        .unwrap_or(AIOHTTP_DEFAULT_LIMIT),
                };
                let processes = if self.kind == StrategyKind::PyProcessPool {
                    self.options.threads.threads(c, cores())
                } else {
                    0
                };
                Sizing {
                    workers: c,
                    threads: 1,
                    processes,
                    connections: limit,
                    effective: limit.min(c),
                }
            }
            StrategyKind::PyAiohttpPerRequest => Sizing {
                workers: c,
                threads: 1,
                processes: 0,
                connections: c,
                effective: c,
            },
            // C coroutines, but each call holds the loop: one request at a time.
            StrategyKind::PyAsyncBlocking => Sizing {
                workers: c,
                threads: 1,
                processes: 0,
                connections: 1,
                effective: 1,
            },
            _ => Sizing {
                workers: 1,
                threads: 1,
                processes: 0,
                connections: 1,
                effective: 1,
            },
        }
    }

    /// How the pattern awaits its requests: only `py-aiohttp` has a choice.
    fn await_with(&self) -> AwaitWith {
        if self.kind == StrategyKind::PyAiohttp {
            self.options.await_with
        } else {
            AwaitWith::Workers
        }
    }

    /// A task per request: see [`per_request_construct`].
    fn check_supported(&self, workload: &Workload) -> Result<(), RunError> {
        let way = self.await_with();
        if !way.task_per_request() {
            return Ok(());
        }
        per_request_construct(workload, self.kind.name(), format!("--await-with {way}"))
    }

    fn job(&self, workload: &Workload, sizing: Sizing) -> String {
        serde_json::json!({
            "pattern": self.kind.name(),
            "urls": workload.urls(),
            "load": workload.load,
            "workers": sizing.workers,
            "timeouts": workload.timeouts,
            "on_error": workload.on_error,
            "error_samples": {
                "kept": waitbench_core::ErrorSamples::KEPT,
                "looks": waitbench_core::ErrorSamples::LOOKS,
            },
            "request": {
                "method": workload.request.method,
                "headers": workload.request.headers.iter()
                    .map(|h| [h.name.as_str(), h.value.as_str()])
                    .collect::<Vec<_>>(),
                "body_hex": workload.request.body_bytes().iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>(),
            },
            "options": {
                "threads": sizing.threads,
                "processes": sizing.processes,
                "idle_per_host": sizing.connections,
                "cpu_work_ns": u64::try_from(self.options.cpu_work.as_nanos()).unwrap_or(u64::MAX),
                "ticker": self.options.ticker && self.kind.supports_ticker(),
                "await_with": self.await_with().name(),
            },
        })
        .to_string()
    }
}

impl Strategy for PythonClient {
    fn kind(&self) -> StrategyKind {
        self.kind
    }

    fn ready(&self) -> Result<(), RunError> {
        PythonEnvironment::get()?;
        Ok(())
    }

    fn info(&self, workload: &Workload) -> StrategyInfo {
        let sizing = self.sizing(workload);
        let mut info = common(
            self.kind,
            workload,
            &self.options,
            sizing.workers,
            sizing.effective,
        );
        let pinned = |package| sources::pinned(package).unwrap_or("unpinned");
        set(&mut info, "python", PythonEnvironment::describe());
        if self.options.plant.is_some() {
            // Plants are hooks in the Rust worker loop, which a Python run does not use.
            set(
                &mut info,
                "planted_regression",
                "not applied (no plants in Python)",
            );
        }
        match self.kind {
            StrategyKind::PyAiohttp | StrategyKind::PyAiohttpPerRequest => {
                set(
                    &mut info,
                    "client",
                    format!("aiohttp {}", pinned("aiohttp")),
                );
                let way = self.await_with();
                set(
                    &mut info,
                    "event_loop",
                    format!("asyncio (default loop), {}", way.description()),
                );
                if self.kind == StrategyKind::PyAiohttp {
                    set(&mut info, "await_with", way);
                }
            }
            StrategyKind::PyProcessPool => {
                set(
                    &mut info,
                    "client",
                    format!("aiohttp {}", pinned("aiohttp")),
                );
                set(
                    &mut info,
                    "event_loop",
                    "asyncio (default loop), asyncio.gather; CPU work through \
                     loop.run_in_executor(ProcessPoolExecutor)",
                );
                set(
                    &mut info,
                    "processes",
                    format!(
                        "{} ProcessPoolExecutor processes, forkserver (Python's default \
                         here: {})",
                        sizing.processes,
                        cores()
                    ),
                );
            }
            StrategyKind::PyAsyncBlocking | StrategyKind::PyAsyncExecutor => {
                set(
                    &mut info,
                    "client",
                    format!("requests {}", pinned("requests")),
                );
                let call = if self.kind == StrategyKind::PyAsyncBlocking {
                    "asyncio.gather; requests called inside async def (blocks the loop)"
                } else {
                    "asyncio.gather; requests through loop.run_in_executor(None, ...)"
                };
                set(
                    &mut info,
                    "event_loop",
                    format!("asyncio (default loop), {call}"),
                );
            }
            _ => set(
                &mut info,
                "client",
                format!("requests {}", pinned("requests")),
            ),
        }
        if self.kind.supports_ticker() {
            set(
                &mut info,
                "ticker",
                if self.options.ticker { "1ms" } else { "off" },
            );
        }
        match self.kind {
            StrategyKind::PyRequests | StrategyKind::PyAiohttpPerRequest => {
                set(
                    &mut info,
                    "keep_alive",
                    "no: a new session and connection per request",
                );
            }
            _ => set(&mut info, "keep_alive", "yes"),
        }
        match self.kind {
            StrategyKind::PyThreadpool | StrategyKind::PyAsyncExecutor => {
                set(
                    &mut info,
                    "threads",
                    format!(
                        "{} ThreadPoolExecutor threads (Python's default here: {})",
                        sizing.threads,
                        python_default_threads()
                    ),
                );
                set(&mut info, "urllib3_pool_maxsize", sizing.connections);
            }
            StrategyKind::PyAiohttp | StrategyKind::PyProcessPool => {
                set(
                    &mut info,
                    "aiohttp_connector_limit",
                    format!(
                        "{} (aiohttp's default: {AIOHTTP_DEFAULT_LIMIT})",
                        sizing.connections
                    ),
                );
            }
            _ => {}
        }
        info
    }

    fn run(&self, workload: &Workload) -> Result<Measurement, RunError> {
        workload.validate()?;
        self.check_supported(workload)?;
        let environment = PythonEnvironment::get()?;
        let sizing = self.sizing(workload);
        let measurement = child::run(
            environment,
            self.kind.name(),
            &self.job(workload, sizing),
            &workload.load,
        )?;
        measurement
            .recorder
            .counters
            .check_accounting()
            .map_err(RunError::Accounting)?;
        Ok(measurement)
    }
}

#[cfg(test)]
mod tests {
    use waitbench_core::{ErrorKind, ErrorPolicy, LoadModel, Outcome, PathPlan};

    use super::*;
    use crate::test_support::misbehaviours;

    /// The one outcome of a one-request run.
    fn only_outcome(measurement: &Measurement) -> Outcome {
        let counters = &measurement.recorder.counters;
        assert_eq!(counters.sent, 1, "{counters:?}");
        if counters.ok == 1 {
            return Outcome::Success;
        }
        if let Some(&(code, _)) = counters.statuses.first() {
            return Outcome::HttpStatus(code);
        }
        let kind = ErrorKind::ALL
            .into_iter()
            .find(|k| counters.errors[k.index()] == 1)
            .expect("one outcome was counted");
        Outcome::Error(kind)
    }

    #[test]
    fn every_python_pattern_classifies_each_misbehaviour_as_the_rust_clients_do() {
        if let Err(reason) = PythonEnvironment::get() {
            assert!(!crate::python::python_required(), "required, yet {reason}");
            eprintln!("skipped: {reason}");
            return;
        }
        for kind in StrategyKind::PYTHON {
            for case in misbehaviours() {
                let workload = Workload {
                    target: case.url.trim_end_matches('/').to_string(),
                    paths: PathPlan::Single { path: "/".into() },
                    query: None,
                    load: LoadModel::Batch {
                        requests: 1,
                        concurrency: 1,
                    },
                    on_error: ErrorPolicy::WaitAll,
                    request: Default::default(),
                    timeouts: case.timeouts(),
                };
                let measurement = PythonClient::new(kind, &StrategyOptions::default())
                    .run(&workload)
                    .unwrap_or_else(|err| panic!("{kind}, {}: {err}", case.name));
                // aiohttp re-sends an idempotent request once on a new connection when
                // the server closes one without answering (RFC 9112 §9.3.1); the one-shot
                // server is gone by then, so its outcome is the retry's refused connect.
                let retried = matches!(
                    kind,
                    StrategyKind::PyAiohttp
                        | StrategyKind::PyAiohttpPerRequest
                        | StrategyKind::PyProcessPool
                ) && case.expected == Outcome::Error(ErrorKind::Reset);
                let expected = if retried {
                    Outcome::Error(ErrorKind::Connect)
                } else {
                    case.expected
                };
                assert_eq!(
                    only_outcome(&measurement),
                    expected,
                    "{kind}: {}",
                    case.name
                );
            }
        }
    }

    #[test]
    fn a_task_per_request_needs_a_batch_and_leaves_cancelling_to_python() {
        let options = StrategyOptions {
            await_with: AwaitWith::TaskGroup,
            ..Default::default()
        };
        let client = PythonClient::new(StrategyKind::PyAiohttp, &options);
        let mut workload = Workload {
            target: "http://127.0.0.1:1".into(),
            paths: PathPlan::Single { path: "/".into() },
            query: None,
            load: LoadModel::ClosedLoop {
                concurrency: 2,
                duration: std::time::Duration::from_secs(1),
                warmup: std::time::Duration::ZERO,
            },
            on_error: ErrorPolicy::WaitAll,
            request: Default::default(),
            timeouts: Default::default(),
        };
        let message = |w: &Workload| client.run(w).unwrap_err().to_string();
        assert_eq!(
            message(&workload),
            "py-aiohttp with --await-with taskgroup needs a batch (--requests N): it makes a \
             task or future per request"
        );
        workload.load = LoadModel::Batch {
            requests: 10,
            concurrency: 2,
        };
        workload.on_error = ErrorPolicy::Cancel;
        assert!(
            message(&workload).ends_with(
                "needs --on-error wait-all: what a failure stops is the construct's to decide"
            ),
            "{}",
            message(&workload)
        );
        let info = client.info(&workload);
        assert_eq!(info.settings["await_with"], "taskgroup");
        // Only py-aiohttp has the choice; the other patterns keep their worker loops.
        let other = PythonClient::new(StrategyKind::PyAiohttpPerRequest, &options);
        assert!(!other.info(&workload).settings.contains_key("await_with"));
    }

    #[test]
    fn the_thread_pool_defaults_to_pythons_own_size_and_caps_what_is_in_flight() {
        let workload = |c| Workload {
            target: "http://127.0.0.1:1".into(),
            paths: PathPlan::Single { path: "/".into() },
            query: None,
            load: LoadModel::Batch {
                requests: 10,
                concurrency: c,
            },
            on_error: ErrorPolicy::WaitAll,
            request: Default::default(),
            timeouts: Default::default(),
        };
        let default_pool = StrategyOptions {
            threads: crate::PoolSize::LibraryDefault,
            ..Default::default()
        };
        let pool = PythonClient::new(StrategyKind::PyThreadpool, &default_pool);
        assert_eq!(
            pool.sizing(&workload(100)).threads,
            python_default_threads()
        );
        assert_eq!(
            pool.info(&workload(100)).effective_concurrency,
            python_default_threads()
        );
        let sized = PythonClient::new(StrategyKind::PyThreadpool, &StrategyOptions::default());
        assert_eq!(sized.sizing(&workload(100)).connections, 100);
        let limited = StrategyOptions {
            idle_per_host: IdlePerHost::LibraryDefault,
            ..Default::default()
        };
        let aiohttp = PythonClient::new(StrategyKind::PyAiohttp, &limited);
        assert_eq!(aiohttp.info(&workload(300)).effective_concurrency, 100);
        let session = PythonClient::new(StrategyKind::PyRequestsSession, &limited);
        assert_eq!(session.info(&workload(300)).effective_concurrency, 1);
    }
}
