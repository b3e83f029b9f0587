//! CPU-bound response handling (claim F1): after each response a worker burns a fixed
//! amount of *its own thread's* CPU time, measured with `CLOCK_THREAD_CPUTIME_ID`.
//!
//! Measuring the thread's CPU clock rather than wall time matters: on a busy machine a
//! wall-clock spin would end early whenever the thread is descheduled, so every strategy
//! would seem to pay less than asked. With the CPU clock each response costs the same
//! CPU everywhere, and what differs is only where that CPU runs — inline on a tokio
//! worker (blocking it), on one of rayon's threads, or on the one sequential thread.

use std::hint::black_box;
use std::time::Duration;

/// Bytes hashed between two reads of the CPU clock: ~1–4 µs of work, so the clock's own
/// cost (a syscall) stays small and the overshoot stays in the microseconds.
const BLOCK: usize = 2048;

/// The CPU time used so far by the calling thread.
pub(crate) fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: CLOCK_THREAD_CPUTIME_ID is a valid clock and `ts` is a live, writable timespec.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// A fixed CPU cost per response; zero does nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct CpuWork {
    budget: Duration,
}

impl CpuWork {
    /// Burns `budget` of thread CPU time per call.
    pub(crate) fn new(budget: Duration) -> Self {
        CpuWork { budget }
    }

    /// Burns the budget on the calling thread by hashing a block seeded with `seed` (a
    /// stand-in for parsing the response) and returns the digest.
    pub(crate) fn burn(&self, seed: u64) -> u64 {
        if self.budget.is_zero() {
            return seed;
        }
        let start = thread_cpu_time();
        let mut block = [0u8; BLOCK];
        for (i, byte) in block.iter_mut().enumerate() {
            *byte = (seed as usize).wrapping_add(i) as u8;
        }
        let mut digest = 0xcbf2_9ce4_8422_2325_u64 ^ seed;
        loop {
            // FNV-1a: cheap, sequential and impossible for the optimiser to skip.
            for &byte in black_box(&block).iter() {
                digest = (digest ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
            }
            block[digest as usize % BLOCK] ^= digest as u8;
            if thread_cpu_time().saturating_sub(start) >= self.budget {
                return black_box(digest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn burn_uses_at_least_the_budget_of_thread_cpu() {
        let work = CpuWork::new(Duration::from_millis(5));
        let cpu_before = thread_cpu_time();
        let wall_before = Instant::now();
        work.burn(7);
        let cpu = thread_cpu_time() - cpu_before;
        assert!(cpu >= Duration::from_millis(5), "burnt {cpu:?}");
        assert!(wall_before.elapsed() >= Duration::from_millis(5));
        assert!(cpu < Duration::from_millis(50), "overshoot {cpu:?}");
    }

    #[test]
    fn zero_budget_costs_nothing() {
        let cpu_before = thread_cpu_time();
        assert_eq!(CpuWork::default().burn(3), 3);
        assert!(thread_cpu_time() - cpu_before < Duration::from_millis(1));
    }
}
