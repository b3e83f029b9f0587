//! The method section: how latency, trials, Little's law and the server's placement
//! shape the figures above it.

use std::fmt::Write;

use waitbench_core::SuiteResults;

use super::escape;

/// The method section.
pub(super) fn write(out: &mut String, suite: &SuiteResults) -> std::fmt::Result {
    let cores = suite.environment.cores;
    writeln!(out, "<section id=\"method\">\n<h2>Method</h2>")?;
    let paragraphs = [
        "<strong>Latency</strong> of a request is measured from just before it is sent to the \
         end of its body. In an open-loop run (a fixed arrival rate) it is measured from the \
         request's <em>intended</em> send time instead, so that a stalled server or client \
         cannot hide the requests queued behind it (coordinated omission); the service time \
         from the actual send is kept separately. Every value is recorded in microseconds in \
         an HdrHistogram per worker, merged at the end; the spectrum charts plot its \
         percentiles on a 1/(1−p) scale."
            .to_string(),
        format!(
            "<strong>Trials and spread.</strong> Every point is measured in {} independent \
             trial{} (a scenario may set its own count; each measurement table says how many \
             its points ran, and every series of a claim runs the same number). Tables and \
             charts show the median across trials with the min–max range (whiskers); \
             statistics are taken across trials, never across correlated requests of one \
             trial. Where one trial stands for the point (tail percentiles, spectra, memory), \
             it is the trial with the median throughput.",
            suite.trials,
            if suite.trials == 1 { "" } else { "s" }
        ),
        "<strong>Little's law.</strong> With C requests in flight, each taking L, a closed \
         system completes X = C / L requests per second; N requests through a pool of P \
         workers take ceil(N / P) · L. Each measured figure is shown beside this prediction, \
         and efficiency = measured ÷ bound: well below 100 % means fewer requests were really \
         in flight than asked for (a pool, a connection limit, CPU)."
            .to_string(),
        server_paragraph(suite, cores),
        "<strong>Defaults and right-sized.</strong> Where a library default shapes the result \
         (pool sizes, idle connections per host, worker threads), the scenario runs twice: with \
         the defaults (the artifact on) and right-sized (the artifact off), both labelled."
            .to_string(),
    ];
    for p in paragraphs {
        writeln!(out, "<p>{p}</p>")?;
    }
    writeln!(out, "</section>")
}

/// Where the server ran and where the threads were pinned: what the server's CPU share
/// means depends on it.
fn server_paragraph(suite: &SuiteResults, cores: usize) -> String {
    let accounting = "Every request ends as exactly one of ok, HTTP error or typed error, and \
                      the counts must balance.";
    let placement = suite.placement.as_ref().map_or(String::new(), |p| {
        let side = |name: &str, cpus: &Option<waitbench_core::CpuSet>| {
            cpus.as_ref()
                .map(|c| {
                    format!(
                        " the {name} was pinned to CPU{} {c};",
                        if c.len() == 1 { "" } else { "s" }
                    )
                })
                .unwrap_or_default()
        };
        format!(
            " CPU placement:{}{} no other thread of either may run elsewhere.",
            side("client", &p.client_cpus),
            side("server", &p.server_cpus)
        )
    });
    match &suite.server_url {
        Some(url) => format!(
            "<strong>Server elsewhere.</strong> The scenarios ran against a standalone \
             <code>waitbench serve</code> at <code>{}</code>: every condition travelled in each \
             request's query string, its counters were reset through its control endpoint \
             before each run, and the server CPU shown beside each point is read from its \
             <code>/stats</code>. Each side measured durations only, so no clocks had to \
             agree.{placement} {accounting}",
            escape(url)
        ),
        None => format!(
            "<strong>One machine.</strong> The client and the mock server share the same {cores} \
             core{}: server CPU is reported beside each point, and offered load is kept well \
             under the server's measured ceiling so that the client, not the server, is \
             measured.{placement} {accounting}",
            if cores == 1 { "" } else { "s" }
        ),
    }
}
