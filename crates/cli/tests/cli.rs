//! The `waitbench` binary end to end: exit codes, error messages, and the files it writes.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn waitbench() -> Command {
    Command::cargo_bin("waitbench").expect("the waitbench binary is built")
}

fn fixture_results() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../report/tests/fixtures/small-results.json")
}

#[test]
fn list_names_every_strategy() {
    waitbench()
        .args(["run", "--list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ureq-sequential"))
        .stdout(predicate::str::contains("ureq-rayon"))
        .stdout(predicate::str::contains("reqwest-tokio"))
        .stdout(predicate::str::contains("tokio-spawn-blocking"));
}

#[test]
fn list_names_the_python_strategies_too() {
    let listed = waitbench().args(["run", "--list"]).assert().success();
    let stdout = String::from_utf8_lossy(&listed.get_output().stdout).into_owned();
    for name in [
        "py-requests",
        "py-requests-session",
        "py-threadpool",
        "py-aiohttp",
        "py-aiohttp-per-request",
        "py-async-blocking",
        "py-async-executor",
    ] {
        assert!(stdout.contains(&format!("  {name} ")), "{name} in {stdout}");
    }
}

#[test]
fn a_missing_python_is_said_in_one_line_and_the_run_fails_with_3() {
    let failed = waitbench()
        .env("WAITBENCH_PYTHON", "/nonexistent/python3")
        .args(["run", "-s", "py-aiohttp", "-n", "5"])
        .assert()
        .code(3);
    let stderr = String::from_utf8_lossy(&failed.get_output().stderr).into_owned();
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("Python clients unavailable: cannot run /nonexistent/python3"),
        "{stderr}"
    );
}

#[test]
fn unknown_strategy_exits_2_and_lists_the_valid_ones() {
    waitbench()
        .args(["run", "--strategy", "reqwest-async"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("reqwest-async"))
        .stderr(predicate::str::contains("ureq-sequential"));
}

#[test]
fn malformed_latency_spec_exits_2_naming_the_flag() {
    waitbench()
        .args(["serve", "--latency", "lognormal(20ms)"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--latency"))
        .stderr(predicate::str::contains("lognormal"));
}

#[test]
fn zero_or_negative_concurrency_exits_2_with_waitbench_s_own_message() {
    for c in ["0", "-5"] {
        waitbench()
            .args(["run", "-s", "reqwest-tokio", "-n", "10", "-c", c])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "--concurrency (requests in flight) must be at least 1 (got {c})"
            )))
            .stderr(predicate::str::contains("unexpected argument").not());
    }
}

#[test]
fn a_missing_output_folder_is_created_and_said_before_an_unwritable_one_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("new/deeper/out.json");
    waitbench()
        .args(["run", "-s", "hyper-tokio", "-n", "10", "-c", "1", "--quiet"])
        .args(["--json", nested.to_str().unwrap()])
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "created folder {} for the outputs",
            dir.path().join("new/deeper").display()
        )));
    assert!(nested.exists());
}

#[test]
fn run_writes_json_and_hgrm_with_balanced_accounting() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("run.json");
    let hgrm = dir.path().join("run.hgrm");
    waitbench()
        .args([
            "run",
            "-s",
            "reqwest-tokio",
            "-n",
            "60",
            "-c",
            "6",
            "--latency",
            "5ms",
        ])
        .args(["--fail", "0.2:503", "--quiet", "--json"])
        .arg(&json)
        .arg("--hgrm")
        .arg(&hgrm)
        .assert()
        .success()
        .stdout(predicate::str::contains("throughput"))
        .stdout(predicate::str::contains("p99.9"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(doc["schema_version"], 1);
    let run = &doc["result"]["trials"][0];
    let counts = &run["counts"];
    assert_eq!(counts["sent"], 60);
    let ok = counts["ok"].as_u64().unwrap();
    let http = counts["http_errors"].as_u64().unwrap();
    assert_eq!(ok + http + counts["errors"].as_u64().unwrap(), 60);
    assert_eq!(counts["by_status"]["503"].as_u64().unwrap(), http);
    assert!(run["latency"]["min_us"].as_f64().unwrap() >= 5_000.0);
    assert_eq!(run["server"]["requests"], 60);
    assert!(run["environment"]["cores"].as_u64().unwrap() >= 1);
    let text = std::fs::read_to_string(&hgrm).unwrap();
    assert!(text.trim_start().starts_with("Value"));
    assert!(text.contains("#[Max"));
}

#[test]
fn report_rerenders_from_a_results_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    waitbench()
        .arg("report")
        .arg(fixture_results())
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("throughput-vs-concurrency.png"));
    assert!(out.join("results.json").exists());
}

#[test]
fn report_on_a_missing_file_exits_2_naming_it_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    waitbench()
        .args(["report", "no-such-results.json", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-results.json"));
    assert!(!out.exists());
}

/// A point metric that the fixture results provide, and its value.
fn some_point_metric(metric: &str) -> (String, f64) {
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture_results()).unwrap()).unwrap();
    let scenario = &doc["scenarios"][0];
    let series = &scenario["series"][0];
    let point = &series["points"][0];
    let x = point["x"].as_f64().unwrap();
    let name = format!(
        "{}.{}@{}.{metric}",
        scenario["claim"].as_str().unwrap(),
        series["role"].as_str().unwrap(),
        x
    );
    let value = point["trials"][metric].as_object().map_or_else(
        || panic!("fixture has no {metric}"),
        |o| o["median"].as_f64().unwrap(),
    );
    (name, value)
}

