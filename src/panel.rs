//! The target-versus-outcome panel, built with polars (lazy) over the dataset a run wrote.
//!
//! One row per region × year × indicator × measure (`growth_pct` or `value`):
//! - the target set for that year, from the report that plans for it (a `target` row whose
//!   `period_year`, else the report's `report_year`, is that year; a report whose own report
//!   year is that year wins, then the smallest doc_id). When it sets a floor (必保/确保) and a
//!   stretch (力争), both are given, and the floor is `target_value`: the commitment that
//!   binds.
//! - the outcome reported for that year (an `actual` or `estimate` row whose `period_year`,
//!   else the report's `review_year`, is that year), an actual preferred to an estimate, then
//!   the next year's report, then the smallest doc_id;
//! - the gap, outcome − target, and the `doc_id`/`sentence_id` of each side.
//!
//! Only documents with a resolved region (`admin_code`) enter. The panel is written through
//! the same Parquet writer as the other tables (`panel/part-00000.parquet`, schema in
//! `schemas/panel.json`) and added to the manifest.

use crate::schema;
use crate::sink::writer::{write_parquet, FileEntry, WriterLimits};
use crate::sink::Manifest;
use anyhow::{Context as _, Result};
use arrow_array::{ArrayRef, Float64Array, Int32Array, RecordBatch, StringArray};
use polars::prelude::*;
use std::path::Path;
use std::sync::Arc;

/// Where the panel's one file goes, relative to the dataset root.
pub const PANEL_FILE: &str = "panel/part-00000.parquet";

/// A lazy scan of one table's files, as the manifest lists them.
fn scan(dir: &Path, manifest: &Manifest, table: &str) -> Result<LazyFrame> {
    let paths: Vec<PlRefPath> = manifest
        .files
        .iter()
        .filter(|f| f.table == table && f.rows > 0)
        .map(|f| PlRefPath::from(dir.join(&f.path).to_string_lossy().as_ref()))
        .collect();
    anyhow::ensure!(!paths.is_empty(), "panel: the dataset has no {table} rows");
    pl(
        LazyFrame::scan_parquet_files(paths.into_iter().collect(), ScanArgsParquet::default()),
        &format!("scanning {table}"),
    )
}

/// A polars error, as an error of ours that says where.
fn pl<T>(r: PolarsResult<T>, what: &str) -> Result<T> {
    r.map_err(|e| anyhow::anyhow!("panel: {what}: {e}"))
}

const KEYS: [&str; 4] = ["admin_code", "year", "indicator", "measure"];

fn keys() -> Vec<Expr> {
    KEYS.iter().map(|k| col(*k)).collect()
}

