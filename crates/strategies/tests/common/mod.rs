//! Helpers shared by the integration tests: an embedded mock server, workloads, and a
//! tiny path-recording server for checks the mock server does not count.

#![allow(dead_code)] // each test binary uses a different subset

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use waitbench_core::{
    ErrorKind, ErrorPolicy, LoadModel, Measurement, PathPlan, Recorder, Timeouts, Workload,
};
use waitbench_mockserver::{MockServer, ServerConfig};
use waitbench_strategies::runtimes::runtime_of;
use waitbench_strategies::{StrategyKind, StrategyOptions, build};

/// A mock server on a free loopback port with a default latency, if any.
pub fn server(latency: Option<&str>) -> MockServer {
    MockServer::start(ServerConfig {
        conditions: waitbench_mockserver::Conditions {
            latency: latency.map(|l| l.parse().expect("valid latency spec")),
            ..Default::default()
        },
        worker_threads: 2,
        ..Default::default()
    })
    .expect("mock server starts")
}

/// A mock server speaking h2c (HTTP/2 with prior knowledge), for the HTTP/2-only
/// strategies, with a default latency, if any.
pub fn h2c_server(latency: Option<&str>) -> MockServer {
    MockServer::start(ServerConfig {
        conditions: waitbench_mockserver::Conditions {
            latency: latency.map(|l| l.parse().expect("valid latency spec")),
            ..Default::default()
        },
        worker_threads: 2,
        protocol: waitbench_mockserver::ProtocolConfig {
            http2: true,
            ..Default::default()
        },
        ..Default::default()
    })
    .expect("h2c mock server starts")
}

/// A batch of `requests` to `/` at `concurrency`, with `query` appended.
pub fn batch(target: &str, requests: u64, concurrency: usize, query: Option<&str>) -> Workload {
    Workload {
        target: target.to_string(),
        paths: PathPlan::Single { path: "/".into() },
        query: query.map(str::to_string),
        load: LoadModel::Batch {
            requests,
            concurrency,
        },
        on_error: ErrorPolicy::WaitAll,
        request: Default::default(),
        timeouts: Timeouts {
            connect: Duration::from_secs(2),
            request: Duration::from_secs(5),
        },
    }
}

/// `load` to `/` with 10 ms of injected latency on every request and the default
/// timeouts: the timed load models (closed and open loop) the client tests run.
pub fn timed(target: &str, load: LoadModel) -> Workload {
    Workload {
        target: target.to_string(),
        paths: PathPlan::Single { path: "/".into() },
        query: Some("latency=10ms".into()),
        load,
        on_error: Default::default(),
        request: Default::default(),
        timeouts: Timeouts::default(),
    }
}

/// Runs `workload` with the strategy `kind` and default options, panicking on a run error.
pub fn run(kind: StrategyKind, workload: &Workload) -> Measurement {
    run_with(kind, &StrategyOptions::default(), workload)
}

/// Runs `workload` with the strategy `kind` and `options`, panicking on a run error.
pub fn run_with(kind: StrategyKind, options: &StrategyOptions, workload: &Workload) -> Measurement {
    build(kind, options)
        .run(workload)
        .unwrap_or_else(|err| panic!("{kind} failed: {err:#?}"))
}

/// Whether `kind` cannot run here (an external runtime's pattern whose toolchain or
/// environment is missing); says why, so that a skipped check is visible, never a silent
/// pass, and fails the test instead when the runtime is required (CI sets its
/// `WAITBENCH_REQUIRE_…` variable), so a green run always includes every runtime.
pub fn unavailable(kind: StrategyKind) -> bool {
    let Some(runtime) = runtime_of(kind) else {
        return false;
    };
    match runtime.prepare() {
        Ok(()) => false,
        Err(reason) if runtime.required() => panic!(
            "{kind} must run ({} is set) but cannot: {reason}",
            runtime.require_env()
        ),
        Err(reason) => {
            eprintln!("skipped {kind}: {reason}");
            true
        }
    }
}

