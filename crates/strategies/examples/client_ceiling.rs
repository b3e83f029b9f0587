//! The client libraries' own ceiling at zero latency: how many requests per second a bare
//! closed loop reaches, and what each costs in client CPU, with none of waitbench's
//! measurement around it (no dispatcher, no recorder, no resource sampler).
//!
//! ```text
//! cargo run --release -p waitbench-strategies --example client_ceiling -- \
//!     CLIENT RUNTIME CONCURRENCY SECONDS URL
//! ```
//! - `CLIENT` is `reqwest` (one client per runtime, configured like the `reqwest-tokio`
//!   strategy, URL parsed once) or `hyper` (one `hyper::client::conn::http1` connection
//!   per worker task and no pool, the way oha drives hyper).
//! - `RUNTIME` is `multi-thread` (one work-stealing runtime with a worker per core, as
//!   `reqwest-tokio` runs) or `per-core` (one current-thread runtime per core, each with
//!   its share of the workers, as oha runs).
//!
//! Set beside `waitbench run -s reqwest-tokio` and `oha` on the same server
//! (`scripts/versus-oha.py` does all three, back to back), it splits a gap to oha into
//! what waitbench's measurement costs and what the client library costs.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper_util::rt::TokioIo;

/// Which client library drives the loop.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Client {
    Reqwest,
    Hyper,
}

/// How the tokio runtime is laid out.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Layout {
    MultiThread,
    PerCore,
}

/// What every worker shares: where to send, when to stop, and the completed count.
struct Shared {
    url: reqwest::Url,
    stop: AtomicBool,
    completed: AtomicU64,
    failed: AtomicU64,
}

/// Process CPU time (user + system) so far, in seconds.
fn process_cpu_s() -> f64 {
    let (user, system) = waitbench_core::resources::process_cpu();
    (user + system).as_secs_f64()
}

/// A client configured as the `reqwest-tokio` strategy configures it.
fn reqwest_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .tcp_nodelay(true)
        .build()
        .expect("a reqwest client with these settings always builds")
}

/// One reqwest worker: GET and drain the body until told to stop.
async fn reqwest_worker(client: reqwest::Client, shared: Arc<Shared>) {
    let mut done = 0;
    while !shared.stop.load(Ordering::Relaxed) {
        let outcome = async {
            let mut response = client.get(shared.url.clone()).send().await?;
            while response.chunk().await?.is_some() {}
            Ok::<_, reqwest::Error>(())
        };
        match outcome.await {
            Ok(()) => done += 1,
            Err(_) => {
                shared.failed.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    shared.completed.fetch_add(done, Ordering::Relaxed);
}

/// One hyper worker: its own keep-alive connection, GET and drain until told to stop.
async fn hyper_worker(shared: Arc<Shared>) -> Result<(), Box<dyn std::error::Error>> {
    let host = shared
        .url
        .host_str()
        .ok_or("URL without a host")?
        .to_string();
    let port = shared
        .url
        .port_or_known_default()
        .ok_or("URL without a port")?;
    let authority = format!("{host}:{port}");
    let path: hyper::Uri = match shared.url.query() {
        Some(query) => format!("{}?{query}", shared.url.path()).parse()?,
        None => shared.url.path().parse()?,
    };
    let stream = tokio::net::TcpStream::connect(&authority).await?;
    stream.set_nodelay(true)?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let mut done = 0;
    while !shared.stop.load(Ordering::Relaxed) {
        let request = Request::get(path.clone())
            .header(hyper::header::HOST, &authority)
            .body(Empty::new())?;
        let mut body = sender.send_request(request).await?.into_body();
        while let Some(frame) = body.frame().await {
            frame?;
        }
        done += 1;
    }
    shared.completed.fetch_add(done, Ordering::Relaxed);
    Ok(())
}

/// Runs `workers` workers of `client` on one runtime; returns when all have stopped.
async fn run_workers(client: Client, workers: usize, shared: Arc<Shared>) {
    let mut set = tokio::task::JoinSet::new();
    let reqwest = (client == Client::Reqwest).then(reqwest_client);
    for _ in 0..workers {
        let shared = Arc::clone(&shared);
        match &reqwest {
            Some(http) => {
                set.spawn(reqwest_worker(http.clone(), shared));
            }
            None => {
                set.spawn(async move {
                    if let Err(err) = hyper_worker(Arc::clone(&shared)).await {
                        eprintln!("hyper worker failed: {err}");
                        shared.failed.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
        }
    }
    while set.join_next().await.is_some() {}
}

fn usage() -> ! {
    eprintln!("usage: client_ceiling reqwest|hyper multi-thread|per-core CONCURRENCY SECONDS URL");
    std::process::exit(2);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [client, layout, concurrency, seconds, url] = args.as_slice() else {
        usage()
    };
    let client = match client.as_str() {
        "reqwest" => Client::Reqwest,
        "hyper" => Client::Hyper,
        _ => usage(),
    };
    let layout = match layout.as_str() {
        "multi-thread" => Layout::MultiThread,
        "per-core" => Layout::PerCore,
        _ => usage(),
    };
    let (Ok(concurrency), Ok(seconds), Ok(url)) = (
        concurrency.parse::<usize>(),
        seconds.parse::<f64>(),
        reqwest::Url::parse(url),
    ) else {
        usage()
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let shared = Arc::new(Shared {
        url,
        stop: AtomicBool::new(false),
        completed: AtomicU64::new(0),
        failed: AtomicU64::new(0),
    });

    let cpu_before = process_cpu_s();
    let started = Instant::now();
    let runtimes = match layout {
        Layout::MultiThread => 1,
        Layout::PerCore => cores,
    };
    let threads: Vec<_> = (0..runtimes)
        .map(|index| {
            // Split C as evenly as the runtimes allow, as oha does.
            let workers = concurrency / runtimes + usize::from(index < concurrency % runtimes);
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || {
                let runtime = match layout {
                    Layout::MultiThread => tokio::runtime::Builder::new_multi_thread()
                        .worker_threads(cores)
                        .enable_all()
                        .build(),
                    Layout::PerCore => tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build(),
                }
                .expect("a tokio runtime builds");
                runtime.block_on(run_workers(client, workers, shared));
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs_f64(seconds));
    shared.stop.store(true, Ordering::Relaxed);
    for thread in threads {
        thread.join().expect("a runtime thread panicked");
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = process_cpu_s() - cpu_before;
    let completed = shared.completed.load(Ordering::Relaxed) as f64;
    println!(
        "{client:?} {layout:?} C={concurrency} {elapsed:.1}s: {:.0} req/s, client CPU {:.1} µs/request, {} failed",
        completed / elapsed,
        1e6 * cpu / completed,
        shared.failed.load(Ordering::Relaxed),
    );
}
