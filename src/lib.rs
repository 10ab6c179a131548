//! govtext: Chinese government documents → hive-partitioned Parquet tables.
//!
//! The stages, in the order `pipeline` runs them: `source` → `decode` (+ `html`) → `repair`
//! → `clean` → `convert` → `meta` → `segment` → `extract` → rows (`model`) → `sink`.

// the stages live in govtext-core; re-exported so `govtext::meta`, `crate::model`… stay
pub use govtext_core::{
    clean, convert, decode, extract, html, meta, model, process, repair, segment, zh,
};
// the tables as Arrow and Parquet live in govtext-dataset
pub use govtext_dataset::platform::{process_cpu, thread_cpu};
pub use govtext_dataset::{schema, sink};
#[cfg(feature = "analytics")]
pub mod panel;
pub mod pipeline;
pub mod source;
pub mod stats;
pub mod validate;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// One run of the main job, as the command line resolved it.
#[derive(Debug, Clone)]
pub struct Config {
    pub inputs: Vec<PathBuf>,
    pub output: PathBuf,
    pub jobs: usize,
    /// Inputs larger than this are rejected as too_large.
    pub max_bytes: u64,
    /// Process every input, even those a previous run of the same build already holds.
    pub full_refresh: bool,
    /// Write `documents.text_original` (the cleaned text before conversion).
    pub keep_original: bool,
    /// Process only this shard of the inputs, into the output's shard area (`govtext
    /// commit` publishes the shards as one dataset).
    pub shard: Option<sink::Shard>,
}

impl Config {
    /// The options that change the rows, as the manifest records them.
    pub fn row_options(&self) -> sink::RowOptions {
        sink::RowOptions {
            keep_original: self.keep_original,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct RunReport {
    pub documents: u64,
    pub rejects: u64,
    pub rejects_by_reason: BTreeMap<String, u64>,
    pub input_bytes: u64,
    pub tables: BTreeMap<String, u64>,
    pub stage_times: pipeline::StageTimes,
    pub elapsed: Duration,
    /// CPU time the process used during the run (user + sys, every thread).
    pub cpu: Duration,
    /// The run produced exactly the dataset already committed: nothing was replaced.
    pub unchanged: bool,
    /// Documents carried over from the previous dataset without processing.
    pub reused: u64,
    /// Why the previous dataset was not built on (none there, another build,
    /// `--full-refresh`); `None` when it was.
    pub full_because: Option<String>,
}

impl RunReport {
    pub fn count_reject(&mut self, reason: model::Reason) {
        self.rejects += 1;
        *self
            .rejects_by_reason
            .entry(reason.as_str().to_string())
            .or_default() += 1;
    }
}

pub use pipeline::{run, run_observed, Observer};

/// This program, as the manifests it writes record it.
pub const TOOL: sink::Tool = sink::Tool {
    version: env!("CARGO_PKG_VERSION"),
    build: env!("GOVTEXT_BUILD"),
};
