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
                if digit(i.checked_sub(1).and_then(|j| chars.get(j))) && digit(chars.get(i + 1)) {
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

pub fn normalize(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    normalize_into(line, &mut out);
    out
}

/// `normalize`, appended to `out`.
pub fn normalize_into(line: &str, out: &mut String) {
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
    let next_non_space = |i: usize| chars[i + 1..].iter().find(|c| !c.is_whitespace()).copied();
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
        if next_non_space(open).is_some_and(chinese) || prev_non_space(open).is_some_and(chinese) {
            convert[open] = true;
        }
    }
    for i in 0..n {
        if matches!(chars[i], ',' | ';' | ':' | '!' | '?') {
            let p = prev_non_space(i);
            let q = next_non_space(i);
            let digits =
                p.is_some_and(|c| c.is_ascii_digit()) && q.is_some_and(|c| c.is_ascii_digit());
            // `?` before Latin letters or `!;?` is the residue of GBK mojibake (`出?!睂`), not
            // a question mark: leave it for `repair::mojibake` to count.
            let residue = chars[i] == '?'
                && chars
                    .get(i + 1)
                    .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '!' | ';' | '?'));
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

#[cfg(test)]
mod tests {
    use super::normalize;

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
}
