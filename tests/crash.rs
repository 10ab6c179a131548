//! A run killed with SIGKILL in the middle leaves the previous dataset intact and valid; the
//! next run clears the leftovers and completes. A second run while one is writing is refused.

mod common;
use common::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A corpus big enough that a run takes a while: the samples' reports, each made unique.
fn corpus(dir: &std::path::Path, n: usize) {
    let base =
        std::fs::read_to_string(repo().join("samples/qinghe_county_2024_report.txt")).unwrap();
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let body = base
            .repeat(8)
            .replace("120.8亿元", &format!("{}.{}亿元", 100 + i % 50, i % 10));
        std::fs::write(
            dir.join(format!("doc-{i:05}.txt")),
            format!("{body}\n编号{i}。\n"),
        )
        .unwrap();
    }
}

#[test]
fn kill_mid_run_keeps_the_old_dataset_and_a_rerun_completes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, err) = run(&[&repo().join("samples")], &out);
    assert_eq!(code, 0, "{err}");
    let before = snapshot(&out);
    let big = tmp.path().join("big");
    corpus(&big, 3000);
    let staging = tmp.path().join(".out.govtext-staging");
    let mut child = Command::new(bin())
        .args([
            "run",
            big.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // kill it once it is writing into staging
    let t = Instant::now();
    while !staging.join("documents").exists() && t.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    // while it runs, a second writer is refused at once
    let (code, err) = run(&[&repo().join("samples")], &out);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("another govtext run"), "{err}");
    child.kill().unwrap(); // SIGKILL
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
