//! The HTTP/2 client's own ceiling at zero latency, two ways: hyper's HTTP/2 client
//! (`hyper::client::conn::http2`) and `h2`, the engine under it, driven directly (as
//! `hyper-tokio-h2` drives it), each with none of waitbench's measurement around it.
//!
//! ```text
//! cargo run --release -p waitbench-strategies --example h2_ceiling -- \
//!     hyper|h2 CONNECTIONS CONCURRENCY REQUESTS URL
//! ```
//! C tasks on one current-thread runtime (as `h2load -t 1` runs on one thread) share K
//! connections, assigned in turn, and send REQUESTS GETs between them. Over https://
//! the client handshakes as the strategies do (trusting the CAs `waitbench serve --tls`
//! generated) and offers ALPN `h2`; over http:// it speaks h2c with prior knowledge. It
//! prints requests per second and the client's CPU per request.
//!
//! Set beside `h2load -c K -m C/K -t 1` and `waitbench run -s hyper-tokio-h2
//! --connections K -c C --runtime current-thread` on the same server, it splits a gap
//! to h2load into what hyper's layer costs (a task spawned and a channel crossed per
//! request) and what waitbench's measurement costs.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// A connected stream, TLS or not.
trait Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Stream for T {}

/// Which layer sends the requests.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Client {
    Hyper,
    H2,
}

/// Process CPU time (user + system) so far, in seconds.
fn process_cpu_s() -> f64 {
    let (user, system) = waitbench_core::resources::process_cpu();
    (user + system).as_secs_f64()
}

/// A TLS connector configured as the strategies' (trusting waitbench's generated CAs),
/// offering ALPN `h2`.
fn connector() -> Result<tokio_rustls::TlsConnector, Error> {
    let config = waitbench_strategies::rustls_like_strategies(
        &waitbench_strategies::StrategyOptions::default(),
        &[b"h2"],
    )?;
    Ok(tokio_rustls::TlsConnector::from(config))
}

/// Opens one connection to `uri`'s host, over TLS for https://.
async fn dial(uri: &hyper::Uri) -> Result<Box<dyn Stream>, Error> {
    let host = uri.host().ok_or("URL without a host")?;
    let https = uri.scheme_str() == Some("https");
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let tcp = tokio::net::TcpStream::connect((host, port)).await?;
    tcp.set_nodelay(true)?;
    if !https {
        return Ok(Box::new(tcp));
    }
    let name = ServerName::try_from(host.to_string())?;
    Ok(Box::new(connector()?.connect(name, tcp).await?))
}

/// Sends requests through hyper's HTTP/2 client until `left` runs out.
async fn hyper_worker(
    mut sender: hyper::client::conn::http2::SendRequest<Full<Bytes>>,
    uri: hyper::Uri,
    left: Arc<AtomicU64>,
) -> Result<(), Error> {
    while take(&left) {
        sender.ready().await?;
        let mut request = Request::new(Full::new(Bytes::new()));
        *request.uri_mut() = uri.clone();
        let mut body = sender.send_request(request).await?.into_body();
        while let Some(frame) = body.frame().await {
            frame?;
        }
    }
    Ok(())
}

/// Sends requests through `h2` until `left` runs out.
async fn h2_worker(
    mut sender: h2::client::SendRequest<Bytes>,
    uri: hyper::Uri,
    left: Arc<AtomicU64>,
) -> Result<(), Error> {
    while take(&left) {
        std::future::poll_fn(|cx| sender.poll_ready(cx)).await?;
        let mut request = Request::new(());
        *request.uri_mut() = uri.clone();
        let (response, _) = sender.send_request(request, true)?;
        let mut body = response.await?.into_body();
        while let Some(chunk) = body.data().await {
            body.flow_control().release_capacity(chunk?.len())?;
        }
    }
    Ok(())
}

/// Takes one request from the budget; false once it is spent.
fn take(left: &AtomicU64) -> bool {
    left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
        .is_ok()
}

/// Opens K connections, then runs C workers over them; returns (seconds, CPU seconds).
async fn run(
    client: Client,
    connections: usize,
    concurrency: usize,
    requests: u64,
    uri: hyper::Uri,
) -> Result<(f64, f64), Error> {
    let left = Arc::new(AtomicU64::new(requests));
    let mut workers = tokio::task::JoinSet::new();
    let mut hyper_senders = Vec::new();
    let mut h2_senders = Vec::new();
    for _ in 0..connections {
        let stream = dial(&uri).await?;
        match client {
            Client::Hyper => {
                let (sender, connection) =
                    hyper::client::conn::http2::Builder::new(TokioExecutor::new())
                        .handshake(TokioIo::new(stream))
                        .await?;
                tokio::spawn(connection);
                hyper_senders.push(sender);
            }
            Client::H2 => {
                let (sender, connection) = h2::client::handshake(stream).await?;
                tokio::spawn(connection);
                h2_senders.push(sender);
            }
        }
    }
    let (cpu, started) = (process_cpu_s(), Instant::now());
    for worker in 0..concurrency {
        let (uri, left) = (uri.clone(), Arc::clone(&left));
        match client {
            Client::Hyper => {
                let sender = hyper_senders[worker % connections].clone();
                workers.spawn(hyper_worker(sender, uri, left));
            }
            Client::H2 => {
                let sender = h2_senders[worker % connections].clone();
                workers.spawn(h2_worker(sender, uri, left));
            }
        }
    }
    while let Some(joined) = workers.join_next().await {
        joined??;
    }
    Ok((started.elapsed().as_secs_f64(), process_cpu_s() - cpu))
}

fn usage() -> ! {
    eprintln!("usage: h2_ceiling hyper|h2 CONNECTIONS CONCURRENCY REQUESTS URL");
    std::process::exit(2);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [client, connections, concurrency, requests, url] = args.as_slice() else {
        usage()
    };
    let client = match client.as_str() {
        "hyper" => Client::Hyper,
        "h2" => Client::H2,
        _ => usage(),
    };
    let (Ok(connections), Ok(concurrency), Ok(requests), Ok(uri)) = (
        connections.parse::<usize>(),
        concurrency.parse::<usize>(),
        requests.parse::<u64>(),
        url.parse::<hyper::Uri>(),
    ) else {
        usage()
    };
    if connections == 0 || concurrency == 0 {
        usage()
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime builds");
    match runtime.block_on(run(client, connections, concurrency, requests, uri)) {
        Ok((seconds, cpu)) => println!(
            "{client:?} K={connections} C={concurrency}: {:.0} req/s, client CPU {:.2} µs/request",
            requests as f64 / seconds,
            1e6 * cpu / requests as f64,
        ),
        Err(err) => {
            eprintln!("h2_ceiling: {err}");
            std::process::exit(1);
        }
    }
}
