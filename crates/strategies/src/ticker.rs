//! A 1 ms ticker task on the strategy's own runtime (claim F2): how late it wakes shows
//! whether something is blocking the runtime.
//!
//! Ticks are scheduled at fixed 1 ms steps from the start and never skipped (the
//! behaviour of `MissedTickBehavior::Burst`): after the runtime was blocked for 20 ms the
//! ticker fires the 20 overdue ticks at once, late by 20, 19, … 1 ms, so the lateness
//! distribution weighs a stall by its length. tokio's timer has 1 ms granularity, so an
//! unblocked runtime still shows up to about 1 ms of lateness.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use hdrhistogram::Histogram;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use waitbench_core::extras::{
    TICKER_LATENESS_MAX_US, TICKER_LATENESS_P50_US, TICKER_LATENESS_P99_US, TICKER_TICKS,
};

/// The ticker's period.
const PERIOD: Duration = Duration::from_millis(1);

/// Largest lateness tracked (one hour, in µs); larger values saturate.
const MAX_TRACKABLE_US: u64 = 3_600_000_000;

/// A running ticker; [`finish`](Self::finish) stops it and reports its lateness.
#[derive(Debug)]
pub(crate) struct Ticker {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<(Histogram<u64>, u64)>,
}

impl Ticker {
    /// Spawns the ticker on the current runtime (call from inside it).
    pub(crate) fn spawn() -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let handle = tokio::spawn(tick(Arc::clone(&stop)));
        Ticker { stop, handle }
    }

    /// Stops the ticker and returns `ticker_lateness_{p50,p99,max}_us` and `ticker_ticks`.
    pub(crate) async fn finish(self) -> BTreeMap<String, f64> {
        self.stop.store(true, Ordering::Relaxed);
        let Ok((lateness, ticks)) = self.handle.await else {
            return BTreeMap::new();
        };
        lateness_extras(&lateness, ticks)
    }
}

async fn tick(stop: Arc<AtomicBool>) -> (Histogram<u64>, u64) {
    let mut lateness = Histogram::new_with_bounds(1, MAX_TRACKABLE_US, 3)
        .expect("fixed bounds 1..1h with 3 significant digits are valid");
    let mut ticks = 0;
    let mut scheduled = Instant::now() + PERIOD;
    while !stop.load(Ordering::Relaxed) {
        tokio::time::sleep_until(scheduled).await;
        let late = Instant::now().saturating_duration_since(scheduled);
        lateness.saturating_record((late.as_micros() as u64).min(MAX_TRACKABLE_US));
        ticks += 1;
        scheduled += PERIOD;
    }
    (lateness, ticks)
}

fn lateness_extras(lateness: &Histogram<u64>, ticks: u64) -> BTreeMap<String, f64> {
    let mut extras = BTreeMap::new();
    if ticks > 0 {
        let us = |q: f64| lateness.value_at_quantile(q) as f64;
        extras.insert(TICKER_LATENESS_P50_US.to_string(), us(0.5));
        extras.insert(TICKER_LATENESS_P99_US.to_string(), us(0.99));
        extras.insert(TICKER_LATENESS_MAX_US.to_string(), lateness.max() as f64);
    }
    extras.insert(TICKER_TICKS.to_string(), ticks as f64);
    extras
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocking_the_runtime_makes_the_ticker_late_by_about_the_block() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let extras = runtime.block_on(async {
            let ticker = Ticker::spawn();
            tokio::time::sleep(Duration::from_millis(5)).await;
            // Blocks the only thread: the ticker cannot run for 30 ms.
            std::thread::sleep(Duration::from_millis(30));
            tokio::time::sleep(Duration::from_millis(5)).await;
            ticker.finish().await
        });
        assert!(extras[TICKER_TICKS] >= 30.0, "{extras:?}");
        assert!(extras[TICKER_LATENESS_MAX_US] >= 25_000.0, "{extras:?}");
        assert!(extras[TICKER_LATENESS_P99_US] >= 20_000.0, "{extras:?}");
    }
}
