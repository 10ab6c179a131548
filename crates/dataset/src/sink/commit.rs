//! Staging, manifest and the atomic publish.
//!
//! A run writes everything into a staging directory beside the output directory (same
//! filesystem, so a rename is atomic), writes `_manifest.json` and `_SUCCESS` there last, and
//! then swaps the staging directory with the output directory (`platform::exchange`: one
//! `renameat2(…, RENAME_EXCHANGE)` on Linux): a reader sees the old dataset or the new one, never a mix. The old
//! dataset, now in the staging path, is deleted afterwards. An exclusive `flock` on a lock
//! file beside the output keeps a second run out; the kernel drops it when a run dies, so a
//! crash never leaves it stuck, and the next run removes the crashed run's staging leftovers.

use super::writer::{write_hashed, FileEntry};
use super::{RowOptions, Tool};
use crate::platform::{exchange, sync_filesystem, try_lock};
use crate::schema::{self, SCHEMA_VERSION};
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InputEntry {
    pub path: String,
    pub bytes: Option<u64>,
    pub sha256: Option<String>,
    /// The document this input became, or …
    pub doc_id: Option<String>,
    /// … the reason it was rejected.
    pub reject: Option<String>,
    /// The partition directory (`year=…/province_code=…`) holding the document's rows in
    /// every table: with `doc_id`, where this input's rows are.
    #[serde(default)]
    pub partition: Option<String>,
    /// Where the input stands in the run's whole listing (file, record within the file):
    /// recorded by a shard, so that `commit` puts the shards' inputs back in the order one
    /// run over all of them would have. Absent from a committed manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<[u64; 2]>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TableSummary {
    pub rows: u64,
    pub files: u64,
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub tool: String,
    pub tool_version: String,
    /// Fingerprint of the code and data that wrote the rows (`build.rs`): an incremental run
    /// reuses rows only from the same build.
    #[serde(default)]
    pub build: String,
    /// The run's options that change rows.
    #[serde(default)]
    pub options: RowOptions,
    pub schema_version: u32,
    pub partitioning: Vec<String>,
    pub tables: BTreeMap<String, TableSummary>,
    pub files: Vec<FileEntry>,
    pub inputs: Inputs,
    /// Set in a shard's manifest (`_shard.json`), never in a committed dataset's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<super::shards::ShardInfo>,
}

/// The manifest's list of inputs. A manifest read back holds them; a run's own has them in
/// the file its `InputsLog` spilled them to, and they are streamed from there into
/// `_manifest.json`: a corpus of 200,000 inputs held them at about 0.35 KB each, the one
/// thing in a run's memory that grew with the number of inputs.
#[derive(Debug, Clone, PartialEq)]
pub enum Inputs {
    Held(Vec<InputEntry>),
    /// Every `InputEntry` in input order, as the manifest's `inputs` array holds them,
    /// without its brackets (`InputsLog`).
    Spilled(PathBuf),
}

impl Inputs {
    /// The inputs of a manifest read back from a dataset.
    pub fn entries(&self) -> &[InputEntry] {
        match self {
            Inputs::Held(v) => v,
            // only a run's own manifest is spilled, and it is written, never read back
            Inputs::Spilled(p) => panic!(
                "the inputs of a manifest being written are in {}, not in memory",
                p.display()
            ),
        }
    }
}

impl Serialize for Inputs {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Inputs::Held(v) => v.serialize(s),
            // already in the manifest's form: `Manifest::to_json` copies it in
            Inputs::Spilled(path) => Err(serde::ser::Error::custom(format!(
                "manifest: the inputs in {} are written by Manifest::to_json",
                path.display()
            ))),
        }
    }
}

impl<'de> Deserialize<'de> for Inputs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Vec::<InputEntry>::deserialize(d).map(Inputs::Held)
    }
}

/// A run's inputs, written to a file in the staging directory as they come (see `Inputs`),
/// each already as the manifest's pretty JSON has it (`INDENT`), with the commas between:
/// `Manifest::to_json` copies the file into its place, so that the run's last step need not
/// read every entry back and write it again (that took a tenth of a second on one thread,
/// the other cores idle, for 20,000 inputs).
pub struct InputsLog {
    path: PathBuf,
    out: std::io::BufWriter<fs::File>,
    /// the entries written so far
    written: u64,
    entry: Vec<u8>,
}

/// An input's entry stands in the manifest's `inputs` array, two levels deep: every line of
/// it (the pretty printer breaks lines only between tokens) is indented by two levels.
const INDENT: &[u8] = b"    ";

