//! The record stream a Python client writes, and its replay into core's recorder.
//!
//! Every frame is 40 bytes, little-endian, the layout of `FRAME` in `harness.py`:
//! tag (u8), outcome kind (u8), HTTP status (u16), 4 bytes of padding, request index
//! (u64), intended, sent and ended times (i64 nanoseconds on CLOCK_MONOTONIC; -1 for no
//! intended time). A stream is `READY`, `START` (its sent time is the clock's start),
//! the `RECORD`s, `END`, then a JSON object of the run's own figures and its first error
//! messages. Fixed-size frames keep the Python side to one `struct.pack_into` per
//! request and this side free of allocation per request.

use std::io::Read;
use std::time::{Duration, Instant};

use waitbench_core::{ErrorKind, LoadModel, Outcome, Recorder, Ticket, Window};

/// Bytes per frame.
pub(crate) const FRAME_BYTES: usize = 40;

/// What a frame announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    /// One finished request.
    Record,
    /// The client exists; the child waits for `go`.
    Ready,
    /// The clock started (at the frame's sent time).
    Start,
    /// No more records; the run's figures follow as JSON.
    End,
}

/// One decoded frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Frame {
    pub(crate) tag: Tag,
    pub(crate) outcome: Outcome,
    pub(crate) index: u64,
    pub(crate) intended_ns: Option<i64>,
    pub(crate) sent_ns: i64,
    pub(crate) ended_ns: i64,
}

/// A frame that does not decode: the child and this binary disagree on the protocol.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad frame: {0}")]
pub(crate) struct BadFrame(String);

impl Frame {
    /// Decodes one frame.
    pub(crate) fn decode(bytes: &[u8; FRAME_BYTES]) -> Result<Frame, BadFrame> {
        let u64_at =
            |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes in range"));
        let i64_at = |at: usize| u64_at(at) as i64;
        let tag = match bytes[0] {
            0 => Tag::Record,
            1 => Tag::Ready,
            2 => Tag::Start,
            3 => Tag::End,
            other => return Err(BadFrame(format!("unknown tag {other}"))),
        };
        let status = u16::from_le_bytes([bytes[2], bytes[3]]);
        let outcome = match bytes[1] {
            0 => Outcome::from_status(status),
            kind => ErrorKind::ALL
                .get(usize::from(kind) - 1)
                .map(|k| Outcome::Error(*k))
                .ok_or_else(|| BadFrame(format!("unknown outcome kind {kind}")))?,
        };
        let intended = i64_at(16);
        Ok(Frame {
            tag,
            outcome,
            index: u64_at(8),
            intended_ns: (intended >= 0).then_some(intended),
            sent_ns: i64_at(24),
            ended_ns: i64_at(32),
        })
    }
}

/// Converts CLOCK_MONOTONIC nanoseconds into [`Instant`]s. On Linux `Instant` reads the
/// same clock, so the conversion only adds the few nanoseconds between two reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    anchor: Instant,
    anchor_ns: i64,
}

impl Clock {
    /// Anchors the conversion now.
    pub(crate) fn now() -> Clock {
        let anchor = Instant::now();
        Clock {
            anchor,
            anchor_ns: monotonic_ns(),
        }
    }

    /// The instant of `ns` on CLOCK_MONOTONIC.
    pub(crate) fn instant(&self, ns: i64) -> Instant {
        let delta = ns - self.anchor_ns;
        let magnitude = Duration::from_nanos(delta.unsigned_abs());
        if delta >= 0 {
            self.anchor + magnitude
        } else {
            self.anchor.checked_sub(magnitude).unwrap_or(self.anchor)
        }
    }
}

/// CLOCK_MONOTONIC now, in nanoseconds (Python's `time.monotonic_ns()`).
pub(crate) fn monotonic_ns() -> i64 {
    // SAFETY: a zeroed timespec is valid and clock_gettime fills the one we own.
    let mut now: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: CLOCK_MONOTONIC is always available and `now` is writable.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    now.tv_sec * 1_000_000_000 + now.tv_nsec
}

