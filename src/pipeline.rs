//! The ordered stages for one document, and the run: a reader thread, a pool of workers and
//! the writer on the calling thread, joined by bounded channels. Results are put back in
//! input order before they reach the writer, so the files do not depend on thread timing.

use crate::model::*;
use crate::process::Trace;
use crate::sink::{
    DatasetWriter, InputEntry, InputsLog, Manifest, Previous, Reused, RowOptions, Shard, ShardInfo,
    ShardStaging, Staging, WriterLimits,
};
use crate::source::{self, Format, Item, RawDoc, SourceOptions};
use crate::{Config, RunReport};
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Everything the stages share, built once per run (`govtext_core::process::Pipeline`).
pub use crate::process::Pipeline as Resources;

/// CPU time spent per stage, summed over documents and threads (nanoseconds).
#[derive(Debug, Clone, Default)]
pub struct StageTimes(pub BTreeMap<&'static str, u64>);

impl StageTimes {
    /// Charges `stage` with the thread's CPU time since `since` (a `thread_cpu()` reading)
    /// and returns the reading it took, for the next stage to start from.
    fn add(&mut self, stage: &'static str, since: Duration) -> Duration {
        let now = crate::thread_cpu();
        self.charge(stage, now.saturating_sub(since));
        now
    }
    /// Charges `stage` with CPU time measured elsewhere (another thread's).
    fn charge(&mut self, stage: &'static str, cpu: Duration) {
        *self.0.entry(stage).or_default() += cpu.as_nanos() as u64;
    }
    fn merge(&mut self, o: &StageTimes) {
        for (k, v) in &o.0 {
            *self.0.entry(k).or_default() += v;
        }
    }
}

/// The stages of one document, timed: the thread's CPU clock is read when the document
/// starts and when its last stage has ended, the wall clock at every stage's end, and each
/// stage is charged the document's CPU time in proportion to its share of the wall time.
/// The thread's CPU clock is a system call and the wall clock is not: two readings of it per
/// document rather than one per stage. Within a document a worker does no I/O and seldom
/// waits (a resource loaded once, on first use), so its wall time is CPU time but for the
/// moments it is off a core, which fall on each stage in proportion to its length and so
/// leave the shares as they are.
#[derive(Default)]
struct Laps {
    /// the thread's CPU clock when the document started
    start: Option<Duration>,
    /// each stage ended so far, with its wall time
    laps: Vec<(&'static str, Duration)>,
    /// the wall clock when the last stage ended
    last: Option<Instant>,
}

impl Laps {
    fn start(&mut self) {
        self.start = Some(crate::thread_cpu());
        self.last = Some(Instant::now());
    }

    fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        let since = self.last.unwrap_or(now);
        self.laps
            .push((stage, now.saturating_duration_since(since)));
        self.last = Some(now);
    }

    /// Charges the stages ended so far (all of them, unless one panicked) with their shares
    /// of the CPU time the document has taken.
    fn charge(self, times: &mut StageTimes) {
        let Some(cpu0) = self.start else {
            return;
        };
        let cpu = crate::thread_cpu().saturating_sub(cpu0);
        for (stage, share) in shares(cpu, &self.laps) {
            times.charge(stage, share);
        }
    }
}

/// `cpu` shared among `laps` in proportion to their wall times (evenly when the wall clock
/// saw none of them take any time).
fn shares(cpu: Duration, laps: &[(&'static str, Duration)]) -> Vec<(&'static str, Duration)> {
    let cpu = cpu.as_nanos();
    let wall: u128 = laps.iter().map(|(_, d)| d.as_nanos()).sum();
    laps.iter()
        .map(|(stage, d)| {
            let share = match wall {
                0 => cpu / laps.len() as u128,
                w => cpu * d.as_nanos() / w,
            };
            (*stage, Duration::from_nanos(share as u64))
        })
        .collect()
}

pub enum Outcome {
    Doc(Box<DocRows>),
    Reject(RejectRow),
    /// Unchanged since the dataset this run builds on: its rows are carried over.
    Reused(Reused),
}

/// What one input became, with what the manifest records of it.
pub struct Processed {
    pub input: InputEntry,
    /// The sha256 of its bytes.
    pub sha256: [u8; 32],
    pub outcome: Outcome,
}

/// Runs every stage on one document. Never panics outward: a panic inside a stage becomes a
/// reject naming the document, so one bad input cannot take the run down.
pub fn process(raw: RawDoc, res: &Resources, times: &mut StageTimes) -> Processed {
    let sha = hash(&raw, times);
    process_or_reuse(raw, &sha, res, None, RowOptions::default(), times)
}

/// `process`, with what the stages changed (what `govtext inspect` shows).
pub fn process_traced(
    raw: RawDoc,
    res: &Resources,
    times: &mut StageTimes,
) -> (Result<DocRows, RejectRow>, Trace) {
    let mut trace = Trace::default();
    let sha = hash(&raw, times);
    let (sha, id) = (crate::sink::writer::hex(&sha), doc_id_of(&sha));
    // inspect shows the text before conversion too
    let keep = RowOptions {
        keep_original: true,
    };
    let result = run_stages(raw, res, &sha, &id, keep, Some(&mut trace), times);
    (result, trace)
}

/// The input's sha256, which names it (`doc_id`) and finds its duplicates.
fn hash(raw: &RawDoc, times: &mut StageTimes) -> [u8; 32] {
    let t = crate::thread_cpu();
    let sha = Sha256::digest(&raw.bytes).into();
    times.add("hash", t);
    sha
}

/// The doc_id of the input with this sha256: its first 16 hex digits.
fn doc_id_of(sha: &[u8; 32]) -> String {
    crate::sink::writer::hex(&sha[..8])
}

/// `process` (the input's sha256 already taken), unless `prev` (the dataset an incremental
/// run builds on) already holds this input's rows: then the document is only named, not
/// processed.
///
/// Takes the input by value: its bytes are let go (or become the text, when they are UTF-8)
/// as soon as they are decoded, so a huge document is not held once more to the end.
fn process_or_reuse(
    raw: RawDoc,
    sha256: &[u8; 32],
    res: &Resources,
    prev: Option<&Previous>,
    options: RowOptions,
    times: &mut StageTimes,
) -> Processed {
    let (sha, id) = (crate::sink::writer::hex(sha256), doc_id_of(sha256));
    let mut input = InputEntry {
        path: raw.source_path.clone(),
        bytes: Some(raw.bytes.len() as u64),
        sha256: Some(sha.clone()),
        doc_id: None,
        reject: None,
        partition: None,
        order: None,
    };
    if let Some(r) = prev.and_then(|p| p.reusable(&raw.source_path, &sha)) {
        return Processed {
            input: InputEntry {
                doc_id: Some(r.doc_id.clone()),
                partition: Some(r.partition.clone()),
                ..input
            },
            sha256: *sha256,
            outcome: Outcome::Reused(r),
        };
    }
    let outcome = match run_stages(raw, res, &sha, &id, options, None, times) {
        Ok(rows) => {
            input.doc_id = Some(rows.document.doc_id.clone());
            input.partition = Some(rows.partition.dir());
            Outcome::Doc(Box::new(rows))
        }
        Err(r) => {
            input.reject = Some(r.reason.as_str().into());
            Outcome::Reject(r)
        }
    };
    Processed {
        input,
        sha256: *sha256,
        outcome,
    }
}

/// The stages of `govtext_core`, with each stage's CPU time charged and a panic turned into
/// a reject.
fn run_stages(
    mut raw: RawDoc,
    res: &Resources,
    sha: &str,
    id: &str,
    options: RowOptions,
    trace: Option<&mut Trace>,
    times: &mut StageTimes,
) -> Result<DocRows, RejectRow> {
    let source_bytes = raw.bytes.len();
    let mut laps = Laps::default();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let input = crate::process::Input {
            source_path: raw.source_path.clone(),
            source_bytes,
            doc_id: id.to_string(),
            sha256: sha.to_string(),
            bytes: std::mem::take(&mut raw.bytes),
            text: raw.text.take(),
            html: raw.format == Format::Html,
            hints: std::mem::take(&mut raw.hints),
            keep_original: options.keep_original,
        };
        laps.start();
        res.process(input, trace, &mut |stage| laps.lap(stage))
    }));
    laps.charge(times);
    result.unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        // `source_bytes` is passed, not read from `raw`: the stages took the bytes out of it
        Err(RejectRow::in_stage(
            &raw.source_path,
            source_bytes,
            "pipeline",
            Reason::InternalError,
            format!("internal error (please report): {what}"),
        ))
    })
}

