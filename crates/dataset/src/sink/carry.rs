//! Incremental runs: what of the previous dataset a run can keep.
//!
//! An input whose path and bytes (sha256) are those the previous manifest lists for a
//! document is not processed again: its rows are carried over. Files of partitions that lost
//! no document are hard-linked into the new dataset as they are (no re-encoding; same bytes,
//! same checksums); files of a partition that lost one (its input changed or is gone) are
//! rewritten without that document's rows. New and changed inputs are processed as usual and
//! their rows go into new part files beside the carried ones. Rows are only reused from a
//! dataset written by the same build (`Manifest::build`): when the rules improve, every
//! document is processed again. Rejected inputs are always tried again.

use super::commit::Manifest;
use super::writer::{split_file_path, write_parquet, FileEntry, WriterLimits};
use super::{RowOptions, Tool};
use anyhow::{Context, Result};
use arrow_array::{Array, BooleanArray, RecordBatchReader, StringArray};
use arrow_select::{concat::concat_batches, filter::filter_record_batch};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Why a first run is a full run: nothing to say about it in the summary.
pub const NO_DATASET: &str = "no committed dataset there yet";

/// The committed dataset a run builds on.
pub struct Previous {
    root: PathBuf,
    manifest: Manifest,
    /// input path → (sha256, doc_id, partition) of every input that became a document
    docs: HashMap<String, (String, String, String)>,
}

/// A previous document this run keeps: its id and partition directory.
pub struct Reused {
    pub doc_id: String,
    pub partition: String,
}

impl Previous {
    /// The dataset committed at `out`, when its rows can be reused; otherwise why not.
    pub fn load(
        out: &Path,
        tool: &Tool,
        options: RowOptions,
    ) -> std::result::Result<Previous, String> {
        if !out.join("_SUCCESS").exists() {
            return Err(NO_DATASET.into());
        }
        let manifest = Manifest::read(out).map_err(|e| format!("{e:#}"))?;
        if manifest.build != tool.build {
            return Err(format!(
                "it was written by another build of govtext ({} {}, this is {} {})",
                manifest.tool_version,
                if manifest.build.is_empty() {
                    "unknown"
                } else {
                    &manifest.build
                },
                tool.version,
                tool.build
            ));
        }
        if manifest.options != options {
            return Err(format!(
                "it was written {} --keep-original",
                if manifest.options.keep_original {
                    "with"
                } else {
                    "without"
                }
            ));
        }
        let docs: HashMap<String, (String, String, String)> = manifest
            .inputs
            .entries()
            .iter()
            .filter_map(|i| {
                Some((
                    i.path.clone(),
                    (i.sha256.clone()?, i.doc_id.clone()?, i.partition.clone()?),
                ))
            })
            .collect();
        // every document row must be traced to its input and partition, or a carried file
        // could hold rows of a document this run no longer has
        let rows = manifest
            .tables
            .get("documents")
            .map(|t| t.rows)
            .unwrap_or(0);
        if rows != docs.len() as u64 {
            return Err(format!(
                "its manifest traces {} of its {rows} documents to their inputs",
                docs.len()
            ));
        }
        Ok(Previous {
            root: out.to_path_buf(),
            manifest,
            docs,
        })
    }

    /// The previous document of this input, when the input is unchanged.
    pub fn reusable(&self, path: &str, sha256: &str) -> Option<Reused> {
        let (sha, doc_id, partition) = self.docs.get(path)?;
        (sha == sha256).then(|| Reused {
            doc_id: doc_id.clone(),
            partition: partition.clone(),
        })
    }

    /// Every data file of the previous dataset (not rejects, not the empty placeholders):
    /// the writer numbers new part files after these.
    pub fn data_files(&self) -> impl Iterator<Item = &FileEntry> {
        self.manifest
            .files
            .iter()
            .filter(|f| f.table != "rejects" && partition_of(&f.path).is_some())
    }

    /// Puts the previous rows of the documents in `kept` into `staging`: unchanged
    /// partitions by hard link, partitions that lost a document rewritten without it.
    /// Returns the manifest entries of the files now in staging.
    pub fn carry(
        &self,
        staging: &Path,
        kept: &HashSet<String>,
        limits: &WriterLimits,
    ) -> Result<Vec<FileEntry>> {
        // partitions holding a previous document this run does not keep
        let touched: HashSet<&str> = self
            .docs
            .values()
            .filter(|(_, id, _)| !kept.contains(id))
            .map(|(_, _, part)| part.as_str())
            .collect();
        let mut out = Vec::new();
        for f in self.data_files() {
            let part = partition_of(&f.path).expect("data files have a partition");
            if !touched.contains(part) {
                link_or_copy(&self.root, staging, &f.path).context("carry")?;
                out.push(f.clone());
                continue;
            }
            let keep = |id: &str| kept.contains(id);
            let from = self.root.join(&f.path);
            if let Some(entry) = rewrite(&from, staging, &f.path, &f.table, &keep, limits)? {
                out.push(entry);
            }
        }
        Ok(out)
    }
}

/// `documents/year=2024/province_code=CN-LN/part-00000.parquet` → `year=2024/province_code=CN-LN`.
pub fn partition_of(path: &str) -> Option<&str> {
    split_file_path(path).map(|(_, dir, _)| dir)
}

/// Puts the file `rel` of the dataset at `from` into the one being staged at `to`, same
/// bytes: a hard link where the filesystem allows, a copy where not.
pub fn link_or_copy(from: &Path, to: &Path, rel: &str) -> Result<()> {
    let (src, dst) = (from.join(rel), to.join(rel));
    if let Some(dir) = dst.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    if fs::hard_link(&src, &dst).is_err() {
        fs::copy(&src, &dst)
            .with_context(|| format!("copying {} to {}", src.display(), dst.display()))?;
    }
    Ok(())
}

/// Rewrites the file `from` as `rel` under `staging` with only the rows whose `doc_id`
/// `keep` accepts; `None` when no row is left (no file is written).
pub(crate) fn rewrite(
    from: &Path,
    staging: &Path,
    rel: &str,
    table: &str,
    keep: &dyn Fn(&str) -> bool,
    limits: &WriterLimits,
) -> Result<Option<FileEntry>> {
    let file =
        fs::File::open(from).with_context(|| format!("carry: opening {}", from.display()))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .with_context(|| format!("carry: reading {}", from.display()))?;
    let schema = reader.schema();
    let mut parts = Vec::new();
    for batch in reader {
        let batch = batch.with_context(|| format!("carry: reading {}", from.display()))?;
        let ids = batch
            .column_by_name("doc_id")
            .and_then(|c| c.as_any().downcast_ref::<StringArray>())
            .with_context(|| format!("carry: {} has no doc_id column", from.display()))?;
        let keep: BooleanArray = (0..ids.len())
            .map(|i| Some(ids.is_valid(i) && keep(ids.value(i))))
            .collect();
        parts.push(
            filter_record_batch(&batch, &keep)
                .with_context(|| format!("carry: filtering {}", from.display()))?,
        );
    }
    let batch = concat_batches(&schema, &parts)
        .with_context(|| format!("carry: joining {}", from.display()))?;
    if batch.num_rows() == 0 {
        return Ok(None);
    }
    Ok(Some(write_parquet(staging, rel, table, &batch, limits)?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn partition_of_a_file() {
        assert_eq!(
            super::partition_of("documents/year=2024/province_code=CN-LN/part-00003.parquet"),
            Some("year=2024/province_code=CN-LN")
        );
        assert_eq!(super::partition_of("rejects/part-00000.parquet"), None);
    }
}
