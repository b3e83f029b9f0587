//! `py-requests`, `py-requests-session`, `py-threadpool`, `py-aiohttp`,
//! `py-aiohttp-per-request`, `py-async-blocking`, `py-async-executor` and
//! `py-process-pool`: the article's Python patterns, one module each in
//! `client/`, run in a child CPython process (see [`super`]), one row each in [`PATTERNS`].
//! Beside them, Python's third way and its fastest loop: `py-gevent` (py-threadpool's
//! `requests` code unchanged, on C greenlets after gevent's `monkey.patch_all()`: cheap
//! threads switched on I/O by gevent's hub) and `py-aiohttp-uvloop` (py-aiohttp's code on
//! uvloop's libuv loop instead of asyncio's own). And httpx, the library that also speaks
//! HTTP/2: `py-httpx` (one `httpx.Client` on a thread pool, py-threadpool's pattern) and
//! `py-httpx-async` (one `httpx.AsyncClient`, C coroutines; `--http2` makes each request
//! a stream). Over https:// every pattern trusts what the Rust clients do and resumes
//! as `--tls-resume` says (the job's `tls` option, see [`super::super::connections`]).
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

use waitbench_core::{StrategyInfo, Workload};

use super::environment::PythonEnvironment;
use super::sources;
use crate::error::RunError;
use crate::kind::StrategyKind;
use crate::options::{AwaitWith, IdlePerHost, StrategyOptions, cores, python_default_threads};
use crate::run::per_request_construct;
use crate::runtimes::{Plan, connections};
use crate::settings::{common, set};

/// One pattern, declared: its library and how it sizes itself for C, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Pattern {
    /// The strategy.
    pub(super) kind: StrategyKind,
    /// The library that sends.
    library: Library,
    /// Who takes the tickets.
    takers: Takers,
    /// The pool `--threads` sizes, if any.
    pool: Pool,
    /// The connections the client may keep.
    connections: Connections,
    /// What caps the requests really in flight.
    in_flight: InFlight,
    /// How its event loop awaits the requests; `None`: no event loop.
    awaits: Option<Awaits>,
    /// The event loop that runs them (read only with `awaits`).
    event_loop: EventLoop,
    /// Whether it keeps connections alive between requests.
    keep_alive: bool,
    /// Whether it can run the 1 ms ticker on its event loop.
    ticker: bool,
    /// Its workers never hand the event loop back between requests (a blocking call
    /// inside `async def`), so in a batch they number their own requests: awaiting a
    /// ticket would hand the loop back and thaw what the pattern freezes.
    paces_itself: bool,
}

/// The library a pattern sends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Library {
    Requests,
    Aiohttp,
    Httpx,
}

impl Library {
    fn package(self) -> &'static str {
        match self {
            Library::Requests => "requests",
            Library::Aiohttp => "aiohttp",
            Library::Httpx => "httpx",
        }
    }
}

/// Who takes the tickets waitbench hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Takers {
    /// One loop, one request after another.
    One,
    /// C worker jobs on the pool, of which only the pool's threads run.
    PoolThreads,
    /// C workers (coroutines), each taking tickets in turn.
    Every,
}

/// The pool `--threads` sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pool {
    None,
    /// A `ThreadPoolExecutor` (Python's default: min(32, cores + 4)).
    Threads,
    /// A `ProcessPoolExecutor` (Python's default: one per core).
    Processes,
}

/// The connections a pattern may keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Connections {
    /// One at a time.
    One,
    /// A new one per request, so as many as are in flight.
    PerRequest,
    /// urllib3's `pool_maxsize`: the pool's threads unless `idle_per_host` says otherwise.
    Urllib3,
    /// aiohttp's connector `limit`: C unless `idle_per_host` says otherwise.
    AiohttpLimit,
    /// httpx's `Limits(max_connections)`: as many as send at once (the pool's threads,
    /// or C) unless `idle_per_host` says otherwise.
    HttpxLimit,
}

