//! Every Rust strategy over HTTPS against the mock server: a round trip that reports
//! its session, a certificate the client does not trust failing as TLS errors that
//! the accounting counts, and `--tls-resume` showing in the server's handshake counts.

mod common;

use common::{
    assert_accounted, assert_resumption_off_then_on, assert_untrusted_certificate_fails, batch,
    handshakes, stranger_ca, trusting,
};
use waitbench_core::{HttpVersion, ServerKeyType, TlsVersion};
use waitbench_mockserver::{MockServer, ProtocolConfig, ServerConfig};
use waitbench_strategies::{Stack, StrategyKind, StrategyOptions, TlsResume, build};

/// A TLS mock server with `protocol`'s other settings.
fn tls_server(protocol: ProtocolConfig) -> MockServer {
    MockServer::start(ServerConfig {
        worker_threads: 2,
        protocol,
        ..Default::default()
    })
    .expect("TLS mock server starts")
}

#[test]
fn every_rust_strategy_round_trips_over_tls_and_reports_its_session() {
    let server = tls_server(ProtocolConfig::tls());
    let options = trusting(&server, TlsResume::On);
    let mut handshakes_so_far = 0;
    for kind in StrategyKind::ALL
        .into_iter()
        .filter(|k| k.stack() == Stack::Rust)
    {
        let concurrency = if kind == StrategyKind::UreqSequential {
            1
        } else {
            4
        };
        let workload = batch(&server.url(), 24, concurrency, None);
        let measurement = build(kind, &options)
            .run(&workload)
            .unwrap_or_else(|err| panic!("{kind}: {err}"));
        assert_accounted(kind, &measurement.recorder);
        assert_eq!(
            measurement.recorder.counters.ok, 24,
            "{kind}: {:?}",
            measurement.error_samples
        );
        let connections = measurement
            .connections
            .expect("a Rust strategy reports connections");
        let protocol = match kind {
            StrategyKind::HyperTokioH2 => HttpVersion::Http2,
            _ => HttpVersion::Http1,
        };
        assert_eq!(connections.protocol, protocol, "{kind}");
        assert!(connections.opened >= 1, "{kind}: {connections:?}");
        assert_eq!(connections.failed, 0, "{kind}: {connections:?}");
        assert!(
            connections.connect_mean_us.is_some_and(|us| us > 0.0),
            "{kind}"
        );
        let tls = connections.tls.expect("an https:// run reports TLS");
        assert_eq!(tls.version, Some(TlsVersion::Tls13), "{kind}");
        assert_eq!(tls.key_type, Some(ServerKeyType::EcdsaP256), "{kind}");
        assert!(tls.verified && tls.resumption, "{kind}");
        assert_eq!(
            tls.full + tls.resumed,
            connections.opened,
            "{kind}: {tls:?}"
        );
        if !matches!(
            kind,
            StrategyKind::ReqwestTokio | StrategyKind::ReqwestPerRequest
        ) {
            // reqwest does not show its connections; the others name the suite.
            assert!(
                tls.cipher_suite
                    .as_deref()
                    .is_some_and(|s| s.starts_with("TLS13_")),
                "{kind}: {tls:?}"
            );
        }
        // The server saw exactly the handshakes the client counted.
        handshakes_so_far += connections.opened;
        let (full, resumed, failed) = handshakes(&server, handshakes_so_far);
        assert_eq!(full + resumed, handshakes_so_far, "{kind}");
        assert_eq!(failed, 0, "{kind}");
    }
}

#[test]
fn a_client_that_does_not_trust_the_certificate_fails_with_counted_tls_errors() {
    let server = tls_server(ProtocolConfig::tls());
    let stranger = stranger_ca("tls");
    let options = StrategyOptions {
        cacert: Some(stranger.clone()),
        ..StrategyOptions::default()
    };
    for kind in [
        StrategyKind::UreqThreads,
        StrategyKind::ReqwestTokio,
        StrategyKind::HyperTokio,
    ] {
        assert_untrusted_certificate_fails(&server, kind, &options, 6);
    }
    let (_, _, failed) = handshakes(&server, 3);
    assert!(failed >= 3, "the server saw the handshakes fail too");
    std::fs::remove_file(stranger).unwrap();
}

#[test]
fn resumption_off_and_on_shows_in_the_servers_handshake_counts() {
    let server = tls_server(ProtocolConfig::tls());
    for kind in [
        StrategyKind::UreqPerRequest,
        StrategyKind::ReqwestPerRequest,
    ] {
        assert_resumption_off_then_on(&server, kind, 20);
    }
}

#[test]
fn a_server_without_resumption_makes_every_offer_a_full_handshake() {
    let server = tls_server(ProtocolConfig {
        no_resumption: true,
        ..ProtocolConfig::tls()
    });
    let workload = batch(&server.url(), 10, 1, None);
    let measurement = build(
        StrategyKind::UreqPerRequest,
        &trusting(&server, TlsResume::On),
    )
    .run(&workload)
    .unwrap();
    let client = measurement.connections.unwrap().tls.unwrap();
    assert_eq!((client.full, client.resumed), (10, 0));
    assert_eq!(handshakes(&server, 10), (10, 0, 0));
}
