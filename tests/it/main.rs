//! The integration tests: one binary, so the shared helpers and the heavy dependencies
//! (arrow, parquet, polars) are built and linked once. Each module runs the real `govtext`
//! binary on real inputs and reads what it wrote with the real DuckDB.

mod common;

mod analytics;
mod bad_inputs;
mod crash;
mod fidelity;
mod incremental;
mod properties;
mod real;
mod samples;
mod schemas;
mod seeds;
mod shards;
