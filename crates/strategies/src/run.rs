//! What every strategy shares once its clients are built: the run context (dispatcher,
//! recorders, URLs, error policy, CPU work) and the worker loop, written once in a
//! blocking and an async form.
//!
//! Timing model, common to all strategies: the clock starts when [`ReadyRun::start`] creates
//! the dispatcher, after clients, pools and runtimes exist. A request's latency runs from
//! just before the client is asked to send (or from its intended send time in the open
//! loop) to the end of the body read, as recorded by core's recorder; the CPU work of
//! claim F1 comes after that and is not part of any latency, but it occupies the worker,
//! so it shows in throughput and in the latency of requests that wait for that worker.

use std::collections::BTreeMap;
use std::sync::RwLock;
use std::time::Duration;

use waitbench_core::{
    Dispatcher, ErrorPolicy, LoadModel, Measurement, Outcome, PreciseTimer, RecorderPool, Ticket,
    WorkerRecorder, Workload,
};

use crate::cpu_work::CpuWork;
use crate::error::{RunError, panic_message};
use crate::options::StrategyOptions;
use crate::plant::Plant;
use crate::target::RequestTarget;

/// A run whose URLs are parsed and whose workload is checked, ready to start the clock.
#[derive(Debug)]
pub(crate) struct ReadyRun {
    load: LoadModel,
    targets: Vec<RequestTarget>,
    policy: ErrorPolicy,
    cpu_work: CpuWork,
    plant: Option<Plant>,
}

impl ReadyRun {
    /// The workers to start for `concurrency`: all of them unless a plant caps them.
    pub(crate) fn workers(&self, concurrency: usize) -> usize {
        Plant::workers(self.plant, concurrency)
    }

    /// Starts the clock: call after clients and pools are built.
    pub(crate) fn start(self) -> Run {
        let dispatcher = Dispatcher::new(&self.load);
        Run {
            pool: RecorderPool::new(dispatcher.measured_window()).with_timeline(dispatcher.start()),
            dispatcher,
            targets: self.targets,
            policy: self.policy,
            cpu_work: self.cpu_work,
            planted_delay: Plant::delay(self.plant),
        }
    }
}

/// One run in progress: shared by all its workers (by reference, or in an `Arc` for tasks).
#[derive(Debug)]
pub(crate) struct Run {
    dispatcher: Dispatcher,
    pool: RecorderPool,
    targets: Vec<RequestTarget>,
    policy: ErrorPolicy,
    cpu_work: CpuWork,
    /// Zero unless a plant adds a delay to every request.
    planted_delay: Duration,
}

impl Run {
    /// Validates `workload` and parses its URLs; nothing is timed yet.
    pub(crate) fn prepare(
        workload: &Workload,
        options: &StrategyOptions,
    ) -> Result<ReadyRun, RunError> {
        workload.validate()?;
        let errors = std::sync::Arc::default();
        let targets = workload
            .urls()
            .iter()
            .map(|url| RequestTarget::parse_with(url, &workload.request, &errors))
            .collect::<Result<_, _>>()?;
        Ok(ReadyRun {
            load: workload.load.clone(),
            targets,
            policy: workload.on_error,
            cpu_work: CpuWork::new(options.cpu_work),
            plant: options.plant,
        })
    }

    /// The run's dispatcher.
    pub(crate) fn dispatcher(&self) -> &Dispatcher {
        &self.dispatcher
    }

    fn target(&self, ticket: Ticket) -> &RequestTarget {
        &self.targets[(ticket.index % self.targets.len() as u64) as usize]
    }

    /// After a response: records it, does the CPU work, and settles it with the
    /// dispatcher. Returns `true` when the worker must stop (cancel-on-error).
    fn complete(
        &self,
        recorder: &mut WorkerRecorder<'_>,
        ticket: Ticket,
        outcome: Outcome,
    ) -> bool {
        recorder.end(outcome);
        self.cpu_work.burn(ticket.index);
        self.dispatcher.settle(outcome, self.policy)
    }

    /// Collects every worker's recorder (all must have finished or been dropped), checks
    /// the accounting and adds the strategy's `extras`.
    pub(crate) fn finish(&self, extras: BTreeMap<String, f64>) -> Result<Measurement, RunError> {
        let mut measurement = Measurement::collect(&self.pool, &self.dispatcher);
        measurement
            .recorder
            .counters
            .check_accounting()
            .map_err(RunError::Accounting)?;
        measurement.extras.extend(extras);
        measurement.error_samples = self
            .targets
            .first()
            .map_or_else(Vec::new, RequestTarget::error_messages);
        Ok(measurement)
    }
}

/// One blocking worker: takes tickets until the run is over, sleeping the thread precisely
/// until an open-loop ticket's intended time, and sends each with `send`. Under cancel-on-error a
/// failure stops the dispatcher, so every blocking worker stops after its current request.
pub(crate) fn blocking_worker(run: &Run, send: impl Fn(&RequestTarget) -> Outcome) {
    let _slack = waitbench_core::pacing::SlackRestore::new();
    let mut recorder = run.pool.worker();
    while let Some(ticket) = run.dispatcher.next() {
        ticket.wait_blocking();
        recorder.begin(ticket);
        let outcome = send(run.target(ticket));
        if !run.planted_delay.is_zero() {
            std::thread::sleep(run.planted_delay);
        }
        if run.complete(&mut recorder, ticket, outcome) {
            break;
        }
    }
}

/// Runs `body` (which drives blocking workers) and turns a worker's panic into an error.
pub(crate) fn catch_worker_panic(body: impl FnOnce()) -> Result<(), RunError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(body))
        .map_err(|payload| RunError::WorkerPanicked(panic_message(payload.as_ref())))
}

