//! Client resource sampling: CPU from `getrusage`, memory and threads from
//! `/proc/self/status`, sampled on a background thread while a run is under way.
//!
//! `/proc` is Linux's: elsewhere memory and threads are `None`, which results show as
//! "unavailable". A 0 would read as a measurement, and claim E would judge it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often memory and threads are sampled during a run.
pub const SAMPLE_INTERVAL: Duration = Duration::from_millis(10);

/// What the process used during one run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ResourceUsage {
    /// User CPU of the whole process during the run.
    pub cpu_user: Duration,
    /// System CPU of the whole process during the run.
    pub cpu_sys: Duration,
    /// Memory and threads; `None` where they cannot be read (no `/proc`: not Linux).
    pub memory: Option<MemoryUsage>,
    /// Number of memory samples taken.
    pub samples: usize,
}

/// Memory and threads of the process during one run, from `/proc/self/status`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoryUsage {
    /// Resident memory just before the run, in bytes.
    pub rss_baseline_bytes: u64,
    /// Highest resident memory sampled during the run.
    pub rss_peak_bytes: u64,
    /// Median resident memory over the middle half of the run (the steady state).
    pub rss_steady_bytes: u64,
    /// Virtual memory just before the run.
    pub vm_baseline_bytes: u64,
    /// Highest virtual memory sampled during the run.
    pub vm_peak_bytes: u64,
    /// Median virtual memory over the middle half of the run.
    pub vm_steady_bytes: u64,
    /// Threads just before the run.
    pub threads_baseline: u64,
    /// Most threads sampled during the run (the sampler's own thread not counted).
    pub threads_peak: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Snapshot {
    rss: u64,
    vm: u64,
    threads: u64,
}

/// The process's memory and threads now; `None` where `/proc` cannot be read.
fn snapshot() -> Option<Snapshot> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .map(|status| parse_status(&status))
}

/// Reads `VmRSS`, `VmSize` (in KiB) and `Threads` from `/proc/self/status` text.
fn parse_status(status: &str) -> Snapshot {
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    };
    Snapshot {
        rss: field("VmRSS:") * 1024,
        vm: field("VmSize:") * 1024,
        threads: field("Threads:"),
    }
}

/// Hands memory freed by earlier runs back to the kernel, so that a run's baseline RSS
/// is what is live now: glibc keeps freed memory in its arenas, and without this a run
/// after a larger one shows less growth than it causes.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns unused allocator memory to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Process CPU time so far as (user, system).
pub fn process_cpu() -> (Duration, Duration) {
    // SAFETY: zeroed rusage is a valid value; getrusage fills the struct we own.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_SELF is valid and `usage` is a live, writable rusage.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return (Duration::ZERO, Duration::ZERO);
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (tv(usage.ru_utime), tv(usage.ru_stime))
}

/// Samples the process while a run is under way; [`stop`](Self::stop) returns the usage.
#[derive(Debug)]
pub struct ResourceSampler {
    /// `None` where memory cannot be read: then no sampling thread runs either.
    baseline: Option<Snapshot>,
    cpu_start: (Duration, Duration),
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Vec<Snapshot>>>,
}

impl ResourceSampler {
    /// Takes the baseline and starts sampling every [`SAMPLE_INTERVAL`].
    pub fn start() -> Self {
        release_freed_memory();
        let baseline = snapshot();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = baseline.and_then(|_| {
            std::thread::Builder::new()
                .name("waitbench-sampler".into())
                .spawn(move || {
                    let mut samples = Vec::with_capacity(4096);
                    while !flag.load(Ordering::Relaxed) {
                        samples.extend(snapshot());
                        std::thread::sleep(SAMPLE_INTERVAL);
                    }
                    samples.extend(snapshot());
                    samples
                })
                .ok()
        });
        ResourceSampler {
            baseline,
            cpu_start: process_cpu(),
            stop,
            thread,
        }
    }

    /// Stops sampling and summarises.
    pub fn stop(mut self) -> ResourceUsage {
        let cpu_end = process_cpu();
        self.stop.store(true, Ordering::Relaxed);
        let samples = self
            .thread
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default();
        ResourceUsage {
            cpu_user: cpu_end.0.saturating_sub(self.cpu_start.0),
            cpu_sys: cpu_end.1.saturating_sub(self.cpu_start.1),
            memory: self.baseline.map(|baseline| summarise(baseline, &samples)),
            samples: samples.len(),
        }
    }
}

