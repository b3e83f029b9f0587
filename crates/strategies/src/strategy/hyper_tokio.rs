//! `hyper-tokio`: async at its leanest. Each worker task owns one keep-alive HTTP/1.1
//! connection driven through `hyper::client::conn::http1`, with no pool and no client
//! library in between: the way oha drives hyper, and what reqwest is built on.
//!
//! It sits beside `reqwest-tokio` to split what async costs from what a convenient
//! client costs: same runtime, same harness, same server; only the per-request path
//! differs (see [`crate::hyper_client`] for what reqwest adds to it).
//!
//! Execution: the run builds its own runtime (`runtime_flavor`, `runtime_threads`
//! workers), then spawns C worker tasks; each opens its connection on its first request
//! (timed, as reqwest's lazy connect is) and again after any failure. The server sees at
//! most C connections and C requests in flight. `effective_concurrency` is C.
//!
//! Timing model: as `reqwest-tokio`: from just before the request is handed to hyper to
//! the last body frame. Under cancel-on-error the siblings are aborted and their in-flight
//! requests counted as cancelled.

use waitbench_core::{HttpVersion, Measurement, Outcome, StrategyInfo, Workload};

use crate::Strategy;
use crate::dial::Dialer;
use crate::error::RunError;
use crate::hyper_client::HyperConnection;
use crate::kind::StrategyKind;
use crate::options::StrategyOptions;
use crate::run::AsyncSend;
use crate::runtime::RuntimePlan;
use crate::settings::common;
use crate::target::RequestTarget;
use crate::transport::{ALPN_HTTP1, Transport};

/// C tokio tasks, each with its own hyper connection.
#[derive(Debug, Clone)]
pub struct HyperTokio {
    options: StrategyOptions,
}

/// One worker's own connection.
#[derive(Debug)]
struct OwnConnection(HyperConnection);

impl AsyncSend for OwnConnection {
    /// A new, unconnected slot: connections are never shared between workers.
    fn for_worker(&self) -> Self {
        OwnConnection(self.0.fresh())
    }

    fn send(&mut self, target: &RequestTarget) -> impl Future<Output = Outcome> + Send {
        self.0.fetch(target)
    }
}

impl HyperTokio {
    /// The strategy with `options` (uses the runtime options, `cpu_work` and `ticker`).
    pub fn new(options: &StrategyOptions) -> Self {
        HyperTokio {
            options: options.clone(),
        }
    }
}

impl Strategy for HyperTokio {
    fn kind(&self) -> StrategyKind {
        StrategyKind::HyperTokio
    }

    fn info(&self, workload: &Workload) -> StrategyInfo {
        let workers = workload.load.concurrency();
        let mut info = common(self.kind(), workload, &self.options, workers, workers);
        RuntimePlan::new(&self.options, None).describe(&mut info);
        HyperConnection::describe(&mut info);
        info
    }

    fn run(&self, workload: &Workload) -> Result<Measurement, RunError> {
        let transport = Transport::new(workload, &self.options)?;
        let measurement =
            RuntimePlan::new(&self.options, None).run(workload, &self.options, || {
                let dialer = Dialer::new(&transport, &[ALPN_HTTP1], workload.timeouts.connect)?;
                Ok(OwnConnection(HyperConnection::new(
                    workload.timeouts,
                    dialer,
                )))
            });
        transport.attach(HttpVersion::Http1, measurement)
    }
}
