//! What a server is told to do: where to listen, what to inject by default, and its
//! limits. Apart from the code that runs a server ([`crate::server`]) and the routes
//! ([`crate::app`]), so that both read it and neither depends on the other.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::MAX_STALL;
use crate::conditions::Conditions;
use crate::error::ServerError;
use crate::protocol::ProtocolConfig;
use crate::spec::{SpecError, format_duration_spec};

/// Default cap on open connections: above the 5,000 the sweeps use, below typical
/// descriptor limits once the client's own connections are counted.
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;

/// Default [`ServerConfig::header_read_timeout`]: long enough for any real client on a
/// slow link, short enough that idle and dribbling connections do not pile up.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Default [`ServerConfig::shutdown_timeout`].
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// `--listen`'s value: `IP:PORT`, or `HOST:PORT` for a name such as `localhost`, which
/// is resolved once (its IPv4 address first, as `curl localhost` would connect).
pub fn listen_address(text: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    if let Ok(addr) = text.trim().parse::<SocketAddr>() {
        return Ok(addr);
    }
    let form = "give IP:PORT or localhost:PORT, e.g. 127.0.0.1:8080";
    if !text.contains(':') {
        return Err(format!("{text:?} has no port; {form}"));
    }
    let addrs: Vec<SocketAddr> = text
        .trim()
        .to_socket_addrs()
        .map_err(|e| format!("{text:?} does not resolve ({e}); {form}"))?
        .collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or(addrs.first())
        .copied()
        .ok_or_else(|| format!("{text:?} resolves to no address; {form}"))
}

/// How the server listens and what it injects by default. Behind the `clap` feature it
/// is also `waitbench serve`'s flags, so each setting is declared and documented once.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct ServerConfig {
    /// Address to bind; port 0 picks a free port (see [`MockServer::addr`](crate::MockServer::addr)).
    #[cfg_attr(
        feature = "clap",
        arg(
            long,
            default_value = "127.0.0.1:8080",
            value_parser = listen_address,
            help = "Address to listen on, IP:PORT or localhost:PORT; anything but loopback must be asked for and prints a warning"
        )
    )]
    pub listen: SocketAddr,
    /// Worker threads of the server's runtime.
    #[cfg_attr(
        feature = "clap",
        arg(
            long = "threads",
            value_name = "N",
            default_value_t = default_worker_threads(),
            hide_default_value = true,
            help = "Server worker threads [default: one per core]"
        )
    )]
    pub worker_threads: usize,
    /// How long a stalled request is held before its connection is closed (≤ 60 s).
    #[cfg_attr(feature = "clap", arg(skip = MAX_STALL))]
    pub stall_cap: Duration,
    /// Most connections open at once; a connection beyond it is refused at once with a
    /// 503 and closed, rather than accepted and starved.
    #[cfg_attr(
        feature = "clap",
        arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CONNECTIONS)
    )]
    pub max_connections: usize,
    /// From when a connection starts waiting for a request (new, or idle between
    /// requests) until that request's headers are in: an idle connection and one that
    /// dribbles its headers (slowloris) are both closed when it runs out.
    #[cfg_attr(
        feature = "clap",
        arg(
            long = "header-timeout",
            value_name = "DURATION",
            default_value = "30s",
            value_parser = waitbench_core::units::duration_arg,
            help = "Close a connection that has not sent a whole request head this long after \
                    it opened or went idle (idle keep-alive and slowloris connections)"
        )
    )]
    pub header_read_timeout: Duration,
    /// How long a stop (Ctrl-C, SIGTERM, [`MockServer::shutdown`](crate::MockServer::shutdown))
    /// lets requests in flight finish before their connections are dropped.
    #[cfg_attr(
        feature = "clap",
        arg(
            long,
            value_name = "DURATION",
            default_value = "10s",
            value_parser = waitbench_core::units::duration_arg,
            help = "On Ctrl-C or SIGTERM, let requests in flight finish for at most this long"
        )
    )]
    pub shutdown_timeout: Duration,
    /// Token that control requests (`POST /stats/reset`) must carry as
    /// `Authorization: Bearer TOKEN`. With none, a loopback server keeps control open and
    /// any other address gets a generated one ([`MockServer::control_token`](crate::MockServer::control_token)).
    #[cfg_attr(
        feature = "clap",
        arg(
            long,
            value_name = "TOKEN",
            env = crate::CONTROL_TOKEN_ENV,
            hide_env_values = true,
            help = "Token that POST /stats/reset must carry as `Authorization: Bearer TOKEN`; \
                    off loopback one is generated and printed when none is given"
        )
    )]
    pub control_token: Option<String>,
    /// The conditions of every request (latency, connection-setup delay, faults), each
    /// unless the request sets its own.
    #[cfg_attr(feature = "clap", command(flatten))]
    pub conditions: Conditions,
    /// What connections speak: HTTP/1.1, h2c, or HTTPS (and its certificate).
    #[cfg_attr(feature = "clap", command(flatten))]
    pub protocol: ProtocolConfig,
}

