//! Heap allocations per request: `waitbench serve`'s request path beside the plain-sleep
//! server of `hello_axum.rs` (bare axum, handler awaits `tokio::time::sleep(L)`), both in
//! this process under a counting global allocator.
//!
//! Why count instead of time: on the shared machine CPU per request scatters by ±10%
//! between runs, while the allocator's share of it (16% of `serve`'s samples against 6%
//! for the plain sleep at 1,000 connections) follows the number of allocations a request
//! makes, which is exact and repeatable. The clients are blocking threads that reuse
//! their buffers, so every allocation counted is the server's.
//!
//! Usage: `cargo run --release -p waitbench-mockserver --example allocations -- [CONNECTIONS] [REQUESTS_EACH] [LATENCY]`
//! (defaults 8, 2000, 1ms).

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use waitbench_core::units::HumanDuration;
use waitbench_mockserver::{Conditions, MockServer, ServerConfig};

/// The system allocator, counting calls and bytes.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(new_size as u64, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// One keep-alive connection sending `requests` GETs for `/`; the buffers are made
/// before the loop, so the loop itself allocates nothing.
fn client(addr: SocketAddr, requests: usize) {
    let mut stream = TcpStream::connect(addr).expect("the server accepts");
    stream.set_nodelay(true).expect("TCP_NODELAY can be set");
    let request = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let mut buffer = [0u8; 4096];
    for _ in 0..requests {
        stream.write_all(request).expect("the server reads");
        let mut filled = 0;
        // Both servers answer "ok" bodies of at most 3 bytes with a Content-Length.
        loop {
            let n = stream
                .read(&mut buffer[filled..])
                .expect("the server answers");
            assert!(n > 0, "the server closed the connection");
            filled += n;
            let seen = &buffer[..filled];
            if let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                let length = content_length(&seen[..end]);
                if filled >= end + 4 + length {
                    break;
                }
            }
        }
    }
}

fn content_length(head: &[u8]) -> usize {
    head.split(|b| *b == b'\n')
        .find_map(|line| {
            let line = std::str::from_utf8(line).ok()?.trim();
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .expect("both servers send Content-Length")
}

/// Allocations and bytes per request over `connections` × `requests` after a warm-up
/// (which opens the connections, grows the timer's heap and faults in the code).
fn measure(addr: SocketAddr, connections: usize, requests: usize) -> (f64, f64) {
    let run = |each: usize| {
        let clients: Vec<_> = (0..connections)
            .map(|_| std::thread::spawn(move || client(addr, each)))
            .collect();
        for client in clients {
            client.join().expect("a client thread does not panic");
        }
    };
    run(requests / 10 + 1);
    // The client threads and their sockets are made before counting starts: spawning
    // them allocates, so they are started, then held at a barrier.
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(connections + 1));
    let done = std::sync::Arc::new(std::sync::Barrier::new(connections + 1));
    let clients: Vec<_> = (0..connections)
        .map(|_| {
            let (barrier, done) = (barrier.clone(), done.clone());
            std::thread::spawn(move || {
                barrier.wait();
                client(addr, requests);
                done.wait();
            })
        })
        .collect();
    let (count, bytes) = (
        ALLOCATIONS.load(Ordering::Relaxed),
        BYTES.load(Ordering::Relaxed),
    );
    barrier.wait();
    done.wait();
    let (count, bytes) = (
        ALLOCATIONS.load(Ordering::Relaxed) - count,
        BYTES.load(Ordering::Relaxed) - bytes,
    );
    for client in clients {
        client.join().expect("a client thread does not panic");
    }
    let total = (connections * requests) as f64;
    (count as f64 / total, bytes as f64 / total)
}

/// The plain-sleep server of `hello_axum.rs` on its own runtime, as `serve` runs on its.
fn plain_sleep(latency: Duration) -> (SocketAddr, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime can be built");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("binding port 0");
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    let app = Router::new().route(
        "/",
        get(move || async move {
            tokio::time::sleep(latency).await;
            "ok"
        }),
    );
    runtime.spawn(async move { axum::serve(listener, app).await });
    (addr, runtime)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let connections: usize = args.next().map_or(8, |a| a.parse().expect("CONNECTIONS"));
    let requests: usize = args.next().map_or(2000, |a| a.parse().expect("REQUESTS"));
    let latency: Duration = args
        .next()
        .map_or("1ms".to_string(), |a| a)
        .parse::<HumanDuration>()
        .expect("LATENCY")
        .into();

    let server = MockServer::start(ServerConfig {
        listen: "127.0.0.1:0".parse().expect("a literal address"),
        conditions: Conditions {
            latency: Some(
                format!("{}us", latency.as_micros())
                    .parse()
                    .expect("a latency"),
            ),
            ..Conditions::default()
        },
        ..ServerConfig::default()
    })
    .expect("the mock server starts");
    let (serve_count, serve_bytes) = measure(server.addr(), connections, requests);
    drop(server);
    let (addr, runtime) = plain_sleep(latency);
    let (plain_count, plain_bytes) = measure(addr, connections, requests);
    drop(runtime);
    println!(
        "{connections} connections × {requests} requests, L = {latency:?}, per request:\n\
         waitbench serve: {serve_count:6.2} allocations, {serve_bytes:7.0} bytes\n\
         plain sleep:     {plain_count:6.2} allocations, {plain_bytes:7.0} bytes"
    );
}
