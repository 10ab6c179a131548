//! Shards and a commit: `govtext run --shard I/N` for every I, then `govtext commit`, gives
//! the rows one run over all the inputs gives (every table, compared in DuckDB); what is
//! missing, mixed or still running stops the commit with the reason; a shard run again
//! replaces its own files; `auto/N` takes the shard from Slurm's or Kubernetes' environment.

use crate::common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The sample corpus, six copies of one of its reports under other names (copies in other
/// shards than the first are duplicates only the commit can see) and two empty files.
fn corpus(dir: &Path) -> PathBuf {
    let inputs = dir.join("in");
    fs::create_dir_all(inputs.join("more")).unwrap();
    for e in fs::read_dir(repo().join("samples")).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), inputs.join(e.file_name())).unwrap();
    }
    let report = fs::read(repo().join("samples/qinghe_county_2024_report.txt")).unwrap();
    for k in ["a", "b", "c", "d", "e", "f"] {
        fs::write(inputs.join(format!("more/copy-{k}.txt")), &report).unwrap();
    }
    fs::write(inputs.join("empty-1.txt"), b"").unwrap();
    fs::write(inputs.join("more/empty-2.txt"), b"").unwrap();
    inputs
}

/// `govtext run INPUTS -o OUT --quiet --shard SHARD`, without the scheduler's variables of
/// the environment the tests run in.
fn shard_command(inputs: &Path, out: &Path, shard: &str) -> Command {
    let mut c = Command::new(bin());
    c.args(["run", inputs.to_str().unwrap(), "-o", out.to_str().unwrap()])
        .args(["--quiet", "--shard", shard])
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_ARRAY_TASK_MIN")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .env_remove("JOB_COMPLETION_INDEX")
        .current_dir(repo());
    c
}

fn shard_run(inputs: &Path, out: &Path, shard: &str, env: &[(&str, &str)]) -> (i32, String) {
    let o = shard_command(inputs, out, shard)
        .envs(env.iter().copied())
        .output()
        .expect("running govtext");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn commit(out: &Path) -> (i32, String) {
    let o = govtext(&["commit", out.to_str().unwrap()]);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn area(out: &Path) -> PathBuf {
    out.parent().unwrap().join(format!(
        ".{}.govtext-shards",
        out.file_name().unwrap().to_string_lossy()
    ))
}

/// The input paths a finished shard holds, from its `_shard.json`.
fn shard_inputs(out: &Path, i: u32, n: u32) -> Vec<String> {
    let p = area(out).join(format!("shard-{i:05}-of-{n:05}/_shard.json"));
    let m: serde_json::Value = serde_json::from_slice(&fs::read(p).unwrap()).unwrap();
    m["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn shards_and_a_commit_give_the_rows_of_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = corpus(tmp.path());
    let (one, out) = (tmp.path().join("one"), tmp.path().join("out"));
    let (code, err) = run(&[&inputs], &one);
    assert_eq!(code, 3, "{err}"); // the copies and the empty files are rejected
    for i in 0..3 {
        let (code, err) = shard_run(&inputs, &out, &format!("{i}/3"), &[]);
        assert_eq!(code, 0, "shard {i}: {err}");
    }
    assert!(!out.exists(), "nothing is published before the commit");
    // every input in exactly one shard; the copies spread over more than one
    let held: Vec<Vec<String>> = (0..3).map(|i| shard_inputs(&out, i, 3)).collect();
    assert_eq!(held.iter().map(Vec::len).sum::<usize>(), 16);
    let with_copies = held
        .iter()
        .filter(|s| s.iter().any(|p| p.contains("copy-")))
        .count();
    assert!(with_copies >= 2, "{held:?}");

    let (code, err) = commit(&out);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("3 shards committed: 8 documents, 8 rejected"),
        "{err}"
    );
    assert_eq!(all_rows(&out), all_rows(&one));
    // the same inputs, in the same order, with what each became
    assert_eq!(manifest(&out)["inputs"], manifest(&one)["inputs"]);
    let dups = duckdb(
        &out,
        &["SELECT count(*) AS n FROM rejects WHERE reason = 'duplicate' AND duplicate_of IS NOT NULL"],
    );
    assert_eq!(dups[0][0]["n"], 6);
    assert_counts_match_manifest(&out);
    let v = govtext(&["validate", out.to_str().unwrap()]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    assert!(
        !area(&out).exists(),
        "the shard area is removed once published"
    );
    // a run over a committed sharded dataset builds on it like on any other
    let (code, err) = run(&[&inputs], &out);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("8 documents unchanged and kept"), "{err}");
    assert_eq!(all_rows(&out), all_rows(&one));
}

#[test]
fn a_missing_shard_stops_the_commit_with_what_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = corpus(tmp.path());
    let out = tmp.path().join("out");
    for i in [0, 2, 3] {
        assert_eq!(shard_run(&inputs, &out, &format!("{i}/5"), &[]).0, 0);
    }
    let (code, err) = commit(&out);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("2 of 5 shards missing: 1/5, 4/5"), "{err}");
    assert!(!out.exists());
    // the shards already written stay for the next attempt
    assert_eq!(shard_run(&inputs, &out, "1/5", &[]).0, 0);
    assert_eq!(shard_run(&inputs, &out, "4/5", &[]).0, 0);
    let (code, err) = commit(&out);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("5 shards committed: 8 documents"), "{err}");
}

