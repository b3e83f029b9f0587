//! A bare axum hello-world, the reference `waitbench serve` is compared with
//! (`scripts/server-throughput.sh`): same runtime size, no latency, no stats, no faults.
//!
//! Usage: `cargo run --release -p waitbench-mockserver --example hello_axum -- 127.0.0.1:8081`

use axum::Router;
use axum::routing::get;

fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".to_string());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime can be built");
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .unwrap_or_else(|e| panic!("binding {addr}: {e}"));
        let app = Router::new().route("/", get(|| async { "ok" }));
        eprintln!("hello_axum on http://{addr}");
        axum::serve(listener, app).await.expect("serving");
    });
}