/// One worker thread per core, the default of [`ServerConfig::worker_threads`].
pub fn default_worker_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            conditions: Conditions::default(),
            worker_threads: default_worker_threads(),
            stall_cap: MAX_STALL,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            control_token: None,
            protocol: ProtocolConfig::default(),
        }
    }
}

impl ServerConfig {
    /// This configuration with its default latency, connect delay and faults replaced by
    /// `conditions` (e.g. `ServerConfig::default().with_conditions(conditions)`).
    pub fn with_conditions(self, conditions: Conditions) -> ServerConfig {
        ServerConfig { conditions, ..self }
    }

    /// What every request gets unless it asks for something else.
    pub fn conditions(&self) -> Conditions {
        self.conditions.clone()
    }

    /// Checks the settings whose types allow values out of range (latencies and faults
    /// are valid by construction).
    pub fn validate(&self) -> Result<(), ServerError> {
        if self.worker_threads == 0 {
            return Err(SpecError::new("worker_threads", "0", "at least 1 thread").into());
        }
        if self.max_connections == 0 {
            return Err(SpecError::new("max_connections", "0", "at least 1 connection").into());
        }
        if self.header_read_timeout.is_zero() {
            return Err(
                SpecError::new("header_read_timeout", "0", "a duration above 0, e.g. 30s").into(),
            );
        }
        if let Some(token) = &self.control_token
            && (token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(SpecError::new(
                "control_token",
                token.clone(),
                "one or more visible ASCII characters, no spaces",
            )
            .into());
        }
        self.protocol.validate()?;
        if self.stall_cap > MAX_STALL {
            return Err(SpecError::new(
                "stall_cap",
                format_duration_spec(self.stall_cap),
                format!("at most {}", format_duration_spec(MAX_STALL)),
            )
            .into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_given_are_the_conditions_read_back() {
        let conditions = Conditions::from_query("latency=20ms&connect_delay=5ms&reset=0.5")
            .expect("valid conditions");
        let config = ServerConfig {
            worker_threads: 3,
            ..ServerConfig::default()
        }
        .with_conditions(conditions.clone());
        assert_eq!(config.conditions(), conditions);
        assert_eq!(config.worker_threads, 3);
    }

    #[test]
    fn localhost_with_a_port_is_a_listen_address() {
        let addr = listen_address("localhost:0").unwrap();
        assert!(addr.ip().is_loopback(), "{addr}");
        assert_eq!(listen_address("127.0.0.1:8080").unwrap().port(), 8080);
        assert_eq!(listen_address("[::1]:9").unwrap().port(), 9);
        let err = listen_address("localhost").unwrap_err();
        assert!(
            err.contains("has no port") && err.contains("localhost:PORT"),
            "{err}"
        );
    }

    /// `waitbench serve` with no flags is the library's default server, except the port:
    /// the flags' defaults restate the constants, so this keeps them from drifting.
    #[cfg(feature = "clap")]
    #[test]
    fn flag_defaults_are_the_library_defaults() {
        use clap::Parser;
        #[derive(Parser)]
        struct Serve {
            #[command(flatten)]
            config: ServerConfig,
        }
        let flags = Serve::parse_from(["serve"]).config;
        let library = ServerConfig::default();
        assert_eq!(flags.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(flags.worker_threads, library.worker_threads);
        assert_eq!(flags.max_connections, library.max_connections);
        assert_eq!(flags.header_read_timeout, library.header_read_timeout);
        assert_eq!(flags.shutdown_timeout, library.shutdown_timeout);
        assert_eq!(flags.stall_cap, library.stall_cap);
        assert_eq!(flags.conditions, library.conditions);
        assert_eq!(flags.protocol, library.protocol);
    }
}
