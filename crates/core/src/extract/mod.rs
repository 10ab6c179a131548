//! Extract: every quantity with a unit, and the macro indicators among them, with their
//! growth, kind (actual / estimate / target), qualifier, commitment and year.
//!
//! A sentence is read clause by clause (clauses end at `，；：、`). In a clause, a level
//! (`188亿元`) may be followed by its growth (`同比增长1.0%`), in the same clause or in the
//! next one when that one names no subject of its own; a clause without a subject inherits
//! the previous clause's (`必保增长5.5%以上，力争增长6%以上`).

pub mod indicators;
pub mod numbers;
pub mod units;

use crate::model::{count, Commitment, IndicatorRow, Kind, Part, Qualifier, Subject};
use crate::zh::chars::{ends_of, BmpSet};
use numbers::{Dec, SCALES};
use std::borrow::Cow;

/// What the document says about itself, for kinds and years.
pub struct DocContext {
    pub report_year: Option<i32>,
    pub review_year: Option<i32>,
}

/// A sentence and where it sits.
pub struct SentenceCtx<'a> {
    pub chars: &'a [char],
    /// The same sentence as text.
    pub text: &'a str,
    /// Where the sentence starts in the document's text (bytes): a row's mention is a span
    /// of the document's text.
    pub at: usize,
    /// The document's part at this sentence (review / plan / problems / other).
    pub part: Option<Part>,
    /// Year named in the titles of the sections around it, innermost first.
    pub section_year: Option<i32>,
    /// A 预计 earlier in the same paragraph.
    pub estimate_scope: bool,
    /// A list of targets opened earlier in the paragraph (`主要预期目标是：`).
    pub target_scope: bool,
    /// The last year named earlier in the paragraph.
    pub paragraph_year: Option<i32>,
}

const GROWTH_UP: &[&str] = &[
    "增长",
    "增加",
    "上升",
    "提高",
    "提升",
    "增收",
    "增幅为",
    "增幅达",
    "增幅",
];
const GROWTH_DOWN: &[&str] = &[
    "下降",
    "减少",
    "回落",
    "降低",
    "下滑",
    "减收",
    "降幅为",
    "降幅",
];
const COMMITMENTS: &[&str] = &[
    Commitment::MustHold.as_str(),
    Commitment::Ensure.as_str(),
    Commitment::StriveFor.as_str(),
];
// 计划 and 争取 are nouns too often (钢都英才计划, 对上争取资金) to mark a target
const TARGET_WORDS: &[&str] = &[
    "预期目标",
    "目标是",
    "目标为",
    "主要目标",
    "预期增长",
    "增长目标",
    "目标确定为",
    "力争",
    "必保",
    "确保",
];
const CLAUSE_END: &[char] = &['，', '；', '：', '、', ',', ';', ':'];

#[derive(Debug, Clone)]
struct Quantity {
    start: usize,
    end: usize,
    value: Dec,
    unit: Cow<'static, str>,
    base: &'static str,
    pow: u32,
    high: Option<Dec>,
    approx: Option<&'static str>,
    qualifier: Option<Qualifier>,
    /// growth verb before it: Some(sign)
    growth: Option<i32>,
    /// 至/到 after the verb: a level reached, not a growth
    reached: bool,
}

/// Words before a figure that make it approximate, and the `approximate` each gives.
const APPROX_WORDS: [(&str, &str); 13] = [
    ("超过", "超"),
    ("超", "超"),
    ("逾", "超"),
    ("突破", "超"),
    ("跨越", "超"),
    ("跨越了", "超"),
    ("跃上", "超"),
    ("迈上", "超"),
    ("站上", "超"),
    ("将近", "近"),
    ("接近", "近"),
    ("近", "近"),
    ("约", "约"),
];

/// The `approximate` of a figure at `i`, from the longest approximating word before it.
fn approx_before(chars: &[char], i: usize) -> Option<&'static str> {
    let w = word_before(chars, i, &APPROX_WORDS.map(|(w, _)| w))?;
    APPROX_WORDS.iter().find(|(x, _)| *x == w).map(|(_, a)| *a)
}

/// A Chinese numeral a quantity may start with (asked of every character of every sentence
/// with a figure: a set lookup).
fn cn_numeral(c: char) -> bool {
    static SET: BmpSet = BmpSet::new(&[
        '一', '二', '两', '三', '四', '五', '六', '七', '八', '九', '十', '百', '千',
    ]);
    SET.contains(c)
}

fn word_before<'a>(chars: &[char], i: usize, words: &[&'a str]) -> Option<&'a str> {
    let last = i.checked_sub(1).map(|k| chars[k]);
    // the last byte of that character's UTF-8: most words end otherwise, told by one byte
    let last_byte = last.map(|c| c.encode_utf8(&mut [0; 4]).as_bytes()[c.len_utf8() - 1]);
    words
        .iter()
        .copied()
        .filter(|w| {
            // a word is counted and compared only where its last character is (asked at
            // every figure, of every word in the lists)
            if !w.is_empty()
                && (w.as_bytes().last().copied() != last_byte || w.chars().next_back() != last)
            {
                return false;
            }
            let n = w.chars().count();
            i >= n && numbers::starts_with(chars, i - n, w)
        })
        .max_by_key(|w| w.chars().count())
}

/// A unit read after a figure.
struct UnitAt {
    /// As written: the units table's own string unless a scale word comes before it.
    written: Cow<'static, str>,
    base: &'static str,
    /// Power of ten from the written unit to the base.
    pow: u32,
    /// Where it ends.
    end: usize,
    /// 余 or 多 after the scale word.
    approx: Option<&'static str>,
}

impl UnitAt {
    /// The table's unit `u` written at `i`, as it stands.
    fn plain(u: &units::Unit, i: usize) -> UnitAt {
        UnitAt {
            written: u.written.into(),
            base: u.base,
            pow: u.pow,
            end: i + u.written.chars().count(),
            approx: None,
        }
    }
}

/// The unit at `i`: optional scale word, optional 余/多, then a unit.
fn unit_at(chars: &[char], i: usize) -> Option<UnitAt> {
    if let Some(u) = units::at(chars, i) {
        return Some(UnitAt::plain(u, i));
    }
    let (word, pow) = SCALES
        .iter()
        .find(|(w, _)| numbers::starts_with(chars, i, w))?;
    let mut j = i + word.chars().count();
    let mut approx = None;
    if matches!(chars.get(j), Some('余') | Some('多')) {
        approx = Some(if chars[j] == '余' { "余" } else { "多" });
        j += 1;
    }
    let u = units::at(chars, j)?;
    if u.base == "%" || u.base == "百分点" {
        return None;
    }
    Some(UnitAt {
        written: format!("{word}{}", u.written).into(),
        base: u.base,
        pow: pow + u.pow,
        end: j + u.written.chars().count(),
        approx,
    })
}

/// Every quantity in the sentence, left to right, in `out` (emptied first).
fn quantities(chars: &[char], out: &mut Vec<Quantity>) {
    out.clear();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // nothing starts at any other character than a digit, a numeral or the first of 持平
        // or 万亿 (百分之's is a numeral)
        if !(c.is_ascii_digit() || cn_numeral(c) || matches!(c, '持' | '万')) {
            i += 1;
            continue;
        }
        // the three words below, each told by its first character first
        // 持平, 基本持平, 与上年持平: a growth of zero
        if c == '持' && numbers::starts_with(chars, i, "持平") {
            out.push(Quantity {
                start: i,
                end: i + 2,
                value: Dec::int(0),
                unit: "%".into(),
                base: "%",
                pow: 0,
                high: None,
                approx: None,
                qualifier: None,
                growth: Some(1),
                reached: false,
            });
            i += 2;
            continue;
        }
        // 突破万亿元: a round level written without its one (10000 亿元)
        if c == '万'
            && numbers::starts_with(chars, i, "万亿")
            && (i == 0 || !(chars[i - 1].is_ascii_digit() || cn_numeral(chars[i - 1])))
        {
            if let Some(UnitAt {
                written,
                base,
                pow,
                end,
                ..
            }) = unit_at(chars, i + 1)
            {
                let approx = word_before(
                    chars,
                    i,
                    &["突破", "超过", "超", "跨越", "迈上", "跃上", "站上", "过"],
                );
                if approx.is_some() || word_before(chars, i, &["达到", "达"]).is_some() {
                    out.push(Quantity {
                        start: i,
                        end,
                        value: Dec::int(10_000),
                        unit: written,
                        base,
                        pow,
                        high: None,
                        approx: approx.map(|_| "超"),
                        qualifier: None,
                        growth: None,
                        reached: false,
                    });
                    i = end;
                    continue;
                }
            }
        }
        // 百分之五, 百分之五点五: a percentage written out
        if c == '百' && numbers::starts_with(chars, i, "百分之") {
            if let Some(n) =
                numbers::arabic(chars, i + 3).or_else(|| numbers::chinese(chars, i + 3))
            {
                let growth = growth_before(chars, i);
                let (qualifier, end) = qualifier_at(chars, i, n.end, false);
                out.push(Quantity {
                    start: i,
                    end,
                    value: n.value,
                    unit: "%".into(),
                    base: "%",
                    pow: 0,
                    high: None,
                    approx: None,
                    qualifier,
                    growth,
                    reached: word_before(chars, i, &["至", "到"]).is_some(),
                });
                i = end;
                continue;
            }
        }
        let c = chars[i];
        let arabic = c.is_ascii_digit();
        let cn = !arabic && cn_numeral(c);
        if !(arabic || cn)
            || (cn
                && i > 0
                && (cn_numeral(chars[i - 1]) || matches!(chars[i - 1], '万' | '亿' | '第' | '是')))
        {
            i += 1;
            continue;
        }
        let bare = if arabic {
            numbers::arabic(chars, i)
        } else {
            numbers::chinese(chars, i)
        };
        let Some(bare) = bare else {
            i += 1;
            continue;
        };
        // 3万2千人: a mixed number is read whole, its unit without scale
        let full = numbers::number(chars, i);
        let mut j = bare.end;
        let mut approx = None;
        if matches!(chars.get(j), Some('余') | Some('多'))
            && !matches!(chars.get(j + 1), Some('万') | Some('亿'))
        {
            approx = Some(if chars[j] == '余' { "余" } else { "多" });
            j += 1;
        }
        let mut value = bare.value;
        // `1,267 万人`, `5 %`: one space between a figure and its unit, as some sites write
        if chars.get(j) == Some(&' ') && unit_at(chars, j + 1).is_some() {
            j += 1;
        }
        let mut unit = unit_at(chars, j);
        if unit.is_none() {
            if let Some(f) = full.filter(|f| f.end > bare.end + 1) {
                if let Some(u) = units::at(chars, f.end).filter(|u| u.base != "%") {
                    value = f.value;
                    unit = Some(UnitAt::plain(u, f.end));
                }
            }
        }
        let mut high_first = None;
        if unit.is_none() {
            if let Some((_, n2)) = range_second(chars, bare.end) {
                if let Some(u2) = unit_at(chars, n2.end) {
                    high_first = Some(n2.value);
                    unit = Some(u2);
                }
            }
        }
        let Some(UnitAt {
            written,
            base,
            pow,
            mut end,
            approx: approx2,
        }) = unit
        else {
            i = bare.end.max(i + 1);
            continue;
        };
        // a single Chinese numeral is a word far more often than a quantity (一个, 三次产业,
        // 五项指标, 千人助千企): it counts only with a scale word (两万人, 三亿元)
        let scaled = written.chars().next().is_some_and(|c| "万亿千".contains(c))
            && written.chars().count() > 1;
        if cn && bare.end - i == 1 && !scaled {
            i = bare.end.max(i + 1);
            continue;
        }
        if cn
            && chars
                .get(end)
                .is_some_and(|x| matches!(x, '是' | '要' | '会'))
        {
            i = end;
            continue;
        }
        let approx = approx.or(approx2).or_else(|| approx_before(chars, i));
        // a range whose second number carries the unit: 5%至5.5%, 5.5%到6%, 4.5%—5%
        let mut high = high_first;
        if let Some((_, n2)) = range_second(chars, end).filter(|_| high.is_none()) {
            if let Some(u2) = unit_at(chars, n2.end) {
                if u2.written == written {
                    high = Some(n2.value);
                    end = u2.end;
                }
            }
        }
        let (qualifier, qend) = qualifier_at(chars, i, end, high.is_some());
        end = qend;
        // `两千亿元和三千亿元两个台阶`, `400亿元大关`: a threshold passed, not the level itself
        let threshold = ["大关", "台阶", "新台阶", "关口", "两个台阶", "个台阶"]
            .iter()
            .any(|w| numbers::starts_with(chars, end, w));
        let approx = if threshold {
            approx.or(Some("超"))
        } else {
            approx
        };
        let growth = growth_before(chars, i);
        let reached = word_before(chars, verb_end(chars, i), &["至", "到"]).is_some();
        out.push(Quantity {
            start: i,
            end,
            value,
            unit: written,
            base,
            pow,
            high,
            approx,
            qualifier,
            growth,
            reached,
        });
        i = end.max(i + 1);
    }
}

