//! Rows → Arrow → partitioned Parquet, the manifest, and the atomic publish.
pub mod batch;
pub mod carry;
pub mod commit;
pub mod shards;
pub mod writer;

pub use crate::is_store_url;
pub use carry::{Previous, Reused};
pub use commit::{InputEntry, Inputs, InputsLog, Manifest, Staging};
pub use shards::{Shard, ShardInfo, ShardStaging};
pub use writer::{DatasetWriter, FileEntry, WriterLimits};

/// The program writing a dataset, as its manifest records it: rows are only reused from a
/// dataset the same build wrote.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    pub version: &'static str,
    /// A fingerprint of everything that decides the rows (code, dictionaries, locked
    /// dependency versions).
    pub build: &'static str,
}

/// The options of a run that change its rows, as its manifest records them: rows are only
/// reused from a dataset written with the same.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RowOptions {
    /// `documents.text_original` written (`--keep-original`).
    #[serde(default)]
    pub keep_original: bool,
}
