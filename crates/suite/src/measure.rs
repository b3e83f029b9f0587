//! One measured run, the same for `run`, `reproduce` and `check`: server stats before,
//! resource sampling around the strategy, server stats after, assembled into a
//! [`RunResult`].
//!
//! Only a waitbench server is asked for its stats. Any other target (a server someone
//! wants to measure) is sent the measured requests and nothing else: no `POST
//! /stats/reset`, no polling of `/stats`, whose requests would land in its logs and load,
//! and whose 404s could trip its alarms. A target says it is a waitbench server by the
//! [`SERVER_HEADER`] on its `/health`, read once when the [`Target`] is made.
//!
//! A waitbench server on another host may guard its control requests (`POST
//! /stats/reset`) with a token, so that nobody else on the network can reset its
//! counters mid-run; a [`WaitbenchServer`] given the token sends it on every control
//! request as `Authorization: Bearer TOKEN`. Only durations are measured on either side,
//! so the two hosts need no synchronized clocks.

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use hdrhistogram::Histogram;
use waitbench_core::{
    Environment, InjectedConditions, Placement, ResourceSampler, RunInputs, RunResult,
    ServerRunStats, ServerStats, Timeline,
};
use waitbench_mockserver::{MockServer, SERVER_HEADER};
use waitbench_strategies::{RunError, Strategy, StrategyOptions};

/// The server a run measures.
#[derive(Clone)]
pub enum Target<'a> {
    /// The mock server embedded in this process (its CPU is subtracted from the client's).
    Embedded(&'a MockServer),
    /// A waitbench server elsewhere (its `/health` says so): its `/stats` is read.
    Waitbench(WaitbenchServer),
    /// Any other HTTP server: it is sent only the measured requests, and server figures
    /// are not available. [`Target::remote`] tells the two kinds apart.
    Remote(String),
}

/// A waitbench server on another host (or another process) and the token its control
/// requests need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitbenchServer {
    /// Base URL, without a trailing `/`.
    pub url: String,
    /// Sent as `Authorization: Bearer TOKEN` on control requests; `None`: no header.
    pub control_token: Option<String>,
}

impl Target<'static> {
    /// The server at `url` (`scheme://authority`), already known to be a waitbench
    /// server or not (from its answer to a request the user asked for): nothing is sent.
    pub fn identified(url: &str, is_waitbench: bool, control_token: Option<String>) -> Self {
        let url = url.trim_end_matches('/').to_string();
        if is_waitbench {
            Target::Waitbench(WaitbenchServer { url, control_token })
        } else {
            Target::Remote(url)
        }
    }

    /// The server at `url`, asked once whether it is a waitbench server: it is when its
    /// `/health` answers with the [`SERVER_HEADER`]. Any other answer, or none, makes it
    /// [`Target::Remote`], which is sent nothing but the measured requests.
    pub fn remote(url: &str) -> Self {
        Target::remote_with_token(url, None)
    }

    /// [`Target::remote`], with the token a waitbench server's control requests need.
    pub fn remote_with_token(url: &str, control_token: Option<String>) -> Self {
        let url = url.trim_end_matches('/').to_string();
        let says_waitbench = stats_agent(&url)
            .get(format!("{url}/health"))
            .call()
            .is_ok_and(|r| r.status().is_success() && r.headers().contains_key(SERVER_HEADER));
        if says_waitbench {
            Target::Waitbench(WaitbenchServer { url, control_token })
        } else {
            Target::Remote(url)
        }
    }
}

