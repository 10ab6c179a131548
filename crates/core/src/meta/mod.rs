//! Meta: who said it, where and when. Reads the title block (the lines before `各位代表`
//! / `同志们` or the first heading), the meeting line, the speaker line and the body of the
//! simplified text, and resolves the region against the embedded gazetteer.

pub mod gazetteer;

use crate::clean::Boilerplate;
use crate::model::{DocType, Hints};
use crate::zh::dates::{self, find_dates, Ymd};
use crate::zh::markers;
use gazetteer::{Form, Gazetteer, Level};
use regex::Regex;
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocMeta {
    pub title: Option<String>,
    pub doc_type: DocType,
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub admin_code: Option<String>,
    pub admin_level: Option<Level>,
    pub province_iso: Option<String>,
    pub report_year: Option<i32>,
    pub review_year: Option<i32>,
    pub meeting_date: Option<Ymd>,
    pub meeting: Option<String>,
    pub speaker: Option<String>,
    pub speaker_title: Option<String>,
    /// The partition year: the report year of a work report, else the year of its date.
    pub year: Option<i32>,
}

/// The title block: lines before the salutation or the first heading, at most 8.
fn header_lines(lines: &[&str]) -> usize {
    lines
        .iter()
        .take(8)
        .position(|l| {
            l.starts_with("各位代表")
                || l.starts_with("同志们")
                || l.starts_with("各位委员")
                || markers::parse(l).is_some_and(|m| m.kind != markers::MarkerKind::Dash)
        })
        .unwrap_or(lines.len().min(8))
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| crate::zh::regex(pattern).expect("meta regex"))
}

/// `t` with the first match of the pattern removed, the pattern asked only when `may`
/// says `t` can hold one.
fn remove_if<'a>(
    t: std::borrow::Cow<'a, str>,
    may: impl Fn(&str) -> bool,
    pattern: impl Fn() -> &'static Regex,
) -> std::borrow::Cow<'a, str> {
    if may(&t) {
        pattern().replace(&t, "").into_owned().into()
    } else {
        t
    }
}

pub fn clean_title(line: &str) -> String {
    static PROV: OnceLock<Regex> = OnceLock::new();
    static DATE: OnceLock<Regex> = OnceLock::new();
    static NOTE: OnceLock<Regex> = OnceLock::new();
    static SITE: OnceLock<Regex> = OnceLock::new();
    let t = line
        .trim_start_matches(['★', '☆', '●', '■', '◆', '▲', '·', ' '])
        .trim();
    let t = collapse_spaced(t);
    // each pattern is asked only of a title that starts or ends as it must (most titles
    // have no parenthesis at either end)
    let t = remove_if(
        t,
        |t| t.starts_with(['（', '(']),
        || re(&PROV, r"^[（(][^（）()]{2,10}[省市区][）)]"),
    );
    let t = remove_if(
        t,
        |t| t.ends_with(['）', ')']),
        || {
            re(
                &DATE,
                r"[（(]\s*(\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{1,2}-\d{1,2})\s*[）)]$",
            )
        },
    );
    // what a reprint adds to a report's name: (全文), 【完整版】, -定稿, - 某某官网
    let t = remove_if(
        t,
        |t| t.trim_end().ends_with(['）', ')', '】', ']']),
        || {
            re(
                &NOTE,
                r"\s*[（(【\[](全文|完整版|全文版|定稿|文字版|word版|节选|附全文)[）)】\]]\s*$",
            )
        },
    );
    let t = match t.strip_suffix("全文") {
        Some(r) if r.ends_with("工作报告") => std::borrow::Cow::Owned(r.to_string()),
        _ => t,
    };
    // (a site's name after the title is set off by a dash, a bar or an underscore)
    let t = if t.contains(['-', '_', '|', '｜', '–', '—']) && names_document(&t) {
        let cut = re(
            &SITE,
            r"^(.*?(?:工作报告|讲话|致辞))\s*[-_|｜–—]+\s*[^-_|｜–—]{1,24}$",
        );
        cut.captures(&t).map_or(t.to_string(), |c| c[1].to_string())
    } else {
        t.to_string()
    };
    t.trim().to_string()
}

/// `政 府 工 作 报 告` → `政府工作报告`: spaces between Chinese characters are layout.
fn collapse_spaced(s: &str) -> std::borrow::Cow<'_, str> {
    // only a space can be layout
    if !s.contains(char::is_whitespace) {
        return s.into();
    }
    let chars: Vec<char> = s.chars().collect();
    let han = |c: char| crate::zh::chars::is_cjk(c);
    let layout = |i: usize| {
        chars[i].is_whitespace()
            && chars[..i]
                .iter()
                .rev()
                .find(|c| !c.is_whitespace())
                .is_some_and(|c| han(*c))
            && chars[i..]
                .iter()
                .find(|c| !c.is_whitespace())
                .is_some_and(|c| han(*c))
    };
    if !(0..chars.len()).any(layout) {
        return s.into();
    }
    // only a title spaced throughout (every gap one space): `市长 李明` keeps its space
    let gaps = (1..chars.len().saturating_sub(1))
        .filter(|&i| han(chars[i - 1]) && han(chars[i + 1]))
        .count();
    let spaced = (0..chars.len()).filter(|&i| layout(i)).count();
    if spaced * 2 < gaps + spaced || spaced < 3 {
        return s.into();
    }
    (0..chars.len())
        .filter(|&i| !layout(i))
        .map(|i| chars[i])
        .collect::<String>()
        .into()
}

/// Does a line name a document: a work report (`2025年某县政府工作报告`, `政府工作报告`) or a
/// speech (`…在…会议上的讲话`)? A line that reports one being given (`县长某某作政府工作报告`,
/// `读懂今年的政府工作报告`) names an event, not the document.
pub fn names_document(line: &str) -> bool {
    static REPORT: OnceLock<Regex> = OnceLock::new();
    static SPEECH: OnceLock<Regex> = OnceLock::new();
    let t = collapse_spaced(line);
    let t = t.trim();
    if t.chars().count() > 60 || t.ends_with('。') {
        return false;
    }
    let report = re(
        &REPORT,
        r"^[^，。：:|｜的作读在]{0,30}(政府|人民政府)?工作报告(全文|摘要|原文)?([（(【\[][^）)】\]]{1,8}[）)】\]])?([-_|｜–—\s].{0,24})?$",
    );
    let speech = re(&SPEECH, r"^[^，。]{0,60}(讲话|致辞|讲话稿)$");
    // the words first: most lines hold neither, and the patterns need them
    (t.contains("工作报告") && !t.contains("作政府工作报告") && report.is_match(t))
        || (t.ends_with(['话', '辞', '稿']) && speech.is_match(t))
}

/// A report's name with nothing else: `政府工作报告`.
fn bare_title(t: &str) -> bool {
    matches!(t, "政府工作报告" | "工作报告" | "人民政府工作报告")
}

/// The title: the line of the title block that names the document (the first that says
/// more than `政府工作报告`), else the name a page's chrome gave it, else the first line
/// when it is short enough to be a headline.
fn choose_title(header: &[&str], field: Option<&str>) -> Option<String> {
    // the header's lines that name the document, cleaned one by one up to the first that is
    // no bare title (the title is most often the first line: the rest need no cleaning)
    let mut first_naming: Option<String> = None;
    for l in header {
        let t = clean_title(l);
        if t.is_empty() || !names_document(&t) {
            continue;
        }
        if !bare_title(&t) {
            return Some(t);
        }
        first_naming.get_or_insert(t);
    }
    let field = field
        .map(clean_title)
        .filter(|t| !t.is_empty() && names_document(t));
    field
        .clone()
        .filter(|t| !bare_title(t))
        .or(first_naming)
        .or(field)
        .or_else(|| {
            header
                .first()
                .filter(|l| {
                    !l.starts_with("各位代表")
                        && !l.starts_with("同志们")
                        && !l.ends_with(['：', ':'])
                        && speaker(&[*l], "").0.is_none()
                        && markers::parse(l).is_none()
                        && years_from_headings(&[*l]) == (None, None)
                })
                .map(|l| clean_title(l))
                // a headline, not a paragraph: short, not a finished sentence
                .filter(|t| {
                    !t.is_empty()
                        && t.chars().count() <= 60
                        && !t.ends_with(['。', '！'])
                        && t.matches('，').count() <= 1
                })
        })
}