/// Errors of `kind` in `recorder`.
pub fn errors(recorder: &Recorder, kind: ErrorKind) -> u64 {
    recorder.counters.errors[kind.index()]
}

/// Asserts `sent == ok + http_errors + errors` (the strategies check it too; this says
/// which strategy broke it).
pub fn assert_accounted(kind: StrategyKind, recorder: &Recorder) {
    let accounted =
        recorder.counters.ok + recorder.counters.http_errors() + recorder.counters.error_total();
    assert_eq!(recorder.counters.sent, accounted, "{kind}: {recorder:?}");
}

/// Asserts what a closed loop with a warm-up must show: requests sent in the warm-up and
/// after it, the server's count since `served_before` equal to both together, and the
/// accounting balanced.
pub fn assert_closed_loop_counted(
    kind: StrategyKind,
    m: &Measurement,
    server: &MockServer,
    served_before: u64,
) {
    let counters = &m.recorder.counters;
    assert!(
        counters.warmup_sent > 0 && counters.sent > 0,
        "{kind}: {counters:?}"
    );
    assert_eq!(
        server.stats().requests_served - served_before,
        counters.sent + counters.warmup_sent,
        "{kind}"
    );
    assert_accounted(kind, &m.recorder);
}

/// A minimal keep-alive HTTP/1.1 server that answers `200 ok` and records every path it
/// was asked for, so a test can check what reached the server, not what the client says.
pub struct PathRecorder {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    paths: Arc<Mutex<Vec<String>>>,
    requests: Arc<Mutex<Vec<Seen>>>,
}

/// One request as the server read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Every header, name lower-cased, value trimmed.
    pub headers: Vec<(String, String)>,
    /// The body (by its Content-Length).
    pub body: Vec<u8>,
}

impl Seen {
    /// The first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl PathRecorder {
    /// Starts the server on a free port; it runs until the test process exits.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let paths = Arc::new(Mutex::new(Vec::new()));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (seen, full) = (Arc::clone(&paths), Arc::clone(&requests));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (seen, full) = (Arc::clone(&seen), Arc::clone(&full));
                std::thread::spawn(move || serve_connection(stream, &seen, &full));
            }
        });
        PathRecorder {
            url,
            paths,
            requests,
        }
    }

    /// Every request read so far, in arrival order.
    pub fn requests(&self) -> Vec<Seen> {
        self.requests.lock().expect("not poisoned").clone()
    }

    /// Every path requested so far (with its query string), in arrival order.
    pub fn paths(&self) -> Vec<String> {
        self.paths.lock().expect("not poisoned").clone()
    }

    /// How many distinct paths were requested.
    pub fn distinct(&self) -> usize {
        self.paths().into_iter().collect::<HashSet<_>>().len()
    }
}

fn serve_connection(stream: TcpStream, seen: &Mutex<Vec<String>>, full: &Mutex<Vec<Seen>>) {
    let mut writer = stream.try_clone().expect("clone stream");
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut words = line.split_whitespace();
        let (Some(method), Some(path)) = (words.next(), words.next()) else {
            return;
        };
        let (method, path) = (method.to_string(), path.to_string());
        seen.lock().expect("not poisoned").push(path.clone());
        let mut headers = Vec::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" || line == "\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
            }
        }
        let length = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if std::io::Read::read_exact(&mut reader, &mut body).is_err() {
            return;
        }
        full.lock().expect("not poisoned").push(Seen {
            method,
            path,
            headers,
            body,
        });
        if writer
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            .is_err()
        {
            return;
        }
    }
}

/// Options trusting `server`'s generated CA, resuming TLS sessions as `resume` says.
pub fn trusting(server: &MockServer, resume: waitbench_strategies::TlsResume) -> StrategyOptions {
    StrategyOptions {
        cacert: Some(server.ca_file().expect("a generated CA").to_path_buf()),
        tls_resume: resume,
        ..StrategyOptions::default()
    }
}

