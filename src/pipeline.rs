//! The ordered stages for one document, and the run: a reader thread, a pool of workers and
//! the writer on the calling thread, joined by bounded channels. Results are put back in
//! input order before they reach the writer, so the files do not depend on thread timing.

use crate::model::*;
use crate::process::Trace;
use crate::sink::{
    DatasetWriter, InputEntry, InputsLog, Manifest, Previous, Reused, Staging, WriterLimits,
};
use crate::source::{self, Format, Item, RawDoc, SourceOptions};
use crate::{Config, RunReport};
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
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

pub enum Outcome {
    Doc(Box<DocRows>),
    Reject(RejectRow),
    /// Unchanged since the dataset this run builds on: its rows are carried over.
    Reused(Reused),
}

/// What one input became, with what the manifest records of it.
pub struct Processed {
    pub input: InputEntry,
    pub outcome: Outcome,
}

pub fn doc_id(sha_hex: &str) -> String {
    sha_hex[..16].to_string()
}

/// Runs every stage on one document. Never panics outward: a panic inside a stage becomes a
/// reject naming the document, so one bad input cannot take the run down.
pub fn process(raw: RawDoc, res: &Resources, times: &mut StageTimes) -> Processed {
    process_or_reuse(raw, res, None, times)
}

/// `process`, with what the stages changed (what `govtext inspect` shows).
pub fn process_traced(
    raw: RawDoc,
    res: &Resources,
    times: &mut StageTimes,
) -> (Result<DocRows, RejectRow>, Trace) {
    let mut trace = Trace::default();
    let (sha, id) = hash(&raw, times);
    let result = run_stages(raw, res, &sha, &id, Some(&mut trace), times);
    (result, trace)
}

/// The input's sha256 (hex) and the doc_id made from it.
fn hash(raw: &RawDoc, times: &mut StageTimes) -> (String, String) {
    let t = crate::thread_cpu();
    let sha = crate::sink::writer::hex(&Sha256::digest(&raw.bytes));
    times.add("hash", t);
    let id = doc_id(&sha);
    (sha, id)
}

/// `process`, unless `prev` (the dataset an incremental run builds on) already holds this
/// input's rows: then the document is only named, not processed.
///
/// Takes the input by value: its bytes are let go (or become the text, when they are UTF-8)
/// as soon as they are decoded, so a huge document is not held once more to the end.
pub fn process_or_reuse(
    raw: RawDoc,
    res: &Resources,
    prev: Option<&Previous>,
    times: &mut StageTimes,
) -> Processed {
    let (sha, id) = hash(&raw, times);
    let mut input = InputEntry {
        path: raw.source_path.clone(),
        bytes: Some(raw.bytes.len() as u64),
        sha256: Some(sha.clone()),
        doc_id: None,
        reject: None,
        partition: None,
    };
    if let Some(r) = prev.and_then(|p| p.reusable(&raw.source_path, &sha)) {
        return Processed {
            input: InputEntry {
                doc_id: Some(r.doc_id.clone()),
                partition: Some(r.partition.clone()),
                ..input
            },
            outcome: Outcome::Reused(r),
        };
    }
    let outcome = match run_stages(raw, res, &sha, &id, None, times) {
        Ok(rows) => {
            input.doc_id = Some(rows.document.doc_id.clone());
            input.partition = Some(rows.partition.dir());
            Outcome::Doc(Box::new(rows))
        }
        Err(r) => {
            input.reject = Some(r.reason.clone());
            Outcome::Reject(r)
        }
    };
    Processed { input, outcome }
}

/// The stages of `govtext_core`, with each stage's CPU time charged and a panic turned into
/// a reject.
fn run_stages(
    mut raw: RawDoc,
    res: &Resources,
    sha: &str,
    id: &str,
    trace: Option<&mut Trace>,
    times: &mut StageTimes,
) -> Result<DocRows, RejectRow> {
    let source_bytes = raw.bytes.len();
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
        };
        let mut t = crate::thread_cpu();
        res.process(input, trace, &mut |stage| t = times.add(stage, t))
    }));
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
            "internal_error",
            format!("internal error (please report): {what}"),
        ))
    })
}

/// What the reader hands the workers, numbered in input order.
enum Job {
    Doc(u64, RawDoc),
    /// An input the source already rejected: passed through to keep its place in the order.
    Rejected(u64, RejectRow),
}