/// The first `n` characters of `s`, borrowed.
fn first_chars(s: &str, n: usize) -> &str {
    // n bytes hold at most n characters: count whole blocks of what is still wanted (the
    // standard library counts characters a word at a time), then step the last few
    let (mut end, mut wanted) = (0, n);
    while wanted > 16 && end < s.len() {
        let mut to = (end + wanted).min(s.len());
        while !s.is_char_boundary(to) {
            to += 1;
        }
        wanted -= s[end..to].chars().count();
        end = to;
    }
    let at = s[end..]
        .char_indices()
        .nth(wanted)
        .map_or(s.len(), |(at, _)| end + at);
    &s[..at]
}

/// Does the body read as the government's work report being delivered: the salutation to the
/// deputies on a line of its own and the government's report announced
/// (`我代表县人民政府向大会报告工作`)?
fn delivers_report(head: &str) -> bool {
    static ANNOUNCE: OnceLock<Regex> = OnceLock::new();
    let salutation = head.starts_with("各位代表") || head.contains("\n各位代表");
    salutation
        && re(
            &ANNOUNCE,
            r"我代表[^，。]{0,10}政府[^。]{0,12}向大会|向大会报告.{0,4}政府工作",
        )
        .is_match(head)
}

/// The type the title, the header lines and the text's first 3,000 characters (`head`) say.
fn doc_type(title: &str, header: &[&str], head: &str) -> DocType {
    // the government's report: a standing committee's, a court's or a procuratorate's
    // report is delivered to the same congress in the same words, but is not one
    if names_document(title) && title.contains("政府工作报告") || delivers_report(head) {
        return DocType::GovernmentWorkReport;
    }
    if header.iter().any(|l| l.starts_with("同志们"))
        || head.contains("\n同志们")
        || title.ends_with("讲话")
        || title.ends_with("致辞")
        || title.contains("讲话稿")
    {
        return DocType::Speech;
    }
    if reads_as_news(head) {
        return DocType::News;
    }
    DocType::Other
}

/// Does the opening read as news: a byline (`记者`, `日讯`, `3月5日电`), `日前`/`近日` or a dated
/// meeting opening (`1月8日上午，…召开`), a report quoted (`工作报告指出`, `作政府工作报告`)?
/// One alternation of all of these thrashed its lazy DFA within `zh::regex`'s cache (six
/// times slower than the parts): the words are one automaton, and each pattern runs only
/// where its words are.
fn reads_as_news(head: &str) -> bool {
    static WORDS: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
    let words = WORDS.get_or_init(|| {
        // (leftmost-first: whether a word is there is the same answer under any match kind,
        // and only the leftmost kinds let the automaton look for its words' first bytes with
        // a vectorised prefilter instead of stepping through every byte of the head)
        aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build([
                "记者",
                "通讯员",
                "日讯",
                "报导",
                "报道",
                "在政府工作报告中",
                "报告指出",
                "报告提出",
                "工作报告显示",
                "工作报告强调",
                "工作报告表示",
                "作工作报告",
                "作了工作报告",
                "作政府工作报告",
                "作了政府工作报告",
                "，日前",
                "。日前",
                "，近日",
                "。近日",
            ])
            .expect("news words")
    });
    if words.is_match(head)
        || ["日前", "近日", "昨天", "今天"]
            .iter()
            .any(|w| head.starts_with(w))
    {
        return true;
    }
    static WIRE: OnceLock<Regex> = OnceLock::new();
    if head.contains("日电") && re(&WIRE, r"\d{1,2}月\d{1,2}日电").is_match(head) {
        return true;
    }
    static LATELY: OnceLock<Regex> = OnceLock::new();
    if (head.contains("日前") || head.contains("近日"))
        && re(&LATELY, r"(日前|近日)[，,]?[^。]{0,30}(召开|举行|举办)").is_match(head)
    {
        return true;
    }
    static QUOTED: OnceLock<Regex> = OnceLock::new();
    if (head.contains("摘自") || head.contains("宣读"))
        && re(&QUOTED, r"摘自.{0,6}工作报告|宣读.{0,4}工作报告").is_match(head)
    {
        return true;
    }
    // a date, then within the sentence a meeting's opening: the date's end anchors the rest
    static DAY: OnceLock<Regex> = OnceLock::new();
    static OPENS: OnceLock<Regex> = OnceLock::new();
    // (the pattern needs a month and one of the four words: most heads are told by those)
    if !head.contains('月')
        || !["开幕", "召开", "举行", "闭幕"]
            .iter()
            .any(|w| head.contains(w))
    {
        return false;
    }
    let opens = re(
        &OPENS,
        r"^(上午|下午|晚上?)?[，,]?[^。]{0,60}(开幕|召开|举行|闭幕)",
    );
    re(&DAY, r"\d{1,2}月\d{1,2}日")
        .find_iter(head)
        .any(|d| opens.is_match(&head[d.end()..]))
}

/// The meeting line, which a hard wrap or a blank line may have split in two:
/// `——2023年12月20日在东洲区第十九届` + `人民代表大会第三次会议上`.
fn meeting_text(header: &[&str]) -> Option<String> {
    let dashes: &[char] = &['—', '─', '-', '－', ' ', '（', '('];
    let closing: &[char] = &['）', ')', ' '];
    let found = header.iter().position(|raw| {
        let l = raw.trim_start_matches(dashes);
        let dated = !find_dates(l).is_empty() && (l.contains('在') || l.contains("会议"));
        // a subtitle whose date was lost or never written (`──第十六届人民代表大会第二次会议上`,
        // `——2019123日在某区第十五届人民代表大会`): set off by its dash or its closing 上
        let subtitle = (raw.starts_with(['—', '─', '-', '－', '（', '('])
            || l.trim_end_matches(closing).ends_with("会议上"))
            && l.contains('届')
            && (l.contains("代表大会") || l.contains("会议"));
        dated || (subtitle && !names_document(l))
    });
    let Some(start) = found else {
        // a speech dates itself on a line of its own (`（2024年12月30日）`)
        return header
            .iter()
            .find_map(|l| date_line(l, dashes, closing))
            .map(str::to_string);
    };
    let mut s = String::new();
    let mut next = start;
    for l in &header[start..header.len().min(start + 3)] {
        let l = l.trim_start_matches(dashes).trim_end_matches(closing);
        s.push_str(l);
        next += 1;
        if l.ends_with('上') || l.ends_with("上的讲话") || l.ends_with("会议") {
            break;
        }
    }
    // the date on a line of its own after the meeting: `——在某县…会议上` / `（2025年1月8日）`
    if find_dates(&s).is_empty()
        && header
            .get(next)
            .is_some_and(|l| date_line(l, dashes, closing).is_some())
    {
        s.push_str(header[next]);
    }
    Some(s)
}

/// A line that is a date and nothing else (but the dashes or brackets around it):
/// `（2024年12月30日）`. Returns the date's text.
fn date_line<'a>(l: &'a str, open: &[char], close: &[char]) -> Option<&'a str> {
    let t = l.trim_matches(|c: char| open.contains(&c) || close.contains(&c));
    find_dates(t)
        .first()
        .is_some_and(|(r, _)| r.len() + 2 >= t.len())
        .then_some(t)
}

