//! The reference clients of Go, Java and Node.js as data: one row per pattern, saying
//! what runs each request, whether a fixed pool of workers takes the tickets, and how
//! the client's idle-connection limit answers `--idle-per-host`. Planning a run, what a
//! result reports and the capacity check are read from the row, once for the three
//! runtimes.
//!
//! Why waitbench hands every pattern C tickets, a pool included: the protocol makes a
//! pattern with fewer workers than C queue the rest in its own structure (a channel, an
//! executor's queue), as the code a team writes would, so that wait is the pattern's and
//! shows as send lag rather than being hidden in waitbench's hand-out.

use waitbench_core::{Stack, StrategyInfo, Workload};

use crate::error::RunError;
use crate::external::Program;
use crate::kind::StrategyKind;
use crate::options::{IdlePerHost, PoolSize, StrategyOptions, cores};
use crate::runtimes::{Plan, Runtime};
use crate::settings::{common, set};

/// A runtime of reference clients: its stack, its patterns' rows, and the three things
/// that differ between Go, Java and Node.js (making the client, the command that runs a
/// pattern, and how the toolchain is described).
pub(crate) struct ReferenceRuntime {
    /// The stack its clients measure.
    pub(crate) stack: Stack,
    /// Its patterns, as [`StrategyKind`] declares them.
    pub(crate) kinds: &'static [StrategyKind],
    /// One row per kind.
    pub(crate) rows: &'static [Reference],
    /// Makes the client on first use (a build, a version check).
    pub(crate) prepare: fn() -> Result<(), RunError>,
    /// The variable that makes the runtime required (CI sets it).
    pub(crate) require_env: &'static str,
    /// The command that runs a pattern, once prepared.
    pub(crate) program: fn(StrategyKind) -> Result<Program, RunError>,
    /// The toolchain as a result reports it (never builds).
    pub(crate) describe: fn() -> String,
}

impl ReferenceRuntime {
    fn row(&self, kind: StrategyKind) -> &'static Reference {
        self.rows
            .iter()
            .find(|r| r.kind == kind)
            .unwrap_or_else(|| panic!("{kind} has no row in the {} runtime", self.stack))
    }
}

impl Runtime for ReferenceRuntime {
    fn stack(&self) -> Stack {
        self.stack
    }

    fn kinds(&self) -> &'static [StrategyKind] {
        self.kinds
    }

    fn prepare(&self) -> Result<(), RunError> {
        (self.prepare)()
    }

    fn require_env(&self) -> &'static str {
        self.require_env
    }

    fn program(&self, kind: StrategyKind) -> Result<Program, RunError> {
        (self.program)(kind)
    }

    fn plan(
        &self,
        kind: StrategyKind,
        options: &StrategyOptions,
        workload: &Workload,
    ) -> Result<Plan, RunError> {
        self.row(kind).plan(options, workload)
    }

    fn info(
        &self,
        kind: StrategyKind,
        options: &StrategyOptions,
        workload: &Workload,
    ) -> StrategyInfo {
        self.row(kind).info(options, workload, (self.describe)())
    }

    fn client_threads(
        &self,
        kind: StrategyKind,
        options: &StrategyOptions,
        concurrency: usize,
    ) -> usize {
        self.row(kind).client_threads(options, concurrency)
    }

    fn supports_ticker(&self, _kind: StrategyKind) -> bool {
        false
    }
}

/// One reference client's pattern.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reference {
    /// The strategy, whose name is also the client's first argument.
    pub(crate) kind: StrategyKind,
    /// The HTTP library, as a result's `client` says.
    pub(crate) library: &'static str,
    /// What runs each request, as a result's `execution` says.
    pub(crate) execution: &'static str,
    /// Whether a fixed pool of workers (`--threads`, default C) takes the tickets.
    pub(crate) pool: Option<Pool>,
    /// How the client's idle-connection limit answers `--idle-per-host`.
    pub(crate) idle: Idle,
    /// The OS threads the runtime starts beside a pool's own (GC, JIT, event loop,
    /// Go's scheduler threads), at most: for the capacity check before a run.
    pub(crate) runtime_threads: fn() -> usize,
}

/// A pattern's fixed pool of workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pool {
    /// What a worker is: `worker goroutines`, `platform threads`.
    pub(crate) workers: &'static str,
    /// Whether each worker is an OS thread (counted by the capacity check).
    pub(crate) os_threads: bool,
}

