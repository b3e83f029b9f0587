//! The request timeout of the bare-hyper workers, with one timer per worker instead of
//! one per request.
//!
//! Why not `tokio::time::timeout` around each request: it registers a timer entry in the
//! runtime's timer wheel on the request's first poll and removes it when the request
//! ends, each under the timer driver's lock. A request on loopback over HTTP/2 costs its
//! client about 4 µs, and the two wheel operations were 2–3% of that in a profile
//! (`perf record`, `hyper-tokio-h2` at four connections): a share the client's own
//! costs should not carry.
//!
//! How: each worker keeps one `Sleep`. A worker's deadlines only move forward (each is
//! its request's start plus the same timeout), so the sleep is left at an earlier
//! request's deadline; when it fires, the current request has timed out if that
//! deadline is its own, and otherwise the sleep moves to the current deadline and waits
//! again. The wheel is touched once per timeout period per worker, not twice per
//! request, and a request still fails at exactly its deadline.

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::Poll;
use std::time::Duration;

use tokio::time::{Instant, Sleep};
use waitbench_core::ErrorKind;

use crate::target::RequestTarget;

/// One worker's request timeout.
#[derive(Debug)]
pub(crate) struct RequestDeadline {
    timeout: Duration,
    /// Created on the first request, inside the runtime (a `Sleep` needs its timer).
    sleep: Option<Pin<Box<Sleep>>>,
}

impl RequestDeadline {
    /// A timeout of `timeout` for each request.
    pub(crate) fn new(timeout: Duration) -> Self {
        RequestDeadline {
            timeout,
            sleep: None,
        }
    }

    /// The timeout each request gets.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// A request to `target` that ran out of time: notes why, and is a timeout.
    pub(crate) fn expired(&self, target: &RequestTarget) -> ErrorKind {
        let timeout = self.timeout;
        target.note_error(|| format!("no whole answer within the request timeout ({timeout:?})"));
        ErrorKind::Timeout
    }

    /// Runs `request` until it ends (`Some`) or the timeout passes (`None`, and the
    /// request is dropped), the timeout counted from now.
    pub(crate) async fn within<F: Future>(&mut self, request: F) -> Option<F::Output> {
        let deadline = Instant::now() + self.timeout;
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        let mut request = pin!(request);
        poll_fn(|cx| {
            if let Poll::Ready(output) = request.as_mut().poll(cx) {
                return Poll::Ready(Some(output));
            }
            while sleep.as_mut().poll(cx).is_ready() {
                if sleep.deadline() >= deadline {
                    return Poll::Ready(None);
                }
                // An earlier request's deadline: this one's is later.
                sleep.as_mut().reset(deadline);
            }
            Poll::Pending
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paused_runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap()
    }

    #[test]
    fn a_request_that_ends_in_time_gives_its_output() {
        paused_runtime().block_on(async {
            let mut deadline = RequestDeadline::new(Duration::from_secs(1));
            let output = deadline
                .within(async {
                    tokio::time::sleep(Duration::from_millis(999)).await;
                    7
                })
                .await;
            assert_eq!(output, Some(7));
        });
    }

    #[test]
    fn a_request_past_its_timeout_is_dropped_at_the_timeout() {
        paused_runtime().block_on(async {
            let mut deadline = RequestDeadline::new(Duration::from_secs(1));
            let started = Instant::now();
            let output = deadline
                .within(tokio::time::sleep(Duration::from_secs(5)))
                .await;
            assert_eq!(output, None);
            assert_eq!(started.elapsed(), Duration::from_secs(1));
        });
    }

    #[test]
    fn each_request_gets_the_whole_timeout_from_its_own_start() {
        paused_runtime().block_on(async {
            let mut deadline = RequestDeadline::new(Duration::from_secs(1));
            // Requests of 0.6 s, each within 1 s: the timer left at the first one's
            // deadline (1 s) fires during the second, which must not fail at 1 s.
            for _ in 0..5 {
                let output = deadline
                    .within(tokio::time::sleep(Duration::from_millis(600)))
                    .await;
                assert_eq!(output, Some(()));
            }
            // Then one that takes too long fails 1 s after its own start, not earlier.
            let started = Instant::now();
            let output = deadline
                .within(tokio::time::sleep(Duration::from_secs(3)))
                .await;
            assert_eq!(output, None);
            assert_eq!(started.elapsed(), Duration::from_secs(1));
        });
    }

    #[test]
    fn a_request_after_an_idle_spell_longer_than_the_timeout_still_gets_all_of_it() {
        paused_runtime().block_on(async {
            let mut deadline = RequestDeadline::new(Duration::from_secs(1));
            assert_eq!(deadline.within(async { 1 }).await, Some(1));
            tokio::time::sleep(Duration::from_secs(10)).await;
            let output = deadline
                .within(tokio::time::sleep(Duration::from_millis(900)))
                .await;
            assert_eq!(output, Some(()));
        });
    }
}