/// The panel as a polars frame, sorted by region, year, indicator and measure.
pub fn build(dir: &Path, manifest: &Manifest) -> Result<DataFrame> {
    let docs = scan(dir, manifest, "documents")?
        .select([
            col("doc_id"),
            col("admin_code"),
            col("province"),
            col("city"),
            col("county"),
            col("admin_level"),
            col("report_year"),
            col("review_year"),
        ])
        .filter(col("admin_code").is_not_null());
    let rows = scan(dir, manifest, "indicators")?
        .select([
            col("doc_id"),
            col("sentence_id"),
            col("seq"),
            col("indicator"),
            col("kind"),
            col("value"),
            col("unit"),
            col("value_high"),
            col("growth_pct"),
            col("growth_high"),
            col("qualifier"),
            col("commitment"),
            col("period_year"),
        ])
        .filter(col("indicator").is_not_null())
        .join(
            docs,
            [col("doc_id")],
            [col("doc_id")],
            JoinArgs::new(JoinType::Inner),
        );
    // one row per figure and measure: a growth rate, a level, or both
    let growth = rows
        .clone()
        .filter(col("growth_pct").is_not_null())
        .with_columns([
            lit("growth_pct").alias("measure"),
            col("growth_pct").alias("v"),
            col("growth_high").alias("v_high"),
            lit("%").alias("unit"),
        ]);
    let level = rows.filter(col("value").is_not_null()).with_columns([
        lit("value").alias("measure"),
        col("value").alias("v"),
        col("value_high").alias("v_high"),
    ]);
    let long = pl(concat([growth, level], UnionArgs::default()), "measures")?;

    let is_floor = col("commitment")
        .eq(lit("必保"))
        .or(col("commitment").eq(lit("确保")));
    let is_stretch = col("commitment").eq(lit("力争"));
    // the region's names, taken along (prefixed on the outcome side, to be coalesced)
    let region = |prefix: &str| -> Vec<Expr> {
        ["province", "city", "county", "admin_level"]
            .iter()
            .map(|c| col(*c).first().alias(format!("{prefix}{c}")))
            .collect()
    };

    // targets: the planning report's rows only
    let targets = long
        .clone()
        .filter(col("kind").eq(lit("target")))
        .with_column(coalesce(&[col("period_year"), col("report_year")]).alias("year"))
        .filter(col("year").is_not_null())
        .with_column(
            col("report_year")
                .eq(col("year"))
                .fill_null(lit(false))
                .alias("plans"),
        )
        .sort_by_exprs(
            [col("plans"), col("doc_id"), col("seq")],
            SortMultipleOptions::default().with_order_descending_multi([true, false, false]),
        );
    let planner = targets
        .clone()
        .group_by(keys())
        .agg([col("doc_id").first().alias("planner")]);
    let mut t_aggs = vec![
        col("v").filter(is_floor.clone()).first().alias("floor"),
        col("v").filter(is_stretch.clone()).first().alias("stretch"),
        col("qualifier")
            .filter(is_floor.clone())
            .first()
            .alias("floor_qualifier"),
        col("commitment")
            .filter(is_floor.clone())
            .first()
            .alias("floor_commitment"),
        col("v_high")
            .filter(is_floor.clone())
            .first()
            .alias("floor_high"),
        col("sentence_id")
            .filter(is_floor)
            .first()
            .alias("floor_sentence"),
        col("v").first().alias("first_v"),
        col("qualifier").first().alias("first_qualifier"),
        col("commitment").first().alias("first_commitment"),
        col("v_high").first().alias("first_high"),
        col("sentence_id").first().alias("first_sentence"),
        col("doc_id").first().alias("target_doc_id"),
        col("unit").first().alias("unit"),
    ];
    t_aggs.extend(region(""));
    let has_floor = col("floor").is_not_null();
    let both = col("floor").is_not_null().and(col("stretch").is_not_null());
    let pick = |floor: &str, first: &str, name: &str| {
        when(has_floor.clone())
            .then(col(floor))
            .otherwise(col(first))
            .alias(name)
    };
    let targets = targets
        .join(planner, keys(), keys(), JoinArgs::new(JoinType::Inner))
        .filter(col("doc_id").eq(col("planner")))
        .group_by(keys())
        .agg(t_aggs)
        .select([
            col("admin_code"),
            col("year"),
            col("indicator"),
            col("measure"),
            col("unit"),
            col("province"),
            col("city"),
            col("county"),
            col("admin_level"),
            pick("floor", "first_v", "target_value"),
            pick("floor_qualifier", "first_qualifier", "target_qualifier"),
            pick("floor_commitment", "first_commitment", "target_commitment"),
            pick("floor_high", "first_high", "target_value_high"),
            when(both.clone())
                .then(col("floor"))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("target_floor"),
            when(both)
                .then(col("stretch"))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("target_stretch"),
            col("target_doc_id"),
            pick("floor_sentence", "first_sentence", "target_sentence_id"),
        ]);

    // outcomes: an actual before an estimate, the next year's report before others
    let mut o_aggs = vec![
        col("v").first().alias("outcome_value"),
        col("kind").first().alias("outcome_kind"),
        col("doc_id").first().alias("outcome_doc_id"),
        col("sentence_id").first().alias("outcome_sentence_id"),
        col("unit").first().alias("outcome_unit"),
    ];
    o_aggs.extend(region("o_"));
    let outcomes = long
        .filter(
            col("kind")
                .eq(lit("actual"))
                .or(col("kind").eq(lit("estimate"))),
        )
        .with_column(coalesce(&[col("period_year"), col("review_year")]).alias("year"))
        .filter(col("year").is_not_null())
        .with_columns([
            col("kind").eq(lit("actual")).alias("is_actual"),
            col("report_year")
                .eq(col("year") + lit(1))
                .fill_null(lit(false))
                .alias("next_report"),
        ])
        .sort_by_exprs(
            [
                col("is_actual"),
                col("next_report"),
                col("doc_id"),
                col("seq"),
            ],
            SortMultipleOptions::default().with_order_descending_multi([true, true, false, false]),
        )
        .group_by(keys())
        .agg(o_aggs);

    let panel = targets
        .join(
            outcomes,
            keys(),
            keys(),
            JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
        )
        .select([
            col("admin_code"),
            coalesce(&[col("province"), col("o_province")]).alias("province"),
            coalesce(&[col("city"), col("o_city")]).alias("city"),
            coalesce(&[col("county"), col("o_county")]).alias("county"),
            coalesce(&[col("admin_level"), col("o_admin_level")]).alias("admin_level"),
            col("year").cast(DataType::Int32),
            col("indicator"),
            col("measure"),
            coalesce(&[col("unit"), col("outcome_unit")]).alias("unit"),
            col("target_value"),
            col("target_qualifier"),
            col("target_commitment"),
            col("target_value_high"),
            col("target_floor"),
            col("target_stretch"),
            col("target_doc_id"),
            col("target_sentence_id"),
            col("outcome_value"),
            col("outcome_kind"),
            col("outcome_doc_id"),
            col("outcome_sentence_id"),
        ])
        .sort_by_exprs(keys(), SortMultipleOptions::default());
    pl(panel.collect(), "running the query")
}

