//! First-use setup: a folder waitbench builds once per machine and caches (the Python
//! clients' virtual environment today; certificates and compiled client programs as they
//! come), built so that a user never sets anything up by hand and never waits blind.
//!
//! A setup runs for tens of seconds the first time, inside a command the user may stop
//! at any moment, possibly beside another waitbench process that needs the same folder.
//! So each setup here:
//!
//! - **is visible**: its first build prints one line saying what and about how long,
//!   whatever stderr is, so that a first run is not taken for a hang;
//! - **obeys the interrupt**: its child processes run in a process group of their own,
//!   watched every few milliseconds, and the first Ctrl-C or SIGTERM
//!   ([`crate::interrupt`]) kills the group, removes the temporary folder and returns
//!   [`SetupError::Interrupted`], which names the setup;
//! - **is whole or absent**: it is built under a temporary name (`NAME.tmp-PID`) and
//!   renamed into place with a completion mark, so no reader ever sees half of one;
//! - **is built once**: an advisory lock (`.NAME.lock`) makes a second process wait for
//!   the first instead of building beside it, and the kernel drops the lock of a process
//!   that dies, so a killed builder never blocks the next;
//! - **leaves nothing behind**: a temporary folder whose process no longer exists is
//!   removed by the next setup in the same cache folder.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::Duration;

use thiserror::Error;

/// How often a running setup looks at its child and at the interrupt flag: well inside
/// the one second a user waits for Ctrl-C to take effect.
const POLL: Duration = Duration::from_millis(10);

/// The file that marks a folder as complete; a folder without it is never used.
pub const COMPLETE: &str = ".waitbench-complete";

/// Why a setup did not leave its folder ready.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SetupError {
    /// Ctrl-C or SIGTERM arrived during the setup: its children were killed and its
    /// temporary folder removed.
    #[error(
        "interrupted while setting up {what}: nothing was kept, and the next run sets it up \
         again from scratch"
    )]
    Interrupted {
        /// What was being set up, e.g. `the Python clients`.
        what: String,
    },
    /// A file-system step failed (the cache folder, the lock, the rename).
    #[error("cannot set up {what}: {step} {} ({reason})", path.display())]
    Io {
        /// What was being set up.
        what: String,
        /// The step, e.g. `cannot create`.
        step: &'static str,
        /// The path it failed on.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// A program of the setup could not be started.
    #[error("cannot set up {what}: {program} did not start ({reason})")]
    Spawn {
        /// What was being set up.
        what: String,
        /// The program, as it was named.
        program: String,
        /// The operating system's reason.
        reason: String,
    },
}

/// The folder of waitbench's cache named `name` (`python`, `tls`):
/// `$XDG_CACHE_HOME/waitbench/NAME` when that is an absolute path, else
/// `~/.cache/waitbench/NAME`, else under the temporary folder. Every setup keeps its
/// folders there, so a user finds (and may delete) all of them in one place.
pub fn cache_folder(name: &str) -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("waitbench").join(name)
}

/// One first-use setup: what it makes, in a user's words, and how long that takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setup<'a> {
    /// What is set up, as the progress line and errors name it: `the Python clients`.
    pub what: &'a str,
    /// About how long a first build takes, as the progress line says (`about 20 s`);
    /// `None` for a build too quick to announce (writing a few files).
    pub takes: Option<&'a str>,
}

