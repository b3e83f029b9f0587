//! The tokio side shared by the tokio strategies: building the runtime each run owns, and
//! driving C worker tasks on it under the run's error policy.
//!
//! Workers are spawned with `tokio::spawn` (not joined inline on the `block_on` thread) so
//! that on a multi-thread runtime they really run on the runtime's workers: a blocking
//! call or CPU work inside a task then occupies a runtime worker, as in an application.
//! They live in a [`JoinSet`]. Under wait-all every worker runs to the end (≈ `join_all`).
//! Under cancel the first worker that reports a failure makes the driver abort every
//! sibling (`abort_all`, ≈ `try_join_all`): an aborted task's future is dropped at its
//! next `.await`, and its recorder counts the request it had in flight as cancelled. The
//! driver then still waits for the aborted tasks to finish dropping, so no recorder is
//! missing from the measurement; dropping a plain `JoinHandle` would instead detach the
//! task and let it run on unseen.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::runtime::Runtime;
use tokio::task::JoinSet;
use waitbench_core::{Measurement, PreciseTimer, StrategyInfo, Workload, pacing};

use crate::error::{RunError, panic_message};
use crate::options::{RuntimeFlavor, StrategyOptions};
use crate::run::{AsyncSend, Run, Stopped, async_worker};
use crate::settings::set;
use crate::ticker::Ticker;

/// tokio's own default size of the blocking pool.
pub(crate) const TOKIO_DEFAULT_BLOCKING_THREADS: usize = 512;

/// The runtime a tokio strategy builds for one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RuntimePlan {
    flavor: RuntimeFlavor,
    threads: usize,
    blocking_threads: usize,
    ticker: bool,
}

impl RuntimePlan {
    /// The plan from `options`; `blocking_threads` is the blocking pool's size (tokio's
    /// default unless the strategy sizes it).
    pub(crate) fn new(options: &StrategyOptions, blocking_threads: Option<usize>) -> Self {
        RuntimePlan {
            flavor: options.runtime_flavor,
            threads: match options.runtime_flavor {
                RuntimeFlavor::MultiThread => options.runtime_threads(),
                RuntimeFlavor::CurrentThread => 1,
            },
            blocking_threads: blocking_threads.unwrap_or(TOKIO_DEFAULT_BLOCKING_THREADS),
            ticker: options.ticker,
        }
    }

    /// Threads that run tasks: the worker count, or 1 on a current-thread runtime.
    pub(crate) fn task_threads(&self) -> usize {
        self.threads
    }

    /// The blocking pool's size.
    pub(crate) fn blocking_threads(&self) -> usize {
        self.blocking_threads
    }

    /// Adds the runtime's settings to `info`.
    pub(crate) fn describe(&self, info: &mut StrategyInfo) {
        set(info, "runtime_flavor", self.flavor);
        set(info, "runtime_threads", self.threads);
        set(info, "runtime_blocking_threads", self.blocking_threads);
        set(info, "ticker", if self.ticker { "1ms" } else { "off" });
    }

    /// Builds the runtime with I/O and timers enabled.
    fn build(&self) -> Result<Runtime, RunError> {
        let mut builder = match self.flavor {
            RuntimeFlavor::MultiThread => {
                let mut b = tokio::runtime::Builder::new_multi_thread();
                b.worker_threads(self.threads);
                b
            }
            RuntimeFlavor::CurrentThread => tokio::runtime::Builder::new_current_thread(),
        };
        builder
            .enable_all()
            .max_blocking_threads(self.blocking_threads)
            .thread_name("waitbench-tokio")
            .build()
            .map_err(|source| RunError::Runtime {
                flavor: self.flavor.name(),
                threads: self.threads,
                source,
            })
    }

    /// Runs `workload` on a runtime built from this plan: validates, builds the runtime,
    /// builds the sender inside it (`sender`: clients, agents), starts the clock, then
    /// drives C worker tasks to the end and returns the checked measurement.
    pub(crate) fn run<S: AsyncSend>(
        &self,
        workload: &Workload,
        options: &StrategyOptions,
        sender: impl FnOnce() -> Result<S, RunError>,
    ) -> Result<Measurement, RunError> {
        let ready = Run::prepare(workload, options)?;
        let runtime = self.build()?;
        let sender = {
            let _context = runtime.enter();
            sender()?
        };
        let workers = ready.workers(workload.load.concurrency());
        let run = ready.start();
        self.drive(&runtime, run, workers, sender)
    }

    /// Runs `workers` worker tasks sending with `sender` on `runtime` (plus the ticker if
    /// asked for), waits for all of them, and returns the checked measurement.
    fn drive<S: AsyncSend>(
        &self,
        runtime: &Runtime,
        run: Run,
        workers: usize,
        sender: S,
    ) -> Result<Measurement, RunError> {
        let run = Arc::new(run);
        let timer = Arc::new(pacing::send_timer().map_err(RunError::SendTimer)?);
        let ticker = self.ticker;
        let (panicked, extras) = runtime.block_on(async {
            let ticker = ticker.then(Ticker::spawn);
            let panicked = join_workers(&run, &timer, workers, sender).await;
            let extras = match ticker {
                Some(ticker) => ticker.finish().await,
                None => BTreeMap::new(),
            };
            (panicked, extras)
        });
        if let Some(message) = panicked {
            return Err(RunError::WorkerPanicked(message));
        }
        run.finish(extras)
    }
}

/// Spawns the workers and waits for every one of them (see the module docs for how the
/// error policy acts). Returns the first panic message, if a worker panicked.
async fn join_workers<S: AsyncSend>(
    run: &Arc<Run>,
    timer: &Arc<PreciseTimer>,
    workers: usize,
    sender: S,
) -> Option<String> {
    let mut set = JoinSet::new();
    for _ in 0..workers {
        let (run, timer) = (Arc::clone(run), Arc::clone(timer));
        set.spawn(async_worker(run, timer, sender.for_worker()));
    }
    drop(sender);
    let mut panicked = None;
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(Ok(())) => {}
            Ok(Err(Stopped)) => set.abort_all(),
            Err(err) if err.is_panic() => {
                panicked.get_or_insert_with(|| panic_message(err.into_panic().as_ref()));
                run.dispatcher().stop();
                set.abort_all();
            }
            // Aborted by us above: its recorder has already gone back to the pool.
            Err(_) => {}
        }
    }
    panicked
}
