//! Per-connection state the request handlers reach: whether the next request is the
//! connection's first (for the connect delay), and a way to end the connection from inside
//! a handler (reset and stall faults).
//!
//! Handlers find it in a task-local that the connection's task sets while it serves
//! ([`Connection::serve`]); hyper polls a connection's handlers inside that task. A request
//! extension would carry it too, but inserting one allocates on every request (a box for
//! the value, and the extensions map itself when the request has none yet).
//!
//! HTTP/2 runs each stream's handler in a task of its own; [`StreamExecutor`] spawns
//! those inside the same scope, so the connect delay still applies to a connection's
//! first request, and a reset or stall fault ends the whole connection (a TCP RST, or a
//! close without an answer), which fails every stream on it as a dropped connection
//! does: over HTTP/2 these faults are connection errors, not stream errors. The stream
//! tasks end with their connection, so a faulted request is never left in flight.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{Notify, watch};

use crate::stats::Counters;

tokio::task_local! {
    static CURRENT: Arc<Connection>;
}

/// How a handler wants its connection to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConnectionEnd {
    /// Abort with a TCP RST (`SO_LINGER` 0, then close).
    Reset,
    /// Close normally (FIN), without answering the pending request.
    Close,
}

/// Shared between a connection's serving task and the handlers of its requests.
#[derive(Debug)]
pub(crate) struct Connection {
    first_request: AtomicBool,
    end: Mutex<Option<ConnectionEnd>>,
    ended: Notify,
}

impl Default for Connection {
    fn default() -> Self {
        Connection {
            first_request: AtomicBool::new(true),
            end: Mutex::new(None),
            ended: Notify::new(),
        }
    }
}

impl Connection {
    /// Runs `serving` (the connection's task) with `connection` as its handlers'
    /// [`Connection::current`].
    pub(crate) async fn serve<F: Future>(connection: Arc<Connection>, serving: F) -> F::Output {
        CURRENT.scope(connection, serving).await
    }

    /// The connection whose task is running; `None` outside one (e.g. a request sent
    /// with `tower::ServiceExt::oneshot`).
    pub(crate) fn current() -> Option<Arc<Connection>> {
        CURRENT.try_with(Arc::clone).ok()
    }

    /// True exactly once: for the first request on this connection.
    pub(crate) fn take_first_request(&self) -> bool {
        self.first_request.swap(false, Ordering::Relaxed)
    }

    /// Asks the serving task to end the connection `how`.
    pub(crate) fn end(&self, how: ConnectionEnd) {
        *self.end.lock().expect("no panic while holding the lock") = Some(how);
        // notify_one keeps a permit if the task is not waiting yet, so this is never lost.
        self.ended.notify_one();
    }

    /// Completes when a handler has asked to end the connection, with how.
    pub(crate) async fn ended(&self) -> ConnectionEnd {
        loop {
            self.ended.notified().await;
            if let Some(how) = *self.end.lock().expect("no panic while holding the lock") {
                return how;
            }
        }
    }
}

/// Spawns an HTTP/2 connection's stream tasks in the connection's scope (see the module
/// doc), counts them, and ends them when the connection's serving task ends.
#[derive(Clone)]
pub(crate) struct StreamExecutor {
    connection: Arc<Connection>,
    counters: Arc<Counters>,
    /// Changes (its sender drops) when the connection's serving task ends.
    gone: watch::Receiver<()>,
}

impl StreamExecutor {
    /// An executor for `connection`'s streams, and the guard whose drop ends them.
    pub(crate) fn new(
        connection: Arc<Connection>,
        counters: Arc<Counters>,
    ) -> (StreamExecutor, watch::Sender<()>) {
        let (alive, gone) = watch::channel(());
        let executor = StreamExecutor {
            connection,
            counters,
            gone,
        };
        (executor, alive)
    }
}

impl<F> hyper::rt::Executor<F> for StreamExecutor
where
    F: Future<Output = ()> + Send + 'static,
{
    fn execute(&self, stream: F) {
        self.counters.h2_stream();
        let mut gone = self.gone.clone();
        tokio::spawn(Connection::serve(
            Arc::clone(&self.connection),
            async move {
                tokio::select! {
                    () = stream => {}
                    _ = gone.changed() => {}
                }
            },
        ));
    }
}
