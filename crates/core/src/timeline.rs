//! A run second by second: one latency histogram per second of the run, warm-up included.
//!
//! A whole-run histogram hides *when* things happened: a server pause, the first seconds
//! of a cold pool, a run that slows down as it goes. The per-second histograms show them,
//! as a chart of throughput and p99 per second, and as HdrHistogram's interval log
//! (`waitbench run --hlog`), which its own tools plot.
//!
//! The recorder's workers do not hold these histograms: they stamp each buffered sample
//! with the second it finished in, and the pool's shards, which already take the samples
//! 32 at a time, record it into that second's histogram. A shard allocates a histogram
//! when its first sample of a new second arrives, so at most once per second per shard,
//! never per request. They keep 2 significant digits (1% resolution) and 32-bit counts,
//! about 13 KiB each rather than 180 KiB at 3 digits and 64 bits: enough for a
//! per-second p99, and small enough that a minute-long run adds about 1.6 MiB (two
//! shards), not the 20 MiB that would show in claim E. The timeline stops after
//! [`MAX_TIMELINE_SECONDS`] (about 47 MiB per shard by then): a longer run's timeline
//! ends at its one-hour mark, while its whole-run histograms cover it all as always.

use std::time::{Duration, SystemTime};

use hdrhistogram::Histogram;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::recorder::MAX_TRACKABLE_US;

/// Significant digits of the per-second histograms.
pub const TIMELINE_SIGNIFICANT_DIGITS: u8 = 2;

/// Seconds a timeline keeps (one hour); later requests are in the run's histograms only.
pub const MAX_TIMELINE_SECONDS: usize = 3600;

/// An empty per-second histogram.
pub fn second_histogram() -> Histogram<u32> {
    Histogram::new_with_bounds(1, MAX_TRACKABLE_US, TIMELINE_SIGNIFICANT_DIGITS)
        .expect("fixed bounds 1..1h with 2 significant digits are valid")
}

/// One run's per-second latency histograms.
#[derive(Debug, Clone)]
pub struct Timeline {
    /// Wall-clock time when the run started (the interval log's StartTime).
    pub started_at: SystemTime,
    /// How long after the start the measured window opened (the warm-up).
    pub warmup: Duration,
    /// `seconds[i]`: latencies, in microseconds, of the requests that finished in second
    /// `i` after the start, warm-up or not.
    pub seconds: Vec<Histogram<u32>>,
}

impl Default for Timeline {
    fn default() -> Self {
        Timeline {
            started_at: SystemTime::UNIX_EPOCH,
            warmup: Duration::ZERO,
            seconds: Vec::new(),
        }
    }
}

impl Timeline {
    /// Records a latency into second `second`, adding the seconds up to it if needed;
    /// a second past [`MAX_TIMELINE_SECONDS`] is not kept.
    pub fn record(&mut self, second: usize, latency_us: u64) {
        if second >= MAX_TIMELINE_SECONDS {
            return;
        }
        if self.seconds.len() <= second {
            self.seconds.resize_with(second + 1, second_histogram);
        }
        self.seconds[second].saturating_record(latency_us);
    }

    /// Adds another part of the same run (another shard) into this one.
    pub fn merge(&mut self, other: &Timeline) {
        if self.seconds.len() < other.seconds.len() {
            self.seconds
                .resize_with(other.seconds.len(), second_histogram);
        }
        for (mine, theirs) in self.seconds.iter_mut().zip(&other.seconds) {
            mine.add(theirs)
                .expect("per-second histograms share the same bounds");
        }
    }

    /// The per-second figures results keep.
    pub fn summary(&self) -> Vec<TimelineSecond> {
        self.seconds
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let empty = h.is_empty();
                let q = |quantile: f64| {
                    if empty {
                        0.0
                    } else {
                        h.value_at_quantile(quantile) as f64
                    }
                };
                TimelineSecond {
                    second: i as u32,
                    completed: h.len(),
                    p50_us: q(0.5),
                    p99_us: q(0.99),
                    max_us: if empty { 0.0 } else { h.max() as f64 },
                    warmup: Duration::from_secs(i as u64) < self.warmup,
                }
            })
            .collect()
    }
}

/// One second of a run: how many requests finished in it and how long they took.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TimelineSecond {
    /// Seconds from the start of the run (warm-up included) to the start of this second.
    pub second: u32,
    /// Requests that finished in this second, whatever their outcome. The last second of
    /// a run is partial, so its count is not a rate.
    pub completed: u64,
    /// Median latency of those requests, µs (0 when none finished).
    pub p50_us: f64,
    /// Their 99th percentile, µs.
    pub p99_us: f64,
    /// Their largest latency, µs.
    pub max_us: f64,
    /// Whether this second began during the warm-up (before the measured window).
    pub warmup: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeline_stops_at_its_last_second_instead_of_growing_without_end() {
        let mut t = Timeline::default();
        t.record(MAX_TIMELINE_SECONDS - 1, 1_000);
        t.record(MAX_TIMELINE_SECONDS, 1_000);
        t.record(usize::from(u16::MAX), 1_000);
        assert_eq!(t.seconds.len(), MAX_TIMELINE_SECONDS);
        assert_eq!(t.seconds.iter().map(Histogram::len).sum::<u64>(), 1);
    }

    #[test]
    fn seconds_are_added_as_samples_reach_them_and_shards_merge_by_second() {
        let mut a = Timeline {
            warmup: Duration::from_secs(1),
            ..Timeline::default()
        };
        a.record(0, 1_000);
        a.record(2, 5_000);
        let mut b = Timeline::default();
        b.record(2, 7_000);
        b.record(3, 9_000);
        a.merge(&b);
        let summary = a.summary();
        assert_eq!(
            summary.iter().map(|s| s.completed).collect::<Vec<_>>(),
            [1, 0, 2, 1]
        );
        assert_eq!(
            summary.iter().map(|s| s.warmup).collect::<Vec<_>>(),
            [true, false, false, false]
        );
        assert_eq!(summary[1].p99_us, 0.0);
        assert!((summary[3].p99_us - 9_000.0).abs() <= 90.0);
    }
}
