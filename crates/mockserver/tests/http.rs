//! The mock server through real HTTP on loopback: an embedded server on port 0, a
//! blocking client (ureq, or a raw socket where the connection itself is the subject),
//! and assertions on both what the client saw and what the server counted.
//!
//! Timing assertions are lower bounds only (a delay can be late on a busy machine, never
//! early).

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use waitbench_core::ServerStats;
use waitbench_mockserver::{Conditions, Faults, MockServer, ServerConfig, ServerError};

fn start(config: ServerConfig) -> MockServer {
    MockServer::start(config).expect("the server starts on a free loopback port")
}

fn default_server() -> MockServer {
    start(ServerConfig::default())
}

/// A client that reports error statuses as responses and ignores proxy settings.
fn agent(timeout: Option<Duration>) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(timeout)
        .build()
        .into()
}

struct Reply {
    status: u16,
    timing: String,
    body: Vec<u8>,
    elapsed: Duration,
}

impl Reply {
    /// The `dur` of one `Server-Timing` metric, in milliseconds.
    fn timing_ms(&self, metric: &str) -> Option<f64> {
        self.timing.split(',').find_map(|entry| {
            let (name, dur) = entry.trim().split_once(";dur=")?;
            (name == metric).then(|| dur.parse().expect("dur is a number"))
        })
    }
}

fn get(agent: &ureq::Agent, url: &str) -> Result<Reply, ureq::Error> {
    let start = Instant::now();
    let mut response = agent.get(url).call()?;
    let body = response.body_mut().read_to_vec()?;
    let timing = response
        .headers()
        .get("server-timing")
        .map(|v| v.to_str().expect("ASCII header").to_string())
        .unwrap_or_default();
    Ok(Reply {
        status: response.status().as_u16(),
        timing,
        body,
        elapsed: start.elapsed(),
    })
}

fn ok(agent: &ureq::Agent, url: &str) -> Reply {
    get(agent, url).unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

/// Sends one request on a fresh connection and reads until the server closes it.
fn raw_get(server: &MockServer, path: &str) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(server.addr())?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
    )?;
    let mut received = Vec::new();
    stream.read_to_end(&mut received)?;
    Ok(received)
}

/// Sends `method path` on a fresh connection and returns the response's head and body.
fn raw_request(server: &MockServer, method: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(server.addr()).expect("the server accepts");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a timeout can be set");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
    )
    .expect("the server reads");
    let mut received = String::new();
    stream
        .read_to_string(&mut received)
        .expect("an ASCII response, then a close");
    received.to_ascii_lowercase()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[test]
fn injected_delay_measures_at_least_the_sampled_value() {
    let server = default_server();
    let reply = ok(&agent(None), &format!("{}/?latency=50ms", server.url()));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.timing_ms("sampled"), Some(50.0));
    let applied = reply.timing_ms("applied").expect("applied is reported");
    assert!(applied >= 50.0, "applied {applied} ms");
    assert!(ms(reply.elapsed) >= 50.0, "client saw {:?}", reply.elapsed);
}

#[test]
fn server_default_latency_applies_and_server_timing_is_always_present() {
    let server = start(ServerConfig {
        conditions: Conditions {
            latency: Some("uniform(2ms,4ms)".parse().unwrap()),
            ..Conditions::default()
        },
        ..ServerConfig::default()
    });
    let client = agent(None);
    for path in ["/", "/item/7", "/bytes/100"] {
        let reply = ok(&client, &format!("{}{path}", server.url()));
        let sampled = reply.timing_ms("sampled").expect("sampled is reported");
        assert!((2.0..=4.0).contains(&sampled), "{path}: {sampled}");
        assert!(reply.timing_ms("applied").unwrap() >= sampled, "{path}");
    }
    let reply = ok(&client, &format!("{}/?latency=0", server.url()));
    assert_eq!(reply.timing, "sampled;dur=0.000, applied;dur=0.000");
}

#[test]
fn routes_serve_their_bodies() {
    let server = default_server();
    let client = agent(None);
    assert_eq!(ok(&client, &format!("{}/", server.url())).body, b"ok\n");
    assert_eq!(
        ok(&client, &format!("{}/item/abc", server.url())).body,
        b"item abc\n"
    );
    assert_eq!(
        ok(&client, &format!("{}/bytes/1MiB", server.url()))
            .body
            .len(),
        1 << 20
    );
    assert_eq!(
        ok(&client, &format!("{}/health", server.url())).body,
        b"ok\n"
    );
}

