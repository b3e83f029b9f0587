//! CPU placement: pinning the client and an embedded server to disjoint sets of CPUs.
//!
//! On one machine the client and the server it measures share the cores, so every
//! microsecond the server spends is taken from the client (claim D is a CPU contest).
//! Pinning them apart makes each side's share explicit and stops the scheduler from
//! moving load between them. A thread inherits its creator's affinity, so pinning a
//! thread *before* it spawns the runtimes and pools places all of their threads at once.
//! [`CpuSet`] is the one grammar for the sets (`0`, `0-3`, `0,2-3`), the same as
//! `taskset -c` and the kernel's `cpulist`.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Highest CPU number accepted (the size of the kernel's default `cpu_set_t`).
pub const MAX_CPU: usize = 1023;

/// A placement that cannot be applied, with what to change.
#[derive(Debug, Error, PartialEq)]
#[non_exhaustive]
pub enum PlacementError {
    /// The text is not a CPU list.
    #[error(
        "{text:?} is not a CPU list: {why}; expected e.g. 0, 0-3 or 0,2-3 (CPUs 0..={MAX_CPU})"
    )]
    Syntax {
        /// The text given.
        text: String,
        /// What was wrong.
        why: String,
    },
    /// The client and the server were given CPUs in common.
    #[error(
        "--client-cpus {client} and --server-cpus {server} share CPU {shared}: give them disjoint sets, e.g. --server-cpus 0 --client-cpus 1"
    )]
    Overlap {
        /// The client's set.
        client: CpuSet,
        /// The server's set.
        server: CpuSet,
        /// A CPU in both.
        shared: usize,
    },
    /// A CPU this process may not run on.
    #[error(
        "CPU {cpu} is not available to this process (pinning it kept only {available}); pick CPUs that `taskset -cp $$` lists"
    )]
    Unavailable {
        /// The CPU asked for.
        cpu: usize,
        /// The CPUs it may run on.
        available: CpuSet,
    },
    /// The kernel refused, or this system cannot pin threads.
    #[error("cannot pin threads to CPUs {cpus}: {reason}")]
    Os {
        /// The set asked for.
        cpus: CpuSet,
        /// The system's error.
        reason: String,
    },
}

/// A non-empty set of CPU numbers, written as a list of numbers and ranges (`0,2-3`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CpuSet(BTreeSet<usize>);

impl CpuSet {
    /// The CPUs, ascending.
    pub fn cpus(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().copied()
    }

    /// How many CPUs the set holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a set is never empty (kept for clippy's `len_without_is_empty`).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A CPU both sets hold, if any.
    pub fn shared_with(&self, other: &CpuSet) -> Option<usize> {
        self.0.intersection(&other.0).next().copied()
    }

    /// The CPUs the calling thread may run on now.
    pub fn of_current_thread() -> Result<CpuSet, PlacementError> {
        os::affinity()
    }

    /// Pins the calling thread (and every thread it creates afterwards) to these CPUs.
    ///
    /// The kernel silently drops CPUs the process may not use (offline, or outside its
    /// cgroup), so the result is read back: a CPU it dropped is an error, never a run on
    /// fewer CPUs than asked.
    pub fn pin_current_thread(&self) -> Result<(), PlacementError> {
        os::set_affinity(self)?;
        let now = os::affinity()?;
        match self.cpus().find(|c| !now.0.contains(c)) {
            Some(cpu) => Err(PlacementError::Unavailable {
                cpu,
                available: now,
            }),
            None => Ok(()),
        }
    }
}

