//! The ureq side shared by the ureq strategies: how an agent is configured, and the one
//! function that sends a request, reads its body and classifies the result.

use std::io;
use std::net::{IpAddr, SocketAddr};

use ureq::Agent;
use ureq::config::Config;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;
use waitbench_core::units::{format_bytes, format_duration};
use waitbench_core::{Outcome, StrategyInfo, Timeouts};

use crate::error::RunError;
use crate::options::IdlePerHost;
use crate::settings::set;
use crate::target::{RequestTarget, error_chain};
use crate::transport::{ALPN_HTTP1, Transport};
use crate::ureq_connector::LoggedConnector;
use crate::ureq_errors::{classify, classify_body};

/// ureq's own default of idle connections kept per host.
pub(crate) const UREQ_DEFAULT_IDLE_PER_HOST: usize = 3;
/// ureq's own default of idle connections kept in total.
pub(crate) const UREQ_DEFAULT_IDLE_TOTAL: usize = 10;

/// How the ureq strategies configure their agents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct UreqSettings {
    timeouts: Timeouts,
    idle_per_host: usize,
    idle_total: usize,
    pooled: bool,
}

impl UreqSettings {
    /// One agent shared by `sharers` threads: keeps up to `idle_per_host` idle
    /// connections, or — when not given — enough for every sharer (never below ureq's
    /// defaults), so that no thread has to reconnect because the pool threw its
    /// connection away.
    pub(crate) fn pooled(timeouts: Timeouts, idle_per_host: IdlePerHost, sharers: usize) -> Self {
        let per_host = idle_per_host
            .limit(sharers, Some(UREQ_DEFAULT_IDLE_PER_HOST))
            .unwrap_or(UREQ_DEFAULT_IDLE_PER_HOST);
        UreqSettings {
            timeouts,
            idle_per_host: per_host,
            idle_total: per_host.max(UREQ_DEFAULT_IDLE_TOTAL),
            pooled: true,
        }
    }

    /// A new agent per request: nothing is pooled, every request opens a connection.
    pub(crate) fn per_request(timeouts: Timeouts) -> Self {
        UreqSettings {
            timeouts,
            idle_per_host: UREQ_DEFAULT_IDLE_PER_HOST,
            idle_total: UREQ_DEFAULT_IDLE_TOTAL,
            pooled: false,
        }
    }

    /// The agent configuration: no proxy from the environment, status codes returned as
    /// responses (not errors), connect and whole-request timeouts, the idle limits.
    pub(crate) fn config(&self) -> Config {
        Agent::config_builder()
            .proxy(None)
            .http_status_as_error(false)
            .no_delay(true)
            .timeout_connect(Some(self.timeouts.connect))
            .timeout_global(Some(self.timeouts.request))
            .max_idle_connections(self.idle_total)
            .max_idle_connections_per_host(self.idle_per_host)
            .build()
    }

    /// A new agent with [`config`](Self::config) and the [`IpLiteralResolver`],
    /// connecting through `transport`.
    pub(crate) fn agent(&self, transport: &Transport) -> Result<Agent, RunError> {
        Ok(agent_with(self.config(), &connector(transport)?))
    }

    /// Adds the agent's settings to `info`.
    pub(crate) fn describe(&self, info: &mut StrategyInfo) {
        let config = self.config();
        set(info, "client", "ureq 3 (blocking, HTTP/1.1)");
        if self.pooled {
            set(info, "keep_alive", "on (one shared agent)");
            set(
                info,
                "ureq_idle_per_host",
                config.max_idle_connections_per_host(),
            );
            set(info, "ureq_idle_total", config.max_idle_connections());
            set(
                info,
                "ureq_idle_age",
                format_duration(config.max_idle_age()),
            );
        } else {
            set(info, "keep_alive", "off (new agent per request)");
        }
        let bytes = |n: usize| format_bytes(n as f64);
        set(info, "ureq_input_buffer", bytes(config.input_buffer_size()));
        set(
            info,
            "ureq_output_buffer",
            bytes(config.output_buffer_size()),
        );
        set(info, "tcp_nodelay", config.no_delay());
        set(
            info,
            "ureq_resolver",
            "IP literals parsed in place (ureq's default spawns a thread per request when a timeout is set)",
        );
    }
}

/// The connector of a run's agents: `transport`'s TLS (ALPN `http/1.1`) and log.
pub(crate) fn connector(transport: &Transport) -> Result<LoggedConnector, RunError> {
    Ok(LoggedConnector::new(
        transport.rustls(&[ALPN_HTTP1])?,
        std::sync::Arc::clone(transport.log()),
    ))
}

