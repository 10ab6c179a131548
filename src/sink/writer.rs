//! The partitioned Parquet writer.
//!
//! Rows are buffered per partition (`year=…/province_code=…`). A partition's buffer is
//! written out as one complete file per table (`part-00000.parquet`, `part-00001…`) when it
//! reaches `flush_bytes`, and the largest buffer is written out whenever all buffers together
//! pass `max_buffered_bytes`. No Parquet writer stays open between flushes, so many
//! partitions never mean many open buffers, and memory is bounded by the two limits, not by
//! the corpus. Flush decisions depend only on the rows and their order, so the same inputs
//! give the same files. Within a file, rows are sorted by (doc_id, seq).

use super::batch;
use crate::model::*;
use crate::schema::{self, SCHEMA_VERSION};
use anyhow::{Context, Result};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One Parquet file of the dataset, as the manifest lists it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileEntry {
    pub table: String,
    /// Relative to the dataset root, with `/` separators.
    pub path: String,
    pub rows: u64,
    pub bytes: u64,
    pub sha256: String,
}

pub struct WriterLimits {
    /// A partition's buffer is written out when its estimated size reaches this.
    pub flush_bytes: usize,
    /// All buffers together: past this, the largest is written out.
    pub max_buffered_bytes: usize,
    /// Rows per Parquet row group.
    pub row_group_rows: usize,
}

impl Default for WriterLimits {
    fn default() -> Self {
        WriterLimits {
            flush_bytes: 48 << 20,
            max_buffered_bytes: 96 << 20,
            row_group_rows: 64 * 1024,
        }
    }
}

#[derive(Default)]
struct PartBuf {
    docs: Vec<DocRows>,
    bytes: usize,
}

pub struct DatasetWriter {
    root: PathBuf,
    limits: WriterLimits,
    buffers: BTreeMap<PartitionKey, PartBuf>,
    buffered: usize,
    next_part: BTreeMap<(String, String), u32>,
    rejects: Vec<RejectRow>,
    files: Vec<FileEntry>,
}

/// Rough in-memory size of one document's rows: what the buffer limits are measured in.
fn estimate(d: &DocRows) -> usize {
    let doc = d.document.text.len() + d.document.text_original.len() + 512;
    let sent: usize = d.sentences.iter().map(|s| s.text.len() + 96).sum();
    doc + sent + d.sections.len() * 160 + d.indicators.len() * 256
}

fn properties(table: &str, limits: &WriterLimits) -> WriterProperties {
    let mut b = WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(3).expect("zstd level"),
        ))
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_max_row_group_row_count(Some(limits.row_group_rows))
        .set_created_by(format!("govtext {}", env!("CARGO_PKG_VERSION")))
        .set_key_value_metadata(Some(vec![
            KeyValue::new("govtext.table".into(), table.to_string()),
            KeyValue::new("govtext.schema_version".into(), SCHEMA_VERSION.to_string()),
        ]));
    for c in schema::columns(table) {
        if !c.dictionary {
            b = b.set_column_dictionary_enabled(ColumnPath::from(c.name), false);
        }
    }
    b.build()
}

