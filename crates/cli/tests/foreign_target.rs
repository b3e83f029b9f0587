//! `waitbench run --target` against a server that is not waitbench: it must receive the
//! measured requests and nothing else (no probe, no `POST /stats/reset`, no `/stats`
//! polling, no condition parameters), exactly at the URL given, and the summary must say
//! that server figures are not available.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use predicates::prelude::*;

/// A plain HTTP/1.1 server on a loopback port that answers 200 to anything, on kept-alive
/// connections, and records the method and path of every request it reads.
struct ForeignServer {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl ForeignServer {
    fn start() -> Self {
        Self::answering("200 OK")
    }

    /// A server that answers every request with `status` (e.g. `404 Not Found`).
    fn answering(status: &'static str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("bound address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = Arc::clone(&log);
                std::thread::spawn(move || serve(stream, &log, status));
            }
        });
        ForeignServer { url, requests }
    }

    fn requests(&self) -> Vec<String> {
        self.requests
            .lock()
            .expect("no test thread panicked")
            .clone()
    }
}

/// Answers every request on `stream` until the client closes it.
fn serve(stream: TcpStream, log: &Mutex<Vec<String>>, status: &str) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone the stream"));
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut content_length = 0usize;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            if header == "\r\n" || header == "\n" {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                content_length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; content_length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let mut parts = request_line.split_whitespace();
        let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let body = String::from_utf8_lossy(&body);
        log.lock()
            .expect("no test thread panicked")
            .push(if body.is_empty() {
                format!("{method} {path}")
            } else {
                format!("{method} {path} {body}")
            });
        let answered = writer
            .write_all(format!("HTTP/1.1 {status}\r\ncontent-length: 3\r\n\r\nok\n").as_bytes());
        if answered.is_err() {
            return;
        }
    }
}

fn waitbench() -> Command {
    Command::cargo_bin("waitbench").expect("the waitbench binary is built")
}

#[test]
fn a_foreign_target_gets_only_the_measured_requests_and_the_preflight() {
    let server = ForeignServer::start();
    waitbench()
        .args([
            "run",
            "-s",
            "ureq-threads",
            "-n",
            "20",
            "-c",
            "4",
            "--quiet",
        ])
        .args(["--target", &server.url])
        .assert()
        .success()
        .stdout(predicate::str::contains("server figures: not available"));
    let requests = server.requests();
    // 20 measured requests and the one preflight, which is the same request: nothing
    // else (no /health probe, no /stats read or reset).
    assert_eq!(requests.len(), 21, "{requests:?}");
    assert!(requests.iter().all(|r| r == "GET /"), "{requests:?}");
}

#[test]
fn without_preflight_a_foreign_target_gets_exactly_the_measured_requests() {
    let server = ForeignServer::start();
    waitbench()
        .args(["run", "-s", "hyper-tokio", "-n", "7", "-c", "1", "--quiet"])
        .args(["--no-preflight", "--target", &server.url])
        .assert()
        .success();
    assert_eq!(server.requests(), vec!["GET /".to_string(); 7]);
}

#[test]
fn the_target_url_is_sent_as_given_with_the_method_headers_and_body() {
    let server = ForeignServer::start();
    let url = format!("{}/index.html?a=1&b=%20", server.url);
    waitbench()
        .args([
            "run",
            "-s",
            "reqwest-tokio",
            "-n",
            "3",
            "-c",
            "1",
            "--quiet",
        ])
        .args(["--target", &url, "-m", "post", "-H", "X-Team: a"])
        .args(["--body", "hello", "--json", "-"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("\"url\": \"{url}\"")))
        .stdout(predicate::str::contains("\"method\": \"POST\""))
        .stdout(predicate::str::contains("X-Team: a"))
        .stderr(predicate::str::contains(format!(
            "POST +1 header with a 5 B body {url}"
        )));
    assert_eq!(
        server.requests(),
        vec!["POST /index.html?a=1&b=%20 hello".to_string(); 4]
    );
}