#[test]
fn shards_of_other_options_or_inputs_are_not_mixed() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = corpus(tmp.path());
    let out = tmp.path().join("out");
    assert_eq!(shard_run(&inputs, &out, "0/2", &[]).0, 0);
    let o = shard_command(&inputs, &out, "1/2")
        .arg("--keep-original")
        .output()
        .unwrap();
    assert!(o.status.success());
    let (code, err) = commit(&out);
    assert_eq!(code, 1);
    assert!(err.contains("--keep-original"), "{err}");
    // shard 1 again, over other inputs: not the same run
    fs::remove_file(inputs.join("empty-1.txt")).unwrap();
    assert_eq!(shard_run(&inputs, &out, "1/2", &[]).0, 0);
    let (code, err) = commit(&out);
    assert_eq!(code, 1);
    assert!(err.contains("its inputs are not the same"), "{err}");
    assert!(!out.exists());
}

#[test]
fn a_shard_run_again_replaces_its_own_files() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = corpus(tmp.path());
    let out = tmp.path().join("out");
    assert_eq!(shard_run(&inputs, &out, "0/2", &[]).0, 0);
    let dir = area(&out).join("shard-00000-of-00002");
    let first = snapshot(&dir);
    // what an attempt that died half-way would have left
    fs::write(dir.join("documents/part-s00000-00099.parquet"), b"half").unwrap();
    fs::remove_file(dir.join("_shard.json")).unwrap();
    assert_eq!(shard_run(&inputs, &out, "0/2", &[]).0, 0);
    assert_eq!(
        snapshot(&dir),
        first,
        "the same files, byte for byte, and nothing else"
    );
    assert_eq!(shard_run(&inputs, &out, "1/2", &[]).0, 0);
    assert_eq!(commit(&out).0, 3);
}

#[test]
fn auto_takes_the_shard_from_the_scheduler() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = corpus(tmp.path());
    let out = tmp.path().join("out");
    // a Slurm array `--array=1-3`: task 2 is shard 1
    let slurm = [
        ("SLURM_ARRAY_TASK_ID", "2"),
        ("SLURM_ARRAY_TASK_MIN", "1"),
        ("SLURM_ARRAY_TASK_COUNT", "3"),
    ];
    let (code, err) = shard_run(&inputs, &out, "auto/3", &slurm);
    assert_eq!(code, 0, "{err}");
    assert!(area(&out).join("shard-00001-of-00003/_shard.json").exists());
    // a Kubernetes Indexed Job with completions 3: index 2
    let (code, err) = shard_run(&inputs, &out, "auto/3", &[("JOB_COMPLETION_INDEX", "2")]);
    assert_eq!(code, 0, "{err}");
    assert!(area(&out).join("shard-00002-of-00003/_shard.json").exists());
    assert_eq!(
        shard_inputs(&out, 2, 3),
        {
            let k8s = tmp.path().join("k8s");
            assert_eq!(shard_run(&inputs, &k8s, "2/3", &[]).0, 0);
            shard_inputs(&k8s, 2, 3)
        },
        "auto/3 with index 2 is shard 2/3"
    );
    // no scheduler: a clear error, nothing written
    let (code, err) = shard_run(&inputs, &out, "auto/3", &[]);
    assert_eq!(code, 1);
    assert!(
        err.contains("SLURM_ARRAY_TASK_ID") && err.contains("JOB_COMPLETION_INDEX"),
        "{err}"
    );
    let (code, err) = shard_run(&inputs, &out, "auto/4", &slurm);
    assert_eq!(code, 1);
    assert!(err.contains("has 3 tasks"), "{err}");
}

#[test]
fn a_store_url_where_a_folder_is_needed_is_a_clear_error() {
    for args in [
        vec!["commit", "s3://bucket/out"],
        vec!["validate", "s3://bucket/out"],
        vec!["stats", "gs://bucket/out"],
    ] {
        let o = govtext(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("is in object storage"), "{args:?}: {err}");
    }
    // shards go beside a folder; a run into a store is one run
    let (code, err) = shard_run(
        &repo().join("samples"),
        Path::new("s3://bucket/out"),
        "0/2",
        &[],
    );
    assert_eq!(code, 1);
    assert!(err.contains("--shard writes beside its output"), "{err}");
}