/// What caps the requests in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InFlight {
    /// One request at a time (a blocking loop, or a loop a blocking call holds).
    One,
    /// The pool's threads.
    Pool,
    /// The connections.
    Connections,
    /// C.
    Every,
}

/// How an event loop awaits the requests, as the result says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Awaits {
    /// As `--await-with` says (C workers by default).
    AwaitWith,
    /// C worker coroutines, whatever `--await-with` says.
    Workers,
    /// Always so.
    Fixed(&'static str),
}

/// The loop a pattern's requests wait on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EventLoop {
    /// asyncio's own loop (or none at all, for a pattern without `awaits`).
    Asyncio,
    /// uvloop's loop (libuv), in place of asyncio's.
    Uvloop,
    /// gevent's hub: greenlets switched on I/O by the monkey-patched socket module.
    GeventHub,
}

impl EventLoop {
    /// What a result calls it, with the pinned version of the package that brings it.
    fn describe(self) -> String {
        let pinned = |package| sources::pinned(package).unwrap_or("unpinned");
        match self {
            EventLoop::Asyncio => "asyncio (default loop)".into(),
            EventLoop::Uvloop => format!("uvloop {} under asyncio", pinned("uvloop")),
            EventLoop::GeventHub => format!("gevent {} hub", pinned("gevent")),
        }
    }
}

