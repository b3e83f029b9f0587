//! Client resource sampling: CPU from `getrusage`, memory and threads from
//! `/proc/self/status`, sampled on a background thread while a run is under way.
//! A client that runs as a child process (the Python strategies) is sampled the same way
//! from outside: memory and threads from `/proc/PID/status`, CPU from `/proc/PID/stat`.
//!
//! A child's CPU is its whole process tree's, because a client may hand its work to
//! processes of its own (claim F1's process pool): `/proc/PID/stat` of the child alone
//! counts none of their CPU, and its `cutime`/`cstime` count only children it has
//! already reaped, so a pool still alive at the end would be missed. The tree's CPU is
//! the sum, over the child and every live descendant (found by parent PID in `/proc`),
//! of its own CPU plus what its reaped children used. A descendant reaped between the
//! reads of its parent and of itself would be missed or counted twice; the reads come
//! before the client starts its pool and after it has joined it, when nothing is
//! forking or exiting. Memory and threads stay the child's own: a forked worker's
//! resident pages are largely shared with its parent, and summing RSS would count them
//! once per process.
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

/// Which process a sampler watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Watched {
    /// This process; its sampler thread is one of its threads.
    Itself,
    /// A child process, by PID.
    Child(u32),
}

impl Watched {
    fn proc_file(self, name: &str) -> String {
        match self {
            Watched::Itself => format!("/proc/self/{name}"),
            Watched::Child(pid) => format!("/proc/{pid}/{name}"),
        }
    }

    /// Memory and threads now; `None` where `/proc` cannot be read (or the child is gone).
    fn snapshot(self) -> Option<Snapshot> {
        if !cfg!(target_os = "linux") {
            return None;
        }
        std::fs::read_to_string(self.proc_file("status"))
            .ok()
            .map(|status| parse_status(&status))
    }

    /// CPU time so far as (user, system).
    fn cpu(self) -> (Duration, Duration) {
        match self {
            Watched::Itself => process_cpu(),
            Watched::Child(pid) => tree_cpu(pid).unwrap_or_default(),
        }
    }
}

/// The CPU of process `root` and all its descendants, live or reaped; `None` when `root`
/// cannot be read (gone, or no `/proc`).
fn tree_cpu(root: u32) -> Option<(Duration, Duration)> {
    let ticks = clock_ticks_per_second();
    let read = |pid: u32| {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        parse_stat_cpu(&stat, ticks)
    };
    let root_cpu = read(root)?;
    let others: Vec<(u32, StatCpu)> = std::fs::read_dir("/proc")
        .map(|dir| {
            dir.flatten()
                .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
                .filter(|&pid| pid != root)
                .filter_map(|pid| Some((pid, read(pid)?)))
                .collect()
        })
        .unwrap_or_default();
    let mut tree = vec![root];
    let mut total = root_cpu.with_reaped();
    // Breadth first: every process whose parent is already in the tree joins it.
    let mut next = 0;
    while next < tree.len() {
        let parent = tree[next];
        next += 1;
        for (pid, cpu) in others.iter().filter(|(_, cpu)| cpu.ppid == parent) {
            tree.push(*pid);
            let (user, sys) = cpu.with_reaped();
            total = (total.0 + user, total.1 + sys);
        }
    }
    Some(total)
}

/// The kernel's clock tick (USER_HZ), the unit of `/proc/PID/stat` CPU times.
fn clock_ticks_per_second() -> u64 {
    // SAFETY: sysconf only reads a configuration value.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    u64::try_from(ticks).ok().filter(|&t| t > 0).unwrap_or(100)
}

/// One process's CPU figures from `/proc/PID/stat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StatCpu {
    /// Its parent's PID.
    ppid: u32,
    /// Its own user CPU.
    user: Duration,
    /// Its own system CPU.
    sys: Duration,
    /// User CPU of the children it has reaped (and of theirs).
    reaped_user: Duration,
    /// System CPU of the children it has reaped (and of theirs).
    reaped_sys: Duration,
}

impl StatCpu {
    /// Its own CPU and its reaped children's, as (user, system).
    fn with_reaped(self) -> (Duration, Duration) {
        (self.user + self.reaped_user, self.sys + self.reaped_sys)
    }
}

/// Reads `ppid` (field 4) and `utime`, `stime`, `cutime` and `cstime` (fields 14 to 17,
/// in clock ticks) from `/proc/PID/stat` text. The command name (field 2) may hold
/// spaces and parentheses, so fields are counted from the last `)`.
fn parse_stat_cpu(stat: &str, ticks_per_s: u64) -> Option<StatCpu> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| -> Option<Duration> {
        let t: u64 = fields.get(i)?.parse().ok()?;
        Some(Duration::from_nanos(t * 1_000_000_000 / ticks_per_s))
    };
    Some(StatCpu {
        ppid: fields.get(1)?.parse().ok()?,
        user: ticks(11)?,
        sys: ticks(12)?,
        reaped_user: ticks(13)?,
        reaped_sys: ticks(14)?,
    })
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
    watched: Watched,
    /// `None` where memory cannot be read: then no sampling thread runs either.
    baseline: Option<Snapshot>,
    cpu_start: (Duration, Duration),
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Vec<Snapshot>>>,
}

impl ResourceSampler {
    /// Takes the baseline of this process and starts sampling every [`SAMPLE_INTERVAL`].
    pub fn start() -> Self {
        release_freed_memory();
        Self::watch(Watched::Itself)
    }

