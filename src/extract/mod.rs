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

use numbers::{Dec, SCALES};

#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub sentence: usize,
    pub indicator: Option<&'static str>,
    pub indicator_name: Option<&'static str>,
    pub subject: Option<String>,
    pub mention: String,
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub value_base: Option<f64>,
    pub base_unit: Option<&'static str>,
    pub growth_pct: Option<f64>,
    pub growth_basis: Option<&'static str>,
    pub kind: &'static str,
    pub qualifier: Option<&'static str>,
    pub commitment: Option<&'static str>,
    pub value_high: Option<f64>,
    pub growth_high: Option<f64>,
    pub approximate: Option<&'static str>,
    pub period_year: Option<i32>,
    /// Characters, relative to the sentence.
    pub start: usize,
    pub end: usize,
}

/// What the document says about itself, for kinds and years.
pub struct DocContext {
    pub report_year: Option<i32>,
    pub review_year: Option<i32>,
}

/// A sentence and where it sits.
pub struct SentenceCtx<'a> {
    pub chars: &'a [char],
    /// The document's part at this sentence (review / plan / problems / other).
    pub part: Option<&'static str>,
    /// Year named in the titles of the sections around it, innermost first.
    pub section_year: Option<i32>,
    /// A 预计 earlier in the same paragraph.
    pub estimate_scope: bool,
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
const COMMITMENTS: &[&str] = &["必保", "确保", "力争"];
// 计划 and 争取 are nouns too often (钢都英才计划, 对上争取资金) to mark a target
const TARGET_WORDS: &[&str] = &[
    "预期目标",
    "目标是",
    "目标为",
    "主要目标",
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
    unit: String,
    base: &'static str,
    pow: u32,
    high: Option<Dec>,
    approx: Option<&'static str>,
    qualifier: Option<&'static str>,
    /// growth verb before it: Some(sign)
    growth: Option<i32>,
    /// 至/到 after the verb: a level reached, not a growth
    reached: bool,
}

/// A Chinese numeral a quantity may start with. A `match`: asked of every character of every
/// sentence, `str::contains` (a substring search per character) was 2 % of a run.
fn cn_numeral(c: char) -> bool {
    matches!(
        c,
        '一' | '二' | '两' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十' | '百' | '千'
    )
}

fn word_before<'a>(chars: &[char], i: usize, words: &[&'a str]) -> Option<&'a str> {
    words
        .iter()
        .copied()
        .filter(|w| {
            let n = w.chars().count();
            i >= n && numbers::starts_with(chars, i - n, w)
        })
        .max_by_key(|w| w.chars().count())
}

