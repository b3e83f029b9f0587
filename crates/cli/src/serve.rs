//! `waitbench serve`: the mock server, standalone, until Ctrl-C.

use anyhow::Context;
use waitbench_mockserver::{MockServer, ServerConfig};

use crate::args::ServeArgs;

/// Runs the server until Ctrl-C; in-flight requests finish before it exits.
pub fn serve(args: ServeArgs) -> anyhow::Result<()> {
    if !args.listen.ip().is_loopback() {
        eprintln!(
            "warning: listening on {}, which is not loopback: anyone who can reach this \
             machine can send load through it",
            args.listen
        );
    }
    let defaults = ServerConfig::default();
    let config = ServerConfig {
        listen: args.listen,
        worker_threads: args.threads.unwrap_or(defaults.worker_threads),
        ..defaults
    }
    .with_conditions(args.conditions.conditions());
    let latency = config
        .latency
        .as_ref()
        .map_or_else(|| "none".to_string(), ToString::to_string);
    let server = MockServer::start(config)
        .with_context(|| format!("starting the server on {}", args.listen))?;
    eprintln!(
        "waitbench mock server on {} (latency {latency}; Ctrl-C stops)",
        server.url()
    );
    // The server runs on its own runtime; this one only waits for Ctrl-C.
    let waiter = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("building the signal runtime")?;
    waiter
        .block_on(server.run_until(async {
            let _ = tokio::signal::ctrl_c().await;
            eprintln!("shutting down: letting in-flight requests finish");
        }))
        .context("serving")?;
    Ok(())
}