fn write_baseline(dir: &Path, name: &str, value: f64, direction: &str) -> PathBuf {
    let path = dir.join("baseline.json");
    let baseline = serde_json::json!({
        "schema_version": 1,
        "metrics": { name: {
            "value": value, "direction": direction,
            "tolerance": { "relative": 0.1 }, "gate": true
        }}
    });
    std::fs::write(&path, baseline.to_string()).unwrap();
    path
}

#[test]
fn check_fails_with_1_naming_a_metric_past_its_tolerance() {
    let dir = tempfile::tempdir().unwrap();
    let (name, value) = some_point_metric("throughput_rps");
    // The baseline says twice the current throughput: the current run is a regression.
    let baseline = write_baseline(dir.path(), &name, value * 2.0, "higher");
    let markdown = dir.path().join("check.md");
    waitbench()
        .args(["check", "--baseline"])
        .arg(&baseline)
        .arg(fixture_results())
        .arg("--markdown")
        .arg(&markdown)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("REGRESSED"))
        .stdout(predicate::str::contains(&name));
    assert!(
        std::fs::read_to_string(&markdown)
            .unwrap()
            .contains("**REGRESSED**")
    );
}

/// A baseline gating one Rust point metric of the fixture and one Python figure, which
/// the fixture (a Rust-only run) lacks.
fn baseline_with_a_python_metric(dir: &Path) -> PathBuf {
    let (name, value) = some_point_metric("throughput_rps");
    let path = write_baseline(dir, &name, value, "higher");
    let mut baseline: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    baseline["metrics"]["claim.F2.python_throughput_ratio"] = serde_json::json!({
        "value": 0.08, "direction": "lower",
        "tolerance": { "absolute": 0.067 }, "gate": true
    });
    std::fs::write(&path, baseline.to_string()).unwrap();
    path
}

#[test]
fn results_without_python_are_checked_and_the_python_metric_named_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    waitbench()
        .env_remove("WAITBENCH_REQUIRE_PYTHON")
        .args(["check", "--baseline"])
        .arg(baseline_with_a_python_metric(dir.path()))
        .arg(fixture_results())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "not checked (the results have no Python series): claim.F2.python_throughput_ratio",
        ));
}

#[test]
fn required_python_fails_a_check_whose_results_lack_the_python_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let failed = waitbench()
        .env("WAITBENCH_REQUIRE_PYTHON", "1")
        .args(["check", "--baseline"])
        .arg(baseline_with_a_python_metric(dir.path()))
        .arg(fixture_results())
        .assert()
        .code(3);
    let stderr = String::from_utf8_lossy(&failed.get_output().stderr).into_owned();
    assert!(
        stderr.contains("the Python clients are required (WAITBENCH_REQUIRE_PYTHON=1)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("claim.F2.python_throughput_ratio"),
        "{stderr}"
    );
}

#[test]
fn required_python_fails_a_suite_that_cannot_run_it_instead_of_leaving_it_out() {
    let cwd = elsewhere();
    let failed = waitbench()
        .env("WAITBENCH_REQUIRE_PYTHON", "1")
        .env("WAITBENCH_PYTHON", "/nonexistent/python3")
        .args(["reproduce", "--quick", "--only", "F2", "--quiet"])
        .current_dir(cwd.path())
        .assert()
        .code(3);
    let stderr = String::from_utf8_lossy(&failed.get_output().stderr).into_owned();
    assert!(
        stderr.contains(
            "required (WAITBENCH_REQUIRE_PYTHON=1) but cannot run: Python clients \
             unavailable: cannot run /nonexistent/python3"
        ),
        "{stderr}"
    );
    assert!(
        !cwd.path().join("reports").exists(),
        "nothing measured, nothing written"
    );
}

#[test]
fn check_passes_an_improved_metric() {
    let dir = tempfile::tempdir().unwrap();
    let (name, value) = some_point_metric("throughput_rps");
    let baseline = write_baseline(dir.path(), &name, value / 2.0, "higher");
    waitbench()
        .args(["check", "--baseline"])
        .arg(&baseline)
        .arg(fixture_results())
        .assert()
        .success()
        .stdout(predicate::str::contains("improved"));
}

#[test]
fn check_rejects_an_unknown_metric_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = write_baseline(dir.path(), "C.asynk@300.efficiency", 1.0, "higher");
    waitbench()
        .args(["check", "--baseline"])
        .arg(&baseline)
        .arg(fixture_results())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "C.asynk@300.efficiency: not in the results",
        ));
}

#[test]
fn check_rejects_a_misspelt_metric_kind_with_2_naming_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = write_baseline(dir.path(), "C.async@300.efficency", 1.0, "higher");
    waitbench()
        .args(["check", "--baseline"])
        .arg(&baseline)
        .arg(fixture_results())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown point metric \"efficency\"",
        ))
        .stderr(predicate::str::contains("in_flight_ratio"));
}

#[test]
fn check_rejects_a_corrupt_baseline_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    std::fs::write(&baseline, "{ \"schema_version\": 1, \"metrics\": ").unwrap();
    waitbench()
        .args(["check", "--baseline"])
        .arg(&baseline)
        .arg(fixture_results())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a valid baseline file"));
}

