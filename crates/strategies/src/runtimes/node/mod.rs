//! Node.js: `node-fetch` (the built-in `fetch`, undici's global dispatcher, C promises
//! in flight on one event loop) and `node-http` (`http.request` on one keep-alive
//! `http.Agent` with `maxSockets` C and `maxFreeSockets` C, or `--idle-per-host`).
//!
//! The client (`client/client.js`, Node's own modules only) speaks the client protocol,
//! so waitbench drives and records it as any external client ([`crate::external`]);
//! [`build`] checks `node` and writes the script into the cache. Its clock is
//! `process.hrtime.bigint()`, related to waitbench's by the handshake.

pub mod build;

pub use build::{NodeBuild, REQUIRE_NODE_ENV};

use waitbench_core::Stack;

use crate::error::RunError;
use crate::external::Program;
use crate::kind::StrategyKind;
use crate::runtimes::reference::{Idle, Reference, ReferenceRuntime};

/// Node's threads: the event loop, libuv's pool of 4, V8's platform workers and
/// inspector/GC helpers.
fn node_threads() -> usize {
    12
}

/// Node's patterns.
const PATTERNS: [Reference; 2] = [
    Reference {
        kind: StrategyKind::NodeFetch,
        library: "fetch (Node's built-in undici)",
        execution: "a fetch promise per request on one event loop",
        // undici's global Agent keeps what it opened; its limits are not reachable
        // without the undici package.
        pool: None,
        idle: Idle::Unlimited,
        runtime_threads: node_threads,
    },
    Reference {
        kind: StrategyKind::NodeHttp,
        library: "node:http (keep-alive Agent, maxSockets C)",
        execution: "http.request per request on one event loop",
        pool: None,
        idle: Idle::Limit {
            setting: "maxFreeSockets",
            default: 256,
        },
        runtime_threads: node_threads,
    },
];

/// Node.js, the machine's `node`.
pub(crate) const NODE: ReferenceRuntime = ReferenceRuntime {
    stack: Stack::Node,
    kinds: &StrategyKind::NODE,
    rows: &PATTERNS,
    prepare: || {
        NodeBuild::get()?;
        Ok(())
    },
    require_env: REQUIRE_NODE_ENV,
    program,
    describe: NodeBuild::describe,
};

/// The command that runs `kind`.
fn program(kind: StrategyKind) -> Result<Program, RunError> {
    let built = NodeBuild::get()?;
    Ok(Program {
        program: built.node.clone(),
        args: vec![
            built.script.to_string_lossy().into_owned(),
            kind.name().into(),
        ],
        current_dir: None,
    })
}
