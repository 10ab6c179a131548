//! Incremental runs: unchanged inputs are kept without processing, new inputs are added,
//! changed inputs replace their rows, removed inputs lose theirs, `--full-refresh` rebuilds
//! everything — and after each step the dataset holds exactly the rows a full run over the
//! same inputs would write (compared table by table in DuckDB).

use crate::common::*;
use std::fs;
use std::path::Path;

fn summary(inputs: &Path, out: &Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec![
        "run",
        inputs.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
    ];
    args.extend_from_slice(extra);
    let o = govtext(&args);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A full run of `inputs` into a fresh directory: the reference an incremental run must equal.
fn reference(inputs: &Path, tmp: &Path, name: &str) -> Vec<String> {
    let out = tmp.join(name);
    let (code, err) = summary(inputs, &out, &[]);
    assert_eq!(code, 0, "{err}");
    all_rows(&out)
}

fn doc_ids(dataset: &Path) -> Vec<String> {
    duckdb(dataset, &["SELECT doc_id FROM documents ORDER BY doc_id"])[0]
        .iter()
        .map(|r| r["doc_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn new_changed_and_removed_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = tmp.path().join("in");
    fs::create_dir_all(&inputs).unwrap();
    let samples = repo().join("samples");
    for f in [
        "qinghe_county_2025_report_gbk.txt",
        "qinghe_county_2024_report.txt",
        "songlin_district_2024_report_pinyin.txt",
    ] {
        fs::copy(samples.join(f), inputs.join(f)).unwrap();
    }
    let out = tmp.path().join("out");

    // first run: nothing to build on
    let (code, err) = summary(&inputs, &out, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("incremental"), "{err}");
    let first_ids = doc_ids(&out);
    assert_eq!(first_ids.len(), 3);
    let m = manifest(&out);
    for i in m["inputs"].as_array().unwrap() {
        let part = i["partition"].as_str().expect("a document's partition");
        assert!(part.starts_with("year="), "{part}");
    }

    // unchanged: all three kept, the dataset untouched
    let before = snapshot(&out);
    let (code, err) = summary(&inputs, &out, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("incremental: 3 documents unchanged and kept, 0 inputs processed"),
        "{err}"
    );
    assert!(err.contains("unchanged: the dataset"), "{err}");
    assert_eq!(snapshot(&out), before);

    // a new input: the three kept, one processed, rows as a full run gives them
    fs::copy(
        samples.join("songlin_district_2023_report_big5.txt"),
        inputs.join("songlin_district_2023_report_big5.txt"),
    )
    .unwrap();
    let (code, err) = summary(&inputs, &out, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("incremental: 3 documents unchanged and kept, 1 inputs processed"),
        "{err}"
    );
    assert_eq!(all_rows(&out), reference(&inputs, tmp.path(), "ref-added"));
    assert_eq!(doc_ids(&out).len(), 4);
    assert_counts_match_manifest(&out);
    let v = govtext(&["validate", out.to_str().unwrap()]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));

    // a changed input: its old document is gone, the new one is there
    let p = inputs.join("qinghe_county_2024_report.txt");
    let changed = fs::read_to_string(&p)
        .unwrap()
        .replacen("各位代表", "各位代表、同志们", 1);
    fs::write(&p, changed).unwrap();
    let (code, err) = summary(&inputs, &out, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("incremental: 3 documents unchanged and kept, 1 inputs processed"),
        "{err}"
    );
    let ids = doc_ids(&out);
    assert_eq!(ids.len(), 4);
    let gone: Vec<&String> = first_ids.iter().filter(|i| !ids.contains(i)).collect();
    assert_eq!(
        gone.len(),
        1,
        "exactly the changed input's old document is gone"
    );
    assert_eq!(
        all_rows(&out),
        reference(&inputs, tmp.path(), "ref-changed")
    );
    let left = duckdb(
        &out,
        &[&format!(
            "SELECT (SELECT count(*) FROM sentences WHERE doc_id = '{0}') + \
             (SELECT count(*) FROM indicators WHERE doc_id = '{0}') + \
             (SELECT count(*) FROM sections WHERE doc_id = '{0}') AS n",
            gone[0]
        )],
    );
    assert_eq!(
        left[0][0]["n"], 0,
        "no row of the replaced document is left"
    );

    // a removed input: its rows go with it
    fs::remove_file(inputs.join("songlin_district_2024_report_pinyin.txt")).unwrap();
    let (code, err) = summary(&inputs, &out, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("incremental: 3 documents unchanged and kept, 0 inputs processed"),
        "{err}"
    );
    assert_eq!(doc_ids(&out).len(), 3);
    assert_eq!(
        all_rows(&out),
        reference(&inputs, tmp.path(), "ref-removed")
    );
    assert_counts_match_manifest(&out);

    // --full-refresh processes everything and gives the same rows
    let incremental = all_rows(&out);
    let (code, err) = summary(&inputs, &out, &["--full-refresh"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("full run: --full-refresh"), "{err}");
    assert_eq!(all_rows(&out), incremental);
}

#[test]
fn rows_of_another_build_are_not_reused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let sample = repo().join("samples/qinghe_county_2024_report.txt");
    let (code, err) = summary(&sample, &out, &[]);
    assert_eq!(code, 0, "{err}");
    // pretend the dataset was written by an older build: its rows must not be trusted
    let p = out.join("_manifest.json");
    let mut m: serde_json::Value = serde_json::from_slice(&fs::read(&p).unwrap()).unwrap();
    m["build"] = serde_json::Value::String("0000000000000000".into());
    fs::write(&p, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    let (code, err) = summary(&sample, &out, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("full run: it was written by another build of govtext"),
        "{err}"
    );
    assert_eq!(doc_ids(&out).len(), 1);
}

/// `documents.text_original` is written only with `--keep-original` (null otherwise), and a
/// dataset written with the other choice is not built on: its rows differ.
#[test]
fn keep_original_is_a_run_option() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = tmp.path().join("in");
    fs::create_dir_all(&inputs).unwrap();
    // a traditional-script report written for this test (made-up county and figures)
    fs::write(
        inputs.join("report.txt"),
        "青禾縣政府工作報告\n各位代表：\n一、工作回顧\n全縣地區生產總值完成210億元，增長5.3%。\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let texts = |out: &Path| {
        let r = duckdb(out, &["SELECT text, text_original FROM documents"]);
        let row = &r[0][0];
        (
            row["text"].as_str().unwrap().to_string(),
            row["text_original"].as_str().map(str::to_string),
        )
    };
    let (code, err) = summary(&inputs, &out, &[]);
    assert_eq!(code, 0, "{err}");
    let (text, original) = texts(&out);
    assert_eq!(
        text,
        "青禾县政府工作报告\n各位代表：\n一、工作回顾\n全县地区生产总值完成210亿元，增长5.3%。"
    );
    assert_eq!(original, None);

    let (code, err) = summary(&inputs, &out, &["--keep-original"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("full run: it was written without --keep-original"),
        "{err}"
    );
    let (text2, original) = texts(&out);
    assert_eq!(text2, text);
    assert_eq!(
        original.as_deref(),
        Some(
            "青禾縣政府工作報告\n各位代表：\n一、工作回顧\n全縣地區生產總值完成210億元，增長5.3%。"
        )
    );

    // the same option again: the rows are kept
    let (code, err) = summary(&inputs, &out, &["--keep-original"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("incremental: 1 documents unchanged and kept"),
        "{err}"
    );
    assert_eq!(
        manifest(&out)["options"],
        serde_json::json!({"keep_original": true})
    );
}