fn meeting_name(s: &str) -> Option<String> {
    // every pattern below ends in a 会议 or a 会, and the congress's in a 届 before it
    if !s.contains('会') {
        return None;
    }
    let c: Vec<char> = s.chars().collect();
    let group = |(a, b): (usize, usize)| c[a..b].iter().collect::<String>();
    if s.contains('届') {
        // `在某县第十八届人民代表大会第四次会议上`, or with no `在` before it:
        // `第十六届人民代表大会第二次会议上`
        if let Some(g) = meeting::congress(&c).or_else(|| meeting::bare(&c)) {
            return Some(group(g));
        }
    }
    meeting::any(&c).map(|g| group(g).trim_start_matches('“').to_string())
}

/// The meeting a line names, by three patterns matched by hand over its characters. Each
/// gives what the regex crate's leftmost-first search for the pattern in its doc gives (the
/// leftmost start; there, lazy counts from the fewest, alternatives in order, optional parts
/// tried present first; `.` any character but a newline): as regexes, their counted dots
/// built new lazy-DFA states for nearly every document, some 20 µs a document.
mod meeting {
    const NUMERALS: [char; 10] = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
    const CONGRESSES: [&str; 2] = ["人民代表大会", "人代会"];

    /// Where `w` ends if `c` holds it at `p`.
    fn word(c: &[char], p: usize, w: &str) -> Option<usize> {
        let mut q = p;
        for x in w.chars() {
            (c.get(q) == Some(&x)).then_some(())?;
            q += 1;
        }
        Some(q)
    }

    /// The ends of `.{min,max}?` from `from`, fewest characters first.
    fn dots(c: &[char], from: usize, min: usize, max: usize) -> impl Iterator<Item = usize> {
        let rest = &c[from.min(c.len())..];
        let stop = from + rest.iter().position(|&x| x == '\n').unwrap_or(rest.len());
        (from + min..=from + max).take_while(move |&p| p <= stop)
    }

    /// Where `第[一二三四五六七八九十]+次` at `p` ends (the numerals taken greedily: a shorter
    /// run is followed by a numeral, never by 次).
    fn ordinal(c: &[char], p: usize) -> Option<usize> {
        let q = word(c, p, "第")?;
        let k = c[q.min(c.len())..]
            .iter()
            .take_while(|x| NUMERALS.contains(x))
            .count();
        (k > 0).then(|| word(c, q + k, "次")).flatten()
    }

    /// The ends of `(?:人民代表大会|人代会)`, the ordinal (`(?:第…次)?`, or required with
    /// `ordinal_needed`), `(?:全体)?会议` at `p`: every way the pattern can end there, in the
    /// order the regex tries them (alternatives in order, optional parts present first).
    fn congress_ends(
        c: &[char],
        p: usize,
        ordinal_needed: bool,
    ) -> impl Iterator<Item = usize> + '_ {
        CONGRESSES
            .iter()
            .filter_map(move |w| word(c, p, w))
            .flat_map(move |p3| [ordinal(c, p3), (!ordinal_needed).then_some(p3)])
            .flatten()
            .flat_map(move |p4| [word(c, p4, "全体"), Some(p4)])
            .flatten()
            .filter_map(move |p5| word(c, p5, "会议"))
    }

    /// `在(.{2,40}?届.{0,12}?(?:人民代表大会|人代会)(?:第[一二三四五六七八九十]+次)?(?:全体)?会议)`:
    /// the group's range.
    pub(super) fn congress(c: &[char]) -> Option<(usize, usize)> {
        (0..c.len()).filter(|&i| c[i] == '在').find_map(|i| {
            dots(c, i + 1, 2, 40)
                .filter(|&p1| c.get(p1) == Some(&'届'))
                .find_map(|p1| {
                    dots(c, p1 + 1, 0, 12).find_map(|p2| congress_ends(c, p2, false).next())
                })
                .map(|end| (i + 1, end))
        })
    }

    /// `^(.{0,30}?第.{1,4}届.{0,12}?(?:人民代表大会|人代会)第[一二三四五六七八九十]+次(?:全体)?会议)上`:
    /// the group's range (the first ending followed by 上).
    pub(super) fn bare(c: &[char]) -> Option<(usize, usize)> {
        let end = dots(c, 0, 0, 30)
            .filter(|&p0| c.get(p0) == Some(&'第'))
            .find_map(|p0| {
                dots(c, p0 + 1, 1, 4)
                    .filter(|&p1| c.get(p1) == Some(&'届'))
                    .find_map(|p1| {
                        dots(c, p1 + 1, 0, 12).find_map(|p2| {
                            congress_ends(c, p2, true).find(|&e| c.get(e) == Some(&'上'))
                        })
                    })
            })?;
        Some((0, end))
    }

    /// `在(.{2,60}?(?:会议|大会|会))上`: the group's range.
    pub(super) fn any(c: &[char]) -> Option<(usize, usize)> {
        (0..c.len()).filter(|&i| c[i] == '在').find_map(|i| {
            dots(c, i + 1, 2, 60).find_map(|p| {
                ["会议", "大会", "会"]
                    .iter()
                    .filter_map(|w| word(c, p, w))
                    .find(|&e| c.get(e) == Some(&'上'))
                    .map(|e| (i + 1, e))
            })
        })
    }
}

/// Offices that deliver reports and speeches, longest first within each family so that
/// `代区长` is read whole.
/// A name written with the middle dot (`买买提·艾力`), as regex.
const DOTTED_NAME: &str = r"\p{Han}{1,8}·\p{Han}{1,8}";

const TITLES: &str = "常务副区长|常务副县长|常务副市长|常务副省长|常务副州长|常务副旗长|代区长|代县长|代市长|代省长|代州长|代旗长|代盟长|代主席|区长|县长|市长|省长|州长|旗长|盟长|主席|区委书记|县委书记|市委书记|州委书记|省委书记|书记|总理";

/// The last characters of the offices in `TITLES`.
const OFFICE_ENDS: [char; 4] = ['长', '席', '记', '理'];

fn speaker(header: &[&str], title: &str) -> (Option<String>, Option<String>) {
    static LINE: OnceLock<Regex> = OnceLock::new();
    static GLUED: OnceLock<Regex> = OnceLock::new();
    static TITLE: OnceLock<Regex> = OnceLock::new();
    // `某县人民政府县长 林 平`, `区 长 刘某某`, `买买提·某某`; after the meeting on its line
    let line = LINE.get_or_init(|| {
        crate::zh::regex(&format!(
            r"^.{{0,30}}?({TITLES})\s+(\p{{Han}}(?:\s{{0,2}}\p{{Han}}){{1,3}}|{DOTTED_NAME})$"
        ))
        .expect("speaker regex")
    });
    // `静宁县常务副县长杨某某`: no space, a short line that is nothing else, the office
    // after the name of a division or its government
    let glued = GLUED.get_or_init(|| {
        crate::zh::regex(&format!(
            r"^\p{{Han}}{{1,16}}?(?:[县区市省州旗盟]|人民政府)({TITLES})(\p{{Han}}{{2,3}}|{DOTTED_NAME})$"
        ))
        .expect("glued speaker regex")
    });
    for l in header {
        // every office in TITLES ends in one of these: a line without one names no speaker
        if !l.contains(OFFICE_ENDS) {
            continue;
        }
        let l = l.trim().trim_start_matches(['—', '-', ' ']);
        // the speaker may share the meeting's line: `…第三次会议上 某省省长 某某`
        let l = l.rsplit_once("会议上").map_or(l, |(_, rest)| rest.trim());
        let l = despace_office(l);
        // (the office and the name are set apart by a space: a line without one is asked
        // only the glued pattern)
        if let Some(c) = l
            .contains(char::is_whitespace)
            .then(|| line.captures(&l))
            .flatten()
        {
            let name: String = c[2].chars().filter(|c| !c.is_whitespace()).collect();
            return (Some(name), Some(c[1].to_string()));
        }
        if l.chars().count() <= 24 {
            if let Some(c) = glued.captures(&l) {
                return (Some(c[2].to_string()), Some(c[1].to_string()));
            }
        }
    }
    let t = TITLE.get_or_init(|| {
        crate::zh::regex(&format!(
            r"^(?:.{{0,12}}?)({TITLES})(\p{{Han}}{{2,3}})?(?:同志)?在.{{2,80}}(?:讲话|致辞)"
        ))
        .expect("speech title regex")
    });
    // (the pattern needs an office, a 在 and a 讲话 or 致辞 after it)
    if !title.contains(OFFICE_ENDS)
        || !title.contains('在')
        || !(title.contains("讲话") || title.contains("致辞"))
    {
        return (None, None);
    }
    if let Some(c) = t.captures(title) {
        return (
            c.get(2).map(|m| m.as_str().to_string()),
            Some(c[1].to_string()),
        );
    }
    (None, None)
}