/// How a client's idle connections per host are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idle {
    /// A limit the client sets: the setting's name in the library and its default.
    Limit {
        /// The library's setting, e.g. `MaxIdleConnsPerHost`.
        setting: &'static str,
        /// Its default, what `--idle-per-host library` keeps.
        default: usize,
    },
    /// The library keeps every connection it opened (`java.net.http`): only the default,
    /// `sized`, means what it says.
    Unlimited,
}

impl Reference {
    /// The pool's workers for `c` requests in flight (`None` without a pool).
    fn pool_size(&self, options: &StrategyOptions, c: usize) -> Option<usize> {
        // A fixed pool has no library default of its own: `library` is one per core,
        // as rayon's and Go's GOMAXPROCS are.
        self.pool.map(|_| options.threads.threads(c, cores()))
    }

    /// The job's options for `kind` with `options` on `workload`.
    pub(crate) fn plan(
        &self,
        options: &StrategyOptions,
        workload: &Workload,
    ) -> Result<Plan, RunError> {
        let unsupported = |option: String, needs| RunError::Unsupported {
            strategy: self.kind.name(),
            option,
            needs,
        };
        if !options.cpu_work.is_zero() {
            return Err(unsupported(
                "--cpu-work".into(),
                "no CPU work: the reference clients only send (claim F's CPU step is Rust's \
                 and Python's)",
            ));
        }
        if options.ticker {
            return Err(unsupported(
                "--ticker".into(),
                "no ticker: the reference clients run none",
            ));
        }
        let c = workload.load.concurrency();
        let mut job = serde_json::Map::new();
        if let Some(threads) = self.pool_size(options, c) {
            job.insert("threads".into(), threads.into());
        }
        match (self.idle, options.idle_per_host) {
            (_, IdlePerHost::Sized) => {}
            (Idle::Limit { .. }, IdlePerHost::LibraryDefault) => {
                job.insert("idle_per_host".into(), "library".into());
            }
            (Idle::Limit { .. }, IdlePerHost::Fixed(n)) => {
                job.insert("idle_per_host".into(), n.into());
            }
            (Idle::Unlimited, other) => {
                return Err(unsupported(
                    format!("--idle-per-host {other}"),
                    "--idle-per-host sized: its client keeps every connection it opened, \
                     with no per-host limit to set",
                ));
            }
        }
        Ok(Plan {
            options: serde_json::Value::Object(job),
            credits: c,
            // Paced by waitbench's tickets unless the user asks (`--self-paced`).
            self_paced: false,
        })
    }

    /// What a result reports of the pattern; `runtime` describes the toolchain.
    pub(crate) fn info(
        &self,
        options: &StrategyOptions,
        workload: &Workload,
        runtime: String,
    ) -> StrategyInfo {
        let c = workload.load.concurrency();
        let pool = self.pool_size(options, c);
        let workers = pool.unwrap_or(c);
        let mut info = common(self.kind, workload, options, workers, workers.min(c));
        set(&mut info, "client", self.library);
        set(&mut info, "runtime", runtime);
        set(&mut info, "execution", self.execution);
        // Every reference client keeps its connections open between requests.
        set(&mut info, "keep_alive", "yes");
        if let (Some(pool), Some(size)) = (self.pool, pool) {
            let threads = match options.threads {
                PoolSize::LibraryDefault => format!("{size} {} (one per core)", pool.workers),
                _ => format!("{size} {}", pool.workers),
            };
            set(&mut info, "threads", threads);
        }
        let idle = match (self.idle, options.idle_per_host) {
            (Idle::Unlimited, _) => "unlimited (the library keeps every connection)".into(),
            (Idle::Limit { setting, .. }, IdlePerHost::Sized) => format!("{setting} = C ({c})"),
            (Idle::Limit { setting, default }, IdlePerHost::LibraryDefault) => {
                format!("{setting} = {default} (the library's default)")
            }
            (Idle::Limit { setting, .. }, IdlePerHost::Fixed(n)) => format!("{setting} = {n}"),
        };
        set(&mut info, "idle_per_host", idle);
        info
    }

    /// The most OS threads the client starts at `concurrency`.
    pub(crate) fn client_threads(&self, options: &StrategyOptions, concurrency: usize) -> usize {
        let pool = match (self.pool, self.pool_size(options, concurrency.max(1))) {
            (
                Some(Pool {
                    os_threads: true, ..
                }),
                Some(size),
            ) => size,
            _ => 0,
        };
        pool + (self.runtime_threads)()
    }
}
