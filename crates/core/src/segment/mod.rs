//! Segment: the section tree and the sentences, as spans (character offsets) into the
//! normalized text. One paragraph per line comes in (repair's output).

use crate::model::Part;
use crate::zh::markers::{self, MarkerKind};

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub parent: Option<usize>,
    /// The marker's kind; None for a run-in lead sentence.
    pub kind: Option<MarkerKind>,
    pub level: i32,
    pub marker: String,
    pub ordinal: Option<i32>,
    pub title: String,
    pub path: String,
    pub part: Option<Part>,
    /// Character offsets into the text.
    pub start: usize,
    pub end: usize,
    pub sentence_count: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    /// Character offsets into the text.
    pub start: usize,
    pub end: usize,
    /// The same span in bytes.
    pub bytes: std::ops::Range<usize>,
    /// Innermost section containing it.
    pub section: Option<usize>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Segmented {
    pub sections: Vec<Section>,
    pub sentences: Vec<Sentence>,
    /// The text's length in characters.
    pub chars: usize,
}

/// A sentence of a line: its span in chars and in bytes, both relative to the line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub chars: (usize, usize),
    pub bytes: (usize, usize),
}

pub struct SegmentOptions {
    /// Text was cut out of the middle (a paywall): a numbered sequence may resume past 1.
    pub has_gap: bool,
}

fn is_terminal(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | '!' | '?' | ';')
}
fn opens(c: char) -> bool {
    matches!(
        c,
        '“' | '‘' | '「' | '『' | '（' | '(' | '《' | '【' | '〔' | '['
    )
}
fn closes(c: char) -> bool {
    matches!(
        c,
        '”' | '’' | '」' | '』' | '）' | ')' | '》' | '】' | '〕' | ']'
    )
}

/// Quotes left open longer than this are a typo or damage, not a quotation: stop honouring them.
const MAX_QUOTE: usize = 150;

/// Appends the sentence spans of one paragraph to `out`, relative to it, and returns its
/// length in chars. Read over the UTF-8 bytes: an ideograph of the basic
/// block (lead byte E4–E9, which no terminator, bracket or space has) is stepped over whole.
pub fn split_sentences(line: &str, out: &mut Vec<Span>) -> usize {
    let b = line.as_bytes();
    // where the open sentence starts (chars, bytes)
    let mut start: Option<(usize, usize)> = None;
    let mut depth = 0usize;
    let mut opened_at = 0usize;
    // the character before the current one ends a sentence
    let mut after_terminal = false;
    // one past the last character of the open sentence that is not whitespace (chars, bytes)
    let mut solid_end = (0usize, 0usize);
    // the current character, in chars and in bytes
    let mut i = 0usize;
    let mut at = 0usize;
    while at < b.len() {
        // most characters are ideographs (U+4000–U+9FFF): inside a sentence they neither
        // open, close nor end anything (only a quotation held open too long is let go)
        if start.is_some() && (0xE4..=0xE9).contains(&b[at]) {
            if depth > 0 && i - opened_at > MAX_QUOTE {
                depth = 0;
            }
            at += 3;
            i += 1;
            solid_end = (i, at);
            after_terminal = false;
            continue;
        }
        let c = line[at..].chars().next().expect("a character starts here");
        let from = at;
        at += c.len_utf8();
        if start.is_none() {
            if c.is_whitespace() {
                i += 1;
                after_terminal = false;
                continue;
            }
            start = Some((i, from));
        }
        if !c.is_whitespace() {
            solid_end = (i + 1, at);
        }
        if opens(c) {
            if depth == 0 {
                opened_at = i;
            }
            depth += 1;
        } else if closes(c) && depth > 0 {
            depth -= 1;
        }
        if depth > 0 && i - opened_at > MAX_QUOTE {
            depth = 0;
        }
        let ends_here = if is_terminal(c) && depth == 0 {
            true
        } else {
            // `…成效。”`: a quotation that closes right after a terminator ends the sentence
            closes(c) && depth == 0 && after_terminal
        };
        if ends_here {
            let mut j = i + 1;
            let mut last = c;
            // further terminators and closing quotes belong to this sentence (`！”`, `？！`)
            while let Some(d) = line[at..]
                .chars()
                .next()
                .filter(|&d| is_terminal(d) || closes(d))
            {
                at += d.len_utf8();
                j += 1;
                last = d;
            }
            let (s, s_at) = start.take().expect("sentence start");
            out.push(Span {
                chars: (s, j),
                bytes: (s_at, at),
            });
            depth = 0;
            after_terminal = is_terminal(last);
            i = j;
            continue;
        }
        after_terminal = is_terminal(c);
        i += 1;
    }
    if let Some((s, s_at)) = start {
        if solid_end.0 > s {
            out.push(Span {
                chars: (s, solid_end.0),
                bytes: (s_at, solid_end.1),
            });
        }
    }
    i
}