/// The server's (full, resumed, failed) TLS handshakes once they number `total` (the
/// server counts a handshake just after the client sees it), or after 5 s.
pub fn handshakes(server: &MockServer, total: u64) -> (u64, u64, u64) {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let stats = server.stats();
        let tls = stats.tls.expect("a TLS server reports handshakes");
        if tls.full + tls.resumed + tls.failed >= total || std::time::Instant::now() > deadline {
            return (tls.full, tls.resumed, tls.failed);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A file holding a self-signed certificate for localhost, which signed nothing a
/// server presents: a CA a client can trust and still fail every handshake. `name`
/// keeps test binaries apart; remove the file when done.
pub fn stranger_ca(name: &str) -> std::path::PathBuf {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()])
        .expect("rcgen makes a certificate");
    let file = std::env::temp_dir().join(format!(
        "waitbench-{name}-stranger-{}.pem",
        std::process::id()
    ));
    std::fs::write(&file, cert.cert.pem()).expect("temp file is writable");
    file
}

/// Runs `requests` requests of `kind` one at a time against the TLS `server`, each on a
/// new connection, with resumption off and then on, and checks the handshakes the
/// server and the client count: every connection a full handshake, then only the first.
pub fn assert_resumption_off_then_on(server: &MockServer, kind: StrategyKind, requests: u64) {
    use waitbench_strategies::TlsResume;
    let workload = batch(&server.url(), requests, 1, None);
    let (full0, resumed0, _) = handshakes(server, 0);
    let off = run_with(kind, &trusting(server, TlsResume::Off), &workload);
    assert_eq!(off.recorder.counters.ok, requests, "{kind}");
    let (full1, resumed1, _) = handshakes(server, full0 + resumed0 + requests);
    assert_eq!(
        (full1 - full0, resumed1 - resumed0),
        (requests, 0),
        "{kind}: every connection a full handshake"
    );
    let client = off.connections.unwrap().tls.unwrap();
    assert_eq!(
        (client.full, client.resumed),
        (requests, 0),
        "{kind}: the client counts the same"
    );

    let on = run_with(kind, &trusting(server, TlsResume::On), &workload);
    assert_eq!(on.recorder.counters.ok, requests, "{kind}");
    let (full2, resumed2, _) = handshakes(server, full1 + resumed1 + requests);
    assert_eq!(
        (full2 - full1, resumed2 - resumed1),
        (1, requests - 1),
        "{kind}: one request at a time, each connection resumes the last session"
    );
    let client = on.connections.unwrap().tls.unwrap();
    assert_eq!((client.full, client.resumed), (1, requests - 1), "{kind}");
}

/// Runs `requests` requests of `kind` (two at a time) against the TLS `server` with
/// `options` that trust another CA, and checks that every one fails as a counted TLS
/// error, no certificate accepted, with a message that says why.
pub fn assert_untrusted_certificate_fails(
    server: &MockServer,
    kind: StrategyKind,
    options: &StrategyOptions,
    requests: u64,
) {
    let measurement = run_with(kind, options, &batch(&server.url(), requests, 2, None));
    assert_accounted(kind, &measurement.recorder);
    assert_eq!(measurement.recorder.counters.ok, 0, "{kind}");
    assert_eq!(
        errors(&measurement.recorder, ErrorKind::Tls),
        requests,
        "{kind}: {:?}",
        measurement.error_samples
    );
    let tls = measurement.connections.unwrap().tls.unwrap();
    assert_eq!(
        (tls.full, tls.resumed),
        (0, 0),
        "{kind}: no certificate was accepted"
    );
    assert!(tls.failed >= 1, "{kind}: {tls:?}");
    assert!(
        measurement
            .error_samples
            .iter()
            .any(|m| m.contains("certificate") || m.contains("Certificate")),
        "{kind}: the message says why: {:?}",
        measurement.error_samples
    );
}
