//! The strategies by name, as the CLI and result files spell them.

use std::str::FromStr;

use thiserror::Error;

/// Which strategy to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StrategyKind {
    /// One ureq agent, one request after another on the calling thread.
    UreqSequential,
    /// One shared ureq agent on a dedicated rayon thread pool.
    UreqRayon,
    /// One shared ureq agent on C plain OS threads (thread per request).
    UreqThreads,
    /// One shared reqwest client on a tokio runtime, one task per worker.
    ReqwestTokio,
    /// One bare hyper HTTP/1.1 connection per tokio task, no pool: async at its leanest.
    HyperTokio,
    /// K HTTP/2 connections (hyper's h2 engine, bare) shared by C tokio tasks, one stream
    /// per request.
    HyperTokioH2,
    /// A new ureq agent (so a new connection) for every request, on C threads.
    UreqPerRequest,
    /// A new reqwest client (so a new connection) for every request, on tokio tasks.
    ReqwestPerRequest,
    /// A blocking ureq call made directly inside tokio tasks (the anti-pattern).
    TokioBlocking,
    /// The same blocking call moved to `tokio::task::spawn_blocking` (the fix).
    TokioSpawnBlocking,
    /// Python: `requests.get(url)` in a loop, no session (a new connection each time).
    PyRequests,
    /// Python: one `requests.Session`, one request after another.
    PyRequestsSession,
    /// Python: `requests` on a `ThreadPoolExecutor`, one shared session.
    PyThreadpool,
    /// Python: one `aiohttp.ClientSession`, C coroutines under `asyncio.gather`.
    PyAiohttp,
    /// Python: a new `aiohttp.ClientSession` per request (claim B's misuse).
    PyAiohttpPerRequest,
    /// Python: a blocking `requests` call inside `async def` (claim F2's mistake).
    PyAsyncBlocking,
    /// Python: the same call through `loop.run_in_executor` (claim F2's fix).
    PyAsyncExecutor,
    /// Python: aiohttp on one event loop, each response's CPU work sent to a
    /// `ProcessPoolExecutor` (claim F1's "use processes").
    PyProcessPool,
    /// Go: a goroutine per request on one `net/http` client sized for C.
    GoGoroutines,
    /// Go: a fixed pool of worker goroutines reading the tickets from a channel.
    GoPool,
    /// Java: `HttpClient.send` on a fixed pool of platform threads.
    JavaThreads,
    /// Java: `HttpClient.send` on a virtual thread per request.
    JavaVirtualThreads,
    /// Java: `HttpClient.sendAsync`, a `CompletableFuture` per request.
    JavaAsync,
    /// Node.js: the built-in `fetch`, C promises on one event loop.
    NodeFetch,
    /// Node.js: `http.request` on a keep-alive `Agent` with `maxSockets` C.
    NodeHttp,
    /// Python: py-threadpool's `requests` code on C greenlets after gevent's
    /// monkey-patching.
    PyGevent,
    /// Python: py-aiohttp's code on uvloop's event loop.
    PyAiohttpUvloop,
    /// Python: one `httpx.Client` on a `ThreadPoolExecutor`.
    PyHttpx,
    /// Python: one `httpx.AsyncClient`, C coroutines; HTTP/2 with `--http2`.
    PyHttpxAsync,
    /// A user's own client program (`run --client 'CMD ARGS…'`), driven through client
    /// protocol 1. Not in [`StrategyKind::ALL`]: it is chosen by its command, not by name.
    Client,
}

/// Which language's client stack a strategy measures (declared in core, beside the
/// results that record it).
pub use waitbench_core::Stack;

impl StrategyKind {
    /// Every strategy, in the order summaries list them: Rust's, then each runtime's.
    /// Derived from the stacks' lists, so a new strategy is declared in its list alone.
    pub const ALL: [StrategyKind;
        StrategyKind::RUST.len()
            + StrategyKind::PYTHON.len()
            + StrategyKind::GO.len()
            + StrategyKind::JAVA.len()
            + StrategyKind::NODE.len()] = concat(&[
        &StrategyKind::RUST,
        &StrategyKind::PYTHON,
        &StrategyKind::GO,
        &StrategyKind::JAVA,
        &StrategyKind::NODE,
    ]);