/// `区 长 刘某某` → `区长 刘某某`: an office spaced out like the title above it.
fn despace_office(l: &str) -> std::borrow::Cow<'_, str> {
    let chars: Vec<char> = l.chars().collect();
    if chars.len() >= 4 && chars[1] == ' ' && chars[3] == ' ' && chars[2] == '长' {
        let mut s = String::new();
        s.push(chars[0]);
        s.extend(&chars[2..]);
        return s.into();
    }
    l.into()
}

/// Who delivered the report a news item is about: `县长某某代表县人民政府向大会作政府工作报告`,
/// `市长某某在政府工作报告中…`, `国务院总理某某向大会作…`.
fn news_speaker(head: &str) -> (Option<String>, Option<String>) {
    static LEAD: OnceLock<Regex> = OnceLock::new();
    static PREMIER: OnceLock<Regex> = OnceLock::new();
    let lead = LEAD.get_or_init(|| {
        crate::zh::regex(&format!(
            r"({TITLES})({DOTTED_NAME}|\p{{Han}}{{2,3}}?)(?:同志)?(?:代表[^。，]{{1,12}}?向[^。，]{{0,16}}?作了?|代表[^。，]{{1,12}}?作了?|向[^。，]{{0,16}}?作了?|作了?|在[^。，]{{0,8}}?)《?(?:政府)?工作报告"
        ))
        .expect("news speaker regex")
    });
    if let Some(c) = lead.captures(head) {
        return (Some(c[2].to_string()), Some(c[1].to_string()));
    }
    // `某某总理代表国务院…所作的《政府工作报告》`: the name before the office
    let premier = re(
        &PREMIER,
        r"(\p{Han}{2,3})总理(?:代表国务院|在[^。，]{0,20}政府工作报告|向[^。，]{0,16}?作)",
    );
    match premier.captures(head) {
        Some(c) => (Some(c[1].to_string()), Some("总理".to_string())),
        None => (None, None),
    }
}

/// Chooses the division the document is about. Clues in the title block count far more
/// than mentions in the body; a division's score adds its parents' (a county named with its
/// city beats a namesake elsewhere); a tie between different divisions is not broken by
/// guessing: the result climbs to what the tied candidates share, or to nothing.
fn resolve_region(g: &Gazetteer, clues: &[&str], body: &str, year: Option<i32>) -> Option<usize> {
    static MASKED: OnceLock<Regex> = OnceLock::new();
    let masked = re(&MASKED, r"(\*\*|＊＊|××|XX|ＸＸ)(省|市|区|县|镇)");
    let opening = first_chars(body, 2000);
    if clues.iter().any(|c| masked.is_match(c)) || masked.is_match(opening) {
        return None;
    }
    let mut score: HashMap<usize, f64> = HashMap::new();
    let mut clue_hit: HashMap<usize, bool> = HashMap::new();
    const OFFICIAL: [&str; 10] = [
        "人民政府",
        "政府",
        "人民代表大会",
        "第",
        "区委",
        "县委",
        "市委",
        "省委",
        "人大",
        "工作报告",
    ];
    for clue in clues {
        for (_, end, refs) in g.find(clue) {
            let after = &clue[end..];
            for r in refs {
                let w = match r.form {
                    Form::Full => 10.0,
                    Form::Short if OFFICIAL.iter().any(|o| after.starts_with(o)) => 6.0,
                    Form::Short => continue,
                    Form::Alias(until) => {
                        if year.is_none_or(|y| y <= until + 2) {
                            9.0
                        } else {
                            4.0
                        }
                    }
                };
                *score.entry(r.div).or_default() += w;
                clue_hit.insert(r.div, true);
            }
        }
    }
    let mut body_hits: HashMap<usize, f64> = HashMap::new();
    for (_, _, refs) in g.find(body) {
        for r in refs {
            if r.form == Form::Full {
                *body_hits.entry(r.div).or_default() += 1.0;
            }
        }
    }
    for (d, n) in body_hits {
        *score.entry(d).or_default() += n.min(5.0);
    }
    let chain = |d: usize| -> f64 {
        let mut s = score.get(&d).copied().unwrap_or(0.0);
        let mut cur = &g.divisions[d];
        while let Some(p) = g.parent(cur) {
            let pi = g.index_of(p.code).expect("parent in gazetteer");
            if pi != d {
                s += score.get(&pi).copied().unwrap_or(0.0);
            }
            if p.code == cur.code {
                break;
            }
            cur = p;
        }
        s
    };
    let with_clues: Vec<usize> = clue_hit.keys().copied().collect();
    let pool: Vec<usize> = if with_clues.is_empty() {
        // body only: a division must be named repeatedly to count
        score
            .iter()
            .filter(|(_, s)| **s >= 3.0)
            .map(|(d, _)| *d)
            .collect()
    } else {
        with_clues
    };
    for level in [Level::County, Level::City, Level::Province] {
        let mut cands: Vec<(usize, f64)> = pool
            .iter()
            .filter(|d| g.divisions[**d].level == level)
            .map(|d| (*d, chain(*d)))
            .collect();
        if cands.is_empty() {
            continue;
        }
        cands.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then(g.divisions[a.0].code.cmp(&g.divisions[b.0].code))
        });
        let best = cands[0];
        let tied: Vec<usize> = cands
            .iter()
            .filter(|c| (c.1 - best.1).abs() < 1e-9)
            .map(|c| c.0)
            .collect();
        if tied.len() == 1 {
            // a municipality's city-level row (110100 北京市) stands for the province
            let d = &g.divisions[best.0];
            if let Some(p) = g
                .parent(d)
                .filter(|p| d.level == Level::City && p.name == d.name)
            {
                return g.index_of(p.code);
            }
            return Some(best.0);
        }
        // tied namesakes: climb to the ancestor they all share, if any
        let codes: Vec<u32> = tied.iter().map(|d| g.divisions[*d].code).collect();
        for unit in [100, 10000] {
            let first = codes[0] / unit * unit;
            if codes.iter().all(|c| c / unit * unit == first) {
                if let Some(i) = g.index_of(first) {
                    return Some(i);
                }
            }
        }
        return None;
    }
    None
}

/// The year a session plans for: sessions meet from December to March, and one in
/// October or later presents the next year's report.
fn plan_year_of_session(d: Ymd) -> i32 {
    if d.month >= 10 {
        d.year + 1
    } else {
        d.year
    }
}

/// `2008政府工作报告`: a year written without 年, trusted after the meeting date.
fn loose_year_of_title(title: &str) -> Option<i32> {
    static Y: OnceLock<Regex> = OnceLock::new();
    let y = re(&Y, r"^(20\d{2}|19\d{2})\D{0,20}工作报告");
    y.captures(title).and_then(|c| c[1].parse().ok())
}