#[test]
fn root_answers_alike_on_its_direct_path_and_through_the_router() {
    // `GET /` skips the router on a connection; HEAD and other methods go through it.
    let server = start(ServerConfig {
        conditions: Conditions {
            latency: Some("1ms".parse().unwrap()),
            ..Conditions::default()
        },
        ..ServerConfig::default()
    });
    let get = raw_request(&server, "GET", "/?fail=1:418");
    assert!(get.starts_with("http/1.1 418"), "{get}");
    let get = raw_request(&server, "GET", "/");
    assert!(get.starts_with("http/1.1 200"), "{get}");
    let head = raw_request(&server, "HEAD", "/");
    assert!(head.starts_with("http/1.1 200"), "{head}");
    for response in [&get, &head] {
        assert!(response.contains("content-length: 3\r\n"), "{response}");
        assert!(response.contains("server-timing: sampled;dur=1.000, applied;dur="));
    }
    assert!(get.ends_with("\r\n\r\nok\n"), "{get}");
    assert!(head.ends_with("\r\n\r\n"), "{head}");
    // Any method is answered, so that a client's POST can be measured against it too.
    let post = raw_request(&server, "POST", "/");
    assert!(post.starts_with("http/1.1 200"), "{post}");
    // Every response says it comes from a waitbench server, on either path.
    for response in [&get, &head, &post] {
        assert!(response.contains("x-waitbench-server: "), "{response}");
    }
    let missing = raw_request(&server, "GET", "/nope");
    assert!(missing.contains("x-waitbench-server: "), "{missing}");
    let stats = server.stats();
    assert_eq!(stats.requests_served, 4);
}

#[test]
fn stats_count_requests_connections_and_server_cpu() {
    let server = default_server();
    let client = agent(None);
    for i in 0..5 {
        ok(&client, &format!("{}/item/{i}", server.url()));
    }
    ok(&client, &format!("{}/health", server.url()));
    let reply = ok(&client, &format!("{}/stats", server.url()));
    let stats: ServerStats = serde_json::from_slice(&reply.body).expect("stats JSON");
    assert_eq!(
        stats.requests_served, 5,
        "/stats and /health are not counted"
    );
    assert_eq!(stats.in_flight, 0);
    assert_eq!(stats.max_in_flight, 1);
    assert_eq!(stats.connections_accepted, 1, "one keep-alive connection");
    assert!(stats.cpu_seconds > 0.0);
    assert_eq!(
        stats.faults.keys().collect::<Vec<_>>(),
        ["bandwidth", "fail", "pause", "reset", "stall"]
    );
    assert_eq!(server.stats().requests_served, 5);
}

#[test]
fn stats_reset_restarts_max_in_flight_and_cpu_per_request() {
    let server = default_server();
    let url = server.url();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| ok(&agent(None), &format!("{url}/?latency=300ms")));
        }
    });
    assert!(server.stats().max_in_flight >= 2);
    let response = agent(None)
        .post(format!("{url}/stats/reset"))
        .send_empty()
        .expect("POST /stats/reset");
    assert_eq!(response.status(), 200);
    let stats = server.stats();
    assert_eq!(stats.max_in_flight, 0);
    assert_eq!((stats.requests_served, stats.requests_since_reset), (4, 0));
    assert_eq!(stats.cpu_per_request_us, None);
    for _ in 0..3 {
        ok(&agent(None), &format!("{url}/?latency=1ms"));
    }
    let reply = ok(&agent(None), &format!("{url}/stats"));
    let stats: ServerStats = serde_json::from_slice(&reply.body).expect("stats JSON");
    assert_eq!(stats.requests_since_reset, 3);
    assert!(stats.cpu_seconds_since_reset <= stats.cpu_seconds);
    let per_request = stats.cpu_per_request_us.expect("requests were served");
    let expected = stats.cpu_seconds_since_reset * 1e6 / 3.0;
    assert!(
        (per_request - expected).abs() < 1e-6,
        "{per_request} vs {expected}"
    );
    // One after another, each delay is alone and takes a wake-up of its own.
    assert_eq!(stats.timer_wakeups_per_request, Some(1.0));
    assert!(stats.timer_wakeups >= 4, "{}", stats.timer_wakeups);
}

#[test]
fn fail_fault_returns_the_status_and_is_counted() {
    let server = default_server();
    let reply = ok(&agent(None), &format!("{}/?fail=1.0:418", server.url()));
    assert_eq!(reply.status, 418);
    let reply = ok(&agent(None), &format!("{}/?fail=0:418", server.url()));
    assert_eq!(reply.status, 200);
    assert_eq!(server.stats().faults["fail"], 1);
}