/// The heading's title: the marker's line up to its first sentence end (a run-in heading
/// such as `——发展势能不断积蓄。启动…` is titled `发展势能不断积蓄`), cut at the first
/// comma if still long.
fn heading_title(rest: &str) -> String {
    let end = rest
        .find(['。', '！', '？', '；', '：'])
        .unwrap_or(rest.len());
    let mut t = &rest[..end];
    if t.chars().nth(40).is_some() {
        if let Some(p) = t.find('，') {
            t = &t[..p];
        }
    }
    t.trim().to_string()
}

/// Does a paragraph open with a sentence that works as a bold lead heading: short, at most
/// one comma, no figures, and more text after it (`招商引资成势见效。圍繞…`)?
fn lead_sentence(line: &str) -> bool {
    // the first 。 within 18 characters: (its character index, its byte offset)
    let Some((end, at)) = line
        .char_indices()
        .take(18)
        .enumerate()
        .find(|(_, (_, c))| *c == '。')
        .map(|(k, (b, _))| (k, b))
    else {
        return false;
    };
    let lead = &line[..at];
    let commas = lead.chars().filter(|c| *c == '，').count();
    end >= 4
        && commas <= 1
        && !lead
            .chars()
            .any(|c| c.is_ascii_digit() || matches!(c, '%' | '“' | '：' | '；' | '、'))
        && line[at + '。'.len_utf8()..]
            .chars()
            .any(|c| !c.is_whitespace())
}

fn part_of(title: &str) -> Part {
    if ["回顾", "总结", "过去", "成绩"]
        .iter()
        .any(|k| title.contains(k))
    {
        Part::Review
    } else if ["问题", "不足", "困难和挑战"]
        .iter()
        .any(|k| title.contains(k))
    {
        Part::Problems
    } else if [
        "安排",
        "任务",
        "目标",
        "计划",
        "打算",
        "思路",
        "重点工作",
        "工作部署",
        "总体要求",
        "政策取向",
        "工作建议",
    ]
    .iter()
    .any(|k| title.contains(k))
    {
        Part::Plan
    } else {
        Part::Other
    }
}

fn is_meeting_subtitle(rest: &str) -> bool {
    !crate::zh::dates::find_dates(rest).is_empty()
        || (rest.contains('在') && (rest.contains("会议") || rest.contains("代表大会")))
}

