//! Clean text comes out as it went in. Documents written for this test, full of the Latin
//! letters and digits Chinese text uses (`5A级`, `A股`, `2万P`, `“南A中心”`, `PM2.5`, `RCEP`),
//! already in the normalised form (full-width Chinese punctuation, one paragraph a line), go
//! through the whole pipeline and `documents.text` is the file, character for character:
//! no "repair", no conversion, nothing counted as mojibake.

use crate::common::*;
use serde_json::json;

#[test]
fn clean_documents_are_not_altered() {
    let dir = repo().join("tests/fixtures/clean");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, err) = run(&[&dir], &out);
    assert_eq!(code, 0, "{err}");
    let r = duckdb(
        &out,
        &["SELECT source_path, text, mojibake_repaired, mojibake_unrepaired, pinyin_removed, converted_chars, boilerplate_chars FROM documents ORDER BY source_path"],
    );
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(r[0].len(), files.len());
    for (row, file) in r[0].iter().zip(&files) {
        let want = std::fs::read_to_string(file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy();
        assert!(row["source_path"].as_str().unwrap().ends_with(&*name));
        assert_eq!(row["text"].as_str().unwrap(), want.trim_end(), "{name}");
        for counter in [
            "mojibake_repaired",
            "mojibake_unrepaired",
            "pinyin_removed",
            "converted_chars",
            "boilerplate_chars",
        ] {
            assert_eq!(row[counter], json!(0), "{name}: {counter}");
        }
    }
}

/// Pages as government and news sites serve them, written for this test with made-up
/// places and figures: widgets, breadcrumbs, a disclosure table and a dateline around a work
/// report; a news item about a report. What a user reads off the documents and indicators.
#[test]
fn real_site_layouts() {
    let tmp = tempfile::tempdir().unwrap();
    let inp = tmp.path().join("in");
    std::fs::create_dir_all(&inp).unwrap();
    std::fs::write(
        inp.join("a_report_page.txt"),
        "当前位置：\n首页\n>\n政务公开\n>\n规划计划\n字号：\n大\n中\n小\n打印\n全屏\n分享：\n扫一扫在手机打开当前页\n文件名称 | 青禾县2025年政府工作报告 | ||\n索引号 | /2025-0001 | 公开目录: | 工作报告 |\n来源：\n青禾县人民政府办公室\n发布时间：2025-04-15 14:43\n2025年3月21日在青禾县第十九届\n人民代表大会第四次会议上\n青禾县人民政府代县长 林 平\n各位代表:\n现在,我代表县人民政府向大会报告工作,请予审议。\n一、过去一年工作回顾\n2024年,全县实现地区生产总值140.5亿元、增长5.4%,城乡居民人均可支配收入分别增长4.8%、7.2%。\n二、2025年工作安排\n今年经济社会发展的主要预期目标是:地区生产总值增长6%左右,固定资产投资增长8%。\n",
    )
    .unwrap();
    std::fs::write(
        inp.join("b_news_page.txt"),
        "首页 > 新闻 > 正文\n青禾县第十五届人民代表大会第五次会议开幕\n2011-02-15 10:30:00  青禾新闻网\n2月14日上午,青禾县第十五届人民代表大会第五次会议隆重开幕。县长林平代表县人民政府向大会作政府工作报告。\n报告指出,2010年全县生产总值实现13.1亿元,同比增长15%;财政总收入完成1.1亿元,其中一般预算收入0.7亿元,分别增长57.7%和43.6%。\n报告提出,今年全县生产总值增长13%以上。\n县长林平作报告。 青禾新闻网记者王华 摄\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let (code, err) = run(&[&inp], &out);
    assert_eq!(code, 0, "{err}");
    let r = duckdb(
        &out,
        &[
            "SELECT title, doc_type, report_year, CAST(meeting_date AS VARCHAR) AS md, speaker, speaker_title, text FROM documents ORDER BY source_path",
            "SELECT d.doc_type, i.indicator, i.value, i.growth_pct, i.kind, i.qualifier, i.period_year FROM indicators i JOIN documents d USING (doc_id) WHERE i.indicator IS NOT NULL ORDER BY d.source_path, i.seq",
        ],
    );
    let docs = &r[0];
    let report = &docs[0];
    assert_eq!(report["title"], json!("青禾县2025年政府工作报告"));
    assert_eq!(report["doc_type"], json!("government_work_report"));
    assert_eq!(report["report_year"], json!(2025));
    assert_eq!(report["md"], json!("2025-03-21"));
    assert_eq!(
        (&report["speaker"], &report["speaker_title"]),
        (&json!("林平"), &json!("代县长"))
    );
    let text = report["text"].as_str().unwrap();
    for chrome in [
        "首页",
        "字号",
        "打印",
        "分享",
        "扫一扫",
        "索引号",
        "来源",
        "办公室",
        "发布时间",
    ] {
        assert!(!text.contains(chrome), "{chrome} left in the text");
    }
    let news = &docs[1];
    assert_eq!(
        news["title"],
        json!("青禾县第十五届人民代表大会第五次会议开幕")
    );
    assert_eq!(news["doc_type"], json!("news"));
    assert_eq!(news["report_year"], json!(2011));
    assert_eq!(
        (&news["speaker"], &news["speaker_title"]),
        (&json!("林平"), &json!("县长"))
    );
    assert!(!news["text"].as_str().unwrap().contains("摄"));
    type Row = (
        String,
        String,
        Option<f64>,
        Option<f64>,
        String,
        Option<String>,
        i64,
    );
    let rows: Vec<Row> = r[1]
        .iter()
        .map(|x| {
            (
                x["doc_type"].as_str().unwrap().to_string(),
                x["indicator"].as_str().unwrap().to_string(),
                x["value"].as_f64(),
                x["growth_pct"].as_f64(),
                x["kind"].as_str().unwrap().to_string(),
                x["qualifier"].as_str().map(str::to_string),
                x["period_year"].as_i64().unwrap(),
            )
        })
        .collect();
    let s = |x: &str| x.to_string();
    assert_eq!(
        rows,
        vec![
            (
                s("government_work_report"),
                s("gdp"),
                Some(140.5),
                Some(5.4),
                s("actual"),
                None,
                2024
            ),
            (
                s("government_work_report"),
                s("urban_disposable_income"),
                None,
                Some(4.8),
                s("actual"),
                None,
                2024
            ),
            (
                s("government_work_report"),
                s("rural_disposable_income"),
                None,
                Some(7.2),
                s("actual"),
                None,
                2024
            ),
            (
                s("government_work_report"),
                s("gdp"),
                None,
                Some(6.0),
                s("target"),
                Some(s("左右")),
                2025
            ),
            (
                s("government_work_report"),
                s("fixed_asset_investment"),
                None,
                Some(8.0),
                s("target"),
                None,
                2025
            ),
            (
                s("news"),
                s("gdp"),
                Some(13.1),
                Some(15.0),
                s("actual"),
                None,
                2010
            ),
            (
                s("news"),
                s("general_budget_revenue"),
                Some(0.7),
                Some(43.6),
                s("actual"),
                None,
                2010
            ),
            (
                s("news"),
                s("gdp"),
                None,
                Some(13.0),
                s("target"),
                Some(s("以上")),
                2011
            ),
        ]
    );
}