    /// Takes the baseline of the child process `pid` and starts sampling it every
    /// [`SAMPLE_INTERVAL`]; stop it before the child exits, or its last figures are lost.
    pub fn start_child(pid: u32) -> Self {
        Self::watch(Watched::Child(pid))
    }

    fn watch(watched: Watched) -> Self {
        let baseline = watched.snapshot();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = baseline.and_then(|_| {
            std::thread::Builder::new()
                .name("waitbench-sampler".into())
                .spawn(move || {
                    let mut samples = Vec::with_capacity(4096);
                    while !flag.load(Ordering::Relaxed) {
                        samples.extend(watched.snapshot());
                        std::thread::sleep(SAMPLE_INTERVAL);
                    }
                    samples.extend(watched.snapshot());
                    samples
                })
                .ok()
        });
        ResourceSampler {
            watched,
            baseline,
            cpu_start: watched.cpu(),
            stop,
            thread,
        }
    }

    /// Stops sampling and summarises.
    pub fn stop(mut self) -> ResourceUsage {
        let cpu_end = self.watched.cpu();
        self.stop.store(true, Ordering::Relaxed);
        let samples = self
            .thread
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default();
        ResourceUsage {
            cpu_user: cpu_end.0.saturating_sub(self.cpu_start.0),
            cpu_sys: cpu_end.1.saturating_sub(self.cpu_start.1),
            memory: self
                .baseline
                .map(|baseline| summarise(baseline, &samples, self.watched)),
            samples: samples.len(),
        }
    }
}

/// Peak and steady state of `samples` (taken on the sampler's thread) beside `baseline`
/// (taken before that thread started); without samples, the baseline stands for both.
/// A child's samples count only its own threads; this process's count the sampler's.
fn summarise(baseline: Snapshot, samples: &[Snapshot], watched: Watched) -> MemoryUsage {
    let sampler_threads = u64::from(watched == Watched::Itself);
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
        threads_peak: samples
            .iter()
            .map(|s| s.threads.saturating_sub(sampler_threads))
            .max()
            .unwrap_or(baseline.threads),
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

    /// `sh -c script`, sampled from outside from its start until it prints a line.
    fn sampled_until_it_reports(script: &str) -> (std::process::Child, ResourceSampler) {
        use std::io::BufRead;
        let mut child = std::process::Command::new("sh")
            .args(["-c", script])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("sh runs");
        let sampler = ResourceSampler::start_child(child.id());
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("the child reports the end of its loop");
        (child, sampler)
    }

    #[test]
    fn a_child_is_sampled_from_outside_with_its_own_threads_and_cpu() {
        if !cfg!(target_os = "linux") {
            return;
        }
        // A child that burns CPU, says so, and waits: its CPU, not ours, must show.
        let (mut child, sampler) = sampled_until_it_reports(
            "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; echo done; sleep 5",
        );
        let usage = sampler.stop();
        child.kill().ok();
        child.wait().ok();
        let memory = usage.memory.expect("a live child has /proc/PID/status");
        assert_eq!(memory.threads_peak, 1, "sh is single-threaded: {memory:?}");
        assert!(memory.rss_peak_bytes > 0);
        assert!(usage.cpu_user + usage.cpu_sys > Duration::ZERO, "{usage:?}");
    }

    #[test]
    fn a_childs_cpu_includes_its_live_and_its_reaped_descendants() {
        if !cfg!(target_os = "linux") {
            return;
        }
        // The shell itself only waits: one subshell burns CPU and is reaped before "done",
        // another burns and stays alive (a live pool worker) until after the stop.
        let burn = "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done";
        let (mut child, sampler) =
            sampled_until_it_reports(&format!("({burn}); ({burn}; echo done; sleep 5) & sleep 5"));
        let own = std::fs::read_to_string(format!("/proc/{}/stat", child.id()))
            .ok()
            .and_then(|stat| parse_stat_cpu(&stat, clock_ticks_per_second()))
            .expect("the child is alive");
        let usage = sampler.stop();
        child.kill().ok();
        child.wait().ok();
        let tree = usage.cpu_user + usage.cpu_sys;
        // Both loops are the same work: beyond the shell's own CPU and what it reaped, the
        // live subshell's loop shows (at least half as much, for the clock's ticks).
        let reaped = own.reaped_user + own.reaped_sys;
        assert!(reaped >= Duration::from_millis(50), "{own:?}");
        assert!(
            tree >= own.user + own.sys + reaped + reaped / 2,
            "{usage:?} vs {own:?}"
        );
    }

    #[test]
    fn stat_cpu_fields_are_read_after_the_command_name() {
        let stat = "4242 (my (odd) name) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 75 30 5 20 0 1";
        assert_eq!(
            parse_stat_cpu(stat, 100),
            Some(StatCpu {
                ppid: 17,
                user: Duration::from_millis(2500),
                sys: Duration::from_millis(750),
                reaped_user: Duration::from_millis(300),
                reaped_sys: Duration::from_millis(50),
            })
        );
        assert_eq!(parse_stat_cpu("garbage", 100), None);
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
        let memory = summarise(baseline, &samples, Watched::Itself);
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
        let memory = summarise(baseline, &[], Watched::Itself);
        assert_eq!(memory.rss_steady_bytes, 100);
        assert_eq!(memory.rss_peak_bytes, 100);
        assert_eq!(memory.threads_peak, 3);
    }
}
