//! Response bodies: sent whole or paced to a bandwidth, and carrying the request's
//! in-flight guard so that a request counts as in flight until its body is sent.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Bytes;
use hyper::body::{Frame, SizeHint};
use tokio::time::{Instant, Sleep};

use crate::stats::InFlight;

/// Zeros served by `/bytes/{n}` as slices of one static buffer: no allocation per
/// request, and no resident memory beyond what the kernel maps for reading zeros.
static ZEROS: [u8; 256 * 1024] = [0; 256 * 1024];

/// What the body contains.
#[derive(Debug)]
pub(crate) enum Content {
    /// These bytes.
    Bytes(Bytes),
    /// This many zero bytes.
    Zeros(u64),
}

impl Content {
    fn len(&self) -> u64 {
        match self {
            Content::Bytes(bytes) => bytes.len() as u64,
            Content::Zeros(len) => *len,
        }
    }

    /// Up to `max` bytes from `offset` (fewer for zeros longer than the static buffer).
    fn chunk(&self, offset: u64, max: u64) -> Bytes {
        match self {
            Content::Bytes(bytes) => {
                let start = offset as usize;
                let end = (offset + max).min(bytes.len() as u64) as usize;
                bytes.slice(start..end)
            }
            Content::Zeros(len) => {
                let n = max.min(len - offset).min(ZEROS.len() as u64) as usize;
                Bytes::from_static(&ZEROS[..n])
            }
        }
    }
}

/// Paces the body so that byte `k` leaves no earlier than `start + k / rate`.
#[derive(Debug)]
struct Pace {
    bytes_per_s: u64,
    chunk: u64,
    start: Instant,
    sleep: Pin<Box<Sleep>>,
}

/// A response body with an exact length (so hyper sends `Content-Length`).
#[derive(Debug)]
pub(crate) struct ServedBody {
    content: Content,
    len: u64,
    sent: u64,
    pace: Option<Pace>,
    _in_flight: Option<InFlight>,
}

impl ServedBody {
    /// `content`, sent at `bytes_per_s` if given; `in_flight` is released once it is sent.
    pub(crate) fn new(
        content: Content,
        bytes_per_s: Option<u64>,
        in_flight: Option<InFlight>,
    ) -> Self {
        let pace = bytes_per_s.filter(|rate| *rate > 0).map(|rate| {
            let start = Instant::now();
            Pace {
                bytes_per_s: rate,
                // About one chunk every 20 ms: smooth enough, and few wake-ups.
                chunk: (rate / 50).clamp(1, 16 * 1024),
                start,
                sleep: Box::pin(tokio::time::sleep_until(start)),
            }
        });
        ServedBody {
            len: content.len(),
            content,
            sent: 0,
            pace,
            _in_flight: in_flight,
        }
    }
}

impl hyper::body::Body for ServedBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        let remaining = this.len - this.sent;
        if remaining == 0 {
            return Poll::Ready(None);
        }
        let mut max = remaining;
        if let Some(pace) = &mut this.pace {
            max = max.min(pace.chunk);
            let after = u128::from(this.sent + max);
            let nanos = after * 1_000_000_000 / u128::from(pace.bytes_per_s);
            let due = pace.start + Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX));
            if Instant::now() < due {
                pace.sleep.as_mut().reset(due);
                if pace.sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
            }
        }
        let chunk = this.content.chunk(this.sent, max);
        this.sent += chunk.len() as u64;
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.sent >= self.len
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.len - self.sent)
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;

    use super::*;

    #[tokio::test]
    async fn zeros_arrive_complete_in_static_slices() {
        let body = ServedBody::new(Content::Zeros(600_000), None, None);
        let bytes = axum::body::to_bytes(Body::new(body), usize::MAX)
            .await
            .unwrap();
        assert_eq!(bytes.len(), 600_000);
        assert!(bytes.iter().all(|b| *b == 0));
    }

    #[tokio::test]
    async fn paced_body_takes_at_least_its_size_over_the_rate() {
        let start = std::time::Instant::now();
        let content = Content::Bytes(Bytes::from(vec![7u8; 10_000]));
        let body = ServedBody::new(content, Some(100_000), None);
        let bytes = axum::body::to_bytes(Body::new(body), usize::MAX)
            .await
            .unwrap();
        assert_eq!(bytes.len(), 10_000);
        assert!(start.elapsed() >= Duration::from_millis(100));
    }
}