#[test]
fn check_exports_valid_json_for_tracking_services() {
    let dir = tempfile::tempdir().unwrap();
    let (name, value) = some_point_metric("throughput_rps");
    let baseline = write_baseline(dir.path(), &name, value, "higher");
    let gab = dir.path().join("gab.json");
    waitbench()
        .args(["check", "--baseline"])
        .arg(&baseline)
        .arg(fixture_results())
        .args(["--export", "github-action-benchmark", "--export-file"])
        .arg(&gab)
        .assert()
        .success();
    let bigger: Value = serde_json::from_str(&std::fs::read_to_string(&gab).unwrap()).unwrap();
    let entry = bigger
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name.as_str())
        .expect("the throughput metric is exported as bigger-is-better");
    assert_eq!(entry["unit"], "req/s");
    let smaller: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("gab.smaller.json")).unwrap(),
    )
    .unwrap();
    assert!(
        smaller
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["value"].is_number())
    );

    let bencher = dir.path().join("bencher.json");
    waitbench()
        .args(["check", "--baseline"])
        .arg(&baseline)
        .arg(fixture_results())
        .args(["--export", "bencher", "--export-file"])
        .arg(&bencher)
        .assert()
        .success();
    let bmf: Value = serde_json::from_str(&std::fs::read_to_string(&bencher).unwrap()).unwrap();
    let (benchmark, measure) = name.rsplit_once('.').unwrap();
    assert!(bmf[benchmark][measure.replace('_', "-")]["value"].is_number());
}

#[test]
fn update_baseline_takes_current_values_and_keeps_tolerances() {
    let dir = tempfile::tempdir().unwrap();
    let (name, value) = some_point_metric("throughput_rps");
    let baseline = write_baseline(dir.path(), &name, value * 2.0, "higher");
    waitbench()
        .args(["check", "--update-baseline", "--baseline"])
        .arg(&baseline)
        .arg(fixture_results())
        .assert()
        .success()
        .stdout(predicate::str::contains("updated"));
    let updated: Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    let metric = &updated["metrics"][name.as_str()];
    assert_eq!(metric["value"].as_f64().unwrap(), value);
    assert_eq!(metric["tolerance"]["relative"].as_f64().unwrap(), 0.1);
    assert_eq!(metric["direction"], "higher");
    // The accepted baseline now passes.
    waitbench()
        .args(["check", "--baseline"])
        .arg(&baseline)
        .arg(fixture_results())
        .assert()
        .success();
}

#[test]
fn progress_polling_adds_no_connections_to_the_measured_run() {
    // 150 requests at 5 in flight and 50 ms take ~1.5 s: long enough for the progress
    // poller (which runs even when the bar is hidden) to read the server many times.
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("run.json");
    waitbench()
        .args([
            "run",
            "-s",
            "reqwest-tokio",
            "-n",
            "150",
            "-c",
            "5",
            "--latency",
            "50ms",
        ])
        .args(["--quiet", "--json"])
        .arg(&json)
        .assert()
        .success();
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let server = &doc["result"]["trials"][0]["server"];
    assert_eq!(server["connections_accepted"], 5, "{server}");
    assert_eq!(server["requests"], 150, "{server}");
}

#[test]
fn cpu_per_request_counts_the_warm_up_requests_its_cpu_includes() {
    // 2 workers at 20 ms: ~50 warm-up requests in 0.5 s, then ~50 recorded ones.
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("run.json");
    waitbench()
        .args(["run", "-s", "hyper-tokio", "-c", "2", "-d", "500ms"])
        .args([
            "--warmup",
            "500ms",
            "--latency",
            "20ms",
            "--quiet",
            "--json",
        ])
        .arg(&json)
        .assert()
        .success();
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let trial = &doc["result"]["trials"][0];
    let sent = trial["counts"]["sent"].as_u64().unwrap();
    let warmup = trial["counts"]["warmup_sent"].as_u64().unwrap();
    assert!(sent > 0 && warmup > 0, "{}", trial["counts"]);
    // The server saw both phases; the client's count of them must agree.
    assert_eq!(trial["server"]["requests"].as_u64().unwrap(), sent + warmup);
    let cpu_s = trial["client"]["client_cpu_s"].as_f64().unwrap();
    let per_request = trial["client"]["client_cpu_per_request_us"]
        .as_f64()
        .unwrap();
    let expected = cpu_s * 1e6 / (sent + warmup) as f64;
    assert!(
        (per_request - expected).abs() <= 1e-9 * expected.max(1.0),
        "{per_request} µs, expected {expected}"
    );
}

#[test]
fn unparsable_target_exits_2_naming_it_and_the_fix() {
    waitbench()
        .args(["run", "-s", "hyper-tokio", "-n", "1", "-c", "1"])
        .args(["--target", "http://exa mple/"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("http://exa mple/"))
        .stderr(predicate::str::contains("http://127.0.0.1:8080"));
}

/// A folder with no `fixtures/` in it, to run from as an installed binary would.
fn elsewhere() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    assert!(!dir.path().join("fixtures").exists());
    dir
}

#[test]
fn check_runs_from_any_directory_with_a_baseline_file() {
    let cwd = elsewhere();
    let (name, value) = some_point_metric("throughput_rps");
    let baseline = write_baseline(cwd.path(), &name, value, "higher");
    waitbench()
        .current_dir(cwd.path())
        .arg("check")
        .arg(fixture_results())
        .arg("--baseline")
        .arg(&baseline)
        .assert()
        .success()
        .stdout(predicate::str::contains(&name));
}

#[test]
fn check_without_a_baseline_flag_reads_the_built_in_baseline() {
    // The small fixture has none of the CI baseline's series, so the built-in baseline
    // is read and then rejected for naming metrics these results lack.
    waitbench()
        .current_dir(elsewhere().path())
        .arg("check")
        .arg(fixture_results())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the baseline names"))
        .stderr(predicate::str::contains(
            "C.async@300.in_flight_ratio: not in the results",
        ));
}

