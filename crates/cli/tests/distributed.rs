//! Several client processes against one standalone server, as `scripts/multi-client.sh`
//! and the Kubernetes Job do: their run documents merge exactly, and runs of different
//! workloads are refused.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use waitbench_core::{EncodedHistogram, RunDocument};

fn waitbench() -> Command {
    Command::cargo_bin("waitbench").expect("the waitbench binary is built")
}

/// A standalone `waitbench serve` on a free loopback port, stopped when dropped.
struct Standalone {
    child: Child,
    /// Its base URL, as it printed it.
    url: String,
}

impl Standalone {
    fn start() -> Self {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("waitbench"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stderr(Stdio::piped())
            .spawn()
            .expect("start waitbench serve");
        let mut line = String::new();
        BufReader::new(child.stderr.take().expect("piped stderr"))
            .read_line(&mut line)
            .expect("serve prints where it listens");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .to_string();
        Standalone { child, url }
    }
}

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One client host's run: a batch against the standalone server, written to `out`.
fn client_run(server: &Standalone, out: &Path, requests: &str) {
    waitbench()
        .args([
            "run",
            "-s",
            "hyper-tokio",
            "-n",
            requests,
            "-c",
            "8",
            "--latency",
            "1ms",
        ])
        .args(["--target", &server.url, "--quiet", "--json"])
        .arg(out)
        .assert()
        .success();
}

fn read(path: &Path) -> RunDocument<'static> {
    serde_json::from_slice(&std::fs::read(path).expect("the document was written"))
        .expect("a run document")
}

#[test]
fn merged_runs_add_counts_and_take_percentiles_from_the_summed_histogram() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, merged) = (
        dir.path().join("a.json"),
        dir.path().join("b.json"),
        dir.path().join("merged.json"),
    );
    let server = Standalone::start();
    client_run(&server, &a, "300");
    client_run(&server, &b, "300");
    waitbench()
        .arg("merge")
        .args([&a, &b])
        .arg("--out")
        .arg(&merged)
        .assert()
        .success()
        .stderr(predicate::str::contains("merged 2 runs"));

    let (a, b, m) = (read(&a), read(&b), read(&merged));
    let (ta, tb, tm) = (
        &a.result.trials[0],
        &b.result.trials[0],
        &m.result.trials[0],
    );
    assert_eq!(tm.counts.sent, ta.counts.sent + tb.counts.sent);
    assert_eq!(tm.counts.ok, ta.counts.ok + tb.counts.ok);
    assert!((tm.throughput_rps - (ta.throughput_rps + tb.throughput_rps)).abs() < 1e-6);
    assert_eq!(tm.merged_runs, Some(2));
    assert_eq!(tm.workload.load.concurrency(), 16);

    let decode = |h: &EncodedHistogram| h.decode().expect("an HdrHistogram");
    let mut both = decode(&ta.histograms.as_ref().unwrap().latency);
    both.add(decode(&tb.histograms.as_ref().unwrap().latency))
        .unwrap();
    assert_eq!(tm.latency.p99_us, both.value_at_quantile(0.99) as f64);
    assert_eq!(tm.latency.count, both.len());
}

#[test]
fn runs_of_different_workloads_are_refused_with_2_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, merged) = (
        dir.path().join("a.json"),
        dir.path().join("b.json"),
        dir.path().join("merged.json"),
    );
    let server = Standalone::start();
    client_run(&server, &a, "100");
    client_run(&server, &b, "120");
    waitbench()
        .arg("merge")
        .args([&a, &b])
        .arg("--out")
        .arg(&merged)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "differs from run 1 in workload.load.requests: 120 there, 100 in run 1",
        ));
    assert!(!merged.exists());
}

