//! A run split into shards that an existing scheduler runs (a Slurm array, a Kubernetes
//! Indexed Job, Dask), then published once by `commit`.
//!
//! `govtext run --shard I/N -o OUT` processes the inputs whose path, relative to the input
//! it was found under, hashes to `I` modulo `N` (`Shard::owns`), and writes them into its own
//! directory of the output's shard area, `.OUT.govtext-shards/shard-0000I-of-0000N/`: part
//! files named `part-s0000I-00000.parquet`…, the manifest `_shard.json` last (written to a
//! temporary name and renamed, so a shard directory with `_shard.json` is a finished shard).
//! Running a shard again replaces its directory; a lock per shard keeps two copies of one
//! shard from running at once.
//!
//! `govtext commit OUT` takes the output's lock, checks that the area holds every shard of one
//! run (the same `N`, the same listing of inputs, build and options, none still running),
//! and builds the dataset one run over all the inputs would have written: the inputs in their
//! order, an input whose bytes an earlier input of another shard already had turned into the
//! `duplicate` reject a run makes of it (its rows taken out of its shard's files), the
//! rejects in one file, the part files numbered per partition. The staged dataset is
//! published with the same atomic swap as a run's, and the shard area removed.

use super::carry::rewrite;
use super::commit::{sibling, InputEntry, Inputs, Manifest, Staging};
use super::writer::{split_file_path, write_parquet, FileEntry, WriterLimits};
use super::{batch, Tool};
use crate::platform::try_lock;
use crate::schema;
use anyhow::{bail, Context, Result};
use arrow_array::{RecordBatch, RecordBatchReader};
use govtext_core::model::{Reason, RejectRow};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