impl Target<'_> {
    /// Base URL of the server.
    pub fn url(&self) -> String {
        match self {
            Target::Embedded(server) => server.url(),
            Target::Waitbench(server) => server.url.clone(),
            Target::Remote(url) => url.trim_end_matches('/').to_string(),
        }
    }

    /// The server's counters, if it is a waitbench server.
    pub fn stats(&self) -> Option<ServerStats> {
        match self {
            Target::Embedded(server) => Some(server.stats()),
            Target::Waitbench(server) => stats_agent(&server.url)
                .get(format!("{}/stats", server.url))
                .call()
                .ok()
                .filter(|r| r.status().is_success())
                .and_then(|mut r| r.body_mut().read_json::<ServerStats>().ok()),
            Target::Remote(_) => None,
        }
    }

    /// Starts a fresh max-in-flight window on a waitbench server.
    pub fn reset_max_in_flight(&self) {
        // Best effort between runs: `check_control` has already shown that it works.
        let _ = self.reset_stats();
    }

    /// Resets a waitbench server's counters through its control endpoint, so that a
    /// suite fails at its start, with what to do, rather than measure with stale
    /// counters. Nothing is sent to a target that is not a waitbench server.
    pub fn check_control(&self) -> crate::Result<()> {
        self.reset_stats().map_err(crate::SuiteError::Usage)
    }

    fn reset_stats(&self) -> Result<(), String> {
        let Target::Waitbench(server) = self else {
            if let Target::Embedded(server) = self {
                server.reset_max_in_flight();
            }
            return Ok(());
        };
        let url = format!("{}/stats/reset", server.url);
        let mut request = stats_agent(&url).post(&url);
        if let Some(token) = &server.control_token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        match request.send_empty() {
            Ok(r) if r.status().is_success() => Ok(()),
            Ok(r) if matches!(r.status().as_u16(), 401 | 403) => Err(format!(
                "the server refused POST {url} ({}): {}; give the token it was started with \
                 (`waitbench serve --control-token TOKEN`) as --control-token TOKEN or in \
                 WAITBENCH_CONTROL_TOKEN",
                r.status(),
                if server.control_token.is_some() {
                    "the control token given is not its token"
                } else {
                    "it needs a control token"
                }
            )),
            Ok(r) => Err(format!(
                "the server answered POST {url} with {}",
                r.status()
            )),
            Err(e) => Err(format!("POST {url} failed: {e}")),
        }
    }
}

/// One agent for the `/health` probe and every `/stats` read, so they share a kept-alive
/// connection: a new connection per read would show up in the server's connection count
/// for the run. An https:// server is reached by the agent [`trust_control_as`] set
/// (trusting what the strategies trust), else one trusting waitbench's generated CAs.
fn stats_agent(url: &str) -> ureq::Agent {
    static PLAIN: OnceLock<ureq::Agent> = OnceLock::new();
    if url.starts_with("https://") {
        let mut https = HTTPS_AGENT.lock().unwrap_or_else(|e| e.into_inner());
        if https.is_none() {
            *https = control_agent(&StrategyOptions::default()).ok();
        }
        if let Some(agent) = https.as_ref() {
            return agent.clone();
        }
    }
    PLAIN
        .get_or_init(|| ureq::Agent::new_with_config(control_config()))
        .clone()
}

/// The https:// control agent, once trust is known.
static HTTPS_AGENT: Mutex<Option<ureq::Agent>> = Mutex::new(None);

/// Reaches an https:// waitbench server's `/health`, `/stats` and control endpoint
/// trusting what strategies with `options` trust (`--cacert`, `--insecure`).
pub fn trust_control_as(options: &StrategyOptions) -> Result<(), RunError> {
    let agent = control_agent(options)?;
    *HTTPS_AGENT.lock().unwrap_or_else(|e| e.into_inner()) = Some(agent);
    Ok(())
}

fn control_agent(options: &StrategyOptions) -> Result<ureq::Agent, RunError> {
    waitbench_strategies::agent_like_strategies(control_config(), "https://", options)
}

/// Two seconds for any control request, no proxy, statuses as answers.
fn control_config() -> ureq::config::Config {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(2)))
        .proxy(None)
        .http_status_as_error(false)
        .build()
}

/// A run's result with its full latency histogram (for `.hgrm` output) and its seconds
/// (for `--hlog`).
pub struct Measured {
    /// The assembled result.
    pub result: RunResult,
    /// Latency histogram in microseconds.
    pub latency: Histogram<u64>,
    /// Per-second latency histograms, warm-up included.
    pub timeline: Timeline,
}

/// Runs `strategy` once on `workload` against `target` and assembles the result.
pub fn measure(
    strategy: &dyn Strategy,
    workload: &waitbench_core::Workload,
    target: &Target<'_>,
    injected: &InjectedConditions,
) -> Result<Measured, RunError> {
    measure_placed(strategy, workload, target, injected, None)
}

