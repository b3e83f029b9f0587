//! Measures how late injected delays are: the server's own view (`Server-Timing`
//! applied − sampled) and the client's (request latency − sampled), with an embedded
//! server and a reqwest client on a separate runtime in the same process.
//!
//! ```text
//! cargo run --release -p waitbench-mockserver --example overshoot [-- SCENARIO...]
//! ```
//! A scenario is `IN_FLIGHT:LATENCY[:SECONDS]`; the default runs `1:1ms:3` and
//! `1000:20ms:5`. `--raw` swaps reqwest for a minimal keep-alive HTTP/1.1 client that
//! leaves more of a small machine's CPU to the server. Also reports the server's CPU per request and while idle (the timer
//! must not spin).

use std::sync::Arc;
use std::time::{Duration, Instant};

use waitbench_mockserver::{MockServer, ServerConfig, parse_duration_spec};

/// Per-request overshoots in microseconds.
#[derive(Default)]
struct Overshoots {
    server_us: Vec<f64>,
    client_us: Vec<f64>,
}

fn timing_ms(header: &str, metric: &str) -> Option<f64> {
    header.split(',').find_map(|entry| {
        let (name, dur) = entry.trim().split_once(";dur=")?;
        (name == metric).then(|| dur.parse().ok())?
    })
}

async fn worker(client: reqwest::Client, url: Arc<str>, until: Instant) -> Overshoots {
    let mut out = Overshoots::default();
    while Instant::now() < until {
        let start = Instant::now();
        let response = match client.get(&*url).send().await {
            Ok(response) => response,
            Err(error) => {
                eprintln!("request failed: {error}");
                continue;
            }
        };
        let timing = response
            .headers()
            .get("server-timing")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        if response.bytes().await.is_err() {
            continue;
        }
        let elapsed_us = start.elapsed().as_secs_f64() * 1e6;
        let (Some(sampled), Some(applied)) =
            (timing_ms(&timing, "sampled"), timing_ms(&timing, "applied"))
        else {
            continue;
        };
        out.server_us.push((applied - sampled) * 1e3);
        out.client_us.push(elapsed_us - sampled * 1e3);
    }
    out
}

