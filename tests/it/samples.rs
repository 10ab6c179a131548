//! The main job on the bundled sample corpus, end to end: the real binary writes the dataset,
//! DuckDB reads it back with hive partitioning, a second run is byte-identical.

use crate::common::*;
use serde_json::json;

#[test]
fn samples_end_to_end_read_by_duckdb_and_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let samples = repo().join("samples");
    let (code, err) = run(&[&samples], &out);
    assert_eq!(code, 0, "{err}");
    assert!(out.join("_SUCCESS").exists());
    // the inputs were spilled to a file while the run went: copied into the manifest, gone
    let mut own: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('_'))
        .collect();
    own.sort();
    assert_eq!(own, ["_SUCCESS", "_manifest.json"]);
    let m = assert_counts_match_manifest(&out);
    assert_eq!(m["tables"]["documents"]["rows"], json!(8));
    assert_eq!(m["tables"]["rejects"]["rows"], json!(0));
    assert_eq!(m["inputs"].as_array().unwrap().len(), 8);

    let r = duckdb(
        &out,
        &[
            // partition columns come back from the paths, province_code as a string
            "SELECT source_path, encoding, script, year, province_code, report_year, city, county, speaker \
             FROM documents WHERE source_path LIKE '%qinghe_county_2025%'",
            "SELECT indicator, growth_pct, qualifier, commitment, kind, period_year FROM indicators i \
             JOIN documents d USING (doc_id) WHERE d.source_path LIKE '%qinghe_county_2025%' \
             AND indicator = 'gdp' AND kind = 'target' ORDER BY i.seq",
            "SELECT encoding, script, text LIKE '%着力推动%' AS zhuoli, pinyin_removed > 0 AS pinyin FROM documents \
             WHERE source_path LIKE '%songlin%' ORDER BY source_path",
            "SELECT is_truncated, truncation, declared_chars, doc_type FROM documents WHERE source_path LIKE '%speech%'",
            "SELECT count(*) AS n FROM documents WHERE source_path LIKE '%.jsonl#L%'",
            "SELECT boilerplate_chars > 0 AS chrome, title, year FROM documents WHERE source_path LIKE '%.html'",
            // row ids are the document's id and the row's number, and they join up
            "SELECT \
               (SELECT count(*) FROM sentences WHERE sentence_id <> doc_id || ':t' || lpad(seq::VARCHAR, 6, '0')) AS bad_sentence_ids, \
               (SELECT count(*) FROM sections WHERE section_id <> doc_id || ':s' || lpad(seq::VARCHAR, 5, '0')) AS bad_section_ids, \
               (SELECT count(*) FROM indicators WHERE indicator_id <> doc_id || ':i' || lpad(seq::VARCHAR, 6, '0')) AS bad_indicator_ids, \
               (SELECT count(*) FROM sections c LEFT JOIN sections p ON c.parent_id = p.section_id \
                WHERE c.parent_id IS NOT NULL AND (p.doc_id IS DISTINCT FROM c.doc_id OR p.level >= c.level)) AS orphan_sections, \
               (SELECT count(*) FROM sentences t LEFT JOIN sections c ON t.section_id = c.section_id \
                WHERE t.section_id IS NOT NULL AND (c.doc_id IS DISTINCT FROM t.doc_id \
                  OR t.char_start < c.char_start OR t.char_end > c.char_end)) AS misplaced_sentences, \
               (SELECT count(*) FROM indicators i LEFT JOIN sentences t ON i.sentence_id = t.sentence_id \
                WHERE t.doc_id IS DISTINCT FROM i.doc_id OR i.section_id IS DISTINCT FROM t.section_id \
                  OR substr(t.text, i.char_start + 1, i.char_end - i.char_start) <> i.mention) AS misplaced_indicators, \
               (SELECT count(*) FROM sentences WHERE section_id IS NOT NULL) > 0 AS some_in_sections",
        ],
    );
    assert_eq!(r[0].len(), 1);
    let q = &r[0][0];
    assert_eq!(q["encoding"], json!("GBK"));
    assert_eq!(q["script"], json!("hans"));
    assert_eq!(q["year"], json!(2025));
    assert_eq!(q["province_code"], json!("CN-LN"));
    assert_eq!(q["report_year"], json!(2025));
    assert_eq!(q["city"], json!("锦州市"));
    assert_eq!(q["county"], json!(null)); // 青禾县 is made up: not in the gazetteer
    assert_eq!(q["speaker"], json!("林平"));
    let gdp: Vec<_> = r[1]
        .iter()
        .map(|x| {
            (
                x["growth_pct"].clone(),
                x["qualifier"].clone(),
                x["commitment"].clone(),
                x["period_year"].clone(),
            )
        })
        .collect();
    assert_eq!(
        gdp,
        vec![
            (json!(5.0), json!("以上"), json!("必保"), json!(2025)),
            (json!(5.5), json!("以上"), json!("力争"), json!(2025)),
            (json!(null), json!(null), json!("力争"), json!(2025)),
        ]
    );
    assert_eq!(r[2].len(), 2);
    assert_eq!(
        (r[2][0]["encoding"].clone(), r[2][0]["script"].clone()),
        (json!("Big5"), json!("hant"))
    );
    assert_eq!(
        (
            r[2][1]["encoding"].clone(),
            r[2][1]["zhuoli"].clone(),
            r[2][1]["pinyin"].clone()
        ),
        (json!("UTF-8"), json!(true), json!(true))
    );
    assert_eq!(r[3][0]["is_truncated"], json!(true));
    assert_eq!(r[3][0]["truncation"], json!("paywall"));
    assert_eq!(r[3][0]["declared_chars"], json!(3180));
    assert_eq!(r[3][0]["doc_type"], json!("speech"));
    assert_eq!(r[4][0]["n"], json!(2));
    assert_eq!(r[5][0]["chrome"], json!(true));
    assert_eq!(r[5][0]["title"], json!("柳塘县多措并举稳就业促增收"));
    assert_eq!(r[5][0]["year"], json!(2025));
    let ids = &r[6][0];
    for k in [
        "bad_sentence_ids",
        "bad_section_ids",
        "bad_indicator_ids",
        "orphan_sections",
        "misplaced_sentences",
        "misplaced_indicators",
    ] {
        assert_eq!(ids[k], json!(0), "{k}");
    }
    assert_eq!(ids["some_in_sections"], json!(true));

    // validate accepts it; a second run into another directory gives the same bytes
    let v = govtext(&["validate", out.to_str().unwrap()]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    let out2 = tmp.path().join("out2");
    let (code, err) = run(&[&samples], &out2);
    assert_eq!(code, 0, "{err}");
    let (a, b) = (snapshot(&out), snapshot(&out2));
    assert_eq!(
        a.iter().map(|x| &x.0).collect::<Vec<_>>(),
        b.iter().map(|x| &x.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{name} differs between identical runs");
    }
    // and rerunning over the same directory changes nothing, and says so
    let mtime = std::fs::metadata(out.join("_manifest.json"))
        .unwrap()
        .modified()
        .unwrap();
    let (code, err) = run(&[&samples], &out);
    assert_eq!(code, 0);
    assert!(err.contains("unchanged"), "{err}");
    assert!(snapshot(&out) == b);
    assert_eq!(
        std::fs::metadata(out.join("_manifest.json"))
            .unwrap()
            .modified()
            .unwrap(),
        mtime
    );
}

#[test]
fn same_files_whatever_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let samples = repo().join("samples");
    let mut snaps = Vec::new();
    for jobs in ["1", "3"] {
        let out = tmp.path().join(format!("j{jobs}"));
        let o = govtext(&[
            "run",
            samples.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--quiet",
            "--jobs",
            jobs,
        ]);
        assert_eq!(o.status.code(), Some(0));
        snaps.push(snapshot(&out));
    }
    assert!(snaps[0] == snaps[1]);
}

