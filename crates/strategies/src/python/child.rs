//! One Python run: start the child, hand it the job, sample it from outside while
//! replaying its records, and collect the measurement.

use std::io::{BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use waitbench_core::{LoadModel, Measurement, ResourceSampler, interrupt};

use super::environment::{PythonEnvironment, PythonError};
use super::protocol::{Clock, FrameReader, Replay, Tag, ingest};

/// Proxy variables `requests` would honour; the Rust clients ignore the environment's
/// proxies, so the Python ones must not see them either.
const PROXY_VARIABLES: [&str; 8] = [
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
];

/// What the child writes after its last record: the run's own figures (numbers by name)
/// and the first few distinct error messages, as Rust's strategies keep them.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Ending {
    figures: std::collections::BTreeMap<String, f64>,
    error_samples: Vec<String>,
}

/// Runs `pattern` with `job` (one line of JSON) for a run of `load`.
pub(crate) fn run(
    environment: &PythonEnvironment,
    pattern: &str,
    job: &str,
    load: &LoadModel,
) -> Result<Measurement, PythonError> {
    let failed = |reason: String| PythonError::Failed {
        pattern: pattern.to_string(),
        reason,
    };
    let mut command = Command::new(environment.python());
    // -s: no user site-packages; -E: no PYTHON* variables. Only the venv's packages count.
    command
        .args(["-s", "-E"])
        .arg(environment.sources().join("main.py"))
        .current_dir(environment.sources())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for variable in PROXY_VARIABLES {
        command.env_remove(variable);
    }
    let mut child = command.spawn().map_err(|e| {
        failed(format!(
            "could not start {} ({e})",
            environment.python().display()
        ))
    })?;
    let stderr = child.stderr.take().expect("stderr is piped");
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = BufReader::new(stderr).read_to_string(&mut text);
        text
    });
    let outcome = drive(&mut child, job, load);
    if outcome.is_err() {
        let _ = child.kill();
    }
    // Its stdin is closed by now, so the child exits.
    let status = child.wait();
    let errors = errors.join().unwrap_or_default();
    let last_error = waitbench_core::setup::last_line(&errors);
    match (outcome, status) {
        (Ok(measurement), Ok(status)) if status.success() => Ok(measurement),
        (Ok(_), status) => Err(failed(format!(
            "exited with {status:?}: {}",
            last_error.unwrap_or("no message")
        ))),
        (Err(fault), _) => Err(failed(match last_error {
            Some(line) => format!("{fault}; its last words: {line}"),
            None => fault,
        })),
    }
}

fn send_line(stdin: &mut ChildStdin, line: &str) -> Result<(), String> {
    stdin
        .write_all(line.as_bytes())
        .and_then(|()| stdin.write_all(b"\n"))
        .and_then(|()| stdin.flush())
        .map_err(|e| format!("writing to the child: {e}"))
}

/// Holds the child's stdin while it runs: passes an interruption of this process on as
/// "stop" (the child ignores Ctrl-C itself, so that what it measured is kept), and
/// closes stdin when dropped, which lets the child exit.
struct Relay {
    done: Arc<AtomicBool>,
    thread: Option<JoinHandle<bool>>,
}

impl Relay {
    fn start(mut stdin: ChildStdin) -> Relay {
        let done = Arc::new(AtomicBool::new(false));
        let finished = Arc::clone(&done);
        let thread = std::thread::spawn(move || {
            while !finished.load(Ordering::Relaxed) {
                if interrupt::requested() {
                    return send_line(&mut stdin, "stop").is_ok();
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            false
        });
        Relay {
            done,
            thread: Some(thread),
        }
    }

    /// Closes stdin; returns whether the child was told to stop early.
    fn finish(mut self) -> bool {
        self.close()
    }

    fn close(&mut self) -> bool {
        self.done.store(true, Ordering::Relaxed);
        self.thread
            .take()
            .is_some_and(|thread| thread.join().unwrap_or(false))
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.close();
    }
}

/// The handshake, the replay and the sampling; the child may still be alive on return.
fn drive(child: &mut Child, job: &str, load: &LoadModel) -> Result<Measurement, String> {
    let pid = child.id();
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let stdout = child.stdout.take().expect("stdout is piped");
    send_line(&mut stdin, job)?;
    let clock = Clock::now();
    let mut frames = FrameReader::new(BufReader::with_capacity(1 << 16, stdout));
    frames.expect(Tag::Ready).map_err(|e| e.to_string())?;
    // The baseline: interpreter, libraries and client exist; threads and tasks do not.
    let sampler = ResourceSampler::start_child(pid);
    send_line(&mut stdin, "go")?;
    let relay = Relay::start(stdin);
    let start = frames.expect(Tag::Start).map_err(|e| e.to_string())?;
    let mut replay = Replay::new(load, clock, start.sent_ns);
    let figures = ingest(frames, &mut replay);
    let usage = sampler.stop();
    let interrupted = relay.finish();
    let figures = figures.map_err(|e| e.to_string())?;
    let Ending {
        figures: mut extras,
        error_samples,
    } = serde_json::from_str(&figures).map_err(|e| {
        format!("the run's ending {figures:?} is not its figures and error messages: {e}")
    })?;
    let issued_after_first_failure = extras
        .remove(waitbench_core::extras::ISSUED_AFTER_FIRST_FAILURE)
        .map(|n| n as u64);
    let window = replay.window();
    let mut measurement = Measurement::from_recorder(
        replay.recorder,
        window,
        issued_after_first_failure,
        interrupted,
    );
    measurement.extras = extras;
    measurement.error_samples = error_samples;
    measurement.client_process = Some(usage);
    Ok(measurement)
}
