//! Width and punctuation. Full-width digits, Latin letters, `％` and the decimal `．` become
//! half-width (numbers parse one way); ASCII `,;:()!?` next to Chinese text become the
//! full-width Chinese forms (sentences split one way), while `1,000`, `10:30` and URLs keep
//! theirs. Parentheses are converted in pairs so `(1)` never becomes `(1）`.

use crate::zh::chars::is_cjk;

/// Chinese text or Chinese punctuation.
fn chinese(c: char) -> bool {
    is_cjk(c)
        || matches!(c as u32, 0x3000..=0x303F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65)
        || matches!(c, '“' | '”' | '‘' | '’' | '…' | '—' | '·')
}

fn to_full(c: char) -> char {
    match c {
        ',' => '，',
        ';' => '；',
        ':' => '：',
        '!' => '！',
        '?' => '？',
        '(' => '（',
        ')' => '）',
        other => other,
    }
}

/// The character `c` at byte `i` of `line`, folded: full-width digits, Latin letters and
/// `％` → ASCII; a full-width `．` between digits → `.`; ideographic and no-break spaces →
/// a space.
fn fold_at(line: &str, i: usize, c: char) -> char {
    match c {
        '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '％' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        '．' => {
            let digit = |x: Option<char>| {
                x.is_some_and(|d| d.is_ascii_digit() || ('０'..='９').contains(&d))
            };
            if digit(line[..i].chars().next_back())
                && digit(line[i + c.len_utf8()..].chars().next())
            {
                '.'
            } else {
                c
            }
        }
        '\u{3000}' | '\u{00A0}' => ' ',
        _ => c,
    }
}

/// The last character before byte `i` that is not a space, folded.
fn prev_non_space(line: &str, i: usize) -> Option<char> {
    line[..i]
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_whitespace())
        .map(|(j, c)| fold_at(line, j, c))
}

/// The first character from byte `i` on that is not a space, folded.
fn next_non_space(line: &str, i: usize) -> Option<char> {
    line[i..]
        .char_indices()
        .find(|(_, c)| !c.is_whitespace())
        .map(|(j, c)| fold_at(line, i + j, c))
}

/// Bytes that start a character `normalize` may change or must look at: the ASCII
/// punctuation it converts, and the leads of the full-width forms (U+FFxx), the
/// ideographic space (U+3000) and the no-break space (U+00A0). None is a continuation byte
/// (0x80–0xBF): `normalize_into` takes each it finds for the start of a character.
const fn interesting() -> [bool; 256] {
    let mut t = [false; 256];
    let mut k = 0;
    let bytes = b",;:!?()\xEF\xE3\xC2";
    while k < bytes.len() {
        assert!(bytes[k] < 0x80 || bytes[k] >= 0xC0, "a continuation byte");
        t[bytes[k] as usize] = true;
        k += 1;
    }
    t
}
static INTERESTING: [bool; 256] = interesting();

/// The first `INTERESTING` byte of `b` from `i` on. Eight bytes at a time: in Chinese text
/// most words hold no ASCII byte and none of the three lead bytes, and are passed at once;
/// the bytes that are either are asked one by one. (Asking every byte was a branch per byte
/// of every document.)
fn next_interesting(b: &[u8], mut i: usize) -> Option<usize> {
    use crate::zh::chars::swar::{equal, word, HIGH};
    while i + 8 <= b.len() {
        let w = word(b, i);
        let mut ask = !w & HIGH | equal(w, 0xC2) | equal(w, 0xE3) | equal(w, 0xEF);
        while ask != 0 {
            let k = i + (ask.trailing_zeros() / 8) as usize;
            if INTERESTING[usize::from(b[k])] {
                return Some(k);
            }
            ask &= ask - 1;
        }
        i += 8;
    }
    (i..b.len()).find(|&k| INTERESTING[usize::from(b[k])])
}

/// Can the character at byte `i` of `b`, which starts with an `INTERESTING` byte, change or
/// matter? Of the characters led by the three lead bytes, only the no-break and ideographic
/// spaces, the full-width digits, letters, `％`, `．` and parentheses do: most of those
/// found — `，`, `。`, `、`, `：` — are stepped over without being decoded.
fn matters(b: &[u8], i: usize) -> bool {
    match b[i] {
        0xC2 => b.get(i + 1) == Some(&0xA0),
        0xE3 => b.get(i + 1..i + 3) == Some(&[0x80, 0x80]),
        0xEF => match b.get(i + 1..i + 3) {
            // U+FF05 ％, U+FF08 （, U+FF09 ）, U+FF0E ．, U+FF10–FF19 digits, U+FF21–FF3A
            Some(&[0xBC, x]) => matches!(x, 0x85 | 0x88 | 0x89 | 0x8E | 0x90..=0x99 | 0xA1..=0xBA),
            // U+FF41–FF5A
            Some(&[0xBD, x]) => matches!(x, 0x81..=0x9A),
            _ => false,
        },
        _ => true,
    }
}

