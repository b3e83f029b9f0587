//! Writing files so that a failure or Ctrl-C never leaves a half-written one: write to a
//! temporary sibling, then rename over the destination.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Result, SuiteError};

/// Turns an I/O error into one that names the action and the path.
pub(crate) fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> SuiteError {
    let path = path.to_path_buf();
    move |source| SuiteError::Write {
        action,
        path,
        source,
    }
}

fn sibling(path: &Path, tag: &str) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

/// Writes `bytes` to `path` atomically (temporary file, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(io("creating", parent))?;
    }
    let tmp = sibling(path, "tmp");
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io("writing", path))
}

/// Where an output document goes: standard output for `-`, otherwise a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output (`-`).
    Stdout,
    /// A file, written atomically.
    File(PathBuf),
}

impl std::str::FromStr for Destination {
    type Err = std::convert::Infallible;
    fn from_str(value: &str) -> std::result::Result<Self, Self::Err> {
        Ok(match value {
            "-" => Destination::Stdout,
            path => Destination::File(PathBuf::from(path)),
        })
    }
}

impl Destination {
    /// Writes a whole document: atomically to a file, or at once to stdout.
    pub fn write(&self, bytes: &[u8]) -> Result<()> {
        match self {
            Destination::File(path) => write_atomic(path, bytes),
            Destination::Stdout => {
                let mut stdout = std::io::stdout().lock();
                stdout
                    .write_all(bytes)
                    .and_then(|()| stdout.flush())
                    .map_err(io("writing", Path::new("standard output")))
            }
        }
    }
}

/// Serialises `value` as pretty JSON into `path` atomically.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut text = serde_json::to_vec_pretty(value).map_err(|source| SuiteError::Serialize {
        what: "JSON",
        source,
    })?;
    text.push(b'\n');
    write_atomic(path, &text)
}

/// Fills a fresh temporary folder beside `dir` with `fill`, then swaps it in place of
/// `dir`: the old folder stays whole until the new one is complete.
pub fn replace_dir_atomic(dir: &Path, fill: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent {
        fs::create_dir_all(parent).map_err(io("creating", parent))?;
    }
    let staging = sibling(dir, "new");
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging).map_err(io("creating", &staging))?;
    if let Err(e) = fill(&staging) {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    let old = sibling(dir, "old");
    let _ = fs::remove_dir_all(&old);
    if dir.exists() {
        fs::rename(dir, &old).map_err(io("moving aside", dir))?;
    }
    if let Err(e) = fs::rename(&staging, dir) {
        let _ = fs::rename(&old, dir);
        let _ = fs::remove_dir_all(&staging);
        return Err(io("moving the new report into", dir)(e));
    }
    let _ = fs::remove_dir_all(&old);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_fill_leaves_the_old_folder_and_no_staging() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("report");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("index.html"), "old").unwrap();
        let err = replace_dir_atomic(&dir, |staging| {
            fs::write(staging.join("index.html"), "half").map_err(io("writing", staging))?;
            Err(SuiteError::Usage("interrupted".into()))
        });
        assert!(err.is_err());
        assert_eq!(fs::read_to_string(dir.join("index.html")).unwrap(), "old");
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 1);
    }

    #[test]
    fn successful_fill_replaces_the_folder() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("report");
        replace_dir_atomic(&dir, |staging| {
            fs::write(staging.join("a"), "new").map_err(io("writing", staging))
        })
        .unwrap();
        assert_eq!(fs::read_to_string(dir.join("a")).unwrap(), "new");
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 1);
    }
}
