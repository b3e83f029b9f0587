//! The mock server over HTTPS (rustls) and HTTP/2 (h2c and h2 over TLS), through real
//! clients on loopback: tokio-rustls trusting the generated CA and nothing else, and
//! hyper's HTTP/1.1 and HTTP/2 client connections. Assertions are on what the client
//! saw and what `/stats` counted: handshakes by kind, connections, streams, requests in
//! flight. Timing assertions are lower bounds only.

// ring's provider, as the server uses (see the server's tls module).
#![allow(deprecated)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::{http1, http2};
use hyper::{Request, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, HandshakeKind, RootCertStore};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use waitbench_core::ServerStats;
use waitbench_mockserver::{
    Conditions, KeyType, MockServer, ProtocolConfig, ServerConfig, ServerError,
};

fn start(protocol: ProtocolConfig) -> MockServer {
    MockServer::start(ServerConfig {
        protocol,
        ..ServerConfig::default()
    })
    .expect("the server starts on a free loopback port")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A client that trusts `ca` alone (none: nothing), offers `alpn`, and keeps sessions
/// for resumption in memory (rustls' default).
fn client_config(ca: Option<&Path>, alpn: &[&[u8]]) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    if let Some(ca) = ca {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        for cert in CertificateDer::pem_file_iter(ca).unwrap() {
            roots.add(cert.unwrap()).unwrap();
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Arc::new(config)
}

async fn tls_connect(
    server: &MockServer,
    config: &Arc<ClientConfig>,
) -> std::io::Result<TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(server.addr()).await?;
    let name = ServerName::try_from("localhost").unwrap();
    TlsConnector::from(Arc::clone(config))
        .connect(name, tcp)
        .await
}

/// A response's status and its `Server-Timing` header.
struct Reply {
    status: StatusCode,
    timing: String,
}

impl Reply {
    fn has_metric(&self, metric: &str) -> bool {
        self.timing
            .split(',')
            .any(|entry| entry.trim().starts_with(&format!("{metric};")))
    }
}

fn request(path: &str) -> Request<Empty<Bytes>> {
    Request::get(path)
        .header("host", "localhost")
        .body(Empty::new())
        .unwrap()
}

async fn read(response: hyper::Response<hyper::body::Incoming>) -> Reply {
    let status = response.status();
    let timing = response
        .headers()
        .get("server-timing")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    response.into_body().collect().await.unwrap();
    Reply { status, timing }
}

/// One HTTP/1.1 request on a new client connection over `io`.
async fn get_http1<I>(io: I, path: &str) -> Reply
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = http1::handshake(TokioIo::new(io)).await.unwrap();
    tokio::spawn(conn);
    read(sender.send_request(request(path)).await.unwrap()).await
}

/// An HTTP/2 client connection over `io`.
async fn h2_sender<I>(io: I) -> http2::SendRequest<Empty<Bytes>>
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (sender, conn) = http2::handshake(TokioExecutor::new(), TokioIo::new(io))
        .await
        .unwrap();
    tokio::spawn(conn);
    sender
}

/// `n` requests for `path` at once on one HTTP/2 connection.
async fn concurrent(sender: &http2::SendRequest<Empty<Bytes>>, n: usize, path: &str) -> Vec<Reply> {
    let requests = (0..n).map(|_| {
        let mut sender = sender.clone();
        let path = path.to_string();
        async move { read(sender.send_request(request(&path)).await.unwrap()).await }
    });
    futures::future::join_all(requests).await
}