pub fn normalize(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    normalize_into(line, &mut out, &mut Scratch::default());
    out
}

/// What `normalize_into` keeps of a line while it reads it, in buffers it reuses from one
/// line to the next (grown afresh for every line, their growing was a quarter of the time
/// spent here).
#[derive(Default)]
pub struct Scratch {
    /// (byte offset, what the character there becomes)
    edits: Vec<(usize, char)>,
    /// open parentheses waiting for their pair: (byte offset, full-width)
    stack: Vec<(usize, bool)>,
}

/// `normalize`, appended to `out`. Works on byte offsets, stepping from character to
/// character by their UTF-8 lengths: only the characters that start with an `INTERESTING`
/// byte are decoded, and what stays as it is is copied in runs.
pub fn normalize_into(line: &str, out: &mut String, scratch: &mut Scratch) {
    let b = line.as_bytes();
    let Scratch { edits, stack } = scratch;
    edits.clear();
    stack.clear();
    // ASCII punctuation becomes full-width by what is around it in the unconverted line
    let convert = |i: usize, c: char, edits: &mut Vec<(usize, char)>| {
        if to_full(c) != c {
            edits.push((i, to_full(c)));
        }
    };
    let chinese_folded = |j: usize, c: char| chinese(c) && chinese(fold_at(line, j, c));
    let mut i = 0;
    while i < b.len() {
        // no `INTERESTING` byte is a continuation byte: each starts a character
        match next_interesting(b, i) {
            Some(k) => i = k,
            None => break,
        }
        if !matters(b, i) {
            i += crate::zh::chars::utf8_width(b[i]);
            continue;
        }
        let c = line[i..].chars().next().expect("a character starts here");
        let end = i + c.len_utf8();
        match c {
            '(' | '（' => stack.push((i, c == '（')),
            ')' | '）' => {
                if let Some((open, open_full)) = stack.pop() {
                    let open_end = open + if open_full { 3 } else { 1 };
                    let inner_chinese = line[open_end..i]
                        .char_indices()
                        .any(|(j, c)| chinese_folded(open_end + j, c));
                    let outer = prev_non_space(line, open).is_some_and(chinese)
                        || next_non_space(line, end).is_some_and(chinese);
                    let already_full = open_full || c == '）';
                    if inner_chinese || outer || already_full {
                        convert(open, if open_full { '（' } else { '(' }, edits);
                        convert(i, c, edits);
                    }
                } else if prev_non_space(line, i).is_some_and(chinese) {
                    convert(i, c, edits);
                }
            }
            ',' | ';' | ':' | '!' | '?' => {
                let p = prev_non_space(line, i);
                let q = next_non_space(line, end);
                let digits =
                    p.is_some_and(|c| c.is_ascii_digit()) && q.is_some_and(|c| c.is_ascii_digit());
                // `?` before Latin letters or `!;?` is the residue of GBK mojibake (`出?!睂`),
                // not a question mark: leave it for `repair::mojibake` to count.
                let residue = c == '?'
                    && line[end..]
                        .chars()
                        .next()
                        .map(|n| fold_at(line, end, n))
                        .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '!' | ';' | '?'));
                if !digits && !residue && (p.is_some_and(chinese) || q.is_some_and(chinese)) {
                    convert(i, c, edits);
                }
            }
            _ => {
                let f = fold_at(line, i, c);
                if f != c {
                    edits.push((i, f));
                }
            }
        }
        i = end;
    }
    for &(open, full) in stack.iter() {
        let open_end = open + if full { 3 } else { 1 };
        if next_non_space(line, open_end).is_some_and(chinese)
            || prev_non_space(line, open).is_some_and(chinese)
        {
            convert(open, if full { '（' } else { '(' }, edits);
        }
    }
    // a pair's opening parenthesis is decided at its closing one: out of order
    edits.sort_unstable_by_key(|e| e.0);
    let mut last = 0;
    for &(i, new) in edits.iter() {
        out.push_str(&line[last..i]);
        out.push(new);
        last = i + line[i..].chars().next().map_or(1, char::len_utf8);
    }
    out.push_str(&line[last..]);
}

#[cfg(test)]
mod tests {
    use super::normalize;
    use proptest::prelude::*;

