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

/// How far an external client's clock may be from waitbench's, µs: half the shortest
/// round trip of the clock handshake (client protocol).
pub const CLOCK_OFFSET_BOUND_US: &str = "clock_offset_bound_us";
/// The shortest round trip of a line between waitbench and an external client, µs: what a
/// ticket costs to reach the client and its record to come back (client protocol).
pub const HANDOUT_ROUND_TRIP_US: &str = "handout_round_trip_us";

/// The connections an external client opened (a client's own count; the server's
/// `/stats` is the authority).
pub const CONNECTIONS_OPENED: &str = "connections_opened";
/// The connections it failed to open.
pub const CONNECTIONS_FAILED: &str = "connections_failed";
/// Its shortest connect (and handshake) time, µs.
pub const CONNECT_MIN_US: &str = "connect_min_us";
/// Its mean connect (and handshake) time, µs.
pub const CONNECT_MEAN_US: &str = "connect_mean_us";
/// Its longest connect (and handshake) time, µs.
pub const CONNECT_MAX_US: &str = "connect_max_us";
/// The HTTP version its responses came in (1 for HTTP/1.1, 2 for HTTP/2).
pub const HTTP_VERSION: &str = "http_version";
/// Its full TLS handshakes.
pub const TLS_FULL_HANDSHAKES: &str = "tls_full_handshakes";
/// Its resumed TLS handshakes.
pub const TLS_RESUMED_HANDSHAKES: &str = "tls_resumed_handshakes";
/// Its failed TLS handshakes.
pub const TLS_FAILED_HANDSHAKES: &str = "tls_failed_handshakes";
/// Whether it offered session resumption (1 or 0).
pub const TLS_RESUMPTION: &str = "tls_resumption";
/// Whether it verified the server's certificate (1 or 0).
pub const TLS_VERIFIED: &str = "tls_verified";
/// The TLS version it negotiated, by number.
pub const TLS_VERSION: &str = "tls_version";
/// The cipher suite it negotiated, by number.
pub const TLS_CIPHER_SUITE: &str = "tls_cipher_suite";
/// The server's key type, by number.
pub const TLS_KEY_TYPE: &str = "tls_key_type";

/// Every name above.
pub const ALL: [&str; 23] = [
    TICKER_LATENESS_P50_US,
    TICKER_LATENESS_P99_US,
    TICKER_LATENESS_MAX_US,
    TICKER_TICKS,
    POOL_PROCESSES,
    RAISED_AFTER_FIRST_FAILURE,
    ISSUED_AFTER_FIRST_FAILURE,
    CLOCK_OFFSET_BOUND_US,
    HANDOUT_ROUND_TRIP_US,
    CONNECTIONS_OPENED,
    CONNECTIONS_FAILED,
    CONNECT_MIN_US,
    CONNECT_MEAN_US,
    CONNECT_MAX_US,
    HTTP_VERSION,
    TLS_FULL_HANDSHAKES,
    TLS_RESUMED_HANDSHAKES,
    TLS_FAILED_HANDSHAKES,
    TLS_RESUMPTION,
    TLS_VERIFIED,
    TLS_VERSION,
    TLS_CIPHER_SUITE,
    TLS_KEY_TYPE,
];

/// The names the external-client driver writes from its own measurements (the clock
/// handshake), never a client.
pub const FROM_DRIVER: [&str; 2] = [CLOCK_OFFSET_BOUND_US, HANDOUT_ROUND_TRIP_US];
