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
//!
//! With a [`Combinator`] other than workers, a batch is instead one future per request,
//! awaited together by `futures`' own `join_all` or `try_join_all` on one task, with a
//! semaphore of C permits keeping C in flight. The dispatcher then never stops (the run
//! must be wait-all): whatever is not sent after the first failure is so because
//! `try_join_all` dropped the futures still waiting, which is the construct claim G is
//! about, not this harness's stop flag.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::FutureExt;
use tokio::runtime::Runtime;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use waitbench_core::{LoadModel, Measurement, PreciseTimer, StrategyInfo, Workload, pacing};

use crate::error::{RunError, panic_message};
use crate::options::{Combinator, RuntimeFlavor, StrategyOptions};
use crate::run::{AsyncSend, Run, Stopped, async_worker, one_request, per_request_construct};
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
    combinator: Combinator,
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
            combinator: options.combinator,
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
        set(info, "combinator", self.combinator);
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
        self.check_supported(workload)?;
        let ready = Run::prepare(workload, options)?;
        let runtime = self.build()?;
        let sender = {
            let _context = runtime.enter();
            sender()?
        };
        let workers = ready.workers(workload.load.concurrency());
        let run = ready.start();
        let requests = match workload.load {
            LoadModel::Batch { requests, .. } => requests,
            _ => 0,
        };
        self.drive(&runtime, run, workers, requests, sender)
    }

    /// A combinator makes a future per request: see [`per_request_construct`].
    fn check_supported(&self, workload: &Workload) -> Result<(), RunError> {
        if self.combinator == Combinator::Workers {
            return Ok(());
        }
        per_request_construct(
            workload,
            "a tokio strategy",
            format!("--combinator {}", self.combinator),
        )
    }

    /// Runs `workers` worker tasks (or, with a combinator, a future per request of the
    /// batch of `requests`) sending with `sender` on `runtime` (plus the ticker if asked
    /// for), waits for all of them, and returns the checked measurement.
    fn drive<S: AsyncSend>(
        &self,
        runtime: &Runtime,
        run: Run,
        workers: usize,
        requests: u64,
        sender: S,
    ) -> Result<Measurement, RunError> {
        let run = Arc::new(run);
        let timer = Arc::new(pacing::send_timer().map_err(RunError::SendTimer)?);
        let ticker = self.ticker;
        let (panicked, extras) = runtime.block_on(async {
            let ticker = ticker.then(Ticker::spawn);
            let panicked = match self.combinator {
                Combinator::Workers => join_workers(&run, &timer, workers, sender).await,
                combinator => join_batch(&run, &timer, workers, requests, sender, combinator).await,
            };
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

/// Awaits a future per request of the batch with `combinator` on this task, C of them
/// past the semaphore at a time; returns a panic's message, as [`join_workers`] does.
async fn join_batch<S: AsyncSend>(
    run: &Arc<Run>,
    timer: &Arc<PreciseTimer>,
    workers: usize,
    requests: u64,
    sender: S,
    combinator: Combinator,
) -> Option<String> {
    let permits = Semaphore::new(workers);
    let request = |sender: S| {
        let (run, timer, permits) = (Arc::clone(run), Arc::clone(timer), &permits);
        async move {
            let _permit = permits
                .acquire()
                .await
                .expect("the semaphore is never closed");
            one_request(&run, &timer, sender).await
        }
    };
    let futures: Vec<_> = (0..requests)
        .map(|_| request(sender.for_worker()))
        .collect();
    drop(sender);
    let joined = async move {
        match combinator {
            Combinator::JoinAll => {
                futures::future::join_all(futures).await;
            }
            // The error is the point: the futures still waiting are dropped unsent.
            Combinator::TryJoinAll => {
                let _ = futures::future::try_join_all(futures).await;
            }
            Combinator::Workers => unreachable!("workers are joined by join_workers"),
        }
    };
    // A panic inside a request's future is reported as a worker's is, not unwound
    // through `block_on`.
    match std::panic::AssertUnwindSafe(joined).catch_unwind().await {
        Ok(()) => None,
        Err(payload) => {
            run.dispatcher().stop();
            Some(panic_message(payload.as_ref()))
        }
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