/// Where a run's files go: a staging directory published over the output, or a shard's
/// directory that `govtext commit` publishes with the other shards.
enum Target {
    Dataset(Staging),
    Shard(ShardStaging),
    /// A dataset in object storage, staged in a local directory first.
    Store(StoreStaging),
}

impl Target {
    fn dir(&self) -> &std::path::Path {
        match self {
            Target::Dataset(s) => &s.dir,
            Target::Shard(s) => &s.dir,
            Target::Store(s) => &s.staging.dir,
        }
    }
}

/// A run into object storage: the dataset is written in a local temporary directory, then
/// published into the store (`govtext_dataset::store`), and the directory removed.
struct StoreStaging {
    url: String,
    /// the temporary directory holding the staging directory and its lock
    scratch: std::path::PathBuf,
    staging: Staging,
}

impl StoreStaging {
    fn begin(url: &str) -> Result<StoreStaging> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let scratch = std::env::temp_dir().join(format!("govtext-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&scratch)
            .with_context(|| format!("creating {}", scratch.display()))?;
        let staging = Staging::begin(&scratch.join("out"))?;
        Ok(StoreStaging {
            url: url.to_string(),
            scratch,
            staging,
        })
    }

    #[cfg(feature = "cloud")]
    fn publish(self, manifest: &Manifest) -> Result<bool> {
        govtext_dataset::store::Remote::open(&self.url)?.publish(&self.staging.dir, manifest)
    }

    #[cfg(not(feature = "cloud"))]
    fn publish(self, _manifest: &Manifest) -> Result<bool> {
        anyhow::bail!(
            "{}: this govtext was built without the `cloud` feature (object storage)",
            self.url
        )
    }
}

impl Drop for StoreStaging {
    /// The local copy goes once published, or when the run fails.
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

/// What the reader hands the workers, numbered in input order.
enum Job {
    /// A document to process, with its sha256 (the reader hashes every input to find the
    /// copies of earlier ones before any stage runs on them).
    Doc(u64, RawDoc, [u8; 32]),
    /// An input the source already rejected: passed through to keep its place in the order.
    Rejected(u64, RejectRow),
    /// The same bytes as an earlier input: not processed; what it becomes is decided in
    /// order, once the earlier input's outcome is known.
    Copy(u64, Copy),
}

/// An input whose bytes an earlier input of the run already had.
struct Copy {
    source_path: String,
    bytes: u64,
    sha: [u8; 32],
}

/// What a worker hands the writer for one input.
enum Done {
    Processed(Processed),
    Rejected(RejectRow),
    Copy(Copy),
}

/// What a caller sees of a run while it goes (the command line draws a progress line from
/// it; the library itself prints nothing).
pub trait Observer {
    /// Inputs done so far (documents and rejects, in input order) and their bytes.
    fn progress(&mut self, _inputs: u64, _bytes: u64) {}
    /// Every input is done; what remains is writing the last files and publishing.
    fn inputs_done(&mut self) {}
}

/// Watches nothing.
impl Observer for () {}

/// Runs the whole job: inputs → staging dataset → atomic publish.
pub fn run(cfg: &Config) -> Result<RunReport> {
    run_observed(cfg, &mut ())
}

/// What the reader reads: files and directories (the command line's inputs, a shard's
/// share of them), or documents already in memory (the Python package's).
pub enum Source {
    Paths {
        inputs: Vec<std::path::PathBuf>,
        opts: SourceOptions,
        shard: Option<Shard>,
    },
    Items(Vec<Item>),
}

/// Where each input's outcome goes, in input order: a dataset's writer and inputs log, or
/// memory (`Collected`).
pub trait Accept {
    fn document(&mut self, rows: DocRows) -> Result<()>;
    fn reject(&mut self, r: RejectRow);
    /// What the manifest records of the input, once its outcome is handed over.
    fn input(&mut self, e: &InputEntry) -> Result<()>;
}

/// The run's writer and inputs log.
struct ToDataset<'a> {
    writer: &'a mut DatasetWriter,
    log: &'a mut InputsLog,
}

impl Accept for ToDataset<'_> {
    fn document(&mut self, rows: DocRows) -> Result<()> {
        self.writer.add(rows)
    }
    fn reject(&mut self, r: RejectRow) {
        self.writer.reject(r)
    }
    fn input(&mut self, e: &InputEntry) -> Result<()> {
        self.log.push(e)
    }
}