/// Reads frames from a child's stdout.
pub(crate) struct FrameReader<R> {
    input: R,
}

impl<R: Read> FrameReader<R> {
    /// Frames from `input`.
    pub(crate) fn new(input: R) -> Self {
        FrameReader { input }
    }

    /// The next frame, or `None` at the end of the stream.
    pub(crate) fn next_frame(&mut self) -> Result<Option<Frame>, BadFrame> {
        let mut bytes = [0u8; FRAME_BYTES];
        let mut filled = 0;
        while filled < FRAME_BYTES {
            match self.input.read(&mut bytes[filled..]) {
                Ok(0) if filled == 0 => return Ok(None),
                Ok(0) => {
                    return Err(BadFrame(format!(
                        "stream ends inside a frame ({filled} bytes)"
                    )));
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(BadFrame(format!("reading the stream: {e}"))),
            }
        }
        Frame::decode(&bytes).map(Some)
    }

    /// The next frame, which must be `tag`.
    pub(crate) fn expect(&mut self, tag: Tag) -> Result<Frame, BadFrame> {
        match self.next_frame()? {
            Some(frame) if frame.tag == tag => Ok(frame),
            Some(frame) => Err(BadFrame(format!("expected {tag:?}, got {:?}", frame.tag))),
            None => Err(BadFrame(format!("stream ended before {tag:?}"))),
        }
    }

    /// Everything after the last frame (the run's JSON figures).
    pub(crate) fn rest(mut self) -> Result<String, BadFrame> {
        let mut text = String::new();
        self.input
            .read_to_string(&mut text)
            .map_err(|e| BadFrame(format!("reading the run's figures: {e}")))?;
        Ok(text)
    }
}

/// Replays records into a recorder: the ticket each request had, rebuilt from its times
/// by the dispatcher's rules (a batch records everything; a closed loop what was sent
/// inside the window; an open loop what was meant to be sent inside it).
pub(crate) struct Replay<'a> {
    load: &'a LoadModel,
    window: Window,
    clock: Clock,
    pub(crate) recorder: Recorder,
}

impl<'a> Replay<'a> {
    /// A replay for a run of `load` whose clock started at `start_ns`.
    pub(crate) fn new(load: &'a LoadModel, clock: Clock, start_ns: i64) -> Self {
        let window = Window::of(load, clock.instant(start_ns));
        Replay {
            load,
            window,
            clock,
            recorder: Recorder::with_window(window),
        }
    }

    /// The measured window.
    pub(crate) fn window(&self) -> Window {
        self.window
    }

    /// Records one request.
    pub(crate) fn record(&mut self, frame: &Frame) {
        let sent = self.clock.instant(frame.sent_ns);
        let intended = frame.intended_ns.map(|ns| self.clock.instant(ns));
        let recorded = match self.load {
            LoadModel::Batch { .. } => true,
            LoadModel::ClosedLoop { .. } => sent >= self.window.start,
            LoadModel::OpenLoop { .. } => intended.unwrap_or(sent) >= self.window.start,
        };
        // The child does not say when a worker took the request, so its whole
        // lateness counts as send lag: the conservative reading.
        let ticket = Ticket {
            index: frame.index,
            intended,
            taken: None,
            recorded,
        };
        self.recorder.replay(
            ticket,
            sent,
            self.clock.instant(frame.ended_ns),
            frame.outcome,
        );
    }
}

