//! `hyper-tokio-h2`: C worker tasks sharing K HTTP/2 connections (`--connections K`,
//! default 1), each request its own stream: what an async client can do that a blocking
//! one cannot, a thousand requests in flight over a handful of connections.
//!
//! It sits beside `hyper-tokio` (one HTTP/1.1 connection per task) so that the protocol
//! is the only difference: same runtime, same harness, same connection setup
//! ([`crate::dial`]); over https:// ALPN offers `h2` alone, over http:// the client
//! speaks h2c with prior knowledge. It speaks through `h2`, the HTTP/2 engine hyper's
//! client wraps, without hyper's task per request. See [`crate::h2_client`] for why, how
//! streams beyond the server's limit per connection wait and how failures are scoped.
//!
//! Execution: the run builds its runtime, then spawns C worker tasks, assigned to the
//! K connections in turn; a connection opens on its first request (timed, as the
//! HTTP/1.1 strategies' are). `effective_concurrency` is C: whether the server lets all
//! of them be in flight (K × its stream limit) is what the run measures.
//!
//! Timing model: as `hyper-tokio`, from just before the stream is opened to its last
//! body frame; a stream waiting for the server's stream limit waits inside that time,
//! as it would in an application.

use waitbench_core::{HttpVersion, Measurement, Outcome, StrategyInfo, Workload};

use crate::Strategy;
use crate::dial::Dialer;
use crate::error::RunError;
use crate::h2_client::{H2Connections, H2Worker};
use crate::kind::StrategyKind;
use crate::options::StrategyOptions;
use crate::run::AsyncSend;
use crate::runtime::RuntimePlan;
use crate::settings::common;
use crate::target::RequestTarget;
use crate::transport::{ALPN_H2, Transport};

/// C tokio tasks sharing K HTTP/2 connections, driven through h2.
#[derive(Debug, Clone)]
pub struct HyperTokioH2 {
    options: StrategyOptions,
}

impl AsyncSend for H2Worker {
    /// The next connection in turn.
    fn for_worker(&self) -> Self {
        self.next()
    }

    fn send(&mut self, target: &RequestTarget) -> impl Future<Output = Outcome> + Send {
        self.fetch(target)
    }
}

impl HyperTokioH2 {
    /// The strategy with `options` (uses `connections`, the runtime options, `cpu_work`
    /// and `ticker`).
    pub fn new(options: &StrategyOptions) -> Self {
        HyperTokioH2 {
            options: options.clone(),
        }
    }

    /// K: `--connections`, else one.
    fn connections(&self) -> usize {
        self.options.connections.map_or(1, |k| k.get())
    }
}

impl Strategy for HyperTokioH2 {
    fn kind(&self) -> StrategyKind {
        StrategyKind::HyperTokioH2
    }

    fn info(&self, workload: &Workload) -> StrategyInfo {
        let workers = workload.load.concurrency();
        let mut info = common(self.kind(), workload, &self.options, workers, workers);
        RuntimePlan::new(&self.options, None).describe(&mut info);
        H2Connections::describe(&mut info, self.connections());
        info
    }

    fn run(&self, workload: &Workload) -> Result<Measurement, RunError> {
        let transport = Transport::new(workload, &self.options)?;
        let measurement =
            RuntimePlan::new(&self.options, None).run(workload, &self.options, || {
                let dialer = Dialer::new(&transport, &[ALPN_H2], workload.timeouts.connect)?;
                let connections = H2Connections::new(
                    workload.timeouts,
                    dialer,
                    std::sync::Arc::clone(transport.log()),
                    self.connections(),
                );
                Ok(connections.worker())
            });
        transport.attach(HttpVersion::Http2, measurement)
    }
}