#[test]
fn reproduce_finds_its_scenarios_built_in_from_any_directory() {
    // --only with an unknown claim fails after the scenarios are loaded, listing them.
    waitbench()
        .current_dir(elsewhere().path())
        .args(["reproduce", "--only", "Z"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the scenarios cover A, B, C, D, E, F1, F2, G, CO",
        ));
}

#[test]
fn rewriting_the_baseline_without_a_file_exits_2_naming_the_flag() {
    let cwd = elsewhere();
    for flag in ["--update-baseline", "--make-baseline"] {
        waitbench()
            .current_dir(cwd.path())
            .args(["check", flag])
            .arg(fixture_results())
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--baseline <FILE>"));
    }
    assert_eq!(
        std::fs::read_dir(cwd.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn run_json_to_stdout_is_the_document_alone_and_the_summary_goes_to_stderr() {
    let output = waitbench()
        .args(["run", "-s", "hyper-tokio", "-n", "20", "-c", "2"])
        .args(["--latency", "1ms", "--quiet", "--json", "-"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let doc: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON alone");
    assert_eq!(doc["result"]["trials"][0]["counts"]["sent"], 20);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("throughput"), "{stderr}");
    assert!(!stderr.contains("wrote"), "{stderr}");
}

#[test]
fn run_hgrm_to_stdout_is_the_distribution_alone() {
    let output = waitbench()
        .args(["run", "-s", "hyper-tokio", "-n", "20", "-c", "2"])
        .args(["--latency", "1ms", "--quiet", "--hgrm", "-"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    let first = text.lines().next().unwrap_or_default();
    assert!(first.trim_start().starts_with("Value"), "{text}");
    assert!(first.contains("Percentile"), "{text}");
    let last = text.lines().last().unwrap_or_default();
    assert!(last.starts_with("#[Buckets"), "{text}");
    assert!(text.contains("Total count    =           20]"), "{text}");
    assert!(String::from_utf8(output.stderr).unwrap().contains("p99.9"));
}

#[test]
fn json_and_hgrm_both_to_stdout_exit_2_before_running() {
    waitbench()
        .args([
            "run",
            "-s",
            "hyper-tokio",
            "-n",
            "20",
            "--json",
            "-",
            "--hgrm",
            "-",
        ])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("both write to stdout"));
}

#[test]
fn serve_on_a_port_in_use_exits_3_naming_the_address() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    waitbench()
        .args(["serve", "--listen", &addr])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(3)
        .stderr(predicate::str::contains(format!("cannot listen on {addr}")));
}

#[test]
fn connection_refused_is_measured_written_and_exits_4_for_its_error_rate() {
    // A closed port: every request ends as a connect error, counted and written, and the
    // run ends with the error-rate code, not as a failed run.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let output = waitbench()
        .args(["run", "-s", "hyper-tokio", "-n", "4", "-c", "1", "--quiet"])
        .args(["--no-preflight", "--target", &url, "--json", "-"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4), "{output:?}");
    let doc: Value = serde_json::from_slice(&output.stdout).unwrap();
    let trial = &doc["result"]["trials"][0];
    let counts = &trial["counts"];
    assert_eq!(counts["sent"], 4, "{counts}");
    assert_eq!(counts["errors"], 4, "{counts}");
    // Goodput: failed requests are attempts, never throughput.
    assert_eq!(trial["throughput_rps"], 0.0, "{trial}");
    assert!(trial["attempts_rps"].as_f64().unwrap() > 0.0, "{trial}");
    assert_eq!(trial["error_rate"], 1.0, "{trial}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("100% of requests failed, over --max-error-rate 0%"),
        "{stderr}"
    );
}

#[test]
fn max_error_rate_lets_a_run_with_errors_succeed() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    waitbench()
        .args(["run", "-s", "ureq-threads", "-n", "3", "-c", "1", "--quiet"])
        .args(["--no-preflight", "--target", &url, "--max-error-rate", "1"])
        .assert()
        .code(0);
}

#[test]
fn injected_failures_are_not_held_against_the_run_by_default() {
    waitbench()
        .args([
            "run",
            "-s",
            "ureq-threads",
            "-n",
            "40",
            "-c",
            "2",
            "--quiet",
        ])
        .args(["--fail", "0.5:503"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("http errors"));
}

/// How long a test waits for the sign that a command's measured work has begun: long
/// enough for a first-use setup on a fresh machine (the Python clients take ~20 s).
const SIGN_WITHIN: std::time::Duration = std::time::Duration::from_secs(180);

/// Starts `waitbench args…` from `cwd` with `env` added, waits until stdout or stderr
/// shows a line containing `sign` (so the signal lands in the work under test, not in a
/// setup before it, however long that takes), lets the work go on for `then` if given,
/// sends `signals` (a fifth of a second apart), and returns its exit code, stdout, stderr and how long it took to exit after
/// the last signal, failing if it has not exited a few seconds later. `None` when the
/// command ended before the sign.
fn interrupted_after(
    cwd: &Path,
    env: &[(&str, &Path)],
    args: &[&str],
    sign: &str,
    then: Option<std::time::Duration>,
    signals: &[libc::c_int],
) -> Result<(Option<i32>, String, String, std::time::Duration), String> {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    let mut child = Command::new(env!("CARGO_BIN_EXE_waitbench"))
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Each stream's lines, read as they come; every line also goes to `lines`.
    let (lines, seen) = mpsc::channel::<String>();
    let reader = |stream: Box<dyn std::io::Read + Send>| {
        let lines = lines.clone();
        std::thread::spawn(move || {
            let mut all = String::new();
            for line in std::io::BufReader::new(stream)
                .lines()
                .map_while(Result::ok)
            {
                let _ = lines.send(line.clone());
                all.push_str(&line);
                all.push('\n');
            }
            all
        })
    };
    let stdout = reader(Box::new(child.stdout.take().unwrap()));
    let stderr = reader(Box::new(child.stderr.take().unwrap()));
    drop(lines);
    let waited = Instant::now();
    let found = loop {
        match seen.recv_timeout(Duration::from_millis(100)) {
            Ok(line) if line.contains(sign) => break true,
            Ok(_) | Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break false,
        }
        if waited.elapsed() > SIGN_WITHIN {
            let _ = child.kill();
            panic!("no line with {sign:?} within {SIGN_WITHIN:?}");
        }
    };
    if !found {
        let _ = child.wait();
        let stderr = stderr.join().unwrap();
        return Err(stderr);
    }
    if let Some(then) = then {
        std::thread::sleep(then);
    }
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    for (i, &signal) in signals.iter().enumerate() {
        if i > 0 {
            std::thread::sleep(Duration::from_millis(200));
        }
        // SAFETY: kill(2) only sends a signal; pid is our own child, not yet reaped.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }
    let sent = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if sent.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            panic!("still running 5 s after the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = sent.elapsed();
    Ok((
        status.code(),
        stdout.join().unwrap(),
        stderr.join().unwrap(),
        took,
    ))
}

/// [`interrupted_after`] for a command that must reach its sign, signalled at once.
fn interrupted(
    cwd: &Path,
    args: &[&str],
    sign: &str,
    signals: &[libc::c_int],
) -> (Option<i32>, String, String) {
    let (code, stdout, stderr, _) = interrupted_after(cwd, &[], args, sign, None, signals)
        .unwrap_or_else(|stderr| panic!("ended before {sign:?}: {stderr}"));
    (code, stdout, stderr)
}

#[test]
fn run_interrupted_by_ctrl_c_prints_and_writes_what_it_measured_and_exits_130() {
    let cwd = elsewhere();
    let run = [
        "run",
        "-s",
        "reqwest-tokio",
        "-d",
        "30s",
        "-c",
        "2",
        "--latency",
        "10ms",
        "--json",
        "out.json",
    ];
    // Measuring has begun at the sign; half a second more gives the summary requests to
    // count (at 10 ms and C = 2, about a hundred).
    let (code, stdout, stderr, _) = interrupted_after(
        cwd.path(),
        &[],
        &run,
        "measuring",
        Some(std::time::Duration::from_millis(500)),
        &[libc::SIGINT],
    )
    .unwrap();
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("Ctrl-C (SIGINT): stopping"), "{stderr}");
    assert!(
        stdout.contains("throughput"),
        "the summary is printed: {stdout}"
    );
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(cwd.path().join("out.json")).unwrap())
            .unwrap();
    let trial = &doc["result"]["trials"][0];
    assert_eq!(trial["interrupted"], true, "{trial}");
    let window = trial["wall_time_s"].as_f64().unwrap();
    assert!(
        window > 0.0 && window < 30.0,
        "the measured window, not the planned one: {window}"
    );
    let counts = &trial["counts"];
    assert!(counts["ok"].as_u64().unwrap() > 0, "{counts}");
    assert_eq!(counts["sent"], counts["ok"], "{counts}");
}

#[test]
fn a_second_ctrl_c_quits_at_once_without_writing() {
    let cwd = elsewhere();
    // Every request stalls, so the first Ctrl-C alone would wait for the 30 s timeout.
    let run = [
        "run",
        "-s",
        "ureq-threads",
        "-d",
        "30s",
        "-c",
        "2",
        "--stall",
        "1",
        "--json",
        "out.json",
    ];
    // Half a second after measuring begins, both workers' requests are stalled.
    let (code, _, stderr, _) = interrupted_after(
        cwd.path(),
        &[],
        &run,
        "measuring",
        Some(std::time::Duration::from_millis(500)),
        &[libc::SIGINT, libc::SIGINT],
    )
    .unwrap();
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("again: quitting at once"), "{stderr}");
    assert!(!cwd.path().join("out.json").exists());
}

#[test]
fn reproduce_stopped_by_sigterm_writes_a_partial_report_and_resume_finishes_it() {
    let cwd = elsewhere();
    // Not --quiet: the first run's log line is the sign that the suite is measuring.
    let reproduce = ["reproduce", "--quick", "--only", "F2"];
    let (code, stdout, stderr) = interrupted(cwd.path(), &reproduce, "[1/", &[libc::SIGTERM]);
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("SIGTERM: stopping"), "{stderr}");
    assert!(stdout.contains("INCOMPLETE: interrupted after"), "{stdout}");
    let results = |cwd: &Path| -> Value {
        let text = std::fs::read_to_string(cwd.join("reports/latest/results.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    };
    let partial = results(cwd.path());
    let why = partial["incomplete"].as_str().expect("marked incomplete");
    assert!(why.contains("--resume"), "{why}");
    let page = std::fs::read_to_string(cwd.path().join("reports/latest/index.html")).unwrap();
    assert!(page.contains("Incomplete"), "the page says so");
    let journal = cwd.path().join("reports/latest.journal.jsonl");
    let journaled = std::fs::read_to_string(&journal).unwrap().lines().count() - 1;

    let output = waitbench()
        .args([
            "reproduce",
            "--quick",
            "--only",
            "F2",
            "--quiet",
            "--resume",
        ])
        .current_dir(cwd.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let complete = results(cwd.path());
    assert!(
        complete.get("incomplete").is_none(),
        "{}",
        complete["incomplete"]
    );
    assert!(
        !journal.exists(),
        "the journal goes once the report is complete"
    );
    let runs: usize = complete["scenarios"][0]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["points"].as_array().unwrap().len())
        .sum();
    assert!(
        runs > journaled,
        "resume measured the rest: {runs} runs, {journaled} journaled"
    );
}

/// Interrupts the Python clients' first-use setup in an empty cache, as a new user's
/// Ctrl-C would, and checks what is left: an exit of 130 that names the setup, and no
/// half-built environment for the next run to trip on.
fn python_setup_interrupted(args: &[&str]) {
    let cwd = elsewhere();
    let cache = tempfile::tempdir().unwrap();
    let outcome = interrupted_after(
        cwd.path(),
        &[("XDG_CACHE_HOME", cache.path())],
        args,
        "setting up the Python clients",
        None,
        &[libc::SIGTERM],
    );
    let (code, _, stderr, _) = match outcome {
        Ok(outcome) => outcome,
        Err(stderr) => {
            assert!(
                std::env::var_os("WAITBENCH_REQUIRE_PYTHON").is_none_or(|v| v == "0"),
                "the Python clients are required, yet no setup began: {stderr}"
            );
            eprintln!("skipped: no Python setup on this machine: {stderr}");
            return;
        }
    };
    assert_eq!(code, Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted while setting up the Python clients"),
        "{stderr}"
    );
    let python = cache.path().join("waitbench/python");
    let left: Vec<String> = std::fs::read_dir(&python)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with(".lock"))
        .collect();
    assert!(
        left.is_empty(),
        "left behind in {}: {left:?}",
        python.display()
    );
}

#[test]
fn run_interrupted_while_setting_up_python_exits_130_and_keeps_nothing() {
    python_setup_interrupted(&["run", "-s", "py-requests", "-n", "5"]);
}

#[test]
fn reproduce_interrupted_while_setting_up_python_exits_130_and_keeps_nothing() {
    python_setup_interrupted(&["reproduce", "--quick", "--only", "F2"]);
}

#[test]
fn serve_stopped_by_sigterm_shuts_down_and_exits_0() {
    let cwd = elsewhere();
    let serve = ["serve", "--listen", "127.0.0.1:0"];
    let (code, _, stderr) = interrupted(
        cwd.path(),
        &serve,
        "waitbench mock server on",
        &[libc::SIGTERM],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("SIGTERM: shutting down"), "{stderr}");
}

#[test]
fn help_shows_the_exit_code_table() {
    waitbench()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes"))
        .stdout(predicate::str::contains("3  run failed"))
        .stdout(predicate::str::contains("130  interrupted"));
}

#[test]
fn bash_completions_complete_waitbench_and_its_subcommands() {
    waitbench()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("complete -F _waitbench"))
        .stdout(predicate::str::contains("reproduce"));
}

#[test]
fn man_page_is_roff_with_a_title_and_the_exit_codes() {
    let output = waitbench().arg("man").output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let page = String::from_utf8(output.stdout).unwrap();
    assert!(
        page.starts_with('.'),
        "not roff: {}",
        &page[..page.len().min(200)]
    );
    assert!(
        page.lines().any(|l| l.starts_with(".TH waitbench 1")),
        "no title line"
    );
    assert!(
        page.contains("Exit codes"),
        "the exit codes are in the man page"
    );
}

#[test]
fn a_load_the_fd_limit_cannot_hold_is_refused_before_it_starts_naming_the_limit() {
    use std::os::unix::process::CommandExt;
    let cwd = elsewhere();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_waitbench"));
    command
        .args([
            "run",
            "-s",
            "reqwest-tokio",
            "-c",
            "2000",
            "-d",
            "30s",
            "--json",
            "out.json",
        ])
        .current_dir(cwd.path());
    // SAFETY: setrlimit is async-signal-safe and touches only the child being started.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 512,
                rlim_max: 512,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(3), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("ulimit -n"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one clear line: {stderr}");
    assert!(!cwd.path().join("out.json").exists());
}

#[test]
fn a_failed_run_threshold_exits_1_with_the_table() {
    waitbench()
        .args(["run", "-s", "hyper-tokio", "-n", "50", "-c", "2", "--quiet"])
        .args(["--threshold", "error_rate<0.1%", "--threshold", "p50>10s"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("thresholds (hyper-tokio)"))
        .stdout(predicate::str::is_match(r"ok\s+error_rate\s+< 0.1%").unwrap())
        .stdout(predicate::str::is_match(r"FAILED\s+p50\s+> 10 s").unwrap())
        .stderr(predicate::str::contains("threshold failed: p50 > 10 s"));
}

#[test]
fn a_latency_threshold_of_a_run_where_nothing_succeeded_fails_and_says_so() {
    waitbench()
        .args(["run", "-s", "hyper-tokio", "-n", "20", "-c", "2", "--quiet"])
        .args(["--fail", "1:503", "--max-error-rate", "1"])
        .args(["--threshold", "p99<10s"])
        .assert()
        .code(1)
        .stdout(
            predicate::str::is_match(
                r"FAILED\s+p99\s+< 10 s\s+measured none: no request succeeded",
            )
            .unwrap(),
        )
        .stderr(predicate::str::contains(
            "threshold failed: p99 < 10 s but measured none: no request succeeded",
        ));
}

#[test]
fn check_judges_a_run_document_against_a_baseline_run_and_its_tolerances() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.json");
    waitbench()
        .args(["run", "-s", "hyper-tokio", "-n", "50", "-c", "2", "--quiet"])
        .args(["--json", base.to_str().unwrap()])
        .assert()
        .success();
    // The same run passes against itself.
    waitbench()
        .args([
            "check",
            base.to_str().unwrap(),
            "--baseline",
            base.to_str().unwrap(),
        ])
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"ok\s+p99\s+<=").unwrap());
    // A run whose p99 doubled fails on p99 alone, and exits 1.
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&base).unwrap()).unwrap();
    for trial in doc["result"]["trials"].as_array_mut().unwrap() {
        let p99 = trial["latency"]["p99_us"].as_f64().unwrap();
        trial["latency"]["p99_us"] = (p99 * 2.0).into();
    }
    let slower = dir.path().join("slower.json");
    std::fs::write(&slower, doc.to_string()).unwrap();
    let output = waitbench()
        .args([
            "check",
            slower.to_str().unwrap(),
            "--baseline",
            base.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let table = String::from_utf8_lossy(&output.stdout);
    let failed: Vec<&str> = table.lines().filter(|l| l.contains("FAILED")).collect();
    assert_eq!(failed.len(), 1, "{table}");
    assert!(failed[0].contains("p99"), "{table}");
    // A wider tolerance lets it pass; a threshold alone needs no baseline.
    waitbench()
        .args([
            "check",
            slower.to_str().unwrap(),
            "--baseline",
            base.to_str().unwrap(),
        ])
        .args(["--tolerance", "p99=150%"])
        .assert()
        .success();
    waitbench()
        .args([
            "check",
            slower.to_str().unwrap(),
            "--threshold",
            "error_rate<=0",
        ])
        .assert()
        .success();
    waitbench()
        .args(["check", slower.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("give --threshold"));
}

#[test]
fn a_bad_threshold_exits_2_naming_the_form() {
    waitbench()
        .args(["run", "-s", "hyper-tokio", "--threshold", "p98<1ms"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown metric \"p98\""))
        .stderr(predicate::str::contains("p99<200ms"));
}

/// The venv interpreter waitbench makes for its Python clients (it has `requests`), or
/// `None` (said) where Python cannot run and is not required.
fn python_with_requests() -> Option<PathBuf> {
    use waitbench_strategies::runtimes::python::{PythonEnvironment, python_required};
    match PythonEnvironment::get() {
        Ok(env) => Some(env.python().to_path_buf()),
        Err(reason) if python_required() => panic!("Python is required but cannot run: {reason}"),
        Err(reason) => {
            eprintln!("skipped: {reason}");
            None
        }
    }
}

/// `run --client` with the documented example client, `requests` on C threads.
fn example_client(python: &Path) -> String {
    let example = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/client-protocol/requests_client.py");
    format!("{} {}", python.display(), example.display())
}

#[test]
fn run_client_measures_the_example_client_with_every_output_and_balanced_accounting() {
    let Some(python) = python_with_requests() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (json, hgrm) = (dir.path().join("run.json"), dir.path().join("run.hgrm"));
    waitbench()
        .args(["run", "--client", &example_client(&python)])
        .args([
            "-n",
            "90",
            "-c",
            "6",
            "--latency",
            "3ms",
            "--fail",
            "0.2:503",
        ])
        .args(["--quiet", "--json"])
        .arg(&json)
        .arg("--hgrm")
        .arg(&hgrm)
        .assert()
        .success()
        .stdout(predicate::str::contains("client · batch of 90 at C=6"))
        .stdout(predicate::str::contains("handout_round_trip_us"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let run = &doc["result"]["trials"][0];
    let counts = &run["counts"];
    assert_eq!(counts["sent"], 90, "{counts}");
    let ok = counts["ok"].as_u64().unwrap();
    let http = counts["http_errors"].as_u64().unwrap();
    assert_eq!(counts["errors"], 0, "{counts}");
    assert_eq!(ok + http, 90, "{counts}");
    assert!(
        http > 0 && counts["by_status"]["503"].as_u64() == Some(http),
        "{counts}"
    );
    // The server saw exactly the requests the client reported, never more than C at once.
    assert_eq!(run["server"]["requests"], 90);
    assert!(run["server"]["max_in_flight"].as_u64().unwrap() <= 6);
    assert!(run["latency"]["min_us"].as_f64().unwrap() >= 3_000.0);
    let strategy = &run["strategy"];
    assert_eq!(strategy["name"], "client");
    assert!(
        strategy["settings"]["command"]
            .as_str()
            .unwrap()
            .ends_with("requests_client.py"),
        "{strategy}"
    );
    assert!(
        strategy["settings"]["client"]
            .as_str()
            .unwrap()
            .starts_with("requests "),
        "the ready line's description is reported: {strategy}"
    );
    for key in ["clock_offset_bound_us", "handout_round_trip_us"] {
        assert!(run["extras"][key].as_f64().unwrap() > 0.0, "{key}: {run}");
    }
    assert!(run["client"]["client_cpu_s"].as_f64().unwrap() > 0.0);
    // C worker threads and the main thread, sampled from outside.
    assert!(run["client"]["threads_peak"].as_u64().unwrap() > 6);
    let text = std::fs::read_to_string(&hgrm).unwrap();
    assert!(text.contains("#[Max"), "{text}");
}

/// The most tickets the test client (`tests/client_check/deviant_client.py`, in `mode`)
/// held at once, read and not yet reported, in a run of `load` at C = 2 against 20 ms,
/// and the run's counts: what waitbench had outstanding, seen from the client.
fn tickets_held(python: &Path, mode: &str, load: &[&str]) -> (u64, Value) {
    let client = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/client_check/deviant_client.py");
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("run.json");
    waitbench()
        .args([
            "run",
            "--client",
            &format!("{} {} {mode}", python.display(), client.display()),
        ])
        .args(load)
        .args(["-c", "2", "--latency", "20ms", "--quiet", "--json"])
        .arg(&json)
        .assert()
        .success();
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let run = &doc["result"]["trials"][0];
    let held = run["extras"]["tickets_held_max"].as_f64().unwrap() as u64;
    (held, run.clone())
}

#[test]
fn a_client_that_takes_tickets_ahead_holds_c_plus_n_in_a_batch_and_a_closed_loop_only() {
    let Some(python) = python_with_requests() else {
        return;
    };
    let batch = ["-n", "30"];
    let closed = ["-d", "500ms", "--warmup", "200ms"];
    // 400/s against 20 ms at C = 2: every credit is taken as it comes back.
    let open = ["--rate", "400", "-d", "500ms", "--warmup", "0s"];
    assert_eq!(tickets_held(&python, "ahead", &batch).0, 5, "C + 3");
    let (held, run) = tickets_held(&python, "ahead", &closed);
    assert_eq!(held, 5, "C + 3");
    // What it held at the window's end it sent after it: recorded, left out of it.
    let counts = &run["counts"];
    let reported = counts["sent"].as_u64().unwrap() + counts["warmup_sent"].as_u64().unwrap();
    assert_eq!(
        run["server"]["requests"].as_u64(),
        Some(reported),
        "{counts}"
    );
    assert_eq!(
        tickets_held(&python, "ahead", &open).0,
        2,
        "an open loop's schedule"
    );
    let cancel = ["-n", "30", "--on-error", "cancel"];
    assert_eq!(tickets_held(&python, "ahead", &cancel).0, 2, "cancel");
    assert_eq!(tickets_held(&python, "", &batch).0, 2, "none declared");
}

#[test]
fn run_client_paces_an_open_loop_and_counts_the_warmup_out() {
    let Some(python) = python_with_requests() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("run.json");
    waitbench()
        .args(["run", "--client", &example_client(&python)])
        .args(["--rate", "200", "-d", "1s", "--warmup", "250ms", "-c", "8"])
        .args(["--latency", "2ms", "--quiet", "--json"])
        .arg(&json)
        .assert()
        .success();
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let run = &doc["result"]["trials"][0];
    // 200/s for 1.25 s is 250 tickets; the 50 of the warm-up are left out.
    assert_eq!(run["counts"]["sent"], 200, "{}", run["counts"]);
    assert_eq!(run["server"]["requests"], 250);
    assert!(run["open_loop"].is_object(), "{run}");
}

#[test]
fn ctrl_c_stops_a_client_run_within_a_second_and_keeps_what_it_reported() {
    let Some(python) = python_with_requests() else {
        return;
    };
    let cwd = elsewhere();
    let client = example_client(&python);
    let run = [
        "run",
        "--client",
        &client,
        "-d",
        "30s",
        "-c",
        "4",
        "--latency",
        "5ms",
        "--json",
        "out.json",
    ];
    let (code, stdout, stderr, took) = interrupted_after(
        cwd.path(),
        &[],
        &run,
        "measuring",
        Some(std::time::Duration::from_millis(800)),
        &[libc::SIGINT],
    )
    .unwrap();
    assert_eq!(code, Some(130), "{stderr}");
    assert!(took < std::time::Duration::from_secs(3), "{took:?}");
    assert!(stdout.contains("throughput"), "{stdout}");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(cwd.path().join("out.json")).unwrap())
            .unwrap();
    let trial = &doc["result"]["trials"][0];
    assert_eq!(trial["interrupted"], true, "{trial}");
    let counts = &trial["counts"];
    assert!(counts["ok"].as_u64().unwrap() > 0, "{counts}");
    assert_eq!(counts["sent"], counts["ok"], "{counts}");
}

#[test]
fn a_bad_client_command_exits_2_with_what_to_fix() {
    for (command, says) in [
        ("", "the client command is empty"),
        ("python3 'client.py", "a quote is not closed"),
        ("no-such-waitbench-client --x", "is not found on PATH"),
    ] {
        waitbench()
            .args(["run", "--client", command, "-n", "1"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
    }
}

#[test]
fn a_client_that_breaks_the_protocol_fails_with_the_line_quoted() {
    waitbench()
        .args(["run", "--client", "sh -c 'read job; echo hello'", "-n", "1"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "no message is called \"hello\"; a client writes ready, clock, r, message, extra, \
             done or fail): \"hello\"",
        ));
}

#[test]
fn a_client_that_cannot_pace_itself_says_so_and_the_run_fails() {
    let Some(python) = python_with_requests() else {
        return;
    };
    waitbench()
        .args(["run", "--client", &example_client(&python), "--self-paced"])
        .args(["-n", "5", "-c", "2", "--quiet"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "cannot run: self-paced mode not supported",
        ));
}