/// Every Python pattern, one row each.
pub(super) const PATTERNS: [Pattern; 12] = [
    Pattern {
        kind: StrategyKind::PyRequests,
        library: Library::Requests,
        takers: Takers::One,
        pool: Pool::None,
        connections: Connections::One,
        in_flight: InFlight::One,
        awaits: None,
        event_loop: EventLoop::Asyncio,
        keep_alive: false,
        ticker: false,
        paces_itself: false,
    },
    Pattern {
        kind: StrategyKind::PyRequestsSession,
        library: Library::Requests,
        takers: Takers::One,
        pool: Pool::None,
        connections: Connections::One,
        in_flight: InFlight::One,
        awaits: None,
        event_loop: EventLoop::Asyncio,
        keep_alive: true,
        ticker: false,
        paces_itself: false,
    },
    Pattern {
        kind: StrategyKind::PyThreadpool,
        library: Library::Requests,
        takers: Takers::PoolThreads,
        pool: Pool::Threads,
        connections: Connections::Urllib3,
        in_flight: InFlight::Pool,
        awaits: None,
        event_loop: EventLoop::Asyncio,
        keep_alive: true,
        ticker: false,
        paces_itself: false,
    },
    Pattern {
        kind: StrategyKind::PyAiohttp,
        library: Library::Aiohttp,
        takers: Takers::Every,
        pool: Pool::None,
        connections: Connections::AiohttpLimit,
        in_flight: InFlight::Connections,
        awaits: Some(Awaits::AwaitWith),
        event_loop: EventLoop::Asyncio,
        keep_alive: true,
        ticker: true,
        paces_itself: false,
    },
    Pattern {
        kind: StrategyKind::PyAiohttpPerRequest,
        library: Library::Aiohttp,
        takers: Takers::Every,
        pool: Pool::None,
        connections: Connections::PerRequest,
        in_flight: InFlight::Every,
        awaits: Some(Awaits::Workers),
        event_loop: EventLoop::Asyncio,
        keep_alive: false,
        ticker: true,
        paces_itself: false,
    },
    Pattern {
        kind: StrategyKind::PyAsyncBlocking,
        library: Library::Requests,
        takers: Takers::Every,
        pool: Pool::None,
        connections: Connections::One,
        in_flight: InFlight::One,
        awaits: Some(Awaits::Fixed(
            "asyncio.gather; requests called inside async def (blocks the loop)",
        )),
        event_loop: EventLoop::Asyncio,
        keep_alive: true,
        ticker: true,
        paces_itself: true,
    },
    Pattern {
        kind: StrategyKind::PyAsyncExecutor,
        library: Library::Requests,
        takers: Takers::Every,
        pool: Pool::Threads,
        connections: Connections::Urllib3,
        in_flight: InFlight::Pool,
        awaits: Some(Awaits::Fixed(
            "asyncio.gather; requests through loop.run_in_executor(None, ...)",
        )),
        event_loop: EventLoop::Asyncio,
        keep_alive: true,
        ticker: true,
        paces_itself: false,
    },
    Pattern {
        kind: StrategyKind::PyProcessPool,
        library: Library::Aiohttp,
        takers: Takers::Every,
        pool: Pool::Processes,
        connections: Connections::AiohttpLimit,
        in_flight: InFlight::Connections,
        awaits: Some(Awaits::Fixed(
            "asyncio.gather; CPU work through loop.run_in_executor(ProcessPoolExecutor)",
        )),
        event_loop: EventLoop::Asyncio,
        keep_alive: true,
        ticker: true,
        paces_itself: false,
    },
    Pattern {
        kind: StrategyKind::PyGevent,
        library: Library::Requests,
        takers: Takers::Every,
        pool: Pool::None,
        connections: Connections::Urllib3,
        in_flight: InFlight::Every,
        awaits: Some(Awaits::Fixed(
            "C greenlets running py-threadpool's requests code, after monkey.patch_all()",
        )),
        event_loop: EventLoop::GeventHub,
        keep_alive: true,
        ticker: false,
        paces_itself: false,
    },
    Pattern {
        kind: StrategyKind::PyAiohttpUvloop,
        library: Library::Aiohttp,
        takers: Takers::Every,
        pool: Pool::None,
        connections: Connections::AiohttpLimit,
        in_flight: InFlight::Connections,
        awaits: Some(Awaits::AwaitWith),
        event_loop: EventLoop::Uvloop,
        keep_alive: true,
        ticker: true,
        paces_itself: false,
    },
    Pattern {
        kind: StrategyKind::PyHttpx,
        library: Library::Httpx,
        takers: Takers::PoolThreads,
        pool: Pool::Threads,
        connections: Connections::HttpxLimit,
        in_flight: InFlight::Pool,
        awaits: None,
        event_loop: EventLoop::Asyncio,
        keep_alive: true,
        ticker: false,
        paces_itself: false,
    },
    Pattern {
        kind: StrategyKind::PyHttpxAsync,
        library: Library::Httpx,
        takers: Takers::Every,
        pool: Pool::None,
        connections: Connections::HttpxLimit,
        in_flight: InFlight::Every,
        awaits: Some(Awaits::Workers),
        event_loop: EventLoop::Asyncio,
        keep_alive: true,
        ticker: true,
        paces_itself: false,
    },
];

/// The row of `kind`.
pub(super) fn pattern(kind: StrategyKind) -> &'static Pattern {
    PATTERNS
        .iter()
        .find(|p| p.kind == kind)
        .unwrap_or_else(|| panic!("{kind} is declared in StrategyKind::PYTHON but has no row"))
}

/// What a pattern runs with for one workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sizing {
    /// Workers taking tickets (threads' or coroutines' loops).
    workers: usize,
    /// The thread pool's threads (1 without a pool).
    threads: usize,
    /// The process pool's processes (0 without one).
    processes: usize,
    /// Connections the client may keep: urllib3's `pool_maxsize` or aiohttp's `limit`.
    connections: usize,
    /// Requests that can really be in flight.
    effective: usize,
    /// Tickets outstanding at most: the takers that really run.
    credits: usize,
}

/// urllib3's default connections kept per host (`HTTPAdapter(pool_maxsize=10)`).
const URLLIB3_DEFAULT_POOL_MAXSIZE: usize = 10;

/// aiohttp's default connector limit (`TCPConnector(limit=100)`).
const AIOHTTP_DEFAULT_LIMIT: usize = 100;