/// The year a text plans for, where it says so: `2018年发展主要预期目标是`,
/// `对2011年政府工作总体安排`, `二、2013年工作安排`, `做好2013年的政府工作`.
fn plan_year_in(head: &str) -> Option<i32> {
    static P: OnceLock<Regex> = OnceLock::new();
    let p = re(
        &P,
        r"(\d{4})\s?年[^。，；、]{0,12}?(?:预期目标|主要目标|总体要求|工作安排|重点工作|工作任务|政府工作的建议|总体安排)|对(\d{4})\s?年.{0,6}(?:工作|安排)|(\d{4})\s?年(?:的)?(?:政府)?(?:工作|重点)?(?:总体)?(?:安排|任务|建议)|做好(\d{4})\s?年",
    );
    p.captures_iter(head)
        .filter_map(|c| {
            (1..=4)
                .find_map(|i| c.get(i))
                .and_then(|m| m.as_str().parse().ok())
        })
        .find(|y| dates::YEARS.contains(y))
}

/// The year a text reviews, where it says so: `刚刚过去的2007年`, `回顾2009年`,
/// `2009年，…`, the year a paragraph about the past year starts with.
fn review_year_in(head: &str) -> Option<i32> {
    static R: OnceLock<Regex> = OnceLock::new();
    let r = re(
        &R,
        r"(?:刚刚过去的|过去的|回顾|预计)(\d{4})\s?年|(?:^|[\n。，,])\s*(\d{4})\s?年[，,]",
    );
    r.captures_iter(head)
        .filter_map(|c| c.get(1).or(c.get(2)).and_then(|m| m.as_str().parse().ok()))
        .find(|y| dates::YEARS.contains(y))
}

fn year_of_title(title: &str) -> Option<i32> {
    static Y: OnceLock<Regex> = OnceLock::new();
    let y = re(
        &Y,
        r"(20\d{2}|19\d{2})年(?:度)?.{0,20}(?:政府工作报告|工作报告)",
    );
    y.captures(title).and_then(|c| c[1].parse().ok())
}

/// Review and plan years from the level-1 headings (`一、2024年工作回顾`, `二、2025年工作安排`).
fn years_from_headings(lines: &[&str]) -> (Option<i32>, Option<i32>) {
    static H: OnceLock<Regex> = OnceLock::new();
    let h = re(
        &H,
        r"^(?:[一二三四五六七八九十]+、)?\s*(\d{4})年.{0,12}?(回顾|总结|安排|任务|目标|计划|工作)",
    );
    let (mut review, mut plan) = (None, None);
    for l in lines {
        // a heading starts with a numeral or, standing alone, with the year (`2018年工作回顾`)
        let numbered = l.starts_with(['一', '二', '三', '四', '五', '六', '七', '八', '九', '十']);
        let alone =
            l.starts_with(['1', '2']) && l.chars().count() <= 16 && !l.contains(['，', '。']);
        if !numbered && !alone {
            continue;
        }
        if let Some(c) = h.captures(l) {
            let y: i32 = c[1].parse().unwrap_or(0);
            // `2018年工作回顾`: 工作 comes first, the review word decides
            if l.contains("回顾") || l.contains("总结") {
                review.get_or_insert(y);
            } else {
                plan.get_or_insert(y);
            }
        }
    }
    (review, plan)
}

pub struct MetaInput<'a> {
    pub text: &'a str,
    pub hints: &'a Hints,
    /// Hint title, already converted to simplified.
    pub hint_title: Option<&'a str>,
    /// Lines `clean` removed (source/time lines): a date of last resort.
    pub removed: &'a [(Boilerplate, String)],
    /// The document's name from the page's chrome (a disclosure table's 文件名称),
    /// converted to simplified.
    pub title_field: Option<&'a str>,
}