/// Every outcome of a run held in memory, in input order: what `collect` returns.
#[derive(Default)]
pub struct Collected {
    pub documents: Vec<DocRows>,
    pub rejects: Vec<RejectRow>,
    pub inputs: Vec<InputEntry>,
}

impl Accept for Collected {
    fn document(&mut self, rows: DocRows) -> Result<()> {
        self.documents.push(rows);
        Ok(())
    }
    fn reject(&mut self, r: RejectRow) {
        self.rejects.push(r)
    }
    fn input(&mut self, e: &InputEntry) -> Result<()> {
        self.inputs.push(e.clone());
        Ok(())
    }
}

/// The rows a run over `source` writes, held in memory instead (the Python package's
/// `process`): the same stages, the same duplicates and rejects, in input order.
pub fn collect(source: Source, jobs: usize, options: RowOptions) -> Result<(Collected, RunReport)> {
    let started = Instant::now();
    let cpu_at_start = crate::process_cpu();
    let mut report = RunReport::default();
    let mut out = Collected::default();
    let driven = drive(
        source,
        jobs,
        Window::for_workers(jobs),
        None,
        options,
        &mut out,
        &mut (),
        &mut report,
        crate::thread_cpu(),
    )?;
    report.stage_times.add("commit", driven.clock);
    report.elapsed = started.elapsed();
    report.cpu = crate::process_cpu().saturating_sub(cpu_at_start);
    Ok((out, report))
}

/// The stages' shared resources (dictionaries, gazetteer, patterns), loaded once per
/// process: a library caller (the Python package mapped over batches by Ray or Spark) runs
/// many small jobs, and loading them took 0.14 s a job.
pub fn resources() -> Arc<Resources> {
    static RES: std::sync::OnceLock<Arc<Resources>> = std::sync::OnceLock::new();
    RES.get_or_init(|| Arc::new(Resources::load())).clone()
}

/// What `drive` leaves for the rest of a run.
struct Driven {
    /// The previous documents kept (their rows are carried).
    kept: HashSet<String>,
    /// A shard's listing of every input of the run: its sha256 and length.
    listing: Option<(String, u64)>,
    /// This thread's CPU clock when the inputs were done.
    clock: Duration,
}