/// `—5%`, `-5`, `至5.5`, `到6` after a number: where the separator ends, and the second number.
fn range_second(chars: &[char], at: usize) -> Option<(usize, numbers::Num)> {
    let sep = *chars.get(at)?;
    if !matches!(sep, '—' | '-' | '–' | '～' | '~' | '至' | '到') {
        return None;
    }
    let mut s = at + 1;
    if chars.get(s) == Some(&'—') {
        s += 1;
    }
    numbers::arabic(chars, s).map(|n| (s, n))
}

/// Where the verb before a figure at `i` ends: past 超过/约/近/了/超/达 written between them.
fn verb_end(chars: &[char], i: usize) -> usize {
    let mut p = i;
    // `增长 5%`: a space between the verb and the figure
    if p > 0 && chars[p - 1] == ' ' {
        p -= 1;
    }
    for skip in ["超过", "约", "近", "了", "超", "达"] {
        if word_before(chars, p, &[skip]).is_some() {
            p -= skip.chars().count();
        }
    }
    p
}

/// A growth verb right before position `i` (allowing 约/近/了/超/达 between): the sign.
/// The qualifier of a figure from `start` to `end`: a range is 区间; 以上/左右/以内 after it
/// (consumed: the new end is returned); 不低于/不少于 before it mean 以上, 控制在/不超过 以内.
fn qualifier_at(
    chars: &[char],
    start: usize,
    end: usize,
    range: bool,
) -> (Option<Qualifier>, usize) {
    let mut qualifier = if range { Some(Qualifier::Range) } else { None };
    let mut end = end;
    for (w, q) in [
        ("以上", Qualifier::AtLeast),
        ("左右", Qualifier::About),
        ("以内", Qualifier::AtMost),
        ("以下", Qualifier::AtMost),
    ] {
        if numbers::starts_with(chars, end, w) {
            qualifier = qualifier.or(Some(q));
            end += w.chars().count();
            break;
        }
    }
    if qualifier.is_none()
        && word_before(chars, start, &["不低于", "不少于", "不小于", "超过"]).is_some()
    {
        qualifier = Some(Qualifier::AtLeast);
    }
    if qualifier.is_none() && word_before(chars, start, &["控制在", "不超过", "不高于"]).is_some()
    {
        qualifier = Some(Qualifier::AtMost);
    }
    (qualifier, end)
}

fn growth_before(chars: &[char], i: usize) -> Option<i32> {
    let p = verb_end(chars, i);
    if word_before(chars, p, GROWTH_DOWN).is_some() {
        Some(-1)
    } else if word_before(chars, p, GROWTH_UP).is_some()
        || word_before(
            chars,
            p,
            &["增速", "增速为", "增速达", "增幅", "增速不低于"],
        )
        .is_some()
    {
        Some(1)
    } else {
        None
    }
}

fn clause_bounds(chars: &[char], at: usize) -> (usize, usize) {
    let start = chars[..at]
        .iter()
        .rposition(|c| CLAUSE_END.contains(c))
        .map(|p| p + 1)
        .unwrap_or(0);
    let end = chars[at..]
        .iter()
        .position(|c| CLAUSE_END.contains(c) || *c == '。')
        .map(|p| at + p)
        .unwrap_or(chars.len());
    (start, end)
}

const LEAD_WORDS: &[&str] = &[
    "按同口径计算",
    "按可比价格计算",
    "按可比价计算",
    "同口径",
    "可比价",
    "预计",
    "全年",
    "完成",
    "实现",
    "其中",
    "累计",
    "力争",
    "必保",
    "确保",
    "今年",
    "去年",
    "当年",
    "共",
    "年内",
    "同比",
    "比上年",
    "较上年",
    "主要预期目标是",
    "预期目标是",
    "目标是",
];
const TAIL_WORDS: &[&str] = &[
    "与上年基本",
    "与上年",
    "与去年",
    "基本",
    "同比增长",
    "比上年增长",
    "同比下降",
    "增长",
    "下降",
    "减少",
    "提高",
    "提升",
    "达到",
    "达",
    "为",
    "增至",
    "突破",
    "超过",
    "超",
    "约",
    "近",
    "完成",
    "实现",
    "同比",
    "比上年",
    "较上年",
    "分别",
    "总计",
    "合计",
    "不低于",
    "不少于",
    "控制在",
    "保持在",
    "稳定在",
    "年均",
    "增加",
    "回落",
    "降低",
    "了",
    "增速为",
    "增速达",
    "增速",
    "增幅",
    "必保",
    "确保",
    "力争",
];
const LEAD_FIRSTS: [char; LEAD_WORDS.len()] = ends_of(LEAD_WORDS, false);
const COMMITMENT_FIRSTS: [char; COMMITMENTS.len()] = ends_of(COMMITMENTS, false);
const TAIL_LASTS: [char; TAIL_WORDS.len()] = ends_of(TAIL_WORDS, true);
const GENERIC: &[&str] = &["", "总量", "总额", "规模", "其中", "总计", "合计"];

/// The subject in `s`: borrowed from it, unless a note in passing had to be taken out.
fn strip_subject(s: &str) -> Cow<'_, str> {
    // a note in passing (`（下同）`, `（含…）`) is not part of the subject
    if s.contains("下同") {
        let unnoted = s.replace("（下同）", "").replace("(下同)", "");
        return strip_words(&unnoted).to_string().into();
    }
    strip_words(s).into()
}

/// `s` without the words around a subject that are not part of it (`全年`, `同比`, a
/// commitment, a year in front).
fn strip_words(s: &str) -> &str {
    let mut t = s.trim();
    loop {
        let before = t;
        // a word is compared only where its first (last) character is, and a list walked
        // only when some word of it starts (ends) with t's: most subjects have none
        let mut first = t.chars().next();
        if first.is_some_and(|c| LEAD_FIRSTS.contains(&c) || COMMITMENT_FIRSTS.contains(&c)) {
            for (w, f) in LEAD_WORDS
                .iter()
                .zip(LEAD_FIRSTS)
                .chain(COMMITMENTS.iter().zip(COMMITMENT_FIRSTS))
            {
                if first != Some(f) {
                    continue;
                }
                if let Some(r) = t.strip_prefix(w) {
                    t = r.trim_start_matches(['，', ',', ' ']);
                    first = t.chars().next();
                }
            }
        }
        let mut last = t.chars().next_back();
        if last.is_some_and(|c| TAIL_LASTS.contains(&c)) {
            for (w, l) in TAIL_WORDS.iter().zip(TAIL_LASTS) {
                if last != Some(l) {
                    continue;
                }
                if let Some(r) = t.strip_suffix(w) {
                    t = r;
                    last = t.chars().next_back();
                }
            }
        }
        // a year in front (2025年) is context, not subject
        if let Some(pos) = t.find('年') {
            if pos == 4 && t[..4].chars().all(|c| c.is_ascii_digit()) {
                t = &t[pos + '年'.len_utf8()..];
            }
        }
        if t == before {
            break;
        }
    }
    t.trim()
}