/// httpx's default connection limit (`Limits(max_connections=100)`).
const HTTPX_DEFAULT_MAX_CONNECTIONS: usize = 100;

impl Pattern {
    fn sizing(&self, options: &StrategyOptions, c: usize) -> Sizing {
        let threads = match self.pool {
            Pool::Threads => options.threads.threads(c, python_default_threads()),
            Pool::None | Pool::Processes => 1,
        };
        let processes = match self.pool {
            Pool::Processes => options.threads.threads(c, cores()),
            Pool::None | Pool::Threads => 0,
        };
        let connections = match self.connections {
            Connections::One => 1,
            Connections::PerRequest => c,
            // As many as send at once: the pool's threads, or every taker (greenlets).
            Connections::Urllib3 => options
                .idle_per_host
                .limit(
                    if self.pool == Pool::Threads {
                        threads
                    } else {
                        c
                    },
                    Some(URLLIB3_DEFAULT_POOL_MAXSIZE),
                )
                .unwrap_or(URLLIB3_DEFAULT_POOL_MAXSIZE),
            // Sized is exactly C here: the limit caps what is in flight, so raising it
            // above C would change nothing and lowering it is what `Fixed` is for.
            Connections::AiohttpLimit => match options.idle_per_host {
                IdlePerHost::Sized => c,
                other => other
                    .limit(c, Some(AIOHTTP_DEFAULT_LIMIT))
                    .unwrap_or(AIOHTTP_DEFAULT_LIMIT),
            },
            Connections::HttpxLimit => options
                .idle_per_host
                .limit(
                    if self.pool == Pool::Threads {
                        threads.min(c)
                    } else {
                        c
                    },
                    Some(HTTPX_DEFAULT_MAX_CONNECTIONS),
                )
                .unwrap_or(HTTPX_DEFAULT_MAX_CONNECTIONS),
        };
        let effective = match self.in_flight {
            InFlight::One => 1,
            InFlight::Pool => threads.min(c),
            InFlight::Connections => connections.min(c),
            InFlight::Every => c,
        };
        let (workers, credits) = match self.takers {
            Takers::One => (1, 1),
            Takers::PoolThreads => (c, threads.min(c)),
            Takers::Every => (c, c),
        };
        Sizing {
            workers,
            threads,
            processes,
            connections,
            effective,
            credits,
        }
    }

    /// How the pattern awaits its requests: only a pattern that takes `--await-with`
    /// has a choice.
    fn await_with(&self, options: &StrategyOptions) -> AwaitWith {
        match self.awaits {
            Some(Awaits::AwaitWith) => options.await_with,
            Some(Awaits::Workers | Awaits::Fixed(_)) | None => AwaitWith::Workers,
        }
    }

    /// A task per request: see [`per_request_construct`].
    fn check_supported(
        &self,
        options: &StrategyOptions,
        workload: &Workload,
    ) -> Result<(), RunError> {
        let way = self.await_with(options);
        if !way.task_per_request() {
            return Ok(());
        }
        per_request_construct(workload, self.kind.name(), format!("--await-with {way}"))
    }

