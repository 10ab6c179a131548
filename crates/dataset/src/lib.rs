//! govtext-dataset: the tables as Arrow and hive-partitioned Parquet. The schemas (the
//! output contract), batches built from `govtext-core`'s row structs, the partitioned
//! writer, the manifest, the incremental carry, staging and the atomic publish; the calls
//! that differ between operating systems in `platform`.

pub mod platform;
pub mod schema;
pub mod sink;
