//! The HTTP/2 strategies against the mock server: C streams in flight over the stated
//! number of connections (from the server's `/stats`), streams beyond the server's limit
//! waiting in the client, h2c and ALPN h2 over TLS, and a reset over HTTP/2 counted as
//! a connection error.

mod common;

use std::num::NonZeroUsize;

use common::{assert_accounted, batch, errors};
use waitbench_core::{ErrorKind, HttpVersion, Measurement, ServerStats};
use waitbench_mockserver::{Conditions, MockServer, ProtocolConfig, ServerConfig};
use waitbench_strategies::{StrategyKind, StrategyOptions, build};

/// An HTTP/2 server (h2c, or TLS offering h2 by ALPN) with a latency of `latency`
/// and at most `streams` streams in flight per connection.
fn h2_server(tls: bool, latency: &str, streams: u32) -> MockServer {
    MockServer::start(ServerConfig {
        worker_threads: 2,
        conditions: Conditions {
            latency: Some(latency.parse().unwrap()),
            ..Default::default()
        },
        protocol: ProtocolConfig {
            tls,
            http2: !tls,
            max_concurrent_streams: streams,
            ..ProtocolConfig::default()
        },
        ..Default::default()
    })
    .expect("an HTTP/2 mock server starts")
}

/// Runs `kind` with `options` on a batch of `requests` at `concurrency`, and returns
/// the measurement and the server's stats before and after.
fn measure(
    server: &MockServer,
    kind: StrategyKind,
    options: &StrategyOptions,
    requests: u64,
    concurrency: usize,
) -> (Measurement, ServerStats, ServerStats) {
    server.reset_max_in_flight();
    let before = server.stats();
    let measurement = build(kind, options)
        .run(&batch(&server.url(), requests, concurrency, None))
        .unwrap_or_else(|err| panic!("{kind}: {err}"));
    assert_accounted(kind, &measurement.recorder);
    (measurement, before, server.stats())
}

fn h2_connections(stats: &ServerStats) -> u64 {
    stats
        .http2
        .as_ref()
        .expect("an HTTP/2 server counts")
        .connections
}

fn connections(k: usize) -> StrategyOptions {
    StrategyOptions {
        connections: NonZeroUsize::new(k),
        ..StrategyOptions::default()
    }
}

#[test]
fn hyper_h2_keeps_c_streams_in_flight_over_k_connections() {
    let server = h2_server(false, "300ms", 100);
    let (measurement, before, after) =
        measure(&server, StrategyKind::HyperTokioH2, &connections(2), 80, 40);
    assert_eq!(measurement.recorder.counters.ok, 80);
    assert_eq!(h2_connections(&after) - h2_connections(&before), 2);
    assert_eq!(after.connections_accepted - before.connections_accepted, 2);
    assert_eq!(
        after.max_in_flight, 40,
        "every worker's stream was in flight at once"
    );
    let report = measurement.connections.unwrap();
    assert_eq!((report.protocol, report.opened), (HttpVersion::Http2, 2));
    assert!(report.tls.is_none());
}

#[test]
fn streams_beyond_the_servers_limit_wait_in_the_client() {
    let server = h2_server(false, "200ms", 5);
    let (measurement, _, after) =
        measure(&server, StrategyKind::HyperTokioH2, &connections(2), 60, 30);
    assert_eq!(
        measurement.recorder.counters.ok, 60,
        "{:?}",
        measurement.error_samples
    );
    assert_eq!(
        after.max_in_flight, 10,
        "2 connections × 5 streams, the rest queued"
    );
}

#[test]
fn reqwest_http2_multiplexes_the_workers_on_few_connections_in_h2c_and_over_tls() {
    for tls in [false, true] {
        let server = h2_server(tls, "300ms", 100);
        let options = StrategyOptions {
            http2: true,
            cacert: server.ca_file().map(Into::into),
            ..StrategyOptions::default()
        };
        let (measurement, before, after) =
            measure(&server, StrategyKind::ReqwestTokio, &options, 40, 20);
        assert_eq!(
            measurement.recorder.counters.ok, 40,
            "tls {tls}: {:?}",
            measurement.error_samples
        );
        assert_eq!(after.max_in_flight, 20, "tls {tls}");
        let report = measurement.connections.unwrap();
        assert_eq!(report.protocol, HttpVersion::Http2, "tls {tls}");
        // reqwest's pool may race a second connection while the first is opening.
        assert!((1..=2).contains(&report.opened), "tls {tls}: {report:?}");
        assert_eq!(
            h2_connections(&after) - h2_connections(&before),
            report.opened,
            "tls {tls}: the server saw the connections the client opened"
        );
        assert_eq!(report.tls.is_some(), tls);
    }
}