    /// The Go strategies, which need Go 1.19+ to build their client.
    pub const GO: [StrategyKind; 2] = [StrategyKind::GoGoroutines, StrategyKind::GoPool];

    /// The Java strategies, which need a JDK 17+ to compile their client.
    pub const JAVA: [StrategyKind; 3] = [
        StrategyKind::JavaThreads,
        StrategyKind::JavaVirtualThreads,
        StrategyKind::JavaAsync,
    ];

    /// The Node.js strategies, which need Node.js 18+.
    pub const NODE: [StrategyKind; 2] = [StrategyKind::NodeFetch, StrategyKind::NodeHttp];

    /// The Python strategies, which need a Python 3.11+ interpreter on the machine.
    pub const PYTHON: [StrategyKind; 12] = [
        StrategyKind::PyRequests,
        StrategyKind::PyRequestsSession,
        StrategyKind::PyThreadpool,
        StrategyKind::PyAiohttp,
        StrategyKind::PyAiohttpPerRequest,
        StrategyKind::PyAsyncBlocking,
        StrategyKind::PyAsyncExecutor,
        StrategyKind::PyProcessPool,
        StrategyKind::PyGevent,
        StrategyKind::PyAiohttpUvloop,
        StrategyKind::PyHttpx,
        StrategyKind::PyHttpxAsync,
    ];

    /// The Rust strategies, which run in waitbench's own process.
    pub const RUST: [StrategyKind; 10] = [
        StrategyKind::UreqSequential,
        StrategyKind::UreqRayon,
        StrategyKind::UreqThreads,
        StrategyKind::ReqwestTokio,
        StrategyKind::HyperTokio,
        StrategyKind::HyperTokioH2,
        StrategyKind::UreqPerRequest,
        StrategyKind::ReqwestPerRequest,
        StrategyKind::TokioBlocking,
        StrategyKind::TokioSpawnBlocking,
    ];

