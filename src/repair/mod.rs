//! Repair: undo the damage of scraping, line by line, before anything reads the text.
//! Line ends and invisible characters → inline pinyin → mojibake (detected and counted) →
//! width and punctuation → hard wraps joined. The output is one paragraph per line, without
//! blank lines and without indentation.

pub mod lm;
pub mod mojibake;
pub mod pinyin;
pub mod width;

use crate::segment::markers;

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

fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// `…区长 周明`, `县长 林 平`: an office, a space, a name of two to four characters.
fn signature(line: &str) -> bool {
    let Some((office, name)) = line.rsplit_once(' ').map(|(a, b)| (a.trim_end(), b)) else {
        return false;
    };
    let office = office
        .trim_end_matches(|c: char| c == ' ' || pinyin::is_cjk(c) && office.chars().count() <= 1);
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
    let Some(last) = line.chars().last() else {
        return false;
    };
    if closes(last) || markers::parse(line).is_some() || markers::parse(next).is_some() {
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

/// Mojibake spans searched per document at most: past that the rest are counted only, so a
/// badly damaged file cannot stall the run.
const MAX_SEARCHED_SPANS: usize = 64;

/// `gbk_shift`: may damage be GBK byte-shift mojibake? Not in text decoded from Big5, whose
/// `?` are characters Big5 cannot hold.
pub fn repair(input: &str, gbk_shift: bool) -> Repaired {
    let mut r = Repaired::default();
    // (line, preceded by a blank line)
    let mut lines: Vec<(String, bool)> = Vec::new();
    let mut blank = false;
    let normalized = if input.contains('\r') {
        input.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        input.to_string()
    };
    // what the document says of itself, read once and only if a line has damage
    let readings = std::cell::OnceCell::new();
    for raw in normalized.split('\n') {
        let cleaned: std::borrow::Cow<str> = if raw.chars().any(|c| c == '\t' || invisible(c)) {
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
        let m = mojibake::scan(trimmed, &normalized, &readings, search);
        r.mojibake_repaired += m.repaired;
        r.mojibake_unrepaired += m.unrepaired;
        r.mojibake_spans.extend(m.spans);
        let mut depinyin = String::with_capacity(m.text.len());
        r.pinyin_removed += pinyin::strip(&m.text, &mut depinyin);
        lines.push((depinyin, blank && !lines.is_empty()));
        blank = false;
    }
    // join hard wraps first, so punctuation at a wrap sees both neighbours
    let mut paragraphs: Vec<String> = Vec::with_capacity(lines.len());
    // the first line is the title: never glued to the body
    let glue: Vec<bool> = (0..lines.len())
        .map(|i| i > 1 && !lines[i].1 && joins(&lines[i - 1].0, &lines[i].0))
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
    for (i, p) in paragraphs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&width::normalize(p));
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

    #[test]
    fn pinyin_counted_and_invisibles_dropped() {
        let r = repair("青禾區(qū)發(fā)展\u{200B}良好。", true);
        assert_eq!(r.text, "青禾區發展良好。");
        assert_eq!(r.pinyin_removed, 2);
    }
}