/// Peak and steady state of `samples` (taken on the sampler's thread) beside `baseline`
/// (taken before that thread started); without samples, the baseline stands for both.
fn summarise(baseline: Snapshot, samples: &[Snapshot]) -> MemoryUsage {
    let steady = |pick: fn(&Snapshot) -> u64| -> u64 {
        let n = samples.len();
        if n == 0 {
            return pick(&baseline);
        }
        let mut middle: Vec<u64> = samples[n / 4..(3 * n / 4).max(n / 4 + 1).min(n)]
            .iter()
            .map(pick)
            .collect();
        middle.sort_unstable();
        middle[middle.len() / 2]
    };
    let peak = |pick: fn(&Snapshot) -> u64| samples.iter().map(pick).max();
    MemoryUsage {
        rss_baseline_bytes: baseline.rss,
        rss_peak_bytes: peak(|s| s.rss).unwrap_or(baseline.rss),
        rss_steady_bytes: steady(|s| s.rss),
        vm_baseline_bytes: baseline.vm,
        vm_peak_bytes: peak(|s| s.vm).unwrap_or(baseline.vm),
        vm_steady_bytes: steady(|s| s.vm),
        threads_baseline: baseline.threads,
        // Every sample counts the sampler's own thread; the baseline came before it.
        threads_peak: peak(|s| s.threads.saturating_sub(1)).unwrap_or(baseline.threads),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampler_sees_memory_and_the_threads_a_run_starts() {
        let _serial = crate::THREAD_COUNTING
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let sampler = ResourceSampler::start();
        // 8 threads, of which the peak must show at least 4: the test harness runs other
        // tests on threads of the same process, and one that ends after the baseline
        // lowers every later count.
        let handles: Vec<_> = (0..8)
            .map(|_| std::thread::spawn(|| std::thread::sleep(Duration::from_millis(60))))
            .collect();
        std::thread::sleep(Duration::from_millis(30));
        for h in handles {
            h.join().unwrap();
        }
        let usage = sampler.stop();
        if cfg!(target_os = "linux") {
            let memory = usage.memory.expect("Linux has /proc/self/status");
            assert!(memory.rss_peak_bytes > 0);
            assert!(memory.threads_peak >= memory.threads_baseline + 4);
            assert!(usage.samples >= 2);
        } else {
            assert_eq!(usage.memory, None);
            assert_eq!(usage.samples, 0);
        }
    }

    #[test]
    fn status_fields_are_read_in_bytes_and_threads() {
        let status = "Name:\twaitbench\nVmSize:\t  204800 kB\nVmRSS:\t    8192 kB\nThreads:\t7\n";
        assert_eq!(
            parse_status(status),
            Snapshot {
                rss: 8192 * 1024,
                vm: 204_800 * 1024,
                threads: 7,
            }
        );
    }

    #[test]
    fn the_sampler_thread_is_not_counted_but_the_baseline_is_as_read() {
        let at = |rss, threads| Snapshot {
            rss,
            vm: 10 * rss,
            threads,
        };
        let baseline = at(100, 3);
        // Four samples; the steady state is the median of the middle half.
        let samples = [at(100, 4), at(300, 9), at(200, 9), at(120, 4)];
        let memory = summarise(baseline, &samples);
        assert_eq!(memory.threads_baseline, 3);
        assert_eq!(memory.threads_peak, 8);
        assert_eq!(memory.rss_peak_bytes, 300);
        assert_eq!(memory.rss_steady_bytes, 300);
        assert_eq!(memory.vm_peak_bytes, 3000);
    }

    #[test]
    fn without_samples_the_baseline_stands_for_peak_and_steady_state() {
        let baseline = Snapshot {
            rss: 100,
            vm: 1000,
            threads: 3,
        };
        let memory = summarise(baseline, &[]);
        assert_eq!(memory.rss_steady_bytes, 100);
        assert_eq!(memory.rss_peak_bytes, 100);
        assert_eq!(memory.threads_peak, 3);
    }
}