/// The years `chars` names, in order, each with the position of its 年: `2025年`, and
/// `2025 年` as some sites space it (a 年 has at most one year before it, and no two years
/// overlap). Whether a year counts reads only the characters up to its 年.
fn year_marks(chars: &[char]) -> impl Iterator<Item = (usize, i32)> + '_ {
    chars
        .iter()
        .enumerate()
        .filter(|(_, c)| **c == '年')
        .filter_map(|(p, _)| {
            let i = match p.checked_sub(4) {
                Some(i) if chars[p - 1] != ' ' => i,
                _ => match p.checked_sub(5) {
                    Some(i) if chars[p - 1] == ' ' => i,
                    _ => return None,
                },
            };
            if !chars[i..i + 4].iter().all(|c| c.is_ascii_digit())
                || (i > 0 && chars[i - 1].is_ascii_digit())
            {
                return None;
            }
            let y = chars[i..i + 4]
                .iter()
                .fold(0, |y, c| y * 10 + c.to_digit(10).unwrap_or(0) as i32);
            // 比2020年 / 较2020年 name the base, not the period
            // (`是2012年的1.2倍`: the base of a ratio)
            let base = i > 0 && matches!(chars[i - 1], '比' | '较' | '与' | '是');
            (crate::zh::dates::YEARS.contains(&y) && !base).then_some((p, y))
        })
}

/// The last year named before `upto`.
fn years_in(chars: &[char], upto: usize) -> Option<i32> {
    year_marks(&chars[..upto.min(chars.len())])
        .last()
        .map(|(_, y)| y)
}

/// The last of `marks` (a sentence's `year_marks`) before `upto`: the sentence is read for
/// its years once, not again for each figure in it.
fn last_mark_before(marks: &[(usize, i32)], upto: usize) -> Option<i32> {
    marks
        .iter()
        .take_while(|(p, _)| *p < upto)
        .last()
        .map(|(_, y)| *y)
}

/// The last year named in a text (for paragraph and section-title context).
pub fn last_year(s: &str) -> Option<i32> {
    let c: Vec<char> = s.chars().collect();
    last_year_in(&c)
}

/// `last_year` of text already split into characters.
pub fn last_year_in(c: &[char]) -> Option<i32> {
    years_in(c, c.len())
}

/// Does `hay` hold the word `w`? Searched in the characters themselves: asked for every
/// figure of a corpus, a string built per question was most of the cost. The rest of the
/// word is compared only where its first character is (no count of its characters first).
fn holds(hay: &[char], w: &str) -> bool {
    let mut cs = w.chars();
    let Some(first) = cs.next() else {
        return true;
    };
    let rest = cs.as_str();
    hay.iter()
        .enumerate()
        .any(|(i, c)| *c == first && numbers::starts_with(hay, i + 1, rest))
}

/// The first of `words` (in their order) that `hay` holds.
fn find_any(hay: &[char], words: &[&'static str]) -> Option<&'static str> {
    words.iter().copied().find(|w| holds(hay, w))
}

/// Does a sentence (`text`, and the same as `chars`) set targets? A target word counts unless it sits in a comparison or an
/// account of results: `增速高于预期目标`, `完成年计划的118.2%`, `超额完成目标任务`,
/// `确定的主要预期目标全面实现` report outcomes.
fn states_target(text: &str, chars: &[char]) -> bool {
    static TARGETS: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    let ac = TARGETS.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(TARGET_WORDS)
            .expect("target words")
    });
    ac.find_iter(text).any(|m| {
        let at = text[..m.start()].chars().count();
        let n = text[m.start()..m.end()].chars().count();
        let before = &chars[at.saturating_sub(6)..at];
        let after = &chars[at + n..(at + n + 6).min(chars.len())];
        let compared = [
            "高于",
            "低于",
            "超过",
            "超出",
            "完成",
            "实现",
            "达到",
            "确定的",
            "超额",
        ]
        .iter()
        .any(|w| holds(before, w));
        let achieved = ["全面实现", "全部实现", "实现", "完成", "任务"]
            .iter()
            .any(|w| holds(after, w));
        !(compared || achieved)
    })
}

/// Opens a list of targets that goes on past the sentence: `主要预期目标是：`.
pub fn opens_target_list(chars: &[char]) -> bool {
    const OPENINGS: [&str; 6] = [
        "预期目标是",
        "预期目标为",
        "主要目标是",
        "主要目标为",
        "目标任务是",
        "预期目标",
    ];
    const FIRSTS: [char; OPENINGS.len()] = ends_of(&OPENINGS, false);
    // every opening holds 目标 (asked of every sentence; most have none, 项目 is common)
    if !chars.windows(2).any(|w| w == ['目', '标']) {
        return false;
    }
    // only where an opening's first character is (目 itself is everywhere: 项目)
    (0..chars.len()).any(|i| {
        OPENINGS.iter().zip(FIRSTS).any(|(w, f)| {
            chars[i] == f
                && numbers::starts_with(chars, i, w)
                && matches!(
                    chars.get(i + w.chars().count()),
                    Some('：' | ':' | '—' | '，')
                )
        })
    })
}

/// Canonical heads of a split compound: the `城` and `乡` of `城、乡居民` are 城镇 and 农村.
fn canonical_head(s: &str) -> String {
    if let Some(rest) = s.strip_prefix('城') {
        if !rest.starts_with(['镇', '乡', '市', '区']) {
            return format!("城镇{rest}");
        }
    }
    if let Some(rest) = s.strip_prefix('乡') {
        if !rest.starts_with(['镇', '村']) {
            return format!("农村{rest}");
        }
    }
    s.to_string()
}

/// Compounds that name two subjects at once: 城乡 (urban, rural), 内外资 (domestic, foreign).
const COMPOUNDS: &[(&str, [&str; 2])] = &[("城乡", ["城镇", "农村"]), ("内外资", ["内资", "外资"])];

/// The subjects a clause lists before its figures, in order: `城镇、农村居民…` and
/// `城镇和农村居民…` (items sharing the last one's tail), `城乡居民…` and `内外资` (a
/// compound). `each`: the clause says 分别 or 均, so its figures go one to a subject.
struct Listed {
    subjects: Vec<String>,
    each: bool,
    /// 均: one figure holds for every subject
    all: bool,
}

fn listed_subjects(raw: &[char]) -> Option<Listed> {
    // a list needs a separator, a compound its last character (城乡, 内外资); the subject
    // below is `raw` with words taken out, never put in: without one of them, no list
    // (asked of every figure, and most subjects are no list)
    if !raw
        .iter()
        .any(|c| matches!(c, '、' | '和' | '与' | '及' | '乡' | '资'))
    {
        return None;
    }
    let raw: String = raw.iter().collect();
    let each = raw.contains("分别");
    let all = !each
        && (raw.ends_with('均')
            || raw.contains("均增长")
            || raw.contains("均下降")
            || raw.contains("均达到"));
    let mut s = strip_subject(&raw.replace("分别", "")).into_owned();
    for w in ["均", "都"] {
        if let Some(r) = s.strip_suffix(w) {
            s = strip_subject(r).into_owned();
        }
    }
    if s.is_empty() {
        return None;
    }
    let items: Vec<&str> = s.split(['、', '和', '与', '及']).map(str::trim).collect();
    if items.len() >= 2 && items.iter().all(|x| !x.is_empty()) {
        let last: Vec<char> = items.last()?.chars().collect();
        let subjects = items
            .iter()
            .enumerate()
            .map(|(k, it)| {
                let n = it.chars().count();
                let extended =
                    || canonical_head(&format!("{it}{}", last[n..].iter().collect::<String>()));
                // a short item that names nothing alone stands for the last one's head
                // (城镇 ~ 农村 in 农村居民…); an item that is a phrase of its own
                // (地区生产总值、一般公共预算收入) is not cut into another's tail
                let fragment = k + 1 < items.len()
                    && n < last.len()
                    && n <= 4
                    && indicators::lookup(it).is_none()
                    && (indicators::lookup(&extended()).is_some()
                        || [
                            "城镇",
                            "农村",
                            "城市",
                            "乡村",
                            "城",
                            "乡",
                            "城镇居民",
                            "农村居民",
                        ]
                        .contains(it));
                if fragment {
                    extended()
                } else {
                    canonical_head(it)
                }
            })
            .collect();
        return Some(Listed {
            subjects,
            each,
            all,
        });
    }
    for (compound, parts) in COMPOUNDS {
        if let Some(at) = s.find(compound) {
            let (before, after) = (&s[..at], &s[at + compound.len()..]);
            return Some(Listed {
                subjects: parts
                    .iter()
                    .map(|p| format!("{before}{p}{after}"))
                    .collect(),
                each,
                all,
            });
        }
    }
    None
}

/// The text between two figures names a subject of its own (`，居民消费价格…`), rather than
/// continuing a list (`、`, `和`, `，分别增长`, `，增长`).
fn names_own_subject(between: &[char]) -> bool {
    let after_clause = between
        .iter()
        .rposition(|c| CLAUSE_END.contains(c) || *c == '。')
        .map_or(between, |p| &between[p + 1..]);
    let t: String = after_clause
        .iter()
        .filter(|c| !matches!(c, '和' | '与' | '及'))
        .collect();
    let t = t.replace("分别", "");
    let t = strip_subject(&t);
    let t = t.strip_suffix('均').unwrap_or(&t);
    !GENERIC.contains(&t)
}

/// How the figures of a sentence are spread over listed subjects: for each figure, the
/// list and the subject it belongs to; a list whose figures do not come one to a subject is
/// left unassigned (and its figures name no indicator: a combined row would be wrong).
#[derive(Default)]
struct Lists {
    subjects: Vec<Vec<String>>,
    /// what each figure takes from the lists (one vector for all: asked of every sentence
    /// with a figure)
    of: Vec<InList>,
}

