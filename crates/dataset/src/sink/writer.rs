//! The partitioned Parquet writer.
//!
//! Rows are buffered per partition (`year=…/province_code=…`). A partition's buffer is
//! flushed when it reaches `flush_bytes`, and the largest buffer whenever all buffers together
//! pass `max_buffered_bytes`, so memory is bounded by the two limits, not by the corpus. A
//! flush appends row groups to the partition's open file of each table
//! (`part-00000.parquet`). An open file holds no file descriptor between flushes, but its
//! writer and the metadata of every row group it has written stay in memory until it is
//! closed (about 30 KB per writer and 1 KB per column chunk, measured): the open files are
//! closed, least recently used partition first, when that estimate passes `max_open_bytes`,
//! and a file is closed when it passes `file_bytes`. A partition's next flush then opens its
//! next part file (`part-00001…`). Inputs that come partition by partition (a site's pages, a
//! folder per region and year) give one file per table and partition; inputs that mix
//! every partition throughout give more files, not more memory. Flush and close decisions
//! depend only on the rows and their order, so the same inputs give the same files. Within
//! a file, rows are in input order (documents as the run took them: sorted input paths, then
//! a document's rows by `seq`), whatever `--jobs`.

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
use std::collections::{BTreeMap, HashMap};
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
    /// A partition's buffer is flushed when its estimated size reaches this.
    pub flush_bytes: usize,
    /// All buffers together: past this, the largest is flushed.
    pub max_buffered_bytes: usize,
    /// Rows per Parquet row group (a flush of more rows makes several).
    pub row_group_rows: usize,
    /// A partition's file of a table is closed once it has this many bytes; its next flush
    /// opens the next part file.
    pub file_bytes: u64,
    /// The open files' writers and row-group metadata, estimated: past this, the least
    /// recently used partition's files are closed.
    pub max_open_bytes: usize,
    /// Threads that encode and compress flushed buffers (at least one).
    pub encoders: usize,
}

impl Default for WriterLimits {
    fn default() -> Self {
        WriterLimits {
            flush_bytes: 8 << 20,
            max_buffered_bytes: 24 << 20,
            row_group_rows: 64 * 1024,
            file_bytes: 512 << 20,
            max_open_bytes: 16 << 20,
            encoders: 2,
        }
    }
}

#[derive(Default)]
struct PartBuf {
    docs: Vec<DocRows>,
    bytes: usize,
}

/// A partition whose files are open: what they are estimated to hold in memory, and when
/// the partition last got a document (a count of documents added).
struct OpenPart {
    bytes: usize,
    used: u64,
}

/// What an open Parquet writer holds before its first row group (schema, properties,
/// buffer) and per column chunk written (its metadata and page index), measured on the
/// documents table with arrow-rs/parquet 60.1.
const WRITER_BYTES: usize = 32 << 10;
const CHUNK_BYTES: usize = 1 << 10;

pub struct DatasetWriter {
    root: PathBuf,
    limits: WriterLimits,
    /// Before each part file's number: see `next_part_path`.
    prefix: String,
    buffers: BTreeMap<PartitionKey, PartBuf>,
    buffered: usize,
    /// The next part number of each (table, partition directory): after the carried files'
    next_part: BTreeMap<(String, String), u32>,
    /// Which encoder owns each partition: all of a partition's flushes go to one encoder, in
    /// order, so its files' row groups are in flush order whichever encoder is faster.
    owner: HashMap<String, usize>,
    open: BTreeMap<PartitionKey, OpenPart>,
    open_bytes: usize,
    /// Documents added so far: the clock of `OpenPart::used`
    added: u64,
    rejects: Vec<RejectRow>,
    files: Vec<FileEntry>,
    /// Started at the first flush, once the carried files' part numbers are known.
    encoders: Option<Encoders>,
}

/// Work for the encoder that owns a partition.
enum FlushJob {
    /// A flushed buffer: append its rows to the partition's files.
    Append { dir: String, docs: Vec<DocRows> },
    /// Close the partition's files.
    Close { dir: String },
}

