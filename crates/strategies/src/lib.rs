//! waitbench-strategies (being written).
