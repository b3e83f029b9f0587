//! A bare axum hello-world, the reference `waitbench serve` is compared with: same
//! runtime size, no stats, no faults. With a LATENCY its handler awaits
//! `tokio::time::sleep(LATENCY)`, the plain sleep whose CPU per request the precise
//! timer is held to (`scripts/server-cpu.sh`); without one it answers at once
//! (`scripts/server-throughput.sh`).
//!
//! Usage: `cargo run --release -p waitbench-mockserver --example hello_axum -- 127.0.0.1:8081 [LATENCY]`

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use waitbench_core::units::HumanDuration;

fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8081".to_string());
    let latency: Duration = match args.next() {
        Some(text) => text
            .parse::<HumanDuration>()
            .unwrap_or_else(|e| panic!("LATENCY: {e}"))
            .into(),
        None => Duration::ZERO,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime can be built");
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .unwrap_or_else(|e| panic!("binding {addr}: {e}"));
        let app = if latency.is_zero() {
            Router::new().route("/", get(|| async { "ok" }))
        } else {
            Router::new().route(
                "/",
                get(move || async move {
                    tokio::time::sleep(latency).await;
                    "ok"
                }),
            )
        };
        eprintln!("hello_axum on http://{addr} (latency {latency:?})");
        axum::serve(listener, app).await.expect("serving");
    });
}
