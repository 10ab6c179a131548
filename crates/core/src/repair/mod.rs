//! Repair: undo the damage of scraping, line by line, before anything reads the text.
//! Line ends and invisible characters → inline pinyin → mojibake (detected and counted) →
//! width and punctuation → hard wraps joined. The output is one paragraph per line, without
//! blank lines and without indentation.

pub mod lm;
pub mod mojibake;
pub mod pinyin;
pub mod width;

use crate::zh::markers;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Repaired {
    pub text: String,
    pub pinyin_removed: usize,
    pub mojibake_repaired: usize,
    pub mojibake_unrepaired: usize,
    pub wraps_joined: usize,
    /// Mojibake spans: (as found, as repaired; equal when left as found).
    pub mojibake_spans: Vec<(String, String)>,
}

/// Characters that end a line that is complete as it stands.
pub fn closes(c: char) -> bool {
    matches!(
        c,
        '。' | '！'
            | '？'
            | '；'
            | '：'
            | '…'
            | '”'
            | '’'
            | '」'
            | '』'
            | '）'
            | '》'
            | '】'
            | '!'
            | '?'
            | ';'
            | ':'
            | ')'
            | '.'
    )
}

/// Zero-width and soft-hyphen characters: dropped.
const INVISIBLE: [char; 6] = [
    '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}',
];

fn invisible(c: char) -> bool {
    INVISIBLE.contains(&c)
}

/// Has `s` a tab or an invisible character? (One substring search for each: a walk decoding
/// every character costs more. memchr's searches, built once: `str::contains` looks for a
/// character's last byte, and 0x8B or 0x8C end a Chinese character every few dozen.)
fn has_tab_or_invisible(s: &str) -> bool {
    static FINDERS: std::sync::OnceLock<Vec<memchr::memmem::Finder<'static>>> =
        std::sync::OnceLock::new();
    let finders = FINDERS.get_or_init(|| {
        INVISIBLE
            .iter()
            .map(|c| {
                memchr::memmem::Finder::new(c.encode_utf8(&mut [0; 4]).as_bytes()).into_owned()
            })
            .collect()
    });
    memchr::memchr(b'\t', s.as_bytes()).is_some()
        || finders.iter().any(|f| f.find(s.as_bytes()).is_some())
}

/// `…区长 周明`, `县长 林 平`: an office, a space, a name of two to four characters.
fn signature(line: &str) -> bool {
    let Some((office, name)) = line.rsplit_once(' ').map(|(a, b)| (a.trim_end(), b)) else {
        return false;
    };
    let office = office.trim_end_matches(|c: char| {
        c == ' ' || crate::zh::chars::is_cjk(c) && office.chars().count() <= 1
    });
    let name_len = name.chars().count();
    (1..=3).contains(&name_len)
        && line.chars().count() <= 40
        && ["长", "長", "主席", "书记", "書記", "主任"]
            .iter()
            .any(|t| office.ends_with(t) || line.contains(&format!("{t} ")))
}

/// Should `line` be glued to `next` (a hard wrap inside a sentence)? Only when the line does
/// not end a sentence, neither is a heading, and the line is long enough to have been cut
/// by a wrap width (titles, signatures and short header lines never are) or ends inside a
/// clause.
fn joins(line: &str, next: &str) -> bool {
    // a site's token after the sentence's end (`…任务。vzT`) does not reopen it
    let (head, letters) = crate::zh::chars::latin_tail(line);
    let core = if (1..=6).contains(&letters.len()) {
        head
    } else {
        line
    };
    let Some(last) = core.chars().last() else {
        return false;
    };
    // a paragraph that opens with a marker (`（一）…综合实力越来越强。2016年，全县生产总值34`)
    // is body text, and a wrap inside it is a wrap
    let heading =
        markers::parse(line).is_some() && !(line.contains('。') && line.chars().count() >= 30);
    if closes(last) || heading || markers::parse(next).is_some() {
        return false;
    }
    // two lines without any punctuation are items of a list or headlines (`过去5年` /
    // `国内生产总值年均增长5.4%`): prose wrapped at a width has a comma every few words
    let bare = |l: &str| {
        !l.contains([
            '，', '。', '、', '；', '：', '！', '？', ',', ';', ':', '!', '?',
        ])
    };
    // (a `在…上` frame left open is the meeting line wrapped: `…在某县第十八届人民代表大会` /
    // `第五次会议上`)
    let frame_open = line.contains('在') && (next.ends_with('上') || next.ends_with("上的讲话"));
    if bare(line) && bare(next) && !frame_open {
        return false;
    }
    // a row of a table (`索引号 | … | 文号 | …`) is a row, not a wrapped sentence
    let cells = |l: &str| l.matches(['|', '｜']).count() >= 2;
    if cells(line) || cells(next) {
        return false;
    }
    if next.starts_with("各位代表") || next.starts_with("同志们") || next.starts_with("同志們")
    {
        return false;
    }
    // the meeting line ends the title block (`…第三次会议上`), and a signature line
    // (`区人民政府区长 周 明`) is never the continuation of anything
    // (repair runs before conversion: both scripts)
    if ["会议上", "會議上", "大会上", "大會上"]
        .iter()
        .any(|e| line.ends_with(e))
        || signature(next)
    {
        return false;
    }
    let mid_clause = matches!(last, '，' | '、' | ',' | '（' | '“' | '《');
    mid_clause || line.chars().count() >= 20
}