/// A new agent with `config`, `connector` and the [`IpLiteralResolver`]: the one way
/// the ureq strategies build agents.
pub(crate) fn agent_with(config: Config, connector: &LoggedConnector) -> Agent {
    Agent::with_parts(config, connector.clone(), IpLiteralResolver)
}

/// A resolver that answers IP-literal hosts (`127.0.0.1:8080`, `[::1]:80`) without a
/// lookup, and hands every other host to ureq's [`DefaultResolver`].
///
/// ureq 3 resolves the host on every request, before it looks in its connection pool,
/// and its default resolver enforces a timeout by spawning a thread per resolve. With a
/// request timeout set (as every strategy sets one), that is one thread spawned per
/// request: measured at C = 1000 it cost ~6 ms of CPU per request and 30% of the
/// throughput. That is an artifact of the library's resolver, not of blocking I/O, so the
/// ureq strategies skip it for IP literals (the mock server is always one).
#[derive(Debug, Default)]
pub(crate) struct IpLiteralResolver;

impl Resolver for IpLiteralResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let literal = uri.authority().and_then(|authority| {
            let host = authority
                .host()
                .trim_start_matches('[')
                .trim_end_matches(']');
            let ip: IpAddr = host.parse().ok()?;
            let default_port = if uri.scheme_str() == Some("https") {
                443
            } else {
                80
            };
            let port = authority.port_u16().unwrap_or(default_port);
            Some(SocketAddr::new(ip, port))
        });
        match literal {
            Some(addr) => {
                let mut addrs = self.empty();
                addrs.push(addr);
                Ok(addrs)
            }
            None => DefaultResolver::default().resolve(uri, config, timeout),
        }
    }
}

/// Sends `target`'s request, reads and discards the whole body, and classifies the result.
pub(crate) fn fetch(agent: &Agent, target: &RequestTarget) -> Outcome {
    let spec = target.request();
    let sent = if spec.plain {
        agent.get(target.uri().clone()).call()
    } else {
        let mut request = ureq::http::Request::new(spec.body.as_ref());
        *request.method_mut() = spec.method.clone();
        *request.uri_mut() = target.uri().clone();
        *request.headers_mut() = spec.headers.clone();
        agent.run(request)
    };
    let mut response = match sent {
        Ok(response) => response,
        Err(err) => {
            target.note_error(|| error_chain(&err));
            return Outcome::Error(classify(&err));
        }
    };
    let status = response.status().as_u16();
    match io::copy(&mut response.body_mut().as_reader(), &mut io::sink()) {
        Ok(_) => Outcome::from_status(status),
        Err(err) => {
            target.note_error(|| error_chain(&err));
            Outcome::Error(classify_body(err))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_literals_resolve_without_a_lookup_and_names_fall_back() {
        let config = Agent::config_builder().build();
        let resolve = |url: &str| {
            let uri: ureq::http::Uri = url.parse().unwrap();
            IpLiteralResolver.resolve(&uri, &config, NextTimeout::default())
        };
        let v4 = resolve("http://127.0.0.1:8080/x").unwrap();
        assert_eq!(v4[..], ["127.0.0.1:8080".parse::<SocketAddr>().unwrap()]);
        let v6 = resolve("http://[::1]/").unwrap();
        assert_eq!(v6[..], ["[::1]:80".parse::<SocketAddr>().unwrap()]);
        assert!(
            resolve("http://localhost:9/")
                .unwrap()
                .iter()
                .any(|a| a.port() == 9)
        );
    }

    #[test]
    fn pooled_agents_keep_a_connection_for_every_sharer_unless_told_otherwise() {
        let timeouts = Timeouts::default();
        let right_sized = UreqSettings::pooled(timeouts, crate::IdlePerHost::Sized, 300).config();
        assert_eq!(right_sized.max_idle_connections_per_host(), 300);
        assert_eq!(right_sized.max_idle_connections(), 300);
        let defaults =
            UreqSettings::pooled(timeouts, crate::IdlePerHost::LibraryDefault, 300).config();
        assert_eq!(defaults.max_idle_connections_per_host(), 3);
        assert_eq!(defaults.max_idle_connections(), 10);
        assert!(right_sized.proxy().is_none());
        assert!(!right_sized.http_status_as_error());
    }
}
