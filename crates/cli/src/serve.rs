//! `waitbench serve`: the mock server, standalone, until Ctrl-C.

use anyhow::Context;
use waitbench_mockserver::{Faults, ServerConfig};

use crate::args::{ConditionArgs, ServeArgs};

/// Builds the server's fault settings from the shared condition flags.
pub fn faults(conditions: &ConditionArgs) -> Faults {
    Faults {
        fail: conditions.fail.clone(),
        reset: conditions.reset,
        stall: conditions.stall,
        bandwidth: conditions.bandwidth,
        pause: conditions.pause.clone(),
    }
}

/// Runs the server until Ctrl-C; in-flight requests finish before it exits.
pub fn serve(args: ServeArgs) -> anyhow::Result<()> {
    if !args.listen.ip().is_loopback() {
        eprintln!(
            "warning: listening on {}, which is not loopback: anyone who can reach this \
             machine can send load through it",
            args.listen
        );
    }
    let config = ServerConfig {
        listen: args.listen,
        latency: args.conditions.latency.clone(),
        connect_delay: args.conditions.connect_delay.clone(),
        faults: faults(&args.conditions),
        worker_threads: args
            .threads
            .unwrap_or_else(|| ServerConfig::default().worker_threads),
        ..ServerConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.worker_threads.max(1))
        .enable_all()
        .build()
        .context("building the server runtime")?;
    eprintln!(
        "waitbench mock server on http://{} (latency {}, Ctrl-C stops)",
        args.listen,
        config
            .latency
            .as_ref()
            .map_or_else(|| "none".to_string(), ToString::to_string)
    );
    runtime
        .block_on(waitbench_mockserver::serve(config, async {
            let _ = tokio::signal::ctrl_c().await;
            eprintln!("shutting down: letting in-flight requests finish");
        }))
        .with_context(|| format!("serving on {}", args.listen))?;
    Ok(())
}
