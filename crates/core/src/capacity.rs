//! Can this machine take the load asked for? Checked before a run starts, because the
//! limits that bite (open files, threads, ephemeral ports) otherwise show up minutes in
//! as a pile of connect errors or a thread that cannot spawn, which reads as a result.
//!
//! [`check`] compares a [`Demand`] (what a run holds open at its peak) with a
//! [`Capacity`] (what the process and kernel allow) and fails with one line that names
//! the limit and how to raise it. The two are plain values so the decision is tested
//! without changing the machine's limits; [`check_machine`] reads the real ones.
//!
//! The figures come from `getrlimit` and, on Linux, `/proc/sys`; a figure that cannot be
//! read is not checked (and never reads as 0, which would refuse every run).

/// Descriptors a run needs besides its connections: stdio, the listener, epoll, timers,
/// the files it reads and writes.
pub const DESCRIPTOR_HEADROOM: u64 = 256;

/// Threads a run needs besides one per connection: runtimes, the timer, the sampler,
/// the server's workers.
pub const THREAD_HEADROOM: u64 = 64;

/// What a run holds open at its peak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Demand {
    /// Outgoing connections open at once (the concurrency, or the open loop's in-flight
    /// cap); each takes a descriptor and an ephemeral port.
    pub client_connections: u64,
    /// Incoming connections this process serves at once (the embedded server's end of
    /// the client's connections, or `serve`'s cap); each takes a descriptor.
    pub server_connections: u64,
    /// Threads the process starts: one per connection for the thread-per-request
    /// strategies, a handful for the async ones.
    pub threads: u64,
    /// Whether the client runs in a child process (another runtime's client): its
    /// connections then take the child's descriptors, not this process's, and each
    /// process's descriptors are checked against the limit alone.
    pub client_in_child: bool,
}

impl Demand {
    /// What one run holds at its peak: `concurrency` outgoing connections, `threads`
    /// client threads, and the server's end of every connection when the server runs in
    /// this process; the client's ends are a child's when `client_in_child`.
    pub fn of_run(
        concurrency: usize,
        threads: usize,
        embedded_server: bool,
        client_in_child: bool,
    ) -> Demand {
        let connections = concurrency as u64;
        Demand {
            client_connections: connections,
            server_connections: if embedded_server { connections } else { 0 },
            threads: threads as u64,
            client_in_child,
        }
    }

    /// The descriptors for connections the busiest process holds: the server's ends
    /// and, in the same process, the client's; a child client's apart.
    fn connection_descriptors(&self) -> u64 {
        if self.client_in_child {
            self.server_connections.max(self.client_connections)
        } else {
            self.client_connections + self.server_connections
        }
    }

    /// The larger of two demands, figure by figure: what runs made one after another need.
    pub fn max(self, other: Demand) -> Demand {
        Demand {
            client_connections: self.client_connections.max(other.client_connections),
            server_connections: self.server_connections.max(other.server_connections),
            threads: self.threads.max(other.threads),
            client_in_child: self.client_in_child && other.client_in_child,
        }
    }
}

/// What the process and the kernel allow; `None` where a figure cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Capacity {
    /// Soft and hard open-file limits (`ulimit -n`, `ulimit -Hn`).
    pub open_files: Option<(u64, u64)>,
    /// Threads that can still start on the whole system, and the limit that sets it.
    pub threads_available: Option<(u64, ThreadLimit)>,
    /// The ephemeral port range for outgoing connections (`net.ipv4.ip_local_port_range`).
    pub ephemeral_ports: Option<(u16, u16)>,
}

/// Which limit caps the number of threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadLimit {
    /// `kernel.pid_max`: every thread takes a pid.
    PidMax,
    /// `kernel.threads-max`.
    ThreadsMax,
    /// The user's process limit (`ulimit -u`, RLIMIT_NPROC), which root is exempt from.
    UserProcesses,
}

impl ThreadLimit {
    /// How to raise this limit, as a command.
    fn fix(self, needed: u64) -> String {
        match self {
            ThreadLimit::PidMax => format!("sysctl -w kernel.pid_max={}", needed.max(32_768) * 2),
            ThreadLimit::ThreadsMax => format!("sysctl -w kernel.threads-max={}", needed * 2),
            ThreadLimit::UserProcesses => format!("ulimit -u {}", needed * 2),
        }
    }

    /// The limit's name, as `sysctl` or `ulimit` spells it.
    fn name(self) -> &'static str {
        match self {
            ThreadLimit::PidMax => "kernel.pid_max",
            ThreadLimit::ThreadsMax => "kernel.threads-max",
            ThreadLimit::UserProcesses => "ulimit -u",
        }
    }
}

