//! govtext-dataset: the tables as Arrow and hive-partitioned Parquet. The schemas (the
//! output contract), batches built from `govtext-core`'s row structs, the partitioned
//! writer, the manifest, the incremental carry, staging and the atomic publish; the calls
//! that differ between operating systems in `platform`; object storage in `store` (the
//! `object-store` feature).

pub mod platform;
pub mod schema;
pub mod sink;
#[cfg(feature = "object-store")]
pub mod store;

/// The URL schemes read as object storage (`store`, with the `object-store` feature).
pub const STORE_SCHEMES: [&str; 7] = ["s3", "s3a", "gs", "az", "abfs", "abfss", "memory"];

/// Is `s` an object-store URL (`s3://bucket/prefix`…) rather than a local path?
pub fn is_store_url(s: &str) -> bool {
    s.split_once("://")
        .is_some_and(|(scheme, _)| STORE_SCHEMES.contains(&scheme))
}
