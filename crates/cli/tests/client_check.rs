//! `waitbench client-check` through the real binary, one process per check: its
//! interrupt probe interrupts the process it runs in. A built-in strategy and the example
//! protocol client pass every row, and so does every reference client of Go, Java and
//! Node.js; each deliberately broken client in
//! `tests/client_check/` fails exactly the rows of the property it breaks.
//!
//! The checks run one at a time: two at once on a small machine delay each other's open
//! loop past the send-lag bound, which would be the machine's doing, not the client's.

use std::path::Path;
use std::sync::Mutex;

use assert_cmd::Command;
use waitbench_strategies::StrategyKind;
use waitbench_strategies::runtimes::python::{
    PythonEnvironment, REQUIRE_PYTHON_ENV, python_required,
};
use waitbench_strategies::runtimes::runtime_of;

/// Held by each test while its check runs.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn waitbench() -> Command {
    Command::cargo_bin("waitbench").expect("the waitbench binary is built")
}

/// The rows of a finished check: (passed, the row's line).
fn rows(stdout: &[u8]) -> Vec<(bool, String)> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|line| match line.split_at_checked(6) {
            Some(("pass  ", rest)) => Some((true, rest.to_string())),
            Some(("FAIL  ", rest)) => Some((false, rest.to_string())),
            _ => None,
        })
        .collect()
}

/// The statements of the rows that failed.
fn failed(stdout: &[u8]) -> Vec<String> {
    rows(stdout)
        .into_iter()
        .filter(|(passed, _)| !passed)
        .map(|(_, line)| line)
        .collect()
}

