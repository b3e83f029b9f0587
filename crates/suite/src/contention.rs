//! Was the machine busy with something else? A gate that compares ratios measured on two
//! shared cores can be fooled by another process eating one of them, so `check` measures
//! the CPU that processes other than its own used: briefly before the suite, over the
//! whole suite, and briefly after it. A contended run is reported as such, and its
//! failures are confirmed or the verdict is "inconclusive": nothing is re-run or widened
//! silently.
//!
//! Linux only (it reads `/proc/stat`); elsewhere every figure is "unknown".

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Other processes using more than this many cores make a run contended.
pub const FOREIGN_CORES_LIMIT: f64 = 0.25;

/// How long each probe before and after the suite watches the machine.
pub const PROBE: Duration = Duration::from_millis(500);

/// The machine's busy CPU time and this process's, at one instant.
#[derive(Debug, Clone, Copy)]
pub struct CpuSnapshot {
    at: Instant,
    machine_busy_s: f64,
    own_s: f64,
}

/// Busy CPU seconds of the whole machine from `/proc/stat`'s `cpu` line (user, nice,
/// system, irq, softirq, steal), in clock ticks of 1/100 s.
fn machine_busy_s() -> Option<f64> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let fields: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|f| f.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest is already in user).
    let busy = [0, 1, 2, 5, 6, 7]
        .iter()
        .filter_map(|&i| fields.get(i))
        .sum::<f64>();
    // USER_HZ is 100 on every Linux ABI the project runs on.
    Some(busy / 100.0)
}

impl CpuSnapshot {
    /// Now, or `None` where the machine's CPU time cannot be read.
    pub fn now() -> Option<Self> {
        let machine_busy_s = machine_busy_s()?;
        let (user, sys) = waitbench_core::resources::process_cpu();
        Some(CpuSnapshot {
            at: Instant::now(),
            machine_busy_s,
            own_s: (user + sys).as_secs_f64(),
        })
    }

    /// Cores that other processes used on average since `earlier`.
    pub fn foreign_cores_since(&self, earlier: &CpuSnapshot) -> f64 {
        let wall = self.at.saturating_duration_since(earlier.at).as_secs_f64();
        if wall <= 0.0 {
            return 0.0;
        }
        let machine = self.machine_busy_s - earlier.machine_busy_s;
        let own = self.own_s - earlier.own_s;
        ((machine - own) / wall).max(0.0)
    }
}

/// Watches the machine for [`PROBE`] while this process idles.
pub fn probe() -> Option<f64> {
    let start = CpuSnapshot::now()?;
    std::thread::sleep(PROBE);
    Some(CpuSnapshot::now()?.foreign_cores_since(&start))
}

/// Foreign CPU load around and during a measured suite, in cores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Contention {
    /// Probe before the suite.
    pub before: Option<f64>,
    /// Average over the suite.
    pub during: Option<f64>,
    /// Probe after the suite.
    pub after: Option<f64>,
}

impl Contention {
    /// Whether other processes used more than [`FOREIGN_CORES_LIMIT`] at any time measured.
    pub fn contended(&self) -> bool {
        [self.before, self.during, self.after]
            .into_iter()
            .flatten()
            .any(|cores| cores > FOREIGN_CORES_LIMIT)
    }

    /// One line for the terminal and the job summary.
    pub fn describe(&self) -> String {
        let show = |x: Option<f64>| x.map_or("unknown".into(), |c| format!("{c:.2}"));
        format!(
            "other processes used {} cores before, {} during and {} after (limit {}){}",
            show(self.before),
            show(self.during),
            show(self.after),
            FOREIGN_CORES_LIMIT,
            if self.contended() { ": CONTENDED" } else { "" }
        )
    }

    /// Runs `body` between two probes and measures the foreign load during it.
    pub fn around<T>(body: impl FnOnce() -> T) -> (T, Contention) {
        let before = probe();
        let start = CpuSnapshot::now();
        let value = body();
        let during = start
            .zip(CpuSnapshot::now())
            .map(|(start, end)| end.foreign_cores_since(&start));
        let after = probe();
        (
            value,
            Contention {
                before,
                during,
                after,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_measure_over_the_limit_makes_a_run_contended() {
        let quiet = Contention {
            before: Some(0.02),
            during: Some(0.1),
            after: None,
        };
        assert!(!quiet.contended());
        let busy = Contention {
            during: Some(0.9),
            ..quiet
        };
        assert!(busy.contended());
        assert!(busy.describe().contains("CONTENDED"), "{}", busy.describe());
        assert!(!Contention::default().contended());
    }

    #[test]
    fn own_cpu_is_not_counted_as_foreign() {
        let t0 = Instant::now();
        let start = CpuSnapshot {
            at: t0,
            machine_busy_s: 100.0,
            own_s: 10.0,
        };
        // Over 2 s the machine was busy for 3 CPU-seconds, 2 of them ours.
        let end = CpuSnapshot {
            at: t0 + Duration::from_secs(2),
            machine_busy_s: 103.0,
            own_s: 12.0,
        };
        assert!((end.foreign_cores_since(&start) - 0.5).abs() < 1e-9);
        assert_eq!(start.foreign_cores_since(&start), 0.0);
    }

    #[test]
    fn the_machine_reading_is_a_cpu_time_on_linux_and_unknown_elsewhere() {
        let busy = machine_busy_s();
        assert_eq!(busy.is_some(), cfg!(target_os = "linux"), "{busy:?}");
        assert!(busy.is_none_or(|busy| busy > 0.0), "{busy:?}");
    }
}