/// The stats once `settled` holds of them (the server counts a handshake or a stream's
/// end just after the client sees it), or the last ones after 5 s.
fn stats_when(server: &MockServer, settled: impl Fn(&ServerStats) -> bool) -> ServerStats {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let stats = server.stats();
        if settled(&stats) || Instant::now() > deadline {
            return stats;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn ca(server: &MockServer) -> &Path {
    server
        .ca_file()
        .expect("a generated certificate has a CA file")
}

#[test]
fn https_serves_http1_and_h2_by_alpn_with_one_full_handshake_each() {
    let server = start(ProtocolConfig::tls());
    assert!(
        server.url().starts_with("https://127.0.0.1:"),
        "{}",
        server.url()
    );
    let rt = runtime();
    rt.block_on(async {
        let h1 = tls_connect(&server, &client_config(Some(ca(&server)), &[b"http/1.1"]))
            .await
            .expect("the generated CA is trusted");
        assert_eq!(h1.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
        assert_eq!(get_http1(h1, "/").await.status, StatusCode::OK);

        let h2 = tls_connect(
            &server,
            &client_config(Some(ca(&server)), &[b"h2", b"http/1.1"]),
        )
        .await
        .unwrap();
        assert_eq!(h2.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
        let sender = h2_sender(h2).await;
        assert_eq!(concurrent(&sender, 1, "/").await[0].status, StatusCode::OK);
    });
    let stats = stats_when(&server, |s| s.requests_served == 2);
    let tls = stats.tls.expect("a TLS server publishes its handshakes");
    assert_eq!((tls.full, tls.resumed, tls.failed), (2, 0, 0));
    assert!(tls.full_cpu_seconds > 0.0 && tls.cpu_per_full_us.unwrap() > 0.0);
    let http2 = stats.http2.expect("a TLS server may speak h2");
    assert_eq!((http2.connections, http2.streams), (1, 1));
    assert_eq!(stats.connections_accepted, 2);
}

#[test]
fn the_rsa_row_serves_an_rsa_certificate_from_its_own_ca() {
    let server = start(ProtocolConfig {
        tls_key_type: KeyType::Rsa2048,
        ..ProtocolConfig::tls()
    });
    assert!(
        ca(&server).ends_with("ca-rsa2048/ca.pem"),
        "{:?}",
        ca(&server)
    );
    let rt = runtime();
    let chain = rt.block_on(async {
        let stream = tls_connect(&server, &client_config(Some(ca(&server)), &[b"http/1.1"]))
            .await
            .unwrap();
        let chain = stream.get_ref().1.peer_certificates().map(<[_]>::len);
        assert_eq!(get_http1(stream, "/").await.status, StatusCode::OK);
        chain
    });
    assert_eq!(chain, Some(2), "leaf and CA");
    let tls = stats_when(&server, |s| s.requests_served == 1).tls.unwrap();
    assert_eq!((tls.full, tls.failed), (1, 0));
}

#[test]
fn a_client_that_does_not_trust_the_certificate_fails_and_no_request_is_counted() {
    let server = start(ProtocolConfig::tls());
    let rt = runtime();
    let error = rt
        .block_on(tls_connect(&server, &client_config(None, &[b"http/1.1"])))
        .expect_err("an empty root store trusts nothing");
    let inner = error
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
        .expect("a rustls error");
    assert!(
        matches!(
            inner,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)
        ),
        "{inner:?}"
    );
    let stats = stats_when(&server, |s| s.tls.as_ref().is_some_and(|t| t.failed == 1));
    let tls = stats.tls.unwrap();
    assert_eq!((tls.full, tls.resumed, tls.failed), (0, 0, 1));
    assert_eq!(stats.requests_served, 0);
}

/// Two connections from one client config: the second offers the first's session.
fn two_connections(server: &MockServer) -> [Option<HandshakeKind>; 2] {
    let config = client_config(Some(ca(server)), &[b"http/1.1"]);
    runtime().block_on(async {
        let mut kinds = [None, None];
        for kind in &mut kinds {
            let stream = tls_connect(server, &config).await.unwrap();
            *kind = stream.get_ref().1.handshake_kind();
            // Reading the response also reads the TLS 1.3 tickets sent after the handshake.
            assert_eq!(get_http1(stream, "/").await.status, StatusCode::OK);
        }
        kinds
    })
}

#[test]
fn a_second_connection_resumes_the_first_session() {
    let server = start(ProtocolConfig::tls());
    let kinds = two_connections(&server);
    assert_eq!(
        kinds,
        [Some(HandshakeKind::Full), Some(HandshakeKind::Resumed)]
    );
    let stats = stats_when(&server, |s| s.requests_served == 2);
    let tls = stats.tls.unwrap();
    assert_eq!((tls.full, tls.resumed, tls.failed), (1, 1, 0));
    assert!(tls.cpu_per_resumed_us.unwrap() > 0.0);
}

#[test]
fn without_resumption_every_connection_pays_a_full_handshake() {
    let server = start(ProtocolConfig {
        no_resumption: true,
        ..ProtocolConfig::tls()
    });
    let kinds = two_connections(&server);
    assert_eq!(
        kinds,
        [Some(HandshakeKind::Full), Some(HandshakeKind::Full)]
    );
    let stats = stats_when(&server, |s| s.requests_served == 2);
    let tls = stats.tls.unwrap();
    assert_eq!((tls.full, tls.resumed), (2, 0));
    assert_eq!(tls.cpu_per_resumed_us, None);
}

/// N requests held 200 ms each on one HTTP/2 connection are all in flight together.
fn assert_n_streams_in_flight_on_one_connection(server: &MockServer, sender_io: StreamKind) {
    const N: usize = 20;
    let rt = runtime();
    let replies = rt.block_on(async {
        let sender = match sender_io {
            StreamKind::H2c => h2_sender(TcpStream::connect(server.addr()).await.unwrap()).await,
            StreamKind::H2OverTls => {
                let config = client_config(Some(ca(server)), &[b"h2"]);
                h2_sender(tls_connect(server, &config).await.unwrap()).await
            }
        };
        concurrent(&sender, N, "/?latency=200ms").await
    });
    assert!(replies.iter().all(|r| r.status == StatusCode::OK));
    let stats = stats_when(server, |s| s.requests_served == N as u64);
    assert_eq!(stats.connections_accepted, 1);
    let http2 = stats.http2.expect("an h2 server publishes its streams");
    assert_eq!((http2.connections, http2.streams), (1, N as u64));
    assert_eq!(
        stats.max_in_flight, N as u64,
        "all {N} streams in flight at once"
    );
}

enum StreamKind {
    H2c,
    H2OverTls,
}

#[test]
fn h2c_carries_n_streams_in_flight_on_one_connection() {
    let server = start(ProtocolConfig::h2c());
    assert!(server.url().starts_with("http://"));
    assert_eq!(server.stats().tls, None, "no TLS section without TLS");
    assert_n_streams_in_flight_on_one_connection(&server, StreamKind::H2c);
}

#[test]
fn an_h2c_server_answers_http1_to_a_client_that_opens_without_the_preface() {
    let server = start(ProtocolConfig::h2c());
    let rt = runtime();
    let (plain, h2) = rt.block_on(async {
        let plain = get_http1(TcpStream::connect(server.addr()).await.unwrap(), "/").await;
        // A preface arriving in pieces is still HTTP/2.
        let mut split = TcpStream::connect(server.addr()).await.unwrap();
        split.write_all(b"PRI * HT").await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        let sender = h2_sender(PrefaceSent(split)).await;
        let h2 = concurrent(&sender, 3, "/").await;
        (plain, h2)
    });
    assert_eq!(plain.status, StatusCode::OK);
    assert!(h2.iter().all(|r| r.status == StatusCode::OK));
    let stats = stats_when(&server, |s| s.requests_served == 4);
    assert_eq!(stats.requests_served, 4);
    assert_eq!(stats.connections_accepted, 2);
    let http2 = stats.http2.expect("an h2 server publishes its streams");
    assert_eq!(
        (http2.connections, http2.streams),
        (1, 3),
        "only the connection that opened with the preface is HTTP/2"
    );
}

/// A socket whose first 8 bytes of the HTTP/2 preface were written already: the
/// client's own preface write skips them, so the server sees the preface split in two.
struct PrefaceSent(TcpStream);

impl tokio::io::AsyncRead for PrefaceSent {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for PrefaceSent {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        data: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        const SENT: &[u8] = b"PRI * HT";
        if data.starts_with(SENT) {
            // Claim the bytes already sent, then the rest goes through as written.
            return std::task::Poll::Ready(Ok(SENT.len()));
        }
        std::pin::Pin::new(&mut self.0).poll_write(cx, data)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

#[test]
fn h2_over_tls_carries_n_streams_in_flight_on_one_connection() {
    let server = start(ProtocolConfig {
        http2: true,
        ..ProtocolConfig::tls()
    });
    assert_n_streams_in_flight_on_one_connection(&server, StreamKind::H2OverTls);
}

#[test]
fn streams_beyond_the_servers_limit_wait_in_the_client() {
    let server = start(ProtocolConfig {
        max_concurrent_streams: 4,
        ..ProtocolConfig::h2c()
    });
    let rt = runtime();
    let replies = rt.block_on(async {
        let sender = h2_sender(TcpStream::connect(server.addr()).await.unwrap()).await;
        // Until the server's SETTINGS arrive a client may open any number of streams,
        // and those over the limit are refused (REFUSED_STREAM): one request first
        // makes sure the client knows the limit.
        concurrent(&sender, 1, "/").await;
        concurrent(&sender, 10, "/?latency=100ms").await
    });
    assert!(replies.iter().all(|r| r.status == StatusCode::OK));
    let stats = stats_when(&server, |s| s.requests_served == 11);
    assert_eq!(stats.max_in_flight, 4, "at most the advertised 4 at once");
    assert_eq!(stats.http2.unwrap().streams, 11);
}

#[test]
fn latency_and_the_connect_delay_apply_over_tls_and_h2() {
    let server = start(ProtocolConfig::tls());
    let rt = runtime();
    let config = client_config(Some(ca(&server)), &[b"h2"]);
    let (first, second, elapsed) = rt.block_on(async {
        let sender = h2_sender(tls_connect(&server, &config).await.unwrap()).await;
        let started = Instant::now();
        let first = concurrent(&sender, 1, "/?latency=100ms&connect_delay=50ms").await;
        let elapsed = started.elapsed();
        let second = concurrent(&sender, 1, "/?latency=100ms&connect_delay=50ms").await;
        (first, second, elapsed)
    });
    assert!(elapsed >= Duration::from_millis(150), "{elapsed:?}");
    assert!(first[0].has_metric("connect"), "{}", first[0].timing);
    assert!(first[0].has_metric("applied"), "{}", first[0].timing);
    assert!(
        !second[0].has_metric("connect"),
        "the connect delay is the connection's first request's only: {}",
        second[0].timing
    );
}

#[test]
fn a_reset_over_h2_is_a_connection_error_and_leaves_nothing_in_flight() {
    let server = start(ProtocolConfig::h2c());
    let rt = runtime();
    let (reset, held) = rt.block_on(async {
        let sender = h2_sender(TcpStream::connect(server.addr()).await.unwrap()).await;
        // A slow request on the same connection shares its fate.
        let mut slow = sender.clone();
        let held = tokio::spawn(async move { slow.send_request(request("/?latency=5s")).await });
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut sender = sender.clone();
        let reset = sender.send_request(request("/?reset=1")).await;
        (reset, held.await.unwrap())
    });
    assert!(reset.is_err(), "the reset request gets no response");
    assert!(held.is_err(), "the other stream ends with the connection");
    let stats = stats_when(&server, |s| s.in_flight == 0 && s.requests_served == 2);
    assert_eq!((stats.in_flight, stats.requests_served), (0, 2));
    assert_eq!(stats.faults["reset"], 1);
}

#[test]
fn an_unreadable_certificate_or_key_names_the_file_and_the_fix() {
    let dir = std::env::temp_dir().join(format!("waitbench-badcert-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let garbage = dir.join("garbage.pem");
    std::fs::write(&garbage, "-----BEGIN CERTIFICATE-----\nnot base64!\n").unwrap();
    let missing = dir.join("missing-key.pem");
    let with = |cert: &Path, key: &Path| {
        MockServer::start(ServerConfig {
            protocol: ProtocolConfig {
                cert: Some(cert.to_path_buf()),
                key: Some(key.to_path_buf()),
                ..ProtocolConfig::default()
            },
            ..ServerConfig::default()
        })
        .expect_err("bad files do not start a server")
    };
    let error = with(&garbage, &garbage);
    assert!(
        matches!(error, ServerError::CertificateFile { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("garbage.pem") && message.contains("not valid PEM"),
        "{message}"
    );
    assert!(message.contains("give --cert a PEM file"), "{message}");

    // A real certificate with a key file that is not there.
    let server = start(ProtocolConfig::tls());
    let message = with(ca(&server), &missing).to_string();
    assert!(
        message.contains("missing-key.pem") && message.contains("cannot read it"),
        "{message}"
    );
    assert!(
        message.contains("give --key a readable PEM key file"),
        "{message}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_servers_own_certificate_files_serve_as_cert_and_key() {
    // Conditions and protocol are independent: a default latency applies to TLS too.
    let generated = start(ProtocolConfig::tls());
    let ca = ca(&generated).to_path_buf();
    // The CA itself, as a certificate whose key we hold, served as a leaf for a client
    // that trusts it: the CA names no host, so the client must fail on the name.
    let key = ca.with_file_name("ca-key.pem");
    let server = MockServer::start(ServerConfig {
        protocol: ProtocolConfig {
            cert: Some(ca.clone()),
            key: Some(key),
            ..ProtocolConfig::default()
        },
        conditions: Conditions::from_query("latency=10ms").unwrap(),
        ..ServerConfig::default()
    })
    .expect("the CA's own certificate and key are a valid pair");
    assert!(server.url().starts_with("https://"));
    assert_eq!(
        server.ca_file(),
        None,
        "the user's certificate has no generated CA"
    );
    let error = runtime()
        .block_on(tls_connect(
            &server,
            &client_config(Some(&ca), &[b"http/1.1"]),
        ))
        .expect_err("a CA certificate is not valid for localhost");
    assert!(error.to_string().contains("certificate"), "{error}");
}

#[test]
fn a_tls_connection_over_the_cap_is_closed_before_its_handshake() {
    let server = MockServer::start(ServerConfig {
        max_connections: 1,
        protocol: ProtocolConfig::tls(),
        ..ServerConfig::default()
    })
    .unwrap();
    let config = client_config(Some(ca(&server)), &[b"http/1.1"]);
    let second = runtime().block_on(async {
        let _held = tls_connect(&server, &config).await.unwrap();
        tls_connect(&server, &config).await
    });
    assert!(second.is_err(), "the second connection is over the cap");
    let stats = stats_when(&server, |s| s.tls.as_ref().is_some_and(|t| t.full == 1));
    assert_eq!(
        stats.connections_accepted, 1,
        "the refused one is not counted"
    );
    assert_eq!(stats.tls.unwrap().failed, 0, "it never began a handshake");
}

#[test]
fn reset_and_stall_faults_end_a_tls_connection_without_an_answer() {
    let server = MockServer::start(ServerConfig {
        stall_cap: Duration::from_millis(100),
        protocol: ProtocolConfig::tls(),
        ..ServerConfig::default()
    })
    .unwrap();
    let config = client_config(Some(ca(&server)), &[b"http/1.1"]);
    let outcomes = runtime().block_on(async {
        let mut outcomes = Vec::new();
        for path in ["/?reset=1", "/?stall=1"] {
            let stream = tls_connect(&server, &config).await.unwrap();
            let (mut sender, conn) = http1::handshake(TokioIo::new(stream)).await.unwrap();
            tokio::spawn(conn);
            outcomes.push(sender.send_request(request(path)).await.map(|r| r.status()));
        }
        outcomes
    });
    assert!(outcomes.iter().all(Result::is_err), "{outcomes:?}");
    let stats = stats_when(&server, |s| s.requests_served == 2 && s.in_flight == 0);
    assert_eq!((stats.faults["reset"], stats.faults["stall"]), (1, 1));
    assert_eq!((stats.requests_served, stats.in_flight), (2, 0));
}