/// The lines of the text with their char offsets, where a line is also split before an
/// enumeration that starts inside a paragraph (`…仍然巨大。一是主…`) when the enumeration
/// goes on at the start of a later line (`二是…`): that inline `一是` is the first heading
/// of the series, not a list inside a sentence.
fn logical_lines(text: &str) -> Vec<(usize, &str)> {
    let lines: Vec<&str> = crate::zh::chars::lines(text).collect();
    // (verb, ordinal) of the enumerations that open lines, with their line index
    let starts: Vec<(usize, char, i32)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let m = markers::parse(l)?;
            (m.kind == MarkerKind::Enum).then(|| {
                (
                    i,
                    m.text.chars().last().unwrap_or(' '),
                    m.ordinal.unwrap_or(0),
                )
            })
        })
        .collect();
    let mut out = Vec::new();
    let mut pos = 0usize;
    static ONE: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
    let one = ONE.get_or_init(|| memchr::memmem::Finder::new("一".as_bytes()));
    for (i, line) in lines.iter().enumerate() {
        // an enumeration run into the line before starts `。一是`: without a sentence end
        // right before a `一`, none (一 alone is everywhere: 进一步, 统一)
        // (one search for the 一, not one for each pair)
        let may_cut = one
            .find_iter(line.as_bytes())
            .any(|at| line[..at].ends_with(['。', '！', '？', '；', '：']));
        let chars: Vec<char> = if may_cut {
            line.chars().collect()
        } else {
            Vec::new()
        };
        let mut cut = None;
        for k in 1..chars.len().saturating_sub(2) {
            if !matches!(chars[k - 1], '。' | '！' | '？' | '；' | '：') || chars[k] != '一' {
                continue;
            }
            let rest: String = chars[k..].iter().take(8).collect();
            if let Some(m) =
                markers::parse(&rest).filter(|m| m.kind == MarkerKind::Enum && m.ordinal == Some(1))
            {
                let verb = m.text.chars().last().unwrap_or(' ');
                if starts.iter().any(|&(j, v, o)| j > i && v == verb && o == 2) {
                    cut = Some(k);
                    break;
                }
            }
        }
        match cut {
            Some(k) => {
                let at: usize = chars[..k].iter().map(|c| c.len_utf8()).sum();
                out.push((pos, &line[..at]));
                out.push((pos + k, &line[at..]));
            }
            None => out.push((pos, *line)),
        }
        pos += line.chars().count() + 1;
    }
    out
}

/// A line recognised as a heading, before it becomes a `Section`.
struct Heading {
    level: i32,
    kind: Option<MarkerKind>,
    marker: String,
    ordinal: Option<i32>,
    /// Where the title starts after the marker, in bytes of the line.
    title_at: usize,
}

/// A work report that reviews but never reaches its plan part (its level-1 headings): cut
/// off before the plan.
pub fn reviews_without_plan(seg: &Segmented) -> bool {
    let parts: Vec<_> = seg
        .sections
        .iter()
        .filter(|s| s.level == 1)
        .filter_map(|s| s.part)
        .collect();
    parts.contains(&Part::Review) && !parts.contains(&Part::Plan)
}

