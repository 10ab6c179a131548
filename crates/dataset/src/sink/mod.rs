//! Rows → Arrow → partitioned Parquet, the manifest, and the atomic publish.
pub mod batch;
pub mod carry;
pub mod commit;
pub mod writer;

pub use carry::{Previous, Reused};
pub use commit::{InputEntry, Inputs, InputsLog, Manifest, Staging};
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
