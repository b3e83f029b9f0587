//! `waitbench serve`: the mock server, standalone, until Ctrl-C or SIGTERM (how a
//! container is stopped). Either is its normal end: in-flight requests finish, up to
//! `--shutdown-timeout`, and it exits 0. Off loopback, control endpoints need a token;
//! a generated one is printed here, since nobody else could know it.

use anyhow::Context;
use waitbench_core::capacity::{self, Demand};
use waitbench_mockserver::MockServer;
use waitbench_suite::interrupt::stop_signal;

use crate::args::ServeArgs;

/// Runs the server until Ctrl-C or SIGTERM; in-flight requests finish before it exits.
pub fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let config = args.config;
    let (listen, chosen_token) = (config.listen, config.control_token.is_some());
    let protocol = config.protocol.describe();
    if !listen.ip().is_loopback() {
        eprintln!(
            "warning: listening on {listen}, which is not loopback: anyone who can reach \
             this machine can send load through it"
        );
    }
    // Over the descriptor limit, accept fails and connections starve in the backlog,
    // which the connection cap exists to prevent: refuse to start instead.
    capacity::check_machine(&Demand {
        client_connections: 0,
        server_connections: config.max_connections as u64,
        threads: config.worker_threads as u64,
        client_in_child: false,
    })
    .context("checking that this machine can hold --max-connections")?;
    let latency = config
        .conditions
        .latency
        .as_ref()
        .map_or_else(|| "none".to_string(), ToString::to_string);
    // The server runs on its own runtime; this one only waits for a signal. The signals
    // are registered before the server answers anyone, so a SIGTERM sent as soon as it
    // does still stops it gracefully rather than killing it.
    let waiter = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("building the signal runtime")?;
    let stop = {
        let _runtime = waiter.enter();
        stop_signal().context("listening for Ctrl-C and SIGTERM")?
    };
    let server =
        MockServer::start(config).with_context(|| format!("starting the server on {listen}"))?;
    eprintln!(
        "waitbench mock server on {} ({protocol}; latency {latency}; Ctrl-C stops)",
        server.url()
    );
    if let Some(ca) = server.ca_file() {
        eprintln!(
            "  certificate signed by the local CA {}\n  trust it: curl --cacert {} {}/",
            ca.display(),
            ca.display(),
            server.url()
        );
    }
    if !chosen_token && let Some(token) = server.control_token() {
        eprintln!(
            "control token (generated): {token}\n  POST /stats/reset needs the header \
             `Authorization: Bearer {token}`; give --control-token to choose it"
        );
    }
    waiter.block_on(async {
        server
            .run_until(async {
                let name = stop.await;
                eprintln!("{name}: shutting down, letting in-flight requests finish");
            })
            .await
            .context("serving")
    })?;
    Ok(())
}