/// What a worker hands the writer for one input.
enum Done {
    Processed(Processed),
    Rejected(RejectRow),
}

/// Runs the whole job: inputs → staging dataset → atomic publish.
pub fn run(cfg: &Config) -> Result<RunReport> {
    let started = Instant::now();
    let cpu_at_start = crate::process_cpu();
    let setup_from = crate::thread_cpu();
    let staging = Staging::begin(&cfg.output)?;
    // what of the committed dataset this run can keep (under the lock: nothing changes it)
    let prev = if cfg.full_refresh {
        Err("--full-refresh".to_string())
    } else {
        Previous::load(&cfg.output, &crate::TOOL)
    };
    let mut report = RunReport::default();
    let prev = match prev {
        Ok(p) => Some(Arc::new(p)),
        Err(why) => {
            report.full_because = Some(why);
            None
        }
    };
    let res = Arc::new(Resources::load());
    let jobs = cfg.jobs.max(1);
    // how many documents may be in flight between the reader and the writer at once
    let window = (jobs * 8).max(16);
    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(jobs * 2);
    let job_rx = Arc::new(std::sync::Mutex::new(job_rx));
    let (res_tx, res_rx) = mpsc::sync_channel::<(u64, Done, StageTimes)>(window);
    let (ticket_tx, ticket_rx) = mpsc::sync_channel::<()>(window);
    for _ in 0..window {
        ticket_tx.send(()).expect("tickets");
    }
    let inputs = cfg.inputs.clone();
    let src_opts = SourceOptions {
        max_bytes: cfg.max_bytes,
    };
    let reader = std::thread::Builder::new()
        .name("govtext-reader".into())
        .spawn(move || {
            let t = crate::thread_cpu();
            read_all(&inputs, &src_opts, &job_tx, &ticket_rx);
            crate::thread_cpu().saturating_sub(t)
        })?;
    let mut workers = Vec::new();
    for w in 0..jobs {
        let rx = Arc::clone(&job_rx);
        let tx = res_tx.clone();
        let res = Arc::clone(&res);
        let prev = prev.clone();
        workers.push(
            std::thread::Builder::new()
                .name(format!("govtext-worker-{w}"))
                .spawn(move || loop {
                    let job = match rx.lock() {
                        Ok(guard) => guard.recv(),
                        Err(_) => break,
                    };
                    let Ok(job) = job else { break };
                    let mut times = StageTimes::default();
                    let msg = match job {
                        Job::Doc(seq, raw) => {
                            let p = process_or_reuse(raw, &res, prev.as_deref(), &mut times);
                            (seq, Done::Processed(p), times)
                        }
                        Job::Rejected(seq, r) => (seq, Done::Rejected(r), times),
                    };
                    if tx.send(msg).is_err() {
                        break;
                    }
                })?,
        );
    }
    drop(res_tx);
    let mut writer = DatasetWriter::new(
        staging.dir.clone(),
        WriterLimits {
            encoders: jobs,
            ..WriterLimits::default()
        },
    );
    if let Some(p) = &prev {
        writer.number_after(p.data_files());
    }
    let mut kept: std::collections::HashSet<String> = Default::default();
    let mut pending: BTreeMap<u64, Done> = BTreeMap::new();
    let mut next = 0u64;
    // the sha256 of every document kept (its doc_id is made from it): 32 bytes per input is
    // all a run holds that grows with the corpus
    let mut seen: HashSet<[u8; 32]> = HashSet::new();
    let mut inputs_log = InputsLog::create(&staging.dir)?;
    let mut progress = crate::progress::Progress::new(cfg.progress, &cfg.inputs);
    // this thread so far: the lock, the previous dataset, the dictionaries, the threads
    let t = report.stage_times.add("setup", setup_from);
    for (seq, done, times) in res_rx.iter() {
        report.stage_times.merge(&times);
        pending.insert(seq, done);
        while let Some(done) = pending.remove(&next) {
            next += 1;
            let _ = ticket_tx.try_send(());
            match done {
                Done::Processed(p) => {
                    report.input_bytes += p.input.bytes.unwrap_or(0);
                    accept(
                        p,
                        &mut writer,
                        &mut seen,
                        &mut kept,
                        &mut inputs_log,
                        &mut report,
                    )?
                }
                Done::Rejected(r) => {
                    inputs_log.push(&InputEntry {
                        path: r.source_path.clone(),
                        bytes: r.source_bytes.map(|b| b as u64),
                        sha256: None,
                        doc_id: None,
                        reject: Some(r.reason.clone()),
                        partition: None,
                    })?;
                    report.count_reject(&r.reason);
                    writer.reject(r);
                }
            }
            progress.tick(report.documents + report.rejects, report.input_bytes);
        }
    }
    progress.finish();
    // putting documents in order, dropping duplicates, buffering rows, the inputs log
    let t = report.stage_times.add("accept", t);
    let read = reader
        .join()
        .map_err(|_| anyhow::anyhow!("the reader thread panicked"))?;
    report.stage_times.charge("read", read);
    for w in workers {
        w.join()
            .map_err(|_| anyhow::anyhow!("a worker thread panicked"))?;
    }
    if let Some(p) = &prev {
        let carried = p.carry(&staging.dir, &kept, writer.limits())?;
        writer.carried(carried);
    }
    let (files, encoding) = writer.finish()?;
    // the encoder threads' time is the write stage; what follows on this thread (the last
    // files, the manifest, the publish) is the commit
    report.stage_times.charge("write", encoding);
    let manifest = Manifest::new(files, inputs_log.finish()?, &crate::TOOL);
    report.tables = manifest
        .tables
        .iter()
        .map(|(k, v)| (k.clone(), v.rows))
        .collect();
    report.unchanged = !staging.publish(&manifest)?;
    report.stage_times.add("commit", t);
    report.elapsed = started.elapsed();
    report.cpu = crate::process_cpu().saturating_sub(cpu_at_start);
    Ok(report)
}

