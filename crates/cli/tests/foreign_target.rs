//! `waitbench run --target` against a server that is not waitbench: it must receive the
//! measured requests and nothing else (no `POST /stats/reset`, no `/stats` polling), and
//! the summary must say that server figures are not available.

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
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("bound address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = Arc::clone(&log);
                std::thread::spawn(move || serve(stream, &log));
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
fn serve(stream: TcpStream, log: &Mutex<Vec<String>>) {
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
        log.lock()
            .expect("no test thread panicked")
            .push(format!("{method} {path}"));
        let answered = writer.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\n");
        if answered.is_err() {
            return;
        }
    }
}

#[test]
fn a_foreign_target_gets_only_the_measured_requests() {
    let server = ForeignServer::start();
    Command::cargo_bin("waitbench")
        .expect("the waitbench binary is built")
        .args(["run", "-s", "ureq-threads", "-n", "20", "-c", "4"])
        .args(["--target", &server.url])
        .assert()
        .success()
        .stdout(predicate::str::contains("server figures: not available"));
    let requests = server.requests();
    let stats: Vec<&String> = requests.iter().filter(|r| r.contains("/stats")).collect();
    assert!(
        stats.is_empty(),
        "stats traffic reached a foreign server: {stats:?}"
    );
    let measured = requests.iter().filter(|r| *r == "GET /").count();
    assert_eq!(measured, 20, "{requests:?}");
    // At most the one probe that tells a waitbench server from any other.
    let others: Vec<&String> = requests.iter().filter(|r| *r != "GET /").collect();
    assert!(
        others.len() <= 1 && others.iter().all(|r| *r == "GET /health"),
        "{others:?}"
    );
}