impl InputsLog {
    pub fn create(dir: &Path) -> Result<InputsLog> {
        let path = dir.join(INPUTS_SPILL);
        let f = fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(InputsLog {
            path,
            out: std::io::BufWriter::new(f),
            written: 0,
            entry: Vec::new(),
        })
    }

    pub fn push(&mut self, e: &InputEntry) -> Result<()> {
        self.entry.clear();
        serde_json::to_writer_pretty(&mut self.entry, e).map_err(std::io::Error::from)?;
        let sep: &[u8] = if self.written == 0 { b"" } else { b",\n" };
        indented(&mut self.out, sep, &self.entry)
            .with_context(|| format!("writing {}", self.path.display()))?;
        self.written += 1;
        Ok(())
    }

    /// Everything pushed, for the manifest.
    pub fn finish(mut self) -> Result<Inputs> {
        self.out
            .flush()
            .with_context(|| format!("writing {}", self.path.display()))?;
        Ok(Inputs::Spilled(self.path))
    }
}

/// Writes `sep`, then `entry` with `INDENT` before each of its lines.
fn indented(out: &mut impl Write, sep: &[u8], entry: &[u8]) -> std::io::Result<()> {
    out.write_all(sep)?;
    for (i, line) in entry.split(|b| *b == b'\n').enumerate() {
        if i > 0 {
            out.write_all(b"\n")?;
        }
        out.write_all(INDENT)?;
        out.write_all(line)?;
    }
    Ok(())
}

/// The spilled inputs' file in the staging directory (removed before the publish).
const INPUTS_SPILL: &str = "_inputs.part.json";

impl Manifest {
    pub fn new(
        files: Vec<FileEntry>,
        inputs: Inputs,
        tool: &Tool,
        options: RowOptions,
    ) -> Manifest {
        let mut tables = BTreeMap::new();
        for t in schema::all_tables() {
            let fs: Vec<&FileEntry> = files.iter().filter(|f| f.table == t).collect();
            // a derived table is listed once it has been built
            if fs.is_empty() && schema::DERIVED.contains(&t) {
                continue;
            }
            tables.insert(
                t.to_string(),
                TableSummary {
                    rows: fs.iter().map(|f| f.rows).sum(),
                    files: fs.len() as u64,
                    bytes: fs.iter().map(|f| f.bytes).sum(),
                },
            );
        }
        Manifest {
            tool: "govtext".into(),
            tool_version: tool.version.into(),
            build: tool.build.into(),
            options,
            schema_version: SCHEMA_VERSION,
            partitioning: vec!["year".into(), "province_code".into()],
            tables,
            files,
            inputs,
            shard: None,
        }
    }

    /// Writes the manifest to `path` and returns its sha256; a spilled inputs log is removed
    /// once streamed in. Streamed to the file and hashed on the way: a corpus of 200,000
    /// inputs has a 75 MB manifest, and held whole it was the largest thing in memory at the
    /// end of a run.
    pub fn write(&self, path: &Path) -> Result<String> {
        let (_, sha) = write_hashed(path, |sink| {
            self.to_json(&mut *sink)?;
            sink.write_all(b"\n")
                .with_context(|| format!("writing {}", path.display()))
        })?;
        if let Inputs::Spilled(p) = &self.inputs {
            fs::remove_file(p).with_context(|| format!("removing {}", p.display()))?;
        }
        Ok(sha)
    }

    /// The manifest as `serde_json::to_writer_pretty` writes it, with a spilled inputs log
    /// copied into its place (`InputsLog`) rather than read and written again.
    pub fn to_json(&self, out: &mut impl Write) -> Result<()> {
        let Inputs::Spilled(spill) = &self.inputs else {
            return serde_json::to_writer_pretty(out, self).context("serialising the manifest");
        };
        let rest = Manifest {
            inputs: Inputs::Held(Vec::new()),
            ..self.clone()
        };
        let json = serde_json::to_vec_pretty(&rest).context("serialising the manifest")?;
        // a key of the top level is the only thing two spaces in after a line break (the
        // printer breaks lines only between tokens, and deeper ones are indented further)
        const EMPTY: &[u8] = b"\n  \"inputs\": []";
        let at = json
            .windows(EMPTY.len())
            .position(|w| w == EMPTY)
            .context("serialising the manifest: no inputs key")?
            + EMPTY.len()
            - 2;
        let mut f =
            fs::File::open(spill).with_context(|| format!("reading {}", spill.display()))?;
        let copy = |out: &mut dyn Write, f: &mut fs::File| -> std::io::Result<()> {
            out.write_all(&json[..at])?;
            if f.metadata()?.len() == 0 {
                out.write_all(b"[]")?;
            } else {
                out.write_all(b"[\n")?;
                std::io::copy(f, out)?;
                out.write_all(b"\n  ]")?;
            }
            out.write_all(&json[at + 2..])
        };
        copy(out, &mut f)
            .with_context(|| format!("writing the manifest's inputs from {}", spill.display()))
    }