/// The reader, the workers and the hand-over in input order: every input's outcome reaches
/// `sink` in the order of the inputs, whatever the threads' timing.
#[allow(clippy::too_many_arguments)]
fn drive(
    source: Source,
    jobs: usize,
    window: Window,
    prev: Option<Arc<Previous>>,
    options: RowOptions,
    sink: &mut dyn Accept,
    observer: &mut dyn Observer,
    report: &mut RunReport,
    setup_from: Duration,
) -> Result<Driven> {
    let jobs = jobs.max(1);
    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(window.docs);
    let job_rx = Arc::new(std::sync::Mutex::new(job_rx));
    let (res_tx, res_rx) = mpsc::sync_channel::<Vec<Finished>>(window.docs);
    // how many inputs have been put in order, back to the reader: it counts what it has in
    // flight (`InFlight`). A batch at a time, so that the reader is not woken for each one
    let (back_tx, back_rx) = mpsc::channel::<usize>();
    let batch = (window.docs / 4).max(1);
    let mut owed = 0;
    let shard = match &source {
        Source::Paths { shard, .. } => *shard,
        Source::Items(_) => None,
    };
    let (order_tx, order_rx) = mpsc::channel::<[u64; 2]>();
    let orders = shard.map(|_| order_rx);
    let reader = std::thread::Builder::new()
        .name("govtext-reader".into())
        .spawn(move || {
            let t = crate::thread_cpu();
            let read = match source {
                Source::Paths {
                    inputs,
                    opts,
                    shard,
                } => {
                    let split = shard.map(|s| (s, order_tx));
                    read_all(&inputs, &opts, &job_tx, window, &back_rx, split)
                }
                Source::Items(items) => read_items(items, &job_tx, window, &back_rx),
            };
            (crate::thread_cpu().saturating_sub(t), read)
        })?;
    // the dictionaries are loaded while the reader reads the first inputs (it needs none of
    // them): the workers start on a full window rather than on an empty one
    let res = resources();
    let mut workers = Vec::new();
    for w in 0..jobs {
        let rx = Arc::clone(&job_rx);
        let tx = res_tx.clone();
        let res = Arc::clone(&res);
        let prev = prev.clone();
        workers.push(
            std::thread::Builder::new()
                .name(format!("govtext-worker-{w}"))
                .spawn(move || work(&rx, &tx, &res, prev.as_deref(), options))?,
        );
    }
    drop(res_tx);
    let mut kept: HashSet<String> = Default::default();
    let mut pending: BTreeMap<u64, Done> = BTreeMap::new();
    let mut next = 0u64;
    // the inputs a stage rejected, by sha256: a copy of one is rejected the same way; a copy
    // of any other input is a duplicate of the document it became
    let mut rejected: HashMap<[u8; 32], RejectRow> = HashMap::new();
    // this thread so far: the lock, the previous dataset, the dictionaries, the threads
    let t = report.stage_times.add("setup", setup_from);
    loop {
        let finished = match res_rx.try_recv() {
            Ok(f) => f,
            Err(mpsc::TryRecvError::Disconnected) => break,
            Err(mpsc::TryRecvError::Empty) => {
                // about to wait: what is in order goes back first. Else the reader, waiting
                // for room with fewer than a batch in flight (a few inputs fill the window's
                // bytes), and this thread would wait for each other
                if owed > 0 {
                    let _ = back_tx.send(std::mem::take(&mut owed));
                }
                match res_rx.recv() {
                    Ok(f) => f,
                    Err(_) => break,
                }
            }
        };
        for (seq, done, times) in finished {
            report.stage_times.merge(&times);
            pending.insert(seq, done);
            while let Some(done) = pending.remove(&next) {
                next += 1;
                owed += 1;
                if owed == batch {
                    let _ = back_tx.send(std::mem::take(&mut owed));
                }
                // a shard's inputs carry their place in the whole listing (the reader sent it
                // before the input's job, so it is there)
                let order = match &orders {
                    Some(rx) => Some(rx.recv().context("the reader stopped")?),
                    None => None,
                };
                match done {
                    Done::Processed(p) => {
                        report.input_bytes += p.input.bytes.unwrap_or(0);
                        accept(p, order, sink, &mut rejected, &mut kept, report)?
                    }
                    Done::Rejected(r) => record_reject(r, None, order, sink, report)?,
                    Done::Copy(c) => {
                        report.input_bytes += c.bytes;
                        let r = copy_reject(&c, &rejected);
                        let sha = Some(crate::sink::writer::hex(&c.sha));
                        record_reject(r, sha, order, sink, report)?
                    }
                }
                observer.progress(report.documents + report.rejects, report.input_bytes);
            }
        }
    }
    observer.inputs_done();
    // putting documents in order, dropping duplicates, buffering rows, the inputs log
    let clock = report.stage_times.add("accept", t);
    let read = reader
        .join()
        .map_err(|_| anyhow::anyhow!("the reader thread panicked"))?;
    // the reader's time less its hashing, charged as a stage of its own
    let (read, Read { hashing, listing }) = read;
    let hashed = Duration::from_nanos(hashing.0.values().sum());
    report
        .stage_times
        .charge("read", read.saturating_sub(hashed));
    report.stage_times.merge(&hashing);
    for w in workers {
        w.join()
            .map_err(|_| anyhow::anyhow!("a worker thread panicked"))?;
    }
    Ok(Driven {
        kept,
        listing,
        clock,
    })
}

/// `run`, telling `observer` how far it has got.
pub fn run_observed(cfg: &Config, observer: &mut dyn Observer) -> Result<RunReport> {
    let started = Instant::now();
    let cpu_at_start = crate::process_cpu();
    let setup_from = crate::thread_cpu();
    let remote = cfg
        .output
        .to_str()
        .filter(|s| govtext_dataset::is_store_url(s))
        .map(str::to_string);
    let target = match (&remote, cfg.shard) {
        (Some(url), Some(_)) => anyhow::bail!(
            "--shard writes beside its output on a shared filesystem; {url} is in object storage: write the shards to a folder, or run once into the store"
        ),
        (Some(url), None) => Target::Store(StoreStaging::begin(url)?),
        (None, Some(shard)) => Target::Shard(ShardStaging::begin(&cfg.output, shard)?),
        (None, None) => Target::Dataset(Staging::begin(&cfg.output)?),
    };
    let staging_dir = target.dir().to_path_buf();
    // what of the committed dataset this run can keep (under the lock: nothing changes it)
    let options = cfg.row_options();
    let prev = if let Some(shard) = cfg.shard {
        Err(format!(
            "shard {shard}: a shard processes every input it is given"
        ))
    } else if let Some(url) = &remote {
        Err(format!(
            "{url} is in object storage: every input is processed, the unchanged files are not uploaded again"
        ))
    } else if cfg.full_refresh {
        Err("--full-refresh".to_string())
    } else {
        Previous::load(&cfg.output, &crate::TOOL, options)
    };
    let mut report = RunReport::default();
    let prev = match prev {
        Ok(p) => Some(Arc::new(p)),
        Err(why) => {
            report.full_because = Some(why);
            None
        }
    };
    // a full run processes every input: repair's tables (the language model) load while
    // this thread loads the other resources, rather than in the first worker to meet a
    // damaged document, with the others waiting for it or idle. A rerun that keeps the
    // previous rows may process nothing, and loads them only if a document needs them
    let warm = match prev {
        Some(_) => None,
        None => Some(
            std::thread::Builder::new()
                .name("govtext-warm".into())
                .spawn(|| {
                    govtext_core::repair::warm();
                    crate::thread_cpu()
                })?,
        ),
    };
    let mut writer = DatasetWriter::new(
        staging_dir.clone(),
        WriterLimits {
            encoders: cfg.jobs.max(1),
            ..WriterLimits::default()
        },
    );
    if let Some(s) = cfg.shard {
        writer.part_prefix(&s.part_prefix());
    }
    if let Some(p) = &prev {
        writer.number_after(p.data_files());
    }
    let mut inputs_log = InputsLog::create(&staging_dir)?;
    let source = Source::Paths {
        inputs: cfg.inputs.clone(),
        opts: SourceOptions {
            max_bytes: cfg.max_bytes,
        },
        shard: cfg.shard,
    };
    let mut sink = ToDataset {
        writer: &mut writer,
        log: &mut inputs_log,
    };
    let driven = drive(
        source,
        cfg.jobs,
        Window::for_workers(cfg.jobs),
        prev.clone(),
        options,
        &mut sink,
        observer,
        &mut report,
        setup_from,
    )?;
    if let Some(warm) = warm {
        let warmed = warm
            .join()
            .map_err(|_| anyhow::anyhow!("loading repair's tables panicked"))?;
        report.stage_times.charge("setup", warmed);
    }
    if let Some(p) = &prev {
        let carried = p.carry(&staging_dir, &driven.kept, writer.limits())?;
        writer.carried(carried);
    }
    let (files, encoding) = writer.finish()?;
    // the encoder threads' time is the write stage; what follows on this thread (the last
    // files, the manifest, the publish) is the commit
    report.stage_times.charge("write", encoding);
    let mut manifest = Manifest::new(files, inputs_log.finish()?, &crate::TOOL, options);
    report.tables = manifest
        .tables
        .iter()
        .map(|(k, v)| (k.clone(), v.rows))
        .collect();
    match target {
        Target::Dataset(staging) => report.unchanged = !staging.publish(&manifest)?,
        Target::Store(staging) => report.unchanged = !staging.publish(&manifest)?,
        Target::Shard(staging) => {
            let (listing_sha256, listed) = driven
                .listing
                .context("a shard's reader keeps the listing")?;
            let shard = cfg.shard.expect("a shard's target");
            manifest.shard = Some(ShardInfo {
                index: shard.index,
                count: shard.count,
                listing_sha256,
                listed,
            });
            staging.finish(&manifest)?;
        }
    }
    report.stage_times.add("commit", driven.clock);
    report.elapsed = started.elapsed();
    report.cpu = crate::process_cpu().saturating_sub(cpu_at_start);
    Ok(report)
}