#[test]
fn hyper_h2_speaks_h2_by_alpn_over_tls() {
    let server = h2_server(true, "100ms", 100);
    let options = StrategyOptions {
        cacert: server.ca_file().map(Into::into),
        ..connections(1)
    };
    let (measurement, before, after) =
        measure(&server, StrategyKind::HyperTokioH2, &options, 30, 10);
    assert_eq!(
        measurement.recorder.counters.ok, 30,
        "{:?}",
        measurement.error_samples
    );
    assert_eq!(h2_connections(&after) - h2_connections(&before), 1);
    let tls = measurement.connections.unwrap().tls.unwrap();
    assert_eq!((tls.full, tls.resumed), (1, 0));
}

#[test]
fn a_reset_over_http2_fails_the_connections_streams_as_counted_connection_errors() {
    let server = MockServer::start(ServerConfig {
        worker_threads: 2,
        conditions: Conditions::from_query("latency=20ms&reset=0.1").unwrap(),
        protocol: ProtocolConfig {
            http2: true,
            ..ProtocolConfig::default()
        },
        ..Default::default()
    })
    .unwrap();
    let (measurement, before, after) =
        measure(&server, StrategyKind::HyperTokioH2, &connections(1), 200, 8);
    let counters = &measurement.recorder.counters;
    let failed = counters.error_total();
    assert!(failed > 0, "resets were injected: {counters:?}");
    assert_eq!(
        counters.ok + failed,
        200,
        "every request ends as one outcome"
    );
    let reset_or_body = errors(&measurement.recorder, ErrorKind::Reset)
        + errors(&measurement.recorder, ErrorKind::Body);
    assert_eq!(reset_or_body, failed, "{:?}", measurement.error_samples);
    let report = measurement.connections.unwrap();
    assert_eq!(
        report.http2_connection_errors, failed,
        "a TCP reset fails the whole connection"
    );
    assert_eq!(report.http2_stream_errors, 0);
    assert!(
        report.opened > 1,
        "the client reopened its connection after a reset"
    );
    assert_eq!(
        h2_connections(&after) - h2_connections(&before),
        report.opened
    );
    assert!(
        measurement
            .error_samples
            .iter()
            .any(|m| m.contains("HTTP/2 connection error")),
        "{:?}",
        measurement.error_samples
    );
}

#[test]
fn cancel_over_http2_drops_the_streams_in_flight_and_accounts_for_them() {
    let server = MockServer::start(ServerConfig {
        worker_threads: 2,
        // Latencies spread out, so that streams are still in flight when the first
        // failure arrives (with one fixed latency the 20 answers can all arrive in one
        // read, leaving nothing to drop).
        conditions: Conditions::from_query("latency=uniform(20ms,100ms)&fail=0.3:503").unwrap(),
        protocol: ProtocolConfig {
            http2: true,
            ..ProtocolConfig::default()
        },
        ..Default::default()
    })
    .unwrap();
    let mut workload = batch(&server.url(), 200, 20, None);
    workload.on_error = waitbench_core::ErrorPolicy::Cancel;
    let m = build(StrategyKind::HyperTokioH2, &connections(2))
        .run(&workload)
        .unwrap();
    assert_accounted(StrategyKind::HyperTokioH2, &m.recorder);
    assert!(m.recorder.counters.sent < 200, "{:?}", m.recorder.counters);
    assert!(m.recorder.counters.http_errors() >= 1);
    assert!(
        errors(&m.recorder, ErrorKind::Cancelled) >= 1,
        "streams in flight were dropped"
    );
}

#[test]
fn the_http2_only_client_says_why_an_http1_server_fails_it() {
    let server = common::server(None);
    let m = build(StrategyKind::HyperTokioH2, &connections(1))
        .run(&batch(&server.url(), 4, 2, None))
        .unwrap();
    assert_accounted(StrategyKind::HyperTokioH2, &m.recorder);
    assert_eq!(m.recorder.counters.ok, 0);
    assert!(!m.error_samples.is_empty());
}
