//! The panel (polars), stats and the warehouse DDL, on datasets written by the real binary.
//! The panel needs the `analytics` feature; `cargo test --no-default-features` skips it.

use crate::common::*;
use serde_json::Value;
use std::path::Path;

/// The bundled samples include two consecutive-year work reports of one made-up county
/// (青禾县: the 2024 report plans 2024 and reviews 2023, the 2025 report plans 2025 and
/// reviews 2024).
fn samples_dataset(tmp: &Path) -> std::path::PathBuf {
    let out = tmp.join("out");
    let (code, err) = run(&[&repo().join("samples")], &out);
    assert_eq!(code, 0, "{err}");
    out
}

#[cfg(feature = "analytics")]
fn panel_rows(dataset: &Path, filter: &str) -> Vec<serde_json::Map<String, Value>> {
    duckdb(
        dataset,
        &[&format!(
            "SELECT year, measure, target_value, target_qualifier, target_commitment, \
             target_floor, target_stretch, outcome_value, outcome_kind, gap, \
             target_doc_id IS NOT NULL AS has_target_doc, outcome_sentence_id \
             FROM read_parquet('{}/panel/*.parquet') WHERE {filter} ORDER BY year, measure",
            dataset.display()
        )],
    )
    .remove(0)
}

#[cfg(feature = "analytics")]
#[test]
fn panel_of_two_consecutive_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let out = samples_dataset(tmp.path());
    let o = govtext(&["panel", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = panel_rows(
        &out,
        "county IS NULL AND admin_code = '210700' AND indicator = 'gdp' AND measure = 'growth_pct'",
    );
    let year = |y: i64| {
        rows.iter()
            .find(|r| r["year"] == y)
            .unwrap_or_else(|| panic!("no {y} row in {rows:?}"))
    };
    // 2023: reviewed by the 2024 report (初步统计: an actual), no target in the data
    let r = year(2023);
    assert_eq!(r["outcome_value"], 5.2);
    assert_eq!(r["outcome_kind"], "actual");
    assert_eq!(r["target_value"], Value::Null);
    assert_eq!(r["gap"], Value::Null);
    // 2024: target 5% 左右 from the 2024 report, outcome 4.6 estimated by the 2025 report
    let r = year(2024);
    assert_eq!(r["target_value"], 5.0);
    assert_eq!(r["target_qualifier"], "左右");
    assert_eq!(r["target_floor"], Value::Null);
    assert_eq!(r["outcome_value"], 4.6);
    assert_eq!(r["outcome_kind"], "estimate");
    assert_eq!(r["gap"], -0.4);
    // 2025: 必保增长5%以上，力争增长5.5%以上 — floor and stretch, the floor binds
    let r = year(2025);
    assert_eq!(r["target_value"], 5.0);
    assert_eq!(r["target_floor"], 5.0);
    assert_eq!(r["target_stretch"], 5.5);
    assert_eq!(r["target_commitment"], "必保");
    assert_eq!(r["target_qualifier"], "以上");
    assert_eq!(r["outcome_value"], Value::Null);
    // the panel is part of the dataset: in the manifest, valid, rerun is unchanged
    let m = manifest(&out);
    assert!(m["tables"]["panel"]["rows"].as_u64().unwrap() > 0);
    let v = govtext(&["validate", out.to_str().unwrap()]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    let again = govtext(&["panel", out.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("(unchanged)"));
}

#[cfg(feature = "analytics")]
#[test]
fn seeds_panel_dawa_gdp() {
    let Some(seeds) = seeds_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run(&[&seeds], &out);
    let o = govtext(&["panel", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = panel_rows(
        &out,
        "county = '大洼区' AND indicator = 'gdp' AND measure = 'growth_pct'",
    );
    assert_eq!(rows.len(), 2, "{rows:?}");
    // 2024: 1.0, an estimate, from the 2025 report
    assert_eq!(rows[0]["year"], 2024);
    assert_eq!(rows[0]["outcome_value"], 1.0);
    assert_eq!(rows[0]["outcome_kind"], "estimate");
    // 2025: 必保增长5.5%以上，力争增长6%以上
    assert_eq!(rows[1]["year"], 2025);
    assert_eq!(rows[1]["target_floor"], 5.5);
    assert_eq!(rows[1]["target_stretch"], 6.0);
    assert_eq!(rows[1]["target_value"], 5.5);
    assert_eq!(rows[1]["has_target_doc"], true);
}

#[cfg(not(feature = "analytics"))]
#[test]
fn panel_says_it_needs_the_feature() {
    let tmp = tempfile::tempdir().unwrap();
    let out = samples_dataset(tmp.path());
    let o = govtext(&["panel", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("analytics"));
}

#[test]
fn stats_of_the_samples() {
    let tmp = tempfile::tempdir().unwrap();
    let out = samples_dataset(tmp.path());
    let o = govtext(&["stats", out.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["documents"], 8);
    assert_eq!(s["rejects"], 0);
    assert_eq!(s["work_reports"], 4);
    // every sample report gives a GDP target and a GDP outcome (estimate or actual)
    assert_eq!(s["work_reports_with_gdp_target"], 4);
    assert_eq!(s["work_reports_with_gdp_outcome"], 4);
    assert_eq!(s["truncated"], 1);
    assert_eq!(s["documents_by_year_level"]["2025"]["city"], 1);
    assert_eq!(s["rows"]["documents"], 8);
    let text = govtext(&["stats", out.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("work reports 4: GDP target in 4 (100%)"),
        "{text}"
    );
}

#[test]
fn duckdb_views_run_in_duckdb() {
    let tmp = tempfile::tempdir().unwrap();
    let out = samples_dataset(tmp.path());
    let o = govtext(&["schema", "--format", "duckdb", out.to_str().unwrap()]);
    assert!(o.status.success());
    let ddl = String::from_utf8(o.stdout).unwrap();
    // the statements exactly as printed, then a query over every view
    let rows = duckdb(
        &out,
        &[
            &ddl,
            "SELECT (SELECT count(*) FROM documents) AS d, (SELECT count(*) FROM sentences) AS s, \
             (SELECT count(*) FROM rejects) AS r",
        ],
    );
    assert_eq!(rows[1][0]["d"], 8);
    assert_eq!(
        rows[1][0]["s"],
        manifest(&out)["tables"]["sentences"]["rows"]
    );
    assert_eq!(rows[1][0]["r"], 0);
}

#[test]
fn postgres_tables_match_the_schema() {
    let o = govtext(&["schema", "--format", "postgres"]);
    assert!(o.status.success());
    let ddl = String::from_utf8(o.stdout).unwrap();
    for t in govtext::schema::all_tables() {
        assert!(
            ddl.contains(&format!("CREATE TABLE IF NOT EXISTS {t} (")),
            "{t}"
        );
    }
    assert!(ddl.contains("    meeting_date DATE,"));
    assert!(ddl.contains("    is_truncated BOOLEAN NOT NULL,"));
    assert!(ddl.contains("    source_bytes BIGINT NOT NULL,"));
    assert!(ddl.contains("    growth_pct DOUBLE PRECISION,"));
    assert!(ddl.contains("    doc_id TEXT NOT NULL,"));
    assert!(ddl.contains("    province_code TEXT\n);"));
    // one column line per schema column, plus the two partition columns where partitioned
    let cols = ddl.lines().filter(|l| l.starts_with("    ")).count();
    let expected: usize = govtext::schema::all_tables()
        .map(|t| {
            govtext::schema::columns(t).len()
                + if govtext::schema::is_partitioned(t) {
                    2
                } else {
                    0
                }
        })
        .sum();
    assert_eq!(cols, expected);
}