/// Why the machine cannot take the load: one line naming the limit and how to raise it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CapacityError {
    /// Too few file descriptors.
    #[error(
        "{connections} connections need {needed} open files, but the limit is {soft}: \
         raise it with `ulimit -n {needed}`{hard_note}, or lower the concurrency",
        hard_note = if *.needed > *.hard {
            format!(" (above the hard limit {hard}: set nofile in /etc/security/limits.conf)", hard = .hard)
        } else {
            String::new()
        }
    )]
    OpenFiles {
        /// Connections asked for, client and server ends counted apart.
        connections: u64,
        /// Descriptors needed, headroom included.
        needed: u64,
        /// The soft limit.
        soft: u64,
        /// The hard limit.
        hard: u64,
    },
    /// Too few threads can start.
    #[error(
        "{needed} threads needed but only {available} more can start ({limit}): raise it with \
         `{fix}`, lower the concurrency, or use an async strategy",
        limit = .limit.name(),
        fix = .limit.fix(*.needed)
    )]
    Threads {
        /// Threads needed, headroom included.
        needed: u64,
        /// Threads that can still start.
        available: u64,
        /// The limit that caps them.
        limit: ThreadLimit,
    },
    /// Too few ephemeral ports for one connection each to the same target.
    #[error(
        "{connections} connections to one target need {connections} ephemeral ports, but \
         net.ipv4.ip_local_port_range ({low}-{high}) has {available}: raise it with \
         `sysctl -w net.ipv4.ip_local_port_range=\"1024 65535\"`, or lower the concurrency"
    )]
    EphemeralPorts {
        /// Connections asked for.
        connections: u64,
        /// Ports in the range.
        available: u64,
        /// Lowest port of the range.
        low: u16,
        /// Highest port of the range.
        high: u16,
    },
}

/// Checks `demand` against `capacity`: open files first, then threads, then ports.
pub fn check(demand: &Demand, capacity: &Capacity) -> Result<(), CapacityError> {
    if let Some((soft, hard)) = capacity.open_files {
        let connections = demand.connection_descriptors();
        let needed = connections + DESCRIPTOR_HEADROOM;
        if needed > soft {
            return Err(CapacityError::OpenFiles {
                connections,
                needed,
                soft,
                hard,
            });
        }
    }
    if let Some((available, limit)) = capacity.threads_available {
        let needed = demand.threads + THREAD_HEADROOM;
        if needed > available {
            return Err(CapacityError::Threads {
                needed,
                available,
                limit,
            });
        }
    }
    if let Some((low, high)) = capacity.ephemeral_ports {
        let available = u64::from(high.saturating_sub(low)) + 1;
        if demand.client_connections > available {
            return Err(CapacityError::EphemeralPorts {
                connections: demand.client_connections,
                available,
                low,
                high,
            });
        }
    }
    Ok(())
}

/// Checks `demand` against this machine's limits now.
pub fn check_machine(demand: &Demand) -> Result<(), CapacityError> {
    check(demand, &Capacity::read())
}

impl Capacity {
    /// This machine's limits now.
    pub fn read() -> Capacity {
        Capacity {
            open_files: crate::limits::fd_limits().ok(),
            threads_available: threads_available(),
            ephemeral_ports: read_proc("/proc/sys/net/ipv4/ip_local_port_range")
                .as_deref()
                .and_then(parse_port_range),
        }
    }
}

fn read_proc(path: &str) -> Option<String> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// The tightest of pid_max, threads-max and (unless root) RLIMIT_NPROC, less the threads
/// already running on the system.
fn threads_available() -> Option<(u64, ThreadLimit)> {
    let in_use = read_proc("/proc/loadavg")
        .as_deref()
        .and_then(parse_loadavg_threads)?;
    let number = |path| read_proc(path)?.trim().parse::<u64>().ok();
    let mut limits = vec![
        (number("/proc/sys/kernel/pid_max")?, ThreadLimit::PidMax),
        (
            number("/proc/sys/kernel/threads-max")?,
            ThreadLimit::ThreadsMax,
        ),
    ];
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0
        && let Some(soft) = nproc_soft_limit()
    {
        limits.push((soft, ThreadLimit::UserProcesses));
    }
    let (ceiling, limit) = limits.into_iter().min_by_key(|(n, _)| *n)?;
    Some((ceiling.saturating_sub(in_use), limit))
}

fn nproc_soft_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own; RLIMIT_NPROC is a valid resource.
    if unsafe { libc::getrlimit(libc::RLIMIT_NPROC, &mut limit) } != 0 {
        return None;
    }
    // rlim_t is u64 on Linux but not on every platform.
    #[allow(clippy::unnecessary_cast)]
    let soft = limit.rlim_cur as u64;
    (limit.rlim_cur != libc::RLIM_INFINITY).then_some(soft)
}

/// The number of threads on the system, from `/proc/loadavg`'s `running/total` field.
fn parse_loadavg_threads(loadavg: &str) -> Option<u64> {
    loadavg
        .split_whitespace()
        .nth(3)?
        .split_once('/')?
        .1
        .parse()
        .ok()
}

