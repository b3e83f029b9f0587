//! Go: `go-goroutines` (a goroutine per request in flight on `net/http`, the transport
//! sized for C: `MaxConnsPerHost` and `MaxIdleConnsPerHost` = C; with `--idle-per-host
//! library` the standard transport's 2 idle connections per host, Go's counterpart of
//! the library-default artifacts shown for ureq and rayon) and `go-pool` (a fixed pool
//! of worker goroutines reading the tickets from a channel, `--threads`, default C).
//!
//! The client (`client/main.go`, standard library only) speaks the client protocol, so
//! waitbench drives and records it as any external client ([`crate::external`]);
//! [`build`] compiles it on first use. Its clock is nanoseconds since its own start
//! (`time.Since`, Go's monotonic clock), related to waitbench's by the handshake.

pub mod build;

pub use build::{GoBuild, REQUIRE_GO_ENV};

use waitbench_core::Stack;

use crate::error::RunError;
use crate::external::Program;
use crate::kind::StrategyKind;
use crate::options::cores;
use crate::runtimes::reference::{Idle, Pool, Reference, ReferenceRuntime};

/// Go's `http.Transport` idle limit and its default (`DefaultMaxIdleConnsPerHost`).
const IDLE: Idle = Idle::Limit {
    setting: "MaxIdleConnsPerHost",
    default: 2,
};

/// Go's OS threads: one per GOMAXPROCS (the cores), sysmon, and the threads a blocking
/// system call parks (few: network I/O goes through the netpoller).
fn go_threads() -> usize {
    cores() + 8
}

/// Go's patterns.
const PATTERNS: [Reference; 2] = [
    Reference {
        kind: StrategyKind::GoGoroutines,
        library: "net/http",
        execution: "a goroutine per request (go func per ticket), one http.Client",
        pool: None,
        idle: IDLE,
        runtime_threads: go_threads,
    },
    Reference {
        kind: StrategyKind::GoPool,
        library: "net/http",
        execution: "a fixed pool of worker goroutines reading the tickets from a channel",
        pool: Some(Pool {
            workers: "worker goroutines",
            os_threads: false,
        }),
        idle: IDLE,
        runtime_threads: go_threads,
    },
];

/// Go, built by waitbench with the machine's `go`.
pub(crate) const GO: ReferenceRuntime = ReferenceRuntime {
    stack: Stack::Go,
    kinds: &StrategyKind::GO,
    rows: &PATTERNS,
    prepare: || {
        GoBuild::get()?;
        Ok(())
    },
    require_env: REQUIRE_GO_ENV,
    program,
    describe: GoBuild::describe,
};

/// The command that runs `kind`.
fn program(kind: StrategyKind) -> Result<Program, RunError> {
    Ok(Program {
        program: GoBuild::get()?.binary.clone(),
        args: vec![kind.name().into()],
        current_dir: None,
    })
}
