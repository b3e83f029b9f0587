//! Building the Go client on first use: `go build` of the embedded sources into
//! waitbench's cache (`…/waitbench/go/client-HASH/goclient`), named by a hash of the
//! sources and the Go version, so that a change to either builds a new one and nothing
//! is rebuilt otherwise.
//!
//! The client uses the standard library only, so the build needs no module download and
//! no `go.sum`: it runs with `GOPROXY=off` and `GOFLAGS=-mod=mod`, and with
//! `CGO_ENABLED=0` so that no C compiler is needed (the pure-Go resolver and network
//! stack are Go's own). `GOCACHE` and `GOPATH` are set under waitbench's cache, so a
//! machine without `$HOME` builds too and a rebuild reuses Go's compiled packages.
//!
//! The toolchain is `go` on `PATH`, or `$WAITBENCH_GO`; Go 1.19 (Debian 12's
//! `golang-go`) or newer.

use std::path::{Path, PathBuf};
use std::process::Command;

use waitbench_core::setup::{Setup, Workshop, cache_folder};

use crate::runtimes::python::sources::content_hash;
use crate::runtimes::toolchain::{self, Prepared, ToolchainError, unavailable};

/// The client's sources, compiled into waitbench.
const SOURCES: [(&str, &str); 2] = [
    ("main.go", include_str!("client/main.go")),
    ("go.mod", include_str!("client/go.mod")),
];

/// The oldest Go the client is written for (`atomic.Bool`, `atomic.Int64`).
const MIN_GO_MINOR: u32 = 19;

/// What the build is, as its progress line says: measured at 16 s on two busy cores
/// with an empty Go build cache (most of it compiling net/http).
const SETUP: Setup<'static> = Setup {
    what: "the Go client",
    takes: Some("about 20 s"),
};

/// The variable that points waitbench at another `go`.
pub const GO_ENV: &str = "WAITBENCH_GO";

/// Set to `1` to make a Go client that cannot run an error instead of "not measured".
pub const REQUIRE_GO_ENV: &str = "WAITBENCH_REQUIRE_GO";

/// The built client of this process, made once.
static READY: Prepared<GoBuild> = Prepared::new();

/// The built Go client: its executable and the Go it was built with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoBuild {
    /// The executable.
    pub binary: PathBuf,
    /// `go1.19.8`.
    pub version: String,
}

impl GoBuild {
    /// The client, built on first use in this process (and on this machine) and reused
    /// afterwards; the error is remembered too, so it is reported once per cause.
    pub fn get() -> Result<&'static GoBuild, ToolchainError> {
        READY.get(build)
    }

    /// The toolchain as a result reports it: its version once built, else what will be
    /// looked for (describing never builds).
    pub fn describe() -> String {
        READY.describe(
            |built| format!("{} ({})", built.version, built.binary.display()),
            || {
                format!(
                    "{} (go1.{MIN_GO_MINOR}+), not built yet",
                    toolchain::program(GO_ENV, "go").display()
                )
            },
        )
    }
}

fn build() -> Result<GoBuild, ToolchainError> {
    let go = toolchain::program(GO_ENV, "go");
    let line = toolchain::version_line(
        &go,
        &["version"],
        "install Go 1.19 or newer, e.g. Debian's golang-go",
    )?;
    // `go version go1.19.8 linux/amd64`
    let version = line
        .split_whitespace()
        .find(|w| w.starts_with("go1."))
        .unwrap_or(&line)
        .to_string();
    match toolchain::major_after(&version, "go1.") {
        Some(minor) if minor >= MIN_GO_MINOR => {}
        _ => {
            return Err(unavailable(format!(
                "{} is {version}; the Go client needs go1.{MIN_GO_MINOR} or newer",
                go.display()
            )));
        }
    }
    let root = cache_folder("go");
    let dir = root.join(format!(
        "client-{}",
        content_hash(
            SOURCES
                .iter()
                .flat_map(|(name, text)| [*name, *text])
                .chain([version.as_str()])
        )
    ));
    SETUP.ensure(&dir, |workshop| compile(&go, &root, workshop))?;
    Ok(GoBuild {
        binary: dir.join("goclient"),
        version,
    })
}

fn compile(go: &Path, root: &Path, workshop: &Workshop<'_>) -> Result<(), ToolchainError> {
    let src = workshop.folder().join("src");
    toolchain::write_files(&src, &SOURCES)?;
    let built = workshop.run(
        Command::new(go)
            .args(["build", "-trimpath", "-o"])
            .arg(workshop.folder().join("goclient"))
            .arg(".")
            .current_dir(&src)
            .env("CGO_ENABLED", "0")
            .env("GOPROXY", "off")
            .env("GOFLAGS", "-mod=mod")
            .env("GOTOOLCHAIN", "local")
            .env("GOCACHE", root.join("build-cache"))
            .env("GOPATH", root.join("gopath")),
    )?;
    if !built.status.success() {
        return Err(unavailable(format!(
            "go build of the Go client failed: {}",
            built.last_line()
        )));
    }
    Ok(())
}