    pub fn read(dir: &Path) -> Result<Manifest> {
        let p = dir.join("_manifest.json");
        let bytes = fs::read(&p).with_context(|| format!("reading {}", p.display()))?;
        serde_json::from_slice(&bytes).with_context(|| format!("parsing {}", p.display()))
    }
}

pub(crate) fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    f.write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    f.sync_all()
        .with_context(|| format!("syncing {}", path.display()))?;
    Ok(())
}

/// Removes `dir` and all it holds, each folder in it (a table's) on a thread of its own: a
/// dataset is thousands of files, unlinking them is the kernel's work, and at the end of a
/// run the cores are free to share it (the bench corpus's dataset: 0.10 s on one, 0.05 s).
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    let mut folders = Vec::new();
    for e in fs::read_dir(dir)? {
        let e = e?;
        if e.file_type()?.is_dir() {
            folders.push(e.path());
        }
    }
    std::thread::scope(|s| {
        let removing: Vec<_> = folders
            .iter()
            .map(|f| s.spawn(move || fs::remove_dir_all(f)))
            .collect();
        removing.into_iter().try_for_each(|h| {
            h.join()
                .unwrap_or_else(|_| Err(std::io::Error::other("removing a folder panicked")))
        })
    })?;
    fs::remove_dir_all(dir)
}

pub(crate) fn sync_dir(dir: &Path) {
    // Directory fsync makes the renames durable; not every filesystem supports it.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The output directory of one run, held exclusively from `begin` to `publish`.
pub struct Staging {
    pub out: PathBuf,
    pub dir: PathBuf,
    _lock: fs::File,
}

pub(crate) fn sibling(out: &Path, suffix: &str) -> Result<PathBuf> {
    let name = out
        .file_name()
        .with_context(|| format!("output directory {} has no name", out.display()))?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok(parent.join(format!(".{}.govtext-{suffix}", name.to_string_lossy())))
}

/// Is `dir` something we may replace: absent, empty, or a dataset of ours?
fn replaceable(dir: &Path) -> Result<bool> {
    match fs::read_dir(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e).with_context(|| format!("output directory {}", dir.display())),
        Ok(mut it) => Ok(it.next().is_none() || dir.join("_manifest.json").exists()),
    }
}

