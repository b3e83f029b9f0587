//! Placing the embedded server and the client on their CPUs (`--server-cpus`,
//! `--client-cpus`), using the inheritance of affinity that [`waitbench_core::placement`]
//! describes: the server is started from this thread while it is pinned to the server's
//! CPUs (its runtime, timer and accept threads are all created inside
//! `MockServer::start`), then this thread is pinned to the client's CPUs before any
//! strategy builds its runtime or pool, so every client thread lands there.

use waitbench_core::{CpuSet, Placement};
use waitbench_mockserver::{MockServer, ServerConfig};

use crate::error::Result;

/// The embedded server's configuration for `cpus`: one worker thread per CPU it may use
/// (the default sizes it to the whole machine), unless `threads` says otherwise, and as
/// many connections as the descriptor limit leaves room for ([`embedded_connections`]).
pub fn server_config(threads: Option<usize>, cpus: Option<&CpuSet>) -> ServerConfig {
    let defaults = ServerConfig::default();
    ServerConfig {
        worker_threads: threads
            .or(cpus.map(CpuSet::len))
            .unwrap_or(defaults.worker_threads),
        max_connections: embedded_connections(
            waitbench_core::limits::fd_limits()
                .ok()
                .map(|(soft, _)| soft),
            defaults.max_connections,
        ),
        ..defaults
    }
}

/// The embedded server's connection cap under a soft descriptor limit of `soft`: every
/// descriptor but the headroom, and never fewer than `standalone`'s (the default of
/// `serve`). The cap exists so that `accept` never fails for want of a descriptor; the
/// capacity check refuses a run that would need more before it starts. A client in a
/// child process can then hold 10,000 connections to the embedded server, where the
/// standalone default of 10,000 would refuse the one opened while an old one closes.
fn embedded_connections(soft: Option<u64>, standalone: usize) -> usize {
    let room = soft.map_or(0, |soft| {
        soft.saturating_sub(waitbench_core::capacity::DESCRIPTOR_HEADROOM)
    });
    usize::try_from(room).unwrap_or(usize::MAX).max(standalone)
}

/// Starts the embedded server with its threads on `cpus` (anywhere when `None`); this
/// thread's own affinity is as before when it returns.
pub fn start_server(config: ServerConfig, cpus: Option<&CpuSet>) -> Result<MockServer> {
    let Some(cpus) = cpus else {
        return Ok(MockServer::start(config)?);
    };
    let before = CpuSet::of_current_thread()?;
    cpus.pin_current_thread()?;
    let server = MockServer::start(config);
    before.pin_current_thread()?;
    Ok(server?)
}

/// Pins this thread, and so every client thread it creates from now on, to the
/// placement's client CPUs (nothing when it has none).
pub fn pin_client(placement: Option<&Placement>) -> Result<()> {
    if let Some(cpus) = placement.and_then(|p| p.client_cpus.as_ref()) {
        cpus.pin_current_thread()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_server_holds_what_the_descriptor_limit_leaves_room_for() {
        assert_eq!(embedded_connections(Some(20_000), 10_000), 19_744);
        // A low limit never shrinks the cap below the standalone server's: the
        // capacity check, not the server, refuses a run that cannot fit.
        assert_eq!(embedded_connections(Some(1_024), 10_000), 10_000);
        assert_eq!(embedded_connections(None, 10_000), 10_000);
    }
}
