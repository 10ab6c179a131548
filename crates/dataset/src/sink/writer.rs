//! The partitioned Parquet writer.
//!
//! Rows are buffered per partition (`year=…/province_code=…`). A partition's buffer is
//! written out as one complete file per table (`part-00000.parquet`, `part-00001…`) when it
//! reaches `flush_bytes`, and the largest buffer is written out whenever all buffers together
//! pass `max_buffered_bytes`. No Parquet writer stays open between flushes, so many
//! partitions never mean many open buffers, and memory is bounded by the two limits, not by
//! the corpus. Flush decisions depend only on the rows and their order, so the same inputs
//! give the same files. Within a file, rows are in input order (documents as the run took
//! them: sorted input paths, then a document's rows by `seq`), whatever `--jobs`.

use super::batch;
use crate::schema::{self, SCHEMA_VERSION};
use anyhow::{Context, Result};
use arrow_array::RecordBatch;
use govtext_core::model::*;
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

#[derive(Clone)]
pub struct WriterLimits {
    /// A partition's buffer is written out when its estimated size reaches this.
    pub flush_bytes: usize,
    /// All buffers together: past this, the largest is written out.
    pub max_buffered_bytes: usize,
    /// Rows per Parquet row group.
    pub row_group_rows: usize,
    /// Threads that encode and compress flushed buffers (at least one).
    pub encoders: usize,
}

