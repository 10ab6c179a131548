//! Rows → Arrow → partitioned Parquet, the manifest, and the atomic publish.
pub mod batch;
pub mod commit;
pub mod writer;

pub use commit::{InputEntry, Manifest, Staging};
pub use writer::{DatasetWriter, FileEntry, WriterLimits};
