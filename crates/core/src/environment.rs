//! The machine a result was measured on, written into every result file.
//!
//! Kernel, memory and network settings come from `/proc`, so they are read on Linux only;
//! elsewhere they are `None` and print as "unavailable", never as an empty string or 0.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where and with what a result was measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Environment {
    /// Logical CPUs available to the process.
    pub cores: usize,
    /// Kernel release (`uname -r`), from `/proc` (`None` elsewhere than on Linux).
    pub kernel: Option<String>,
    /// Operating system and architecture.
    pub os: String,
    /// Total memory in bytes, from `/proc` (`None` elsewhere than on Linux).
    pub memory_bytes: Option<u64>,
    /// Soft open-file limit during the run (`None` where it cannot be read).
    pub fd_soft_limit: Option<u64>,
    /// Hard open-file limit (`None` where it cannot be read).
    pub fd_hard_limit: Option<u64>,
    /// `net.core.somaxconn`, the cap on any listen backlog.
    pub somaxconn: Option<u64>,
    /// Ephemeral port range for outgoing connections.
    pub ephemeral_ports: Option<String>,
    /// waitbench version that produced the result.
    pub waitbench_version: String,
    /// Seconds since the Unix epoch when the result was produced.
    pub unix_time_s: u64,
}

/// A `/proc` file with its whitespace collapsed; `None` where it cannot be read, and
/// always elsewhere than on Linux (where a file of that name would mean something else).
fn read_proc(path: &str) -> Option<String> {
    if cfg!(target_os = "linux") {
        std::fs::read_to_string(path)
            .ok()
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
    } else {
        None
    }
}

/// `MemTotal` from `/proc/meminfo` text, in bytes.
fn mem_total_bytes(meminfo: &str) -> Option<u64> {
    meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map(|kib| kib * 1024)
}

impl Environment {
    /// Reads the current machine's description.
    pub fn capture() -> Self {
        let fd_limits = crate::limits::fd_limits().ok();
        Environment {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            kernel: read_proc("/proc/sys/kernel/osrelease"),
            os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
            memory_bytes: read_proc("/proc/meminfo").and_then(|m| mem_total_bytes(&m)),
            fd_soft_limit: fd_limits.map(|(soft, _)| soft),
            fd_hard_limit: fd_limits.map(|(_, hard)| hard),
            somaxconn: read_proc("/proc/sys/net/core/somaxconn").and_then(|s| s.parse().ok()),
            ephemeral_ports: read_proc("/proc/sys/net/ipv4/ip_local_port_range")
                .map(|s| s.replace(' ', "-")),
            waitbench_version: env!("CARGO_PKG_VERSION").to_string(),
            unix_time_s: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        }
    }

    /// One line for labels: `2 cores, linux x86_64 kernel 6.1.0, 24.0 GiB`; a figure
    /// that could not be read says "unavailable".
    pub fn label(&self) -> String {
        use crate::units::{UNAVAILABLE, format_bytes};
        format!(
            "{} cores, {} kernel {}, {}",
            self.cores,
            self.os,
            self.kernel.as_deref().unwrap_or(UNAVAILABLE),
            self.memory_bytes.map_or_else(
                || format!("memory {UNAVAILABLE}"),
                |bytes| format_bytes(bytes as f64)
            )
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_memory_is_read_from_meminfo_in_bytes() {
        let meminfo = "MemTotal:       24576000 kB\nMemFree:         1000 kB\n";
        assert_eq!(mem_total_bytes(meminfo), Some(24_576_000 * 1024));
        assert_eq!(mem_total_bytes("MemFree: 1 kB\n"), None);
    }

    #[test]
    fn figures_that_could_not_be_read_say_unavailable_not_zero() {
        let environment = Environment {
            cores: 2,
            os: "macos aarch64".into(),
            ..Environment::default()
        };
        assert_eq!(
            environment.label(),
            "2 cores, macos aarch64 kernel unavailable, memory unavailable"
        );
    }

    #[test]
    fn the_captured_machine_has_its_proc_figures_exactly_on_linux() {
        let environment = Environment::capture();
        let linux = cfg!(target_os = "linux");
        assert_eq!(environment.kernel.is_some(), linux, "{environment:?}");
        assert_eq!(environment.memory_bytes.is_some(), linux, "{environment:?}");
        assert!(environment.memory_bytes.is_none_or(|bytes| bytes > 0));
    }
}
