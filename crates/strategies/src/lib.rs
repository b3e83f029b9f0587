//! waitbench-strategies: the client strategies that waitbench compares.
//!
//! Each strategy runs a [`Workload`] its own way — ureq one request after another, ureq on
//! a dedicated rayon pool, reqwest on a tokio runtime, bare hyper connections on tokio, a
//! new client per request, a blocking call inside tokio tasks and its `spawn_blocking`
//! fix, and the article's Python clients in a child process — and hands back a core
//! [`Measurement`]. Every strategy builds its clients, pools and runtime before the clock
//! starts and classifies every request as exactly one
//! [`Outcome`](waitbench_core::Outcome), recorded by core's recorder, and the accounting
//! is checked before it returns. The Rust strategies drive the load model through the
//! shared [`Dispatcher`](waitbench_core::Dispatcher); the Python ones run the same load
//! model in the child ([`python`]) and replay its records into the same recorder. What
//! differs between strategies is only how the workers execute (threads, pool jobs, tasks,
//! an interpreter), which is what makes them comparable. The settings that change a result are
//! reported by [`Strategy::info`]. This crate starts no server and formats no report.

mod connection_log;
mod cpu_work;
mod deadline;
mod dial;
mod error;
pub mod external;
mod h2_client;
mod hyper_client;
mod kind;
mod option_key;
mod options;
mod plant;
mod reqwest_client;
mod reqwest_errors;
mod run;
mod runtime;
pub mod runtimes;
mod settings;
pub mod strategy;
mod target;
mod ticker;
mod tls;
mod transport;
mod ureq_client;
mod ureq_connector;
mod ureq_errors;

#[cfg(test)]
mod test_support;

pub use error::RunError;
pub use kind::{Stack, StrategyKind, UnknownStrategy};
pub use option_key::OptionKey;
pub use options::{
    AwaitWith, BadOption, Combinator, IdlePerHost, PoolSize, RuntimeFlavor, StrategyOptions,
    TlsResume,
};
pub use plant::{BadPlant, Plant, PlantSpec};
pub use strategy::UserClient;

use waitbench_core::{Measurement, StrategyInfo, Workload};

/// A way of executing a workload: a client library plus an execution model.
pub trait Strategy: Send + Sync {
    /// Which strategy this is.
    fn kind(&self) -> StrategyKind;

    /// The name, every setting that changes a result, and how many requests can really be
    /// in flight for `workload` with these settings.
    fn info(&self, workload: &Workload) -> StrategyInfo;

    /// Sets up, on first use, what this strategy needs beyond the binary (the Python
    /// clients' environment), so that setup happens, visibly and interruptibly, before
    /// anything is measured; most strategies need nothing.
    fn ready(&self) -> Result<(), RunError> {
        Ok(())
    }

    /// Runs `workload`: builds clients, pools and runtime first (untimed), then drives C
    /// workers through the load model and returns the checked measurement.
    fn run(&self, workload: &Workload) -> Result<Measurement, RunError>;
}

/// A ureq agent with `config` that opens connections to `url` as the Rust strategies
/// do: over https://, with the same trust (`--cacert`, `--insecure`, else waitbench's
/// CAs) and rustls configuration. For a request that must reach the target the way the
/// measured ones will (the preflight).
pub fn agent_like_strategies(
    config: ureq::config::Config,
    url: &str,
    options: &StrategyOptions,
) -> Result<ureq::Agent, RunError> {
    let https = url.starts_with("https://");
    let transport = transport::Transport::for_scheme(https, options)?;
    Ok(ureq::Agent::with_parts(
        config,
        ureq_client::connector(&transport)?,
        ureq::unversioned::resolver::DefaultResolver::default(),
    ))
}

/// The rustls client configuration the Rust strategies handshake with over https://
/// (the same trust, provider, versions and session cache), offering `alpn`: for a bare
/// client that must connect exactly as the measured ones do (the ceiling examples).
pub fn rustls_like_strategies(
    options: &StrategyOptions,
    alpn: &[&[u8]],
) -> Result<std::sync::Arc<rustls::ClientConfig>, RunError> {
    let transport = transport::Transport::for_scheme(true, options)?;
    Ok(transport
        .rustls(alpn)?
        .expect("an https:// transport always has TLS"))
}

/// Builds the strategy `kind` with `options` (options a strategy does not use are ignored
/// and not reported).
pub fn build(kind: StrategyKind, options: &StrategyOptions) -> Box<dyn Strategy> {
    use strategy::*;
    match kind {
        StrategyKind::UreqSequential => Box::new(UreqSequential::new(options)),
        StrategyKind::UreqRayon => Box::new(UreqRayon::new(options)),
        StrategyKind::UreqThreads => Box::new(UreqThreads::new(options)),
        StrategyKind::ReqwestTokio => Box::new(ReqwestTokio::new(options)),
        StrategyKind::HyperTokio => Box::new(HyperTokio::new(options)),
        StrategyKind::HyperTokioH2 => Box::new(HyperTokioH2::new(options)),
        StrategyKind::UreqPerRequest => Box::new(UreqPerRequest::new(options)),
        StrategyKind::ReqwestPerRequest => Box::new(ReqwestPerRequest::new(options)),
        StrategyKind::TokioBlocking => Box::new(TokioBlocking::new(options)),
        StrategyKind::TokioSpawnBlocking => Box::new(TokioSpawnBlocking::new(options)),
        // Built from its command by `UserClient::new`; by name it has none to run.
        StrategyKind::Client => Box::new(UserClient::without_command()),
        // Every other strategy is a pattern of an external runtime, declared in its
        // runtime's folder (a test holds every kind to exactly one stack).
        external => Box::new(
            runtimes::ExternalPattern::new(external, options)
                .unwrap_or_else(|| panic!("{external} is neither Rust's nor a runtime's")),
        ),
    }
}