fn accept(
    p: Processed,
    writer: &mut DatasetWriter,
    seen: &mut HashSet<[u8; 32]>,
    kept: &mut std::collections::HashSet<String>,
    inputs_log: &mut InputsLog,
    report: &mut RunReport,
) -> Result<()> {
    let mut input = p.input;
    match p.outcome {
        Outcome::Reused(r) => {
            // an input listed as a document before was its bytes' first occurrence then,
            // and inputs come in the same order: it is the first now too
            if let Some(sha) = input.sha256.as_deref().and_then(sha_bytes) {
                seen.insert(sha);
            }
            kept.insert(r.doc_id);
            report.documents += 1;
            report.reused += 1;
        }
        Outcome::Doc(rows) => {
            let sha = sha_bytes(&rows.document.source_sha256)
                .with_context(|| format!("{}: not a sha256", rows.document.source_sha256))?;
            if seen.contains(&sha) {
                let kept = doc_id(&rows.document.source_sha256);
                let r = RejectRow {
                    source_path: rows.document.source_path.clone(),
                    source_bytes: Some(rows.document.source_bytes),
                    reason: "duplicate".into(),
                    message: format!(
                        "{}: source: same bytes as an earlier input, kept as doc_id {kept}",
                        rows.document.source_path
                    ),
                    duplicate_of: Some(kept.clone()),
                };
                input.doc_id = None;
                input.partition = None;
                input.reject = Some("duplicate".into());
                report.count_reject("duplicate");
                writer.reject(r);
            } else {
                seen.insert(sha);
                report.documents += 1;
                writer.add(*rows)?;
            }
        }
        Outcome::Reject(r) => {
            report.count_reject(&r.reason);
            writer.reject(r);
        }
    }
    inputs_log.push(&input)
}

/// A sha256 in hex as its 32 bytes.
fn sha_bytes(hex: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if hex.len() != 64 {
        return None;
    }
    for (k, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(hex.get(2 * k..2 * k + 2)?, 16).ok()?;
    }
    Some(out)
}

fn read_all(
    inputs: &[std::path::PathBuf],
    opts: &SourceOptions,
    tx: &SyncSender<Job>,
    tickets: &Receiver<()>,
) {
    let mut seq = 0u64;
    let mut send = |item: Item| -> bool {
        if tickets.recv().is_err() {
            return false;
        }
        let job = match item {
            Item::Doc(d) => Job::Doc(seq, d),
            Item::Reject(r) => Job::Rejected(seq, r),
        };
        seq += 1;
        tx.send(job).is_ok()
    };
    let mut alive = true;
    source::expand(inputs, |entry| {
        if !alive {
            return;
        }
        match entry {
            Ok(path) => source::read(&path, opts, |item| {
                if alive {
                    alive = send(item);
                }
            }),
            Err(item) => alive = send(item),
        }
    });
}