fn strings(df: &DataFrame, name: &str) -> Result<ArrayRef> {
    let c = pl(
        df.column(name).and_then(|c| c.str().cloned()),
        &format!("column {name}"),
    )?;
    Ok(Arc::new(c.iter().collect::<StringArray>()))
}

fn floats(df: &DataFrame, name: &str) -> Result<ArrayRef> {
    let c = pl(
        df.column(name).and_then(|c| c.f64().cloned()),
        &format!("column {name}"),
    )?;
    Ok(Arc::new(c.iter().collect::<Float64Array>()))
}

fn ints(df: &DataFrame, name: &str) -> Result<ArrayRef> {
    let c = pl(
        df.column(name).and_then(|c| c.i32().cloned()),
        &format!("column {name}"),
    )?;
    Ok(Arc::new(c.iter().collect::<Int32Array>()))
}

/// The polars frame as an Arrow batch of the panel's schema (`schema::columns("panel")`),
/// so it is written and validated like every other table.
pub fn to_batch(df: &DataFrame) -> Result<RecordBatch> {
    let cols: Vec<ArrayRef> = schema::columns("panel")
        .iter()
        .map(|c| match c.ty {
            // outcome − target, rounded to the precision the reports use at most (the
            // figures are exact decimals; the f64 difference of two is not: 4.6 − 5 = −0.4)
            _ if c.name == "gap" => {
                let o = pl(
                    df.column("outcome_value").and_then(|c| c.f64().cloned()),
                    "outcome",
                )?;
                let t = pl(
                    df.column("target_value").and_then(|c| c.f64().cloned()),
                    "target",
                )?;
                let gap: Float64Array = o
                    .iter()
                    .zip(t.iter())
                    .map(|(o, t)| Some(((o? - t?) * 1e6).round() / 1e6))
                    .collect();
                Ok(Arc::new(gap) as ArrayRef)
            }
            arrow_schema::DataType::Float64 => floats(df, c.name),
            arrow_schema::DataType::Int32 => ints(df, c.name),
            _ => strings(df, c.name),
        })
        .collect::<Result<_>>()?;
    RecordBatch::try_new(schema::arrow_schema("panel"), cols).context("panel: building the batch")
}

/// Builds the panel of the dataset in `dir` and writes it into the dataset, replacing an
/// earlier panel; returns its manifest entry.
pub fn write(dir: &Path, manifest: &Manifest) -> Result<FileEntry> {
    let df = build(dir, manifest)?;
    let batch = to_batch(&df)?;
    write_parquet(dir, PANEL_FILE, "panel", &batch, &WriterLimits::default())
}

/// `govtext panel DIR`: builds the panel and publishes the dataset with it, atomically and
/// under the run lock, as a run publishes (every other file is hard-linked as it is).
/// Returns the panel's row count and whether the dataset changed.
pub fn publish(dir: &Path) -> Result<(u64, bool)> {
    let staging = crate::sink::Staging::begin(dir)?;
    let old = Manifest::read(dir)
        .with_context(|| format!("panel: {} holds no govtext dataset", dir.display()))?;
    let mut files: Vec<FileEntry> = Vec::new();
    for f in old.files.iter().filter(|f| f.table != "panel") {
        crate::sink::carry::link_or_copy(dir, &staging.dir, &f.path).context("panel")?;
        files.push(f.clone());
    }
    let df = build(dir, &old)?;
    let entry = write_parquet(
        &staging.dir,
        PANEL_FILE,
        "panel",
        &to_batch(&df)?,
        &WriterLimits::default(),
    )?;
    let rows = entry.rows;
    files.push(entry);
    let mut manifest = Manifest::new(files, old.inputs.clone(), &crate::TOOL, old.options);
    // the rows are the previous build's; the panel only reads them
    manifest.build = old.build.clone();
    let changed = staging.publish(&manifest)?;
    Ok((rows, changed))
}