/// One of `count` shards of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// `I/N`, or `auto/N` with `I` from the scheduler's environment (read through `env`):
    /// Slurm's `SLURM_ARRAY_TASK_ID` (less `SLURM_ARRAY_TASK_MIN`, so that `--array=1-8`
    /// works), else Kubernetes' `JOB_COMPLETION_INDEX`.
    pub fn parse(s: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Shard> {
        let (i, n) = s
            .split_once('/')
            .with_context(|| format!("--shard {s}: expected I/N (e.g. 0/8) or auto/N"))?;
        let count: u32 = n
            .parse()
            .ok()
            .filter(|n| *n >= 1)
            .with_context(|| format!("--shard {s}: N must be a whole number of at least 1"))?;
        let number = |name: &str, v: String| -> Result<i64> {
            v.trim()
                .parse()
                .with_context(|| format!("--shard {s}: {name}={v} is not a number"))
        };
        let index: i64 = if i == "auto" {
            if let Some(id) = env("SLURM_ARRAY_TASK_ID") {
                let id = number("SLURM_ARRAY_TASK_ID", id)?;
                let min = match env("SLURM_ARRAY_TASK_MIN") {
                    Some(m) => number("SLURM_ARRAY_TASK_MIN", m)?,
                    None => 0,
                };
                if let Some(c) = env("SLURM_ARRAY_TASK_COUNT") {
                    let c = number("SLURM_ARRAY_TASK_COUNT", c)?;
                    if c != i64::from(count) {
                        bail!("--shard {s}: the Slurm array has {c} tasks (SLURM_ARRAY_TASK_COUNT), not {count}");
                    }
                }
                id - min
            } else if let Some(k) = env("JOB_COMPLETION_INDEX") {
                number("JOB_COMPLETION_INDEX", k)?
            } else {
                bail!("--shard {s}: auto needs SLURM_ARRAY_TASK_ID (a Slurm array job) or JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) in the environment");
            }
        } else {
            i.parse()
                .with_context(|| format!("--shard {s}: I must be a whole number or auto"))?
        };
        if !(0..i64::from(count)).contains(&index) {
            bail!(
                "--shard {s}: shard {index} does not exist; shards are numbered 0 to {}",
                count - 1
            );
        }
        Ok(Shard {
            index: index as u32,
            count,
        })
    }

    /// Is the input with this key (its path relative to the input it was found under) this
    /// shard's? A hash that every platform and every build computes alike.
    pub fn owns(&self, key: &str) -> bool {
        let h = Sha256::digest(key.as_bytes());
        let n = u64::from_be_bytes(h[..8].try_into().expect("eight bytes"));
        n % u64::from(self.count) == u64::from(self.index)
    }

    /// What this shard's part file names carry: `s00003-`.
    pub fn part_prefix(&self) -> String {
        format!("s{:05}-", self.index)
    }

    fn dir_name(&self) -> String {
        format!("shard-{:05}-of-{:05}", self.index, self.count)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What a shard's manifest adds: which shard, and of which run — the listing of every input
/// (before the split), which every shard of one run saw alike.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ShardInfo {
    pub index: u32,
    pub count: u32,
    /// SHA-256 of the keys of all the run's inputs, in order, each ended by a newline.
    pub listing_sha256: String,
    /// How many inputs the listing has.
    pub listed: u64,
}

/// The shard area of the output `out`: `.OUT.govtext-shards/` beside it.
pub fn area(out: &Path) -> Result<PathBuf> {
    sibling(out, "shards")
}

const SHARD_MANIFEST: &str = "_shard.json";

/// A shard's directory, held (locked) from `begin` to `finish`.
pub struct ShardStaging {
    pub dir: PathBuf,
    _lock: fs::File,
}

impl ShardStaging {
    /// Takes the shard's lock and gives it an empty directory (what an earlier attempt of
    /// the same shard left is removed).
    pub fn begin(out: &Path, shard: Shard) -> Result<ShardStaging> {
        if out.exists() && !out.is_dir() {
            bail!("output {} exists and is not a directory", out.display());
        }
        let area = area(out)?;
        fs::create_dir_all(&area).with_context(|| format!("creating {}", area.display()))?;
        let lock = lock_file(&area, shard.index)?;
        if !try_lock(&lock).with_context(|| format!("locking shard {shard}"))? {
            bail!(
                "shard {shard} of {} is already running (its lock in {} is held)",
                out.display(),
                area.display()
            );
        }
        let dir = area.join(shard.dir_name());
        if dir.exists() {
            fs::remove_dir_all(&dir)
                .with_context(|| format!("removing the earlier attempt {}", dir.display()))?;
        }
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(ShardStaging { dir, _lock: lock })
    }

    /// Writes the shard's manifest, last: the shard is finished once it is there.
    pub fn finish(self, manifest: &Manifest) -> Result<()> {
        let tmp = self.dir.join(format!("{SHARD_MANIFEST}.tmp"));
        manifest.write(&tmp)?;
        crate::platform::sync_filesystem(&self.dir)?;
        let done = self.dir.join(SHARD_MANIFEST);
        fs::rename(&tmp, &done).with_context(|| format!("writing {}", done.display()))?;
        super::commit::sync_dir(&self.dir);
        Ok(())
    }
}

fn lock_file(area: &Path, index: u32) -> Result<fs::File> {
    let p = area.join(format!("shard-{index:05}.lock"));
    fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&p)
        .with_context(|| format!("opening lock file {}", p.display()))
}

/// What `commit` published.
#[derive(Debug, Default)]
pub struct Committed {
    pub shards: u32,
    pub documents: u64,
    pub rejects: u64,
    /// Inputs a shard made a document of whose bytes an earlier input of another shard
    /// already had: rejects as `duplicate`, as one run would have made them.
    pub duplicates: u64,
    pub tables: BTreeMap<String, u64>,
    /// The dataset already committed was exactly this: nothing replaced.
    pub unchanged: bool,
}

/// A finished shard read back.
struct Finished {
    dir: PathBuf,
    manifest: Manifest,
    info: ShardInfo,
}