/// Writes one batch as a complete Parquet file and returns its manifest entry.
pub fn write_parquet(
    root: &Path,
    rel: &str,
    table: &str,
    batch: &RecordBatch,
    limits: &WriterLimits,
) -> Result<FileEntry> {
    let path = root.join(rel);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut buf = Vec::with_capacity(1 << 16);
    {
        let mut w = ArrowWriter::try_new(&mut buf, batch.schema(), Some(properties(table, limits)))
            .with_context(|| format!("{table}: opening the Parquet writer"))?;
        w.write(batch)
            .with_context(|| format!("{table}: writing {rel}"))?;
        w.close()
            .with_context(|| format!("{table}: closing {rel}"))?;
    }
    let mut f = fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    f.write_all(&buf)
        .with_context(|| format!("writing {}", path.display()))?;
    f.sync_all()
        .with_context(|| format!("syncing {}", path.display()))?;
    Ok(FileEntry {
        table: table.to_string(),
        path: rel.to_string(),
        rows: batch.num_rows() as u64,
        bytes: buf.len() as u64,
        sha256: hex(&Sha256::digest(&buf)),
    })
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

impl DatasetWriter {
    pub fn new(root: PathBuf, limits: WriterLimits) -> Self {
        DatasetWriter {
            root,
            limits,
            buffers: BTreeMap::new(),
            buffered: 0,
            next_part: BTreeMap::new(),
            rejects: Vec::new(),
            files: Vec::new(),
        }
    }

    pub fn add(&mut self, doc: DocRows) -> Result<()> {
        let size = estimate(&doc);
        let key = doc.partition.clone();
        let buf = self.buffers.entry(key.clone()).or_default();
        buf.docs.push(doc);
        buf.bytes += size;
        self.buffered += size;
        if buf.bytes >= self.limits.flush_bytes {
            self.flush(&key)?;
        }
        while self.buffered > self.limits.max_buffered_bytes {
            let largest = self
                .buffers
                .iter()
                .max_by_key(|(k, b)| (b.bytes, std::cmp::Reverse((*k).clone())))
                .map(|(k, _)| k.clone());
            match largest {
                Some(k) => self.flush(&k)?,
                None => break,
            }
        }
        Ok(())
    }

    pub fn reject(&mut self, r: RejectRow) {
        self.rejects.push(r);
    }

    fn part_path(&mut self, table: &str, dir: Option<&str>) -> String {
        let key = (table.to_string(), dir.unwrap_or("").to_string());
        let n = self.next_part.entry(key).or_insert(0);
        let rel = match dir {
            Some(d) => format!("{table}/{d}/part-{n:05}.parquet"),
            None => format!("{table}/part-{n:05}.parquet"),
        };
        *n += 1;
        rel
    }

    fn flush(&mut self, key: &PartitionKey) -> Result<()> {
        let Some(mut buf) = self.buffers.remove(key) else {
            return Ok(());
        };
        self.buffered -= buf.bytes;
        if buf.docs.is_empty() {
            return Ok(());
        }
        buf.docs
            .sort_by(|a, b| a.document.doc_id.cmp(&b.document.doc_id));
        let dir = key.dir();
        let docs: Vec<DocumentRow> = buf
            .docs
            .iter_mut()
            .map(|d| std::mem::take(&mut d.document))
            .collect();
        self.write_table("documents", Some(&dir), batch::documents(&docs))?;
        drop(docs);
        let secs: Vec<SectionRow> = buf
            .docs
            .iter_mut()
            .flat_map(|d| std::mem::take(&mut d.sections))
            .collect();
        self.write_table("sections", Some(&dir), batch::sections(&secs))?;
        let sents: Vec<SentenceRow> = buf
            .docs
            .iter_mut()
            .flat_map(|d| std::mem::take(&mut d.sentences))
            .collect();
        self.write_table("sentences", Some(&dir), batch::sentences(&sents))?;
        let inds: Vec<IndicatorRow> = buf
            .docs
            .iter_mut()
            .flat_map(|d| std::mem::take(&mut d.indicators))
            .collect();
        self.write_table("indicators", Some(&dir), batch::indicators(&inds))?;
        Ok(())
    }

    fn write_table(&mut self, table: &str, dir: Option<&str>, b: RecordBatch) -> Result<()> {
        // A partition always gets its documents file; child tables only when they have rows,
        // so that no partition directory holds a file of nothing.
        if b.num_rows() == 0 && table != "documents" {
            return Ok(());
        }
        let rel = self.part_path(table, dir);
        let entry = write_parquet(&self.root, &rel, table, &b, &self.limits)?;
        self.files.push(entry);
        Ok(())
    }

    /// Writes out every buffer and the rejects; returns the files written, in a stable order.
    pub fn finish(mut self) -> Result<Vec<FileEntry>> {
        let keys: Vec<PartitionKey> = self.buffers.keys().cloned().collect();
        for k in keys {
            self.flush(&k)?;
        }
        let mut rejects = std::mem::take(&mut self.rejects);
        rejects.sort_by(|a, b| a.source_path.cmp(&b.source_path));
        let b = batch::rejects(&rejects);
        let rel = self.part_path("rejects", None);
        let entry = write_parquet(&self.root, &rel, "rejects", &b, &self.limits)?;
        self.files.push(entry);
        // A table with no rows at all still gets one empty file at its root, so that
        // `read_parquet('DIR/<table>/**/*.parquet')` finds a schema rather than failing.
        for t in schema::TABLES {
            if !self.files.iter().any(|f| f.table == t) {
                let empty = RecordBatch::new_empty(schema::arrow_schema(t));
                let rel = self.part_path(t, None);
                let entry = write_parquet(&self.root, &rel, t, &empty, &self.limits)?;
                self.files.push(entry);
            }
        }
        let order = |t: &str| schema::TABLES.iter().position(|x| *x == t).unwrap_or(99);
        self.files
            .sort_by(|a, b| (order(&a.table), &a.path).cmp(&(order(&b.table), &b.path)));
        Ok(self.files)
    }
}
