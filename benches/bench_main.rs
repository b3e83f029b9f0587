//! `cargo bench`: criterion benchmarks of waitbench's client strategies against the
//! embedded mock server. One group per file in `benchmarks/`; each says which claim of
//! `docs/claims.md` it serves. See `benches/support/lib.rs` for the timing model.

use criterion::criterion_main;

mod benchmarks;

criterion_main! {
    benchmarks::strategies::group,
    benchmarks::connection_reuse::group,
    benchmarks::overhead::group,
    benchmarks::blocking::group,
    benchmarks::tls_and_h2::group,
}