    /// The job's options and the credits, for `workload`.
    pub(super) fn plan(
        &self,
        options: &StrategyOptions,
        workload: &Workload,
    ) -> Result<Plan, RunError> {
        self.check_supported(options, workload)?;
        let sizing = self.sizing(options, workload.load.concurrency());
        let way = self.await_with(options);
        Ok(Plan {
            options: serde_json::json!({
                "pattern": self.kind.name(),
                "workers": sizing.workers,
                "threads": sizing.threads,
                "processes": sizing.processes,
                "idle_per_host": sizing.connections,
                "cpu_work_ns": u64::try_from(options.cpu_work.as_nanos()).unwrap_or(u64::MAX),
                "ticker": options.ticker && self.ticker,
                "await_with": way.name(),
                "tls": connections::job_tls(workload.is_https(), options)?,
                "http2": options.http2 && self.kind.takes_http2(),
            }),
            credits: sizing.credits,
            // A task per request takes its request the moment it gets one of the C
            // slots, as the article's tasks hold their URL: a ticket's round trip there
            // would leave slots empty when a failure cancels the rest (claim G).
            // A pattern that paces itself does so in a wait-all batch alone, which ends by
            // itself: a frozen loop never reads stdin, so it would not hear a closed loop's
            // `end` or an interrupt's `stop`, an open loop's schedule is waitbench's, and
            // only the hand-out stops at a first failure. Elsewhere it takes tickets.
            self_paced: way.task_per_request()
                || (self.paces_itself
                    && matches!(workload.load, waitbench_core::LoadModel::Batch { .. })
                    && workload.on_error == waitbench_core::ErrorPolicy::WaitAll),
        })
    }

    /// The threads (and processes) the client starts, its main thread included: its
    /// pool; a process pool adds the forkserver and the executor's manager and
    /// queue-feeder threads.
    pub(super) fn client_threads(&self, options: &StrategyOptions, c: usize) -> usize {
        let sizing = self.sizing(options, c.max(1));
        match self.pool {
            Pool::None => 1,
            Pool::Threads => sizing.threads + 1,
            Pool::Processes => sizing.processes + 4,
        }
    }

    /// Whether it can run the 1 ms ticker.
    pub(super) fn supports_ticker(&self) -> bool {
        self.ticker
    }

    /// What a result reports of it.
    pub(super) fn info(&self, options: &StrategyOptions, workload: &Workload) -> StrategyInfo {
        let sizing = self.sizing(options, workload.load.concurrency());
        let mut info = common(
            self.kind,
            workload,
            options,
            sizing.workers,
            sizing.effective,
        );
        set(&mut info, "python", PythonEnvironment::describe());
        if options.plant.is_some() {
            // Plants are hooks in the Rust worker loop, which a Python run does not use.
            set(
                &mut info,
                "planted_regression",
                "not applied (no plants in Python)",
            );
        }
        let package = self.library.package();
        set(
            &mut info,
            "client",
            format!(
                "{package} {}",
                sources::pinned(package).unwrap_or("unpinned")
            ),
        );
        match self.awaits {
            Some(Awaits::AwaitWith) => {
                let way = self.await_with(options);
                set(
                    &mut info,
                    "event_loop",
                    format!("{}, {}", self.event_loop.describe(), way.description()),
                );
                set(&mut info, "await_with", way);
            }
            Some(Awaits::Workers) => set(
                &mut info,
                "event_loop",
                format!(
                    "{}, {}",
                    self.event_loop.describe(),
                    AwaitWith::Workers.description()
                ),
            ),
            Some(Awaits::Fixed(how)) => {
                set(
                    &mut info,
                    "event_loop",
                    format!("{}, {how}", self.event_loop.describe()),
                );
            }
            None => {}
        }
        if self.ticker {
            set(
                &mut info,
                "ticker",
                if options.ticker { "1ms" } else { "off" },
            );
        }
        set(
            &mut info,
            "keep_alive",
            if self.keep_alive {
                "yes"
            } else {
                "no: a new session and connection per request"
            },
        );
        match self.pool {
            Pool::Threads => set(
                &mut info,
                "threads",
                format!(
                    "{} ThreadPoolExecutor threads (Python's default here: {})",
                    sizing.threads,
                    python_default_threads()
                ),
            ),
            Pool::Processes => set(
                &mut info,
                "processes",
                format!(
                    "{} ProcessPoolExecutor processes, forkserver (Python's default here: {})",
                    sizing.processes,
                    cores()
                ),
            ),
            Pool::None => {}
        }
        match self.connections {
            Connections::Urllib3 => set(&mut info, "urllib3_pool_maxsize", sizing.connections),
            Connections::AiohttpLimit => set(
                &mut info,
                "aiohttp_connector_limit",
                format!(
                    "{} (aiohttp's default: {AIOHTTP_DEFAULT_LIMIT})",
                    sizing.connections
                ),
            ),
            Connections::HttpxLimit => set(
                &mut info,
                "httpx_max_connections",
                format!(
                    "{} (httpx's default: {HTTPX_DEFAULT_MAX_CONNECTIONS})",
                    sizing.connections
                ),
            ),
            Connections::One | Connections::PerRequest => {}
        }
        if self.kind.takes_http2() {
            set(
                &mut info,
                "http",
                if options.http2 {
                    "HTTP/2 (h2)"
                } else {
                    "HTTP/1.1"
                },
            );
        }
        info
    }
}