#[test]
fn reset_fault_aborts_the_connection_with_a_rst() {
    let server = default_server();
    let error = raw_get(&server, "/?reset=1").expect_err("the connection is reset");
    assert_eq!(error.kind(), ErrorKind::ConnectionReset, "{error}");
    assert!(get(&agent(None), &format!("{}/item/1?reset=1", server.url())).is_err());
    assert_eq!(server.stats().faults["reset"], 2);
    // The RST can reach the client before the server has dropped the request that sent
    // it; the request must end, but it may end a moment after the client saw the reset.
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.stats().in_flight > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(server.stats().in_flight, 0);
}

#[test]
fn stall_fault_ends_as_a_client_timeout() {
    let server = default_server();
    let start = Instant::now();
    let error = get(
        &agent(Some(Duration::from_millis(300))),
        &format!("{}/?stall=1", server.url()),
    )
    .err()
    .expect("a stalled request never answers");
    assert!(matches!(error, ureq::Error::Timeout(_)), "{error}");
    assert!(start.elapsed() >= Duration::from_millis(300));
    assert_eq!(server.stats().faults["stall"], 1);
}

#[test]
fn stalled_connection_is_closed_at_the_stall_cap() {
    let server = start(ServerConfig {
        stall_cap: Duration::from_millis(200),
        ..ServerConfig::default()
    });
    let start = Instant::now();
    let received = raw_get(&server, "/?stall=1").expect("closed, not reset");
    assert!(received.is_empty(), "no answer at all");
    assert!(start.elapsed() >= Duration::from_millis(200));
}

#[test]
fn bandwidth_fault_paces_the_body() {
    let server = default_server();
    let reply = ok(
        &agent(None),
        &format!("{}/bytes/64KiB?bandwidth=256KiB/s", server.url()),
    );
    assert_eq!(reply.body.len(), 65536);
    assert!(
        reply.elapsed >= Duration::from_millis(250),
        "{:?}",
        reply.elapsed
    );
    assert_eq!(server.stats().faults["bandwidth"], 1);
}

/// Waits until `offset` after the server started, in pause period `k` (or returns the
/// instant if it already passed).
fn sleep_until(at: Instant) -> Instant {
    if let Some(wait) = at.checked_duration_since(Instant::now()) {
        std::thread::sleep(wait);
    }
    Instant::now()
}

#[test]
fn pause_holds_requests_arriving_or_in_flight_until_it_ends() {
    // Windows [k*400ms, k*400ms + 250ms) after start, k >= 1.
    let server = start(ServerConfig {
        conditions: Conditions {
            faults: Faults {
                pause: Some("400ms/250ms".parse().expect("a valid pause")),
                ..Faults::default()
            },
            ..Conditions::default()
        },
        ..ServerConfig::default()
    });
    let client = agent(None);
    let (every, length) = (Duration::from_millis(400), Duration::from_millis(250));
    let window = |k: u32| {
        let begin = server.started_at() + every * k;
        (begin, begin + length)
    };
    let in_window = |t: Instant, (begin, end): (Instant, Instant)| t >= begin && t < end;

    // Sent during a pause: answered no earlier than the pause's end. A sleepy test thread
    // may miss the window, so try a few periods.
    let mut checked_arrival = false;
    for k in 1..=5 {
        let sent = sleep_until(window(k).0 + Duration::from_millis(50));
        if !in_window(sent, window(k)) {
            continue;
        }
        let reply = ok(&client, &format!("{}/", server.url()));
        assert!(
            sent + reply.elapsed >= window(k).1,
            "answered inside the pause"
        );
        assert!(reply.timing_ms("pause").is_some(), "{}", reply.timing);
        checked_arrival = true;
        break;
    }
    assert!(
        checked_arrival,
        "never managed to send inside a pause window"
    );

    // In flight when the pause begins: held until it ends as well.
    let mut checked_in_flight = false;
    for k in 7..=11 {
        let sent = sleep_until(window(k).0 - Duration::from_millis(100));
        if sent >= window(k).0 - Duration::from_millis(50) {
            continue;
        }
        // Arrives before the window and would answer 150 ms in, inside it.
        let reply = ok(&client, &format!("{}/?latency=150ms", server.url()));
        assert!(
            sent + reply.elapsed >= window(k).1,
            "answered inside the pause"
        );
        checked_in_flight = true;
        break;
    }
    assert!(
        checked_in_flight,
        "never managed to send before a pause window"
    );
    assert!(server.stats().faults["pause"] >= 2);
}