/// A minimal HTTP/1.1 client on one keep-alive connection: it costs a fraction of a
/// full client's CPU, so that on a small machine the server is not starved by the
/// client it shares the cores with.
async fn raw_worker(addr: std::net::SocketAddr, request: Arc<[u8]>, until: Instant) -> Overshoots {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut out = Overshoots::default();
    let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else {
        eprintln!("connect failed");
        return out;
    };
    let _ = stream.set_nodelay(true);
    let mut buffer = Vec::with_capacity(4096);
    while Instant::now() < until {
        let start = Instant::now();
        if stream.write_all(&request).await.is_err() {
            return out;
        }
        buffer.clear();
        // Read until the end of the headers, then the body by its Content-Length.
        let (head_end, body_len) = loop {
            let mut chunk = [0u8; 2048];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return out,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
            if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
                let len = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                break (end + 4, len);
            }
        };
        while buffer.len() < head_end + body_len {
            let mut chunk = [0u8; 2048];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return out,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        let elapsed_us = start.elapsed().as_secs_f64() * 1e6;
        let head = String::from_utf8_lossy(&buffer[..head_end]).to_ascii_lowercase();
        let Some(timing) = head.lines().find_map(|l| l.strip_prefix("server-timing:")) else {
            continue;
        };
        let (Some(sampled), Some(applied)) =
            (timing_ms(timing, "sampled"), timing_ms(timing, "applied"))
        else {
            continue;
        };
        out.server_us.push((applied - sampled) * 1e3);
        out.client_us.push(elapsed_us - sampled * 1e3);
    }
    out
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn summary(name: &str, values: &mut [f64]) -> String {
    values.sort_by(f64::total_cmp);
    format!(
        "{name}: p50 {:>7.1} µs  p90 {:>7.1} µs  p99 {:>7.1} µs  max {:>8.1} µs",
        percentile(values, 0.5),
        percentile(values, 0.9),
        percentile(values, 0.99),
        percentile(values, 1.0)
    )
}

fn run(server: &MockServer, raw: bool, in_flight: usize, latency: &str, seconds: f64) {
    let client_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("client runtime");
    let url: Arc<str> = format!("{}/?latency={latency}", server.url()).into();
    let request: Arc<[u8]> = format!("GET /?latency={latency} HTTP/1.1\r\nHost: bench\r\n\r\n")
        .into_bytes()
        .into();
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(usize::MAX)
        .build()
        .expect("reqwest client");
    let spawn = |until: Instant| {
        if raw {
            tokio::spawn(raw_worker(server.addr(), request.clone(), until))
        } else {
            tokio::spawn(worker(client.clone(), url.clone(), until))
        }
    };
    // Warm up: open the connections and fault in the code paths.
    let warmup = Instant::now() + Duration::from_millis(500);
    let results = client_runtime.block_on(async {
        let tasks: Vec<_> = (0..in_flight).map(|_| spawn(warmup)).collect();
        for task in tasks {
            let _ = task.await;
        }
        let before = server.stats();
        let wall = Instant::now();
        let until = wall + Duration::from_secs_f64(seconds);
        let tasks: Vec<_> = (0..in_flight).map(|_| spawn(until)).collect();
        let mut all = Overshoots::default();
        for task in tasks {
            let part = task.await.expect("worker finished");
            all.server_us.extend(part.server_us);
            all.client_us.extend(part.client_us);
        }
        let after = server.stats();
        (all, before, after, wall.elapsed())
    });
    let (mut all, before, after, wall) = results;
    let requests = after.requests_served - before.requests_served;
    let cpu = after.cpu_seconds - before.cpu_seconds;
    println!(
        "{} client, {in_flight} in flight, latency {latency}: {} requests in {:.1} s ({:.0} req/s), \
         server max in flight {}, server CPU {:.2} s ({:.1} µs/request, {:.0}% of one core)",
        if raw { "raw" } else { "reqwest" },
        all.server_us.len(),
        wall.as_secs_f64(),
        requests as f64 / wall.as_secs_f64(),
        after.max_in_flight,
        cpu,
        cpu / requests.max(1) as f64 * 1e6,
        cpu / wall.as_secs_f64() * 100.0
    );
    println!(
        "  {}",
        summary("server applied − sampled", &mut all.server_us)
    );
    println!(
        "  {}",
        summary("client latency − sampled", &mut all.client_us)
    );
    server.reset_max_in_flight();
}

fn main() {
    waitbench_core::limits::raise_fd_limit().expect("raise the open-file limit");
    let mut scenarios: Vec<String> = std::env::args().skip(1).collect();
    let raw = scenarios.iter().any(|a| a == "--raw");
    scenarios.retain(|a| a != "--raw");
    let scenarios = if scenarios.is_empty() {
        vec!["1:1ms:3".to_string(), "1000:20ms:5".to_string()]
    } else {
        scenarios
    };
    let server = MockServer::start(ServerConfig::default()).expect("server starts");
    println!(
        "server: {} worker threads, {} cores",
        ServerConfig::default().worker_threads,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for scenario in &scenarios {
        let mut parts = scenario.split(':');
        let in_flight: usize = parts
            .next()
            .and_then(|s| s.parse().ok())
            .expect("IN_FLIGHT");
        let latency = parts.next().expect("LATENCY");
        assert!(parse_duration_spec(latency).is_some(), "LATENCY like 20ms");
        let seconds: f64 = parts.next().map_or(3.0, |s| s.parse().expect("SECONDS"));
        run(&server, raw, in_flight, latency, seconds);
    }
    // Let the closing connections settle before measuring idle CPU.
    std::thread::sleep(Duration::from_secs(1));
    let idle_before = server.stats().cpu_seconds;
    std::thread::sleep(Duration::from_secs(2));
    let idle = server.stats().cpu_seconds - idle_before;
    println!("idle server CPU over 2 s: {:.3} ms", idle * 1e3);
}