#[cfg(test)]
mod tests {
    use waitbench_core::{ErrorKind, ErrorPolicy, LoadModel, Outcome, PathPlan};

    use super::*;
    use crate::Strategy;
    use crate::runtimes::ExternalPattern;
    use crate::test_support::misbehaviours;
    use waitbench_core::Measurement;

    fn client(kind: StrategyKind, options: &StrategyOptions) -> ExternalPattern {
        ExternalPattern::new(kind, options).expect("a Python pattern")
    }

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
            assert!(!super::super::python_required(), "required, yet {reason}");
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
                let measurement = client(kind, &StrategyOptions::default())
                    .run(&workload)
                    .unwrap_or_else(|err| panic!("{kind}, {}: {err}", case.name));
                // aiohttp re-sends an idempotent request once on a new connection when
                // the server closes one without answering (RFC 9112 §9.3.1); the one-shot
                // server is gone by then, so its outcome is the retry's refused connect.
                let retried = pattern(kind).library == Library::Aiohttp
                    && case.expected == Outcome::Error(ErrorKind::Reset);
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
        let aiohttp = client(StrategyKind::PyAiohttp, &options);
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
        let message = |w: &Workload| aiohttp.run(w).unwrap_err().to_string();
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
        let info = aiohttp.info(&workload);
        assert_eq!(info.settings["await_with"], "taskgroup");
        // Only py-aiohttp has the choice; the other patterns keep their worker loops.
        let other = client(StrategyKind::PyAiohttpPerRequest, &options);
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
        assert_eq!(
            pattern(StrategyKind::PyThreadpool)
                .sizing(&default_pool, 100)
                .threads,
            python_default_threads()
        );
        let pool = client(StrategyKind::PyThreadpool, &default_pool);
        assert_eq!(
            pool.info(&workload(100)).effective_concurrency,
            python_default_threads()
        );
        let sized = pattern(StrategyKind::PyThreadpool).sizing(&StrategyOptions::default(), 100);
        assert_eq!(sized.connections, 100);
        // The pool's threads are the only takers that run: the hand-out gives them no more.
        assert_eq!(sized.credits, 100);
        assert_eq!(
            pattern(StrategyKind::PyThreadpool)
                .sizing(&default_pool, 100)
                .credits,
            python_default_threads()
        );
        let limited = StrategyOptions {
            idle_per_host: IdlePerHost::LibraryDefault,
            ..Default::default()
        };
        let aiohttp = client(StrategyKind::PyAiohttp, &limited);
        assert_eq!(aiohttp.info(&workload(300)).effective_concurrency, 100);
        let session = client(StrategyKind::PyRequestsSession, &limited);
        assert_eq!(session.info(&workload(300)).effective_concurrency, 1);
    }

    #[test]
    fn every_python_strategy_has_exactly_one_row() {
        for kind in StrategyKind::PYTHON {
            assert_eq!(
                PATTERNS.iter().filter(|p| p.kind == kind).count(),
                1,
                "{kind}"
            );
        }
        assert_eq!(PATTERNS.len(), StrategyKind::PYTHON.len());
    }
}
