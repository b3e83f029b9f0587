//! One request before the clock starts, so that a target that cannot answer fails in a
//! second with the reason, not after the whole load with a table of failures.
//!
//! The preflight is the measured request itself (same URL, method, headers and body),
//! sent once, so it tells the user nothing they did not ask to send; its response also
//! says whether the target is a waitbench server (the [`SERVER_HEADER`] every waitbench
//! response carries), which is how a run learns it without probing anything else. A
//! refused connection, a name that does not resolve, a timeout or a 4xx/5xx answer is a
//! [`PreflightError`] naming the address and the cause; `--no-preflight` skips it, for
//! a request that must not be sent one more time.

use std::io::{ErrorKind, Read};
use std::time::Duration;

use thiserror::Error;
use waitbench_core::{RequestSpec, Timeouts};
use waitbench_mockserver::SERVER_HEADER;
use waitbench_strategies::StrategyOptions;

/// What the target answered to the preflight request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preflight {
    /// Its status code.
    pub status: u16,
    /// Whether the answer carried the [`SERVER_HEADER`]: a waitbench server.
    pub waitbench: bool,
}

/// A preflight that failed: the run would measure nothing but this failure.
#[derive(Debug, Error, PartialEq, Eq)]
#[error(
    "preflight {method} {url}: {cause}; no load was sent (fix the target, or \
     --no-preflight to measure it anyway)"
)]
pub struct PreflightError {
    /// The method sent.
    pub method: String,
    /// The URL sent.
    pub url: String,
    /// What happened, naming the address where it helps.
    pub cause: String,
}

/// Sends `spec` to `url` once and reads the whole answer, connecting as the strategies
/// with `options` will (TLS trust over https://). A waitbench server's error status is
/// not a failure here (it may inject failures on purpose); any other server's 4xx or
/// 5xx is.
pub fn preflight(
    url: &str,
    spec: &RequestSpec,
    timeouts: Timeouts,
    options: &StrategyOptions,
) -> Result<Preflight, PreflightError> {
    let fail = |cause: String| PreflightError {
        method: spec.method.clone(),
        url: url.to_string(),
        cause,
    };
    let config = ureq::Agent::config_builder()
        .proxy(None)
        .http_status_as_error(false)
        .allow_non_standard_methods(true)
        .timeout_connect(Some(timeouts.connect))
        .timeout_global(Some(timeouts.request.max(Duration::from_millis(1))))
        .build();
    let agent = waitbench_strategies::agent_like_strategies(config, url, options)
        .map_err(|e| fail(e.to_string()))?;
    let mut request = ureq::http::Request::builder()
        .method(spec.method.as_str())
        .uri(url);
    for header in &spec.headers {
        request = request.header(header.name.as_str(), header.value.as_str());
    }
    let request = request
        .body(spec.body_bytes())
        .map_err(|e| fail(format!("not a valid request: {e}")))?;
    let address = address_of(url);
    let https = url.starts_with("https://");
    let mut response = agent
        .run(request)
        .map_err(|e| fail(cause(&e, &address, https)))?;
    let status = response.status().as_u16();
    let waitbench = response.headers().contains_key(SERVER_HEADER);
    // Read the body so the server sees a complete exchange, as a measured request's.
    let _ = std::io::copy(
        &mut response.body_mut().as_reader().take(64 << 20),
        &mut std::io::sink(),
    );
    if !waitbench && status >= 400 {
        let reason = response.status().canonical_reason().unwrap_or("");
        return Err(fail(format!(
            "{address} answered {status} {reason}: every request would fail the same way"
        )));
    }
    Ok(Preflight { status, waitbench })
}

/// `host:port` of `url`, for messages.
fn address_of(url: &str) -> String {
    url.parse::<ureq::http::Uri>()
        .ok()
        .and_then(|uri| {
            let authority = uri.authority()?;
            let default = if uri.scheme_str() == Some("https") {
                443
            } else {
                80
            };
            let port = authority.port_u16().unwrap_or(default);
            Some(format!("{}:{port}", authority.host()))
        })
        .unwrap_or_else(|| url.to_string())
}