    /// The name used on the command line and in results, e.g. `ureq-rayon`.
    pub fn name(self) -> &'static str {
        match self {
            StrategyKind::UreqSequential => "ureq-sequential",
            StrategyKind::UreqRayon => "ureq-rayon",
            StrategyKind::UreqThreads => "ureq-threads",
            StrategyKind::ReqwestTokio => "reqwest-tokio",
            StrategyKind::HyperTokio => "hyper-tokio",
            StrategyKind::HyperTokioH2 => "hyper-tokio-h2",
            StrategyKind::UreqPerRequest => "ureq-per-request",
            StrategyKind::ReqwestPerRequest => "reqwest-per-request",
            StrategyKind::TokioBlocking => "tokio-blocking",
            StrategyKind::TokioSpawnBlocking => "tokio-spawn-blocking",
            StrategyKind::PyRequests => "py-requests",
            StrategyKind::PyRequestsSession => "py-requests-session",
            StrategyKind::PyThreadpool => "py-threadpool",
            StrategyKind::PyAiohttp => "py-aiohttp",
            StrategyKind::PyAiohttpPerRequest => "py-aiohttp-per-request",
            StrategyKind::PyAsyncBlocking => "py-async-blocking",
            StrategyKind::PyAsyncExecutor => "py-async-executor",
            StrategyKind::PyProcessPool => "py-process-pool",
            StrategyKind::GoGoroutines => "go-goroutines",
            StrategyKind::GoPool => "go-pool",
            StrategyKind::JavaThreads => "java-threads",
            StrategyKind::JavaVirtualThreads => "java-virtual-threads",
            StrategyKind::JavaAsync => "java-async",
            StrategyKind::NodeFetch => "node-fetch",
            StrategyKind::NodeHttp => "node-http",
            StrategyKind::PyGevent => "py-gevent",
            StrategyKind::PyAiohttpUvloop => "py-aiohttp-uvloop",
            StrategyKind::PyHttpx => "py-httpx",
            StrategyKind::PyHttpxAsync => "py-httpx-async",
            StrategyKind::Client => "client",
        }
    }

    /// One line saying what the strategy does.
    pub fn description(self) -> &'static str {
        match self {
            StrategyKind::UreqSequential => {
                "one ureq agent, one request after another on one thread (concurrency 1)"
            }
            StrategyKind::UreqRayon => "one shared ureq agent on a dedicated rayon thread pool",
            StrategyKind::UreqThreads => {
                "one shared ureq agent on C plain OS threads (thread per request)"
            }
            StrategyKind::ReqwestTokio => "one shared reqwest client on tokio, one task per worker",
            StrategyKind::HyperTokio => {
                "one bare hyper connection per tokio task, no pool (async at its leanest)"
            }
            StrategyKind::HyperTokioH2 => {
                "C tokio tasks sharing K HTTP/2 connections (--connections K) through h2, hyper's engine, a stream per request"
            }
            StrategyKind::UreqPerRequest => {
                "a new ureq agent (new connection) per request, one thread per worker"
            }
            StrategyKind::ReqwestPerRequest => {
                "a new reqwest client (new connection) per request, one task per worker"
            }
            StrategyKind::TokioBlocking => {
                "blocking ureq calls inside tokio tasks: stalls the runtime (anti-pattern)"
            }
            StrategyKind::TokioSpawnBlocking => {
                "blocking ureq calls moved to tokio's spawn_blocking pool (the fix)"
            }
            StrategyKind::PyRequests => {
                "Python: requests.get(url) in a loop, no session (new connection each time)"
            }
            StrategyKind::PyRequestsSession => {
                "Python: one requests.Session, one request after another"
            }
            StrategyKind::PyThreadpool => {
                "Python: requests on a ThreadPoolExecutor (--threads N|concurrency|default)"
            }
            StrategyKind::PyAiohttp => {
                "Python: one aiohttp ClientSession, C coroutines under asyncio.gather"
            }
            StrategyKind::PyAiohttpPerRequest => {
                "Python: a new aiohttp ClientSession per request, under asyncio.gather"
            }
            StrategyKind::PyAsyncBlocking => {
                "Python: blocking requests calls inside async def: stalls the event loop"
            }
            StrategyKind::PyAsyncExecutor => {
                "Python: the blocking call through loop.run_in_executor (--threads N|concurrency|default)"
            }
            StrategyKind::PyProcessPool => {
                "Python: aiohttp, CPU work per response in a ProcessPoolExecutor (--threads: its processes)"
            }
            StrategyKind::GoGoroutines => {
                "Go: a goroutine per request on net/http sized for C (--idle-per-host library: Go's 2)"
            }
            StrategyKind::GoPool => {
                "Go: net/http on a fixed pool of worker goroutines (--threads N|concurrency|library)"
            }
            StrategyKind::JavaThreads => {
                "Java: HttpClient.send on a fixed pool of platform threads (--threads N|concurrency)"
            }
            StrategyKind::JavaVirtualThreads => {
                "Java: HttpClient.send on a virtual thread per request (Java 21+)"
            }
            StrategyKind::JavaAsync => {
                "Java: HttpClient.sendAsync, a CompletableFuture per request"
            }
            StrategyKind::NodeFetch => "Node.js: the built-in fetch, C promises on one event loop",
            StrategyKind::NodeHttp => {
                "Node.js: http.request on a keep-alive Agent with maxSockets C"
            }
            StrategyKind::PyGevent => {
                "Python: requests on C greenlets after gevent's monkey.patch_all()"
            }
            StrategyKind::PyAiohttpUvloop => "Python: py-aiohttp's code on uvloop's event loop",
            StrategyKind::PyHttpx => {
                "Python: one httpx.Client on a ThreadPoolExecutor (--threads N|concurrency|default)"
            }
            StrategyKind::PyHttpxAsync => {
                "Python: one httpx.AsyncClient, C coroutines under asyncio.gather (--http2: HTTP/2)"
            }
            StrategyKind::Client => {
                "your own client program, driven through client protocol 1 (--client)"
            }
        }
    }

    /// Which client stack the strategy measures.
    pub fn stack(self) -> Stack {
        match self {
            StrategyKind::Client => Stack::Client,
            other => crate::runtimes::runtime_of(other).map_or(Stack::Rust, |r| r.stack()),
        }
    }

    /// Whether the strategy can run the 1 ms ticker beside its workers: on a tokio
    /// runtime, or on an external pattern's event loop (its runtime's table says).
    pub fn supports_ticker(self) -> bool {
        self.uses_tokio()
            || crate::runtimes::runtime_of(self)
                .is_some_and(|runtime| runtime.supports_ticker(self))
    }

    /// Whether the strategy speaks HTTP/2 alone, so needs a server that does (`serve
    /// --http2`, or `--tls` where ALPN offers h2); `reqwest-tokio` only with `--http2`.
    pub fn needs_http2(self) -> bool {
        self == StrategyKind::HyperTokioH2
    }

    /// Whether `--http2` makes the strategy speak HTTP/2.
    pub fn takes_http2(self) -> bool {
        matches!(
            self,
            StrategyKind::ReqwestTokio | StrategyKind::PyHttpxAsync
        )
    }

    /// Whether the strategy speaks HTTP/2 with `http2` (the `--http2` option).
    pub fn speaks_http2(self, http2: bool) -> bool {
        self.needs_http2() || (http2 && self.takes_http2())
    }

    /// Whether the strategy runs on a tokio runtime.
    pub fn uses_tokio(self) -> bool {
        matches!(
            self,
            StrategyKind::ReqwestTokio
                | StrategyKind::HyperTokio
                | StrategyKind::HyperTokioH2
                | StrategyKind::ReqwestPerRequest
                | StrategyKind::TokioBlocking
                | StrategyKind::TokioSpawnBlocking
        )
    }
}

