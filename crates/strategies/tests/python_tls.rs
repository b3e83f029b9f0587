//! The Python patterns over HTTPS and HTTP/2 against the mock server: a round trip for
//! requests, aiohttp and httpx that reports its session as the Rust clients do, a
//! certificate the client does not trust failing as counted TLS errors, resumption
//! showing in the server's handshake counts, and httpx's HTTP/2 keeping C streams in
//! flight (from the server's `/stats`). Without a usable Python these tests say so and
//! skip (unless `WAITBENCH_REQUIRE_PYTHON` is set).

mod common;

use common::{
    assert_accounted, assert_resumption_off_then_on, assert_untrusted_certificate_fails, batch,
    handshakes, stranger_ca, trusting, unavailable,
};
use waitbench_core::{HttpVersion, ServerKeyType, ServerStats, TlsVersion};
use waitbench_mockserver::{Conditions, MockServer, ProtocolConfig, ServerConfig};
use waitbench_strategies::{StrategyKind, StrategyOptions, TlsResume, build};

/// A mock server speaking `protocol`, answering after `latency`.
fn server(protocol: ProtocolConfig, latency: Option<&str>) -> MockServer {
    MockServer::start(ServerConfig {
        worker_threads: 2,
        conditions: Conditions {
            latency: latency.map(|l| l.parse().unwrap()),
            ..Default::default()
        },
        protocol,
        ..Default::default()
    })
    .expect("the mock server starts")
}

/// One pattern of each library, and the ones claim B compares.
const OVER_TLS: [StrategyKind; 6] = [
    StrategyKind::PyRequests,
    StrategyKind::PyRequestsSession,
    StrategyKind::PyAiohttp,
    StrategyKind::PyAiohttpPerRequest,
    StrategyKind::PyHttpx,
    StrategyKind::PyHttpxAsync,
];

#[test]
fn requests_aiohttp_and_httpx_round_trip_over_tls_and_report_their_session() {
    if OVER_TLS.iter().any(|&kind| unavailable(kind)) {
        return;
    }
    let server = server(ProtocolConfig::tls(), None);
    let options = trusting(&server, TlsResume::On);
    let mut so_far = 0;
    for kind in OVER_TLS {
        let measurement = build(kind, &options)
            .run(&batch(&server.url(), 12, 3, None))
            .unwrap_or_else(|err| panic!("{kind}: {err}"));
        assert_accounted(kind, &measurement.recorder);
        assert_eq!(
            measurement.recorder.counters.ok, 12,
            "{kind}: {:?}",
            measurement.error_samples
        );
        let connections = measurement
            .connections
            .unwrap_or_else(|| panic!("{kind}: an https:// run reports its connections"));
        assert_eq!(connections.protocol, HttpVersion::Http1, "{kind}");
        let tls = connections.tls.expect("TLS");
        assert_eq!(tls.version, Some(TlsVersion::Tls13), "{kind}");
        assert_eq!(tls.key_type, Some(ServerKeyType::EcdsaP256), "{kind}");
        assert!(
            tls.cipher_suite
                .as_deref()
                .is_some_and(|s| s.starts_with("TLS13_")),
            "{kind}: {tls:?}"
        );
        assert!(tls.verified && tls.resumption, "{kind}");
        assert_eq!(tls.full + tls.resumed, connections.opened, "{kind}");
        assert!(tls.full >= 1, "{kind}: the first connection is a full one");
        // The server saw exactly the handshakes the client counted.
        so_far += connections.opened;
        let (full, resumed, failed) = handshakes(&server, so_far);
        assert_eq!(full + resumed, so_far, "{kind}");
        assert_eq!(failed, 0, "{kind}");
    }
}

#[test]
fn a_python_client_that_does_not_trust_the_certificate_fails_with_counted_tls_errors() {
    let kinds = [
        StrategyKind::PyRequestsSession,
        StrategyKind::PyAiohttp,
        StrategyKind::PyHttpxAsync,
    ];
    if kinds.iter().any(|&kind| unavailable(kind)) {
        return;
    }
    let server = server(ProtocolConfig::tls(), None);
    let stranger = stranger_ca("python");
    let options = StrategyOptions {
        cacert: Some(stranger.clone()),
        ..StrategyOptions::default()
    };
    for kind in kinds {
        assert_untrusted_certificate_fails(&server, kind, &options, 4);
    }
    std::fs::remove_file(stranger).unwrap();
}

#[test]
fn resumption_off_and_on_shows_in_the_servers_counts_for_a_connection_per_request() {
    let kinds = [StrategyKind::PyRequests, StrategyKind::PyAiohttpPerRequest];
    if kinds.iter().any(|&kind| unavailable(kind)) {
        return;
    }
    let server = server(ProtocolConfig::tls(), None);
    for kind in kinds {
        assert_resumption_off_then_on(&server, kind, 10);
    }
}

#[test]
fn httpx_over_http2_keeps_c_streams_in_flight_on_one_connection() {
    if unavailable(StrategyKind::PyHttpxAsync) {
        return;
    }
    for tls in [false, true] {
        let server = server(
            ProtocolConfig {
                tls,
                http2: !tls,
                ..ProtocolConfig::default()
            },
            Some("300ms"),
        );
        let options = StrategyOptions {
            http2: true,
            cacert: server.ca_file().map(Into::into),
            ..StrategyOptions::default()
        };
        server.reset_max_in_flight();
        let before = server.stats();
        let measurement = build(StrategyKind::PyHttpxAsync, &options)
            .run(&batch(&server.url(), 40, 20, None))
            .unwrap_or_else(|err| panic!("tls {tls}: {err}"));
        assert_accounted(StrategyKind::PyHttpxAsync, &measurement.recorder);
        assert_eq!(
            measurement.recorder.counters.ok, 40,
            "tls {tls}: {:?}",
            measurement.error_samples
        );
        let after = server.stats();
        assert_eq!(after.max_in_flight, 20, "tls {tls}: C streams in flight");
        let h2 = |stats: &ServerStats| stats.http2.as_ref().expect("HTTP/2 counted").clone();
        let (streams, opened) = (
            h2(&after).streams - h2(&before).streams,
            h2(&after).connections - h2(&before).connections,
        );
        assert_eq!(streams, 40, "tls {tls}: every request a stream");
        assert!((1..=2).contains(&opened), "tls {tls}: {opened} connections");
        if tls {
            let report = measurement.connections.expect("TLS reports connections");
            assert_eq!(report.protocol, HttpVersion::Http2);
            assert_eq!(
                report.opened, opened,
                "the server saw what the client opened"
            );
        }
    }
}
