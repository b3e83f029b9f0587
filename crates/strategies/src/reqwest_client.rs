//! The reqwest side shared by the reqwest strategies: how a client is configured, and the
//! one function that sends a request, reads its body and classifies the result.

use reqwest::{Client, ClientBuilder};
use waitbench_core::{Outcome, StrategyInfo, Timeouts};

use crate::options::IdlePerHost;
use crate::reqwest_errors::{Stage, classify};
use crate::settings::set;
use crate::target::{RequestTarget, error_chain};

/// reqwest's default idle timeout for pooled connections, as reported.
const REQWEST_DEFAULT_IDLE_TIMEOUT: &str = "90s (reqwest default)";

/// How the reqwest strategies configure their clients.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ReqwestSettings {
    timeouts: Timeouts,
    idle_per_host: Option<usize>,
}

impl ReqwestSettings {
    /// Settings with the workload's timeouts; `idle_per_host` of `None` keeps reqwest's
    /// default (no limit).
    pub(crate) fn new(timeouts: Timeouts, idle_per_host: IdlePerHost) -> Self {
        ReqwestSettings {
            timeouts,
            // Sized means unbounded here: reqwest keeps every connection by default.
            idle_per_host: match idle_per_host {
                IdlePerHost::Fixed(n) => Some(n),
                IdlePerHost::Sized | IdlePerHost::LibraryDefault => None,
            },
        }
    }

    /// The builder: no proxy (neither environment nor system), connect and whole-request
    /// timeouts, TCP_NODELAY, and the idle limit if one was given.
    fn builder(&self) -> ClientBuilder {
        let builder = Client::builder()
            .no_proxy()
            .connect_timeout(self.timeouts.connect)
            .timeout(self.timeouts.request)
            .tcp_nodelay(true);
        match self.idle_per_host {
            Some(n) => builder.pool_max_idle_per_host(n),
            None => builder,
        }
    }

    /// Builds a client.
    pub(crate) fn client(&self) -> Result<Client, reqwest::Error> {
        self.builder().build()
    }

    /// Adds the client's settings to `info`; `shared` says whether one client (and its
    /// pool) serves every request.
    pub(crate) fn describe(&self, info: &mut StrategyInfo, shared: bool) {
        set(info, "client", "reqwest 0.13 (hyper, HTTP/1.1)");
        if shared {
            set(info, "keep_alive", "on (one shared client)");
            match self.idle_per_host {
                Some(n) => set(info, "reqwest_idle_per_host", n),
                None => set(info, "reqwest_idle_per_host", "unbounded (reqwest default)"),
            }
            set(info, "reqwest_idle_timeout", REQWEST_DEFAULT_IDLE_TIMEOUT);
        } else {
            set(info, "keep_alive", "off (new client per request)");
        }
        set(info, "tcp_nodelay", true);
    }
}

/// Sends `target`'s request, reads and discards the whole body chunk by chunk, and
/// classifies the result.
pub(crate) async fn fetch(client: &Client, target: &RequestTarget) -> Outcome {
    let spec = target.request();
    let request = if spec.plain {
        client.get(target.url().clone())
    } else {
        client
            .request(spec.method.clone(), target.url().clone())
            .headers(spec.headers.clone())
            .body(spec.body.clone())
    };
    let mut response = match request.send().await {
        Ok(response) => response,
        Err(err) => {
            target.note_error(|| error_chain(&err));
            return Outcome::Error(classify(&err, Stage::Send));
        }
    };
    let status = response.status().as_u16();
    loop {
        match response.chunk().await {
            Ok(Some(_)) => {}
            Ok(None) => return Outcome::from_status(status),
            Err(err) => {
                target.note_error(|| error_chain(&err));
                return Outcome::Error(classify(&err, Stage::Body));
            }
        }
    }
}