fn accept(
    mut p: Processed,
    order: Option<[u64; 2]>,
    sink: &mut dyn Accept,
    rejected: &mut HashMap<[u8; 32], RejectRow>,
    kept: &mut HashSet<String>,
    report: &mut RunReport,
) -> Result<()> {
    match p.outcome {
        Outcome::Reused(r) => {
            kept.insert(r.doc_id);
            report.documents += 1;
            report.reused += 1;
        }
        Outcome::Doc(rows) => {
            report.documents += 1;
            sink.document(*rows)?;
        }
        Outcome::Reject(r) => {
            report.count_reject(r.reason);
            rejected.insert(p.sha256, r.clone());
            sink.reject(r);
        }
    }
    p.input.order = order;
    sink.input(&p.input)
}

/// What became of one input: its place in the order, what it became, the stages' times.
type Finished = (u64, Done, StageTimes);

/// Finished inputs a worker hands over at once: each hand-over may wake the thread that puts them
/// in order, and a wake-up per document cost more than the hand-over itself.
const FINISHED_AT_ONCE: usize = 8;

/// A worker: takes the reader's jobs until there are none, hands back what each became.
fn work(
    jobs: &std::sync::Mutex<Receiver<Job>>,
    done: &SyncSender<Vec<Finished>>,
    res: &Resources,
    prev: Option<&Previous>,
    options: RowOptions,
) {
    let mut ready: Vec<Finished> = Vec::with_capacity(FINISHED_AT_ONCE);
    // hands over what is ready, if anything; false once the run takes nothing more
    let hand_over =
        |ready: &mut Vec<Finished>| ready.is_empty() || done.send(std::mem::take(ready)).is_ok();
    loop {
        // a worker never waits, for the jobs or for their lock (another worker waiting on
        // the jobs holds it), with inputs finished: the reader may be waiting for room in
        // the window they make once put in order, and the jobs for the reader
        let guard = match jobs.try_lock() {
            Ok(guard) => guard,
            Err(std::sync::TryLockError::WouldBlock) => {
                if !hand_over(&mut ready) {
                    return;
                }
                match jobs.lock() {
                    Ok(guard) => guard,
                    Err(_) => break,
                }
            }
            Err(std::sync::TryLockError::Poisoned(_)) => break,
        };
        let job = match guard.try_recv() {
            Ok(job) => Ok(job),
            Err(mpsc::TryRecvError::Disconnected) => break,
            Err(mpsc::TryRecvError::Empty) => {
                if !hand_over(&mut ready) {
                    return;
                }
                guard.recv()
            }
        };
        drop(guard);
        let Ok(job) = job else { break };
        let mut times = StageTimes::default();
        let msg = match job {
            Job::Doc(seq, raw, sha) => {
                let p = process_or_reuse(raw, &sha, res, prev, options, &mut times);
                (seq, Done::Processed(p), times)
            }
            Job::Rejected(seq, r) => (seq, Done::Rejected(r), times),
            Job::Copy(seq, c) => (seq, Done::Copy(c), times),
        };
        ready.push(msg);
        if ready.len() == FINISHED_AT_ONCE && !hand_over(&mut ready) {
            return;
        }
    }
    hand_over(&mut ready);
}

/// An input that became a reject before any stage ran: counted, listed in the manifest's
/// inputs (with its sha256 when it was read) and written to `rejects`.
fn record_reject(
    r: RejectRow,
    sha256: Option<String>,
    order: Option<[u64; 2]>,
    sink: &mut dyn Accept,
    report: &mut RunReport,
) -> Result<()> {
    sink.input(&InputEntry {
        path: r.source_path.clone(),
        bytes: r.source_bytes.map(|b| b as u64),
        sha256,
        doc_id: None,
        reject: Some(r.reason.as_str().into()),
        partition: None,
        order,
    })?;
    report.count_reject(r.reason);
    sink.reject(r);
    Ok(())
}