impl Setup<'_> {
    /// Makes `dir` with `build` unless a complete one is there, and returns whether it
    /// was built now. `build` gets a [`Workshop`] whose folder it fills (it does not
    /// exist yet) and whose [`Workshop::run`] starts programs the interrupt can stop.
    pub fn ensure<E: From<SetupError>>(
        &self,
        dir: &Path,
        build: impl FnOnce(&Workshop<'_>) -> Result<(), E>,
    ) -> Result<bool, E> {
        self.ensure_stoppable(dir, &crate::interrupt::requested, build)
    }

    /// [`Setup::ensure`] with the question "stop now?" given, so that tests can ask it
    /// without the process-wide interrupt flag.
    pub fn ensure_stoppable<E: From<SetupError>>(
        &self,
        dir: &Path,
        stop: &dyn Fn() -> bool,
        build: impl FnOnce(&Workshop<'_>) -> Result<(), E>,
    ) -> Result<bool, E> {
        if is_complete(dir) {
            return Ok(false);
        }
        let parent = dir.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| self.io("cannot create", parent, &e))?;
        let _lock = self.lock(dir, stop)?;
        // The process we waited for may have built it.
        if is_complete(dir) {
            return Ok(false);
        }
        remove_abandoned(parent);
        let tmp = temporary(dir, std::process::id());
        let _ = std::fs::remove_dir_all(&tmp);
        if let Some(takes) = self.takes {
            eprintln!("waitbench: setting up {} (once, {takes})…", self.what);
        }
        let workshop = Workshop {
            setup: self,
            folder: tmp.clone(),
            stop,
        };
        let built = build(&workshop).and_then(|()| {
            if stop() {
                return Err(self.interrupted().into());
            }
            std::fs::create_dir_all(&tmp)
                .and_then(|()| std::fs::write(tmp.join(COMPLETE), ""))
                .map_err(|e| self.io("cannot write in", &tmp, &e).into())
        });
        if let Err(err) = built {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(err);
        }
        // A folder left there without its mark (an older waitbench's) is replaced.
        let _ = std::fs::remove_dir_all(dir);
        if let Err(e) = std::fs::rename(&tmp, dir) {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(self.io("cannot rename into", dir, &e).into());
        }
        Ok(true)
    }

    fn interrupted(&self) -> SetupError {
        SetupError::Interrupted {
            what: self.what.to_string(),
        }
    }

    fn io(&self, step: &'static str, path: &Path, e: &std::io::Error) -> SetupError {
        SetupError::Io {
            what: self.what.to_string(),
            step,
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    }

    /// Takes the setup's lock, waiting (and saying so once) while another process holds
    /// it; the interrupt ends the wait.
    fn lock(&self, dir: &Path, stop: &dyn Fn() -> bool) -> Result<File, SetupError> {
        let name = dir
            .file_name()
            .map_or_else(|| "setup".into(), |n| n.to_string_lossy().into_owned());
        let path = dir.with_file_name(format!(".{name}.lock"));
        let file = File::create(&path).map_err(|e| self.io("cannot create", &path, &e))?;
        let mut said = false;
        loop {
            match try_lock(&file) {
                Ok(true) => return Ok(file),
                Ok(false) => {}
                Err(e) => return Err(self.io("cannot lock", &path, &e)),
            }
            if stop() {
                return Err(self.interrupted());
            }
            if !said {
                eprintln!(
                    "waitbench: waiting for another waitbench process that is setting up {}…",
                    self.what
                );
                said = true;
            }
            std::thread::sleep(POLL * 5);
        }
    }
}

/// Where a setup is built: its temporary folder, and a way to run its programs so that
/// the interrupt stops them.
pub struct Workshop<'a> {
    setup: &'a Setup<'a>,
    folder: PathBuf,
    stop: &'a dyn Fn() -> bool,
}

/// A finished program of a setup: its status and what it wrote to stderr.
#[derive(Debug, Clone)]
pub struct Finished {
    /// How it ended.
    pub status: ExitStatus,
    /// Its standard error, whole.
    pub stderr: String,
}

impl Finished {
    /// The last non-empty line it wrote to stderr: the one that says why it failed.
    pub fn last_line(&self) -> &str {
        last_line(&self.stderr).unwrap_or("no message")
    }
}

/// The last non-empty line of a program's stderr, trimmed: where a failing program says
/// why. `None` when it wrote nothing.
pub fn last_line(stderr: &str) -> Option<&str> {
    stderr.lines().rev().map(str::trim).find(|l| !l.is_empty())
}

impl Workshop<'_> {
    /// The temporary folder the setup fills; renamed into place when the build succeeds.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// Runs `command` to its end in a process group of its own, with no input and its
    /// stdout discarded, and returns how it ended; the interrupt kills the whole group
    /// (a pip and the builds it starts) and returns [`SetupError::Interrupted`].
    pub fn run(&self, command: &mut Command) -> Result<Finished, SetupError> {
        let program = command.get_program().to_string_lossy().into_owned();
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        let mut child = command.spawn().map_err(|e| SetupError::Spawn {
            what: self.setup.what.to_string(),
            program: program.clone(),
            reason: e.to_string(),
        })?;
        let stderr = child.stderr.take().map(drain);
        loop {
            if (self.stop)() {
                kill_group(&mut child);
                let _ = child.wait();
                return Err(self.setup.interrupted());
            }
            match child.try_wait() {
                Ok(Some(status)) => {
                    let stderr = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
                    return Ok(Finished { status, stderr });
                }
                Ok(None) => std::thread::sleep(POLL),
                Err(e) => {
                    kill_group(&mut child);
                    let _ = child.wait();
                    return Err(SetupError::Spawn {
                        what: self.setup.what.to_string(),
                        program,
                        reason: format!("could not be waited for: {e}"),
                    });
                }
            }
        }
    }
}