/// What an encoder thread wrote, and the CPU time it spent encoding.
type Encoded = (Vec<FileEntry>, std::time::Duration);

/// Encoding and compressing is most of the writer's work: a small pool does it while the
/// writer goes on buffering. Each encoder has a channel of one job, so at most two flushed
/// buffers per encoder exist at a time, and keeps the open files of the partitions it owns.
struct Encoders {
    txs: Vec<std::sync::mpsc::SyncSender<FlushJob>>,
    handles: Vec<std::thread::JoinHandle<Result<Encoded>>>,
    /// CPU time the encoders spent encoding, summed over them
    busy: std::time::Duration,
}

impl Encoders {
    fn start(
        root: &Path,
        limits: &WriterLimits,
        prefix: &str,
        next_part: &BTreeMap<(String, String), u32>,
    ) -> Encoders {
        let mut txs = Vec::new();
        let handles = (0..limits.encoders.max(1))
            .map(|i| {
                let (tx, rx) = std::sync::mpsc::sync_channel::<FlushJob>(1);
                txs.push(tx);
                let mut files = OpenFiles {
                    root: root.to_path_buf(),
                    limits: limits.clone(),
                    prefix: prefix.to_string(),
                    next_part: next_part.clone(),
                    open: BTreeMap::new(),
                    closed: Vec::new(),
                };
                std::thread::Builder::new()
                    .name(format!("govtext-encoder-{i}"))
                    .spawn(move || {
                        let mut busy = std::time::Duration::ZERO;
                        for job in rx {
                            // CPU time: an encoder waiting on the disk or for a core is
                            // not encoding
                            let t = crate::platform::thread_cpu();
                            match job {
                                FlushJob::Append { dir, docs } => files.append(&dir, docs)?,
                                FlushJob::Close { dir } => files.close_dir(&dir)?,
                            }
                            busy += crate::platform::thread_cpu().saturating_sub(t);
                        }
                        let t = crate::platform::thread_cpu();
                        let written = files.close_all()?;
                        busy += crate::platform::thread_cpu().saturating_sub(t);
                        Ok((written, busy))
                    })
                    .expect("spawning an encoder thread")
            })
            .collect();
        Encoders {
            txs,
            handles,
            busy: std::time::Duration::ZERO,
        }
    }

