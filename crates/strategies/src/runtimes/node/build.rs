//! Making the Node.js client runnable: a version check of `node` (or `$WAITBENCH_NODE`)
//! and the embedded `client.js` written into waitbench's cache
//! (`…/waitbench/node/client-HASH/`), named by a hash of the script. The client uses
//! Node's own modules only, so there is nothing to install.

use std::path::PathBuf;

use waitbench_core::setup::{Setup, cache_folder};

use crate::runtimes::python::sources::content_hash;
use crate::runtimes::toolchain::{self, Prepared, ToolchainError, unavailable};

/// The client, compiled into waitbench.
const SCRIPT: &str = include_str!("client/client.js");

/// The oldest Node.js with a stable built-in `fetch` and `AbortController`.
const MIN_NODE: u32 = 18;

/// Writing one file: too quick to announce.
const SOURCES: Setup<'static> = Setup {
    what: "the Node.js client",
    takes: None,
};

/// The variable that points waitbench at another `node`.
pub const NODE_ENV: &str = "WAITBENCH_NODE";

/// Set to `1` to make a Node.js client that cannot run an error instead of "not
/// measured".
pub const REQUIRE_NODE_ENV: &str = "WAITBENCH_REQUIRE_NODE";

/// The client of this process, made once.
static READY: Prepared<NodeBuild> = Prepared::new();

/// The Node.js client: the `node` that runs it, the script and Node's version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeBuild {
    /// The `node` program.
    pub node: PathBuf,
    /// `client.js` in the cache.
    pub script: PathBuf,
    /// `v20.20.2`.
    pub version: String,
}

impl NodeBuild {
    /// The client, made on first use in this process and reused afterwards.
    pub fn get() -> Result<&'static NodeBuild, ToolchainError> {
        READY.get(build)
    }

    /// Node as a result reports it: its version once checked, else what will be looked
    /// for (describing never checks).
    pub fn describe() -> String {
        READY.describe(
            |built| format!("Node.js {} ({})", built.version, built.node.display()),
            || {
                format!(
                    "{} (Node.js {MIN_NODE}+), not checked yet",
                    toolchain::program(NODE_ENV, "node").display()
                )
            },
        )
    }
}

fn build() -> Result<NodeBuild, ToolchainError> {
    let node = toolchain::program(NODE_ENV, "node");
    let version = toolchain::version_line(
        &node,
        &["--version"],
        "install Node.js 18 or newer, e.g. Debian's nodejs",
    )?;
    if toolchain::major_after(&version, "v").is_none_or(|major| major < MIN_NODE) {
        return Err(unavailable(format!(
            "{} is Node.js {version}; the Node.js client needs {MIN_NODE} or newer",
            node.display()
        )));
    }
    let dir = cache_folder("node").join(format!("client-{}", content_hash([SCRIPT])));
    SOURCES.ensure(&dir, |workshop| {
        toolchain::write_files(workshop.folder(), &[("client.js", SCRIPT)])
    })?;
    Ok(NodeBuild {
        node,
        script: dir.join("client.js"),
        version,
    })
}