impl Default for WriterLimits {
    fn default() -> Self {
        WriterLimits {
            flush_bytes: 8 << 20,
            max_buffered_bytes: 24 << 20,
            row_group_rows: 64 * 1024,
            encoders: 2,
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
    encoders: Encoders,
}

/// A flushed buffer on its way to the encoders: its rows and the file name of each table,
/// fixed when it was flushed so that names never depend on which encoder finishes first.
struct FlushJob {
    dir: String,
    /// (table, file) for each table that has rows here, documents always
    parts: Vec<(&'static str, String)>,
    docs: Vec<DocRows>,
}

/// Encoding and compressing is most of the writer's work: a small pool does it while the
/// writer goes on buffering (and, at the end, writes every remaining partition in parallel).
/// The channel holds one job, so at most `encoders + 1` flushed buffers exist at a time.
/// What an encoder thread wrote, and the CPU time it spent encoding.
type Encoded = (Vec<FileEntry>, std::time::Duration);

struct Encoders {
    tx: Option<std::sync::mpsc::SyncSender<FlushJob>>,
    handles: Vec<std::thread::JoinHandle<Result<Encoded>>>,
    /// CPU time the encoders spent encoding, summed over them
    busy: std::time::Duration,
}

impl Encoders {
    fn start(root: &Path, limits: &WriterLimits) -> Encoders {
        let (tx, rx) = std::sync::mpsc::sync_channel::<FlushJob>(1);
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        let handles = (0..limits.encoders.max(1))
            .map(|i| {
                let (rx, root, limits) = (rx.clone(), root.to_path_buf(), limits.clone());
                std::thread::Builder::new()
                    .name(format!("govtext-encoder-{i}"))
                    .spawn(move || {
                        let mut files = Vec::new();
                        let mut busy = std::time::Duration::ZERO;
                        loop {
                            // the lock is held only while waiting for the next job
                            let job = rx
                                .lock()
                                .map_err(|_| anyhow::anyhow!("write: an encoder panicked"))?
                                .recv();
                            let Ok(job) = job else { break };
                            // CPU time: an encoder waiting on the disk or for a core is
                            // not encoding
                            let t = crate::platform::thread_cpu();
                            files.extend(encode(&root, &limits, job)?);
                            busy += crate::platform::thread_cpu().saturating_sub(t);
                        }
                        Ok((files, busy))
                    })
                    .expect("spawning an encoder thread")
            })
            .collect();
        Encoders {
            tx: Some(tx),
            handles,
            busy: std::time::Duration::ZERO,
        }
    }

    /// Every file the encoders wrote, or the first error one of them met.
    fn join(&mut self) -> Result<Vec<FileEntry>> {
        self.tx = None;
        let mut files = Vec::new();
        let mut first_err = None;
        for h in self.handles.drain(..) {
            match h.join() {
                Ok(Ok((f, busy))) => {
                    files.extend(f);
                    self.busy += busy;
                }
                Ok(Err(e)) => {
                    first_err.get_or_insert(e);
                }
                Err(_) => {
                    first_err.get_or_insert(anyhow::anyhow!("write: an encoder thread panicked"));
                }
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(files),
        }
    }
}

/// Writes the four tables of one flushed buffer. The child tables go first (their ids are
/// made from the documents' ids, sentences' text is sliced from the documents' text), the
/// documents last; each table's rows and batch are let go before the next is built: a buffer
/// holding one huge document is copied once at a time, not all at once. The entries come
/// back in `job.parts` order.
fn encode(root: &Path, limits: &WriterLimits, mut job: FlushJob) -> Result<Vec<FileEntry>> {
    let mut order: Vec<usize> = (0..job.parts.len()).collect();
    order.sort_by_key(|&i| job.parts[i].0 == "documents");
    let mut out: Vec<Option<FileEntry>> = vec![None; job.parts.len()];
    for i in order {
        let (table, rel) = &job.parts[i];
        let b = match *table {
            "documents" => {
                let rows: Vec<DocumentRow> = job
                    .docs
                    .iter_mut()
                    .map(|d| std::mem::take(&mut d.document))
                    .collect();
                batch::documents(&rows)
            }
            "sections" => {
                let b = batch::sections(&job.docs);
                job.docs.iter_mut().for_each(|d| d.sections = Vec::new());
                b
            }
            "sentences" => {
                let b = batch::sentences(&job.docs);
                job.docs.iter_mut().for_each(|d| d.sentences = Vec::new());
                b
            }
            "indicators" => {
                let b = batch::indicators(&job.docs);
                job.docs.iter_mut().for_each(|d| d.indicators = Vec::new());
                b
            }
            other => anyhow::bail!("write: no table {other} in a partition ({})", job.dir),
        };
        out[i] = Some(write_parquet(root, rel, table, &b, limits)?);
    }
    Ok(out.into_iter().flatten().collect())
}

/// Rough in-memory size of one document's rows: what the buffer limits are measured in.
fn estimate(d: &DocRows) -> usize {
    let doc =
        d.document.text.len() + d.document.text_original.as_ref().map_or(0, String::len) + 512;
    let sent = d.sentences.len() * std::mem::size_of::<govtext_core::model::SentenceRow>();
    doc + sent + d.sections.len() * 128 + d.indicators.len() * 200
}

fn properties(table: &str, limits: &WriterLimits) -> WriterProperties {
    let mut b = WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            // level 1: most of the ratio of level 3 (text compresses well either way) for
            // much less of the writer's time
            ZstdLevel::try_new(1).expect("zstd level"),
        ))
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_max_row_group_row_count(Some(limits.row_group_rows))
        .set_created_by(format!("govtext {}", env!("CARGO_PKG_VERSION")))
        .set_key_value_metadata(Some(vec![
            KeyValue::new("govtext.table".into(), table.to_string()),
            KeyValue::new("govtext.schema_version".into(), SCHEMA_VERSION.to_string()),
        ]));
    // a table's own id is unique per row: a dictionary would only be built to be dropped
    let own_id = match table {
        "sections" => "section_id",
        "sentences" => "sentence_id",
        "indicators" => "indicator_id",
        _ => "doc_id",
    };
    for c in schema::columns(table) {
        if matches!(c.name, "text" | "text_original") {
            // min/max of whole bodies prune nothing and cost a comparison of every value
            b = b.set_column_statistics_enabled(ColumnPath::from(c.name), EnabledStatistics::None);
        }
        let small = table == "documents"
            && !matches!(c.name, "text" | "text_original" | "title" | "source_path");
        if small {
            // one value per document, a handful of documents per file: a compressor (two
            // zstd contexts, made per column per file) costs more than the bytes it saves
            b = b.set_column_compression(ColumnPath::from(c.name), Compression::UNCOMPRESSED);
        }
        if !c.dictionary || c.name == own_id {
            b = b.set_column_dictionary_enabled(ColumnPath::from(c.name), false);
        } else if c.ty == arrow_schema::DataType::Utf8 {
            // dictionary-encoded strings are small already (a dictionary page and run-length
            // indices); a compressor per column per file costs more time than it saves space
            b = b.set_column_compression(ColumnPath::from(c.name), Compression::UNCOMPRESSED);
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
    // straight to the file, hashed on the way: the encoded file is never held whole
    let (bytes, sha256) = write_hashed(&path, |sink| {
        let mut w = ArrowWriter::try_new(sink, batch.schema(), Some(properties(table, limits)))
            .with_context(|| format!("{table}: opening the Parquet writer"))?;
        w.write(batch)
            .with_context(|| format!("{table}: writing {rel}"))?;
        w.close()
            .with_context(|| format!("{table}: closing {rel}"))?;
        Ok(())
    })?;
    Ok(FileEntry {
        table: table.to_string(),
        path: rel.to_string(),
        rows: batch.num_rows() as u64,
        bytes,
        sha256,
    })
}

/// Creates `path`, lets `body` write it through a buffer that hashes what passes, and returns
/// its size and sha256 (hex): files of any size, never held in memory whole.
///
/// The file is not synced here: `Staging::publish` syncs the staging directory's filesystem
/// once, before `_SUCCESS` is written. A sync per file cost a flush of the disk queue per
/// file (thousands per run, 4–5 % of the run's CPU) and still left the directories that
/// hold the files unsynced.
pub(crate) fn write_hashed(
    path: &Path,
    body: impl FnOnce(&mut Hashing<std::io::BufWriter<fs::File>>) -> Result<()>,
) -> Result<(u64, String)> {
    let f = fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut sink = Hashing {
        inner: std::io::BufWriter::with_capacity(1 << 20, f),
        sha: Sha256::new(),
        bytes: 0,
    };
    body(&mut sink)?;
    let Hashing { inner, sha, bytes } = sink;
    inner
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok((bytes, hex(&sha.finalize())))
}

/// A writer that passes bytes on and keeps their SHA-256 and count.
pub(crate) struct Hashing<W: Write> {
    inner: W,
    sha: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sha.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// `documents/year=2024/province_code=CN-LN/part-00003.parquet` → (`documents`,
/// `year=2024/province_code=CN-LN`, `part-00003.parquet`): the parts `part_path` joins. `None`
/// for a file at a table's root (rejects, panel, an empty table's placeholder).
pub fn split_file_path(path: &str) -> Option<(&str, &str, &str)> {
    let (table, rest) = path.split_once('/')?;
    let (dir, name) = rest.rsplit_once('/')?;
    Some((table, dir, name))
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
            encoders: Encoders::start(&root, &limits),
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

    /// Numbers new part files after `files` (a previous dataset's, carried into this one),
    /// so that new files never take a carried file's name.
    pub fn number_after<'a>(&mut self, files: impl Iterator<Item = &'a FileEntry>) {
        for f in files {
            let Some((table, dir, name)) = split_file_path(&f.path) else {
                continue;
            };
            let n = name
                .strip_prefix("part-")
                .and_then(|n| n.strip_suffix(".parquet"))
                .and_then(|n| n.parse::<u32>().ok());
            if let Some(n) = n {
                let next = self
                    .next_part
                    .entry((table.to_string(), dir.to_string()))
                    .or_insert(0);
                *next = (*next).max(n + 1);
            }
        }
    }

    /// Files already in the staging directory (carried from the previous dataset).
    pub fn carried(&mut self, files: Vec<FileEntry>) {
        self.files.extend(files);
    }

    pub fn limits(&self) -> &WriterLimits {
        &self.limits
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
        let Some(buf) = self.buffers.remove(key) else {
            return Ok(());
        };
        self.buffered -= buf.bytes;
        if buf.docs.is_empty() {
            return Ok(());
        }
        let dir = key.dir();
        // A partition always gets its documents file; child tables only when they have rows,
        // so that no partition directory holds a file of nothing.
        let has = |f: fn(&DocRows) -> usize| buf.docs.iter().any(|d| f(d) > 0);
        let mut parts = vec![("documents", self.part_path("documents", Some(&dir)))];
        for (table, rows) in [
            ("sections", has(|d| d.sections.len())),
            ("sentences", has(|d| d.sentences.len())),
            ("indicators", has(|d| d.indicators.len())),
        ] {
            if rows {
                parts.push((table, self.part_path(table, Some(&dir))));
            }
        }
        let job = FlushJob {
            dir,
            parts,
            docs: buf.docs,
        };
        let sent = self
            .encoders
            .tx
            .as_ref()
            .map(|tx| tx.send(job).is_ok())
            .unwrap_or(false);
        if !sent {
            // every encoder has stopped: one of them failed, and joining says why
            self.encoders.join()?;
            anyhow::bail!("write: the encoders stopped");
        }
        Ok(())
    }

    /// Writes out every buffer and the rejects; returns the files written, in a stable order,
    /// and the CPU time the encoder threads spent encoding them.
    pub fn finish(mut self) -> Result<(Vec<FileEntry>, std::time::Duration)> {
        let keys: Vec<PartitionKey> = self.buffers.keys().cloned().collect();
        for k in keys {
            self.flush(&k)?;
        }
        let encoded = self.encoders.join()?;
        self.files.extend(encoded);
        let rejects = std::mem::take(&mut self.rejects);
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
        Ok((self.files, self.encoders.busy))
    }
}