/// The reject a copy of an earlier input becomes: the same as that input's when a stage
/// rejected it (the same reason, the message naming the copy: what running the stages again
/// on the same bytes would give), otherwise a `duplicate` naming the document kept.
fn copy_reject(c: &Copy, rejected: &HashMap<[u8; 32], RejectRow>) -> RejectRow {
    match rejected.get(&c.sha) {
        Some(reject) => {
            // the stage's message with the copy's path in place of the first's
            let why = reject
                .message
                .strip_prefix(reject.source_path.as_str())
                .unwrap_or(&reject.message);
            RejectRow {
                source_path: c.source_path.clone(),
                source_bytes: Some(c.bytes as i64),
                message: format!("{}{why}", c.source_path),
                ..reject.clone()
            }
        }
        // the reader sends a copy only after its first, and results are taken in input
        // order: that first became a document (or was carried over from the last run)
        None => RejectRow::duplicate(&c.source_path, Some(c.bytes), &doc_id_of(&c.sha)),
    }
}

/// What the reader leaves: the time it spent hashing, and for a shard the listing of every
/// input of the run (its sha256 and length: see `ShardInfo`).
struct Read {
    hashing: StageTimes,
    listing: Option<(String, u64)>,
}

/// How much may be in flight between the reader and the thread that puts outcomes in
/// order: inputs read and not yet put in order. An input that takes long (a damaged one,
/// searched) holds up every later one: they wait, processed, until it is done, and once the
/// window is full the other workers wait with it (32 inputs left a core idle for a tenth
/// of a run on the bench corpus). So the window is wide in inputs (the other workers go on
/// through hundreds while one is searched) and bounded in bytes, which keeps what it holds
/// of large inputs, and of the rows made from them, small.
#[derive(Debug, Clone, Copy)]
struct Window {
    docs: usize,
    /// input bytes; one input of any size is let through alone
    bytes: u64,
}

impl Window {
    fn for_workers(jobs: usize) -> Window {
        let jobs = jobs.max(1);
        Window {
            docs: (jobs * 128).max(256),
            bytes: (jobs as u64 * (4 << 20)).max(8 << 20),
        }
    }
}

/// The reader's account of what it has in flight: the size of each input sent, in order, less
/// the inputs put in order since, whose counts come back on `back`.
struct InFlight<'a> {
    window: Window,
    sizes: std::collections::VecDeque<u64>,
    bytes: u64,
    back: &'a Receiver<usize>,
}

impl<'a> InFlight<'a> {
    fn new(window: Window, back: &'a Receiver<usize>) -> InFlight<'a> {
        InFlight {
            window,
            sizes: Default::default(),
            bytes: 0,
            back,
        }
    }

    /// Never with nothing in flight: a window holds one input and one byte at least.
    fn full(&self) -> bool {
        self.sizes.len() >= self.window.docs || self.bytes >= self.window.bytes
    }

    /// The first `n` inputs in flight are in order now.
    fn returned(&mut self, n: usize) {
        let n = n.min(self.sizes.len());
        self.bytes -= self.sizes.drain(..n).sum::<u64>();
    }

    /// Waits until another input may be sent; false once the run takes nothing more.
    fn wait_for_room(&mut self) -> bool {
        loop {
            match self.back.try_recv() {
                Ok(n) => self.returned(n),
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => return false,
            }
        }
        while self.full() {
            match self.back.recv() {
                Ok(n) => self.returned(n),
                Err(_) => return false,
            }
        }
        true
    }

    fn sent(&mut self, bytes: u64) {
        self.sizes.push_back(bytes);
        self.bytes += bytes;
    }
}

/// The reader's hand-over to the workers: each input numbered in order and hashed (a copy
/// of earlier bytes is sent as a `Copy`), sent once the window has room.
struct Feed<'a> {
    tx: &'a SyncSender<Job>,
    flight: InFlight<'a>,
    seq: u64,
    /// the first 128 bits of the sha256 of every input read, all a run holds that grows
    /// with the corpus: 16 bytes per input (the whole hash was 8.7 MB of a run over 200,000
    /// inputs); two inputs that differ share them with a chance of 2^-128 a pair
    seen: HashSet<u128>,
    times: StageTimes,
}

impl<'a> Feed<'a> {
    fn new(tx: &'a SyncSender<Job>, window: Window, back: &'a Receiver<usize>) -> Feed<'a> {
        Feed {
            tx,
            flight: InFlight::new(window, back),
            seq: 0,
            seen: HashSet::new(),
            times: StageTimes::default(),
        }
    }

    /// Sends `item` as its job; false once the run has stopped taking them.
    fn send(&mut self, item: Item) -> bool {
        if !self.flight.wait_for_room() {
            return false;
        }
        let seq = self.seq;
        self.seq += 1;
        let job = match item {
            Item::Doc(d) => {
                let sha = hash(&d, &mut self.times);
                let key = u128::from_le_bytes(sha[..16].try_into().expect("16 bytes"));
                if self.seen.insert(key) {
                    Job::Doc(seq, d, sha)
                } else {
                    Job::Copy(
                        seq,
                        Copy {
                            source_path: d.source_path,
                            bytes: d.bytes.len() as u64,
                            sha,
                        },
                    )
                }
            }
            Item::Reject(r) => Job::Rejected(seq, r),
        };
        self.flight.sent(match &job {
            Job::Doc(_, d, _) => d.bytes.len() as u64,
            // a copy's bytes and a reject's are not held
            Job::Copy(..) | Job::Rejected(..) => 0,
        });
        self.tx.send(job).is_ok()
    }
}

/// Hands documents already in memory to the workers, in order.
fn read_items(
    items: Vec<Item>,
    tx: &SyncSender<Job>,
    window: Window,
    back: &Receiver<usize>,
) -> Read {
    let mut feed = Feed::new(tx, window, back);
    for item in items {
        if !feed.send(item) {
            break;
        }
    }
    Read {
        hashing: feed.times,
        listing: None,
    }
}

