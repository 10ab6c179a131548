//! GBK byte-shift mojibake: a span of GBK bytes read one byte out of step, where bytes that
//! formed no character became `?` and full-width punctuation was folded to ASCII
//! (`“出?!睂?` for `“出海”實`). This version detects such spans and counts them as
//! unrepaired, leaving the text as found; repairing them is the next step (see README).

#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    pub text: String,
    pub repaired: usize,
    pub unrepaired: usize,
}

fn cjk_or_quote(c: char) -> bool {
    super::pinyin::is_cjk(c) || matches!(c, '“' | '”')
}

/// A `?` right after Chinese text is the mark of a lost byte pair: Chinese text writes its
/// question marks full-width. `?` marks closer than `JOIN` characters belong to one span.
const JOIN: usize = 8;

pub fn scan(line: &str) -> Scan {
    let chars: Vec<char> = line.chars().collect();
    let mut spans = 0;
    let mut last_mark: Option<usize> = None;
    for i in 1..chars.len() {
        if chars[i] == '?' && (cjk_or_quote(chars[i - 1]) || chars[i - 1] == '?') {
            // a genuine question mark ends a clause: followed by nothing, a space or a quote
            let next = chars.get(i + 1);
            if next.is_none_or(|c| c.is_whitespace() || matches!(c, '”' | '’' | '"')) {
                continue;
            }
            if last_mark.is_none_or(|l| i - l > JOIN) {
                spans += 1;
            }
            last_mark = Some(i);
        }
    }
    Scan {
        text: line.to_string(),
        repaired: 0,
        unrepaired: spans,
    }
}

#[cfg(test)]
mod tests {
    use super::scan;

    #[test]
    fn counts_spans_not_marks() {
        assert_eq!(scan("企业“出?!睂?实现突破").unrepaired, 1);
        assert_eq!(scan("加速度??v横电子").unrepaired, 1);
        assert_eq!(scan("勇?lián)?dāng)转作风").unrepaired, 1);
        assert_eq!(scan("真的吗?").unrepaired, 0);
        assert_eq!(scan("没有问题的文本。").unrepaired, 0);
    }
}