/// The end-of-run summary accounts for the run's CPU time stage by stage: every stage the
/// pipeline has is there, and together they are within the process's CPU time.
#[test]
fn summary_splits_the_cpu_time_by_stage() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, err) = run(&[&repo().join("samples")], &tmp.path().join("out"));
    assert_eq!(code, 0, "{err}");
    let line = err
        .lines()
        .find(|l| l.contains("CPU time by stage"))
        .unwrap_or_else(|| panic!("no stage line in:\n{err}"));
    let total: f64 = line
        .split("; ")
        .nth(1)
        .and_then(|s| s.split(" CPU-s in all").next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no total in {line}"));
    let stages: Vec<(&str, f64)> = line
        .split("): ")
        .nth(1)
        .unwrap()
        .split(", ")
        .map(|s| {
            let mut w = s.split_whitespace();
            let name = w.next().unwrap();
            let secs = w.next().unwrap().trim_end_matches('s').parse().unwrap();
            (name, secs)
        })
        .collect();
    let names: Vec<&str> = stages.iter().map(|s| s.0).collect();
    assert_eq!(
        names,
        [
            "setup", "read", "hash", "decode", "repair", "clean", "convert", "meta", "segment",
            "extract", "rows", "accept", "write", "commit"
        ]
    );
    // every stage is timed on a thread's own clock, and those clocks are part of the
    // process's: the stages cannot hold more than the total (14 figures rounded to 0.01 s).
    // How much of the total they hold depends on the machine's load: not asserted.
    assert!(total > 0.0, "{line}");
    assert!(stages.iter().all(|s| s.1 >= 0.0), "{line}");
    let sum: f64 = stages.iter().map(|s| s.1).sum();
    assert!(
        sum <= total + 0.08,
        "stages {sum} s of {total} CPU-s: {line}"
    );
}

