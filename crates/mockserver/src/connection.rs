//! Per-connection state the request handlers reach: whether the next request is the
//! connection's first (for the connect delay), and a way to end the connection from inside
//! a handler (reset and stall faults).
//!
//! Handlers find it in a task-local that the connection's task sets while it serves
//! ([`Connection::serve`]); hyper polls a connection's handlers inside that task. A request
//! extension would carry it too, but inserting one allocates on every request (a box for
//! the value, and the extensions map itself when the request has none yet).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

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
