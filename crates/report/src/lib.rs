//! waitbench-report (being written).
