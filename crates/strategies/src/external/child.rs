//! The client's process: started with protocol 1's environment, its stderr kept for the
//! error that explains a failure, and ended by escalation when it will not stop.
//!
//! The child gets a process group of its own, so that a Ctrl-C at the terminal reaches
//! waitbench alone: waitbench decides what an interruption means (it writes `stop` and
//! keeps what was measured), and a client killed by the same SIGINT could not report its
//! last requests. Proxy variables are removed from its environment: the Rust clients
//! ignore proxies, and a client that honoured them would measure the proxy.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::error::Fault;

/// The variable that tells a program it is run as a protocol-1 client.
pub const PROTOCOL_VARIABLE: &str = "WAITBENCH_PROTOCOL";

/// Proxy variables an HTTP library would honour.
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

/// How long a client has to end after `stop`, and again after SIGTERM.
pub(crate) const GRACE: Duration = Duration::from_secs(1);

/// A command that runs a client: a program, its arguments and where it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    /// The executable (a path, or a name looked up on `PATH`).
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Its working directory (`None`: waitbench's).
    pub current_dir: Option<PathBuf>,
}

impl Program {
    /// The command as a user would type it, for messages.
    pub fn display(&self) -> String {
        std::iter::once(self.program.display().to_string())
            .chain(self.args.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A started client.
pub(crate) struct ClientProcess {
    child: Child,
    stderr: Option<JoinHandle<()>>,
    last_words: Arc<Mutex<String>>,
}

impl ClientProcess {
    /// Starts `program` with its stdin and stdout piped; returns it with those pipes.
    pub(crate) fn start(program: &Program) -> Result<(Self, ChildStdin, ChildStdout), Fault> {
        let mut command = Command::new(&program.program);
        command
            .args(&program.args)
            .env(PROTOCOL_VARIABLE, super::PROTOCOL.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        if let Some(dir) = &program.current_dir {
            command.current_dir(dir);
        }
        for variable in PROXY_VARIABLES {
            command.env_remove(variable);
        }
        let mut child = command.spawn().map_err(|source| Fault::Start {
            not_found: source.kind() == std::io::ErrorKind::NotFound,
            source,
        })?;
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let last_words = Arc::new(Mutex::new(String::new()));
        let kept = Arc::clone(&last_words);
        // Only the last non-empty line is kept: a chatty client costs no memory.
        let stderr = std::thread::Builder::new()
            .name("waitbench-client-stderr".into())
            .spawn(move || {
                let mut reader = BufReader::new(stderr);
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                    if !line.trim().is_empty() {
                        let mut last = kept.lock().unwrap_or_else(|e| e.into_inner());
                        last.clear();
                        last.push_str(line.trim());
                    }
                    line.clear();
                }
            })
            .ok();
        Ok((
            ClientProcess {
                child,
                stderr,
                last_words,
            },
            stdin,
            stdout,
        ))
    }

    /// The process id.
    pub(crate) fn id(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `within` for the child to exit.
    fn exited_within(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                _ => return None,
            }
        }
    }

    /// Waits for the child to exit after its stdin was closed: SIGTERM after
    /// [`GRACE`], SIGKILL after another. Returns its status and its last stderr line.
    pub(crate) fn finish(mut self) -> (Option<ExitStatus>, Option<String>) {
        let mut status = self.exited_within(GRACE);
        if status.is_none() {
            signal(self.id(), libc::SIGTERM);
            status = self.exited_within(GRACE);
        }
        if status.is_none() {
            let _ = self.child.kill();
            status = self.child.wait().ok();
        }
        if let Some(thread) = self.stderr.take() {
            let _ = thread.join();
        }
        let last = self.last_words.lock().unwrap_or_else(|e| e.into_inner());
        let words = (!last.is_empty()).then(|| last.clone());
        (status, words)
    }
}

/// Sends `signal` to process `pid`.
pub(crate) fn signal(pid: u32, signal: libc::c_int) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: kill(2) with a pid we started; a process already gone yields ESRCH.
        unsafe { libc::kill(pid, signal) };
    }
}
