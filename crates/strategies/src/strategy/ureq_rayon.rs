//! `ureq-rayon`: one shared ureq agent on a dedicated rayon thread pool.
//!
//! Execution: a pool of P threads (never rayon's global pool) runs C jobs, each a worker
//! looping on the dispatcher. P is C by default ([`PoolSize::Concurrency`]), so every
//! worker has a thread; with [`PoolSize::LibraryDefault`] (one thread per core, rayon's own
//! default) only P jobs run at once and the rest start when the tickets are gone — the
//! artifact behind many "threads are slow" results: `effective_concurrency` is min(C, P).
//! The agent's idle-connection limits are raised to P (ureq keeps 3 per host by default,
//! so 300 threads sharing a default agent reconnect almost every time); `idle_per_host`
//! overrides that, and `Some(3)` reproduces the churn.
//!
//! Timing model: the pool and the agent are built before the clock starts; each request
//! is timed from just before `call()` to the end of the body read, on its pool thread.
//! Under cancel-on-error the first failure stops the dispatcher; requests in flight on
//! other threads finish and are counted.

use waitbench_core::{HttpVersion, Measurement, StrategyInfo, Workload};

use crate::Strategy;
use crate::error::RunError;
use crate::kind::StrategyKind;
use crate::options::{PoolSize, StrategyOptions, cores};
use crate::run::{Run, blocking_worker, catch_worker_panic};
use crate::settings::{common, set};
use crate::transport::Transport;
use crate::ureq_client::{UreqSettings, fetch};

/// One shared ureq agent on a dedicated rayon pool of (by default) C threads.
#[derive(Debug, Clone)]
pub struct UreqRayon {
    options: StrategyOptions,
}

/// rayon's default pool size: `RAYON_NUM_THREADS` if set, else one thread per core.
fn rayon_default_threads() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(cores)
}

impl UreqRayon {
    /// The strategy with `options` (uses `threads`, `idle_per_host` and `cpu_work`).
    pub fn new(options: &StrategyOptions) -> Self {
        UreqRayon {
            options: options.clone(),
        }
    }

    fn pool_threads(&self, workload: &Workload) -> usize {
        let concurrency = workload.load.concurrency();
        self.options
            .threads
            .threads(concurrency, rayon_default_threads())
    }

    fn agent_settings(&self, workload: &Workload) -> UreqSettings {
        let threads = self.pool_threads(workload);
        UreqSettings::pooled(workload.timeouts, self.options.idle_per_host, threads)
    }
}

impl Strategy for UreqRayon {
    fn kind(&self) -> StrategyKind {
        StrategyKind::UreqRayon
    }

    fn info(&self, workload: &Workload) -> StrategyInfo {
        let workers = workload.load.concurrency();
        let threads = self.pool_threads(workload);
        let mut info = common(
            self.kind(),
            workload,
            &self.options,
            workers,
            workers.min(threads),
        );
        set(&mut info, "rayon_threads", threads);
        let sizing = match self.options.threads {
            PoolSize::Concurrency => "one per worker",
            PoolSize::LibraryDefault => "rayon default (one per core)",
            PoolSize::Fixed(_) => "fixed",
        };
        set(&mut info, "rayon_pool", format!("dedicated, {sizing}"));
        self.agent_settings(workload).describe(&mut info);
        info
    }

    fn run(&self, workload: &Workload) -> Result<Measurement, RunError> {
        let ready = Run::prepare(workload, &self.options)?;
        let workers = workload.load.concurrency();
        let threads = self.pool_threads(workload);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("waitbench-rayon-{i}"))
            .build()
            .map_err(|source| RunError::ThreadPool { threads, source })?;
        // rayon starts its threads asynchronously: wait until every one runs, so that
        // starting a thousand threads is not timed as request latency.
        pool.broadcast(|_| ());
        let transport = Transport::new(workload, &self.options)?;
        let agent = self.agent_settings(workload).agent(&transport)?;
        let run = ready.start();
        let work = || blocking_worker(&run, |target| fetch(&agent, target));
        catch_worker_panic(|| {
            if threads == workers {
                // One worker per thread: give each thread its worker directly. Handing
                // 1,000 blocking jobs out through work-stealing makes the idle threads scan
                // each other's deques, and crossbeam-epoch walks every thread on each
                // advance: measured at C = 1000 that O(N²) search took 76% of the CPU.
                pool.broadcast(|_| work());
            } else {
                pool.scope(|scope| {
                    for _ in 0..workers {
                        scope.spawn(|_| work());
                    }
                });
            }
        })?;
        transport.attach(HttpVersion::Http1, run.finish(Default::default()))
    }
}
