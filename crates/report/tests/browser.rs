//! The reference report in a real browser: headless Chromium loads the page rendered from
//! `reports/reference/results.json` at a laptop's width (1,280 px) and a phone's (390 px)
//! and measures it from inside the page. A copy of the page with a small script appended
//! writes its measurements into the document, and `--dump-dom` hands the document back;
//! no crate and no debugging protocol are needed.
//!
//! It checks what a reader would see: nothing scrolls sideways, every chart loads, every
//! in-page link has a target, and at 1,280 px every points table fits its column, so the
//! figures that explain a result are in view without scrolling.
//!
//! Chromium is Debian's `chromium` package (`apt-get install -y chromium`); another
//! binary may be named by `WAITBENCH_CHROMIUM`. Without one the test says why it skips.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The binaries tried, in order, when `WAITBENCH_CHROMIUM` is not set.
const CANDIDATES: &[&str] = &["chromium", "chromium-browser", "google-chrome"];

/// How long one page load may take before the browser is stopped.
const LOAD_TIMEOUT: Duration = Duration::from_secs(120);

/// Appended to the page: once the page has loaded (every image with it: the probing
/// copy loads its charts eagerly, since a headless window never scrolls lazy ones into
/// view), measures it and writes the measurements as JSON into `<pre id="probe">`.
const PROBE: &str = r##"<script>
window.addEventListener("load", () => {
  const doc = document.documentElement;
  const images = [...document.images];
  const wider = (el) => el.scrollWidth > el.clientWidth + 1;
  const out = {
    viewport: doc.clientWidth,
    scroll_width: doc.scrollWidth,
    images: images.map((img) => [img.getAttribute("src"), img.naturalWidth]),
    links: [...document.querySelectorAll('a[href^="#"]')].map((a) => {
      const id = decodeURIComponent(a.getAttribute("href").slice(1));
      return [a.getAttribute("href"), document.getElementById(id) !== null];
    }),
    wide_tables: [...document.querySelectorAll("table")]
      .filter((t) => wider(t.parentElement) || t.getBoundingClientRect().right > doc.clientWidth)
      .map((t) => [t.className, t.closest("section")?.id ?? "", t.scrollWidth, t.parentElement.clientWidth]),
    headline: document.getElementById("headline")?.innerText ?? "",
  };
  // Inside the frame that sets the width, the result goes to the frame's parent, the
  // document the browser dumps.
  const host = window.parent.document;
  const pre = host.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  host.body.appendChild(pre);
});
</script>"##;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The browser binary, or why there is none.
fn chromium() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("WAITBENCH_CHROMIUM") {
        return Ok(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    CANDIDATES
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| {
            format!(
                "none of {} is on PATH and WAITBENCH_CHROMIUM is not set; install Debian's \
                 chromium (`apt-get install -y chromium`) to run it",
                CANDIDATES.join(", ")
            )
        })
}

/// Loads `page` at `width` px and returns the probe's measurements. The page is loaded
/// in a frame `width` px wide, since a headless window is never narrower than 500 px.
fn measure(browser: &Path, page: &Path, width: u32) -> Value {
    let profile = tempfile::tempdir().expect("a browser profile dir");
    let host = page.with_file_name(format!("at-{width}px.html"));
    let name = page
        .file_name()
        .expect("a page file name")
        .to_string_lossy();
    std::fs::write(
        &host,
        format!(
            "<!DOCTYPE html><html><body style=\"margin:0\"><iframe src=\"{name}\" \
             width=\"{width}\" height=\"900\" style=\"border:0;display:block\"></iframe>\
             </body></html>"
        ),
    )
    .expect("writing the frame page");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--allow-file-access-from-files",
            // Virtual time lets the page load and the probe run before the DOM is dumped.
            "--virtual-time-budget=10000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--window-size=1400,1000")
        .arg(format!("file://{}", host.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", browser.display()));
    // The dumped page is larger than a pipe holds: read it while the browser runs.
    let mut stdout = child.stdout.take().expect("the browser's stdout");
    let reader = std::thread::spawn(move || {
        let mut dom = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut dom).map(|_| dom)
    });
    let started = Instant::now();
    while child.try_wait().expect("waiting for the browser").is_none() {
        if started.elapsed() > LOAD_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the browser did not finish loading {} in {LOAD_TIMEOUT:?}",
                page.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let dom = reader
        .join()
        .expect("the reader thread")
        .expect("the browser's output");
    let json = dom
        .split("<pre id=\"probe\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .unwrap_or_else(|| panic!("no probe in the page dumped at {width} px:\n{dom}"));
    let json = json
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("probe JSON {json}: {e}"))
}

/// The reference report rendered into a temp dir, with the probing copy of its page.
fn rendered_reference() -> (tempfile::TempDir, PathBuf) {
    let results = workspace_root().join("reports/reference/results.json");
    let suite = waitbench_report::read_results(&results).expect("the reference results");
    let dir = tempfile::tempdir().expect("temp dir");
    let report = waitbench_report::render(&suite, dir.path()).expect("the report renders");
    let page = std::fs::read_to_string(&report.index_html).expect("index.html");
    assert!(page.contains("</body>"), "the page has a body to probe");
    let probe = dir.path().join("probe.html");
    let lazy = " loading=\"lazy\"";
    assert!(page.contains(lazy), "the page loads its charts lazily");
    let eager = page
        .replace(lazy, "")
        .replace("</body>", &format!("{PROBE}\n</body>"));
    std::fs::write(&probe, eager).expect("writing the probe page");
    (dir, probe)
}

#[test]
fn the_reference_report_reads_in_a_browser_at_laptop_and_phone_widths() {
    let browser = match chromium() {
        Ok(path) => path,
        Err(why) => {
            eprintln!("SKIPPED the browser check: {why}");
            return;
        }
    };
    let (_dir, page) = rendered_reference();
    for width in [1280, 390] {
        let m = measure(&browser, &page, width);
        let viewport = m["viewport"].as_u64().expect("viewport");
        assert!(
            viewport == u64::from(width),
            "the page was laid out {viewport} px wide in a {width} px window"
        );
        let scroll = m["scroll_width"].as_u64().expect("scroll width");
        assert!(
            scroll <= viewport,
            "at {width} px the page scrolls sideways: {scroll} px of content in {viewport}"
        );

        let images = m["images"].as_array().expect("images");
        assert!(
            images.len() >= 10,
            "the reference report has its charts: {images:?}"
        );
        for image in images {
            assert!(
                image[1].as_u64() > Some(0),
                "at {width} px the chart {} did not load",
                image[0]
            );
        }

        let links = m["links"].as_array().expect("links");
        assert!(
            links.len() >= 10,
            "the page links to its sections: {links:?}"
        );
        for link in links {
            assert_eq!(link[1], true, "the in-page link {} has no target", link[0]);
        }

        assert!(
            m["headline"]
                .as_str()
                .is_some_and(|h| h.contains("Rust clients:") && h.contains("Python clients:")),
            "the page opens with a sentence per stack: {}",
            m["headline"]
        );

        // On a phone a wide points table may scroll inside its own box; at 1,280 px
        // every table fits, so its explaining columns are in view.
        let wide = m["wide_tables"].as_array().expect("wide tables");
        let wide: Vec<&Value> = match width {
            1280 => wide.iter().collect(),
            _ => wide.iter().filter(|t| t[0] == "claims").collect(),
        };
        assert!(
            wide.is_empty(),
            "at {width} px these tables scroll sideways: {wide:?}"
        );
    }
}