pub fn extract(input: &MetaInput, g: &Gazetteer) -> DocMeta {
    let lines: Vec<&str> = crate::zh::chars::lines(input.text).collect();
    let nh = header_lines(&lines).max(1);
    let header = &lines[..nh.min(lines.len())];
    let title = input
        .hint_title
        .map(clean_title)
        .filter(|t| !t.is_empty())
        .or_else(|| choose_title(header, input.title_field));
    let title_s = title.clone().unwrap_or_default();
    let head = first_chars(input.text, 3000);
    let doc_type = doc_type(&title_s, header, head);
    // a date alone on a line dates a report or a speech, not a news item (its publication)
    let meeting_line = meeting_text(header).filter(|m| {
        matches!(doc_type, DocType::GovernmentWorkReport | DocType::Speech)
            || m.contains('在')
            || m.contains("会议")
    });
    let meeting_date = meeting_line
        .as_deref()
        .and_then(|m| find_dates(m).first().map(|d| d.1));
    let meeting = meeting_line.as_deref().and_then(meeting_name).or_else(|| {
        (doc_type == DocType::Speech)
            .then(|| meeting_name(&title_s))
            .flatten()
    });
    let (mut speaker, mut speaker_title) = speaker(header, &title_s);
    let about_report = doc_type == DocType::News && head.contains("工作报告");
    if speaker.is_none() && about_report {
        (speaker, speaker_title) = news_speaker(head);
    }

    let fallback_date = || -> Option<Ymd> {
        let hint = input
            .hints
            .date
            .as_deref()
            .and_then(|d| find_dates(d).first().map(|x| x.1));
        hint.or_else(|| {
            input
                .removed
                .iter()
                .filter(|(r, _)| *r == Boilerplate::SourceLine)
                .find_map(|(_, l)| find_dates(l).first().map(|x| x.1))
        })
    };
    let (mut report_year, mut review_year) = (None, None);
    if doc_type == DocType::GovernmentWorkReport {
        let (h_review, h_plan) = years_from_headings(&lines);
        report_year = year_of_title(&title_s)
            .or_else(|| meeting_date.map(plan_year_of_session))
            .or(h_plan)
            .or(h_review.map(|y| y + 1))
            .or_else(|| loose_year_of_title(&title_s))
            .or_else(|| plan_year_in(head))
            .or_else(|| fallback_date().map(plan_year_of_session))
            .or_else(|| review_year_in(head).map(|y| y + 1));
        review_year = report_year.map(|y| y - 1);
    } else if about_report {
        // a news item about a report carries that report's year, so its targets get theirs
        report_year = plan_year_in(head)
            .or_else(|| fallback_date().map(plan_year_of_session))
            .or_else(|| review_year_in(head).map(|y| y + 1));
        review_year = report_year.map(|y| y - 1);
    }
    let year = report_year
        .or(meeting_date.map(|d| d.year))
        .or_else(|| fallback_date().map(|d| d.year));

    let mut clues: Vec<&str> = header.to_vec();
    if let Some(t) = input.hint_title {
        clues.push(t);
    }
    if let Some(t) = input.title_field {
        clues.push(t);
    }
    let body_start = header
        .iter()
        .map(|l| l.len() + 1)
        .sum::<usize>()
        .min(input.text.len());
    let body = &input.text[body_start..];
    let div = resolve_region(g, &clues, body, year);
    let mut m = DocMeta {
        title,
        doc_type,
        report_year,
        review_year,
        meeting_date,
        meeting,
        speaker,
        speaker_title,
        year,
        ..DocMeta::default()
    };
    if let Some(d) = div {
        let d = &g.divisions[d];
        m.admin_code = Some(format!("{:06}", d.code));
        m.admin_level = Some(d.level);
        m.province_iso = g.province_iso(d.code).map(str::to_string);
        let mut cur = Some(d);
        while let Some(x) = cur {
            match x.level {
                Level::County => m.county = Some(x.name.clone()),
                Level::City => m.city = Some(x.name.clone()),
                Level::Province => m.province = Some(x.name.clone()),
            }
            cur = g.parent(x);
        }
        // a municipality is its own city (北京市 → 北京市/北京市)
        if m.city.is_none() && d.level == Level::Province {
            if let Some(c) = g.get(d.code + 100).filter(|c| c.name == d.name) {
                m.city = Some(c.name.clone());
            }
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn first_chars_is_the_first_n_characters(
            chars in proptest::collection::vec(
                proptest::sample::select(vec!['a', 'é', '中', '𠀀', '\n', '，']),
                0..200,
            ),
            n in 0usize..220,
        ) {
            let s: String = chars.iter().collect();
            let naive: String = s.chars().take(n).collect();
            proptest::prop_assert_eq!(first_chars(&s, n), naive.as_str());
        }
    }

    fn meta(text: &str) -> DocMeta {
        with(text, &[], None)
    }

    #[test]
    fn county_report_with_meeting_line_and_speaker() {
        let m = meta("2025年大洼区政府工作报告\n2024年12月27日在盘锦市大洼区第十九届人民代表大会第四次会议第一次全体会议上\n盘锦市大洼区人民政府区长 林 平\n各位代表：\n一、2024年工作回顾\n正文。");
        assert_eq!(m.title.as_deref(), Some("2025年大洼区政府工作报告"));
        assert_eq!(m.doc_type.as_str(), "government_work_report");
        assert_eq!(
            (
                m.province.as_deref(),
                m.city.as_deref(),
                m.county.as_deref()
            ),
            (Some("辽宁省"), Some("盘锦市"), Some("大洼区"))
        );
        assert_eq!(
            (
                m.admin_code.as_deref(),
                m.admin_level,
                m.province_iso.as_deref()
            ),
            (Some("211104"), Some(Level::County), Some("CN-LN"))
        );
        assert_eq!(
            (m.report_year, m.review_year, m.year),
            (Some(2025), Some(2024), Some(2025))
        );
        assert_eq!(
            m.meeting_date,
            Some(Ymd {
                year: 2024,
                month: 12,
                day: 27
            })
        );
        assert_eq!(
            m.meeting.as_deref(),
            Some("盘锦市大洼区第十九届人民代表大会第四次会议")
        );
        assert_eq!(
            (m.speaker.as_deref(), m.speaker_title.as_deref()),
            (Some("林平"), Some("区长"))
        );
    }

    #[test]
    fn split_meeting_line_and_province_prefix() {
        let m = meta("（辽宁省）抚顺市东洲区人民政府工作报告（2026年1月27日）\n政府工作报告\n——二〇二六年一月二十七日在东洲区第二十届\n人民代表大会第一次会议上\n区人民政府代区长 周明\n各位代表：\n正文。");
        assert_eq!(m.title.as_deref(), Some("抚顺市东洲区人民政府工作报告"));
        assert_eq!(m.county.as_deref(), Some("东洲区"));
        assert_eq!(
            m.meeting_date,
            Some(Ymd {
                year: 2026,
                month: 1,
                day: 27
            })
        );
        assert_eq!((m.report_year, m.review_year), (Some(2026), Some(2025)));
        assert_eq!(
            m.meeting.as_deref(),
            Some("东洲区第二十届人民代表大会第一次会议")
        );
        assert_eq!(
            (m.speaker.as_deref(), m.speaker_title.as_deref()),
            (Some("周明"), Some("代区长"))
        );
    }

    #[test]
    fn ambiguous_and_masked_regions_stay_null() {
        // two 朝阳区 (北京市, 长春市): nothing says which
        let m = meta("朝阳区政府工作报告\n各位代表：\n正文。");
        assert_eq!((m.county.as_deref(), m.admin_code.as_deref()), (None, None));
        let m = meta("朝阳区政府工作报告\n2025年1月5日在长春市朝阳区第十八届人民代表大会第五次会议上\n各位代表：\n正文。");
        assert_eq!(
            (m.city.as_deref(), m.admin_code.as_deref()),
            (Some("长春市"), Some("220104"))
        );
        let m = meta("区委书记在全区经济工作会议上的讲话\n同志们：\n**区长通报了情况。");
        assert_eq!(
            (
                m.doc_type.as_str(),
                m.admin_code.as_deref(),
                m.speaker_title.as_deref()
            ),
            ("speech", None, Some("区委书记"))
        );
    }

    #[test]
    fn province_level_report() {
        let m = meta("2026年辽宁省政府工作报告\n——2026年1月14日在辽宁省第十四届人民代表大会第四次会议上\n辽宁省省长 李 明\n各位代表：\n一、2025年工作回顾\n正文。");
        assert_eq!(
            (
                m.province.as_deref(),
                m.city.as_deref(),
                m.county.as_deref()
            ),
            (Some("辽宁省"), None, None)
        );
        assert_eq!(
            (m.admin_code.as_deref(), m.admin_level),
            (Some("210000"), Some(Level::Province))
        );
        assert_eq!(
            (m.speaker.as_deref(), m.speaker_title.as_deref()),
            (Some("李明"), Some("省长"))
        );
        assert_eq!((m.report_year, m.review_year), (Some(2026), Some(2025)));
        assert_eq!(
            m.meeting.as_deref(),
            Some("辽宁省第十四届人民代表大会第四次会议")
        );
    }

    /// The parts of `reads_as_news` say what the one alternation it replaced said, on
    /// openings assembled from its words, their near misses and filler.
    #[test]
    fn news_parts_agree_with_the_alternation() {
        let whole = crate::zh::regex(
            r"记者|通讯员|\d{1,2}月\d{1,2}日电|日讯|^(日前|近日|昨天|今天)|[，。](日前|近日)|(日前|近日)[，,]?[^。]{0,30}(召开|举行|举办)|\d{1,2}月\d{1,2}日(上午|下午|晚上?)?[，,]?[^。]{0,60}(开幕|召开|举行|闭幕)|作了?(政府)?工作报告|在政府工作报告中|(政府)?工作报告(指出|提出|显示|强调|表示)|报告(指出|提出)|摘自.{0,6}工作报告|宣读.{0,4}工作报告|报导|报道",
        )
        .unwrap();
        let parts = [
            "记者",
            "通讯",
            "员",
            "12",
            "3",
            "１２",
            "月",
            "日",
            "电",
            "讯",
            "日前",
            "近日",
            "昨天",
            "今天",
            "，",
            "。",
            ",",
            "召开",
            "举行",
            "举办",
            "开幕",
            "闭幕",
            "上午",
            "晚",
            "晚上",
            "作",
            "了",
            "政府",
            "工作报告",
            "指出",
            "显示",
            "强调",
            "在",
            "中",
            "摘自",
            "宣读",
            "报导",
            "报",
            "道",
            "某县",
            "经济",
            "\n",
        ];
        // a linear congruential walk: the same openings every run
        let mut x: u64 = 7;
        let (mut agreed, mut news) = (0, 0);
        for _ in 0..40_000 {
            let mut s = String::new();
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            for _ in 0..(x >> 60) + 1 {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                s.push_str(parts[(x >> 33) as usize % parts.len()]);
            }
            assert_eq!(reads_as_news(&s), whole.is_match(&s), "{s}");
            agreed += 1;
            news += usize::from(whole.is_match(&s));
        }
        // both outcomes are exercised, not just the common one
        assert!(news > 4_000 && agreed - news > 4_000, "{news} of {agreed}");
    }

    #[test]
    fn doc_types_and_reprint_dates() {
        let m = meta("县委书记在全县经济工作会议上的讲话\n同志们：\n今年以来，全县经济运行平稳。");
        assert_eq!(
            (
                m.doc_type.as_str(),
                m.speaker_title.as_deref(),
                m.meeting.as_deref()
            ),
            ("speech", Some("县委书记"), Some("全县经济工作会议"))
        );
        let g = Gazetteer::load();
        let hints = Hints::default();
        let removed = vec![(
            Boilerplate::SourceLine,
            "来源：某某日报 时间：2026-02-01".to_string(),
        )];
        let m = extract(
            &MetaInput {
                text: "柳塘县召开招商大会\n本报讯（记者 王华）近日，柳塘县召开招商引资大会。",
                hints: &hints,
                hint_title: None,
                removed: &removed,
                title_field: None,
            },
            &g,
        );
        assert_eq!(
            (m.doc_type.as_str(), m.year, m.meeting_date),
            ("news", Some(2026), None)
        );
        // a report's own meeting date wins over the reprint date
        let m = extract(
            &MetaInput {
                text: "柳塘县政府工作报告\n——二〇二五年十二月二十六日在柳塘县第五届人民代表大会第六次会议上\n各位代表：\n正文。",
                hints: &hints,
                hint_title: None,
                removed: &removed,
                title_field: None,
            },
            &g,
        );
        assert_eq!((m.report_year, m.year), (Some(2026), Some(2026)));
        assert_eq!(
            m.meeting_date,
            Some(Ymd {
                year: 2025,
                month: 12,
                day: 26
            })
        );
    }

    #[test]
    fn short_names_in_the_title_block() {
        // 大洼 for 大洼区, resolved through the meeting line's official wording
        let m = meta("大洼政府工作报告\n——2025年1月6日在大洼区第十九届人民代表大会第五次会议上\n各位代表：\n正文。");
        assert_eq!(
            (m.county.as_deref(), m.city.as_deref()),
            (Some("大洼区"), Some("盘锦市"))
        );
        let m = meta("2025年大洼政府工作报告\n各位代表：\n正文。");
        assert_eq!(m.admin_code.as_deref(), Some("211104"));
    }

    #[test]
    fn aliases_and_municipalities() {
        let m = meta("大洼县2012年政府工作报告\n各位代表：\n正文。");
        assert_eq!(
            (m.county.as_deref(), m.admin_code.as_deref(), m.report_year),
            (Some("大洼区"), Some("211104"), Some(2012))
        );
        let m = meta("2025年北京市政府工作报告\n各位代表：\n正文。");
        assert_eq!(
            (
                m.province.as_deref(),
                m.city.as_deref(),
                m.county.as_deref(),
                m.admin_level
            ),
            (Some("北京市"), Some("北京市"), None, Some(Level::Province))
        );
    }

    fn with(text: &str, removed: &[(Boilerplate, String)], field: Option<&str>) -> DocMeta {
        let g = Gazetteer::load();
        let hints = Hints::default();
        extract(
            &MetaInput {
                text,
                hints: &hints,
                hint_title: None,
                removed,
                title_field: field,
            },
            &g,
        )
    }

    #[test]
    fn the_title_is_the_line_that_names_the_document() {
        // a repeated title block: the named one, not the bare spaced one
        let m = meta("2025年青禾县政府工作报告（全文）\n政 府 工 作 报 告\n——2025年1月20日在青禾县第十八届人民代表大会第五次会议上\n县长 林平\n各位代表：\n正文。");
        assert_eq!(m.title.as_deref(), Some("2025年青禾县政府工作报告"));
        // spaced, alone; a December session plans for the next year
        let m = meta("政 府 工 作 报 告\n——2024年12月26日在青禾县第十八届人民代表大会\n第五次会议上\n青禾县人民政府代县长 林 平\n各位代表：\n现在，我代表县人民政府向大会报告工作。");
        assert_eq!(
            (m.title.as_deref(), m.doc_type.as_str(), m.report_year),
            (Some("政府工作报告"), "government_work_report", Some(2025))
        );
        assert_eq!(
            (m.speaker.as_deref(), m.speaker_title.as_deref()),
            (Some("林平"), Some("代县长"))
        );
        // a page's disclosure table names it when the body's block does not
        let m = with(
            "2025年3月21日在青禾县第十九届\n人民代表大会第四次会议上\n青禾县人民政府县长 林平\n各位代表：\n现在，我代表县人民政府向大会报告工作。",
            &[],
            Some("青禾县2025年政府工作报告"),
        );
        assert_eq!(m.title.as_deref(), Some("青禾县2025年政府工作报告"));
        assert_eq!(
            m.meeting_date,
            Some(Ymd {
                year: 2025,
                month: 3,
                day: 21
            })
        );
        // a site's name after the title
        let m = meta("政府工作报告-某某体育官网\n各位代表：\n正文。");
        assert_eq!(m.title.as_deref(), Some("政府工作报告"));
        // a headline that is a whole paragraph is no title
        let m = meta("人民网青禾1月11日电 1月11日上午，青禾县第十四届人民代表大会第一次会议开幕，县长林平向大会作政府工作报告，报告回顾了过去一年的工作并提出了今年的目标任务。");
        assert_eq!(m.title, None);
    }

    #[test]
    fn meeting_and_speaker_lines_as_sites_write_them() {
        // the meeting and the speaker on one line, no dash
        let m = meta("政府工作报告\n2025年1月20日在某省第十四届人民代表大会第三次会议上 某省省长 王立\n各位代表：\n正文。");
        assert_eq!(
            (m.speaker.as_deref(), m.speaker_title.as_deref()),
            (Some("王立"), Some("省长"))
        );
        assert_eq!(m.report_year, Some(2025));
        // office and name without a space; a name with the middle dot; a spaced office
        for (line, name, office) in [
            ("青禾县常务副县长杨晓明", "杨晓明", "常务副县长"),
            ("自治区人民政府主席 买买提·艾力", "买买提·艾力", "主席"),
            ("区 长 刘明杰", "刘明杰", "区长"),
            (
                "----2013年1月8日在某区第六届人民代表大会第二次会议上",
                "",
                "",
            ),
        ] {
            let m = meta(&format!("政府工作报告\n{line}\n各位代表：\n正文。"));
            if name.is_empty() {
                assert_eq!(m.meeting_date.map(|d| d.year), Some(2013), "{line}");
            } else {
                assert_eq!(
                    (m.speaker.as_deref(), m.speaker_title.as_deref()),
                    (Some(name), Some(office)),
                    "{line}"
                );
            }
        }
    }

    #[test]
    fn work_reports_without_their_title_and_news_about_reports() {
        // the title line was lost: the body still delivers a report; its plan heading
        // gives the year
        let m = meta("各位代表：\n现在，我代表市人民政府，向大会报告工作，请予审议。\n一、过去五年工作回顾\n正文。\n二、2013年工作安排\n正文。");
        assert_eq!(
            (m.doc_type.as_str(), m.report_year, m.review_year),
            ("government_work_report", Some(2013), Some(2012))
        );
        // news about a report stays news, with the report's year and speaker
        let removed = vec![(
            Boilerplate::SourceLine,
            "发布时间：2011-02-15 10:30".to_string(),
        )];
        let m = with(
            "青禾县第十五届人民代表大会第五次会议胜利召开\n2月14日，青禾县第十五届人民代表大会第五次会议隆重开幕。县长林平代表县人民政府向大会作政府工作报告。报告指出，全县生产总值增长15%。",
            &removed,
            None,
        );
        assert_eq!(
            (m.doc_type.as_str(), m.report_year, m.review_year),
            ("news", Some(2011), Some(2010))
        );
        assert_eq!(
            (m.speaker.as_deref(), m.speaker_title.as_deref()),
            (Some("林平"), Some("县长"))
        );
        // the year the report plans for, from the text when the page has no date
        let m = meta("新华社北京3月5日电 国务院总理李明代表国务院向大会作政府工作报告。报告提出，2018年发展主要预期目标是：国内生产总值增长6.5%左右。");
        assert_eq!(
            (m.doc_type.as_str(), m.report_year, m.speaker.as_deref()),
            ("news", Some(2018), Some("李明"))
        );
        // a headline about a report being delivered names an event, not the document
        let m = meta("县长林平向大会作政府工作报告\n3月2日上午，青禾县第十七届人民代表大会第六次会议隆重开幕。");
        assert_eq!(m.doc_type.as_str(), "news");
        let m = meta("两会快评｜从三个维度读懂今年的政府工作报告\n3月5日，会议开幕。");
        assert_eq!(m.doc_type.as_str(), "news");
    }

    #[test]
    fn meeting_lines_in_parentheses_and_dates_on_their_own_line() {
        let m = meta("2025年青禾县政府工作报告全文\n（2025年1月20日在青禾县第十八届人民代表大会第五次会议上）\n县长 林平\n各位代表：\n正文。");
        assert_eq!(m.title.as_deref(), Some("2025年青禾县政府工作报告"));
        assert_eq!(
            m.meeting.as_deref(),
            Some("青禾县第十八届人民代表大会第五次会议")
        );
        assert_eq!(
            m.meeting_date.map(|d| (d.year, d.month, d.day)),
            Some((2025, 1, 20))
        );
        let m = meta("青禾县人民政府工作报告\n——在青禾县第十八届人民代表大会第五次会议上\n（二〇二四年十二月二十六日）\n县长 林平\n各位代表：\n正文。");
        assert_eq!(
            m.meeting_date.map(|d| (d.year, d.month, d.day)),
            Some((2024, 12, 26))
        );
        assert_eq!(m.report_year, Some(2025));
        assert_eq!(m.speaker.as_deref(), Some("林平"));
    }

    #[test]
    fn a_speech_dated_on_its_own_line_and_names_spaced_twice() {
        let m = meta("在全县经济工作会议上的讲话\n县委书记  孙志强\n（2024年12月30日）\n同志们：\n今天召开会议。");
        assert_eq!(
            m.meeting_date.map(|d| (d.year, d.month, d.day)),
            Some((2024, 12, 30))
        );
        assert_eq!(m.meeting.as_deref(), Some("全县经济工作会议"));
        let m = meta("政府工作报告\n——2023年12月28日在青禾县第十八届人民代表大会第三次会议上\n青禾县人民政府县长  王  刚\n各位代表：\n正文。");
        assert_eq!(m.speaker.as_deref(), Some("王刚"));
    }

    #[test]
    fn other_reports_to_the_congress_are_not_the_governments() {
        let m = meta("青禾县人民代表大会常务委员会工作报告\n——2025年1月10日在青禾县第十八届人民代表大会第五次会议上\n各位代表：\n现在，我代表县人民代表大会常务委员会向大会报告工作，请予审议。");
        assert_eq!(
            (m.title.as_deref(), m.doc_type.as_str()),
            (Some("青禾县人民代表大会常务委员会工作报告"), "other")
        );
        let m = meta("各位代表：\n现在，我代表县人民法院向大会报告工作，请予审议。");
        assert_eq!(m.doc_type.as_str(), "other");
    }

    /// `meeting_name` by its regexes, as it was: the reference of the matching by hand.
    fn meeting_name_reference(s: &str) -> Option<String> {
        if !s.contains('会') {
            return None;
        }
        let congress = s.contains('届');
        static C: OnceLock<Regex> = OnceLock::new();
        let c = re(
            &C,
            r"在(.{2,40}?届.{0,12}?(?:人民代表大会|人代会)(?:第[一二三四五六七八九十]+次)?(?:全体)?会议)",
        );
        if let Some(m) = congress.then(|| c.captures(s)).flatten() {
            return Some(m[1].to_string());
        }
        static B: OnceLock<Regex> = OnceLock::new();
        let b = re(
            &B,
            r"^(.{0,30}?第.{1,4}届.{0,12}?(?:人民代表大会|人代会)第[一二三四五六七八九十]+次(?:全体)?会议)上",
        );
        if let Some(m) = congress.then(|| b.captures(s)).flatten() {
            return Some(m[1].to_string());
        }
        static A: OnceLock<Regex> = OnceLock::new();
        let a = re(&A, r"在(.{2,60}?(?:会议|大会|会))上");
        a.captures(s)
            .map(|m| m[1].trim_start_matches('“').to_string())
    }

    #[test]
    fn meetings_named() {
        let cases = [
            (
                "2024年1月8日在青禾县第十八届人民代表大会第四次会议上",
                Some("青禾县第十八届人民代表大会第四次会议"),
            ),
            (
                "——在某区第十五届人代会第二次全体会议上的报告",
                Some("某区第十五届人代会第二次全体会议"),
            ),
            (
                "第十六届人民代表大会第二次会议上",
                Some("第十六届人民代表大会第二次会议"),
            ),
            ("在全县“三级干部”大会上的讲话", Some("全县“三级干部”大会")),
            ("在市“两会”会议上", Some("市“两会”会议")),
            ("在会上", None),
            // with no 在 before it, the congress's session must be numbered
            ("第十届人民代表大会会议上", None),
            ("2024年工作总结", None),
        ];
        for (line, want) in cases {
            assert_eq!(meeting_name(line).as_deref(), want, "{line}");
            assert_eq!(meeting_name_reference(line).as_deref(), want, "{line}");
        }
    }

    /// Each counted dot of the patterns, at, below and past its bounds.
    #[test]
    fn meetings_named_as_the_regexes_name_them_at_the_bounds() {
        for n in 0..64 {
            let f = "某".repeat(n);
            let lines = [
                format!("在{f}届人民代表大会第二次会议"),
                format!("在某县第十届{f}人代会第一次会议"),
                format!("{f}第十届人民代表大会第二次会议上"),
                format!("第{f}届人民代表大会第二次会议上"),
                format!("第十届{f}人民代表大会第二次全体会议上"),
                format!("在{f}会上"),
                format!("在{f}\n{f}大会上"),
            ];
            for l in lines {
                assert_eq!(meeting_name(&l), meeting_name_reference(&l), "{l}");
            }
        }
    }

    /// Random text around the pieces of a congress's or a meeting's name: the counted
    /// dots' bounds are met and passed, pieces are missing, repeated and out of order.
    fn meeting_line() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let filler = || {
            proptest::collection::vec(
                prop_oneof![
                    8 => proptest::sample::select(vec!["某", "县", "届", "第", "在", "会", "\n", "“"]),
                    1 => Just("某某某某某某某某某"),
                ],
                0..4,
            )
            .prop_map(|v| v.concat())
        };
        let piece = |options: Vec<&'static str>| proptest::sample::select(options);
        (
            filler(),
            piece(vec!["在", "在", "", "在在"]),
            filler(),
            piece(vec!["届", "", "第十届", "第一届"]),
            filler(),
            piece(vec!["人民代表大会", "人代会", "人民代表大会", "人民", ""]),
            piece(vec!["第二次", "第十一次", "第一次", "第次", "次", ""]),
            piece(vec!["全体", ""]),
            piece(vec!["会议", "大会", "会", ""]),
            piece(vec!["上", "", "上的讲话"]),
            filler(),
        )
            .prop_map(|t| {
                [
                    t.0.as_str(),
                    t.1,
                    &t.2,
                    t.3,
                    &t.4,
                    t.5,
                    t.6,
                    t.7,
                    t.8,
                    t.9,
                    &t.10,
                ]
                .concat()
            })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The matching by hand names the meeting the regexes name.
        #[test]
        fn meetings_named_as_the_regexes_name_them(line in meeting_line()) {
            proptest::prop_assert_eq!(meeting_name(&line), meeting_name_reference(&line));
        }
    }
}