    /// Every file the encoders wrote, or the first error one of them met.
    fn join(&mut self) -> Result<Vec<FileEntry>> {
        self.txs.clear();
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

/// A part file being written: row groups are appended as its partition is flushed.
struct OpenFile {
    rel: String,
    writer: ArrowWriter<Hashing<Spool>>,
    rows: u64,
}

/// One encoder's files: the open one of each (table, partition directory) it owns, and the
/// ones it has closed.
struct OpenFiles {
    root: PathBuf,
    limits: WriterLimits,
    /// Before each part file's number (a shard's `s00003-`; empty otherwise).
    prefix: String,
    next_part: BTreeMap<(String, String), u32>,
    open: BTreeMap<(&'static str, String), OpenFile>,
    closed: Vec<FileEntry>,
}

impl OpenFiles {
    /// Appends a flushed buffer to its partition's files. The child tables go first (their
    /// ids are made from the documents' ids, sentences' text is sliced from the documents'
    /// text), the documents last; each table's rows and batch are let go before the next is
    /// built: a buffer holding one huge document is copied once at a time, not all at once.
    /// A partition always gets its documents file; the child tables only when they have
    /// rows, so that no partition directory holds a file of nothing.
    fn append(&mut self, dir: &str, mut docs: Vec<DocRows>) -> Result<()> {
        if docs.iter().any(|d| !d.sections.is_empty()) {
            let b = batch::sections(&docs);
            docs.iter_mut().for_each(|d| d.sections = Vec::new());
            self.write("sections", dir, &b)?;
        }
        if docs.iter().any(|d| !d.sentences.is_empty()) {
            let b = batch::sentences(&docs);
            docs.iter_mut().for_each(|d| d.sentences = Vec::new());
            self.write("sentences", dir, &b)?;
        }
        if docs.iter().any(|d| !d.indicators.is_empty()) {
            let b = batch::indicators(&docs);
            docs.iter_mut().for_each(|d| d.indicators = Vec::new());
            self.write("indicators", dir, &b)?;
        }
        let rows: Vec<DocumentRow> = docs.into_iter().map(|d| d.document).collect();
        let b = batch::documents(&rows);
        drop(rows);
        self.write("documents", dir, &b)
    }

    /// Closes the open files of the partition in `dir`.
    fn close_dir(&mut self, dir: &str) -> Result<()> {
        for table in schema::TABLES {
            if let Some(f) = self.open.remove(&(table, dir.to_string())) {
                self.closed.push(close(table, f)?);
            }
        }
        Ok(())
    }

    /// Appends `batch` to the open file of (`table`, `dir`) as row groups, opening the next
    /// part file if there is none, closing it once it has reached the size cap.
    fn write(&mut self, table: &'static str, dir: &str, batch: &RecordBatch) -> Result<()> {
        let key = (table, dir.to_string());
        if !self.open.contains_key(&key) {
            let rel = next_part_path(&mut self.next_part, &self.prefix, table, dir);
            let path = self.root.join(&rel);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)
                    .with_context(|| format!("creating {}", parent.display()))?;
            }
            let sink = Hashing::new(Spool::new(path));
            let writer =
                ArrowWriter::try_new(sink, batch.schema(), Some(properties(table, &self.limits)))
                    .with_context(|| format!("{table}: opening the Parquet writer for {rel}"))?;
            self.open.insert(
                key.clone(),
                OpenFile {
                    rel,
                    writer,
                    rows: 0,
                },
            );
        }
        let f = self.open.get_mut(&key).expect("opened above");
        f.writer
            .write(batch)
            .with_context(|| format!("{table}: writing {}", f.rel))?;
        // the rows become a row group on disk now: an open file keeps only its metadata
        f.writer
            .flush()
            .and_then(|()| f.writer.sync().map_err(Into::into))
            .with_context(|| format!("{table}: writing {}", f.rel))?;
        f.rows += batch.num_rows() as u64;
        if f.writer.bytes_written() as u64 >= self.limits.file_bytes {
            let f = self.open.remove(&key).expect("open");
            self.closed.push(close(table, f)?);
        }
        Ok(())
    }

    /// Closes every open file; returns every file this encoder wrote.
    fn close_all(mut self) -> Result<Vec<FileEntry>> {
        for ((table, _), f) in std::mem::take(&mut self.open) {
            self.closed.push(close(table, f)?);
        }
        Ok(self.closed)
    }
}

/// The path of the next part file of `table` in the partition directory `dir` (`""`: the
/// table's root, for rejects and an empty table's placeholder), counted in `next_part`.
/// A shard's files carry its `prefix` (`part-s00003-00000.parquet`), so that no two shards
/// name a file alike.
fn next_part_path(
    next: &mut BTreeMap<(String, String), u32>,
    prefix: &str,
    table: &str,
    dir: &str,
) -> String {
    let n = next
        .entry((table.to_string(), dir.to_string()))
        .or_insert(0);
    let rel = if dir.is_empty() {
        format!("{table}/part-{prefix}{n:05}.parquet")
    } else {
        format!("{table}/{dir}/part-{prefix}{n:05}.parquet")
    };
    *n += 1;
    rel
}

/// Writes a part file's footer and returns its manifest entry.
fn close(table: &str, f: OpenFile) -> Result<FileEntry> {
    let OpenFile { rel, writer, rows } = f;
    let sink = writer
        .into_inner()
        .and_then(|mut w| {
            // the footer: `into_inner` writes it, it has not reached the disk yet
            w.flush()?;
            Ok(w)
        })
        .with_context(|| format!("{table}: closing {rel}"))?;
    let (bytes, sha256) = sink.finish();
    Ok(FileEntry {
        table: table.to_string(),
        path: rel,
        rows,
        bytes,
        sha256,
    })
}

/// A file written in pieces: bytes are gathered in memory and appended to the file when
/// there is a megabyte of them or when flushed, the file opened only for that. An open part
/// file between two flushes of its partition holds no file descriptor.
pub(crate) struct Spool {
    path: PathBuf,
    pending: Vec<u8>,
    created: bool,
}

impl Spool {
    fn new(path: PathBuf) -> Spool {
        Spool {
            path,
            pending: Vec::new(),
            created: false,
        }
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if self.pending.len() >= 1 << 20 {
            self.flush()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.pending.is_empty() && self.created {
            return Ok(());
        }
        let mut f = fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(self.created)
            .truncate(!self.created)
            .open(&self.path)?;
        f.write_all(&self.pending)?;
        self.created = true;
        // let go of the memory: thousands of files may be open at once
        self.pending = Vec::new();
        Ok(())
    }
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
        // columns zstd does not shrink (measured on the bench corpus, compressed / raw:
        // period_year 0.99, value_high and growth_high 0.69 — mostly nulls —, ordinal 0.92,
        // level 1.00, sentence_count 1.09): a compressor for each of their column chunks
        // only costs its two contexts
        let incompressible = matches!(
            (table, c.name),
            ("indicators", "period_year" | "value_high" | "growth_high")
                | ("sections", "ordinal" | "level" | "sentence_count")
        );
        if small || incompressible {
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
    let mut sink = Hashing::new(std::io::BufWriter::with_capacity(1 << 20, f));
    body(&mut sink)?;
    sink.flush()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(sink.finish())
}

/// A writer that passes bytes on and keeps their SHA-256 and count.
pub(crate) struct Hashing<W: Write> {
    inner: W,
    sha: Sha256,
    bytes: u64,
}

impl<W: Write> Hashing<W> {
    pub(crate) fn new(inner: W) -> Self {
        Hashing {
            inner,
            sha: Sha256::new(),
            bytes: 0,
        }
    }

    /// The bytes that passed, and their sha256 (hex).
    fn finish(self) -> (u64, String) {
        (self.bytes, hex(&self.sha.finalize()))
    }
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
            encoders: None,
            prefix: String::new(),
            root,
            limits,
            buffers: BTreeMap::new(),
            buffered: 0,
            next_part: BTreeMap::new(),
            owner: HashMap::new(),
            open: BTreeMap::new(),
            open_bytes: 0,
            added: 0,
            rejects: Vec::new(),
            files: Vec::new(),
        }
    }