/// A figure in the lists of its sentence.
#[derive(Clone, Copy, Default)]
struct InList {
    /// (list, subject) it is assigned to
    subject: Option<(usize, usize)>,
    /// it is the one figure of a 均 list (a row for every subject)
    all: bool,
    /// it sits in a list that could not be spread
    unresolved: bool,
    /// a bare percentage continuing a list of growths (`增长4.3%、7.6%`)
    growth_of_list: Option<i32>,
    /// it opens `分别增长a%和b%` after levels named in earlier clauses
    /// (`一般预算收入18.8亿元，分别增长26.7%和18.9%`): how many growths pair with them
    pair_run: usize,
}

fn is_growth_q(q: &Quantity) -> bool {
    q.growth.is_some() && !q.reached && (q.base == "%" || q.base == "百分点")
}

/// `spread` into `l`, whatever it held before.
fn spread(chars: &[char], qs: &[Quantity], l: &mut Lists) {
    let n = qs.len();
    l.subjects.clear();
    l.of.clear();
    l.of.resize(n, InList::default());
    let mut i = 0;
    while i < n {
        // the subject of a list reaches back over its `、` and `和`, to the clause's start
        let cs = chars[..qs[i].start]
            .iter()
            .rposition(|c| CLAUSE_END.contains(c) && *c != '、' || *c == '。')
            .map_or(0, |p| p + 1);
        let prev_end = if i > 0 { qs[i - 1].end } else { 0 };
        let raw = &chars[cs.max(prev_end)..qs[i].start];
        let Some(listed) = listed_subjects(raw) else {
            if is_growth_q(&qs[i]) && holds(raw, "分别") {
                let sign = qs[i].growth;
                let mut j = i + 1;
                while j < n
                    && !names_own_subject(&chars[qs[j - 1].end..qs[j].start])
                    && !chars[qs[j - 1].end..qs[j].start]
                        .iter()
                        .any(|c| matches!(c, '；' | '。' | '，'))
                    && qs[j].base == "%"
                    && (is_growth_q(&qs[j]) || qs[j].growth.is_none())
                {
                    if qs[j].growth.is_none() {
                        l.of[j].growth_of_list = sign;
                    }
                    j += 1;
                }
                l.of[i].pair_run = j - i;
                i = j;
            } else {
                i += 1;
            }
            continue;
        };
        // the run: figures up to the end of the sentence or of a `；` item, or a clause
        // naming a subject of its own
        let mut j = i + 1;
        while j < n {
            let between = &chars[qs[j - 1].end..qs[j].start];
            if between.iter().any(|c| matches!(c, '；' | '。' | ';')) || names_own_subject(between)
            {
                break;
            }
            j += 1;
        }
        // a bare percentage right after a growth continues the growths (`增长4.3%、7.6%`)
        let mut growth: Vec<bool> = Vec::with_capacity(j - i);
        let mut sign = None;
        for (k, q) in qs[i..j].iter().enumerate() {
            let g = if is_growth_q(q) {
                sign = q.growth;
                true
            } else if q.base == "%" && q.growth.is_none() && sign.is_some() {
                l.of[i + k].growth_of_list = sign;
                true
            } else {
                if q.base != "%" {
                    sign = None;
                }
                false
            };
            growth.push(g);
        }
        let levels: Vec<usize> = (i..j).filter(|&x| !growth[x - i]).collect();
        let growths: Vec<usize> = (i..j).filter(|&x| growth[x - i]).collect();
        let k = listed.subjects.len();
        let plural = listed.each || listed.all || levels.len() == k || growths.len() == k;
        if !plural {
            i = j;
            continue;
        }
        let id = l.subjects.len();
        l.subjects.push(listed.subjects);
        for group in [&levels, &growths] {
            if group.len() == k {
                for (s, &x) in group.iter().enumerate() {
                    l.of[x].subject = Some((id, s));
                }
            } else if group.len() == 1 && listed.all {
                l.of[group[0]].subject = Some((id, 0));
                l.of[group[0]].all = true;
            } else {
                for &x in group.iter() {
                    l.of[x].unresolved = true;
                }
            }
        }
        i = j;
    }
}