impl FromStr for CpuSet {
    type Err = PlacementError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let syntax = |why: String| PlacementError::Syntax {
            text: text.to_string(),
            why,
        };
        let number = |part: &str| -> Result<usize, PlacementError> {
            let cpu: usize = part
                .trim()
                .parse()
                .map_err(|_| syntax(format!("{part:?} is not a CPU number")))?;
            if cpu > MAX_CPU {
                return Err(syntax(format!("CPU {cpu} is above {MAX_CPU}")));
            }
            Ok(cpu)
        };
        let mut cpus = BTreeSet::new();
        for part in text.split(',') {
            match part.split_once('-') {
                Some((low, high)) => {
                    let (low, high) = (number(low)?, number(high)?);
                    if low > high {
                        return Err(syntax(format!("range {part:?} runs backwards")));
                    }
                    cpus.extend(low..=high);
                }
                None => {
                    cpus.insert(number(part)?);
                }
            }
        }
        Ok(CpuSet(cpus))
    }
}

impl fmt::Display for CpuSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut cpus = self.cpus().peekable();
        let mut first = true;
        while let Some(low) = cpus.next() {
            let mut high = low;
            while cpus.peek() == Some(&(high + 1)) {
                high = cpus.next().expect("peeked");
            }
            if !first {
                f.write_str(",")?;
            }
            first = false;
            if high == low {
                write!(f, "{low}")?;
            } else {
                write!(f, "{low}-{high}")?;
            }
        }
        Ok(())
    }
}

impl Serialize for CpuSet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CpuSet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for CpuSet {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CpuSet".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "CPU numbers and ranges, as taskset -c writes them, e.g. 0,2-3.",
            "pattern": "^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$"
        })
    }
}

/// Where a run's threads were allowed to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Placement {
    /// CPUs the client's threads were pinned to; `None`: wherever the scheduler put them.
    pub client_cpus: Option<CpuSet>,
    /// CPUs the embedded server's threads were pinned to; `None`: not pinned, or the
    /// server ran elsewhere.
    pub server_cpus: Option<CpuSet>,
}

impl Placement {
    /// The placement of these sets, refused when they share a CPU.
    pub fn new(
        client_cpus: Option<CpuSet>,
        server_cpus: Option<CpuSet>,
    ) -> Result<Self, PlacementError> {
        if let (Some(client), Some(server)) = (&client_cpus, &server_cpus)
            && let Some(shared) = client.shared_with(server)
        {
            return Err(PlacementError::Overlap {
                client: client.clone(),
                server: server.clone(),
                shared,
            });
        }
        Ok(Placement {
            client_cpus,
            server_cpus,
        })
    }

    /// Whether anything is pinned.
    pub fn is_pinned(&self) -> bool {
        self.client_cpus.is_some() || self.server_cpus.is_some()
    }
}

#[cfg(target_os = "linux")]
mod os {
    use super::{CpuSet, MAX_CPU, PlacementError};

    pub(super) fn affinity() -> Result<CpuSet, PlacementError> {
        // SAFETY: cpu_set_t is plain data; zeroed is an empty set.
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        // SAFETY: the pointer and size describe `set`, which outlives the call.
        let rc = unsafe { libc::sched_getaffinity(0, std::mem::size_of_val(&set), &mut set) };
        if rc != 0 {
            return Err(PlacementError::Os {
                cpus: CpuSet(Default::default()),
                reason: std::io::Error::last_os_error().to_string(),
            });
        }
        // SAFETY: CPU_ISSET reads `set` within its size for every cpu ≤ MAX_CPU.
        let cpus = (0..=MAX_CPU)
            .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) })
            .collect();
        Ok(CpuSet(cpus))
    }

    pub(super) fn set_affinity(cpus: &CpuSet) -> Result<(), PlacementError> {
        // SAFETY: cpu_set_t is plain data; zeroed is an empty set.
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        for cpu in cpus.cpus() {
            // SAFETY: cpu ≤ MAX_CPU lies within cpu_set_t (parsing enforces the bound).
            unsafe { libc::CPU_SET(cpu, &mut set) };
        }
        // SAFETY: the pointer and size describe `set`, which outlives the call.
        let rc = unsafe { libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set) };
        if rc != 0 {
            return Err(PlacementError::Os {
                cpus: cpus.clone(),
                reason: std::io::Error::last_os_error().to_string(),
            });
        }
        Ok(())
    }
}

