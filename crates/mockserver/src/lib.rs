//! waitbench-mockserver (being written).
