//! `govtext validate DIR`: the dataset against its manifest — every file present, with its
//! size and checksum, row count, table schema and key-value metadata — and no Parquet file
//! the manifest does not list.

use crate::schema;
use crate::sink::Manifest;
use anyhow::{Context, Result};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// Every problem found; empty means valid.
pub fn validate(dir: &Path) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    if !dir.join("_SUCCESS").exists() {
        problems.push("_SUCCESS is missing: the dataset was never committed".to_string());
    }
    let manifest = Manifest::read(dir)?;
    if manifest.schema_version != schema::SCHEMA_VERSION {
        problems.push(format!(
            "schema_version {} (this govtext writes {})",
            manifest.schema_version,
            schema::SCHEMA_VERSION
        ));
    }
    let mut listed = BTreeSet::new();
    for f in &manifest.files {
        listed.insert(f.path.clone());
        let p = dir.join(&f.path);
        let bytes = match fs::read(&p) {
            Ok(b) => b,
            Err(e) => {
                problems.push(format!("{}: cannot read: {e}", f.path));
                continue;
            }
        };
        if bytes.len() as u64 != f.bytes {
            problems.push(format!(
                "{}: {} bytes, manifest says {}",
                f.path,
                bytes.len(),
                f.bytes
            ));
        }
        let sha = crate::sink::writer::hex(&Sha256::digest(&bytes));
        if sha != f.sha256 {
            problems.push(format!(
                "{}: sha256 {sha}, manifest says {}",
                f.path, f.sha256
            ));
            continue;
        }
        let reader = match ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes)) {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("{}: not a readable Parquet file: {e}", f.path));
                continue;
            }
        };
        let md = reader.metadata().file_metadata();
        if md.num_rows() as u64 != f.rows {
            problems.push(format!(
                "{}: {} rows, manifest says {}",
                f.path,
                md.num_rows(),
                f.rows
            ));
        }
        let kv = |k: &str| {
            md.key_value_metadata()
                .and_then(|v| v.iter().find(|x| x.key == k).and_then(|x| x.value.clone()))
        };
        if kv("govtext.table").as_deref() != Some(f.table.as_str()) {
            problems.push(format!(
                "{}: key-value govtext.table is {:?}, expected {}",
                f.path,
                kv("govtext.table"),
                f.table
            ));
        }
        let expected = schema::arrow_schema(&f.table);
        if reader.schema().fields() != expected.fields() {
            problems.push(format!(
                "{}: schema differs from the {} table's",
                f.path, f.table
            ));
        }
    }
    for t in schema::all_tables() {
        let root = dir.join(t);
        if schema::DERIVED.contains(&t) && !root.exists() {
            continue;
        }
        if !root.exists() {
            problems.push(format!("{t}/ is missing"));
            continue;
        }
        for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
            let entry = entry.with_context(|| format!("walking {}", root.display()))?;
            if entry.file_type().is_file() {
                let rel = entry
                    .path()
                    .strip_prefix(dir)
                    .unwrap_or(entry.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                if !listed.contains(&rel) {
                    problems.push(format!("{rel}: not in the manifest"));
                }
            }
        }
    }
    for (t, s) in &manifest.tables {
        let rows: u64 = manifest
            .files
            .iter()
            .filter(|f| &f.table == t)
            .map(|f| f.rows)
            .sum();
        if rows != s.rows {
            problems.push(format!(
                "table {t}: files hold {rows} rows, summary says {}",
                s.rows
            ));
        }
    }
    Ok(problems)
}