/// Publishes the shards in `out`'s shard area as one dataset (see the module's comment).
pub fn commit(out: &Path, tool: &Tool) -> Result<Committed> {
    let area = area(out)?;
    if !area.is_dir() {
        bail!(
            "no shards to commit: {} does not exist (run `govtext run --shard I/N -o {}` for every shard first)",
            area.display(),
            out.display()
        );
    }
    let staging = Staging::begin(out)?;
    let shards = finished_shards(&area, tool)?;
    let count = shards[0].info.count;

    // every input of every shard, in the order of the whole listing
    let mut inputs: Vec<(usize, InputEntry)> = Vec::new();
    for (k, s) in shards.iter().enumerate() {
        for e in s.manifest.inputs.entries() {
            if e.order.is_none() {
                bail!(
                    "{}: an input without its place in the listing ({}): not a shard's manifest",
                    s.dir.display(),
                    e.path
                );
            }
            inputs.push((k, e.clone()));
        }
    }
    inputs.sort_by_key(|(_, e)| e.order);

    // a document another shard already made from the same bytes: a duplicate, as in one run
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut dropped: HashMap<(usize, String), HashSet<String>> = HashMap::new();
    let mut duplicates: Vec<RejectRow> = Vec::new();
    // where each reject row comes from, in input order: (shard or the duplicates, row)
    let mut reject_rows: Vec<(usize, usize)> = Vec::new();
    let mut next_reject = vec![0usize; shards.len()];
    for (k, e) in &mut inputs {
        if let (Some(sha), Some(id)) = (&e.sha256, &e.doc_id) {
            match first.get(sha) {
                Some(&owner) if owner != *k => {
                    let part = e.partition.clone().unwrap_or_default();
                    dropped.entry((*k, part)).or_default().insert(id.clone());
                    reject_rows.push((shards.len(), duplicates.len()));
                    duplicates.push(RejectRow::duplicate(&e.path, e.bytes, id));
                    e.doc_id = None;
                    e.partition = None;
                    e.reject = Some(Reason::Duplicate.as_str().into());
                    continue;
                }
                Some(_) => {}
                None => {
                    first.insert(sha.clone(), *k);
                }
            }
        }
        if e.reject.is_some() {
            reject_rows.push((*k, next_reject[*k]));
            next_reject[*k] += 1;
        }
    }

    let limits = WriterLimits::default();
    let mut files: Vec<FileEntry> = Vec::new();
    // data files, renumbered per (table, partition) in shard order
    let mut numbers: BTreeMap<(String, String), u32> = BTreeMap::new();
    let mut shard_rejects: Vec<RecordBatch> = Vec::new();
    for (k, s) in shards.iter().enumerate() {
        let (rejects, mut data): (Vec<&FileEntry>, Vec<&FileEntry>) =
            s.manifest.files.iter().partition(|f| f.table == "rejects");
        let [rejects] = rejects[..] else {
            bail!(
                "{}: {} rejects files in its manifest, a shard writes one",
                s.dir.display(),
                rejects.len()
            );
        };
        shard_rejects.push(read_all(&s.dir.join(&rejects.path))?);
        data.sort_by(|a, b| a.path.cmp(&b.path));
        for f in data {
            let from = s.dir.join(&f.path);
            let Some((table, dir, _)) = split_file_path(&f.path) else {
                continue; // an empty table's placeholder: written once below if still needed
            };
            let n = numbers
                .entry((table.to_string(), dir.to_string()))
                .or_insert(0);
            let rel = format!("{table}/{dir}/part-{n:05}.parquet");
            match dropped.get(&(k, dir.to_string())) {
                Some(ids) => {
                    let keep = |id: &str| !ids.contains(id);
                    let Some(entry) = rewrite(&from, &staging.dir, &rel, table, &keep, &limits)?
                    else {
                        continue;
                    };
                    files.push(entry);
                }
                None => {
                    let to = staging.dir.join(&rel);
                    if let Some(parent) = to.parent() {
                        fs::create_dir_all(parent)
                            .with_context(|| format!("creating {}", parent.display()))?;
                    }
                    fs::rename(&from, &to).with_context(|| {
                        format!("moving {} to {}", from.display(), to.display())
                    })?;
                    files.push(FileEntry {
                        path: rel,
                        ..f.clone()
                    });
                }
            }
            *n += 1;
        }
        if next_reject[k] != shard_rejects[k].num_rows() {
            bail!(
                "{}: {} rejected inputs but {} rows in its rejects file",
                s.dir.display(),
                next_reject[k],
                shard_rejects[k].num_rows()
            );
        }
    }
    shard_rejects.push(batch::rejects(&duplicates));
    let rejects = arrow_select::interleave::interleave_record_batch(
        &shard_rejects.iter().collect::<Vec<_>>(),
        &reject_rows,
    )
    .context("commit: merging the shards' rejects")?;
    files.push(write_parquet(
        &staging.dir,
        "rejects/part-00000.parquet",
        "rejects",
        &rejects,
        &limits,
    )?);
    // a table no shard has rows of gets its one empty file, as a run gives it
    for t in schema::TABLES {
        if !files.iter().any(|f| f.table == t) {
            let empty = RecordBatch::new_empty(schema::arrow_schema(t));
            let rel = format!("{t}/part-00000.parquet");
            files.push(write_parquet(&staging.dir, &rel, t, &empty, &limits)?);
        }
    }
    let order = |t: &str| schema::TABLES.iter().position(|x| *x == t).unwrap_or(99);
    files.sort_by(|a, b| (order(&a.table), &a.path).cmp(&(order(&b.table), &b.path)));

    let entries: Vec<InputEntry> = inputs
        .into_iter()
        .map(|(_, e)| InputEntry { order: None, ..e })
        .collect();
    let mut done = Committed {
        shards: count,
        documents: entries.iter().filter(|e| e.doc_id.is_some()).count() as u64,
        rejects: entries.iter().filter(|e| e.reject.is_some()).count() as u64,
        duplicates: duplicates.len() as u64,
        ..Committed::default()
    };
    let manifest = Manifest::new(
        files,
        Inputs::Held(entries),
        tool,
        shards[0].manifest.options,
    );
    done.tables = manifest
        .tables
        .iter()
        .map(|(k, v)| (k.clone(), v.rows))
        .collect();
    done.unchanged = !staging.publish(&manifest)?;
    fs::remove_dir_all(&area).with_context(|| format!("removing {}", area.display()))?;
    Ok(done)
}

