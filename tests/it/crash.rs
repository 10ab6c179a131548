//! A run killed with SIGKILL in the middle leaves the previous dataset intact and valid; the
//! next run clears the leftovers and completes. A second run while one is writing is refused.

use crate::common::*;
use std::io::Write;
use std::process::{Command, Stdio};

/// One of the samples' reports, made unique by `i`, as a JSON Lines record.
fn record(base: &str, i: usize) -> String {
    let body = base
        .repeat(8)
        .replace("120.8亿元", &format!("{}.{}亿元", 100 + i % 50, i % 10));
    let text = format!("{body}\n编号{i}。\n");
    format!(
        "{}\n",
        serde_json::json!({"id": format!("doc-{i:05}"), "text": text})
    )
}

#[test]
fn kill_mid_run_keeps_the_old_dataset_and_a_rerun_completes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, err) = run(&[&repo().join("samples")], &out);
    assert_eq!(code, 0, "{err}");
    let before = snapshot(&out);
    let base =
        std::fs::read_to_string(repo().join("samples/qinghe_county_2024_report.txt")).unwrap();
    let staging = tmp.path().join(".out.govtext-staging");
    // inputs on a pipe the test holds open: the run cannot end before the test says so,
    // however fast or slow the machine
    let mut child = Command::new(bin())
        .args(["run", "-", "-o", out.to_str().unwrap(), "--quiet"])
        .stdin(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // feed it until it is writing into staging
    let mut i = 0;
    while !staging.join("documents").exists() {
        assert!(
            i < 20_000,
            "no Parquet written into staging after {i} documents"
        );
        stdin.write_all(record(&base, i).as_bytes()).unwrap();
        i += 1;
    }
    // while it runs, a second writer is refused at once
    let (code, err) = run(&[&repo().join("samples")], &out);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("another govtext run"), "{err}");
    child.kill().unwrap(); // SIGKILL
    drop(stdin);
    child.wait().unwrap();
    assert!(snapshot(&out) == before, "the committed dataset changed");
    let v = govtext(&["validate", out.to_str().unwrap()]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    // the next run clears the leftovers and completes
    let (code, err) = run(&[&repo().join("samples")], &out);
    assert_eq!(code, 0, "{err}");
    assert!(!staging.exists());
    assert!(snapshot(&out) == before);
}
