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

use super::sources::{FILES, REQUIREMENTS, content_hash};

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
    /// The Python client crashed or broke the record protocol mid-run.
    #[error("the Python client {pattern} failed: {reason}")]
    Failed {
        /// The pattern that ran, e.g. `py-aiohttp`.
        pattern: String,
        /// What went wrong (the last line of its stderr, or the protocol fault).
        reason: String,
    },
}

fn unavailable(reason: impl Into<String>) -> PythonError {
    PythonError::Unavailable {
        reason: reason.into(),
    }
}

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
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("waitbench").join("python")
}

/// Parses `3.11.7` into (3, 11) for the version check.
fn major_minor(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.trim().split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

fn last_line(output: &Output) -> String {
    let text = String::from_utf8_lossy(&output.stderr);
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no message")
        .trim()
        .to_string()
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
    std::fs::create_dir_all(&root)
        .map_err(|e| unavailable(format!("cannot create {} ({e})", root.display())))?;
    let venv = root.join(format!(
        "venv-{}",
        content_hash([REQUIREMENTS, version.as_str()])
    ));
    build_once(&venv, |tmp| make_venv(&base, tmp))?;
    let sources = root.join(format!(
        "src-{}",
        content_hash(FILES.iter().flat_map(|(name, text)| [*name, *text]))
    ));
    build_once(&sources, write_sources)?;
    Ok(PythonEnvironment {
        python: venv.join("bin").join("python"),
        sources,
        version,
    })
}

/// Marks a folder as complete; a folder without it is never used.
const COMPLETE: &str = ".waitbench-complete";

/// Builds `dir` with `build` under a temporary name and renames it into place, unless a
/// complete one is already there.
fn build_once(
    dir: &Path,
    build: impl FnOnce(&Path) -> Result<(), PythonError>,
) -> Result<(), PythonError> {
    if dir.join(COMPLETE).exists() {
        return Ok(());
    }
    let tmp = dir.with_extension(format!("tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let built = build(&tmp).and_then(|()| {
        std::fs::write(tmp.join(COMPLETE), "")
            .map_err(|e| unavailable(format!("cannot write in {} ({e})", tmp.display())))
    });
    if let Err(err) = built {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(err);
    }
    if std::fs::rename(&tmp, dir).is_err() {
        // Another process finished first; its folder is as good as ours.
        let _ = std::fs::remove_dir_all(&tmp);
        if !dir.join(COMPLETE).exists() {
            return Err(unavailable(format!("cannot create {}", dir.display())));
        }
    }
    Ok(())
}

fn make_venv(base: &Path, dir: &Path) -> Result<(), PythonError> {
    eprintln!(
        "waitbench: installing the pinned Python packages into {} (once)",
        dir.with_extension("").display()
    );
    let made = Command::new(base)
        .args(["-m", "venv"])
        .arg(dir)
        .output()
        .map_err(|e| unavailable(format!("python3 -m venv did not start ({e})")))?;
    if !made.status.success() {
        return Err(unavailable(format!(
            "python3 -m venv failed: {}",
            last_line(&made)
        )));
    }
    let requirements = dir.join("requirements.txt");
    std::fs::write(&requirements, REQUIREMENTS)
        .map_err(|e| unavailable(format!("cannot write {} ({e})", requirements.display())))?;
    let installed = Command::new(dir.join("bin").join("python"))
        .args([
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
            "-r",
        ])
        .arg(&requirements)
        .output()
        .map_err(|e| unavailable(format!("pip did not start ({e})")))?;
    if !installed.status.success() {
        return Err(unavailable(format!(
            "pip could not install the pinned packages (is the package index reachable?): {}",
            last_line(&installed)
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

    #[test]
    fn a_complete_folder_is_reused_and_a_failed_build_leaves_nothing() {
        let root =
            std::env::temp_dir().join(format!("waitbench-build-once-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let dir = root.join("thing");
        let failed = build_once(&dir, |tmp| {
            std::fs::create_dir_all(tmp).unwrap();
            Err(unavailable("no index"))
        });
        assert_eq!(failed, Err(unavailable("no index")));
        assert_eq!(std::fs::read_dir(&root).unwrap().count(), 0);
        build_once(&dir, |tmp| {
            std::fs::create_dir_all(tmp).map_err(|e| unavailable(e.to_string()))
        })
        .unwrap();
        assert!(dir.join(COMPLETE).exists());
        build_once(&dir, |_| panic!("a complete folder is not rebuilt")).unwrap();
        std::fs::remove_dir_all(&root).unwrap();
    }
}