    mod reference {
        use super::super::{chinese, to_full};
        /// Full-width ASCII variants → ASCII for digits, letters and `％`; a full-width `．`
        /// between digits → `.`. Returns the folded line's characters.
        fn fold_width(line: &str) -> Vec<char> {
            let chars: Vec<char> = line.chars().collect();
            let mut out = Vec::with_capacity(chars.len());
            for (i, &c) in chars.iter().enumerate() {
                let u = c as u32;
                let folded = match c {
                    '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '％' => {
                        char::from_u32(u - 0xFEE0).unwrap_or(c)
                    }
                    '．' => {
                        let digit = |x: Option<&char>| {
                            x.is_some_and(|d| d.is_ascii_digit() || ('０'..='９').contains(d))
                        };
                        if digit(i.checked_sub(1).and_then(|j| chars.get(j)))
                            && digit(chars.get(i + 1))
                        {
                            '.'
                        } else {
                            c
                        }
                    }
                    '\u{3000}' | '\u{00A0}' => ' ',
                    _ => c,
                };
                out.push(folded);
            }
            out
        }

        /// Could `normalize` change anything in a line with this character?
        fn touched(c: char) -> bool {
            matches!(
                c,
                ',' | ';' | ':' | '!' | '?' | '(' | ')' | '．' | '％' | '\u{3000}' | '\u{00A0}'
            ) || ('０'..='９').contains(&c)
                || ('Ａ'..='Ｚ').contains(&c)
                || ('ａ'..='ｚ').contains(&c)
        }