/// Why the request got no answer, in words: the cause a user can act on first.
fn cause(error: &ureq::Error, address: &str, https: bool) -> String {
    let closed = |e: &std::io::Error| {
        matches!(
            e.kind(),
            ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset
        )
    };
    match error {
        ureq::Error::Io(e) if https && closed(e) => format!(
            "{address} closed the connection before answering: if it does not speak TLS \
             on that port, give an http:// URL"
        ),
        ureq::Error::Io(e) if e.kind() == ErrorKind::ConnectionRefused => {
            format!("connection refused by {address} (nothing listens on that port)")
        }
        ureq::Error::Io(e) if e.kind() == ErrorKind::ConnectionReset => {
            format!("{address} reset the connection")
        }
        // ureq reports the system resolver's failure as an I/O error with its message.
        ureq::Error::HostNotFound => format!("DNS: the host of {address} does not resolve"),
        ureq::Error::Io(e) if e.to_string().contains("lookup address") => {
            format!("DNS: the host of {address} does not resolve ({e})")
        }
        ureq::Error::Timeout(what) => {
            format!("no answer from {address} in time ({what}; see --connect-timeout, --timeout)")
        }
        ureq::Error::Rustls(rustls::Error::AlertReceived(
            rustls::AlertDescription::NoApplicationProtocol,
        )) => format!(
            "{address} offers no protocol the preflight speaks: its ALPN offers h2 alone, and \
             the preflight (like the server figures a waitbench server gives) speaks HTTP/1.1; \
             offer http/1.1 beside h2 (`waitbench serve --tls` without --http2 does)"
        ),
        ureq::Error::Rustls(e) => format!(
            "the TLS handshake with {address} failed ({e}); trust the server's CA with \
             --cacert FILE, or --insecure for your own server"
        ),
        other => format!("{address}: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;

    fn answering(status_line: &'static str) -> String {
        format!(
            "{}/api?x=1",
            crate::test_server::plain_server(status_line).0
        )
    }

    fn closed_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port()
    }

    #[test]
    fn a_refused_connection_names_the_address_and_the_cause() {
        let url = format!("http://127.0.0.1:{}/", closed_port());
        let err = preflight(
            &url,
            &RequestSpec::default(),
            Timeouts::default(),
            &StrategyOptions::default(),
        )
        .unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("connection refused by 127.0.0.1:"),
            "{message}"
        );
        assert!(
            message.starts_with(&format!("preflight GET {url}:")),
            "{message}"
        );
        assert!(message.contains("--no-preflight"), "{message}");
    }

    #[test]
    fn an_h2_only_tls_server_is_named_as_such_not_as_a_trust_problem() {
        let alert = ureq::Error::Rustls(rustls::Error::AlertReceived(
            rustls::AlertDescription::NoApplicationProtocol,
        ));
        let said = cause(&alert, "127.0.0.1:8443", true);
        assert!(said.contains("ALPN offers h2 alone"), "{said}");
        assert!(said.contains("without --http2"), "{said}");
        assert!(!said.contains("--cacert"), "{said}");
    }

    #[test]
    fn an_unresolvable_host_is_a_dns_failure() {
        // The resolver's error as ureq reports it (no lookup is made: tests stay on
        // loopback).
        let lookup = std::io::Error::other(
            "failed to lookup address information: Name or service not known",
        );
        let said = cause(&ureq::Error::Io(lookup), "api.internal:8080", false);
        assert!(
            said.starts_with("DNS: the host of api.internal:8080"),
            "{said}"
        );
        let said = cause(&ureq::Error::HostNotFound, "api.internal:8080", false);
        assert!(said.starts_with("DNS:"), "{said}");
    }

    #[test]
    fn a_foreign_error_status_fails_and_a_success_passes_as_foreign() {
        let err = preflight(
            &answering("404 Not Found"),
            &RequestSpec::default(),
            Timeouts::default(),
            &StrategyOptions::default(),
        )
        .unwrap_err();
        assert!(err.cause.contains("answered 404 Not Found"), "{err}");
        let ok = preflight(
            &answering("200 OK"),
            &RequestSpec::default(),
            Timeouts::default(),
            &StrategyOptions::default(),
        )
        .unwrap();
        assert_eq!(
            ok,
            Preflight {
                status: 200,
                waitbench: false
            }
        );
    }

    #[test]
    fn a_waitbench_server_says_so_in_its_answer() {
        let server = waitbench_mockserver::MockServer::start(Default::default()).unwrap();
        let ok = preflight(
            &format!("{}/", server.url()),
            &RequestSpec::default(),
            Timeouts::default(),
            &StrategyOptions::default(),
        )
        .unwrap();
        assert!(ok.waitbench);
    }
}

#[cfg(test)]
mod tls_tests {
    use super::*;

    #[test]
    fn an_untrusted_certificate_fails_the_preflight_with_the_fix() {
        let server = waitbench_mockserver::MockServer::start(waitbench_mockserver::ServerConfig {
            protocol: waitbench_mockserver::ProtocolConfig::tls(),
            ..Default::default()
        })
        .unwrap();
        let url = format!("{}/", server.url());
        let insecure = StrategyOptions {
            insecure: true,
            ..StrategyOptions::default()
        };
        let ok = preflight(
            &url,
            &RequestSpec::default(),
            Timeouts::default(),
            &insecure,
        )
        .unwrap();
        assert!(ok.waitbench);
        let trusting = StrategyOptions {
            cacert: server.ca_file().map(Into::into),
            ..StrategyOptions::default()
        };
        assert!(
            preflight(
                &url,
                &RequestSpec::default(),
                Timeouts::default(),
                &trusting
            )
            .is_ok()
        );
        // Trusting only a CA file that signed nothing of this server's.
        let other =
            std::env::temp_dir().join(format!("waitbench-preflight-{}.pem", std::process::id()));
        let stranger = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        std::fs::write(&other, stranger.cert.pem()).unwrap();
        let strangers = StrategyOptions {
            cacert: Some(other.clone()),
            ..StrategyOptions::default()
        };
        let err = preflight(
            &url,
            &RequestSpec::default(),
            Timeouts::default(),
            &strangers,
        )
        .unwrap_err()
        .to_string();
        std::fs::remove_file(other).unwrap();
        assert!(err.contains("TLS handshake"), "{err}");
        assert!(err.contains("--cacert"), "{err}");
    }
}