/// Reads records up to `END` into `replay`; returns the run's JSON figures.
pub(crate) fn ingest<R: Read>(
    mut frames: FrameReader<R>,
    replay: &mut Replay<'_>,
) -> Result<String, BadFrame> {
    loop {
        match frames.next_frame()? {
            Some(frame) if frame.tag == Tag::Record => replay.record(&frame),
            Some(frame) if frame.tag == Tag::End => return frames.rest(),
            Some(frame) => return Err(BadFrame(format!("unexpected {:?} frame", frame.tag))),
            None => return Err(BadFrame("stream ended before End".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(tag: u8, kind: u8, status: u16, index: u64, times: [i64; 3]) -> [u8; FRAME_BYTES] {
        let mut bytes = [0u8; FRAME_BYTES];
        bytes[0] = tag;
        bytes[1] = kind;
        bytes[2..4].copy_from_slice(&status.to_le_bytes());
        bytes[8..16].copy_from_slice(&index.to_le_bytes());
        for (i, t) in times.iter().enumerate() {
            bytes[16 + 8 * i..24 + 8 * i].copy_from_slice(&t.to_le_bytes());
        }
        bytes
    }

    #[test]
    fn outcome_kinds_decode_in_core_order_and_statuses_by_class() {
        let decode = |kind, status| Frame::decode(&frame(0, kind, status, 0, [-1, 1, 2])).unwrap();
        assert_eq!(decode(0, 200).outcome, Outcome::Success);
        assert_eq!(decode(0, 503).outcome, Outcome::HttpStatus(503));
        for (i, kind) in ErrorKind::ALL.iter().enumerate() {
            assert_eq!(decode(i as u8 + 1, 0).outcome, Outcome::Error(*kind));
        }
        assert!(Frame::decode(&frame(0, 9, 0, 0, [-1, 1, 2])).is_err());
        assert!(Frame::decode(&frame(7, 0, 200, 0, [-1, 1, 2])).is_err());
        assert_eq!(decode(0, 200).intended_ns, None);
    }

    #[test]
    fn the_clock_maps_monotonic_nanoseconds_onto_instants() {
        let clock = Clock::now();
        let before = Instant::now();
        let ns = monotonic_ns();
        let after = Instant::now();
        let at = clock.instant(ns);
        // Same clock: the converted read lies between the two Instant reads (to 1 µs).
        assert!(at + Duration::from_micros(1) >= before && at <= after + Duration::from_micros(1));
        assert_eq!(
            clock.instant(ns + 5_000) - clock.instant(ns),
            Duration::from_micros(5)
        );
    }

    /// A stream recorded from `py-aiohttp` (24 requests at C = 4 to a waitbench server
    /// with 5 ms latency and `fail=0.25:503`), replayed as a run would.
    #[test]
    fn a_recorded_python_stream_replays_into_the_same_counts_and_histograms() {
        let stream = include_bytes!("../../tests/fixtures/py-aiohttp-batch.frames");
        let load = LoadModel::Batch {
            requests: 24,
            concurrency: 4,
        };
        let mut frames = FrameReader::new(&stream[..]);
        frames.expect(Tag::Ready).unwrap();
        let start = frames.expect(Tag::Start).unwrap();
        let mut replay = Replay::new(&load, Clock::now(), start.sent_ns);
        let figures = ingest(frames, &mut replay).unwrap();
        let counters = &replay.recorder.counters;
        assert_eq!((counters.sent, counters.ok), (24, 15));
        assert_eq!(counters.statuses, vec![(503, 9)]);
        assert_eq!(counters.error_total(), 0);
        counters.check_accounting().unwrap();
        let latency = &replay.recorder.latency;
        assert_eq!(latency.len(), 24);
        assert!(
            latency.min() >= latency.lowest_equivalent(5_000),
            "{}",
            latency.min()
        );
        // Four workers were busy for most of the batch.
        let window = replay.window();
        let last = counters.last_finish.unwrap();
        let in_flight =
            counters.busy_in_window.as_secs_f64() / last.duration_since(window.start).as_secs_f64();
        assert!(in_flight > 1.0 && in_flight <= 4.0, "{in_flight}");
        assert_eq!(figures, r#"{"issued_after_first_failure": 17}"#);
    }

    #[test]
    fn a_truncated_stream_is_an_error_not_an_end() {
        let mut bytes = frame(0, 0, 200, 0, [-1, 1, 2]).to_vec();
        bytes.truncate(30);
        assert!(FrameReader::new(&bytes[..]).next_frame().is_err());
        assert_eq!(FrameReader::new(&[][..]).next_frame(), Ok(None));
    }
}
