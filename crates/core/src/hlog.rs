//! HdrHistogram's interval log (`.hlog`): one histogram per second of a run, in the format
//! of Java's `HistogramLogWriter`, so that HistogramLogAnalyzer, `HistogramLogProcessor`
//! and the other implementations' readers plot it.
//!
//! Timestamps are offsets from the run's start (the log's `BaseTime`), which is also its
//! `StartTime`; every interval is one second long and its values are microseconds (the
//! max column is in milliseconds, as the Java tools expect). The histograms keep
//! [`TIMELINE_SIGNIFICANT_DIGITS`](crate::timeline::TIMELINE_SIGNIFICANT_DIGITS) digits.

use std::io::Write;
use std::time::Duration;

use hdrhistogram::serialization::V2DeflateSerializer;
use hdrhistogram::serialization::interval_log::IntervalLogWriterBuilder;

use crate::timeline::Timeline;

/// The max column's unit: values are µs, the column is ms.
const MAX_VALUE_DIVISOR: f64 = 1000.0;

/// Writes `timeline` as an interval log, with `comment` (e.g. the command line) first.
pub fn write_hlog<W: Write>(
    timeline: &Timeline,
    comment: &str,
    out: &mut W,
) -> std::io::Result<()> {
    let mut serializer = V2DeflateSerializer::new();
    let mut log = IntervalLogWriterBuilder::new()
        .add_comment(comment)
        .add_comment("Histogram values in microseconds; one interval per second, warm-up included")
        .with_start_time(timeline.started_at)
        .with_base_time(timeline.started_at)
        .with_max_value_divisor(MAX_VALUE_DIVISOR)
        .begin_log_with(out, &mut serializer)?;
    log.write_comment(
        "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"",
    )?;
    for (second, histogram) in timeline.seconds.iter().enumerate() {
        log.write_histogram(
            histogram,
            Duration::from_secs(second as u64),
            Duration::from_secs(1),
            None,
        )
        .map_err(std::io::Error::other)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use hdrhistogram::Histogram;
    use hdrhistogram::serialization::Deserializer;
    use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};

    use super::*;

    #[test]
    fn an_interval_log_round_trips_through_the_crates_reader() {
        let mut timeline = Timeline {
            started_at: std::time::UNIX_EPOCH + Duration::from_millis(1_764_554_400_250),
            warmup: Duration::from_secs(1),
            ..Timeline::default()
        };
        for (second, values) in [(0, &[900u64, 1_100][..]), (2, &[20_000, 21_000, 250_000])] {
            for &v in values {
                timeline.record(second, v);
            }
        }
        let mut text = Vec::new();
        write_hlog(&timeline, "waitbench run -s hyper-tokio", &mut text).unwrap();

        let mut intervals: Vec<(Duration, Duration, f64, Histogram<u32>)> = Vec::new();
        let mut times = Vec::new();
        for entry in IntervalLogIterator::new(&text) {
            match entry.expect("every line parses") {
                LogEntry::StartTime(t) | LogEntry::BaseTime(t) => times.push(t),
                LogEntry::Interval(i) => {
                    let bytes = base64_decode(i.encoded_histogram());
                    let h: Histogram<u32> = Deserializer::new()
                        .deserialize(&mut bytes.as_slice())
                        .unwrap();
                    intervals.push((i.start_timestamp(), i.duration(), i.max(), h));
                }
            }
        }
        assert_eq!(times, [Duration::from_millis(1_764_554_400_250); 2]);
        assert_eq!(
            intervals.len(),
            3,
            "one interval per second, empty ones too"
        );
        for (i, (start, length, _, h)) in intervals.iter().enumerate() {
            assert_eq!(*start, Duration::from_secs(i as u64));
            assert_eq!(*length, Duration::from_secs(1));
            assert_eq!(h, &timeline.seconds[i]);
        }
        // The max column is in milliseconds.
        let max_ms = intervals[2].2;
        assert!((max_ms - timeline.seconds[2].max() as f64 / 1000.0).abs() < 1e-3);
    }

    fn base64_decode(text: &str) -> Vec<u8> {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap()
    }
}