#[test]
fn condition_flags_for_a_foreign_target_are_refused_and_never_sent() {
    let server = ForeignServer::start();
    waitbench()
        .args(["run", "-s", "hyper-tokio", "-n", "5", "--quiet"])
        .args(["--target", &server.url, "--latency", "50ms"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--latency 50ms"))
        .stderr(predicate::str::contains("only a waitbench server"));
    assert_eq!(server.requests(), ["GET /"], "the preflight alone");
}

#[test]
fn a_closed_port_fails_fast_naming_the_address_and_sends_no_load() {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    waitbench()
        .args([
            "run",
            "-s",
            "py-threadpool",
            "-d",
            "20s",
            "-c",
            "5",
            "--quiet",
        ])
        .args(["--target", &format!("http://127.0.0.1:{port}")])
        .timeout(std::time::Duration::from_secs(15))
        .assert()
        .code(4)
        .stderr(predicate::str::contains(format!(
            "connection refused by 127.0.0.1:{port}"
        )))
        .stdout(predicate::str::contains("latency").not());
}

#[test]
fn https_to_a_server_that_does_not_speak_tls_fails_the_preflight_as_a_tls_error() {
    let server = ForeignServer::start();
    let url = server.url.replace("http://", "https://");
    waitbench()
        .args([
            "run",
            "-s",
            "hyper-tokio",
            "-n",
            "5",
            "--quiet",
            "--insecure",
        ])
        .args(["--target", &url])
        .assert()
        .code(4)
        .stderr(predicate::str::contains(
            "if it does not speak TLS on that port",
        ))
        .stderr(predicate::str::contains("no load was sent"));
    assert!(
        server.requests().iter().all(|r| !r.starts_with("GET")),
        "no HTTP request was sent"
    );
}

#[test]
fn a_foreign_404_fails_the_preflight_with_exit_4_and_gets_no_load() {
    let server = ForeignServer::answering("404 Not Found");
    waitbench()
        .args(["run", "-s", "hyper-tokio", "-n", "50", "--quiet"])
        .args(["--target", &format!("{}/missing", server.url)])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("answered 404 Not Found"));
    assert_eq!(server.requests(), ["GET /missing"]);
}

#[test]
fn a_failing_run_shows_the_library_s_first_error_message_beside_the_counts() {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    for strategy in ["hyper-tokio", "reqwest-tokio", "ureq-threads"] {
        waitbench()
            .args(["run", "-s", strategy, "-n", "4", "-c", "1", "--quiet"])
            .args([
                "--no-preflight",
                "--target",
                &format!("http://127.0.0.1:{port}"),
            ])
            .assert()
            .code(4)
            .stdout(predicate::str::contains("failures    connect (4)"))
            .stdout(predicate::str::contains("Connection refused"))
            .stdout(predicate::str::contains("p50").not());
    }
}

#[test]
fn run_measures_an_https_target_and_records_its_tls_session() {
    let server = waitbench_mockserver::MockServer::start(waitbench_mockserver::ServerConfig {
        protocol: waitbench_mockserver::ProtocolConfig::tls(),
        ..Default::default()
    })
    .expect("a TLS mock server starts");
    let ca = server
        .ca_file()
        .expect("a generated CA")
        .to_str()
        .unwrap()
        .to_string();
    for strategy in ["ureq-threads", "hyper-tokio", "reqwest-tokio"] {
        let output = waitbench()
            .args(["run", "-s", strategy, "-n", "20", "-c", "2", "--quiet"])
            .args(["--target", &server.url(), "--cacert", &ca, "--json", "-"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let trial = &doc["result"]["trials"][0];
        assert_eq!(trial["counts"]["ok"], 20, "{trial}");
        let connections = &trial["connections"];
        assert_eq!(connections["protocol"], "HTTP/1.1", "{connections}");
        assert_eq!(connections["tls"]["version"], "TLSv1.3", "{connections}");
        assert_eq!(
            connections["tls"]["key_type"], "ecdsa-p256",
            "{connections}"
        );
        assert_eq!(trial["strategy"]["settings"]["tls_resume"], "on", "{trial}");
        let opened = connections["opened"].as_u64().unwrap();
        let tls = &connections["tls"];
        assert_eq!(
            tls["full"].as_u64().unwrap() + tls["resumed"].as_u64().unwrap(),
            opened
        );
    }
}

#[test]
fn run_against_an_h2c_server_checks_it_and_reads_its_figures() {
    let server = waitbench_mockserver::MockServer::start(waitbench_mockserver::ServerConfig {
        protocol: waitbench_mockserver::ProtocolConfig::h2c(),
        ..Default::default()
    })
    .expect("an h2c mock server starts");
    let output = waitbench()
        .args([
            "run",
            "-s",
            "hyper-tokio-h2",
            "-n",
            "30",
            "-c",
            "6",
            "--quiet",
        ])
        .args(["--target", &server.url(), "--json", "-"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let trial = &doc["result"]["trials"][0];
    assert_eq!(trial["counts"]["ok"], 30, "{trial}");
    assert_eq!(trial["connections"]["protocol"], "HTTP/2", "{trial}");
    assert_eq!(trial["connections"]["opened"], 1, "{trial}");
    // The preflight went over HTTP/1.1 and found a waitbench server, whose figures
    // were then read: the run's 30 requests, over HTTP/2.
    assert_eq!(trial["server"]["requests"], 30, "{trial}");
    let in_flight = trial["server"]["max_in_flight"].as_u64().unwrap();
    assert!(
        (2..=6).contains(&in_flight),
        "streams of one connection in flight together, at most C: {trial}"
    );
}

#[test]
fn run_tls_serves_the_embedded_server_over_https_and_an_h2_only_run_gets_h2c() {
    for (strategy, flags, protocol, tls) in [
        ("hyper-tokio", vec!["--tls"], "HTTP/1.1", true),
        ("hyper-tokio-h2", vec!["--tls"], "HTTP/2", true),
        ("hyper-tokio-h2", vec![], "HTTP/2", false),
        ("reqwest-tokio", vec!["--http2"], "HTTP/2", false),
    ] {
        let output = waitbench()
            .args([
                "run", "-s", strategy, "-n", "20", "-c", "4", "--quiet", "--json", "-",
            ])
            .args(&flags)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{strategy} {flags:?}: {output:?}"
        );
        let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let trial = &doc["result"]["trials"][0];
        assert_eq!(trial["counts"]["ok"], 20, "{strategy} {flags:?}: {trial}");
        let connections = &trial["connections"];
        assert_eq!(connections["protocol"], protocol, "{strategy} {flags:?}");
        assert_eq!(connections["tls"].is_object(), tls, "{strategy} {flags:?}");
    }
}

#[test]
fn http1_and_http2_strategies_in_cleartext_are_refused_naming_tls() {
    waitbench()
        .args([
            "run",
            "-s",
            "hyper-tokio,hyper-tokio-h2",
            "-n",
            "4",
            "--quiet",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("add --tls"));
}