/// Reads a pipe to its end on a thread of its own, so a chatty child never blocks on a
/// full pipe while we poll it.
fn drain(mut pipe: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Kills the child's whole process group: the child leads it, so its own children (the
/// work a pip or a compiler hands on) go too.
fn kill_group(child: &mut Child) {
    #[cfg(unix)]
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill(2) only sends a signal; the group is our own child's.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
        return;
    }
    let _ = child.kill();
}

fn is_complete(dir: &Path) -> bool {
    dir.join(COMPLETE).exists()
}

/// The temporary name `dir` is built under by process `pid`.
fn temporary(dir: &Path, pid: u32) -> PathBuf {
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    dir.with_file_name(format!("{name}.tmp-{pid}"))
}

/// The process a temporary folder's name says built it.
fn builder_of(name: &str) -> Option<u32> {
    name.rsplit_once(".tmp-")?.1.parse().ok()
}

/// Removes the temporary folders in `parent` whose builder no longer runs (killed
/// without a chance to clean up); those of live processes are theirs to finish.
fn remove_abandoned(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = builder_of(&name.to_string_lossy()) else {
            continue;
        };
        if pid == std::process::id() || !process_exists(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether a process with this id exists (a signal 0 reaches it, or is refused to us).
fn process_exists(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 checks for existence and permission, and sends nothing.
        let alive = unsafe { libc::kill(pid, 0) } == 0;
        alive || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Takes an exclusive advisory lock without waiting: `Ok(false)` while another holds it.
fn try_lock(file: &File) -> std::io::Result<bool> {
    match file.try_lock() {
        Ok(()) => Ok(true),
        Err(std::fs::TryLockError::WouldBlock) => Ok(false),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, Barrier};

    use super::*;

    const SETUP: Setup<'static> = Setup {
        what: "the test clients",
        takes: Some("a moment"),
    };

    fn never() -> bool {
        false
    }

    fn root(name: &str) -> PathBuf {
        let root =
            std::env::temp_dir().join(format!("waitbench-setup-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        root
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.ends_with(".lock"))
            .collect();
        names.sort();
        names
    }

    fn make(workshop: &Workshop<'_>) -> Result<(), SetupError> {
        std::fs::create_dir_all(workshop.folder()).unwrap();
        std::fs::write(workshop.folder().join("made"), "yes").unwrap();
        Ok(())
    }

    #[test]
    fn a_complete_folder_is_reused_and_a_failed_build_leaves_nothing() {
        let root = root("reuse");
        let dir = root.join("thing");
        let failed = SETUP.ensure_stoppable(&dir, &never, |w| {
            std::fs::create_dir_all(w.folder()).unwrap();
            Err(SETUP.interrupted())
        });
        assert_eq!(failed, Err(SETUP.interrupted()));
        assert!(names(&root).is_empty(), "{:?}", names(&root));
        assert_eq!(SETUP.ensure_stoppable(&dir, &never, make), Ok(true));
        assert_eq!(std::fs::read_to_string(dir.join("made")).unwrap(), "yes");
        assert!(dir.join(COMPLETE).exists());
        let again = SETUP.ensure_stoppable(&dir, &never, |_| -> Result<(), SetupError> {
            panic!("a complete folder is not rebuilt")
        });
        assert_eq!(again, Ok(false));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn an_interrupt_kills_the_running_program_and_removes_the_temporary_folder() {
        let root = root("interrupt");
        let dir = root.join("thing");
        let asked = Arc::new(AtomicBool::new(false));
        let stop = {
            let asked = Arc::clone(&asked);
            move || asked.load(Ordering::Relaxed)
        };
        let asker = {
            let asked = Arc::clone(&asked);
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(200));
                asked.store(true, Ordering::Relaxed);
            })
        };
        // A program that would outlive the test by far, and its own child.
        let pid_file = root.join("grandchild.pid");
        let result = SETUP.ensure_stoppable(&dir, &stop, |w| {
            std::fs::create_dir_all(w.folder()).unwrap();
            let script = format!("sleep 60 & echo $! > {}; wait", pid_file.display());
            w.run(Command::new("sh").args(["-c", &script])).map(|_| ())
        });
        asker.join().unwrap();
        assert_eq!(
            result,
            Err(SetupError::Interrupted {
                what: "the test clients".into()
            })
        );
        assert!(
            names(&root).iter().all(|n| n == "grandchild.pid"),
            "{:?}",
            names(&root)
        );
        let grandchild: u32 = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        // The grandchild was killed with its group; give the kernel a moment to reap it
        // (init adopts and reaps it), then it must be gone or a zombie.
        let gone = (0..200).any(|_| {
            std::thread::sleep(Duration::from_millis(10));
            let status = std::fs::read_to_string(format!("/proc/{grandchild}/status"));
            status.map_or(true, |s| s.contains("State:\tZ"))
        });
        assert!(gone, "the setup's grandchild {grandchild} still runs");
        assert_eq!(
            SetupError::Interrupted {
                what: "the test clients".into()
            }
            .to_string(),
            "interrupted while setting up the test clients: nothing was kept, and the next run \
             sets it up again from scratch"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_program_that_fails_returns_its_status_and_last_line() {
        let root = root("fails");
        let dir = root.join("thing");
        let mut seen = None;
        let result = SETUP.ensure_stoppable(&dir, &never, |w| {
            let finished = w.run(
                Command::new("sh").args(["-c", "echo first >&2; echo 'the reason' >&2; exit 3"]),
            )?;
            seen = Some((finished.status.code(), finished.last_line().to_string()));
            Err(SETUP.interrupted())
        });
        assert!(result.is_err());
        assert_eq!(seen, Some((Some(3), "the reason".to_string())));
        let missing = SETUP.ensure_stoppable(&dir, &never, |w| {
            w.run(&mut Command::new("/nonexistent/program")).map(|_| ())
        });
        match missing {
            Err(SetupError::Spawn { program, .. }) => assert_eq!(program, "/nonexistent/program"),
            other => panic!("{other:?}"),
        }
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_folder_left_by_a_dead_process_is_removed_and_a_live_ones_is_kept() {
        let root = root("abandoned");
        // No process has pid 0x7fff_fff0 on Linux (pid_max is at most 2^22).
        let dead = root.join("thing.tmp-2147483632");
        let live = temporary(&root.join("other"), 1); // init always runs
        std::fs::create_dir_all(&dead).unwrap();
        std::fs::create_dir_all(&live).unwrap();
        assert_eq!(
            SETUP.ensure_stoppable(&root.join("thing"), &never, make),
            Ok(true)
        );
        assert_eq!(names(&root), ["other.tmp-1", "thing"]);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn two_setups_at_once_build_one_folder_and_both_succeed() {
        let root = root("race");
        let dir = root.join("thing");
        let builds = Arc::new(AtomicUsize::new(0));
        let start = Arc::new(Barrier::new(2));
        let racers: Vec<_> = (0..2)
            .map(|_| {
                let (dir, builds, start) = (dir.clone(), Arc::clone(&builds), Arc::clone(&start));
                std::thread::spawn(move || {
                    start.wait();
                    SETUP.ensure_stoppable(&dir, &never, |w| {
                        builds.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(300));
                        make(w)
                    })
                })
            })
            .collect();
        let results: Vec<_> = racers.into_iter().map(|r| r.join().unwrap()).collect();
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        assert_eq!(
            builds.load(Ordering::SeqCst),
            1,
            "the second waited, then reused"
        );
        assert_eq!(names(&root), ["thing"]);
        assert!(dir.join(COMPLETE).exists());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn temporary_names_carry_their_builder() {
        let tmp = temporary(Path::new("/cache/venv-abc"), 42);
        assert_eq!(tmp, Path::new("/cache/venv-abc.tmp-42"));
        assert_eq!(builder_of("venv-abc.tmp-42"), Some(42));
        assert_eq!(builder_of("venv-abc"), None);
        assert_eq!(builder_of("venv-abc.tmp-x"), None);
    }
}