#[cfg(not(target_os = "linux"))]
mod os {
    use super::{CpuSet, PlacementError};

    pub(super) fn affinity() -> Result<CpuSet, PlacementError> {
        Err(PlacementError::Os {
            cpus: CpuSet(Default::default()),
            reason: "pinning threads to CPUs is supported on Linux only".into(),
        })
    }

    pub(super) fn set_affinity(cpus: &CpuSet) -> Result<(), PlacementError> {
        Err(PlacementError::Os {
            cpus: cpus.clone(),
            reason: "pinning threads to CPUs is supported on Linux only".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lists_parse_and_print_in_taskset_form() {
        let set: CpuSet = "3,0-1,7-8,2".parse().unwrap();
        assert_eq!(set.cpus().collect::<Vec<_>>(), [0, 1, 2, 3, 7, 8]);
        assert_eq!(set.to_string(), "0-3,7-8");
        assert_eq!("5".parse::<CpuSet>().unwrap().to_string(), "5");
    }

    #[test]
    fn bad_cpu_lists_name_the_problem() {
        for (text, says) in [
            ("", "not a CPU number"),
            ("a", "not a CPU number"),
            ("3-1", "runs backwards"),
            ("0,", "not a CPU number"),
            ("2000", "above 1023"),
        ] {
            let error = text.parse::<CpuSet>().unwrap_err().to_string();
            assert!(error.contains(says), "{text:?}: {error}");
        }
    }

    #[test]
    fn overlapping_sets_are_refused_with_the_shared_cpu() {
        let error =
            Placement::new(Some("0-1".parse().unwrap()), Some("1".parse().unwrap())).unwrap_err();
        assert!(matches!(error, PlacementError::Overlap { shared: 1, .. }));
        assert!(error.to_string().contains("disjoint"));
        assert!(
            Placement::new(Some("1".parse().unwrap()), Some("0".parse().unwrap()))
                .unwrap()
                .is_pinned()
        );
    }

    #[test]
    fn a_placement_round_trips_through_json_as_cpu_lists() {
        let placement =
            Placement::new(Some("1-2".parse().unwrap()), Some("0".parse().unwrap())).unwrap();
        let json = serde_json::to_string(&placement).unwrap();
        assert_eq!(json, r#"{"client_cpus":"1-2","server_cpus":"0"}"#);
        assert_eq!(serde_json::from_str::<Placement>(&json).unwrap(), placement);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_pinned_thread_and_the_threads_it_spawns_run_on_the_set() {
        let available = CpuSet::of_current_thread().unwrap();
        let first: CpuSet = available
            .cpus()
            .next()
            .unwrap()
            .to_string()
            .parse()
            .unwrap();
        std::thread::spawn(move || {
            first.pin_current_thread().unwrap();
            assert_eq!(CpuSet::of_current_thread().unwrap(), first);
            let child = std::thread::spawn(|| CpuSet::of_current_thread().unwrap())
                .join()
                .unwrap();
            assert_eq!(child, first);
        })
        .join()
        .unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_cpu_the_machine_lacks_is_refused_not_dropped() {
        let available = CpuSet::of_current_thread().unwrap();
        let first = available.cpus().next().unwrap();
        let (only_missing, with_missing) = std::thread::spawn(move || {
            let only: CpuSet = "1023".parse().unwrap();
            let with: CpuSet = format!("{first},1023").parse().unwrap();
            (only.pin_current_thread(), with.pin_current_thread())
        })
        .join()
        .unwrap();
        assert!(
            matches!(only_missing, Err(PlacementError::Os { .. })),
            "{only_missing:?}"
        );
        assert!(
            matches!(
                with_missing,
                Err(PlacementError::Unavailable { cpu: 1023, .. })
            ),
            "{with_missing:?}"
        );
    }
}
