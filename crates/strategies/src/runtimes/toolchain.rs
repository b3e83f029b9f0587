//! What the reference clients of Go, Java and Node.js share before they can run: the
//! toolchain program a user may point elsewhere, its version, the embedded client
//! sources written into a cache folder, and the one line that says why a runtime is not
//! measured.
//!
//! A missing toolchain is never an error of the run as a whole: its clients are "not
//! measured: REASON" and the rest of the suite goes on. CI sets the runtime's
//! `WAITBENCH_REQUIRE_…` variable so that a runtime cannot drop out of a green run unseen,
//! as `WAITBENCH_REQUIRE_PYTHON` does for Python.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use thiserror::Error;
use waitbench_core::setup::{self, SetupError};

/// Why a runtime's reference clients cannot run.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ToolchainError {
    /// The toolchain is missing, too old, or its build failed: the runtime's series are
    /// not measured on this machine.
    #[error("{reason}")]
    Unavailable {
        /// What is missing, in one line.
        reason: String,
    },
    /// Ctrl-C or SIGTERM stopped the first build; nothing of it was kept.
    #[error("{0}")]
    Interrupted(Box<SetupError>),
}

impl ToolchainError {
    /// Whether this is an interruption, which ends the run, rather than a missing
    /// toolchain, which leaves the runtime out.
    pub fn is_interrupted(&self) -> bool {
        matches!(self, ToolchainError::Interrupted(_))
    }
}

/// A runtime's client, made once per process on first use and reused afterwards; its
/// error is remembered too, so that it is reported once per cause.
pub(crate) struct Prepared<T: 'static> {
    cell: OnceLock<Result<T, ToolchainError>>,
}

impl<T> Prepared<T> {
    /// Not made yet.
    pub(crate) const fn new() -> Self {
        Prepared {
            cell: OnceLock::new(),
        }
    }

    /// The client, made by `make` the first time.
    pub(crate) fn get(
        &'static self,
        make: fn() -> Result<T, ToolchainError>,
    ) -> Result<&'static T, ToolchainError> {
        self.cell.get_or_init(make).as_ref().map_err(Clone::clone)
    }

    /// How a result reports it: `made` once it is, the error once it failed, `pending`
    /// before (describing never makes it).
    pub(crate) fn describe(
        &self,
        made: fn(&T) -> String,
        pending: impl FnOnce() -> String,
    ) -> String {
        match self.cell.get() {
            Some(Ok(client)) => made(client),
            Some(Err(err)) => err.to_string(),
            None => pending(),
        }
    }
}

/// A runtime that is not measured, for `reason`.
pub(crate) fn unavailable(reason: impl Into<String>) -> ToolchainError {
    ToolchainError::Unavailable {
        reason: reason.into(),
    }
}

impl From<SetupError> for ToolchainError {
    fn from(err: SetupError) -> Self {
        match err {
            SetupError::Interrupted { .. } => ToolchainError::Interrupted(Box::new(err)),
            other => unavailable(other.to_string()),
        }
    }
}

/// Whether the variable `name` asks for a runtime to be required (set, and not `0`).
pub(crate) fn required(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0")
}

/// The program `variable` names, else `default` (looked up on `PATH`).
pub(crate) fn program(variable: &str, default: &str) -> PathBuf {
    std::env::var_os(variable)
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from(default), PathBuf::from)
}

/// Runs `program args` and returns the first line it printed (stdout, else stderr),
/// which is where toolchains print their version. `hint` says how to get the program
/// when it is missing.
pub(crate) fn version_line(
    program: &Path,
    args: &[&str],
    hint: &str,
) -> Result<String, ToolchainError> {
    let output = Command::new(program).args(args).output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound && program.components().count() == 1 {
            unavailable(format!("no {} on PATH ({hint})", program.display()))
        } else {
            unavailable(format!("cannot run {} ({e})", program.display()))
        }
    })?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(unavailable(format!(
            "{} {} failed: {}",
            program.display(),
            args.join(" "),
            setup::last_line(&stderr).unwrap_or("no message")
        )));
    }
    stdout
        .lines()
        .chain(stderr.lines())
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_string)
        .ok_or_else(|| {
            unavailable(format!(
                "{} {} printed no version",
                program.display(),
                args.join(" ")
            ))
        })
}

/// The first whole number in `text` after `prefix` (`"javac 17.0.15"`, `"javac "` →
/// 17; `"v20.20.2"`, `"v"` → 20): the major version a client needs.
pub(crate) fn major_after(text: &str, prefix: &str) -> Option<u32> {
    let rest = &text[text.find(prefix)? + prefix.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Writes `files` (name, text) into `dir`, which is made first.
pub(crate) fn write_files(dir: &Path, files: &[(&str, &str)]) -> Result<(), ToolchainError> {
    std::fs::create_dir_all(dir)
        .and_then(|()| {
            files
                .iter()
                .try_for_each(|(name, text)| std::fs::write(dir.join(name), text))
        })
        .map_err(|e| {
            unavailable(format!(
                "cannot write the client sources to {} ({e})",
                dir.display()
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn major_versions_are_read_after_their_prefix() {
        assert_eq!(major_after("javac 17.0.15", "javac "), Some(17));
        assert_eq!(major_after("v20.20.2", "v"), Some(20));
        assert_eq!(
            major_after("go version go1.19.8 linux/amd64", "go1."),
            Some(19)
        );
        assert_eq!(major_after("javac 1.8.0_392", "javac "), Some(1));
        assert_eq!(major_after("something else", "javac "), None);
        assert_eq!(major_after("javac x", "javac "), None);
    }

    #[test]
    fn a_missing_program_is_named_with_how_to_get_it() {
        let err = version_line(
            Path::new("waitbench-no-such-toolchain"),
            &["--version"],
            "install it",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no waitbench-no-such-toolchain on PATH (install it)"
        );
        assert!(!err.is_interrupted());
    }

    #[test]
    fn a_failing_program_gives_its_last_words() {
        let err = version_line(
            Path::new("sh"),
            &["-c", "echo first >&2; echo the reason >&2; exit 3"],
            "",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "sh -c echo first >&2; echo the reason >&2; exit 3 failed: the reason"
        );
    }

    #[test]
    fn the_version_is_the_first_line_printed_on_either_stream() {
        let line = version_line(Path::new("sh"), &["-c", "echo '  v1.2  ' >&2"], "");
        assert_eq!(line, Ok("v1.2".to_string()));
    }

    #[test]
    fn an_interrupted_setup_stays_an_interruption() {
        let err = ToolchainError::from(SetupError::Interrupted {
            what: "the Go client".into(),
        });
        assert!(err.is_interrupted());
        assert!(err.to_string().contains("the Go client"), "{err}");
    }
}