/// Starts `workers` OS threads, then the run (`ready.start()`, which starts the clock),
/// then lets every thread work as a blocking worker; waits for all of them and returns
/// the run.
/// Starting thousands of threads takes a while, so it happens before the clock starts.
pub(crate) fn run_on_threads(
    workers: usize,
    ready: ReadyRun,
    send: impl Fn(&RequestTarget) -> Outcome + Sync,
) -> Result<Run, RunError> {
    // Workers block on the read side until the run exists (or the start was abandoned).
    let workers = ready.workers(workers);
    let gate: RwLock<Option<Run>> = RwLock::new(None);
    let joined = std::thread::scope(|scope| {
        let mut opening = gate.write().unwrap_or_else(|e| e.into_inner());
        let (gate, send) = (&gate, &send);
        let mut handles = Vec::with_capacity(workers);
        for index in 0..workers {
            let spawned = std::thread::Builder::new()
                .name(format!("waitbench-worker-{index}"))
                .spawn_scoped(scope, move || {
                    let run = gate.read().unwrap_or_else(|e| e.into_inner());
                    if let Some(run) = run.as_ref() {
                        blocking_worker(run, send);
                    }
                });
            match spawned {
                Ok(handle) => handles.push(handle),
                // Dropping `opening` with no run lets the started threads exit at once.
                Err(source) => {
                    return Err(RunError::SpawnThread {
                        index,
                        total: workers,
                        source,
                    });
                }
            }
        }
        *opening = Some(ready.start());
        drop(opening);
        handles.into_iter().try_for_each(|handle| {
            handle
                .join()
                .map_err(|payload| RunError::WorkerPanicked(panic_message(payload.as_ref())))
        })
    });
    joined?;
    let run = gate.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok(run.expect("the run was started before the workers were released"))
}

/// How an async worker sends one request. Implementations own (or share) their client.
pub(crate) trait AsyncSend: Send + Sync + 'static {
    /// The sender one worker uses: a handle on the shared client, or (when every worker
    /// owns its connection) a fresh, unconnected one.
    fn for_worker(&self) -> Self;

    /// Sends a GET to `target`, reads the whole body and classifies the result.
    fn send(&mut self, target: &RequestTarget) -> impl Future<Output = Outcome> + Send;
}

/// A construct that awaits a task or future per request (Python's `gather` or
/// `TaskGroup`, futures' `join_all` or `try_join_all`) needs the batch's size up front,
/// and decides itself what a failure stops: `workload` must be a wait-all batch.
/// `strategy` and `option` name what asked for it in the error.
pub(crate) fn per_request_construct(
    workload: &Workload,
    strategy: &'static str,
    option: String,
) -> Result<(), RunError> {
    let unsupported = |needs| RunError::Unsupported {
        strategy,
        option: option.clone(),
        needs,
    };
    if !matches!(workload.load, LoadModel::Batch { .. }) {
        return Err(unsupported(
            "a batch (--requests N): it makes a task or future per request",
        ));
    }
    if workload.on_error != ErrorPolicy::WaitAll {
        return Err(unsupported(
            "--on-error wait-all: what a failure stops is the construct's to decide",
        ));
    }
    Ok(())
}

/// A request of a combinator's batch failed: the error its future returns, for
/// `try_join_all` to act on (the dispatcher itself never stops such a run).
#[derive(Debug)]
pub(crate) struct Failed;

/// One request of a batch as its own future, for a combinator: takes a ticket (none left
/// is success), sends it and records it as a worker does, and fails on a failed request.
/// A future dropped while its request is in flight counts it as cancelled, as a dropped
/// worker does; one dropped before it took a ticket sent nothing.
pub(crate) async fn one_request<S: AsyncSend>(
    run: &Run,
    timer: &PreciseTimer,
    mut sender: S,
) -> Result<(), Failed> {
    let Some(ticket) = run.dispatcher.next() else {
        return Ok(());
    };
    let mut recorder = run.pool.worker();
    ticket.wait(timer).await;
    recorder.begin(ticket);
    let outcome = sender.send(run.target(ticket)).await;
    if !run.planted_delay.is_zero() {
        tokio::time::sleep(run.planted_delay).await;
    }
    run.complete(&mut recorder, ticket, outcome);
    if outcome == Outcome::Success {
        Ok(())
    } else {
        Err(Failed)
    }
}

/// The worker stopped the run (cancel-on-error): its siblings must be dropped.
#[derive(Debug)]
pub(crate) struct Stopped;

/// One async worker: the async twin of [`blocking_worker`], waiting for an open-loop
/// ticket's intended time on the run's precise `timer`, not tokio's 1 ms wheel. Returns `Err(Stopped)` when a
/// failure stops the run under cancel-on-error, so the caller can drop the siblings; a
/// dropped worker's recorder counts its in-flight request as cancelled.
pub(crate) async fn async_worker<S: AsyncSend>(
    run: std::sync::Arc<Run>,
    timer: std::sync::Arc<PreciseTimer>,
    mut sender: S,
) -> Result<(), Stopped> {
    let mut recorder = run.pool.worker();
    while let Some(ticket) = run.dispatcher.next() {
        ticket.wait(&timer).await;
        recorder.begin(ticket);
        let outcome = sender.send(run.target(ticket)).await;
        if !run.planted_delay.is_zero() {
            tokio::time::sleep(run.planted_delay).await;
        }
        if run.complete(&mut recorder, ticket, outcome) {
            return Err(Stopped);
        }
    }
    Ok(())
}