/// `lists` end to end: [`StrategyKind::ALL`] from the stacks' lists.
const fn concat<const N: usize>(lists: &[&[StrategyKind]]) -> [StrategyKind; N] {
    let mut all = [StrategyKind::UreqSequential; N];
    let (mut list, mut at) = (0, 0);
    while list < lists.len() {
        let mut i = 0;
        while i < lists[list].len() {
            all[at] = lists[list][i];
            at += 1;
            i += 1;
        }
        list += 1;
    }
    assert!(at == N, "ALL's length is the sum of the lists'");
    all
}

waitbench_core::named_value!(StrategyKind);

/// A strategy name that is not one of [`StrategyKind::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown strategy {given:?}; valid strategies: {}", valid_names())]
pub struct UnknownStrategy {
    /// The name given.
    pub given: String,
}

fn valid_names() -> String {
    StrategyKind::ALL
        .iter()
        .map(|k| k.name())
        .collect::<Vec<_>>()
        .join(", ")
}

impl FromStr for StrategyKind {
    type Err = UnknownStrategy;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim();
        StrategyKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownStrategy {
                given: text.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_to_its_kind() {
        for kind in StrategyKind::ALL {
            assert_eq!(kind.name().parse::<StrategyKind>(), Ok(kind));
            assert_eq!(kind.to_string(), kind.name());
        }
    }

    #[test]
    fn every_strategy_belongs_to_exactly_one_stack() {
        let lists: [(&[StrategyKind], Stack, &str); 5] = [
            (&StrategyKind::RUST, Stack::Rust, ""),
            (&StrategyKind::PYTHON, Stack::Python, "py-"),
            (&StrategyKind::GO, Stack::Go, "go-"),
            (&StrategyKind::JAVA, Stack::Java, "java-"),
            (&StrategyKind::NODE, Stack::Node, "node-"),
        ];
        for kind in StrategyKind::ALL {
            let mine: Vec<_> = lists.iter().filter(|(l, ..)| l.contains(&kind)).collect();
            assert_eq!(mine.len(), 1, "{kind}");
            let (_, stack, prefix) = mine[0];
            assert_eq!(kind.stack(), *stack, "{kind}");
            if prefix.is_empty() {
                assert!(
                    !lists[1..].iter().any(|(.., p)| kind.name().starts_with(p)),
                    "{kind}"
                );
            } else {
                assert!(kind.name().starts_with(prefix), "{kind}");
            }
        }
        let listed: usize = lists.iter().map(|(l, ..)| l.len()).sum();
        assert_eq!(listed, StrategyKind::ALL.len());
    }

    #[test]
    fn unknown_name_lists_the_valid_ones() {
        let err = "ureq-async".parse::<StrategyKind>().unwrap_err();
        let message = err.to_string();
        assert!(message.contains("\"ureq-async\""), "{message}");
        for kind in StrategyKind::ALL {
            assert!(message.contains(kind.name()), "{message}");
        }
    }
}
