//! Per-connection state the request handlers reach through a request extension: whether
//! the next request is the connection's first (for the connect delay), and a way to end
//! the connection from inside a handler (reset and stall faults).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

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
