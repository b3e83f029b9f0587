//! The bad inputs the table in docs/user-guide.md ("Bad input") lists, each through the
//! real binary: what it exits with, that the message names the problem and the fix, and
//! that no partial file is left.
//! (Rows tested elsewhere: a malformed `--latency`, a corrupt baseline, an unparsable and
//! a closed `--target` and a port in use in `tests/cli.rs`; slow, idle and over-the-cap
//! connections and control tokens in the mock server's `tests/protection.rs`.)

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn waitbench() -> Command {
    Command::cargo_bin("waitbench").expect("the waitbench binary is built")
}

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture_results() -> PathBuf {
    repository().join("crates/report/tests/fixtures/small-results.json")
}

/// Every entry of `dir`, to show nothing was left behind.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("reads the folder")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn an_out_of_range_latency_exits_2_naming_the_cap() {
    waitbench()
        .args(["serve", "--latency", "61s"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--latency"))
        .stderr(predicate::str::contains("at most 60s"));
}

#[test]
fn an_out_of_range_fault_exits_2_naming_the_accepted_form() {
    waitbench()
        .args(["run", "-s", "hyper-tokio", "-n", "1", "--fail", "1.5:503"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--fail"))
        .stderr(predicate::str::contains("1.5:503"));
}

#[test]
fn an_unknown_scenario_key_exits_2_naming_the_file_the_line_and_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = dir.path().join("scenarios");
    std::fs::create_dir(&scenarios).unwrap();
    let text = std::fs::read_to_string(repository().join("fixtures/scenarios/g-error-policy.toml"))
        .unwrap()
        .replace("latency = \"5ms\"", "latncy = \"5ms\"");
    let line = 1 + text
        .lines()
        .position(|l| l.starts_with("latncy"))
        .expect("the scenario sets a latency");
    std::fs::write(scenarios.join("g-error-policy.toml"), text).unwrap();
    let out = dir.path().join("report");
    waitbench()
        .args(["reproduce", "--quick", "--quiet", "--scenarios"])
        .arg(&scenarios)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("g-error-policy.toml"))
        .stderr(predicate::str::contains("latncy"))
        .stderr(predicate::str::contains(format!("line {line}")))
        .stderr(predicate::str::contains("latency"));
    assert!(!out.exists(), "nothing run, nothing written");
}

#[test]
fn a_truncated_results_file_exits_2_naming_it_and_writes_no_report() {
    let dir = tempfile::tempdir().unwrap();
    let whole = std::fs::read(fixture_results()).unwrap();
    let results = dir.path().join("results.json");
    std::fs::write(&results, &whole[..whole.len() / 2]).unwrap();
    let out = dir.path().join("report");
    waitbench()
        .arg("report")
        .arg(&results)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("results.json"));
    assert_eq!(entries(dir.path()), ["results.json"]);
}

#[test]
fn a_truncated_baseline_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let whole = std::fs::read(repository().join("fixtures/baselines/ci.json")).unwrap();
    let baseline = dir.path().join("ci.json");
    std::fs::write(&baseline, &whole[..whole.len() / 3]).unwrap();
    waitbench()
        .args(["check", "--baseline"])
        .arg(&baseline)
        .arg(fixture_results())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ci.json"))
        .stderr(predicate::str::contains("is not a valid baseline file"));
}

#[test]
fn a_target_that_does_not_speak_http_is_counted_as_errors_and_exits_4_for_its_error_rate() {
    // Answers every connection with an SSH banner and closes it.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = [0u8; 1024];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(b"SSH-2.0-OpenSSH_9.6\r\n");
        }
    });
    // The preflight request finds it before any load, and says what it answered.
    waitbench()
        .args(["run", "-s", "hyper-tokio", "-n", "4", "-c", "1", "--quiet"])
        .args(["--target", &url, "--json", "-"])
        .assert()
        .code(4)
        .stdout("")
        .stderr(predicate::str::contains(format!("preflight GET {url}/: ")));
    let output = waitbench()
        .args(["run", "-s", "hyper-tokio", "-n", "4", "-c", "1", "--quiet"])
        .args(["--no-preflight", "--target", &url, "--json", "-"])
        .output()
        .unwrap();
    // Measured and written, not a failed run (3); 4 because every request failed.
    assert_eq!(output.status.code(), Some(4), "{output:?}");
    let doc: Value = serde_json::from_slice(&output.stdout).unwrap();
    let counts = &doc["result"]["trials"][0]["counts"];
    assert_eq!(counts["sent"], 4, "{counts}");
    assert_eq!(counts["ok"], 0, "{counts}");
    assert_eq!(counts["errors"], 4, "{counts}");
    assert_eq!(counts["by_error"]["other"], 4, "{counts}");
}

#[test]
fn an_output_path_under_a_regular_file_exits_2_naming_it_and_the_fix() {
    // Tests run as root, which chmod does not stop: a file where a folder should be does.
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "x").unwrap();
    let json = blocker.join("out.json");
    waitbench()
        .args([
            "run",
            "-s",
            "hyper-tokio",
            "-n",
            "2",
            "-c",
            "1",
            "--quiet",
            "--json",
        ])
        .arg(&json)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not-a-folder"))
        .stderr(predicate::str::contains("writable folder"));
    assert_eq!(entries(dir.path()), ["not-a-folder"], "no partial file");
}

/// A 4 KiB tmpfs, unmounted on drop; `None` where this process may not mount (not root).
struct TinyDisk {
    dir: tempfile::TempDir,
}

impl TinyDisk {
    fn mount() -> Option<TinyDisk> {
        let dir = tempfile::tempdir().ok()?;
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=4k", "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(TinyDisk { dir })
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

#[test]
fn a_full_disk_exits_2_naming_the_file_and_leaves_no_partial_file() {
    // The injected-error test beside write_atomic covers every machine; this one runs the
    // binary against a real full disk where the tests may mount one (as root).
    let Some(disk) = TinyDisk::mount() else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    };
    // A file filling the disk, so the result has no room.
    let filler = disk.dir.path().join("filler");
    let _ = std::fs::write(&filler, vec![0u8; 64 * 1024]);
    let json = disk.dir.path().join("out.json");
    waitbench()
        .args([
            "run",
            "-s",
            "hyper-tokio",
            "-n",
            "2",
            "-c",
            "1",
            "--quiet",
            "--json",
        ])
        .arg(&json)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("out.json"))
        .stderr(predicate::str::contains("No space left on device"))
        .stderr(predicate::str::contains("free space"));
    assert_eq!(entries(disk.dir.path()), ["filler"], "no partial file");
}

#[test]
fn a_missing_certificate_or_key_file_exits_2_naming_the_file_and_the_fix() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let cert = dir.path().join("absent-cert.pem");
    let key = dir.path().join("absent-key.pem");
    waitbench()
        .args(["serve", "--listen", "127.0.0.1:0", "--cert"])
        .arg(&cert)
        .arg("--key")
        .arg(&key)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("absent-cert.pem"))
        .stderr(predicate::str::contains(
            "give --cert a readable PEM certificate file",
        ));
    // A certificate without its key is refused before anything is read.
    waitbench()
        .args(["serve", "--cert"])
        .arg(&cert)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--key"));
}