/// Every shard of the run in `area`, in shard order, once each is known to be finished, of
/// one run and of this build; otherwise what is missing or wrong.
fn finished_shards(area: &Path, tool: &Tool) -> Result<Vec<Finished>> {
    let mut names: Vec<String> = fs::read_dir(area)
        .with_context(|| format!("reading {}", area.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("shard-"))
        .collect();
    names.sort();
    let mut shards = Vec::new();
    let mut unfinished = Vec::new();
    for name in names {
        let dir = area.join(&name);
        let index: Option<u32> = name
            .strip_prefix("shard-")
            .and_then(|r| r.split('-').next())
            .and_then(|i| i.parse().ok());
        if let Some(i) = index {
            let lock = lock_file(area, i)?;
            if !try_lock(&lock).with_context(|| format!("locking shard {i}"))? {
                bail!(
                    "shard {i} ({}) is still running; commit once it has finished",
                    dir.display()
                );
            }
        }
        let p = dir.join(SHARD_MANIFEST);
        if !p.exists() {
            unfinished.push(name);
            continue;
        }
        let bytes = fs::read(&p).with_context(|| format!("reading {}", p.display()))?;
        let manifest: Manifest =
            serde_json::from_slice(&bytes).with_context(|| format!("parsing {}", p.display()))?;
        let info = manifest
            .shard
            .clone()
            .with_context(|| format!("{}: not a shard's manifest", p.display()))?;
        shards.push(Finished {
            dir,
            manifest,
            info,
        });
    }
    let Some(first) = shards.first() else {
        bail!(
            "no finished shard in {}{}",
            area.display(),
            if unfinished.is_empty() {
                String::new()
            } else {
                format!(" (unfinished: {})", unfinished.join(", "))
            }
        );
    };
    let (count, listing) = (first.info.count, first.info.listing_sha256.clone());
    for s in &shards {
        let i = &s.info;
        let m = &s.manifest;
        let which = format!("shard {}/{} ({})", i.index, i.count, s.dir.display());
        if i.count != count || i.listing_sha256 != listing {
            bail!(
                "{which} is not of the same run as shard {}/{}: {}; remove {} and run the shards again",
                first.info.index,
                count,
                if i.count != count {
                    format!("split {} ways, not {count}", i.count)
                } else {
                    "its inputs are not the same".to_string()
                },
                area.display()
            );
        }
        if m.build != tool.build {
            bail!(
                "{which} was written by govtext {} (build {}), this is {} (build {}): commit with the govtext that ran the shards",
                m.tool_version,
                m.build,
                tool.version,
                tool.build
            );
        }
        if m.options != first.manifest.options {
            bail!(
                "{which} was run {} --keep-original, shard {}/{count} {}: run the shards with the same options",
                if m.options.keep_original { "with" } else { "without" },
                first.info.index,
                if first.manifest.options.keep_original { "with" } else { "without" },
            );
        }
    }
    let present: BTreeSet<u32> = shards.iter().map(|s| s.info.index).collect();
    let missing: Vec<String> = (0..count)
        .filter(|i| !present.contains(i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        bail!(
            "{} of {count} shards missing: {}{}; run them, then commit again",
            missing.len(),
            missing.join(", "),
            if unfinished.is_empty() {
                String::new()
            } else {
                format!(" (unfinished: {})", unfinished.join(", "))
            }
        );
    }
    shards.sort_by_key(|s| s.info.index);
    Ok(shards)
}

/// Every row of a (small) Parquet file, as one batch.
fn read_all(path: &Path) -> Result<RecordBatch> {
    let f = fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(f)
        .and_then(|b| b.build())
        .with_context(|| format!("reading {}", path.display()))?;
    let schema = reader.schema();
    let batches: Vec<RecordBatch> = reader
        .collect::<std::result::Result<_, _>>()
        .with_context(|| format!("reading {}", path.display()))?;
    arrow_select::concat::concat_batches(&schema, &batches)
        .with_context(|| format!("reading {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn shard_numbers_given_and_from_the_scheduler() {
        let none = env(&[]);
        assert_eq!(
            Shard::parse("3/8", &none).unwrap(),
            Shard { index: 3, count: 8 }
        );
        assert!(Shard::parse("8/8", &none).is_err());
        assert!(Shard::parse("1/0", &none).is_err());
        assert!(Shard::parse("auto/4", &none).is_err());
        // a Slurm array numbered from 1: the first task is shard 0
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert_eq!(
            Shard::parse("auto/4", &slurm).unwrap(),
            Shard { index: 2, count: 4 }
        );
        // an array of another size than the split asked for
        assert!(Shard::parse("auto/8", &slurm).is_err());
        let k8s = env(&[("JOB_COMPLETION_INDEX", "5")]);
        assert_eq!(
            Shard::parse("auto/6", &k8s).unwrap(),
            Shard { index: 5, count: 6 }
        );
        assert!(Shard::parse("auto/5", &k8s).is_err());
    }

    #[test]
    fn every_key_has_exactly_one_shard() {
        let keys: Vec<String> = (0..500).map(|i| format!("prov/city/{i}.txt")).collect();
        let shards: Vec<Shard> = (0..7).map(|index| Shard { index, count: 7 }).collect();
        let mut sizes = vec![0; 7];
        for k in &keys {
            let owners: Vec<u32> = shards
                .iter()
                .filter(|s| s.owns(k))
                .map(|s| s.index)
                .collect();
            assert_eq!(owners.len(), 1, "{k}");
            sizes[owners[0] as usize] += 1;
        }
        // spread: no shard gets fewer than half or more than twice its share of 500/7
        assert!(sizes.iter().all(|n| (36..=143).contains(n)), "{sizes:?}");
        // the hash is fixed (the first eight bytes of the key's SHA-256, big-endian, modulo
        // N): the same key, the same shard, in every build and on every platform
        let owner =
            |key: &str, count: u32| (0..count).find(|&index| Shard { index, count }.owns(key));
        assert_eq!(owner("a.txt", 2), Some(1));
        assert_eq!(owner("anhui/hefei/2020/feixi-000001.txt", 8), Some(7));
        assert_eq!(
            owner("liaoning/panjin/2019/dawa-000042.txt", 1000),
            Some(26)
        );
    }
}