pub fn segment(text: &str, opts: &SegmentOptions) -> Segmented {
    let mut seg = Segmented::default();
    // open sections, innermost last
    let mut stack: Vec<usize> = Vec::new();
    // last ordinal per (parent, marker kind, enumeration verb) for the sequence rule
    let mut last_ord: std::collections::HashMap<(Option<usize>, MarkerKind, char), i32> =
        Default::default();
    for (pos, line) in logical_lines(text) {
        let m = markers::parse(line);
        let mut heading: Option<Heading> = None;
        if let Some(m) = &m {
            // the marker is the line's start as written
            let rest = &line[m.text.len()..];
            let level = match m.kind {
                MarkerKind::Chapter => Some(1),
                MarkerKind::Paren => Some(2),
                MarkerKind::Dash => (!is_meeting_subtitle(rest)).then_some(2),
                _ => {
                    // enumerations nest under the innermost open heading of another kind
                    let outer = stack
                        .iter()
                        .rev()
                        .map(|&s| &seg.sections[s])
                        .find(|s| s.kind != Some(m.kind));
                    Some(outer.map(|s| s.level).unwrap_or(1) + 1)
                }
            };
            if let Some(level) = level {
                let parent = stack
                    .iter()
                    .rev()
                    .copied()
                    .find(|&s| seg.sections[s].level < level);
                let verb = m.text.chars().last().unwrap_or(' ');
                let key = (
                    if m.kind == MarkerKind::Chapter {
                        None
                    } else {
                        parent
                    },
                    m.kind,
                    verb,
                );
                let in_sequence = match (m.ordinal, last_ord.get(&key)) {
                    (None, _) => true,
                    (Some(o), None) => o == 1 || opts.has_gap,
                    (Some(o), Some(&prev)) => o == prev + 1,
                };
                if in_sequence {
                    if let Some(o) = m.ordinal {
                        last_ord.insert(key, o);
                    }
                    heading = Some(Heading {
                        level,
                        kind: Some(m.kind),
                        marker: m.text.clone(),
                        ordinal: m.ordinal,
                        title_at: m.text.len(),
                    });
                }
            }
        }
        if heading.is_none() {
            // a bold lead sentence opens a section under a level-2 heading
            if let Some(&top) = stack.last() {
                let top_level = seg.sections[top].level;
                let under_numbered =
                    top_level == 2 || (top_level == 3 && seg.sections[top].kind.is_none());
                if under_numbered && lead_sentence(line) {
                    heading = Some(Heading {
                        level: 3,
                        kind: None,
                        marker: String::new(),
                        ordinal: None,
                        title_at: 0,
                    });
                }
            }
        }
        if let Some(Heading {
            level,
            kind,
            marker,
            ordinal,
            title_at,
        }) = heading
        {
            while stack
                .last()
                .is_some_and(|&s| seg.sections[s].level >= level)
            {
                stack.pop();
            }
            let parent = stack.last().copied();
            let title = heading_title(&line[title_at..]);
            let idx = seg.sections.len();
            seg.sections.push(Section {
                parent,
                kind,
                level,
                marker,
                ordinal,
                title,
                path: String::new(),
                part: None,
                start: pos,
                end: 0,
                sentence_count: 0,
            });
            stack.push(idx);
        }
    }
    let total = text.chars().count();
    seg.chars = total;
    // ends: the next section at the same or a higher level, else the end of the text
    for i in 0..seg.sections.len() {
        let lvl = seg.sections[i].level;
        seg.sections[i].end = seg.sections[i + 1..]
            .iter()
            .find(|s| s.level <= lvl)
            .map(|s| s.start)
            .unwrap_or(total);
    }
    // paths and parts
    let mut child_count: std::collections::HashMap<Option<usize>, i32> = Default::default();
    for i in 0..seg.sections.len() {
        let parent = seg.sections[i].parent;
        let n = child_count.entry(parent).or_insert(0);
        *n += 1;
        let step = seg.sections[i].ordinal.unwrap_or(*n);
        let path = match parent {
            Some(p) => format!("{}.{}", seg.sections[p].path, step),
            None => step.to_string(),
        };
        // a heading about problems is the problems part wherever it sits (`（九）存在的问题`)
        let own = part_of(&seg.sections[i].title);
        let part = match parent {
            _ if own == Part::Problems => Some(own),
            None if seg.sections[i].level == 1 => Some(own),
            Some(p) => seg.sections[p].part,
            None => None,
        };
        seg.sections[i].path = path;
        seg.sections[i].part = part;
    }
    // sentences, with their innermost section
    let mut pos = 0usize;
    let mut sec_cursor: Vec<usize> = Vec::new();
    let mut next_sec = 0usize;
    // one buffer for every line's sentence spans
    let mut spans: Vec<Span> = Vec::new();
    let mut pos_bytes = 0usize;
    for line in crate::zh::chars::lines(text) {
        spans.clear();
        let line_chars = split_sentences(line, &mut spans);
        for sp in &spans {
            let (start, end) = (pos + sp.chars.0, pos + sp.chars.1);
            while next_sec < seg.sections.len() && seg.sections[next_sec].start <= start {
                sec_cursor.push(next_sec);
                next_sec += 1;
            }
            sec_cursor.retain(|&x| seg.sections[x].end > start);
            let section = sec_cursor
                .iter()
                .copied()
                .max_by_key(|&x| (seg.sections[x].level, x));
            if let Some(x) = section {
                seg.sections[x].sentence_count += 1;
            }
            seg.sentences.push(Sentence {
                start,
                end,
                bytes: pos_bytes + sp.bytes.0..pos_bytes + sp.bytes.1,
                section,
            });
        }
        pos += line_chars + 1;
        pos_bytes += line.len() + 1;
    }
    seg
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `split_sentences` over chars, one at a time, with no fast path: what it must equal.
    fn reference(chars: &[char]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start: Option<usize> = None;
        let mut depth = 0usize;
        let mut opened_at = 0usize;
        let mut i = 0;
        let n = chars.len();
        while i < n {
            let c = chars[i];
            if start.is_none() {
                if c.is_whitespace() {
                    i += 1;
                    continue;
                }
                start = Some(i);
            }
            if opens(c) {
                if depth == 0 {
                    opened_at = i;
                }
                depth += 1;
            } else if closes(c) && depth > 0 {
                depth -= 1;
            }
            if depth > 0 && i - opened_at > MAX_QUOTE {
                depth = 0;
            }
            let ends_here = if is_terminal(c) && depth == 0 {
                true
            } else {
                // `…成效。”`: a quotation that closes right after a terminator ends the sentence
                closes(c) && depth == 0 && i > 0 && is_terminal(chars[i - 1])
            };
            if ends_here {
                let mut j = i + 1;
                // further terminators and closing quotes belong to this sentence (`！”`, `？！`)
                while j < n && (is_terminal(chars[j]) || closes(chars[j])) {
                    j += 1;
                }
                out.push((start.take().expect("sentence start"), j));
                depth = 0;
                i = j;
                continue;
            }
            i += 1;
        }
        if let Some(s) = start {
            let mut e = n;
            while e > s && chars[e - 1].is_whitespace() {
                e -= 1;
            }
            if e > s {
                out.push((s, e));
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn ideographs_skipped_as_before(
            // mostly ideographs, so that a quotation is sometimes left open past MAX_QUOTE
            chars in proptest::collection::vec(
                proptest::prop_oneof![
                    30 => proptest::sample::select(vec!['中', '国']),
                    1 => proptest::sample::select(vec![
                        '。', '！', '？', '；', '!', '?', ';', '“', '”', '（', '）', '(', ')', '《',
                        '》', ' ', '\u{3000}', 'a', '1', '，', '」',
                        // a space of two bytes, an ideograph of extension A (lead byte E3),
                        // a hexagram (E4, outside the basic block), a character of four bytes
                        '\u{A0}', '\u{3400}', '\u{4DC0}', '\u{20000}',
                    ]),
                ],
                0..400,
            ),
        ) {
            let line: String = chars.iter().collect();
            let mut got = Vec::new();
            let n = split_sentences(&line, &mut got);
            let spans: Vec<(usize, usize)> = got.iter().map(|s| s.chars).collect();
            proptest::prop_assert_eq!(spans, reference(&chars));
            proptest::prop_assert_eq!(n, chars.len());
            // the byte span is the char span's
            for s in &got {
                let text: String = chars[s.chars.0..s.chars.1].iter().collect();
                proptest::prop_assert_eq!(&line[s.bytes.0..s.bytes.1], text.as_str());
            }
        }
    }

    fn sents(s: &str) -> Vec<String> {
        let c: Vec<char> = s.chars().collect();
        let mut spans = Vec::new();
        split_sentences(s, &mut spans);
        spans
            .into_iter()
            .map(|sp| c[sp.chars.0..sp.chars.1].iter().collect())
            .collect()
    }

    #[test]
    fn sentences_keep_quotes_and_numbers() {
        assert_eq!(
            sents("增长5.5%。力争6%！好吗？"),
            vec!["增长5.5%。", "力争6%！", "好吗？"]
        );
        assert_eq!(
            sents("他说：“取得成效。”我们继续；然后"),
            vec!["他说：“取得成效。”", "我们继续；", "然后"]
        );
        assert_eq!(
            sents("实现“一网通办；一门办”目标。"),
            vec!["实现“一网通办；一门办”目标。"]
        );
        assert_eq!(
            sents("各位代表！新征程。”"),
            vec!["各位代表！", "新征程。”"]
        );
        // a closing quote after a space after a sentence's end opens the next one
        assert_eq!(sents("好。 ”再来"), vec!["好。", "”再来"]);
    }

    #[test]
    fn enumeration_starting_inside_a_paragraph() {
        let text = "县委书记在会上的讲话\n同志们：\n当前压力仍然巨大。一是产业结构不优，亟需调整。\n二是项目建设要加快。全年开工12个。\n三是作风要转变。\n其中一是不够，二是还要。";
        let seg = segment(text, &SegmentOptions { has_gap: false });
        let got: Vec<(&str, &str)> = seg
            .sections
            .iter()
            .map(|s| (s.marker.as_str(), s.title.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("一是", "产业结构不优，亟需调整"),
                ("二是", "项目建设要加快"),
                ("三是", "作风要转变")
            ]
        );
        let chars: Vec<char> = text.chars().collect();
        let first = &seg.sections[0];
        assert_eq!(
            chars[first.start..first.start + 2]
                .iter()
                .collect::<String>(),
            "一是"
        );
        // the sentence before the inline heading is not in it
        let before = seg
            .sentences
            .iter()
            .find(|s| chars[s.start..s.end].iter().collect::<String>() == "当前压力仍然巨大。")
            .unwrap();
        assert_eq!(before.section, None);
    }

    #[test]
    fn a_long_heading_is_titled_up_to_its_first_comma() {
        // past 40 characters before the sentence's end, a title ends at its first comma; at
        // 40 it is kept whole (the marker and the spaces around the title are not counted)
        let long = format!("聚焦主责主业，{}", "持续推动产业转型升级".repeat(4));
        let whole = format!("聚焦主责主业，{}", "推动产业转型升级".repeat(4));
        assert_eq!((long.chars().count(), whole.chars().count()), (47, 39));
        let whole = format!("{whole}好");
        let text = format!("青禾县政府工作报告\n一、 {long}。全年完成。\n二、{whole}：抓落实。\n");
        let seg = segment(&text, &SegmentOptions { has_gap: false });
        let titles: Vec<&str> = seg.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, vec!["聚焦主责主业", whole.as_str()]);
    }

    #[test]
    fn section_tree_of_a_report() {
        let text = "青禾县政府工作报告\n各位代表：\n一、2024年工作回顾\n预计，全年增长5%。\n（一）抓项目，促发展\n招商引资成势见效。全年签约项目12个。\n项目建设加速推进。全年开工30个。\n（三）跳过的编号\n（二）惠民生\n民生保障有力。发放补贴。\n（三）存在的问题和不足\n二、2025年工作安排\n——2025年1月8日在青禾县会议上\n——稳增长。全力以赴。";
        let seg = segment(text, &SegmentOptions { has_gap: false });
        let got: Vec<(i32, &str, &str, &str, Option<&str>)> = seg
            .sections
            .iter()
            .map(|s| {
                (
                    s.level,
                    s.marker.as_str(),
                    s.title.as_str(),
                    s.path.as_str(),
                    s.part.map(Part::as_str),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (1, "一、", "2024年工作回顾", "1", Some("review")),
                (2, "（一）", "抓项目，促发展", "1.1", Some("review")),
                (3, "", "招商引资成势见效", "1.1.1", Some("review")),
                (3, "", "项目建设加速推进", "1.1.2", Some("review")),
                (2, "（二）", "惠民生", "1.2", Some("review")),
                (3, "", "民生保障有力", "1.2.1", Some("review")),
                (2, "（三）", "存在的问题和不足", "1.3", Some("problems")),
                (1, "二、", "2025年工作安排", "2", Some("plan")),
                (2, "——", "稳增长", "2.1", Some("plan")),
            ]
        );
        // spans cover every non-space character, in order, without overlap
        let chars: Vec<char> = text.chars().collect();
        let joined: String = seg
            .sentences
            .iter()
            .map(|s| chars[s.start..s.end].iter().collect::<String>())
            .collect();
        assert_eq!(joined, text.replace('\n', ""));
        let lead = &seg.sections[2];
        assert_eq!(
            chars[lead.start..lead.end].iter().collect::<String>(),
            "招商引资成势见效。全年签约项目12个。\n"
        );
        assert_eq!(lead.sentence_count, 2);
    }
}
