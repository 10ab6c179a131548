//! Rows → Arrow → partitioned Parquet, the manifest, and the atomic publish.
pub mod batch;
pub mod carry;
pub mod commit;
pub mod writer;

pub use carry::{Previous, Reused};
pub use commit::{InputEntry, Inputs, InputsLog, Manifest, Staging};
pub use writer::{DatasetWriter, FileEntry, WriterLimits};
