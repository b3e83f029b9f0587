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
/// (the default sizes it to the whole machine), unless `threads` says otherwise.
pub fn server_config(threads: Option<usize>, cpus: Option<&CpuSet>) -> ServerConfig {
    let defaults = ServerConfig::default();
    ServerConfig {
        worker_threads: threads
            .or(cpus.map(CpuSet::len))
            .unwrap_or(defaults.worker_threads),
        ..defaults
    }
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