/// `32768\t60999` as `(32768, 60999)`.
fn parse_port_range(text: &str) -> Option<(u16, u16)> {
    let mut parts = text.split_whitespace().map(str::parse::<u16>);
    match (parts.next(), parts.next()) {
        (Some(Ok(low)), Some(Ok(high))) if low <= high => Some((low, high)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOMY: Capacity = Capacity {
        open_files: Some((20_000, 20_000)),
        threads_available: Some((30_000, ThreadLimit::PidMax)),
        ephemeral_ports: Some((32_768, 60_999)),
    };

    /// A client of `connections` with `threads`, and the server's end here too when
    /// `embedded_server`.
    fn demand(connections: u64, threads: u64, embedded_server: bool) -> Demand {
        Demand {
            client_connections: connections,
            server_connections: if embedded_server { connections } else { 0 },
            threads,
            client_in_child: false,
        }
    }

    #[test]
    fn five_thousand_threaded_connections_fit_the_reference_machine() {
        assert_eq!(check(&demand(5_000, 5_000, true), &ROOMY), Ok(()));
    }

    #[test]
    fn too_few_open_files_names_the_ulimit_to_raise() {
        let error = check(&demand(10_000, 8, true), &ROOMY).unwrap_err();
        assert_eq!(
            error,
            CapacityError::OpenFiles {
                connections: 20_000,
                needed: 20_256,
                soft: 20_000,
                hard: 20_000,
            }
        );
        let text = error.to_string();
        assert!(text.contains("`ulimit -n 20256`"), "{text}");
        assert!(text.contains("/etc/security/limits.conf"), "{text}");
        assert!(!text.contains('\n'), "one line: {text}");
    }

    #[test]
    fn a_client_in_a_child_process_takes_its_own_descriptors_not_the_servers() {
        let child = Demand {
            client_in_child: true,
            ..demand(10_000, 8, true)
        };
        assert_eq!(check(&child, &ROOMY), Ok(()));
        let too_many = Demand {
            client_in_child: true,
            ..demand(19_800, 8, true)
        };
        assert_eq!(
            check(&too_many, &ROOMY),
            Err(CapacityError::OpenFiles {
                connections: 19_800,
                needed: 20_056,
                soft: 20_000,
                hard: 20_000,
            })
        );
    }

    #[test]
    fn a_client_of_another_server_needs_one_descriptor_per_connection() {
        assert_eq!(check(&demand(19_000, 8, false), &ROOMY), Ok(()));
    }

    #[test]
    fn a_server_needs_no_ephemeral_ports() {
        let capacity = Capacity {
            ephemeral_ports: Some((60_000, 60_999)),
            ..ROOMY
        };
        let server = Demand {
            client_connections: 0,
            server_connections: 10_000,
            threads: 2,
            client_in_child: false,
        };
        assert_eq!(check(&server, &capacity), Ok(()));
    }

    #[test]
    fn too_few_threads_names_the_limit_that_binds() {
        let capacity = Capacity {
            threads_available: Some((1_000, ThreadLimit::UserProcesses)),
            ..ROOMY
        };
        let text = check(&demand(3_000, 3_000, false), &capacity)
            .unwrap_err()
            .to_string();
        assert!(text.contains("3064 threads needed"), "{text}");
        assert!(text.contains("only 1000 more"), "{text}");
        assert!(text.contains("`ulimit -u 6128`"), "{text}");
    }

    #[test]
    fn too_few_ephemeral_ports_names_the_sysctl() {
        let capacity = Capacity {
            ephemeral_ports: Some((60_000, 60_999)),
            ..ROOMY
        };
        let text = check(&demand(5_000, 8, false), &capacity)
            .unwrap_err()
            .to_string();
        assert!(text.contains("(60000-60999) has 1000"), "{text}");
        assert!(text.contains("net.ipv4.ip_local_port_range"), "{text}");
    }

    #[test]
    fn figures_that_cannot_be_read_are_not_checked() {
        let unknown = Capacity::default();
        assert_eq!(check(&demand(1_000_000, 1_000_000, true), &unknown), Ok(()));
    }

    #[test]
    fn proc_texts_parse_and_garbage_does_not() {
        assert_eq!(parse_port_range("32768\t60999\n"), Some((32_768, 60_999)));
        assert_eq!(parse_port_range("60999 32768"), None);
        assert_eq!(parse_port_range("lots"), None);
        assert_eq!(
            parse_loadavg_threads("2.84 3.06 2.52 1/99 18914\n"),
            Some(99)
        );
        assert_eq!(parse_loadavg_threads("2.84"), None);
    }

    #[test]
    fn this_machine_takes_a_small_run() {
        assert_eq!(check_machine(&demand(10, 10, true)), Ok(()));
        if cfg!(target_os = "linux") {
            let capacity = Capacity::read();
            assert!(capacity.open_files.is_some());
            assert!(capacity.threads_available.is_some());
            assert!(capacity.ephemeral_ports.is_some());
        }
    }
}
