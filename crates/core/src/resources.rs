//! Client resource sampling: CPU from `getrusage`, memory and threads from
//! `/proc/self/status`, sampled on a background thread while a run is under way.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often memory and threads are sampled during a run.
pub const SAMPLE_INTERVAL: Duration = Duration::from_millis(10);

/// What the process used during one run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ResourceUsage {
    /// User CPU of the whole process during the run.
    pub cpu_user: Duration,
    /// System CPU of the whole process during the run.
    pub cpu_sys: Duration,
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
    /// Most threads sampled during the run.
    pub threads_peak: u64,
    /// Number of samples taken.
    pub samples: usize,
}

#[derive(Debug, Clone, Copy, Default)]
struct Snapshot {
    rss: u64,
    vm: u64,
    threads: u64,
}

fn snapshot() -> Snapshot {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return Snapshot::default();
    };
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
    baseline: Snapshot,
    cpu_start: (Duration, Duration),
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Vec<(Instant, Snapshot)>>>,
}

impl ResourceSampler {
    /// Takes the baseline and starts sampling every [`SAMPLE_INTERVAL`].
    pub fn start() -> Self {
        release_freed_memory();
        let baseline = snapshot();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("waitbench-sampler".into())
            .spawn(move || {
                let mut samples = Vec::with_capacity(4096);
                while !flag.load(Ordering::Relaxed) {
                    samples.push((Instant::now(), snapshot()));
                    std::thread::sleep(SAMPLE_INTERVAL);
                }
                samples.push((Instant::now(), snapshot()));
                samples
            })
            .ok();
        ResourceSampler {
            baseline,
            cpu_start: process_cpu(),
            stop,
            thread,
        }
    }

    /// Stops sampling and summarises. The sampler's own thread is excluded from counts.
    pub fn stop(mut self) -> ResourceUsage {
        let cpu_end = process_cpu();
        self.stop.store(true, Ordering::Relaxed);
        let samples = self
            .thread
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default();
        let steady = |pick: fn(&Snapshot) -> u64| -> u64 {
            let n = samples.len();
            if n == 0 {
                return 0;
            }
            let mut middle: Vec<u64> = samples[n / 4..(3 * n / 4).max(n / 4 + 1).min(n)]
                .iter()
                .map(|(_, s)| pick(s))
                .collect();
            middle.sort_unstable();
            middle[middle.len() / 2]
        };
        let peak = |pick: fn(&Snapshot) -> u64| samples.iter().map(|(_, s)| pick(s)).max();
        ResourceUsage {
            cpu_user: cpu_end.0.saturating_sub(self.cpu_start.0),
            cpu_sys: cpu_end.1.saturating_sub(self.cpu_start.1),
            rss_baseline_bytes: self.baseline.rss,
            rss_peak_bytes: peak(|s| s.rss).unwrap_or(self.baseline.rss),
            rss_steady_bytes: steady(|s| s.rss),
            vm_baseline_bytes: self.baseline.vm,
            vm_peak_bytes: peak(|s| s.vm).unwrap_or(self.baseline.vm),
            vm_steady_bytes: steady(|s| s.vm),
            // The sampler thread itself is one of the threads counted.
            threads_baseline: self.baseline.threads.saturating_sub(1),
            threads_peak: peak(|s| s.threads)
                .unwrap_or(self.baseline.threads)
                .saturating_sub(1),
            samples: samples.len(),
        }
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
        let handles: Vec<_> = (0..4)
            .map(|_| std::thread::spawn(|| std::thread::sleep(Duration::from_millis(60))))
            .collect();
        std::thread::sleep(Duration::from_millis(30));
        for h in handles {
            h.join().unwrap();
        }
        let usage = sampler.stop();
        assert!(usage.rss_peak_bytes > 0);
        assert!(usage.threads_peak >= usage.threads_baseline + 4);
        assert!(usage.samples >= 2);
    }
}