        /// `normalize` as it was first written, over a `Vec<char>` of the line: what the
        /// byte-offset version must equal on every input.
        pub(super) fn reference_into(line: &str, out: &mut String) {
            // most lines have nothing to change: one scan, no per-character buffers
            if !line.chars().any(touched) {
                out.push_str(line);
                return;
            }
            let chars = fold_width(line);
            let n = chars.len();
            let prev_non_space = |i: usize| {
                chars[..i]
                    .iter()
                    .rev()
                    .find(|c| !c.is_whitespace())
                    .copied()
            };
            let next_non_space =
                |i: usize| chars[i + 1..].iter().find(|c| !c.is_whitespace()).copied();
            let mut convert = vec![false; n];
            // pair the parentheses first
            let mut stack: Vec<usize> = Vec::new();
            for i in 0..n {
                match chars[i] {
                    '(' | '（' => stack.push(i),
                    ')' | '）' => {
                        if let Some(open) = stack.pop() {
                            let inner_chinese = chars[open + 1..i].iter().any(|c| chinese(*c));
                            let outer = prev_non_space(open).is_some_and(chinese)
                                || next_non_space(i).is_some_and(chinese);
                            let already_full = chars[open] == '（' || chars[i] == '）';
                            if inner_chinese || outer || already_full {
                                convert[open] = true;
                                convert[i] = true;
                            }
                        } else if prev_non_space(i).is_some_and(chinese) {
                            convert[i] = true;
                        }
                    }
                    _ => {}
                }
            }
            for &open in &stack {
                if next_non_space(open).is_some_and(chinese)
                    || prev_non_space(open).is_some_and(chinese)
                {
                    convert[open] = true;
                }
            }
            for i in 0..n {
                if matches!(chars[i], ',' | ';' | ':' | '!' | '?') {
                    let p = prev_non_space(i);
                    let q = next_non_space(i);
                    let digits = p.is_some_and(|c| c.is_ascii_digit())
                        && q.is_some_and(|c| c.is_ascii_digit());
                    // `?` before Latin letters or `!;?` is the residue of GBK mojibake (`出?!睂`), not
                    // a question mark: leave it for `repair::mojibake` to count.
                    let residue = chars[i] == '?'
                        && chars.get(i + 1).is_some_and(|c| {
                            c.is_ascii_alphabetic() || matches!(c, '!' | ';' | '?')
                        });
                    if !digits && !residue && (p.is_some_and(chinese) || q.is_some_and(chinese)) {
                        convert[i] = true;
                    }
                }
            }
            out.extend(
                chars
                    .iter()
                    .zip(convert)
                    .map(|(&c, conv)| if conv { to_full(c) } else { c }),
            );
        }
    }

    /// Every character led by one of the lead bytes `INTERESTING` holds is stepped over
    /// exactly when `normalize` neither pairs it (a parenthesis) nor may fold it.
    #[test]
    fn only_what_may_change_is_decoded() {
        use super::{fold_at, matters, INTERESTING};
        let mut seen = 0;
        for c in (0x80..=0xFFFF).filter_map(char::from_u32) {
            let mut buf = [0; 4];
            let s = c.encode_utf8(&mut buf);
            if !INTERESTING[usize::from(s.as_bytes()[0])] {
                continue;
            }
            seen += 1;
            let may_change = matches!(c, '（' | '）' | '．') || fold_at(s, 0, c) != c;
            assert_eq!(matters(s.as_bytes(), 0), may_change, "{c:?}");
        }
        // U+0080–U+00BF, U+3000–U+3FFF, U+F000–U+FFFF
        assert_eq!(seen, 64 + 4096 + 4096);
    }

    #[test]
    fn punctuation_next_to_chinese_becomes_full_width() {
        assert_eq!(
            normalize("预计,全年完成188亿元,同比增长1.0%;规上工业"),
            "预计，全年完成188亿元，同比增长1.0%；规上工业"
        );
        assert_eq!(normalize("(一)抓项目,促发展"), "（一）抓项目，促发展");
        assert_eq!(normalize("(1)加快建设"), "（1）加快建设");
        assert_eq!(normalize("各位代表:"), "各位代表：");
        assert_eq!(normalize("非常辛苦!大家"), "非常辛苦！大家");
    }

    #[test]
    fn numbers_urls_and_latin_keep_ascii() {
        assert_eq!(normalize("共1,000人于10:30到场"), "共1,000人于10:30到场");
        assert_eq!(normalize("见http://example.cn/a"), "见http://example.cn/a");
        assert_eq!(normalize("(a, b)"), "(a, b)");
    }

    #[test]
    fn full_width_digits_and_letters_fold() {
        assert_eq!(normalize("增长５．５％，ＧＤＰ达"), "增长5.5%，GDP达");
        assert_eq!(normalize("第一．加强"), "第一．加强");
    }

    fn reference(line: &str) -> String {
        let mut out = String::new();
        reference::reference_into(line, &mut out);
        out
    }

    #[test]
    fn equals_the_reference_on_hand_picked_lines() {
        for line in [
            "预计,全年完成188亿元,同比增长1.0%;规上工业",
            "(一)抓项目,促发展(未完",
            "未开)头,(a, b)和（甲)与(乙）",
            "出?!睂了?x与?a？",
            "增长５．５％,ＧＤＰ达１２．３亿\u{3000}元\u{00A0},共1,000人",
            "第一．加强 , 建设 ：(  中 )",
            "",
            "(((",
            ")))中",
        ] {
            assert_eq!(normalize(line), reference(line), "{line:?}");
        }
    }

    proptest! {
        /// Eight bytes at a time, the first `INTERESTING` byte is the one a byte-by-byte walk
        /// finds, from any start.
        #[test]
        fn finds_the_next_interesting_byte_as_a_walk_does(
            bytes in proptest::collection::vec(prop::sample::select(vec![
                b',', b'(', b'?', b'a', b'0', b' ', 0x7F, 0x80, 0xA0, 0xBC, 0xC2, 0xC3, 0xE3,
                0xE4, 0xEE, 0xEF, 0xF0, 0xFF,
            ]), 0..40),
            start in 0usize..40,
        ) {
            use super::{next_interesting, INTERESTING};
            let start = start.min(bytes.len());
            let walk = bytes[start..]
                .iter()
                .position(|&x| INTERESTING[usize::from(x)])
                .map(|k| start + k);
            prop_assert_eq!(next_interesting(&bytes, start), walk);
        }

        #[test]
        fn equals_the_reference(chars in proptest::collection::vec(prop::sample::select(vec![
            '中', '县', '。', '、', '，', '（', '）', '：', '％', '．', '５', '０', 'Ａ', 'ｚ',
            '\u{3000}', '\u{00A0}', ' ', '(', ')', ',', ';', ':', '!', '?', '1', '9', 'a', 'Z',
            '.', '%', '“', '—', 'é', '！', '？', '；', '𠀀',
        ]), 0..40)) {
            let line: String = chars.into_iter().collect();
            prop_assert_eq!(normalize(&line), reference(&line));
        }

        /// Lines read one after another with the same scratch come out as each alone.
        #[test]
        fn scratch_carries_nothing_from_line_to_line(
            lines in proptest::collection::vec(
                proptest::collection::vec(
                    prop::sample::select(vec!['中', '，', '(', ')', ',', '1', '５', ' ']),
                    0..12,
                ),
                0..4,
            ),
        ) {
            let lines: Vec<String> = lines.into_iter().map(|l| l.into_iter().collect()).collect();
            let mut out = String::new();
            let mut scratch = super::Scratch::default();
            for l in &lines {
                super::normalize_into(l, &mut out, &mut scratch);
            }
            prop_assert_eq!(out, lines.iter().map(|l| normalize(l)).collect::<String>());
        }
    }
}