/// Rows within a file are in input order (input paths sorted, a `.jsonl` file's records by
/// line), not in `doc_id` order; rejects likewise.
#[test]
fn rows_within_a_file_are_in_input_order() {
    use sha2::{Digest, Sha256};
    let tmp = tempfile::tempdir().unwrap();
    let inp = tmp.path().join("in");
    std::fs::create_dir_all(&inp).unwrap();
    // news items with no region or year: one partition for all
    let texts = [
        ("a.txt", "岚溪新闻：今天召开座谈会。\n"),
        ("b.txt", "岚溪新闻：昨天举行培训班。\n"),
        ("c.txt", "岚溪新闻：明天开展志愿活动。\n"),
    ];
    for (name, text) in texts {
        std::fs::write(inp.join(name), text).unwrap();
    }
    let ids: Vec<String> = texts
        .iter()
        .map(|(_, t)| format!("{:x}", Sha256::digest(t.as_bytes()))[..16].to_string())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_ne!(ids, sorted, "the test needs doc_ids out of path order");
    let mut records = String::new();
    for i in 1..=11 {
        records += if i == 2 || i == 10 {
            "not json\n"
        } else {
            "\n"
        };
    }
    std::fs::write(inp.join("d.jsonl"), records).unwrap();
    let out = tmp.path().join("out");
    let (code, err) = run(&[&inp], &out);
    assert_eq!(code, 3, "{err}");
    // the files' own row order: DuckDB's file_row_number
    let d = out.display();
    let docs = format!("SELECT doc_id, filename AS f FROM read_parquet('{d}/documents/**/*.parquet', filename = true, file_row_number = true) ORDER BY file_row_number");
    let rejects = format!("SELECT source_path FROM read_parquet('{d}/rejects/**/*.parquet', file_row_number = true) ORDER BY file_row_number");
    let r = duckdb(&out, &[&docs, &rejects]);
    let got: Vec<&str> = r[0].iter().map(|x| x["doc_id"].as_str().unwrap()).collect();
    assert_eq!(got, ids);
    assert!(r[0].iter().all(|x| x["f"] == r[0][0]["f"]), "one file");
    let rejects: Vec<&str> = r[1].iter().map(|x| file_name(&x["source_path"])).collect();
    assert_eq!(rejects, ["d.jsonl#L2", "d.jsonl#L10"]);
}