    pub fn add(&mut self, doc: DocRows) -> Result<()> {
        let size = estimate(&doc);
        let key = doc.partition.clone();
        self.added += 1;
        if let Some(open) = self.open.get_mut(&key) {
            open.used = self.added;
        }
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
        while self.open_bytes > self.limits.max_open_bytes {
            let lru = self
                .open
                .iter()
                .min_by_key(|(k, o)| (o.used, (*k).clone()))
                .map(|(k, _)| k.clone());
            match lru {
                Some(k) => self.close(&k)?,
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

    /// Names this writer's part files `part-{prefix}00000.parquet`…: a shard's, set before
    /// the first row is added.
    pub fn part_prefix(&mut self, prefix: &str) {
        self.prefix = prefix.to_string();
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

    /// Hands a partition's buffered rows to its encoder.
    fn flush(&mut self, key: &PartitionKey) -> Result<()> {
        let Some(buf) = self.buffers.remove(key) else {
            return Ok(());
        };
        self.buffered -= buf.bytes;
        if buf.docs.is_empty() {
            return Ok(());
        }
        // what the files will hold in memory once these rows are their row groups
        let groups = |rows: usize| rows.div_ceil(self.limits.row_group_rows);
        let mut bytes = 0;
        for (table, rows) in [
            ("documents", buf.docs.len()),
            ("sections", buf.docs.iter().map(|d| d.sections.len()).sum()),
            (
                "sentences",
                buf.docs.iter().map(|d| d.sentences.len()).sum(),
            ),
            (
                "indicators",
                buf.docs.iter().map(|d| d.indicators.len()).sum(),
            ),
        ] {
            bytes += groups(rows) * schema::columns(table).len() * CHUNK_BYTES;
        }
        let open = match self.open.entry(key.clone()) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                // a writer per table: the child tables may open theirs later
                self.open_bytes += 4 * WRITER_BYTES;
                e.insert(OpenPart {
                    bytes: 4 * WRITER_BYTES,
                    used: self.added,
                })
            }
        };
        open.bytes += bytes;
        self.open_bytes += bytes;
        let dir = key.dir();
        self.send(FlushJob::Append {
            dir,
            docs: buf.docs,
        })
    }

    /// Closes a partition's open files, after appending its buffered rows.
    fn close(&mut self, key: &PartitionKey) -> Result<()> {
        self.flush(key)?;
        if let Some(open) = self.open.remove(key) {
            self.open_bytes -= open.bytes;
            self.send(FlushJob::Close { dir: key.dir() })?;
        }
        Ok(())
    }

    /// Hands a job to the encoder that owns its partition (the next one in turn, for a
    /// partition seen for the first time).
    fn send(&mut self, job: FlushJob) -> Result<()> {
        let encoders = self.encoders.get_or_insert_with(|| {
            Encoders::start(&self.root, &self.limits, &self.prefix, &self.next_part)
        });
        let dir = match &job {
            FlushJob::Append { dir, .. } | FlushJob::Close { dir } => dir,
        };
        let next = self.owner.len() % encoders.txs.len();
        let owner = *self.owner.entry(dir.clone()).or_insert(next);
        if encoders.txs[owner].send(job).is_err() {
            // the encoder has stopped: it failed, and joining says why
            encoders.join()?;
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
        let mut busy = std::time::Duration::ZERO;
        if let Some(mut encoders) = self.encoders.take() {
            self.files.extend(encoders.join()?);
            busy = encoders.busy;
        }
        let rejects = std::mem::take(&mut self.rejects);
        let b = batch::rejects(&rejects);
        let rel = next_part_path(&mut self.next_part, &self.prefix, "rejects", "");
        let entry = write_parquet(&self.root, &rel, "rejects", &b, &self.limits)?;
        self.files.push(entry);
        // A table with no rows at all still gets one empty file at its root, so that
        // `read_parquet('DIR/<table>/**/*.parquet')` finds a schema rather than failing.
        for t in schema::TABLES {
            if !self.files.iter().any(|f| f.table == t) {
                let empty = RecordBatch::new_empty(schema::arrow_schema(t));
                let rel = next_part_path(&mut self.next_part, &self.prefix, t, "");
                let entry = write_parquet(&self.root, &rel, t, &empty, &self.limits)?;
                self.files.push(entry);
            }
        }
        let order = |t: &str| schema::TABLES.iter().position(|x| *x == t).unwrap_or(99);
        self.files
            .sort_by(|a, b| (order(&a.table), &a.path).cmp(&(order(&b.table), &b.path)));
        Ok((self.files, busy))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Array, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    /// A document of partition `year` with `n` sentences (one per `。`).
    fn doc(id: &str, year: i32, n: usize) -> DocRows {
        let text = "某县今年增长百分之五。".repeat(n);
        let len = "某县今年增长百分之五。".len();
        DocRows {
            partition: PartitionKey {
                year: Some(year),
                province_code: Some("CN-ZJ".into()),
            },
            document: DocumentRow {
                doc_id: id.into(),
                text,
                ..Default::default()
            },
            sentences: (0..n)
                .map(|i| SentenceRow {
                    seq: i as i32,
                    bytes: i * len..(i + 1) * len,
                    ..Default::default()
                })
                .collect(),
            sections: Vec::new(),
            indicators: Vec::new(),
        }
    }

    /// Writes `docs` with `limits` into a new directory; the manifest entries and the
    /// directory.
    fn write(docs: Vec<DocRows>, limits: WriterLimits, name: &str) -> (Vec<FileEntry>, PathBuf) {
        let root =
            std::env::temp_dir().join(format!("govtext-writer-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let mut w = DatasetWriter::new(root.clone(), limits);
        for d in docs {
            w.add(d).unwrap();
        }
        (w.finish().unwrap().0, root)
    }

    /// The `doc_id`s of a file, in its row order, and its number of row groups.
    fn doc_ids(root: &Path, rel: &str) -> (Vec<String>, usize) {
        let f = fs::File::open(root.join(rel)).unwrap();
        let b = ParquetRecordBatchReaderBuilder::try_new(f).unwrap();
        let groups = b.metadata().num_row_groups();
        let mut ids = Vec::new();
        for batch in b.build().unwrap() {
            let batch = batch.unwrap();
            let col = batch.column_by_name("doc_id").unwrap();
            let col = col.as_any().downcast_ref::<StringArray>().unwrap();
            ids.extend((0..col.len()).map(|i| col.value(i).to_string()));
        }
        (ids, groups)
    }

    /// Every flush of three interleaved partitions: each partition's row groups go to one file
    /// per table, in the order the documents came.
    fn interleaved() -> Vec<DocRows> {
        (0..12)
            .map(|i| doc(&format!("d{i:02}"), 2020 + (i % 3), 3))
            .collect()
    }

    fn flush_every_document() -> WriterLimits {
        WriterLimits {
            flush_bytes: 1,
            ..WriterLimits::default()
        }
    }

    #[test]
    fn zstd_where_it_shrinks_a_column_and_not_where_it_does_not() {
        let limits = WriterLimits::default();
        let codec = |table: &str, column: &str| {
            properties(table, &limits).compression(&ColumnPath::from(column))
        };
        let zstd = Compression::ZSTD(ZstdLevel::try_new(1).unwrap());
        for (table, column) in [
            ("indicators", "subject"),
            ("indicators", "value"),
            ("indicators", "char_start"),
            ("sentences", "text"),
            ("documents", "text"),
            ("sections", "char_start"),
        ] {
            assert_eq!(codec(table, column), zstd, "{table}.{column}");
        }
        for (table, column) in [
            ("indicators", "period_year"),
            ("indicators", "value_high"),
            ("indicators", "growth_high"),
            ("sections", "ordinal"),
            ("sections", "level"),
            ("sections", "sentence_count"),
            ("documents", "char_count"),
        ] {
            assert_eq!(
                codec(table, column),
                Compression::UNCOMPRESSED,
                "{table}.{column}"
            );
        }
    }

    #[test]
    fn dictionaries_for_repeated_values_and_not_for_a_value_per_row() {
        let limits = WriterLimits::default();
        let props = |table: &str| properties(table, &limits);
        let zstd = Compression::ZSTD(ZstdLevel::try_new(1).unwrap());
        for (table, column) in [
            ("indicators", "doc_id"),
            ("indicators", "unit"),
            ("sentences", "doc_id"),
        ] {
            let p = props(table);
            assert!(
                p.dictionary_enabled(&ColumnPath::from(column)),
                "{table}.{column}"
            );
            assert_eq!(
                p.compression(&ColumnPath::from(column)),
                Compression::UNCOMPRESSED
            );
        }
        for (table, column) in [
            ("indicators", "sentence_id"),
            ("indicators", "section_id"),
            ("sentences", "section_id"),
            ("sections", "parent_id"),
            ("documents", "source_path"),
            ("sentences", "char_start"),
            ("indicators", "seq"),
            ("sections", "char_end"),
        ] {
            let p = props(table);
            assert!(
                !p.dictionary_enabled(&ColumnPath::from(column)),
                "{table}.{column}"
            );
            assert_eq!(
                p.compression(&ColumnPath::from(column)),
                zstd,
                "{table}.{column}"
            );
        }
        assert!(!props("documents").dictionary_enabled(&ColumnPath::from("source_sha256")));
    }

    #[test]
    fn one_file_per_table_and_partition_across_flushes() {
        let (files, root) = write(interleaved(), flush_every_document(), "one");
        let docs: Vec<&str> = files
            .iter()
            .filter(|f| f.table == "documents")
            .map(|f| f.path.as_str())
            .collect();
        assert_eq!(
            docs,
            [
                "documents/year=2020/province_code=CN-ZJ/part-00000.parquet",
                "documents/year=2021/province_code=CN-ZJ/part-00000.parquet",
                "documents/year=2022/province_code=CN-ZJ/part-00000.parquet",
            ]
        );
        let (ids, groups) = doc_ids(&root, docs[1]);
        assert_eq!(ids, ["d01", "d04", "d07", "d10"]);
        assert_eq!(groups, 4, "a row group per flush");
        let sentences = files
            .iter()
            .find(|f| f.path == "sentences/year=2021/province_code=CN-ZJ/part-00000.parquet")
            .unwrap();
        assert_eq!(sentences.rows, 12);
        let (ids, _) = doc_ids(&root, &sentences.path);
        assert_eq!(ids[..4], ["d01", "d01", "d01", "d04"]);
        // the manifest's hash is the file's
        let bytes = fs::read(root.join(docs[1])).unwrap();
        let entry = files.iter().find(|f| f.path == docs[1]).unwrap();
        assert_eq!(entry.sha256, hex(&Sha256::digest(&bytes)));
        assert_eq!(entry.bytes, bytes.len() as u64);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn the_least_recently_used_partition_is_closed_past_the_budget() {
        // room for the writers of one partition and a little more: each new partition
        // closes the one before it, and a partition seen again gets its next part file
        let limits = WriterLimits {
            max_open_bytes: 4 * WRITER_BYTES + 200 * CHUNK_BYTES,
            ..flush_every_document()
        };
        let (files, root) = write(interleaved(), limits, "lru");
        let docs: Vec<&str> = files
            .iter()
            .filter(|f| f.table == "documents" && f.path.contains("year=2021"))
            .map(|f| f.path.as_str())
            .collect();
        assert_eq!(docs.len(), 4, "{docs:?}");
        assert!(docs[3].ends_with("part-00003.parquet"));
        let (ids, _) = doc_ids(&root, docs[2]);
        assert_eq!(ids, ["d07"]);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_file_past_the_size_cap_is_closed() {
        let limits = WriterLimits {
            file_bytes: 1,
            ..flush_every_document()
        };
        let (files, root) = write(interleaved(), limits, "cap");
        let n = |t: &str| files.iter().filter(|f| f.table == t).count();
        // a file per flush: 12 of each table, and the empty rejects file
        assert_eq!((n("documents"), n("sentences"), n("rejects")), (12, 12, 1));
        let (ids, _) = doc_ids(
            &root,
            "documents/year=2022/province_code=CN-ZJ/part-00001.parquet",
        );
        assert_eq!(ids, ["d05"]);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn the_same_files_whatever_the_number_of_encoders() {
        let run = |encoders: usize| {
            let limits = WriterLimits {
                encoders,
                max_open_bytes: 4 * WRITER_BYTES + 200 * CHUNK_BYTES,
                ..flush_every_document()
            };
            let (files, root) = write(interleaved(), limits, &format!("enc{encoders}"));
            fs::remove_dir_all(root).unwrap();
            files
        };
        let one = run(1);
        assert_eq!(one, run(3));
        // a file per flush of documents and of sentences; rejects, and an empty file each for
        // the tables without rows (sections, indicators)
        assert_eq!(one.len(), 12 * 2 + 3);
    }
}
