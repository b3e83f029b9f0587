//! The names of the figures a strategy reports beside its measurement
//! ([`RunResult::extras`](crate::RunResult::extras)), declared once. They cross crates
//! and languages: the Rust ticker and the Python harness write them, the claims and the
//! report read them. A test in `waitbench-strategies` holds the harness's Python
//! sources to this list, so a name spelt differently on one side fails there rather
//! than reading as "not measured".

/// The 1 ms ticker's median lateness, µs.
pub const TICKER_LATENESS_P50_US: &str = "ticker_lateness_p50_us";
/// The 1 ms ticker's p99 lateness, µs: how long the event loop froze, at p99.
pub const TICKER_LATENESS_P99_US: &str = "ticker_lateness_p99_us";
/// The 1 ms ticker's largest lateness, µs.
pub const TICKER_LATENESS_MAX_US: &str = "ticker_lateness_max_us";
/// How many times the 1 ms ticker woke in the run.
pub const TICKER_TICKS: &str = "ticker_ticks";
/// The processes a process pool started (Python's `ProcessPoolExecutor`, measured).
pub const POOL_PROCESSES: &str = "pool_processes";
/// Requests issued between the first failure and the moment `gather` raised it.
pub const RAISED_AFTER_FIRST_FAILURE: &str = "raised_after_first_failure";
/// Requests issued after the first failure, as a child process reports it; moved into
/// [`Counts::issued_after_first_failure`](crate::Counts::issued_after_first_failure).
pub const ISSUED_AFTER_FIRST_FAILURE: &str = "issued_after_first_failure";

/// Every name above.
pub const ALL: [&str; 7] = [
    TICKER_LATENESS_P50_US,
    TICKER_LATENESS_P99_US,
    TICKER_LATENESS_MAX_US,
    TICKER_TICKS,
    POOL_PROCESSES,
    RAISED_AFTER_FIRST_FAILURE,
    ISSUED_AFTER_FIRST_FAILURE,
];
