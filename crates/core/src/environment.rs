//! The machine a result was measured on, written into every result file.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where and with what a result was measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Environment {
    /// Logical CPUs available to the process.
    pub cores: usize,
    /// Kernel release (`uname -r`).
    pub kernel: String,
    /// Operating system and architecture.
    pub os: String,
    /// Total memory in bytes.
    pub memory_bytes: u64,
    /// Soft open-file limit during the run.
    pub fd_soft_limit: u64,
    /// Hard open-file limit.
    pub fd_hard_limit: u64,
    /// `net.core.somaxconn`, the cap on any listen backlog.
    pub somaxconn: Option<u64>,
    /// Ephemeral port range for outgoing connections.
    pub ephemeral_ports: Option<String>,
    /// waitbench version that produced the result.
    pub waitbench_version: String,
    /// Seconds since the Unix epoch when the result was produced.
    pub unix_time_s: u64,
}

fn read_trimmed(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
}

impl Environment {
    /// Reads the current machine's description.
    pub fn capture() -> Self {
        let (fd_soft_limit, fd_hard_limit) = crate::limits::fd_limits().unwrap_or((0, 0));
        let memory_bytes = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("MemTotal:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            })
            .map_or(0, |kib| kib * 1024);
        Environment {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            kernel: read_trimmed("/proc/sys/kernel/osrelease").unwrap_or_default(),
            os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
            memory_bytes,
            fd_soft_limit,
            fd_hard_limit,
            somaxconn: read_trimmed("/proc/sys/net/core/somaxconn").and_then(|s| s.parse().ok()),
            ephemeral_ports: read_trimmed("/proc/sys/net/ipv4/ip_local_port_range")
                .map(|s| s.replace(' ', "-")),
            waitbench_version: env!("CARGO_PKG_VERSION").to_string(),
            unix_time_s: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        }
    }

    /// One line for labels: `2 cores, Linux 6.1.0, 24.0 GiB`.
    pub fn label(&self) -> String {
        format!(
            "{} cores, {} kernel {}, {}",
            self.cores,
            self.os,
            self.kernel,
            crate::units::format_bytes(self.memory_bytes as f64)
        )
    }
}
