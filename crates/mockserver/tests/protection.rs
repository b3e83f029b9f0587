//! The server protecting itself, through real sockets on loopback: idle and slowloris
//! connections closed at the header-read timeout, connections over the cap refused with
//! a 503 instead of starved, control endpoints behind the token, and a stop that lets
//! requests in flight finish up to its deadline and no longer.
//!
//! No assertion is on how long something took: each test asserts what the client got
//! (a status, a body, a closed connection) and what the server counted.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use waitbench_mockserver::{MockServer, ServerConfig, ServerError};

fn start(config: ServerConfig) -> MockServer {
    MockServer::start(config).expect("the server starts on a free loopback port")
}

/// A raw connection whose reads give up after 20 s, so a server that never answers
/// fails the test instead of hanging it.
fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("sets a read timeout");
    stream
}

/// Everything the server sends until it closes the connection.
fn read_until_closed(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut received = Vec::new();
    stream.read_to_end(&mut received)?;
    Ok(String::from_utf8_lossy(&received).into_owned())
}

/// One request on its own connection, answered in full: the status line's code and the body.
fn request(addr: SocketAddr, head: &str) -> (u16, String) {
    let mut stream = connect(addr);
    stream.write_all(head.as_bytes()).expect("sends");
    let text = read_until_closed(&mut stream).expect("an answer, then the server closes");
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("a status line in {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

fn post_reset(addr: SocketAddr, authorization: Option<&str>) -> (u16, String) {
    let auth = authorization.map_or_else(String::new, |a| format!("Authorization: {a}\r\n"));
    request(
        addr,
        &format!(
            "POST /stats/reset HTTP/1.1\r\nHost: t\r\n{auth}Content-Length: 0\r\nConnection: close\r\n\r\n"
        ),
    )
}

#[test]
fn a_connection_that_dribbles_its_headers_is_closed_at_the_header_read_timeout() {
    let server = start(ServerConfig {
        header_read_timeout: Duration::from_millis(300),
        ..ServerConfig::default()
    });
    let mut stream = connect(server.addr());
    // Half a request head, then nothing: a slowloris client.
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        .unwrap();
    let received = read_until_closed(&mut stream).expect("closed by the server, not timed out");
    assert_eq!(received, "", "closed without an answer");
    assert_eq!(server.stats().requests_served, 0);
}

#[test]
fn an_idle_connection_is_closed_at_the_header_read_timeout() {
    // Long enough that the request below is in before the timer that starts at connect
    // runs out, even on a loaded machine.
    let server = start(ServerConfig {
        header_read_timeout: Duration::from_secs(1),
        ..ServerConfig::default()
    });
    let mut stream = connect(server.addr());
    // One whole request on a keep-alive connection, then silence.
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let received = read_until_closed(&mut stream).expect("closed by the server, not timed out");
    assert!(received.starts_with("HTTP/1.1 200 OK"), "{received}");
    assert!(
        received.ends_with("ok\n"),
        "the answer, then the close: {received}"
    );
    assert_eq!(server.stats().requests_served, 1);
}

#[test]
fn connections_over_the_cap_are_refused_with_a_503_naming_the_cap() {
    let server = start(ServerConfig {
        max_connections: 2,
        ..ServerConfig::default()
    });
    // Two connections hold both slots: each has sent a whole request that the server
    // holds for a while, so neither slot frees up during the test.
    let held: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut stream = connect(server.addr());
            stream
                .write_all(b"GET /?latency=20s HTTP/1.1\r\nHost: t\r\n\r\n")
                .unwrap();
            stream
        })
        .collect();
    // The server counts a connection when its slot is taken, so wait until both are.
    while server.stats().in_flight < 2 {
        std::thread::sleep(Duration::from_millis(10));
    }
    let (status, body) = request(
        server.addr(),
        "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 503);
    assert!(body.contains("at most 2 connections"), "{body}");
    assert!(body.contains("--max-connections"), "{body}");
    assert_eq!(
        server.stats().connections_accepted,
        2,
        "the refused one is not counted"
    );
    drop(held);
}

#[test]
fn control_requests_need_the_configured_token() {
    let server = start(ServerConfig {
        control_token: Some("s3cret".into()),
        ..ServerConfig::default()
    });
    let (status, body) = post_reset(server.addr(), None);
    assert_eq!(status, 403);
    assert!(body.contains("Authorization: Bearer TOKEN"), "{body}");
    assert_eq!(post_reset(server.addr(), Some("Bearer nope")).0, 403);
    assert_eq!(post_reset(server.addr(), Some("Bearer s3cret")).0, 200);
    // Per-request parameters need no token.
    let (status, _) = request(
        server.addr(),
        "GET /?fail=1:418 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 418);
}

#[test]
fn a_malformed_control_token_is_refused_at_start() {
    for token in ["", "has space", "tab\there"] {
        let error = MockServer::start(ServerConfig {
            control_token: Some(token.into()),
            ..ServerConfig::default()
        })
        .expect_err("a token that cannot travel in a header");
        assert!(matches!(error, ServerError::Setting(_)), "{token:?}");
        assert!(error.to_string().contains("control_token"), "{error}");
    }
}

#[test]
fn shutdown_drops_requests_still_in_flight_at_its_deadline() {
    let server = start(ServerConfig {
        shutdown_timeout: Duration::from_millis(200),
        ..ServerConfig::default()
    });
    let mut stream = connect(server.addr());
    stream
        .write_all(b"GET /?latency=60s HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    while server.stats().in_flight < 1 {
        std::thread::sleep(Duration::from_millis(10));
    }
    // Returns only once the server's threads are gone, well before the 60 s answer.
    server.shutdown();
    let received = read_until_closed(&mut stream).unwrap_or_default();
    assert_eq!(received, "", "cut off at the deadline, never answered");
}