/// Every figure of a document, sentence by sentence, with what a sentence inherits from
/// the ones before it in its paragraph (a 预计 or a list of targets opened earlier, the last
/// year named) and from its sections (their part and year). A sentence's text is sliced
/// from `text` by its byte span, and read as chars in one buffer that every sentence
/// reuses.
pub fn document(
    text: &str,
    seg: &crate::segment::Segmented,
    ctx: &DocContext,
) -> Vec<crate::model::IndicatorRow> {
    // rows made as the figures are found: a list of mentions converted at the end held
    // both at once (hundreds of MB for a 40 MB document)
    let mut indicators: Vec<crate::model::IndicatorRow> = Vec::new();
    let mut line_of_prev: Option<usize> = None;
    let mut estimate_scope = false;
    let mut target_scope = false;
    let mut paragraph_year = None;
    // paragraph index of each sentence: count newlines (bytes) as we go
    let mut newline_count = 0usize;
    let mut scanned = 0usize;
    let mut sc: Vec<char> = Vec::new();
    let mut scratch = Scratch::default();
    // the year of each section: the last its title names, else its nearest ancestor's (a
    // parent comes before its children)
    let mut section_years: Vec<Option<i32>> = Vec::with_capacity(seg.sections.len());
    for sec in &seg.sections {
        let inherited = sec.parent.and_then(|p| section_years[p]);
        section_years.push(last_year(&sec.title).or(inherited));
    }
    for (si, s) in seg.sentences.iter().enumerate() {
        newline_count += text.as_bytes()[scanned..s.bytes.start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        scanned = s.bytes.start;
        if line_of_prev != Some(newline_count) {
            estimate_scope = false;
            target_scope = false;
            paragraph_year = None;
            line_of_prev = Some(newline_count);
        }
        let sentence = &text[s.bytes.clone()];
        sc.clear();
        sc.extend(sentence.chars());
        let sc = sc.as_slice();
        let (part, section_year) = match s.section {
            Some(x) => (seg.sections[x].part, section_years[x]),
            None => (None, None),
        };
        let sctx = SentenceCtx {
            chars: sc,
            text: sentence,
            at: s.bytes.start,
            part,
            section_year,
            estimate_scope,
            target_scope,
            paragraph_year,
        };
        extract_sentence(si, &sctx, ctx, &mut scratch);
        for mut row in scratch.rows.drain(..) {
            row.seq = count(indicators.len());
            row.section = seg.sentences[si].section.map(count);
            indicators.push(row);
        }
        if sc.windows(2).any(|w| w == ['预', '计']) {
            estimate_scope = true;
        }
        if opens_target_list(sc) {
            target_scope = true;
        }
        if let Some(y) = last_year_in(sc) {
            paragraph_year = Some(y);
        }
    }
    indicators
}

/// What reading a sentence needs besides its text, kept by the document's loop: vectors
/// every sentence reuses instead of a set made and let go for each sentence with a figure.
#[derive(Default)]
pub struct Scratch {
    /// the byte offset of each char of the sentence, and of its end
    offs: Vec<usize>,
    /// the sentence's `year_marks`
    marks: Vec<(usize, i32)>,
    /// per row: the list subject it was made for
    tags: Vec<Option<(usize, usize)>>,
    /// the sentence's quantities, and how they spread over its lists
    qs: Vec<Quantity>,
    lists: Lists,
    /// The rows of the sentence read last.
    pub rows: Vec<IndicatorRow>,
}

/// The figures of one sentence, as rows (their `seq` and `section` left for the document's
/// loop to set) in `scratch.rows`.
pub fn extract_sentence(
    sent_idx: usize,
    ctx: &SentenceCtx,
    doc: &DocContext,
    scratch: &mut Scratch,
) {
    let Scratch {
        offs,
        marks,
        tags,
        qs,
        lists,
        rows: out,
    } = scratch;
    out.clear();
    let chars = ctx.chars;
    // most sentences hold no figure at all: every quantity starts with a digit or a numeral
    // (or a word for one: 持平, 突破万亿元)
    if !chars.iter().any(|c| c.is_ascii_digit() || cn_numeral(*c))
        && !holds(chars, "持平")
        && !holds(chars, "万亿")
    {
        return;
    }
    quantities(chars, qs);
    // a numeral that is no quantity (进一步, 统一): nothing to read the sentence for
    if qs.is_empty() {
        return;
    }
    // the byte offset of each char of the sentence, and of its end: subjects are sliced
    // from its text, mentions are spans of the document's
    offs.clear();
    offs.push(0);
    offs.extend(chars.iter().scan(0, |at, c| {
        *at += c.len_utf8();
        Some(*at)
    }));
    let offs = &*offs;
    let slice = |a: usize, b: usize| &ctx.text[offs[a]..offs[b]];
    let span = |a: usize, b: usize| ctx.at + offs[a]..ctx.at + offs[b];
    marks.clear();
    marks.extend(year_marks(chars));
    let marks = &*marks;
    let is_target_sentence = states_target(ctx.text, chars);
    let estimate = ctx.estimate_scope || ctx.text.contains("预计");
    let mut prev_subject: Option<Cow<str>> = None;
    let mut prev_clause_end = 0usize;
    let mut carried_commitment: Option<Commitment> = None;
    // the row the next subject-less growth may attach to: (index in out, clause end)
    let mut open_level: Option<usize> = None;
    spread(chars, qs, lists);
    let lists = &*lists;
    // per row of `out`: the list subject it was made for
    tags.clear();
    // rows waiting for the growths of a `分别` that follows them
    let mut pairs: std::collections::VecDeque<usize> = Default::default();
    // a growth row the level after it may complete (`增长12.6%达92.9亿元`), and where the
    // figure before this one ended
    let mut open_growth: Option<usize> = None;
    let mut prev_q_end = 0usize;
    for (qi, mut q) in qs.drain(..).enumerate() {
        let (cs, ce) = clause_bounds(chars, q.start);
        if let Some(sign) = lists.of[qi].growth_of_list {
            q.growth = Some(sign);
        }
        let assigned = lists.of[qi].subject;
        let list_subject = assigned.map(|(id, k)| lists.subjects[id][k].clone());
        if lists.of[qi].pair_run > 0 {
            let c = lists.of[qi].pair_run;
            let open: Vec<usize> = (0..out.len())
                .filter(|&r| out[r].value.is_some() && out[r].growth_pct.is_none())
                .filter(|&r| out[r].base_unit != Some("%"))
                .collect();
            pairs.clear();
            if open.len() >= c {
                pairs.extend(&open[open.len() - c..]);
            }
        }
        // `增长12.6%达92.9亿元`: the level reached completes the growth just before it
        if !is_growth_q(&q) && q.base != "%" {
            if let Some(r) = open_growth.take() {
                let between = slice(prev_q_end.min(q.start), q.start);
                if out[r].value.is_none()
                    && matches!(between.trim_start_matches('，'), "达" | "达到" | "至")
                {
                    let row = &mut out[r];
                    set_level(row, &q, q.value);
                    row.char_end = count(q.end);
                    row.mention = span(row.char_start as usize, q.end);
                    prev_q_end = q.end;
                    prev_clause_end = ce;
                    continue;
                }
            }
        }
        open_growth = None;
        // a growth of a listed subject, or of a `分别` pair, completes that subject's level
        let is_growth_now = is_growth_q(&q) && q.base == "%";
        let paired = if is_growth_now {
            match assigned {
                Some(tag) => tags
                    .iter()
                    .position(|t| *t == Some(tag))
                    .filter(|&r| out[r].growth_pct.is_none()),
                None => pairs.pop_front(),
            }
        } else {
            None
        };
        if let Some(r) = paired {
            set_growth(&mut out[r], &q, basis(&chars[cs..q.start]));
            open_level = None;
            prev_clause_end = ce;
            continue;
        }
        let new_clause = cs >= prev_clause_end;
        if new_clause && cs > 0 && chars[cs - 1] == '；' {
            carried_commitment = None;
        }
        let raw_subject = slice(cs, q.start);
        // (borrowed from the sentence unless a list named it or a note was taken out)
        let listed = list_subject.is_some();
        let own: Cow<str> = match list_subject {
            Some(s) => s.into(),
            None => strip_subject(raw_subject),
        };
        let own_generic = !listed && GENERIC.contains(&own.as_ref());
        let own_commitment = Commitment::ALL
            .into_iter()
            .find(|c| holds(&chars[cs..q.start], c.as_str()));
        let commitment = own_commitment.or(carried_commitment);
        if own_commitment.is_some() {
            carried_commitment = own_commitment;
        }
        // `经济增长目标确定为9.5%左右`, `增长目标是百分之八`: the subject names a growth rate
        if q.growth.is_none() && q.base == "%" && growth_named(&chars[cs..q.start]) {
            q.growth = Some(1);
        }
        // `增长6%左右，力争7%`: a bare percentage right after a growth, with no subject of
        // its own, is another reading of the same growth
        if q.growth.is_none() && q.base == "%" && own_generic {
            if let Some(prev) = out
                .last()
                .filter(|r| r.growth_pct.is_some() && r.char_end as usize <= q.start)
            {
                let between = &chars[prev.char_end as usize..q.start];
                if between.len() <= 4 && !between.iter().any(|c| matches!(c, '；' | '。')) {
                    q.growth = Some(if prev.growth_pct.unwrap_or(0.0) < 0.0 {
                        -1
                    } else {
                        1
                    });
                }
            }
        }
        let is_growth = is_growth_q(&q);
        // a growth with no subject of its own completes the level before it
        if is_growth && own_generic && q.base == "%" {
            if let Some(oi) = open_level {
                let row = &mut out[oi];
                if row.growth_pct.is_none() {
                    set_growth(row, &q, basis(&chars[cs..q.start]));
                    row.char_end = count(q.end);
                    row.mention = span(row.char_start as usize, q.end);
                    open_level = None;
                    prev_clause_end = ce;
                    continue;
                }
            }
        }
        let subject: Option<&str> = if own_generic {
            prev_subject.as_deref()
        } else {
            Some(&own)
        };
        // a list whose figures could not be given one to a subject: no combined row
        let ind = (!lists.of[qi].unresolved)
            .then(|| indicator_of(subject.unwrap_or(""), chars, &q, cs))
            .flatten();
        let basis = basis(&chars[cs..q.start]);
        let named_year = named_year(chars, marks, q.start, cs, prev_q_end, doc);
        let kind = kind_of(named_year, estimate, is_target_sentence, ctx, doc);
        let period_year = period_year(named_year, kind, ctx, doc);
        let mut m = IndicatorRow {
            // numbered, and given the sentence's section, by the document's loop
            seq: 0,
            sentence: count(sent_idx),
            section: None,
            indicator: ind.map(|x| x.0),
            indicator_name: ind.map(|x| x.1),
            subject: subject
                .filter(|s| !s.is_empty())
                .map(|s| Subject::of(s, ctx.text, ctx.at)),
            mention: span(q.start, q.end),
            value: None,
            unit: None,
            value_base: None,
            base_unit: None,
            growth_pct: None,
            growth_basis: basis,
            kind,
            qualifier: q.qualifier,
            commitment,
            value_high: None,
            growth_high: None,
            approximate: q.approx,
            period_year,
            char_start: count(q.start),
            char_end: count(q.end),
        };
        // the CPI is reported as its rise (居民消费价格上涨0.9%): the rate is its value, so a
        // `持平` or a `增长` of it is a value too
        let rate_valued = ind.is_some_and(|x| indicators::rate_valued(x.0));
        if is_growth && q.base == "%" && !rate_valued {
            let sign = q.growth.unwrap_or(1) as f64;
            m.growth_pct = Some(sign * q.value.to_f64());
            m.growth_high = q.high.map(|h| sign * h.to_f64());
            open_level = None;
        } else {
            let sign = if q.base == "百分点" || rate_valued {
                q.growth.unwrap_or(1)
            } else {
                1
            } as i128;
            set_level(
                &mut m,
                &q,
                if sign < 0 { q.value.negated() } else { q.value },
            );
            open_level = if q.base == "%" { None } else { Some(out.len()) };
        }
        if !own_generic {
            prev_subject = Some(own);
        }
        prev_clause_end = ce;
        // 均: the one figure holds for every listed subject, a row each
        let copies: Vec<IndicatorRow> = match assigned {
            Some((id, _)) if lists.of[qi].all => lists.subjects[id][1..]
                .iter()
                .map(|sub| {
                    let mut c = m.clone();
                    let ind = indicators::lookup(sub)
                        .filter(|(code, _)| indicators::fits(code, q.base, is_growth));
                    c.indicator = ind.map(|x| x.0);
                    c.indicator_name = ind.map(|x| x.1);
                    c.subject = Some(Subject::of(sub, ctx.text, ctx.at));
                    c
                })
                .collect(),
            _ => Vec::new(),
        };
        if m.growth_pct.is_some() && m.value.is_none() && q.base == "%" {
            open_growth = Some(out.len());
        }
        prev_q_end = q.end;
        out.push(m);
        tags.push(assigned);
        for c in copies {
            out.push(c);
            tags.push(None);
        }
    }
}

/// A growth read from `q` completes `row` (a level whose growth follows it, or a listed
/// subject's): its rate, upper end, basis and, when it has none, its qualifier.
fn set_growth(row: &mut IndicatorRow, q: &Quantity, basis: Option<&'static str>) {
    let sign = q.growth.unwrap_or(1) as f64;
    row.growth_pct = Some(sign * q.value.to_f64());
    row.growth_high = q.high.map(|h| sign * h.to_f64());
    row.growth_basis = row.growth_basis.or(basis);
    if q.qualifier.is_some() && row.qualifier.is_none() {
        row.qualifier = q.qualifier;
    }
}

/// `row`'s level is `value` (`q`'s, signed), in `q`'s unit.
fn set_level(row: &mut IndicatorRow, q: &Quantity, value: Dec) {
    row.value = Some(value.to_f64());
    row.unit = Some(q.unit.clone());
    row.value_base = value.shift(q.pow).map(|d| d.to_f64());
    row.base_unit = Some(q.base);
    row.value_high = q.high.map(|h| h.to_f64());
}

/// The indicator a figure `q` of `subject` measures, if any; the clause starts at `cs`.
fn indicator_of(
    subject: &str,
    chars: &[char],
    q: &Quantity,
    cs: usize,
) -> Option<(&'static str, &'static str)> {
    let is_growth = is_growth_q(q);
    // `进出口总额超1000万元企业`: a threshold describing firms, not the indicator's value
    let attributive = ["企业", "的企业", "项目", "的项目"]
        .iter()
        .any(|w| numbers::starts_with(chars, q.end, w));
    let mut ind = indicators::lookup(subject)
        .filter(|(code, _)| !attributive && indicators::fits(code, q.base, is_growth));
    if ind.is_none() && is_growth && economic_growth(subject) {
        ind = indicators::by_code("gdp");
    }
    // `年均增加349亿元`: an increment, not the indicator's level; `（含某基地119亿元）`:
    // a part of it, in parentheses
    let increment = q.growth.is_some() && !q.reached && q.base != "%" && q.base != "百分点";
    let open = chars[cs..q.start]
        .iter()
        .filter(|c| matches!(c, '（' | '('))
        .count();
    let closed = chars[cs..q.start]
        .iter()
        .filter(|c| matches!(c, '）' | ')'))
        .count();
    ind.filter(|_| !increment && open <= closed)
}

/// The year a figure at `at` names: the year before it in the sentence; else 今年/去年/明年
/// against the report year; else the end of a five-year plan named (十四五 → 2025). An
/// average over years (年均) is over a span that ends then. The clause starts at `cs`; the
/// figure before this one ended at `prev_end`.
fn named_year(
    chars: &[char],
    marks: &[(usize, i32)],
    at: usize,
    cs: usize,
    prev_end: usize,
    doc: &DocContext,
) -> Option<i32> {
    // `由“十五”末的12.8亿元增加到19.2亿元`: the figure a span reaches is of the span's
    // end, which is named after the figure it starts from, or is the year reviewed
    let reached_from = prev_end > 0
        && prev_end <= at
        && [
            "增加到",
            "提高到",
            "跃升到",
            "增长到",
            "上升到",
            "扩大到",
            "发展到",
        ]
        .iter()
        .any(|w| holds(&chars[prev_end..at], w))
        // the span's start in this figure's clause (an earlier clause ends before `cs`)
        && cs <= prev_end
        && ["由", "从"].iter().any(|w| holds(&chars[cs..prev_end], w));
    if reached_from {
        // the years before the span's start are the start's, not this figure's
        years_in(&chars[prev_end..at], at - prev_end)
    } else {
        last_mark_before(marks, at)
            .or_else(|| relative_year(&chars[..at], doc.report_year))
            .or_else(|| plan_end_year(&chars[..at]))
    }
}

/// What a figure is: an estimate under a 预计; a target where the sentence, the list, the part
/// or the year says so; else an actual.
fn kind_of(
    named_year: Option<i32>,
    estimate: bool,
    target_sentence: bool,
    ctx: &SentenceCtx,
    doc: &DocContext,
) -> Kind {
    // a figure of a year before the one the report plans for is an outcome, whatever
    // else the sentence says
    let past = matches!((named_year, doc.report_year), (Some(y), Some(r)) if y < r);
    // and one of the year the report plans for (今年 in a report or in news about one)
    // is a target: that year has not happened yet
    let planned = matches!((named_year, doc.report_year), (Some(y), Some(r)) if y >= r);
    if estimate {
        Kind::Estimate
    } else if !past
        && (planned || target_sentence || ctx.target_scope || ctx.part == Some(Part::Plan))
    {
        Kind::Target
    } else {
        Kind::Actual
    }
}

/// The year a figure refers to: the one it names, else the section's or paragraph's year,
/// else the report's (for a target) or the year reviewed.
fn period_year(
    named_year: Option<i32>,
    kind: Kind,
    ctx: &SentenceCtx,
    doc: &DocContext,
) -> Option<i32> {
    // a target of a list opened earlier (`主要预期目标是：…；…`) is for the report's year,
    // not for a year the paragraph named before the list
    if kind == Kind::Target && ctx.target_scope {
        named_year.or(doc.report_year).or(ctx.section_year)
    } else {
        named_year
            .or(ctx.section_year)
            .or(ctx.paragraph_year)
            .or(match kind {
                Kind::Target => doc.report_year,
                _ => doc.review_year,
            })
    }
}

/// Does the text before a bare percentage say it is a growth rate (`经济增长目标确定为`,
/// `增长目标是`, `增速为`)? A share (`比重`, `占`) or a rate (`率`) is not.
fn growth_named(before: &[char]) -> bool {
    (holds(before, "增长") || holds(before, "增速"))
        && !["比重", "占", "率", "涨幅", "贡献"]
            .iter()
            .any(|w| holds(before, w))
}

/// `经济增长`, `经济增速`, `经济增长预期目标`, `某县经济增长目标确定`: the economy's growth is
/// GDP's. What stands before it may only say whose or when (`全国`, `某县`, `今年`): a sector's
/// economy (`数字经济增长`) is not the economy, and a share of it (`对经济增长的贡献率`) is no
/// growth of it.
fn economic_growth(subject: &str) -> bool {
    if subject == "经济" {
        return true;
    }
    let Some(at) = ["经济增长", "经济增速", "经济发展速度"]
        .iter()
        .filter_map(|w| subject.find(w))
        .min()
    else {
        return false;
    };
    let before = &subject[..at];
    let scope = before.is_empty()
        || before.ends_with(['县', '市', '区', '省', '州', '旗', '盟', '国', '年']);
    scope && !["贡献", "拉动", "同步"].iter().any(|w| subject.contains(w))
}

/// `今年`, `去年`, `明年` before a figure, against the year the document plans for.
fn relative_year(before: &[char], report_year: Option<i32>) -> Option<i32> {
    let y = report_year?;
    // the last of 今年, 去年, 明年, 上年 (one scan back from the figure: all end in 年)
    let at = before
        .windows(2)
        .rposition(|w| w[1] == '年' && matches!(w[0], '今' | '去' | '明' | '上'))?;
    // 比上年 / 较去年 name the base of a comparison, not the period
    if at > 0 && matches!(before[at - 1], '比' | '较' | '与' | '于') {
        return None;
    }
    Some(match before[at] {
        '今' => y,
        '明' => y + 1,
        _ => y - 1,
    })
}

/// The last year of a five-year plan named before a figure: `十四五` → 2025, `"十五五"期末`
/// → 2030; `到2030年` is a year and read as one.
fn plan_end_year(before: &[char]) -> Option<i32> {
    let plans = [
        ("十五五", 2030),
        ("十四五", 2025),
        ("十三五", 2020),
        ("十二五", 2015),
        ("十一五", 2010),
        ("十五", 2005),
    ];
    // every plan's name starts with 十: a text without one names none (asked of every figure
    // whose year is not named, with all the sentence before it)
    if !before.contains(&'十') {
        return None;
    }
    let mut best: Option<(usize, i32)> = None;
    for (w, y) in plans {
        let n = w.chars().count();
        let named = |i: usize| {
            // a plan is quoted (“十四五”) or named with its period (十四五时期, 十四五期末):
            // `第十五届` is a congress, not a plan
            let quoted = i > 0 && matches!(before[i - 1], '“' | '"' | '「' | '‘');
            let after: String = before[(i + n).min(before.len())..].iter().take(3).collect();
            let after = after.trim_start_matches(['”', '"', '」', '’']);
            let period = ["时期", "期间", "期末", "规划", "末", "以来"]
                .iter()
                .any(|p| after.starts_with(p));
            // 十五 inside 十五五 is the longer name's
            let inside = w == "十五" && before.get(i + 2) == Some(&'五');
            (quoted || period) && !inside
        };
        if let Some(i) = (0..before.len().saturating_sub(n - 1))
            .rev()
            .find(|&i| numbers::starts_with(before, i, w) && named(i))
        {
            if best.is_none_or(|b| i > b.0) {
                best = Some((i, y));
            }
        }
    }
    best.map(|b| b.1)
}

fn basis(before: &[char]) -> Option<&'static str> {
    match find_any(
        before,
        &["年均", "可比价", "同口径", "同比", "比上年", "较上年"],
    ) {
        Some("较上年") => Some("比上年"),
        found => found,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &str, part: Option<&'static str>) -> Vec<IndicatorRow> {
        let part = part.map(|p| match p {
            "plan" => Part::Plan,
            "review" => Part::Review,
            "problems" => Part::Problems,
            _ => Part::Other,
        });
        let chars: Vec<char> = s.chars().collect();
        let ctx = SentenceCtx {
            chars: &chars,
            text: s,
            at: 0,
            part,
            section_year: None,
            estimate_scope: false,
            target_scope: false,
            paragraph_year: None,
        };
        let mut scratch = Scratch::default();
        extract_sentence(
            0,
            &ctx,
            &DocContext {
                report_year: Some(2025),
                review_year: Some(2024),
            },
            &mut scratch,
        );
        scratch.rows
    }

    /// Over a whole document, every row's mention is the span of the document's text its
    /// characters name in its sentence: rows of later sentences too (a sentence's offset in
    /// the document is added), and rows of a sentence read after one with more rows (the
    /// vectors every sentence reuses start empty).
    #[test]
    fn mentions_are_spans_of_the_documents_text() {
        let text = "一、回顾\n全年地区生产总值达到120亿元，增长5.1%，一般公共预算收入9.8亿元，增长3%。今年目标是增长6%左右。\n二、计划\n粮食产量稳定在12万吨。";
        let seg = crate::segment::segment(text, &crate::segment::SegmentOptions { has_gap: false });
        let ctx = DocContext {
            report_year: Some(2025),
            review_year: Some(2024),
        };
        let rows = document(text, &seg, &ctx);
        let mentions: Vec<&str> = rows.iter().map(|r| &text[r.mention.clone()]).collect();
        assert_eq!(
            mentions,
            vec!["120亿元，增长5.1%", "9.8亿元，增长3%", "6%左右", "12万吨"]
        );
        for r in &rows {
            let sentence = &text[seg.sentences[r.sentence as usize].bytes.clone()];
            let by_chars: String = sentence
                .chars()
                .skip(r.char_start as usize)
                .take((r.char_end - r.char_start) as usize)
                .collect();
            assert_eq!(&text[r.mention.clone()], by_chars);
        }
        assert_eq!(
            rows.iter().map(|r| r.seq).collect::<Vec<_>>(),
            vec![0, 1, 2, 3]
        );
    }

    /// A sentence read after others in a document's loop gives the rows it gives alone: the
    /// quantities and the lists every sentence reuses carry nothing over (a sentence of
    /// fewer figures after a list of more, a list after a list, a list after none).
    #[test]
    fn sentences_read_in_turn_as_each_alone() {
        let sentences = [
            "城镇、农村居民人均可支配收入分别增长8%、9%、7%、6%。",
            "粮食产量稳定在12万吨。",
            "完成财政总收入20.5亿元，其中一般预算收入8.8亿元，分别增长10.2%和8.9%。",
            "地区生产总值、一般公共预算收入分别增长6%、8%。",
            "全年接待游客30万人次。",
        ];
        let text = sentences.concat();
        let seg =
            crate::segment::segment(&text, &crate::segment::SegmentOptions { has_gap: false });
        let ctx = DocContext {
            report_year: Some(2025),
            review_year: Some(2024),
        };
        let key = |r: &IndicatorRow, text: &str| {
            (
                r.indicator,
                r.subject.as_ref().map(|s| s.text(text).to_string()),
                r.value,
                r.growth_pct,
                r.unit.clone(),
                text[r.mention.clone()].to_string(),
            )
        };
        let together: Vec<_> = document(&text, &seg, &ctx)
            .iter()
            .map(|r| key(r, &text))
            .collect();
        let alone: Vec<_> = sentences
            .iter()
            .flat_map(|s| run(s, None).iter().map(|r| key(r, s)).collect::<Vec<_>>())
            .collect();
        assert_eq!(together.len(), 10);
        assert_eq!(together, alone);
    }

    type Row<'a> = (
        Option<&'a str>,
        Option<f64>,
        Option<&'a str>,
        Option<f64>,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        Option<i32>,
    );
    fn rows(ms: &[IndicatorRow]) -> Vec<Row<'_>> {
        ms.iter()
            .map(|m| {
                (
                    m.indicator,
                    m.value,
                    m.unit.as_deref(),
                    m.growth_pct,
                    m.kind.as_str(),
                    m.qualifier.map(Qualifier::as_str),
                    m.commitment.map(Commitment::as_str),
                    m.period_year,
                )
            })
            .collect()
    }

    /// A figure reached (`增加到`) in a clause after the one of the figure before it: the
    /// span's start is looked for in this clause only (an earlier figure's clause ended
    /// before it; reading from this clause's start to that figure's end panicked).
    #[test]
    fn a_reached_figure_in_the_next_clause() {
        let ms = run("全县地区生产总值去年为10亿元，今年增加到12亿元。", None);
        assert_eq!(
            rows(&ms),
            vec![
                (
                    Some("gdp"),
                    Some(10.0),
                    Some("亿元"),
                    None,
                    "actual",
                    None,
                    None,
                    Some(2024)
                ),
                (
                    None,
                    Some(12.0),
                    Some("亿元"),
                    None,
                    "target",
                    None,
                    None,
                    Some(2025)
                ),
            ]
        );
    }

    #[test]
    fn estimate_levels_with_growth() {
        let text = "预计，全年完成地区生产总值88亿元，同比增长4.2%；规上工业增加值6.1亿元，同比增长2.5%；社会消费品零售总额20亿元，同比下降3%。";
        let ms = run(text, None);
        assert_eq!(
            rows(&ms),
            vec![
                (
                    Some("gdp"),
                    Some(88.0),
                    Some("亿元"),
                    Some(4.2),
                    "estimate",
                    None,
                    None,
                    Some(2024)
                ),
                (
                    Some("industrial_value_added"),
                    Some(6.1),
                    Some("亿元"),
                    Some(2.5),
                    "estimate",
                    None,
                    None,
                    Some(2024)
                ),
                (
                    Some("retail_sales"),
                    Some(20.0),
                    Some("亿元"),
                    Some(-3.0),
                    "estimate",
                    None,
                    None,
                    Some(2024)
                ),
            ]
        );
        assert_eq!(ms[0].value_base, Some(8_800_000_000.0));
        assert_eq!(ms[0].growth_basis, Some("同比"));
        assert_eq!(&text[ms[0].mention.clone()], "88亿元，同比增长4.2%");
    }

    #[test]
    fn lists_share_their_subject_and_percent_words() {
        let ms = run(
            "城镇、农村居民人均可支配收入分别增长8%、9%，居民消费价格涨幅控制在百分之三左右。",
            Some("plan"),
        );
        assert_eq!(
            rows(&ms),
            vec![
                (
                    Some("urban_disposable_income"),
                    None,
                    None,
                    Some(8.0),
                    "target",
                    None,
                    None,
                    Some(2025)
                ),
                (
                    Some("rural_disposable_income"),
                    None,
                    None,
                    Some(9.0),
                    "target",
                    None,
                    None,
                    Some(2025)
                ),
                (
                    Some("cpi"),
                    Some(3.0),
                    Some("%"),
                    None,
                    "target",
                    Some("左右"),
                    None,
                    Some(2025)
                ),
            ]
        );
    }

    #[test]
    #[allow(clippy::type_complexity)]
    fn ranges_and_approximations() {
        let ms = run("地区生产总值增长4.5%—5%，规上工业增加值增长6-7%，固定资产投资增长5%至5.5%，引进资金约12亿元，建成项目近30个，完成投资1.5-2亿元。", Some("plan"));
        let got: Vec<(
            Option<f64>,
            Option<f64>,
            Option<f64>,
            Option<f64>,
            Option<&str>,
            Option<&str>,
        )> = ms
            .iter()
            .map(|m| {
                (
                    m.growth_pct,
                    m.growth_high,
                    m.value,
                    m.value_high,
                    m.qualifier.map(Qualifier::as_str),
                    m.approximate,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (Some(4.5), Some(5.0), None, None, Some("区间"), None),
                (Some(6.0), Some(7.0), None, None, Some("区间"), None),
                (Some(5.0), Some(5.5), None, None, Some("区间"), None),
                (None, None, Some(12.0), None, None, Some("约")),
                (None, None, Some(30.0), None, None, Some("近")),
                (None, None, Some(1.5), Some(2.0), Some("区间"), None),
            ]
        );
        assert_eq!(ms[5].value_base, Some(150_000_000.0));
    }

    #[test]
    fn stacked_targets() {
        let ms = run("2025年主要预期目标是：地区生产总值必保增长5.5%以上，力争增长6%以上、总量达到120亿元，固定资产投资增长10%左右，实际到位内资不低于35亿元。", Some("plan"));
        assert_eq!(
            rows(&ms),
            vec![
                (
                    Some("gdp"),
                    None,
                    None,
                    Some(5.5),
                    "target",
                    Some("以上"),
                    Some("必保"),
                    Some(2025)
                ),
                (
                    Some("gdp"),
                    None,
                    None,
                    Some(6.0),
                    "target",
                    Some("以上"),
                    Some("力争"),
                    Some(2025)
                ),
                (
                    Some("gdp"),
                    Some(120.0),
                    Some("亿元"),
                    None,
                    "target",
                    None,
                    Some("力争"),
                    Some(2025)
                ),
                (
                    Some("fixed_asset_investment"),
                    None,
                    None,
                    Some(10.0),
                    "target",
                    Some("左右"),
                    Some("力争"),
                    Some(2025)
                ),
                (
                    Some("domestic_investment_in_place"),
                    Some(35.0),
                    Some("亿元"),
                    None,
                    "target",
                    Some("以上"),
                    Some("力争"),
                    Some(2025)
                ),
            ]
        );
    }

    #[test]
    #[allow(clippy::type_complexity)]
    fn other_quantities_and_words_that_are_not_numbers() {
        let text = "全年旅游收入18.8亿元、同比增长8.72%，接待游客215万人次，办理退税3.5亿元，解决难题80余个，刑事立案同比下降30.5%。";
        let ms = run(text, None);
        let got: Vec<(
            Option<&str>,
            Option<f64>,
            Option<&str>,
            Option<f64>,
            Option<&str>,
        )> = ms
            .iter()
            .map(|m| {
                (
                    m.subject.as_ref().map(|s| s.text(text)),
                    m.value,
                    m.base_unit,
                    m.growth_pct,
                    m.approximate,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (Some("旅游收入"), Some(18.8), Some("元"), Some(8.72), None),
                (Some("接待游客"), Some(215.0), Some("人次"), None, None),
                (Some("办理退税"), Some(3.5), Some("元"), None, None),
                (Some("解决难题"), Some(80.0), Some("个"), None, Some("余")),
                (Some("刑事立案"), None, None, Some(-30.5), None),
            ]
        );
        assert_eq!(ms[1].value_base, Some(2_150_000.0));
        assert!(run("召开两会，一是抓落实，一把手负责，实现一网通办。", None).is_empty());
    }

    fn by_indicator(ms: &[IndicatorRow]) -> Vec<(Option<&str>, Option<f64>, Option<f64>)> {
        ms.iter()
            .map(|m| (m.indicator, m.value, m.growth_pct))
            .collect()
    }

    #[test]
    fn respectively_over_compound_subjects() {
        // 城乡 names two subjects: one figure each, never a combined row
        let ms = run("全年城乡居民人均可支配收入分别增长4.5%、6.5%。", None);
        assert_eq!(
            by_indicator(&ms),
            vec![
                (Some("urban_disposable_income"), None, Some(4.5)),
                (Some("rural_disposable_income"), None, Some(6.5)),
            ]
        );
        // levels then growths, in order
        let ms = run(
            "城乡常住居民人均可支配收入分别达到30000元、12000元，增长5%、7%。",
            None,
        );
        assert_eq!(
            by_indicator(&ms),
            vec![
                (Some("urban_disposable_income"), Some(30000.0), Some(5.0)),
                (Some("rural_disposable_income"), Some(12000.0), Some(7.0)),
            ]
        );
        // 城、乡 and 城镇和农村
        for s in [
            "城、乡居民人均可支配收入分别增长6%和8%。",
            "城镇和农村居民人均可支配收入分别增长6%和8%。",
            "城镇居民、农村居民人均可支配收入分别增长6%左右、8%左右。",
        ] {
            let ms = run(s, None);
            assert_eq!(
                by_indicator(&ms),
                vec![
                    (Some("urban_disposable_income"), None, Some(6.0)),
                    (Some("rural_disposable_income"), None, Some(8.0)),
                ],
                "{s}"
            );
        }
        // 内外资
        let ms = run("实际到位内外资分别达到12亿元、3000万美元。", None);
        assert_eq!(
            by_indicator(&ms),
            vec![
                (Some("domestic_investment_in_place"), Some(12.0), None),
                (Some("foreign_investment_utilized"), Some(3000.0), None),
            ]
        );
        // levels named in earlier clauses, growths after 分别
        let ms = run(
            "完成财政总收入20.5亿元，其中一般预算收入8.8亿元，分别增长10.2%和8.9%。",
            None,
        );
        assert_eq!(
            by_indicator(&ms),
            vec![
                (None, Some(20.5), Some(10.2)),
                (Some("general_budget_revenue"), Some(8.8), Some(8.9)),
            ]
        );
        // 均 over two subjects: a row for each
        let ms = run(
            "城镇居民人均可支配收入和农民人均纯收入均增长10%左右。",
            Some("plan"),
        );
        assert_eq!(
            rows(&ms),
            vec![
                (
                    Some("urban_disposable_income"),
                    None,
                    None,
                    Some(10.0),
                    "target",
                    Some("左右"),
                    None,
                    Some(2025)
                ),
                (
                    Some("rural_disposable_income"),
                    None,
                    None,
                    Some(10.0),
                    "target",
                    Some("左右"),
                    None,
                    Some(2025)
                ),
            ]
        );
    }

    #[test]
    fn words_for_numbers() {
        let ms = run("居民消费价格与上年持平。", None);
        assert_eq!(
            (
                ms[0].indicator,
                ms[0].value,
                ms[0].unit.as_deref(),
                ms[0].growth_pct
            ),
            (Some("cpi"), Some(0.0), Some("%"), None)
        );
        let ms = run("粮食产量与上年持平，地区生产总值突破万亿元。", None);
        // a subject as written is its span of the text (the sentence starts at byte 0)
        assert_eq!(ms[0].subject, Some(Subject::At(0.."粮食产量".len())));
        assert_eq!(ms[0].growth_pct, Some(0.0));
        assert_eq!(
            (
                ms[1].indicator,
                ms[1].value,
                ms[1].unit.as_deref(),
                ms[1].approximate
            ),
            (Some("gdp"), Some(10000.0), Some("亿元"), Some("超"))
        );
        assert_eq!(ms[1].value_base, Some(1e12));
    }

    #[test]
    fn targets_stated_in_prose_and_outcomes_compared_with_them() {
        let ms = run("全年经济增长目标确定为9.5%左右。", None);
        assert_eq!(
            rows(&ms),
            vec![(
                Some("gdp"),
                None,
                None,
                Some(9.5),
                "target",
                Some("左右"),
                None,
                Some(2025)
            )]
        );
        let ms = run("地区生产总值增长7.2%，增速高于预期目标0.2个百分点。", None);
        assert_eq!((ms[0].indicator, ms[0].kind), (Some("gdp"), Kind::Actual));
        let ms = run("固定资产投资完成年计划的118.2%，超额完成目标任务。", None);
        assert!(ms.iter().all(|m| m.kind == Kind::Actual), "{ms:?}");
        let ms = run("城镇登记失业率控制在4.5%以内。", Some("plan"));
        assert_eq!(
            rows(&ms),
            vec![(
                Some("registered_unemployment_rate"),
                Some(4.5),
                Some("%"),
                None,
                "target",
                Some("以内"),
                None,
                Some(2025)
            )]
        );
    }

    #[test]
    fn years_of_averages_plans_and_relative_words() {
        let ms = run(
            "地区生产总值由2010年的77亿元增加到2015年的161.1亿元，年均增长13.8%。",
            None,
        );
        let g = ms.iter().find(|m| m.growth_pct == Some(13.8)).unwrap();
        assert_eq!((g.period_year, g.growth_basis), (Some(2015), Some("年均")));
        let ms = run(
            "到“十五五”期末，全社会研发经费投入年均增长7%以上。",
            Some("plan"),
        );
        assert_eq!((ms[0].period_year, ms[0].kind), (Some(2030), Kind::Target));
        let ms = run(
            "今年经济增长预期目标为5%左右，去年地区生产总值增长5.2%。",
            None,
        );
        assert_eq!(
            by_indicator(&ms),
            vec![
                (Some("gdp"), None, Some(5.0)),
                (Some("gdp"), None, Some(5.2))
            ]
        );
        assert_eq!(
            (ms[0].period_year, ms[1].period_year),
            (Some(2025), Some(2024))
        );
        // 第十五届 is a congress, not the 十五 plan
        let ms = run("第十五届人民代表大会以来，地区生产总值增长8%。", None);
        assert_eq!(ms[0].period_year, Some(2024));
    }

    #[test]
    fn a_bare_percentage_after_a_growth_continues_it() {
        let ms = run("地区生产总值增长6%左右，力争7%。", Some("plan"));
        assert_eq!(
            rows(&ms),
            vec![
                (
                    Some("gdp"),
                    None,
                    None,
                    Some(6.0),
                    "target",
                    Some("左右"),
                    None,
                    Some(2025)
                ),
                (
                    Some("gdp"),
                    None,
                    None,
                    Some(7.0),
                    "target",
                    None,
                    Some("力争"),
                    Some(2025)
                ),
            ]
        );
    }

    #[test]
    fn same_scope_growth_is_its_own_basis() {
        let ms = run("地方一般公共预算收入3339亿元、同口径增长5.5%。", None);
        assert_eq!(
            (ms[0].indicator, ms[0].growth_pct, ms[0].growth_basis),
            (Some("general_budget_revenue"), Some(5.5), Some("同口径"))
        );
    }

    #[test]
    fn lists_of_whole_subjects_are_not_cut() {
        let ms = run("地区生产总值、一般公共预算收入分别增长6%、8%。", None);
        assert_eq!(
            by_indicator(&ms),
            vec![
                (Some("gdp"), None, Some(6.0)),
                (Some("general_budget_revenue"), None, Some(8.0)),
            ]
        );
        let ms = run("财政总收入和一般公共预算收入分别增长9%和8.1%。", None);
        assert_eq!(
            by_indicator(&ms),
            vec![
                (None, None, Some(9.0)),
                (Some("general_budget_revenue"), None, Some(8.1))
            ]
        );
        assert_eq!(ms[0].subject, Some(Subject::Made("财政总收入".into())));
        let ms = run("固定资产投资、社会消费品零售总额分别增长10%和8.5%。", None);
        assert_eq!(
            by_indicator(&ms),
            vec![
                (Some("fixed_asset_investment"), None, Some(10.0)),
                (Some("retail_sales"), None, Some(8.5)),
            ]
        );
    }

    #[test]
    fn the_economys_growth_and_a_sectors() {
        assert!(economic_growth("青禾县经济增长预期目标"));
        assert!(economic_growth("今年经济增速"));
        assert!(!economic_growth("数字经济增长"));
        assert!(!economic_growth("对全球经济增长的贡献率"));
        let ms = run(
            "今年青禾县经济增长预期目标为6%左右，数字经济增长20%。",
            None,
        );
        assert_eq!(
            by_indicator(&ms),
            vec![(Some("gdp"), None, Some(6.0)), (None, None, Some(20.0))]
        );
    }

    #[test]
    fn thresholds_passed_are_marked() {
        let ms = run(
            "经济总量跨越了两千亿元和三千亿元两个台阶，财政收入突破400亿元大关。",
            None,
        );
        let got: Vec<(Option<f64>, Option<&str>)> =
            ms.iter().map(|m| (m.value, m.approximate)).collect();
        assert_eq!(
            got,
            vec![
                (Some(2000.0), Some("超")),
                (Some(3000.0), Some("超")),
                (Some(400.0), Some("超"))
            ]
        );
    }

    /// `years_in` as it was, position by position: the reference the search from each 年
    /// is held to.
    fn years_in_reference(chars: &[char], upto: usize) -> Option<i32> {
        let mut best = None;
        let mut i = 0;
        while i + 4 < upto.min(chars.len()) {
            let year_at = if chars[i + 4] == '年' {
                Some(i + 4)
            } else if chars[i + 4] == ' ' && chars.get(i + 5) == Some(&'年') && i + 5 < upto {
                Some(i + 5)
            } else {
                None
            };
            if chars[i..i + 4].iter().all(|c| c.is_ascii_digit())
                && year_at.is_some()
                && (i == 0 || !chars[i - 1].is_ascii_digit())
            {
                let y: i32 = chars[i..i + 4]
                    .iter()
                    .collect::<String>()
                    .parse()
                    .unwrap_or(0);
                let base = i > 0 && matches!(chars[i - 1], '比' | '较' | '与' | '是');
                if crate::zh::dates::YEARS.contains(&y) && !base {
                    best = Some(y);
                }
                i = year_at.map_or(i + 5, |a| a + 1);
            } else {
                i += 1;
            }
        }
        best
    }

    proptest::proptest! {
        #[test]
        fn years_found_as_before(
            // digits of real years and of others, 年 and spaces: overlapping and adjacent
            // candidates, years cut by `upto`
            tokens in proptest::collection::vec(
                proptest::sample::select(vec![
                    "2019", "2025", "1890", "12024", "1", "年", "年", " ", " 年", "比", "是", "在",
                ]),
                0..24,
            ),
            upto in 0usize..70,
        ) {
            let chars: Vec<char> = tokens.concat().chars().collect();
            proptest::prop_assert_eq!(years_in(&chars, upto), years_in_reference(&chars, upto));
            // the marks read once answer for every `upto`
            let marks: Vec<(usize, i32)> = year_marks(&chars).collect();
            proptest::prop_assert_eq!(last_mark_before(&marks, upto), years_in_reference(&chars, upto));
        }

        /// The word searches compare where one character says they may, and find what
        /// comparing everywhere finds.
        #[test]
        fn words_found_as_everywhere(
            hay in proptest::collection::vec(
                proptest::sample::select(vec!['超', '过', '近', '约', '将', '接', '1', '增', '长', '，']),
                0..16,
            ),
            word in proptest::sample::select(vec!["", "超", "超过", "将近", "增长", "长，", "约1"]),
        ) {
            let n = word.chars().count();
            let everywhere = hay
                .windows(n.max(1))
                .any(|x| n > 0 && x.iter().copied().eq(word.chars()))
                || n == 0;
            proptest::prop_assert_eq!(holds(&hay, word), everywhere);
            for i in 0..=hay.len() {
                let longest = APPROX_WORDS
                    .iter()
                    .filter(|(w, _)| {
                        let n = w.chars().count();
                        i >= n && numbers::starts_with(&hay, i - n, w)
                    })
                    .max_by_key(|(w, _)| w.chars().count())
                    .map(|(_, a)| *a);
                proptest::prop_assert_eq!(approx_before(&hay, i), longest);
            }
        }
    }

    #[test]
    fn years_named_and_years_compared_with() {
        let c = |s: &str| s.chars().collect::<Vec<char>>();
        assert_eq!(last_year_in(&c("2023年完成，2025 年力争")), Some(2025));
        assert_eq!(last_year_in(&c("2024年比2020年增长")), Some(2024));
        assert_eq!(last_year_in(&c("12024年")), None);
        // cut before the 年 of the second year
        assert_eq!(years_in(&c("2023年和2024年"), 10), Some(2023));
    }
}