impl Staging {
    /// Takes the lock, clears what a crashed run left behind, and creates a fresh staging dir.
    pub fn begin(out: &Path) -> Result<Staging> {
        if out.exists() && !out.is_dir() {
            bail!("output {} exists and is not a directory", out.display());
        }
        if !replaceable(out)? {
            bail!(
                "output directory {} is not empty and holds no govtext dataset (_manifest.json); refusing to replace it",
                out.display()
            );
        }
        let parent = sibling(out, "x")?
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        fs::create_dir_all(&parent).with_context(|| format!("creating {}", parent.display()))?;
        let lock_path = sibling(out, "lock")?;
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .with_context(|| format!("opening lock file {}", lock_path.display()))?;
        if !try_lock(&lock).with_context(|| format!("locking {}", lock_path.display()))? {
            bail!(
                "another govtext run is writing {} (lock {} is held); wait for it to finish",
                out.display(),
                lock_path.display()
            );
        }
        let dir = sibling(out, "staging")?;
        let old = sibling(out, "old")?;
        for leftover in [&dir, &old] {
            if leftover.exists() {
                fs::remove_dir_all(leftover)
                    .with_context(|| format!("removing leftover {}", leftover.display()))?;
            }
        }
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            _lock: lock,
        })
    }

    /// Writes the manifest and `_SUCCESS` into staging, then swaps staging into place.
    /// Returns false, leaving the committed dataset untouched, when it is what is already
    /// there (the same `_SUCCESS`, which holds the manifest's sha256).
    pub fn publish(self, manifest: &Manifest) -> Result<bool> {
        let sha = manifest.write(&self.dir.join("_manifest.json"))?;
        let success = format!("manifest_sha256={sha}\n");
        // the manifest lists every file with its sha256, and `_SUCCESS` the manifest's:
        // equal `_SUCCESS`, equal datasets
        if fs::read_to_string(self.out.join("_SUCCESS")).is_ok_and(|old| old == success) {
            remove_tree(&self.dir).with_context(|| format!("removing {}", self.dir.display()))?;
            return Ok(false);
        }
        // every file and directory of the dataset on disk before `_SUCCESS` says it is whole
        sync_filesystem(&self.dir)?;
        write_synced(&self.dir.join("_SUCCESS"), success.as_bytes())?;
        sync_dir(&self.dir);
        if self.out.exists() {
            exchange(&self.dir, &self.out, &sibling(&self.out, "old")?).with_context(|| {
                format!(
                    "publishing {} over {}",
                    self.dir.display(),
                    self.out.display()
                )
            })?;
            // staging now holds the previous dataset
            remove_tree(&self.dir)
                .with_context(|| format!("removing the previous dataset {}", self.dir.display()))?;
        } else {
            fs::rename(&self.dir, &self.out).with_context(|| {
                format!(
                    "publishing {} as {}",
                    self.dir.display(),
                    self.out.display()
                )
            })?;
        }
        if let Some(p) = self.out.parent() {
            sync_dir(if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            });
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, doc: bool, order: Option<[u64; 2]>) -> InputEntry {
        InputEntry {
            path: path.into(),
            bytes: Some(path.len() as u64 * 7),
            sha256: Some("ab".repeat(32)),
            doc_id: doc.then(|| "0123456789abcdef".into()),
            reject: (!doc).then(|| "duplicate".into()),
            partition: doc.then(|| "year=2024/province_code=CN-ZJ".into()),
            order,
        }
    }

    fn manifest(inputs: Inputs, shard: bool) -> Manifest {
        let files = vec![FileEntry {
            table: "documents".into(),
            path: "documents/year=2024/province_code=CN-ZJ/part-00000.parquet".into(),
            rows: 2,
            bytes: 900,
            sha256: "cd".repeat(32),
        }];
        let tool = Tool {
            version: "0.1.0",
            build: "b1",
        };
        let mut m = Manifest::new(files, inputs, &tool, RowOptions::default());
        if shard {
            m.shard = Some(super::super::ShardInfo {
                index: 1,
                count: 3,
                listing_sha256: "ef".repeat(32),
                listed: 40,
            });
        }
        m
    }

    /// A dataset's folder goes whole: its files, its tables' partition folders, itself.
    #[test]
    fn remove_tree_removes_everything_under_it() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("set");
        for part in [
            "documents/year=2024/province_code=CN-ZJ",
            "documents/year=2025/province_code=CN-ZJ",
            "sentences/year=2024/province_code=__HIVE_DEFAULT_PARTITION__",
            "rejects",
        ] {
            fs::create_dir_all(root.join(part)).unwrap();
            fs::write(root.join(part).join("part-00000.parquet"), b"PAR1").unwrap();
        }
        fs::write(root.join("_manifest.json"), b"{}").unwrap();
        remove_tree(&root).unwrap();
        assert!(!root.exists());
        assert!(tmp.path().exists(), "only the folder named");
        let gone = remove_tree(&root).unwrap_err();
        assert_eq!(gone.kind(), std::io::ErrorKind::NotFound);
    }

    /// The inputs log is copied into the manifest as it stands, and the manifest comes out
    /// byte for byte as serde_json's pretty printer writes the same inputs held in memory:
    /// with no inputs, one, several (a shard's order, paths with quotes, a line break,
    /// backslashes and Chinese), and with a field after the inputs (a shard's manifest).
    #[test]
    fn a_spilled_inputs_log_gives_the_manifest_serde_json_writes() {
        let sets: Vec<Vec<InputEntry>> = vec![
            vec![],
            vec![entry("in/柳塘县/2024.html", true, None)],
            vec![
                entry("in/a \"quoted\".txt", true, Some([0, 0])),
                entry("in/line\nbreak\\x.txt", false, Some([3, 12])),
                entry("in/岚溪县 政府工作报告.gbk.txt", true, None),
            ],
        ];
        for entries in sets {
            for shard in [false, true] {
                let tmp = tempfile::tempdir().unwrap();
                let mut log = InputsLog::create(tmp.path()).unwrap();
                for e in &entries {
                    log.push(e).unwrap();
                }
                let spilled = manifest(log.finish().unwrap(), shard);
                let held = manifest(Inputs::Held(entries.clone()), shard);
                let mut got = Vec::new();
                spilled.to_json(&mut got).unwrap();
                let want = serde_json::to_vec_pretty(&held).unwrap();
                assert_eq!(
                    String::from_utf8(got).unwrap(),
                    String::from_utf8(want).unwrap(),
                    "{} inputs, shard {shard}",
                    entries.len()
                );
                // and written, it reads back as the manifest held in memory
                let path = tmp.path().join("_manifest.json");
                spilled.write(&path).unwrap();
                let back: Manifest = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
                assert_eq!(back, held);
                assert!(!tmp.path().join(INPUTS_SPILL).exists());
            }
        }
    }
}
