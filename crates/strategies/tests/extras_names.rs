//! The Python harness writes the figures it reports beside a measurement (`extras`) under
//! the names Rust reads them by, declared once in `waitbench_core::extras`. The two sides
//! are in two languages, so no compiler holds them together: this test reads the Python
//! sources and fails on a name written there that Rust does not declare (it would read as
//! "not measured"), and on a declared name the harness should write but does not.

use std::path::Path;

use waitbench_core::extras;

/// Every `name` in `extras["name"]` in the harness's Python sources, with its file.
fn python_extras_names() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/runtimes/python/client");
    let mut names = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "py"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no Python sources in {}", dir.display());
    for path in files {
        let text = std::fs::read_to_string(&path).expect("a Python source reads");
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        for (_, rest) in text
            .match_indices("extras[\"")
            .map(|(i, m)| (i, &text[i + m.len()..]))
        {
            let name = rest.split('"').next().expect("a closing quote");
            names.push((file.clone(), name.to_string()));
        }
    }
    names
}

#[test]
fn every_name_the_python_harness_reports_is_one_rust_declares() {
    let names = python_extras_names();
    for (file, name) in &names {
        assert!(
            extras::ALL.contains(&name.as_str()),
            "{file} reports extras[{name:?}], which waitbench_core::extras does not declare \
             (declared: {:?})",
            extras::ALL
        );
    }
}

#[test]
fn the_python_harness_reports_every_declared_name() {
    // Each declared name is one a Python series gives: the ticker's (claim F2, also
    // written by the Rust ticker), the process pool's size (F1), what gather let out
    // before it raised (G), and the count the child's reader moves into the counts (G).
    let names: Vec<String> = python_extras_names().into_iter().map(|(_, n)| n).collect();
    for name in extras::ALL {
        if extras::FROM_DRIVER.contains(&name) {
            continue;
        }
        assert!(
            names.iter().any(|n| n == name),
            "no Python source reports extras[{name:?}]"
        );
    }
}