#[test]
fn a_file_that_is_not_a_run_document_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("bogus.json");
    std::fs::write(&bogus, "{\"schema_version\": 1}").unwrap();
    waitbench()
        .arg("merge")
        .args([&bogus, &bogus])
        .args(["--out", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bogus.json is not a run document"));
}

/// Claim B's verdict and the run's record of where its server ran, from a quick run.
fn quick_b(dir: &Path, extra: &[&str]) -> (String, Value) {
    let out = dir.join("report");
    waitbench()
        .current_dir(dir)
        .args(["reproduce", "--quick", "--only", "B", "--quiet", "--out"])
        .arg(&out)
        .args(extra)
        .assert()
        .success();
    let results: Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let verdict = results["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["id"] == "B")
        .expect("a row for claim B")["verdict"]
        .to_string();
    (verdict, results)
}

#[test]
fn the_suite_against_a_standalone_server_gives_the_embedded_runs_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let (embedded, local) = quick_b(dir.path(), &[]);
    let server = Standalone::start();
    let (remote, elsewhere) = quick_b(dir.path(), &["--server", &server.url]);
    assert_eq!(remote, embedded);
    assert!(local.get("server_url").is_none());
    assert_eq!(elsewhere["server_url"], server.url.as_str());
    let run = &elsewhere["scenarios"][0]["series"][0]["points"][0]["trials"]["trials"][0];
    assert_eq!(run["injected"]["embedded_server"], false);
    // The server's CPU is read from its /stats, and none of it is the client's.
    assert!(
        run["server"]["cpu_s"].as_f64().unwrap() > 0.0,
        "{}",
        run["server"]
    );
}

#[test]
fn a_server_url_where_no_waitbench_server_answers_exits_2_with_the_fix() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    waitbench()
        .current_dir(dir.path())
        .args(["reproduce", "--quick", "--only", "B", "--quiet", "--server"])
        .arg(format!("http://127.0.0.1:{port}"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no waitbench server answers there",
        ))
        .stderr(predicate::str::contains("waitbench serve --listen"));
    assert!(!dir.path().join("reports").exists());
}

#[test]
fn the_interval_log_has_one_histogram_per_second_including_the_warm_up() {
    use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};

    let dir = tempfile::tempdir().unwrap();
    let (hlog, json) = (dir.path().join("run.hlog"), dir.path().join("run.json"));
    waitbench()
        .args([
            "run",
            "-s",
            "hyper-tokio",
            "-c",
            "4",
            "-d",
            "2s",
            "--warmup",
            "1s",
        ])
        .args(["--latency", "2ms", "--quiet", "--hlog"])
        .arg(&hlog)
        .arg("--json")
        .arg(&json)
        .assert()
        .success();
    let text = std::fs::read(&hlog).unwrap();
    let intervals: Vec<u64> = IntervalLogIterator::new(&text)
        .filter_map(|entry| match entry.expect("every line parses") {
            LogEntry::Interval(i) => Some(i.start_timestamp().as_secs()),
            _ => None,
        })
        .collect();
    // 3 s of load; requests still in flight at the end may finish in a 4th second.
    assert!(intervals.starts_with(&[0, 1, 2]), "{intervals:?}");
    let timeline = &read(&json).result.trials[0].timeline;
    assert_eq!(timeline.len(), intervals.len());
    assert!(timeline[0].warmup && !timeline[1].warmup);
    assert!(timeline[0].completed > 0 && timeline[1].completed > 0);
}

#[test]
fn pinning_is_recorded_in_the_result() {
    let available = waitbench_core::CpuSet::of_current_thread().unwrap();
    let cpus: Vec<usize> = available.cpus().collect();
    if cpus.len() < 2 {
        eprintln!(
            "skipped: pinning client and server apart needs 2 CPUs; this process may use {available}"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("pinned.json");
    let (server, client) = (cpus[0].to_string(), cpus[1].to_string());
    waitbench()
        .args([
            "run",
            "-s",
            "ureq-threads",
            "-n",
            "200",
            "-c",
            "4",
            "--quiet",
        ])
        .args(["--server-cpus", &server, "--client-cpus", &client, "--json"])
        .arg(&json)
        .assert()
        .success();
    let placement = read(&json).result.trials[0]
        .placement
        .clone()
        .expect("recorded");
    assert_eq!(placement.server_cpus.unwrap().to_string(), server);
    assert_eq!(placement.client_cpus.unwrap().to_string(), client);
}

#[test]
fn overlapping_cpu_sets_exit_2_naming_the_shared_cpu() {
    waitbench()
        .args([
            "run",
            "-s",
            "ureq-threads",
            "-n",
            "10",
            "--server-cpus",
            "0-1",
        ])
        .args(["--client-cpus", "1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("share CPU 1"));
}