#[test]
fn connect_delay_applies_once_per_connection() {
    let server = default_server();
    let url = format!("{}/?connect_delay=100ms", server.url());
    let client = agent(None);
    let first = ok(&client, &url);
    let second = ok(&client, &url);
    assert_eq!(
        server.stats().connections_accepted,
        1,
        "both on one connection"
    );
    let connect = first.timing_ms("connect").expect("first request delayed");
    assert!(connect >= 100.0, "{connect}");
    assert!(first.elapsed >= Duration::from_millis(100));
    assert_eq!(second.timing_ms("connect"), None, "{}", second.timing);

    // A new client means a new connection, and the delay again.
    let third = ok(&agent(None), &url);
    assert!(third.timing_ms("connect").is_some());
    assert_eq!(server.stats().connections_accepted, 2);
}

#[test]
fn server_default_connect_delay_applies_to_each_new_connection() {
    let server = start(ServerConfig {
        conditions: Conditions {
            connect_delay: Some("30ms".parse().unwrap()),
            ..Conditions::default()
        },
        ..ServerConfig::default()
    });
    for _ in 0..2 {
        let received = raw_get(&server, "/").expect("answered");
        let text = String::from_utf8_lossy(&received);
        assert!(text.contains("connect;dur="), "{text}");
    }
}

#[test]
fn caps_and_malformed_parameters_get_a_400_naming_the_parameter() {
    let server = default_server();
    let client = agent(None);
    for (path, parameter) in [
        ("/?latency=61s", "latency"),
        ("/?latency=lognormal(median=20ms)", "latency"),
        ("/?latency=mix(0.5:1ms,0.6:2ms)", "latency"),
        ("/?connect_delay=2m", "connect_delay"),
        ("/?fail=0.5:700", "fail"),
        ("/?reset=1.5", "reset"),
        ("/?stall=-1", "stall"),
        ("/?bandwidth=nothing", "bandwidth"),
        ("/?pause=1s/2s", "pause"),
        ("/?sleep=5ms", "sleep"),
        ("/bytes/16777217", "n"),
    ] {
        let reply = ok(&client, &format!("{}{path}", server.url()));
        assert_eq!(reply.status, 400, "{path}");
        let json: serde_json::Value = serde_json::from_slice(&reply.body).expect("JSON error");
        assert_eq!(json["parameter"], parameter, "{path}");
        for field in ["error", "value", "expected"] {
            assert!(
                json[field].as_str().is_some_and(|s| !s.is_empty()),
                "{path}: {field}"
            );
        }
    }
    // Exactly at the cap is fine (checked from the headers: ureq caps bodies at 10 MB).
    let response = client
        .get(format!("{}/bytes/16MiB", server.url()))
        .call()
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-length"], "16777216");
}

#[test]
fn graceful_shutdown_lets_requests_in_flight_finish() {
    let server = default_server();
    let url = format!("{}/?latency=300ms", server.url());
    let addr = server.addr();
    let request = std::thread::spawn(move || get(&agent(None), &url).map(|r| r.status));
    std::thread::sleep(Duration::from_millis(100));
    server.shutdown();
    assert_eq!(request.join().unwrap().expect("finished, not cut off"), 200);
    assert!(TcpStream::connect(addr).is_err(), "no longer listening");
}

#[test]
fn binding_a_busy_address_names_it() {
    let first = default_server();
    let error = MockServer::start(ServerConfig {
        listen: first.addr(),
        ..ServerConfig::default()
    })
    .expect_err("the port is taken");
    assert!(matches!(error, ServerError::Bind { addr, .. } if addr == first.addr()));
    assert!(error.to_string().contains(&first.addr().to_string()));
}

#[test]
fn out_of_range_settings_are_refused_at_start() {
    for config in [
        ServerConfig {
            worker_threads: 0,
            ..ServerConfig::default()
        },
        ServerConfig {
            stall_cap: Duration::from_secs(61),
            ..ServerConfig::default()
        },
        ServerConfig {
            max_connections: 0,
            ..ServerConfig::default()
        },
    ] {
        assert!(matches!(
            MockServer::start(config),
            Err(ServerError::Setting(_))
        ));
    }
}

#[tokio::test]
async fn serve_runs_until_its_shutdown_future_completes() {
    let shutdown = tokio::time::sleep(Duration::from_millis(50));
    waitbench_mockserver::serve(ServerConfig::default(), shutdown)
        .await
        .expect("serves and stops cleanly");
}
