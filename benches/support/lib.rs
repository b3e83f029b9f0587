//! Shared setup for the criterion benches (being written).