/// [`measure`], recording where the client and the embedded server were pinned.
pub fn measure_placed(
    strategy: &dyn Strategy,
    workload: &waitbench_core::Workload,
    target: &Target<'_>,
    injected: &InjectedConditions,
    placement: Option<&Placement>,
) -> Result<Measured, RunError> {
    target.reset_max_in_flight();
    let before = target.stats();
    let sampler = ResourceSampler::start();
    let measurement = strategy.run(workload)?;
    let in_process = sampler.stop();
    let after = target.stats();
    let server = before
        .as_ref()
        .zip(after.as_ref())
        .map(|(b, a)| ServerRunStats::between(b, a));
    // A client in a child process (Python) was sampled from outside by its strategy:
    // those are its figures, and the embedded server's CPU is not in them.
    let (resources, embedded_server_cpu) = match (measurement.client_process, target, &server) {
        (Some(child), _, _) => (child, Duration::ZERO),
        (None, Target::Embedded(_), Some(s)) => (in_process, Duration::from_secs_f64(s.cpu_s)),
        (None, _, _) => (in_process, Duration::ZERO),
    };
    let result = RunResult::assemble(RunInputs {
        strategy: strategy.info(workload),
        workload,
        injected: injected.clone(),
        measurement: &measurement,
        resources,
        server,
        embedded_server_cpu,
        environment: Environment::capture(),
        placement: placement.cloned(),
    });
    Ok(Measured {
        result,
        latency: measurement.recorder.latency,
        timeline: measurement.timeline,
    })
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    use waitbench_mockserver::ServerConfig;

    use super::*;

    /// A server that is not waitbench: it answers 200 with no identifying header.
    fn foreign_server() -> String {
        crate::test_server::plain_server("200 OK").0
    }

    /// A server that says it is waitbench and guards `POST /stats/reset` with `token`, as
    /// `waitbench serve --control-token` does; it keeps the Authorization header of every
    /// reset it is sent.
    fn guarded_server(token: &'static str) -> (String, std::sync::mpsc::Receiver<Option<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("bound address"));
        let (seen, resets) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(&stream);
                let (mut request, mut line, mut authorization) =
                    (String::new(), String::new(), None);
                let _ = reader.read_line(&mut request);
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    if let Some((name, value)) = line.split_once(':')
                        && name.eq_ignore_ascii_case("authorization")
                    {
                        authorization = Some(value.trim().to_string());
                    }
                    line.clear();
                }
                let status = if request.starts_with("POST /stats/reset") {
                    let allowed = authorization.as_deref() == Some(&format!("Bearer {token}"));
                    let _ = seen.send(authorization);
                    if allowed { "200 OK" } else { "403 Forbidden" }
                } else {
                    "200 OK"
                };
                let _ = (&stream).write_all(
                    format!(
                        "HTTP/1.1 {status}\r\n{SERVER_HEADER}: test\r\ncontent-length: 0\r\n\
                         connection: close\r\n\r\n"
                    )
                    .as_bytes(),
                );
            }
        });
        (url, resets)
    }

    #[test]
    fn control_requests_carry_the_token_as_a_bearer_header() {
        let (url, resets) = guarded_server("s3cret");
        let target = Target::remote_with_token(&url, Some("s3cret".into()));
        assert!(matches!(&target, Target::Waitbench(s) if s.control_token.is_some()));
        target.check_control().expect("the right token is accepted");
        assert_eq!(resets.recv().unwrap().as_deref(), Some("Bearer s3cret"));
    }

    #[test]
    fn a_refused_control_request_says_how_to_give_the_token() {
        let (url, resets) = guarded_server("s3cret");
        let error = Target::remote(&url)
            .check_control()
            .unwrap_err()
            .to_string();
        assert_eq!(resets.recv().unwrap(), None, "no token, no header");
        assert!(error.contains("403"), "{error}");
        assert!(error.contains("it needs a control token"), "{error}");
        assert!(error.contains("WAITBENCH_CONTROL_TOKEN"), "{error}");
        let wrong = Target::remote_with_token(&url, Some("guess".into()))
            .check_control()
            .unwrap_err()
            .to_string();
        assert!(wrong.contains("not its token"), "{wrong}");
    }

    #[test]
    fn the_mock_server_is_detected_as_a_waitbench_server() {
        let server = MockServer::start(ServerConfig::default()).expect("start the mock server");
        let target = Target::remote(&format!("{}/", server.url()));
        assert!(matches!(&target, Target::Waitbench(s) if s.url == server.url()));
        assert!(target.stats().is_some());
    }

    #[test]
    fn a_server_without_the_header_is_foreign_and_has_no_stats() {
        let url = foreign_server();
        let target = Target::remote(&url);
        assert!(matches!(&target, Target::Remote(u) if *u == url));
        assert_eq!(target.stats(), None);
    }

    #[test]
    fn a_server_that_does_not_answer_is_foreign() {
        // A port that was just free: nothing listens on it.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let target = Target::remote(&format!("http://127.0.0.1:{port}"));
        assert!(matches!(target, Target::Remote(_)));
    }
}
