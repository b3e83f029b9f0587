//! The floor under every open loop's send lag on this machine: how late the harness's
//! own two ways of waiting wake up when nothing else happens, no request, no server.
//!
//! An open-loop worker waits for each intended send time either by sleeping its thread
//! (`pacing::sleep_until`, timer slack cut to 1 ns) or on the precise timer in a tokio
//! runtime (`PreciseTimer`, a timerfd in the runtime's epoll). Both are a kernel timer
//! and a wake-up; neither can be more precise than the machine's scheduler lets a woken
//! thread run. This waits `--rate` times a second for `--seconds` with each, records how
//! late each wake-up came in an HDR histogram, and prints p50, p90, p99, p99.9 and max,
//! so a send-lag p99 can be read against what the machine itself allows.
//!
//! ```sh
//! cargo run --release -p waitbench-core --features tokio --example timer_floor -- 1000 10
//! ```

use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use waitbench_core::pacing::{SlackRestore, sleep_until};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (rate, seconds) = match (args.first(), args.get(1)) {
        (None, None) => (1000.0, 10.0),
        (Some(r), Some(s)) => match (r.parse::<f64>(), s.parse::<f64>()) {
            (Ok(r), Ok(s)) if r > 0.0 && s > 0.0 => (r, s),
            _ => usage(),
        },
        _ => usage(),
    };
    let interval = Duration::from_secs_f64(1.0 / rate);
    let count = (rate * seconds) as u64;
    println!(
        "timer floor: {count} waits {} apart, load {}",
        fmt_us(interval.as_secs_f64() * 1e6),
        load()
    );
    println!("| wait | p50 | p90 | p99 | p99.9 | max |");
    println!("|---|---|---|---|---|---|");

    let blocking = {
        let _restore = SlackRestore::new();
        measure(count, interval, sleep_until)
    };
    row("thread sleep, 1 ns slack", &blocking);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail("cannot build a tokio runtime", e));
    let timer = runtime
        .block_on(async { waitbench_core::pacing::send_timer() })
        .unwrap_or_else(|e| fail("cannot make the timerfd", e));
    let precise = runtime.block_on(measure_async(count, interval, async |at| {
        timer.sleep_until(at).await
    }));
    row("precise timer on tokio", &precise);

    let plain = runtime.block_on(measure_async(count, interval, async |at| {
        tokio::time::sleep_until(at.into()).await
    }));
    row("tokio::time::sleep (1 ms wheel)", &plain);
    println!("load after: {}", load());
}

fn usage() -> ! {
    eprintln!("usage: timer_floor [RATE_PER_S SECONDS], e.g. timer_floor 1000 10");
    std::process::exit(2)
}

fn fail(what: &str, error: std::io::Error) -> ! {
    eprintln!("timer_floor: {what}: {error}");
    std::process::exit(1)
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid bounds")
}

fn record(late: &mut Histogram<u64>, at: Instant) {
    let us = Instant::now().saturating_duration_since(at).as_micros();
    late.saturating_record(u64::try_from(us).unwrap_or(u64::MAX).max(1));
}

/// How late `wait` returns for `count` deadlines `interval` apart.
fn measure(count: u64, interval: Duration, wait: impl Fn(Instant)) -> Histogram<u64> {
    deadlines(count, interval).fold(histogram(), |mut late, at| {
        wait(at);
        record(&mut late, at);
        late
    })
}

/// [`measure`] for a wait that is awaited.
async fn measure_async(
    count: u64,
    interval: Duration,
    wait: impl AsyncFn(Instant),
) -> Histogram<u64> {
    let mut late = histogram();
    for at in deadlines(count, interval) {
        wait(at).await;
        record(&mut late, at);
    }
    late
}

/// `count` deadlines `interval` apart, from one interval from now.
fn deadlines(count: u64, interval: Duration) -> impl Iterator<Item = Instant> {
    let start = Instant::now() + interval;
    (0..count).map(move |i| start + interval.mul_f64(i as f64))
}

fn row(name: &str, h: &Histogram<u64>) {
    let q = |q: f64| fmt_us(h.value_at_quantile(q) as f64);
    println!(
        "| {name} | {} | {} | {} | {} | {} |",
        q(0.5),
        q(0.9),
        q(0.99),
        q(0.999),
        fmt_us(h.max() as f64)
    );
}

fn fmt_us(us: f64) -> String {
    if us >= 1000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{us:.0} µs")
    }
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unavailable".into())
}
