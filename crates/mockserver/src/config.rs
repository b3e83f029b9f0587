//! What a server is told to do: where to listen, what to inject by default, and its
//! limits. Apart from the code that runs a server ([`crate::server`]) and the routes
//! ([`crate::app`]), so that both read it and neither depends on the other.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::MAX_STALL;
use crate::conditions::Conditions;
use crate::error::ServerError;
use crate::spec::{SpecError, format_duration_spec};

/// Default cap on open connections: above the 5,000 the sweeps use, below typical
/// descriptor limits once the client's own connections are counted.
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;

/// Default [`ServerConfig::header_read_timeout`]: long enough for any real client on a
/// slow link, short enough that idle and dribbling connections do not pile up.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Default [`ServerConfig::shutdown_timeout`].
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// How the server listens and what it injects by default.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to bind; port 0 picks a free port (see [`MockServer::addr`](crate::MockServer::addr)).
    pub listen: SocketAddr,
    /// The conditions of every request (latency, connection-setup delay, faults), each
    /// unless the request sets its own.
    pub conditions: Conditions,
    /// Worker threads of the server's runtime.
    pub worker_threads: usize,
    /// How long a stalled request is held before its connection is closed (≤ 60 s).
    pub stall_cap: Duration,
    /// Most connections open at once; a connection beyond it is refused at once with a
    /// 503 and closed, rather than accepted and starved.
    pub max_connections: usize,
    /// From when a connection starts waiting for a request (new, or idle between
    /// requests) until that request's headers are in: an idle connection and one that
    /// dribbles its headers (slowloris) are both closed when it runs out.
    pub header_read_timeout: Duration,
    /// How long a stop (Ctrl-C, SIGTERM, [`MockServer::shutdown`](crate::MockServer::shutdown))
    /// lets requests in flight finish before their connections are dropped.
    pub shutdown_timeout: Duration,
    /// Token that control requests (`POST /stats/reset`) must carry as
    /// `Authorization: Bearer TOKEN`. With none, a loopback server keeps control open and
    /// any other address gets a generated one ([`MockServer::control_token`](crate::MockServer::control_token)).
    pub control_token: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            conditions: Conditions::default(),
            worker_threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            stall_cap: MAX_STALL,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            control_token: None,
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
}
