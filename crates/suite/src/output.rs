//! Writing files so that a failure or Ctrl-C never leaves a half-written one: write to a
//! temporary sibling, then rename over the destination. A full disk, a read-only folder
//! or a file in the way fails the write with the path named, and leaves the destination
//! as it was. [`check_writable`] finds the last two before a long run rather than after.

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
    write_atomic_with(path, |file| file.write_all(bytes))
}

/// Whether `path` can be written: the nearest folder that exists on its way is a folder
/// and takes a new file (tried, not judged from permission bits, which root ignores).
/// Creates no folder and leaves nothing behind; for checking outputs before a long run.
pub fn check_writable(path: &Path) -> Result<()> {
    let mut folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    let existing = loop {
        match folder {
            Some(dir) if dir.exists() => break dir,
            Some(dir) => folder = dir.parent().filter(|p| !p.as_os_str().is_empty()),
            None => break Path::new("."),
        }
    };
    if !existing.is_dir() {
        return Err(io("creating a folder at", existing)(std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            "a file is in the way",
        )));
    }
    let probe = existing.join(format!(".waitbench-probe-{}", std::process::id()));
    fs::File::create(&probe).map_err(io("writing in", existing))?;
    let _ = fs::remove_file(&probe);
    Ok(())
}

/// [`write_atomic`] with the temporary file filled by `write`: whatever it fails with
/// (a full disk) leaves `path` as it was and no temporary file behind.
fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut fs::File) -> std::io::Result<()>,
) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(io("creating", parent))?;
    }
    let tmp = sibling(path, "tmp");
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        write(&mut file)?;
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
    fn a_full_disk_leaves_the_old_file_and_no_temporary_one() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("results.json");
        fs::write(&path, "old").unwrap();
        let error = write_atomic_with(&path, |file| {
            file.write_all(b"{\"half\":")?;
            // ENOSPC, as a full disk reports it.
            Err(std::io::Error::from_raw_os_error(28))
        })
        .unwrap_err();
        let message = format!("{}: {}", error, std::error::Error::source(&error).unwrap());
        assert!(message.contains("results.json"), "{message}");
        assert!(message.contains("free space"), "{message}");
        assert!(message.contains("No space left on device"), "{message}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_path_under_a_regular_file_is_not_writable() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("a-file");
        fs::write(&file, "x").unwrap();
        let error = check_writable(&file.join("sub/out.json")).unwrap_err();
        assert!(error.to_string().contains("a-file"), "{error}");
        assert!(write_atomic(&file.join("out.json"), b"{}").is_err());
        assert_eq!(
            fs::read_dir(root.path()).unwrap().count(),
            1,
            "nothing left behind"
        );
    }

    #[test]
    fn a_path_in_a_new_folder_of_a_writable_one_is_writable_and_nothing_is_created() {
        let root = tempfile::tempdir().unwrap();
        check_writable(&root.path().join("new/deeper/out.json")).unwrap();
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 0);
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
