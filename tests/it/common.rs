//! Helpers shared by the integration tests: run the real binary, query its output with the
//! real DuckDB (Python package, installed by `.ci/run` into `.venv`).
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_govtext")
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn govtext(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(repo())
        .output()
        .expect("running govtext")
}

/// `govtext run INPUTS -o OUT --quiet`, returning the exit code and stderr.
pub fn run(inputs: &[&Path], out: &Path) -> (i32, String) {
    let mut args: Vec<String> = vec!["run".into()];
    args.extend(inputs.iter().map(|p| p.to_string_lossy().into_owned()));
    args.extend([
        "-o".into(),
        out.to_string_lossy().into_owned(),
        "--quiet".into(),
    ]);
    let o = Command::new(bin())
        .args(&args)
        .current_dir(repo())
        .output()
        .expect("running govtext");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The Python with duckdb: $GOVTEXT_PYTHON, else the checkout's .venv.
pub fn python() -> PathBuf {
    if let Ok(p) = std::env::var("GOVTEXT_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = repo().join(".venv/bin/python");
    assert!(
        venv.exists(),
        "DuckDB tests need Python with duckdb: run `bash .ci/run` once (it creates .venv), or set GOVTEXT_PYTHON"
    );
    venv
}

/// Runs each SQL statement in DuckDB over the dataset; one list of row objects per statement.
pub fn duckdb(dataset: &Path, sqls: &[&str]) -> Vec<Vec<serde_json::Map<String, Value>>> {
    let o = Command::new(python())
        .arg(repo().join("tests/duckdb_query.py"))
        .arg(dataset)
        .args(sqls)
        .output()
        .expect("running python");
    assert!(
        o.status.success(),
        "duckdb failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("json rows");
            v.as_array()
                .expect("rows")
                .iter()
                .map(|r| r.as_object().expect("row").clone())
                .collect()
        })
        .collect()
}

pub fn manifest(dataset: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dataset.join("_manifest.json")).expect("manifest"))
        .expect("manifest json")
}

/// `../shared/seeds` beside the checkout, if present (it is in CI).
pub fn seeds_dir() -> Option<PathBuf> {
    let d = repo().join("../shared/seeds");
    if d.is_dir() {
        Some(d)
    } else {
        eprintln!("SKIPPED: ../shared/seeds is absent; the seed tests need the shared folder beside the checkout");
        None
    }
}

/// Every file under `dir`, relative path → bytes.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.expect("walk");
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.push((rel, std::fs::read(e.path()).expect("read")));
        }
    }
    out
}

/// Every table's row count as DuckDB reads it equals the manifest's.
pub fn assert_counts_match_manifest(dataset: &Path) -> Value {
    let m = manifest(dataset);
    for t in [
        "documents",
        "sections",
        "sentences",
        "indicators",
        "rejects",
    ] {
        let n = duckdb(dataset, &[&format!("SELECT count(*) AS n FROM {t}")]);
        assert_eq!(n[0][0]["n"], m["tables"][t]["rows"], "{t}");
    }
    m
}

/// The seeds run once per test binary and shared by its tests (None when ../shared is absent).
pub fn seeds_dataset() -> Option<&'static Path> {
    use std::sync::OnceLock;
    static OUT: OnceLock<Option<(tempfile::TempDir, PathBuf)>> = OnceLock::new();
    OUT.get_or_init(|| {
        let seeds = seeds_dir()?;
        let tmp = tempfile::tempdir().expect("tempdir");
        let out = tmp.path().join("out");
        let (code, err) = run(&[&seeds], &out);
        assert_eq!(code, 0, "{err}");
        Some((tmp, out))
    })
    .as_ref()
    .map(|(_, out)| out.as_path())
}

/// The file name of a path DuckDB returned (its last `/` component).
pub fn file_name(v: &Value) -> &str {
    let p = v.as_str().expect("a path");
    p.rsplit('/').next().unwrap_or(p)
}

/// Every row of every table, in a stable order, as DuckDB reads it: what two datasets must
/// agree on. (File names and row-group boundaries may differ; the rows may not.)
pub fn all_rows(dataset: &Path) -> Vec<String> {
    let sqls: Vec<String> = [
        ("documents", "doc_id"),
        ("sections", "doc_id, seq"),
        ("sentences", "doc_id, seq"),
        ("indicators", "doc_id, seq"),
        ("rejects", "source_path"),
    ]
    .iter()
    .map(|(t, order)| format!("SELECT CAST(t AS VARCHAR) AS r FROM {t} t ORDER BY {order}"))
    .collect();
    let refs: Vec<&str> = sqls.iter().map(String::as_str).collect();
    duckdb(dataset, &refs)
        .into_iter()
        .flatten()
        .map(|row| row["r"].as_str().expect("row text").to_string())
        .collect()
}