/// The unit at `i`: optional scale word, optional 余/多, then a unit. Returns
/// (written, base unit, power of ten, end, 余/多 seen).
fn unit_at(
    chars: &[char],
    i: usize,
) -> Option<(String, &'static str, u32, usize, Option<&'static str>)> {
    if let Some(u) = units::at(chars, i) {
        let end = i + u.written.chars().count();
        return Some((u.written.to_string(), u.base, u.pow, end, None));
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
    let written = format!("{word}{}", u.written);
    Some((
        written,
        u.base,
        pow + u.pow,
        j + u.written.chars().count(),
        approx,
    ))
}

/// Every quantity in the sentence, left to right.
fn quantities(chars: &[char]) -> Vec<Quantity> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        // 百分之五, 百分之五点五: a percentage written out
        if numbers::starts_with(chars, i, "百分之") {
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
        let mut unit = unit_at(chars, j);
        if unit.is_none() {
            if let Some(f) = full.filter(|f| f.end > bare.end + 1) {
                if let Some(u) = units::at(chars, f.end).filter(|u| u.base != "%") {
                    value = f.value;
                    unit = Some((
                        u.written.to_string(),
                        u.base,
                        u.pow,
                        f.end + u.written.chars().count(),
                        None,
                    ));
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
        let Some((written, base, pow, mut end, approx2)) = unit else {
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
        let approx = approx.or(approx2).or_else(|| {
            word_before(chars, i, &["超过", "近", "约", "超", "逾", "将近", "接近"]).map(
                |w| match w {
                    "超过" | "超" | "逾" => "超",
                    "将近" | "接近" | "近" => "近",
                    _ => "约",
                },
            )
        });
        // a range whose second number carries the unit: 5%至5.5%, 5.5%到6%, 4.5%—5%
        let mut high = high_first;
        if let Some((_, n2)) = range_second(chars, end).filter(|_| high.is_none()) {
            if let Some((w2, _, _, e2, _)) = unit_at(chars, n2.end) {
                if w2 == written {
                    high = Some(n2.value);
                    end = e2;
                }
            }
        }
        let (qualifier, qend) = qualifier_at(chars, i, end, high.is_some());
        end = qend;
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
    out
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

/// Where the verb before a figure at `i` ends: past 约/近/了/超/达 written between them.
fn verb_end(chars: &[char], i: usize) -> usize {
    let mut p = i;
    for skip in ["约", "近", "了", "超", "达"] {
        if word_before(chars, p, &[skip]).is_some() {
            p -= 1;
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
) -> (Option<&'static str>, usize) {
    let mut qualifier = if range { Some("区间") } else { None };
    let mut end = end;
    for (w, q) in [
        ("以上", "以上"),
        ("左右", "左右"),
        ("以内", "以内"),
        ("以下", "以内"),
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
        qualifier = Some("以上");
    }
    if qualifier.is_none() && word_before(chars, start, &["控制在", "不超过", "不高于"]).is_some()
    {
        qualifier = Some("以内");
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
const GENERIC: &[&str] = &["", "总量", "总额", "规模", "其中", "总计", "合计"];

fn strip_subject(s: &str) -> String {
    let mut t = s.trim();
    loop {
        let before = t;
        for w in LEAD_WORDS.iter().chain(COMMITMENTS) {
            if let Some(r) = t.strip_prefix(w) {
                t = r.trim_start_matches(['，', ',', ' ']);
            }
        }
        for w in TAIL_WORDS {
            if let Some(r) = t.strip_suffix(w) {
                t = r;
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
    t.trim().to_string()
}

fn years_in(chars: &[char], upto: usize) -> Option<i32> {
    let mut best = None;
    let mut i = 0;
    while i + 4 < upto.min(chars.len()) {
        if chars[i..i + 4].iter().all(|c| c.is_ascii_digit())
            && chars[i + 4] == '年'
            && (i == 0 || !chars[i - 1].is_ascii_digit())
        {
            let y: i32 = chars[i..i + 4]
                .iter()
                .collect::<String>()
                .parse()
                .unwrap_or(0);
            // 比2020年 / 较2020年 name the base, not the period
            let base = i > 0 && matches!(chars[i - 1], '比' | '较' | '与');
            if (1949..=2100).contains(&y) && !base {
                best = Some(y);
            }
            i += 5;
        } else {
            i += 1;
        }
    }
    best
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
/// figure of a corpus, a string built per question was most of the cost.
fn holds(hay: &[char], w: &str) -> bool {
    let Some(first) = w.chars().next() else {
        return true;
    };
    let n = w.chars().count();
    hay.windows(n)
        .any(|x| x[0] == first && x.iter().copied().eq(w.chars()))
}

/// The first of `words` (in their order) that `hay` holds.
fn find_any(hay: &[char], words: &[&'static str]) -> Option<&'static str> {
    words.iter().copied().find(|w| holds(hay, w))
}

/// `城镇、农村居民人均可支配收入分别增长8%、9%`: a list of subjects sharing their tail, then
/// 分别 and one figure each. Returns where the figures start and the full subjects.
fn respectively(chars: &[char]) -> Option<(usize, Vec<String>)> {
    let f = (1..chars.len()).find(|&i| chars[i - 1] == '分' && chars[i] == '别')? - 1;
    let start = chars[..f]
        .iter()
        .rposition(|c| matches!(c, '，' | '；' | '：' | '。'))
        .map(|p| p + 1)
        .unwrap_or(0);
    let items: Vec<String> = chars[start..f]
        .iter()
        .collect::<String>()
        .split('、')
        .map(strip_subject)
        .collect();
    if items.len() < 2 || items.iter().any(|x| x.is_empty()) {
        return None;
    }
    let last: Vec<char> = items.last()?.chars().collect();
    let subjects = items
        .iter()
        .map(|it| {
            let n = it.chars().count();
            if n < last.len() && items.last() != Some(it) {
                // the short item stands for the last one's head: 城镇 ~ 农村 in 农村居民…收入
                format!("{it}{}", last[n..].iter().collect::<String>())
            } else {
                it.clone()
            }
        })
        .collect();
    Some((f + 2, subjects))
}

pub fn extract_sentence(sent_idx: usize, ctx: &SentenceCtx, doc: &DocContext) -> Vec<Mention> {
    let chars = ctx.chars;
    // most sentences hold no figure at all: every quantity starts with a digit or a numeral
    if !chars.iter().any(|c| c.is_ascii_digit() || cn_numeral(*c)) {
        return Vec::new();
    }
    let qs = quantities(chars);
    let mut out: Vec<Mention> = Vec::new();
    let sentence_text: String = chars.iter().collect();
    // one pass for all the words (a `contains` per word was a sixth of this function)
    static TARGETS: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    let is_target_sentence = TARGETS
        .get_or_init(|| aho_corasick::AhoCorasick::new(TARGET_WORDS).expect("target words"))
        .is_match(&sentence_text);
    let estimate = ctx.estimate_scope || sentence_text.contains("预计");
    let mut prev_subject: Option<String> = None;
    let mut prev_clause_end = 0usize;
    let mut carried_commitment: Option<&'static str> = None;
    // the row the next subject-less growth may attach to: (index in out, clause end)
    let mut open_level: Option<usize> = None;
    let listed = respectively(chars);
    let mut list_k = 0usize;
    let mut list_growth: Option<i32> = None;
    for mut q in qs {
        let (cs, ce) = clause_bounds(chars, q.start);
        // a figure after 分别 belongs to the next subject of the list
        let list_subject = listed.as_ref().and_then(|(after, subs)| {
            let between = &chars[(*after).min(q.start)..q.start];
            (q.start >= *after && !between.iter().any(|c| matches!(c, '，' | '；' | '。')))
                .then(|| subs.get(list_k).cloned())
                .flatten()
        });
        if list_subject.is_some() {
            list_k += 1;
            if q.growth.is_none() && q.base == "%" {
                q.growth = list_growth;
            }
            list_growth = list_growth.or(q.growth);
        }
        let new_clause = cs >= prev_clause_end;
        if new_clause && cs > 0 && chars[cs - 1] == '；' {
            carried_commitment = None;
        }
        let raw_subject: String = chars[cs..q.start].iter().collect();
        let own = list_subject
            .clone()
            .unwrap_or_else(|| strip_subject(&raw_subject));
        let own_generic = GENERIC.contains(&own.as_str());
        let own_commitment = find_any(&chars[cs..q.start], COMMITMENTS);
        let commitment = own_commitment.or(carried_commitment);
        if own_commitment.is_some() {
            carried_commitment = own_commitment;
        }
        let is_growth = q.growth.is_some() && !q.reached && (q.base == "%" || q.base == "百分点");
        // a growth with no subject of its own completes the level before it
        if is_growth && own_generic && q.base == "%" {
            if let Some(oi) = open_level {
                let row = &mut out[oi];
                if row.growth_pct.is_none() {
                    let sign = q.growth.unwrap_or(1) as f64;
                    row.growth_pct = Some(sign * q.value.to_f64());
                    row.growth_high = q.high.map(|h| sign * h.to_f64());
                    row.growth_basis = row.growth_basis.or(basis(&chars[cs..q.start]));
                    if q.qualifier.is_some() && row.qualifier.is_none() {
                        row.qualifier = q.qualifier;
                    }
                    row.end = q.end;
                    row.mention = chars[row.start..row.end].iter().collect();
                    open_level = None;
                    prev_clause_end = ce;
                    continue;
                }
            }
        }
        let subject = if own_generic {
            prev_subject.clone()
        } else {
            Some(own.clone())
        };
        let subject_text = subject.clone().unwrap_or_default();
        // `进出口总额超1000万元企业`: a threshold describing firms, not the indicator's value
        let attributive = ["企业", "的企业", "项目", "的项目"]
            .iter()
            .any(|w| numbers::starts_with(chars, q.end, w));
        let mut ind = indicators::lookup(&subject_text)
            .filter(|(code, _)| !attributive && indicators::fits(code, q.base, is_growth));
        if ind.is_none()
            && is_growth
            && matches!(subject_text.as_str(), "经济" | "经济增速" | "经济增长")
        {
            ind = indicators::by_code("gdp");
        }
        let kind = if estimate {
            "estimate"
        } else if is_target_sentence || ctx.part == Some("plan") {
            "target"
        } else {
            "actual"
        };
        let basis = basis(&chars[cs..q.start]);
        // an average over years (年均, as in a 十四五 plan) has no single period
        let period_year = if basis == Some("年均") {
            None
        } else {
            years_in(chars, q.start)
                .or(ctx.section_year)
                .or(ctx.paragraph_year)
                .or(match kind {
                    "target" => doc.report_year,
                    _ => doc.review_year,
                })
        };
        let v = q.value.to_f64();
        let mut m = Mention {
            sentence: sent_idx,
            indicator: ind.map(|x| x.0),
            indicator_name: ind.map(|x| x.1),
            subject: subject.filter(|s| !s.is_empty()),
            mention: chars[q.start..q.end].iter().collect(),
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
            start: q.start,
            end: q.end,
        };
        if is_growth && q.base == "%" {
            let sign = q.growth.unwrap_or(1) as f64;
            m.growth_pct = Some(sign * v);
            m.growth_high = q.high.map(|h| sign * h.to_f64());
            open_level = None;
        } else {
            let sign = if q.base == "百分点" {
                q.growth.unwrap_or(1)
            } else {
                1
            } as i128;
            let value = if sign < 0 { q.value.negated() } else { q.value };
            m.value = Some(value.to_f64());
            m.unit = Some(q.unit.clone());
            m.value_base = value.shift(q.pow).map(|d| d.to_f64());
            m.base_unit = Some(q.base);
            m.value_high = q.high.map(|h| h.to_f64());
            open_level = if q.base == "%" { None } else { Some(out.len()) };
        }
        if !own_generic {
            prev_subject = Some(own);
        }
        prev_clause_end = ce;
        out.push(m);
    }
    out
}

fn basis(before: &[char]) -> Option<&'static str> {
    match find_any(before, &["年均", "可比价", "同比", "比上年", "较上年"]) {
        Some("较上年") => Some("比上年"),
        found => found,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &str, part: Option<&'static str>) -> Vec<Mention> {
        let chars: Vec<char> = s.chars().collect();
        let ctx = SentenceCtx {
            chars: &chars,
            part,
            section_year: None,
            estimate_scope: false,
            paragraph_year: None,
        };
        extract_sentence(
            0,
            &ctx,
            &DocContext {
                report_year: Some(2025),
                review_year: Some(2024),
            },
        )
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
    fn rows(ms: &[Mention]) -> Vec<Row<'_>> {
        ms.iter()
            .map(|m| {
                (
                    m.indicator,
                    m.value,
                    m.unit.as_deref(),
                    m.growth_pct,
                    m.kind,
                    m.qualifier,
                    m.commitment,
                    m.period_year,
                )
            })
            .collect()
    }

    #[test]
    fn estimate_levels_with_growth() {
        let ms = run("预计，全年完成地区生产总值88亿元，同比增长4.2%；规上工业增加值6.1亿元，同比增长2.5%；社会消费品零售总额20亿元，同比下降3%。", None);
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
        assert_eq!(ms[0].mention, "88亿元，同比增长4.2%");
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
                    m.qualifier,
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
        let ms = run("全年旅游收入18.8亿元、同比增长8.72%，接待游客215万人次，办理退税3.5亿元，解决难题80余个，刑事立案同比下降30.5%。", None);
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
                    m.subject.as_deref(),
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
}
