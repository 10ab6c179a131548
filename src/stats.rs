//! `govtext stats`: what a user checks after each run, read from the dataset itself —
//! documents by year and administrative level, rejects by reason, truncated documents and
//! unrepaired mojibake, and how many work reports give a GDP target and a GDP outcome.
//! Only the few columns needed are read (Parquet projection), never the text.

use crate::sink::{carry::partition_of, Manifest};
use anyhow::{Context, Result};
use arrow_array::{Array, BooleanArray, Int32Array, RecordBatch, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[derive(Debug, Serialize, PartialEq)]
pub struct Stats {
    pub documents: u64,
    /// partition year (`__HIVE_DEFAULT_PARTITION__` when unknown) → admin level → documents
    pub documents_by_year_level: BTreeMap<String, BTreeMap<String, u64>>,
    pub rejects: u64,
    pub rejects_by_reason: BTreeMap<String, u64>,
    pub truncated: u64,
    /// documents with at least one damaged span left as found, and the spans in all
    pub mojibake_unrepaired_documents: u64,
    pub mojibake_unrepaired_spans: u64,
    pub work_reports: u64,
    pub work_reports_with_gdp_target: u64,
    pub work_reports_with_gdp_outcome: u64,
    /// rows per table, as the manifest counts them
    pub rows: BTreeMap<String, u64>,
}

/// Reads `columns` of every file of `table`, calling `f` with each batch and the file's
/// partition directory.
fn each_batch(
    dir: &Path,
    manifest: &Manifest,
    table: &str,
    columns: &[&str],
    mut f: impl FnMut(&RecordBatch, &str) -> Result<()>,
) -> Result<()> {
    for file in manifest
        .files
        .iter()
        .filter(|x| x.table == table && x.rows > 0)
    {
        let p = dir.join(&file.path);
        let fh =
            std::fs::File::open(&p).with_context(|| format!("stats: opening {}", p.display()))?;
        let b = ParquetRecordBatchReaderBuilder::try_new(fh)
            .with_context(|| format!("stats: reading {}", p.display()))?;
        let mask = ProjectionMask::columns(b.parquet_schema(), columns.iter().copied());
        let reader = b
            .with_projection(mask)
            .build()
            .with_context(|| format!("stats: reading {}", p.display()))?;
        let part = partition_of(&file.path).unwrap_or("");
        for batch in reader {
            let batch = batch.with_context(|| format!("stats: reading {}", p.display()))?;
            f(&batch, part)?;
        }
    }
    Ok(())
}

fn column<'a, T: 'static>(b: &'a RecordBatch, name: &str) -> Result<&'a T> {
    b.column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<T>())
        .with_context(|| format!("stats: column {name} missing or of another type"))
}

pub fn stats(dir: &Path) -> Result<Stats> {
    let manifest = Manifest::read(dir)?;
    let mut s = Stats {
        documents: 0,
        documents_by_year_level: BTreeMap::new(),
        rejects: 0,
        rejects_by_reason: BTreeMap::new(),
        truncated: 0,
        mojibake_unrepaired_documents: 0,
        mojibake_unrepaired_spans: 0,
        work_reports: 0,
        work_reports_with_gdp_target: 0,
        work_reports_with_gdp_outcome: 0,
        rows: manifest
            .tables
            .iter()
            .map(|(k, v)| (k.clone(), v.rows))
            .collect(),
    };
    for i in manifest.inputs.entries() {
        if let Some(r) = &i.reject {
            s.rejects += 1;
            *s.rejects_by_reason.entry(r.clone()).or_default() += 1;
        }
    }
    let mut reports: BTreeSet<String> = BTreeSet::new();
    let cols = [
        "doc_id",
        "doc_type",
        "admin_level",
        "is_truncated",
        "mojibake_unrepaired",
    ];
    each_batch(dir, &manifest, "documents", &cols, |b, part| {
        let ids = column::<StringArray>(b, "doc_id")?;
        let types = column::<StringArray>(b, "doc_type")?;
        let levels = column::<StringArray>(b, "admin_level")?;
        let trunc = column::<BooleanArray>(b, "is_truncated")?;
        let moji = column::<Int32Array>(b, "mojibake_unrepaired")?;
        let year = part
            .split('/')
            .find_map(|x| x.strip_prefix("year="))
            .unwrap_or("__HIVE_DEFAULT_PARTITION__");
        for i in 0..b.num_rows() {
            s.documents += 1;
            let level = if levels.is_valid(i) {
                levels.value(i)
            } else {
                "unknown"
            };
            *s.documents_by_year_level
                .entry(year.to_string())
                .or_default()
                .entry(level.to_string())
                .or_default() += 1;
            s.truncated += trunc.value(i) as u64;
            if moji.value(i) > 0 {
                s.mojibake_unrepaired_documents += 1;
                s.mojibake_unrepaired_spans += moji.value(i) as u64;
            }
            if types.value(i) == "government_work_report" {
                reports.insert(ids.value(i).to_string());
            }
        }
        Ok(())
    })?;
    s.work_reports = reports.len() as u64;
    let (mut target, mut outcome) = (BTreeSet::new(), BTreeSet::new());
    each_batch(
        dir,
        &manifest,
        "indicators",
        &["doc_id", "indicator", "kind"],
        |b, _| {
            let ids = column::<StringArray>(b, "doc_id")?;
            let ind = column::<StringArray>(b, "indicator")?;
            let kind = column::<StringArray>(b, "kind")?;
            for i in 0..b.num_rows() {
                if !ind.is_valid(i) || ind.value(i) != "gdp" || !reports.contains(ids.value(i)) {
                    continue;
                }
                match kind.value(i) {
                    "target" => {
                        target.insert(ids.value(i).to_string());
                    }
                    "actual" | "estimate" => {
                        outcome.insert(ids.value(i).to_string());
                    }
                    _ => {}
                }
            }
            Ok(())
        },
    )?;
    s.work_reports_with_gdp_target = target.len() as u64;
    s.work_reports_with_gdp_outcome = outcome.len() as u64;
    Ok(s)
}

fn share(n: u64, of: u64) -> String {
    if of == 0 {
        "-".into()
    } else {
        format!("{:.0}%", n as f64 * 100.0 / of as f64)
    }
}

/// The summary as a person reads it.
pub fn render(s: &Stats) -> String {
    let mut out = format!("documents    {}\n", s.documents);
    let levels: BTreeSet<&String> = s
        .documents_by_year_level
        .values()
        .flat_map(|m| m.keys())
        .collect();
    out += &format!(
        "  {:<12}{}\n",
        "year",
        levels
            .iter()
            .map(|l| format!("{l:>10}"))
            .collect::<String>()
    );
    for (y, m) in &s.documents_by_year_level {
        let y = if y == "__HIVE_DEFAULT_PARTITION__" {
            "unknown"
        } else {
            y
        };
        out += &format!(
            "  {:<12}{}\n",
            y,
            levels
                .iter()
                .map(|l| format!("{:>10}", m.get(*l).copied().unwrap_or(0)))
                .collect::<String>()
        );
    }
    let reasons: Vec<String> = s
        .rejects_by_reason
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    out += &format!(
        "rejects      {}{}\n",
        s.rejects,
        if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", reasons.join(", "))
        }
    );
    out += &format!(
        "truncated    {} ({})\n",
        s.truncated,
        share(s.truncated, s.documents)
    );
    out += &format!(
        "mojibake     {} documents with {} spans left unrepaired\n",
        s.mojibake_unrepaired_documents, s.mojibake_unrepaired_spans
    );
    out += &format!(
        "work reports {}: GDP target in {} ({}), GDP outcome in {} ({})\n",
        s.work_reports,
        s.work_reports_with_gdp_target,
        share(s.work_reports_with_gdp_target, s.work_reports),
        s.work_reports_with_gdp_outcome,
        share(s.work_reports_with_gdp_outcome, s.work_reports)
    );
    let rows: Vec<String> = s.rows.iter().map(|(k, v)| format!("{k} {v}")).collect();
    out += &format!("rows         {}\n", rows.join(", "));
    out += "stage times  not kept in the dataset: each run prints them in its summary\n";
    out
}
