//! Little's law predictions: what a run *should* achieve if C requests are really in
//! flight, so that every measured number can be set beside its bound.
//!
//! In a closed system with C requests in flight, each taking L, throughput X = C / L.
//! A pool of P workers doing N requests of latency L needs ceil(N / P) waves of L.

use std::time::Duration;

/// Throughput bound in requests per second with `in_flight` requests each lasting
/// `latency`; `None` when latency is zero (the bound is then the CPU, not waiting).
pub fn throughput_bound(in_flight: usize, latency: Duration) -> Option<f64> {
    (!latency.is_zero()).then(|| in_flight as f64 / latency.as_secs_f64())
}

/// Time a batch of `requests` takes with `in_flight` workers at fixed `latency`:
/// the requests finish in ceil(N / P) waves.
pub fn batch_time(requests: u64, in_flight: usize, latency: Duration) -> Duration {
    let in_flight = in_flight.max(1) as u64;
    let waves = requests.div_ceil(in_flight);
    latency.mul_f64(waves as f64)
}

/// Saving from reusing connections when each new one costs `setup` on top of `latency`:
/// setup / (setup + latency).
pub fn reuse_saving(setup: Duration, latency: Duration) -> f64 {
    let total = (setup + latency).as_secs_f64();
    if total == 0.0 {
        0.0
    } else {
        setup.as_secs_f64() / total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bound_is_concurrency_over_latency() {
        assert_eq!(
            throughput_bound(1000, Duration::from_millis(50)),
            Some(20_000.0)
        );
        assert_eq!(throughput_bound(10, Duration::ZERO), None);
    }

    #[test]
    fn a_pool_finishes_in_waves() {
        let l = Duration::from_millis(480);
        assert_eq!(batch_time(500, 1, l), l * 500);
        assert_eq!(batch_time(500, 100, l), l * 5);
        assert_eq!(batch_time(500, 13, l), l * 39);
        assert_eq!(batch_time(500, 1000, l), l);
    }

    #[test]
    fn reuse_saving_is_setup_share() {
        let s = reuse_saving(Duration::from_millis(10), Duration::from_millis(10));
        assert!((s - 0.5).abs() < 1e-12);
    }
}
