//! The ureq side shared by the ureq strategies: how an agent is configured, and the one
//! function that sends a request, reads its body and classifies the result.

use std::io;

use ureq::Agent;
use ureq::config::Config;
use waitbench_core::units::{format_bytes, format_duration};
use waitbench_core::{Outcome, StrategyInfo, Timeouts};

use crate::settings::set;
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
    pub(crate) fn pooled(timeouts: Timeouts, idle_per_host: Option<usize>, sharers: usize) -> Self {
        let per_host = idle_per_host.unwrap_or(sharers.max(UREQ_DEFAULT_IDLE_PER_HOST));
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

    /// A new agent with [`config`](Self::config).
    pub(crate) fn agent(&self) -> Agent {
        Agent::new_with_config(self.config())
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
    }
}

/// Sends a GET to `url`, reads and discards the whole body, and classifies the result.
pub(crate) fn fetch(agent: &Agent, url: &str) -> Outcome {
    let mut response = match agent.get(url).call() {
        Ok(response) => response,
        Err(err) => return Outcome::Error(classify(&err)),
    };
    let status = response.status().as_u16();
    match io::copy(&mut response.body_mut().as_reader(), &mut io::sink()) {
        Ok(_) => Outcome::from_status(status),
        Err(err) => Outcome::Error(classify_body(err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooled_agents_keep_a_connection_for_every_sharer_unless_told_otherwise() {
        let timeouts = Timeouts::default();
        let right_sized = UreqSettings::pooled(timeouts, None, 300).config();
        assert_eq!(right_sized.max_idle_connections_per_host(), 300);
        assert_eq!(right_sized.max_idle_connections(), 300);
        let defaults = UreqSettings::pooled(timeouts, Some(3), 300).config();
        assert_eq!(defaults.max_idle_connections_per_host(), 3);
        assert_eq!(defaults.max_idle_connections(), 10);
        assert!(right_sized.proxy().is_none());
        assert!(!right_sized.http_status_as_error());
    }
}
