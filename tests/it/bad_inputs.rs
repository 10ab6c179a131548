//! Inputs that cannot become documents become rejects with a reason; the run still commits
//! and says so with exit code 3.

use crate::common::*;
use serde_json::json;

#[test]
fn every_input_is_a_document_or_a_reject() {
    let tmp = tempfile::tempdir().unwrap();
    let inp = tmp.path().join("in");
    std::fs::create_dir_all(inp.join("sub")).unwrap();
    std::fs::write(inp.join("a_empty.txt"), b"").unwrap();
    std::fs::write(inp.join("b_image.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    std::fs::write(
        inp.join("c_good.txt"),
        "柳塘县政府工作报告\n各位代表：\n一、工作回顾\n全年完成地区生产总值50亿元，同比增长3%。\n"
            .as_bytes(),
    )
    .unwrap();
    std::fs::write(
        inp.join("sub/d_copy.txt"),
        "柳塘县政府工作报告\n各位代表：\n一、工作回顾\n全年完成地区生产总值50亿元，同比增长3%。\n"
            .as_bytes(),
    )
    .unwrap();
    std::fs::write(
        inp.join("e_records.jsonl"),
        "{\"id\":1,\"text\":\"岚溪县新闻，记者报道。\"}\n{broken\n{\"id\":3}\n",
    )
    .unwrap();
    std::fs::write(inp.join("f_garbage.txt"), vec![0xFFu8; 3000]).unwrap();
    // a copy of an input a stage rejects is rejected the same way, not as a duplicate of a
    // document that does not exist
    std::fs::write(inp.join("sub/g_garbage_copy.txt"), vec![0xFFu8; 3000]).unwrap();
    let out = tmp.path().join("out");
    let (code, err) = run(&[&inp], &out);
    assert_eq!(code, 3, "{err}");
    let r = duckdb(&out, &["SELECT source_path, reason, duplicate_of IS NOT NULL AS dup FROM rejects ORDER BY source_path", "SELECT count(*) AS n FROM documents"]);
    let got: Vec<(String, String)> = r[0]
        .iter()
        .map(|x| {
            (
                file_name(&x["source_path"]).to_string(),
                x["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("a_empty.txt".into(), "empty".into()),
            ("b_image.png".into(), "binary".into()),
            ("e_records.jsonl#L2".into(), "bad_record".into()),
            ("e_records.jsonl#L3".into(), "bad_record".into()),
            ("f_garbage.txt".into(), "undecodable".into()),
            ("d_copy.txt".into(), "duplicate".into()),
            ("g_garbage_copy.txt".into(), "undecodable".into()),
        ]
    );
    assert_eq!(r[1][0]["n"], json!(2));
    // the message names the input, the stage once, and the cause in figures
    let msg = duckdb(
        &out,
        &["SELECT message, duplicate_of FROM rejects WHERE reason = 'undecodable' ORDER BY source_path"],
    );
    for (row, name) in msg[0]
        .iter()
        .zip(["f_garbage.txt", "sub/g_garbage_copy.txt"])
    {
        let m = row["message"].as_str().unwrap();
        assert!(
            m.ends_with(&format!("{name}: decode: 3000 malformed sequences in 3000 characters as GBK (best guess); not text in any supported encoding")),
            "{m}"
        );
        assert_eq!(row["duplicate_of"], json!(null));
    }
    // the duplicate names the document its bytes became
    let dup = duckdb(
        &out,
        &["SELECT r.duplicate_of = d.doc_id AS same FROM rejects r, documents d WHERE r.reason = 'duplicate' AND d.source_path LIKE '%c_good.txt'"],
    );
    assert_eq!(dup[0][0]["same"], json!(true));
    let m = manifest(&out);
    assert_eq!(m["inputs"].as_array().unwrap().len(), 9);
}

#[test]
fn unusable_output_is_one_clear_line() {
    let tmp = tempfile::tempdir().unwrap();
    let not_ours = tmp.path().join("photos");
    std::fs::create_dir_all(&not_ours).unwrap();
    std::fs::write(not_ours.join("x.jpg"), b"...").unwrap();
    let (code, err) = run(&[&repo().join("samples")], &not_ours);
    assert_eq!(code, 1);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("govtext: error: output directory"), "{err}");
    assert!(not_ours.join("x.jpg").exists());
}

/// The same document in UTF-8, GBK, UTF-16LE (with BOM) and UTF-16BE (without) becomes the
/// same `text`, with the encoding recorded.
#[test]
fn encodings_round_trip_to_the_same_text() {
    let doc = "青禾县2025年政府工作报告\r\n各位代表：\r\n一、2024年工作回顾\r\n预计，全年完成地区生产总值126.4亿元，同比增长4.6%。\r\n";
    let tmp = tempfile::tempdir().unwrap();
    let inp = tmp.path().join("in");
    std::fs::create_dir_all(&inp).unwrap();
    std::fs::write(inp.join("a_utf8.txt"), doc.as_bytes()).unwrap();
    std::fs::write(inp.join("b_gbk.txt"), encoding_rs::GBK.encode(doc).0).unwrap();
    let mut le = vec![0xFF, 0xFE];
    le.extend(doc.encode_utf16().flat_map(|u| u.to_le_bytes()));
    std::fs::write(inp.join("c_utf16le.txt"), le).unwrap();
    let be: Vec<u8> = doc.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    std::fs::write(inp.join("d_utf16be.txt"), be).unwrap();
    let out = tmp.path().join("out");
    let (code, err) = run(&[&inp], &out);
    assert_eq!(code, 0, "{err}");
    let r = duckdb(
        &out,
        &["SELECT encoding, text FROM documents ORDER BY source_path"],
    );
    let enc: Vec<&str> = r[0]
        .iter()
        .map(|x| x["encoding"].as_str().unwrap())
        .collect();
    assert_eq!(enc, vec!["UTF-8", "GBK", "UTF-16LE", "UTF-16BE"]);
    let texts: Vec<&str> = r[0].iter().map(|x| x["text"].as_str().unwrap()).collect();
    assert!(texts.iter().all(|t| *t == texts[0]), "{texts:?}");
    assert!(texts[0].starts_with("青禾县2025年政府工作报告\n各位代表：\n一、2024年工作回顾"));
}

/// A crawler's folder at its worst: odd file names, a symlink loop, a deep tree, a file over
/// the size cap, UTF-16, GBK, duplicates, broken JSON Lines — every file accounted for.
#[cfg(unix)]
#[test]
fn hostile_folder_is_fully_accounted_for() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let inp = tmp.path().join("in");
    let report =
        "岚溪县政府工作报告\n各位代表：\n一、工作回顾\n全年完成地区生产总值50亿元，同比增长3%。\n";
    let mut deep = inp.clone();
    for i in 0..40 {
        deep = deep.join(format!("d{i}"));
    }
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::write(deep.join("deep.txt"), report).unwrap();
    std::fs::write(
        inp.join(std::ffi::OsStr::from_bytes(b"bad\xffname.txt")),
        "柳塘县新闻，记者报道。\n",
    )
    .unwrap();
    std::fs::write(inp.join("空格 名字.txt"), "柳塘县通知，记者报道。\n").unwrap();
    std::os::unix::fs::symlink(&inp, inp.join("loop")).unwrap();
    std::fs::write(inp.join("big.txt"), "柳".repeat(400_000)).unwrap();
    let mut le = vec![0xFF, 0xFE];
    le.extend(
        "岚溪县新闻稿，记者报道。\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    std::fs::write(inp.join("utf16.txt"), le).unwrap();
    std::fs::write(
        inp.join("gbk.txt"),
        encoding_rs::GBK.encode("柳塘县简报，记者报道。\n").0,
    )
    .unwrap();
    std::fs::write(inp.join("copy.txt"), report).unwrap();
    std::fs::write(
        inp.join("x.jsonl"),
        "{\"text\":\"岚溪县快讯，记者报道。\"}\n{\"text\":\n\u{0}\u{1}\n",
    )
    .unwrap();
    std::fs::write(inp.join("zero.bin"), [0u8, 0, 0, 0, 1, 2, 3]).unwrap();
    let out = tmp.path().join("out");
    let o = govtext(&[
        "run",
        inp.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--quiet",
        "--max-bytes",
        "1000000",
    ]);
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let r = duckdb(
        &out,
        &[
            "SELECT reason, count(*) AS n FROM rejects GROUP BY reason ORDER BY reason",
            "SELECT count(*) AS n FROM documents",
        ],
    );
    let reasons: Vec<(String, i64)> = r[0]
        .iter()
        .map(|x| {
            (
                x["reason"].as_str().unwrap().to_string(),
                x["n"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        vec![
            ("bad_record".to_string(), 2),
            ("binary".to_string(), 1),
            ("duplicate".to_string(), 1),
            ("io_error".to_string(), 1),
            ("too_large".to_string(), 1),
        ]
    );
    // the deep file (copy.txt is its duplicate), odd name, spaces, utf16, gbk, the good JSON line
    assert_eq!(r[1][0]["n"], serde_json::json!(6));
    let m = manifest(&out);
    assert_eq!(m["inputs"].as_array().unwrap().len(), 12);
}