/// A line that cannot end a paragraph: it stops on a word that needs what follows
/// (`…全县生产总值由“十五”末的`) or on a decimal point. Such a line continues on the
/// next even across a blank line, as document-sharing sites lay text out.
fn open_ended(line: &str) -> bool {
    let Some(last) = line.chars().last() else {
        return false;
    };
    line.chars().count() >= 20
        && (matches!(
            last,
            '，' | '、'
                | ','
                | '（'
                | '“'
                | '《'
                | '的'
                | '和'
                | '与'
                | '及'
                | '由'
                | '在'
                | '对'
                | '把'
                | '将'
                | '从'
                | '向'
                | '被'
                | '达'
                | '为'
        ) || last == '.')
}

/// A site's dateline (`公文搜 2021-07-23 10:04:26 政府报告`): a date and a clock time. Never
/// the start of a wrapped sentence.
fn dateline(line: &str) -> bool {
    let b = line.as_bytes();
    if !b.contains(&b':') {
        return false;
    }
    let clock = b.windows(4).any(|w| {
        w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit() && w[3].is_ascii_digit()
    });
    let date = b
        .windows(5)
        .any(|w| w[..4].iter().all(u8::is_ascii_digit) && matches!(w[4], b'-' | b'/'));
    clock && date && line.chars().count() <= 60
}

/// Mojibake spans searched per document at most: past that the rest are counted only, so a
/// badly damaged file cannot stall the run.
const MAX_SEARCHED_SPANS: usize = 64;

/// Builds the tables the mojibake search loads when a document first needs them (the
/// language model, the readings of byte pairs): a run over a corpus builds them on a thread
/// of its own while the other resources load, so that no worker waits for them. Anyone else
/// need not call it.
pub fn warm() {
    mojibake::warm();
}

