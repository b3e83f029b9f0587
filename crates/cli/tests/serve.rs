//! `waitbench serve` as a process: a stop signal lets requests in flight finish up to
//! `--shutdown-timeout` and no longer, and off loopback the control endpoint needs the
//! token the server prints. Assertions are on statuses, exit codes and what was printed,
//! never on how long anything took.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::{Duration, Instant};

/// `waitbench serve args…` with stderr piped and no control token from the environment.
fn serve_command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_waitbench"));
    command
        .arg("serve")
        .args(args)
        .env_remove("WAITBENCH_CONTROL_TOKEN")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// A running `waitbench serve` and the lines it has printed so far.
struct Served {
    child: Child,
    stderr: BufReader<ChildStderr>,
    printed: Vec<String>,
    addr: SocketAddr,
}

impl Served {
    /// Starts `waitbench serve args…` on a free port and waits for its address line.
    fn start(listen: &str, args: &[&str]) -> Served {
        let mut child = serve_command(&["--listen", listen])
            .args(args)
            .spawn()
            .expect("waitbench starts");
        let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
        let mut printed = Vec::new();
        let addr = loop {
            let mut line = String::new();
            assert_ne!(
                stderr.read_line(&mut line).expect("reads stderr"),
                0,
                "exited before serving: {printed:?}"
            );
            printed.push(line.clone());
            if let Some(rest) = line.split("mock server on http://").nth(1) {
                let port = rest
                    .split_whitespace()
                    .next()
                    .and_then(|a| a.parse::<SocketAddr>().ok())
                    .expect("an address after http://")
                    .port();
                break SocketAddr::from(([127, 0, 0, 1], port));
            }
        };
        Served {
            child,
            stderr,
            printed,
            addr,
        }
    }

    /// Reads one more line of stderr.
    fn next_line(&mut self) -> String {
        let mut line = String::new();
        self.stderr.read_line(&mut line).expect("reads stderr");
        self.printed.push(line.clone());
        line
    }

    fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("a pid fits pid_t");
        // SAFETY: kill(2) only sends a signal; pid is our own child, not yet reaped.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }

    /// Waits for the exit (failing after 30 s rather than hanging) and returns its code
    /// and everything printed.
    fn wait(mut self) -> (Option<i32>, String) {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("waits") {
                break status;
            }
            if started.elapsed() > Duration::from_secs(30) {
                let _ = self.child.kill();
                panic!("still running 30 s after the signal: {:?}", self.printed);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut rest = String::new();
        let _ = self.stderr.read_to_string(&mut rest);
        (status.code(), self.printed.concat() + &rest)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `head` on a new connection and returns the status code and body, or `None` when
/// the connection closed without an answer.
fn exchange(mut stream: TcpStream, head: &str) -> Option<(u16, String)> {
    stream.write_all(head.as_bytes()).expect("sends");
    read_answer(stream)
}

fn read_answer(mut stream: TcpStream) -> Option<(u16, String)> {
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("sets a read timeout");
    let mut received = Vec::new();
    let _ = stream.read_to_end(&mut received);
    let text = String::from_utf8_lossy(&received).into_owned();
    let status = text.split(' ').nth(1)?.parse().ok()?;
    Some((status, text.split_once("\r\n\r\n")?.1.to_string()))
}

/// Opens a connection and sends a request that the server holds for `latency`.
fn slow_request(addr: SocketAddr, latency: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).expect("connects");
    write!(
        stream,
        "GET /?latency={latency} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    )
    .expect("sends");
    stream
}

/// Waits until the server counts a request in flight, read from its `/stats`.
fn wait_in_flight(addr: SocketAddr) {
    loop {
        let stream = TcpStream::connect(addr).expect("connects");
        let (_, body) = exchange(
            stream,
            "GET /stats HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        )
        .expect("/stats answers");
        if !body.contains("\"in_flight\":0") {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn sigterm_lets_a_request_in_flight_finish_then_exits_0() {
    let served = Served::start("127.0.0.1:0", &[]);
    let stream = slow_request(served.addr, "3s");
    let answer = std::thread::spawn(move || read_answer(stream));
    wait_in_flight(served.addr);
    served.signal(libc::SIGTERM);
    let (code, printed) = served.wait();
    assert_eq!(code, Some(0), "{printed}");
    assert!(printed.contains("SIGTERM: shutting down"), "{printed}");
    let (status, body) = answer.join().unwrap().expect("answered, not cut off");
    assert_eq!((status, body.as_str()), (200, "ok\n"));
}

#[test]
fn ctrl_c_drops_requests_still_in_flight_at_the_shutdown_deadline() {
    let served = Served::start("127.0.0.1:0", &["--shutdown-timeout", "500ms"]);
    let stream = slow_request(served.addr, "60s");
    wait_in_flight(served.addr);
    served.signal(libc::SIGINT);
    let (code, printed) = served.wait();
    assert_eq!(code, Some(0), "{printed}");
    assert!(
        printed.contains("Ctrl-C (SIGINT): shutting down"),
        "{printed}"
    );
    assert_eq!(read_answer(stream), None, "cut off at the deadline");
}

#[test]
fn off_loopback_control_needs_the_printed_token() {
    let mut served = Served::start("0.0.0.0:0", &[]);
    let line = served.next_line();
    let token = line
        .strip_prefix("control token (generated): ")
        .map(str::trim)
        .unwrap_or_else(|| panic!("the generated token is printed: {:?}", served.printed))
        .to_string();
    let reset = |authorization: &str| {
        exchange(
            TcpStream::connect(served.addr).expect("connects"),
            &format!(
                "POST /stats/reset HTTP/1.1\r\nHost: t\r\n{authorization}Content-Length: 0\r\n\
                 Connection: close\r\n\r\n"
            ),
        )
        .expect("answered")
    };
    let (status, body) = reset("");
    assert_eq!(status, 403);
    assert!(body.contains("Authorization: Bearer"), "{body}");
    assert_eq!(reset("Authorization: Bearer wrong\r\n").0, 403);
    assert_eq!(reset(&format!("Authorization: Bearer {token}\r\n")).0, 200);
}

#[test]
fn a_control_token_from_the_environment_is_required_and_not_printed() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_waitbench"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("WAITBENCH_CONTROL_TOKEN", "from-the-env")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("waitbench starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
    let mut line = String::new();
    stderr.read_line(&mut line).expect("reads stderr");
    let served = Served {
        addr: line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
            .unwrap_or_else(|| panic!("an address in {line:?}")),
        child,
        stderr,
        printed: vec![line],
    };
    let reset = |authorization: &str| {
        exchange(
            TcpStream::connect(served.addr).expect("connects"),
            &format!(
                "POST /stats/reset HTTP/1.1\r\nHost: t\r\n{authorization}Content-Length: 0\r\n\
                 Connection: close\r\n\r\n"
            ),
        )
        .expect("answered")
        .0
    };
    assert_eq!(reset(""), 403);
    assert_eq!(reset("Authorization: Bearer from-the-env\r\n"), 200);
    served.signal(libc::SIGTERM);
    let (code, printed) = served.wait();
    assert_eq!(code, Some(0), "{printed}");
    assert!(
        !printed.contains("from-the-env"),
        "a given token is never printed"
    );
}

#[test]
fn a_connection_cap_over_the_open_file_limit_is_refused_before_serving() {
    let (soft, _) = waitbench_core::limits::raise_fd_limit().expect("reads the limit");
    let cap = (soft + 1).to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_waitbench"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--max-connections",
            &cap,
        ])
        .output()
        .expect("waitbench runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--max-connections"), "{stderr}");
    assert!(stderr.contains("ulimit -n"), "{stderr}");
    assert!(
        !stderr.contains("mock server on"),
        "never started: {stderr}"
    );
}

#[test]
fn serve_listens_on_localhost_with_a_port() {
    let served = Served::start("localhost:0", &[]);
    assert!(
        served
            .printed
            .concat()
            .contains("mock server on http://127.0.0.1:"),
        "{:?}",
        served.printed
    );
    TcpStream::connect(served.addr).expect("it listens where it says");
}

/// Starts `waitbench serve --tls` with its cache in `cache` and returns what it printed up
/// to the line that says how to trust it, then stops it.
fn tls_start_lines(cache: &std::path::Path) -> Vec<String> {
    let mut child = serve_command(&["--tls", "--listen", "127.0.0.1:0"])
        .env("XDG_CACHE_HOME", cache)
        .spawn()
        .expect("waitbench starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
    let mut printed = Vec::new();
    loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).expect("reads stderr") == 0 {
            break;
        }
        let last = line.contains("trust it: curl --cacert");
        printed.push(line);
        if last {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    printed
}

#[test]
fn serve_tls_makes_its_ca_once_in_the_cache_and_prints_the_file_to_trust() {
    let cache = tempfile::tempdir().expect("a temporary folder");
    let first = tls_start_lines(cache.path());
    let ca = cache.path().join("waitbench/tls/ca-ecdsa-p256/ca.pem");
    let text = first.concat();
    assert!(text.contains("mock server on https://127.0.0.1:"), "{text}");
    assert!(
        text.contains(&format!(
            "trust it: curl --cacert {} https://",
            ca.display()
        )),
        "{text}"
    );
    assert_eq!(
        first
            .iter()
            .filter(|l| l.contains("setting up the local TLS certificate authority"))
            .count(),
        1,
        "the first start says it makes the CA: {text}"
    );
    let pem = std::fs::read_to_string(&ca).expect("the CA file exists");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    let second = tls_start_lines(cache.path()).concat();
    assert!(!second.contains("setting up"), "the CA is reused: {second}");
    assert_eq!(std::fs::read_to_string(&ca).unwrap(), pem);
}
