//! `waitbench client-check` through the real binary, one process per check: its
//! interrupt probe interrupts the process it runs in. A built-in strategy and the example
//! protocol client pass every row; each deliberately broken client in
//! `tests/client_check/` fails exactly the rows of the property it breaks.

use assert_cmd::Command;

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