#[test]
fn a_built_in_strategy_passes_every_row_and_exits_0() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let out = waitbench()
        .args(["client-check", "-s", "ureq-threads"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(rows(&out.stdout).len(), 9, "{stdout}");
    assert!(failed(&out.stdout).is_empty(), "{stdout}");
    assert!(stdout.contains("all 9 properties hold"), "{stdout}");
    assert!(stdout.contains("batch 40 reported, server 40"), "{stdout}");
}

/// Whether `kind`'s runtime can run here: it is set up now (so the check does not time
/// a first build); without its toolchain the test says why and passes, unless CI requires
/// the runtime.
fn runs_here(kind: StrategyKind) -> bool {
    let runtime = runtime_of(kind).expect("a runtime's strategy");
    match runtime.prepare() {
        Ok(()) => true,
        Err(reason) if runtime.required() => panic!(
            "{kind} must run ({} is set) but cannot: {reason}",
            runtime.require_env()
        ),
        Err(reason) => {
            eprintln!("skipped {kind}: {reason}");
            false
        }
    }
}

/// The rows that judge timing on the machine as well as the client (the open loop's send
/// lag, the stop's second): on a machine busy with other processes a check whose only
/// failures are these is run once more, as `waitbench check` re-measures a contended
/// failure; a client that is late by design fails both times.
const TIMING_ROWS: [&str; 2] = ["open loop: send lag", "stop ends it"];

#[test]
fn every_reference_client_of_go_java_and_node_passes_every_row() {
    for kind in StrategyKind::GO
        .into_iter()
        .chain(StrategyKind::JAVA)
        .chain(StrategyKind::NODE)
    {
        if !runs_here(kind) {
            continue;
        }
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let check = || {
            waitbench()
                .args(["client-check", "-s", kind.name()])
                .output()
                .unwrap()
        };
        let mut out = check();
        let only_timing = |stdout: &[u8]| {
            let failed = failed(stdout);
            !failed.is_empty()
                && failed
                    .iter()
                    .all(|row| TIMING_ROWS.iter().any(|t| row.starts_with(t)))
        };
        if only_timing(&out.stdout) {
            eprintln!(
                "{kind}: only timing rows failed, checking once more: {:?}",
                failed(&out.stdout)
            );
            out = check();
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{kind}: {stdout}");
        assert_eq!(rows(&out.stdout).len(), 9, "{kind}: {stdout}");
        assert!(failed(&out.stdout).is_empty(), "{kind}: {stdout}");
    }
}

/// The interpreter of waitbench's own Python environment (made on first use), which has
/// `requests`; `None` (the test says so and passes) when the machine has no usable Python
/// and `WAITBENCH_REQUIRE_PYTHON` is not set.
fn python() -> Option<String> {
    match PythonEnvironment::get() {
        Ok(environment) => Some(environment.python().display().to_string()),
        Err(reason) if python_required() => {
            panic!("Python must run ({REQUIRE_PYTHON_ENV} is set) but cannot: {reason}")
        }
        Err(reason) => {
            eprintln!("skipped: {reason}");
            None
        }
    }
}

fn repository_file(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
        .display()
        .to_string()
}

/// Checks `script` (run by waitbench's Python with `args`): its exit code and stdout.
fn check_script(script: &str, args: &[&str]) -> Option<(Option<i32>, Vec<u8>)> {
    let python = python()?;
    let script = repository_file(script);
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let out = waitbench()
        .args(["client-check", "--", &python, &script])
        .args(args)
        .output()
        .unwrap();
    Some((out.status.code(), out.stdout))
}

const DEVIANT: &str = "crates/cli/tests/client_check/deviant_client.py";

#[test]
fn the_documented_example_client_passes_every_row() {
    let Some((code, stdout)) = check_script("examples/client-protocol/requests_client.py", &[])
    else {
        return;
    };
    let text = String::from_utf8_lossy(&stdout);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(rows(&stdout).len(), 9, "{text}");
    assert!(failed(&stdout).is_empty(), "{text}");
}

/// The deviant client broken as `how` fails exactly the rows starting with `expected`.
fn fails_exactly(how: &str, expected: &[&str]) {
    let args: Vec<&str> = (!how.is_empty()).then_some(how).into_iter().collect();
    let Some((code, stdout)) = check_script(DEVIANT, &args) else {
        return;
    };
    let text = String::from_utf8_lossy(&stdout);
    let failed = failed(&stdout);
    assert_eq!(failed.len(), expected.len(), "{how}: {text}");
    for (row, statement) in failed.iter().zip(expected) {
        assert!(
            row.starts_with(statement),
            "{how}: {row:?} is not {statement:?}\n{text}"
        );
    }
    let want = if expected.is_empty() { 0 } else { 1 };
    assert_eq!(code, Some(want), "{how}: {text}");
}

#[test]
fn the_deviant_client_unbroken_passes_every_row() {
    fails_exactly("", &[]);
}

#[test]
fn a_client_that_hedges_every_request_fails_the_count_and_the_in_flight_bound() {
    fails_exactly(
        "hedges",
        &[
            "records = requests the server saw",
            "server never sees more than C",
        ],
    );
}

#[test]
fn a_client_that_queues_the_tickets_it_takes_ahead_passes_every_row() {
    fails_exactly("ahead", &[]);
}

#[test]
fn a_client_that_sends_the_tickets_it_takes_ahead_at_once_fails_the_in_flight_bound_alone() {
    fails_exactly("greedy", &["server never sees more than C"]);
}

#[test]
fn a_client_that_calls_a_timeout_a_reset_fails_the_timeout_row_alone() {
    fails_exactly("wrong-class", &["delay past the timeout -> timeout"]);
}

#[test]
fn a_client_that_ignores_stop_fails_the_interrupt_row_alone() {
    fails_exactly("ignores-stop", &["stop ends it within 1 s"]);
}

#[test]
fn a_client_that_drops_a_record_fails_the_count_row_alone() {
    fails_exactly("drops-first", &["records = requests the server saw"]);
}

#[test]
fn a_client_whose_times_run_behind_its_clock_fails_the_times_row_alone() {
    fails_exactly("stale-clock", &["sent <= ended, inside the run"]);
}

#[test]
fn a_program_that_cannot_start_is_named_with_the_fix_and_exits_3() {
    let out = waitbench()
        .args([
            "client-check",
            "--",
            "/nonexistent/waitbench-client",
            "--flag",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("/nonexistent/waitbench-client"), "{stderr}");
    assert!(stderr.contains("not found"), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "no table for a client that never ran"
    );
}

#[test]
fn every_built_in_python_pattern_passes_but_the_blocking_call_in_async_def_which_sends_late() {
    if python().is_none() {
        return;
    }
    for kind in StrategyKind::PYTHON {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let out = waitbench()
            .args(["client-check", "-s", kind.name()])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        // Its blocking call holds the event loop for a whole request, so tickets wait
        // for the loop: the open loop's send lag is the mistake claim F2 measures.
        let expected: &[&str] = match kind {
            StrategyKind::PyAsyncBlocking => &["open loop: send lag p50"],
            _ => &[],
        };
        let failed = failed(&out.stdout);
        assert_eq!(failed.len(), expected.len(), "{kind}: {text}");
        for (row, statement) in failed.iter().zip(expected) {
            assert!(row.starts_with(statement), "{kind}: {row}");
        }
    }
}