/// Reads the inputs (a shard: only its own, each with its place in the whole listing sent
/// to `split`'s channel before its job) and hands them to the workers in order.
fn read_all(
    inputs: &[std::path::PathBuf],
    opts: &SourceOptions,
    tx: &SyncSender<Job>,
    window: Window,
    back: &Receiver<usize>,
    split: Option<(Shard, mpsc::Sender<[u64; 2]>)>,
) -> Read {
    let mut feed = Feed::new(tx, window, back);
    let mut alive = true;
    let mut listing = Sha256::new();
    let mut listed = 0u64;
    source::expand_keyed(inputs, |key, entry| {
        if !alive {
            return;
        }
        let file = listed;
        listed += 1;
        listing.update(key.as_bytes());
        listing.update(b"\n");
        // a shard reads only its own inputs; each of their items says where it stands
        let mut record = 0u64;
        let mut place = |split: &Option<(Shard, mpsc::Sender<[u64; 2]>)>| {
            if let Some((_, orders)) = split {
                let _ = orders.send([file, record]);
                record += 1;
            }
        };
        if let Some((shard, _)) = &split {
            if !shard.owns(key) {
                return;
            }
        }
        match entry {
            Ok(path) => source::read(&path, opts, |item| {
                if alive {
                    place(&split);
                    alive = feed.send(item);
                }
            }),
            Err(item) => {
                place(&split);
                alive = feed.send(item)
            }
        }
    });
    Read {
        hashing: feed.times,
        listing: split.map(|_| (crate::sink::writer::hex(&listing.finalize()), listed)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document's CPU time goes to its stages by their wall times, all of it but the
    /// nanoseconds the division rounds away; evenly when the wall clock saw no time pass.
    #[test]
    fn a_documents_cpu_time_is_shared_by_its_stages_wall_times() {
        let ms = Duration::from_millis;
        let laps = [("decode", ms(1)), ("repair", ms(3)), ("extract", ms(4))];
        let got = shares(ms(16), &laps);
        assert_eq!(
            got,
            vec![("decode", ms(2)), ("repair", ms(6)), ("extract", ms(8))]
        );
        let odd = shares(Duration::from_nanos(10), &laps);
        assert_eq!(
            odd.iter().map(|(_, d)| d.as_nanos()).collect::<Vec<_>>(),
            vec![1, 3, 5]
        );
        let unseen = [("decode", Duration::ZERO), ("repair", Duration::ZERO)];
        assert_eq!(
            shares(ms(6), &unseen),
            vec![("decode", ms(3)), ("repair", ms(3))]
        );
        assert!(shares(ms(6), &[]).is_empty());
    }

    /// The reader hashes every input and sends a copy of earlier bytes as a `Copy`: no stage
    /// ever runs on it.
    #[test]
    fn copies_are_found_before_any_stage() {
        let tmp = tempfile::tempdir().unwrap();
        let text = "柳塘县新闻\n今天开会。\n";
        std::fs::write(tmp.path().join("a.txt"), text).unwrap();
        std::fs::write(tmp.path().join("b.txt"), "岚溪县新闻\n").unwrap();
        std::fs::write(tmp.path().join("c.txt"), text).unwrap();
        let (tx, rx) = mpsc::sync_channel::<Job>(8);
        let (_back_tx, back_rx) = mpsc::channel();
        read_all(
            &[tmp.path().to_path_buf()],
            &SourceOptions::default(),
            &tx,
            Window {
                docs: 8,
                bytes: 1 << 20,
            },
            &back_rx,
            None,
        );
        drop(tx);
        let jobs: Vec<String> = rx
            .iter()
            .map(|j| match j {
                Job::Doc(seq, d, _) => format!("{seq} doc {}", name(&d.source_path)),
                Job::Copy(seq, c) => format!("{seq} copy {} {}", name(&c.source_path), c.bytes),
                Job::Rejected(seq, r) => format!("{seq} reject {}", name(&r.source_path)),
            })
            .collect();
        let n = text.len();
        assert_eq!(
            jobs,
            vec![
                "0 doc a.txt".to_string(),
                "1 doc b.txt".to_string(),
                format!("2 copy c.txt {n}")
            ]
        );
    }

    fn name(p: &str) -> &str {
        p.rsplit('/').next().unwrap()
    }

    /// What `run` collected, run on a thread of its own; the test fails if it has not ended
    /// within `secs` (a stall is what these tests look for).
    fn ends_within(
        secs: u64,
        jobs: usize,
        run: impl FnOnce() -> Result<Collected> + Send + 'static,
    ) -> Collected {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(run());
        });
        rx.recv_timeout(Duration::from_secs(secs))
            .unwrap_or_else(|_| panic!("{jobs} workers: the run did not end"))
            .unwrap()
    }

    /// Every input `in/000.txt`… of `n` came back once, in order.
    fn assert_in_order(out: &Collected, n: usize, jobs: usize) {
        let paths: Vec<&str> = out.inputs.iter().map(|e| e.path.as_str()).collect();
        let expected: Vec<String> = (0..n).map(|i| format!("in/{i:03}.txt")).collect();
        assert_eq!(paths, expected, "{jobs} workers");
    }

    /// Workers hand over several finished inputs at once: with many more inputs than the
    /// window holds, and any number of workers, every input comes back once, in order —
    /// and the run ends (a worker that waited with inputs finished would stall it).
    #[test]
    fn many_inputs_come_back_in_order_whatever_the_workers() {
        for jobs in [1, 2, 3, 5] {
            let items: Vec<Item> = (0..300)
                .map(|i| {
                    let text = format!("柳塘县新闻\n第{i}条消息。全县完成投资{i}亿元。\n");
                    let doc = RawDoc {
                        source_path: format!("in/{i:03}.txt"),
                        bytes: text.into_bytes(),
                        format: Format::Text,
                        text: None,
                        hints: Default::default(),
                    };
                    // every tenth input rejected before any stage: it keeps its place too
                    if i % 10 == 9 {
                        Item::Reject(RejectRow::in_stage(
                            &format!("in/{i:03}.txt"),
                            10,
                            "source",
                            Reason::Undecodable,
                            "unreadable".into(),
                        ))
                    } else {
                        Item::Doc(doc)
                    }
                })
                .collect();
            let out = ends_within(120, jobs, move || {
                collect(Source::Items(items), jobs, RowOptions::default()).map(|(out, _)| out)
            });
            assert_in_order(&out, 300, jobs);
            assert_eq!(
                (out.documents.len(), out.rejects.len()),
                (270, 30),
                "{jobs} workers"
            );
            let last = out
                .documents
                .last()
                .map(|d| d.document.source_path.as_str());
            assert_eq!(last, Some("in/298.txt"));
        }
    }

    /// The reader's window: full at its count of inputs or at its bytes, whichever comes
    /// first, never with nothing in flight; room comes back with the inputs put in order.
    #[test]
    fn the_window_bounds_inputs_and_bytes_in_flight() {
        let (back_tx, back_rx) = mpsc::channel();
        let mut f = InFlight::new(
            Window {
                docs: 3,
                bytes: 100,
            },
            &back_rx,
        );
        // one input larger than the whole window goes alone
        assert!(!f.full());
        f.sent(1 << 30);
        assert!(f.full());
        back_tx.send(1).unwrap();
        assert!(f.wait_for_room());
        assert_eq!((f.sizes.len(), f.bytes), (0, 0));
        f.sent(60);
        assert!(!f.full());
        f.sent(50);
        assert!(f.full(), "110 bytes of 100");
        back_tx.send(1).unwrap();
        assert!(f.wait_for_room());
        assert_eq!((f.sizes.len(), f.bytes), (1, 50));
        f.sent(0);
        f.sent(0);
        assert!(f.full(), "three inputs of three");
        back_tx.send(2).unwrap();
        assert!(f.wait_for_room());
        assert_eq!(f.sizes.iter().copied().collect::<Vec<_>>(), vec![0]);
        drop(back_tx);
        assert!(!f.wait_for_room(), "the run has stopped");
    }

    /// The reader counts what each job holds: a document's bytes, nothing for a reject or a
    /// copy (its bytes are dropped once hashed).
    #[test]
    fn the_reader_counts_the_bytes_each_job_holds() {
        let (tx, rx) = mpsc::sync_channel::<Job>(8);
        let (_back_tx, back_rx) = mpsc::channel();
        let window = Window {
            docs: 8,
            bytes: 1 << 20,
        };
        let mut feed = Feed::new(&tx, window, &back_rx);
        let doc = |path: &str, text: &str| {
            Item::Doc(RawDoc {
                source_path: path.into(),
                bytes: text.as_bytes().to_vec(),
                format: Format::Text,
                text: None,
                hints: Default::default(),
            })
        };
        assert!(feed.send(doc("in/a.txt", "柳塘县新闻\n今天开会。\n")));
        assert!(feed.send(doc("in/b.txt", "柳塘县新闻\n今天开会。\n")));
        let reject = RejectRow::in_stage("in/c.txt", 9, "source", Reason::Undecodable, "x".into());
        assert!(feed.send(Item::Reject(reject)));
        assert!(feed.send(doc("in/d.txt", "岚溪县")));
        assert_eq!(
            feed.flight.sizes.iter().copied().collect::<Vec<_>>(),
            vec![32, 0, 0, 9]
        );
        assert_eq!(feed.flight.bytes, 41);
        drop(feed);
        drop(tx);
        assert_eq!(rx.iter().count(), 4);
    }

    /// Inputs that fill the window's bytes a few at a time, fewer than a batch of them: the
    /// thread that puts them in order gives the room back before it waits, or it and the
    /// reader would wait for each other.
    #[test]
    fn a_window_full_of_bytes_does_not_stall_the_run() {
        for jobs in [1, 2, 3] {
            let items: Vec<Item> = (0..40)
                .map(|i| {
                    let text =
                        format!("柳塘县新闻\n第{i}条消息。{}\n", "全县完成投资。".repeat(60));
                    Item::Doc(RawDoc {
                        source_path: format!("in/{i:03}.txt"),
                        bytes: text.into_bytes(),
                        format: Format::Text,
                        text: None,
                        hints: Default::default(),
                    })
                })
                .collect();
            let window = Window {
                docs: 64,
                bytes: 2 << 10,
            };
            let out = ends_within(60, jobs, move || {
                let mut out = Collected::default();
                let mut report = RunReport::default();
                let options = RowOptions::default();
                let source = Source::Items(items);
                let from = crate::thread_cpu();
                drive(
                    source,
                    jobs,
                    window,
                    None,
                    options,
                    &mut out,
                    &mut (),
                    &mut report,
                    from,
                )
                .map(|_| out)
            });
            assert_in_order(&out, 40, jobs);
            assert_eq!(out.documents.len(), 40, "{jobs} workers");
        }
    }

    /// A copy of an input a stage rejected is rejected the same way, naming itself; a copy of
    /// a document is a duplicate naming the document.
    #[test]
    fn what_a_copy_becomes() {
        let sha = [7u8; 32];
        let copy = Copy {
            source_path: "in/b.txt".into(),
            bytes: 30,
            sha,
        };
        let mut rejected = HashMap::new();
        let dup = copy_reject(&copy, &rejected);
        assert_eq!(
            (dup.reason, dup.duplicate_of.as_deref(), dup.source_bytes),
            (Reason::Duplicate, Some("0707070707070707"), Some(30))
        );
        assert_eq!(
            dup.message,
            "in/b.txt: source: same bytes as an earlier input, kept as doc_id 0707070707070707"
        );
        rejected.insert(
            sha,
            RejectRow::in_stage(
                "in/a.txt",
                30,
                "decode",
                Reason::Undecodable,
                "30 malformed sequences".into(),
            ),
        );
        let again = copy_reject(&copy, &rejected);
        assert_eq!(
            (again.reason, again.duplicate_of, again.source_path.as_str()),
            (Reason::Undecodable, None, "in/b.txt")
        );
        assert_eq!(again.message, "in/b.txt: decode: 30 malformed sequences");
    }
}