/// `gbk_shift`: may damage be GBK byte-shift mojibake? Not in text decoded from Big5, whose
/// `?` are characters Big5 cannot hold.
pub fn repair(input: &str, gbk_shift: bool) -> Repaired {
    let mut r = Repaired::default();
    // (line, preceded by a blank line)
    let mut lines: Vec<(String, bool)> = Vec::new();
    let mut blank = false;
    let normalized: std::borrow::Cow<str> = if input.contains('\r') {
        input.replace("\r\n", "\n").replace('\r', "\n").into()
    } else {
        input.into()
    };
    // what the document says of itself, read once and only if a line has damage
    let readings = std::cell::OnceCell::new();
    let damaged = std::cell::OnceCell::new();
    // inline pinyin is stripped only from a text that carries it (read once, when a line
    // has a parenthesis)
    let has_pinyin = std::cell::OnceCell::new();
    // tabs and invisible characters, looked for once in the whole text (most have none)
    let has_tabs_or_invisibles = has_tab_or_invisible(&normalized);
    for raw in crate::zh::chars::lines(&normalized) {
        let cleaned: std::borrow::Cow<str> = if has_tabs_or_invisibles && has_tab_or_invisible(raw)
        {
            raw.chars()
                .filter(|c| !invisible(*c))
                .map(|c| if c == '\t' { ' ' } else { c })
                .collect::<String>()
                .into()
        } else {
            raw.into()
        };
        let trimmed = cleaned.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        if trimmed.is_empty() {
            blank = true;
            continue;
        }
        // mojibake first: its damage runs through the pinyin annotations (`?xì)`)
        let search = gbk_shift && r.mojibake_repaired + r.mojibake_unrepaired < MAX_SEARCHED_SPANS;
        let m = mojibake::scan(trimmed, &normalized, &readings, &damaged, search);
        r.mojibake_repaired += m.repaired;
        r.mojibake_unrepaired += m.unrepaired;
        r.mojibake_spans.extend(m.spans);
        let depinyin = if (m.text.contains('(') || m.text.contains('（'))
            && *has_pinyin.get_or_init(|| pinyin::annotated(&normalized))
        {
            let mut d = String::with_capacity(m.text.len());
            r.pinyin_removed += pinyin::strip(&m.text, &mut d);
            d
        } else {
            m.text
        };
        lines.push((depinyin, blank && !lines.is_empty()));
        blank = false;
    }
    // a page number printed between the two halves of a wrapped sentence (`…收入4.6` / `1` /
    // `亿元，同比增长…`) goes, and the halves are joined as one wrap
    let mut k = 1;
    while k + 1 < lines.len() {
        let page_number = lines[k].0.len() <= 4 && lines[k].0.bytes().all(|b| b.is_ascii_digit());
        let open = lines[k - 1].0.chars().last().is_some_and(|c| !closes(c));
        if page_number && open && markers::parse(&lines[k + 1].0).is_none() {
            lines.remove(k);
            lines[k].1 = false;
            r.wraps_joined += 1;
        } else {
            k += 1;
        }
    }
    // join hard wraps first, so punctuation at a wrap sees both neighbours
    let mut paragraphs: Vec<String> = Vec::with_capacity(lines.len());
    // the first line is the title: never glued to the body
    let datelines: Vec<bool> = lines.iter().map(|(l, _)| dateline(l)).collect();
    let glue: Vec<bool> = (0..lines.len())
        .map(|i| {
            i > 1
                && (!lines[i].1 || open_ended(&lines[i - 1].0))
                && !datelines[i - 1]
                && !datelines[i]
                && joins(&lines[i - 1].0, &lines[i].0)
        })
        .collect();
    for (i, (line, _)) in lines.into_iter().enumerate() {
        let glue = glue[i];
        match paragraphs.last_mut() {
            Some(p) if glue => {
                r.wraps_joined += 1;
                p.push_str(&line);
            }
            _ => paragraphs.push(line),
        }
    }
    let mut out = String::with_capacity(input.len());
    let mut scratch = width::Scratch::default();
    for (i, p) in paragraphs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        width::normalize_into(p, &mut out, &mut scratch);
    }
    r.text = out;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_wraps_but_not_titles_headings_or_paragraphs() {
        let input = "青禾县政府工作报告\r\n\u{3000}\u{3000}2025年1月8日在青禾县第十八届人民代表大会\r\n第五次会议上\r\n县长 林平\r\n各位代表:\r\n一、2024年工作回顾\r\n预计,全年完成地区生产总值88亿元,同比增长4.2%,\r\n规上工业增加值增长5%。\r\n(一)抓项目\r\n项目建设加速推进。全年开工项目30个,竣工\r\n12个。\r\n\r\n新的段落从这里开始并且很长很长很长很长很长\r\n二、2025年工作安排\r\n";
        let r = repair(input, true);
        assert_eq!(
            r.text,
            "青禾县政府工作报告\n2025年1月8日在青禾县第十八届人民代表大会第五次会议上\n县长 林平\n各位代表：\n一、2024年工作回顾\n预计，全年完成地区生产总值88亿元，同比增长4.2%，规上工业增加值增长5%。\n（一）抓项目\n项目建设加速推进。全年开工项目30个，竣工12个。\n新的段落从这里开始并且很长很长很长很长很长\n二、2025年工作安排"
        );
        assert_eq!(r.wraps_joined, 3);
    }

    proptest::proptest! {
        /// The byte searches find a tab or an invisible character exactly where the
        /// characters hold one (下 ends in the byte U+200B ends in).
        #[test]
        fn tabs_and_invisibles_found_as_by_characters(
            chars in proptest::collection::vec(
                proptest::sample::select(vec![
                    '下', '中', '\t', ' ', 'a', '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}',
                    '\u{FEFF}', '\u{00AD}', '，', '\u{2061}', '\u{00AE}',
                ]),
                0..30,
            ),
        ) {
            let s: String = chars.iter().collect();
            let by_chars = chars.iter().any(|c| *c == '\t' || invisible(*c));
            proptest::prop_assert_eq!(has_tab_or_invisible(&s), by_chars);
        }
    }

    #[test]
    fn pinyin_counted_and_invisibles_dropped() {
        let r = repair("青禾區(qū)發(fā)展\u{200B}良好。", true);
        assert_eq!(r.text, "青禾區發展良好。");
        assert_eq!(r.pinyin_removed, 2);
    }

    #[test]
    fn page_numbers_tokens_and_marker_paragraphs_in_wraps() {
        let input = "标题\n各位代表：\n全年实现全口径税收10.75亿元，同比增长38%；实现财政一般预算收入4.6\n\n1\n\n亿元，同比增长32.4%。\n（一）县域经济较快发展，综合实力越来越强。2016年，预计全县生产总值34\n0亿元，增长7%。xQz\n下一段从这里开始，并且足够长足够长足够长。\n二、工作安排";
        let r = repair(input, true);
        assert_eq!(
            r.text,
            "标题\n各位代表：\n全年实现全口径税收10.75亿元，同比增长38%；实现财政一般预算收入4.6亿元，同比增长32.4%。\n（一）县域经济较快发展，综合实力越来越强。2016年，预计全县生产总值340亿元，增长7%。xQz\n下一段从这里开始，并且足够长足够长足够长。\n二、工作安排"
        );
    }
}
