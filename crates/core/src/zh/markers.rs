//! Heading markers of Chinese official documents, as written at the start of a line:
//! `一、` `（一）` `——` `一是`/`一要` `第一，` `1.`/`1、` `（1）`. Shared by `repair::wrap`
//! (a line that starts with a marker is never glued to the line before) and `segment`.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MarkerKind {
    /// 一、
    Chapter,
    /// （一）
    Paren,
    /// ——发展势能不断积蓄。
    Dash,
    /// 一是 / 一要
    Enum,
    /// 第一，
    Ordinal,
    /// 1. / 1、
    Arabic,
    /// （1）
    ArabicParen,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub kind: MarkerKind,
    /// The marker as written (`（一）`, `一是`, `——`): the start of the line it was read from.
    pub text: String,
    pub ordinal: Option<i32>,
}

const CN_DIGITS: &str = "〇一二三四五六七八九";

/// 一 … 九十九 → 1 … 99 (the numerals headings use).
pub fn small_cn_number(s: &str) -> Option<i32> {
    let digit = |c: char| CN_DIGITS.chars().position(|d| d == c).map(|p| p as i32);
    let cs: Vec<char> = s.chars().collect();
    match cs.as_slice() {
        [a] if *a == '十' => Some(10),
        [a] => digit(*a).filter(|d| *d > 0),
        ['十', b] => digit(*b).filter(|d| *d > 0).map(|d| 10 + d),
        [a, '十'] => digit(*a).filter(|d| *d > 1).map(|d| d * 10),
        [a, '十', b] => Some(digit(*a).filter(|d| *d > 1)? * 10 + digit(*b).filter(|d| *d > 0)?),
        _ => None,
    }
}

fn is_cn_numeral(c: char) -> bool {
    c == '十' || CN_DIGITS.contains(c)
}

pub fn parse(line: &str) -> Option<Marker> {
    // every marker starts with one of these: most lines are no marker, and are told at once
    let first = line.chars().next()?;
    if !(matches!(first, '—' | '（' | '(' | '第') || is_cn_numeral(first) || first.is_ascii_digit())
    {
        return None;
    }
    let cs: Vec<char> = line.chars().take(8).collect();
    let mk = |kind, n: usize, ordinal| {
        Some(Marker {
            kind,
            text: cs[..n].iter().collect(),
            ordinal,
        })
    };
    // ——
    if cs.len() > 2 && cs[0] == '—' && cs[1] == '—' && cs[2] != '—' {
        return mk(MarkerKind::Dash, 2, None);
    }
    // （一） （1）
    if matches!(cs.first(), Some('（') | Some('(')) {
        let close = cs.iter().position(|c| *c == '）' || *c == ')')?;
        let inner: String = cs[1..close].iter().collect();
        if close + 1 >= cs.len() {
            return None; // nothing after the marker: not a heading
        }
        if let Some(n) = small_cn_number(&inner) {
            return mk(MarkerKind::Paren, close + 1, Some(n));
        }
        if !inner.is_empty() && inner.len() <= 2 && inner.chars().all(|c| c.is_ascii_digit()) {
            return mk(MarkerKind::ArabicParen, close + 1, inner.parse().ok());
        }
        return None;
    }
    // 第一，
    if cs.first() == Some(&'第') {
        let end = cs[1..].iter().position(|c| !is_cn_numeral(*c))? + 1;
        if end > 1 && matches!(cs.get(end), Some('，') | Some('、') | Some(',')) {
            let n = small_cn_number(&cs[1..end].iter().collect::<String>())?;
            return mk(MarkerKind::Ordinal, end + 1, Some(n));
        }
        return None;
    }
    // 一、 一是 一要
    let end = cs
        .iter()
        .position(|c| !is_cn_numeral(*c))
        .unwrap_or(cs.len());
    if (1..=3).contains(&end) {
        let n = small_cn_number(&cs[..end].iter().collect::<String>())?;
        return match cs.get(end) {
            Some('、') if end + 1 < cs.len() => mk(MarkerKind::Chapter, end + 1, Some(n)),
            Some('是') | Some('要')
                if end + 1 < cs.len() && !matches!(cs.get(end + 1), Some('，') | Some('。')) =>
            {
                mk(MarkerKind::Enum, end + 1, Some(n))
            }
            _ => None,
        };
    }
    // 1. 1、 (but not 1.5 or a year)
    let end = cs
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(cs.len());
    if (1..=2).contains(&end) {
        let next = cs.get(end + 1);
        let sep = matches!(cs.get(end), Some('、') | Some('．'))
            || (cs.get(end) == Some(&'.') && !next.is_some_and(|c| c.is_ascii_digit()));
        if sep && next.is_some() {
            let n: i32 = cs[..end].iter().collect::<String>().parse().ok()?;
            return mk(MarkerKind::Arabic, end + 1, Some(n));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> Option<(MarkerKind, String, Option<i32>)> {
        parse(s).map(|m| (m.kind, m.text, m.ordinal))
    }

    #[test]
    fn markers() {
        use MarkerKind::*;
        assert_eq!(
            k("一、2024年工作回顾"),
            Some((Chapter, "一、".into(), Some(1)))
        );
        assert_eq!(
            k("（十二）加强建设"),
            Some((Paren, "（十二）".into(), Some(12)))
        );
        assert_eq!(k("(三)补短板"), Some((Paren, "(三)".into(), Some(3))));
        assert_eq!(k("——发展势能不断积蓄。"), Some((Dash, "——".into(), None)));
        assert_eq!(
            k("七是营商环境要更加优化。"),
            Some((Enum, "七是".into(), Some(7)))
        );
        assert_eq!(
            k("二要以工业破冰行动"),
            Some((Enum, "二要".into(), Some(2)))
        );
        assert_eq!(
            k("第三，加快建设"),
            Some((Ordinal, "第三，".into(), Some(3)))
        );
        assert_eq!(k("2.强化保障"), Some((Arabic, "2.".into(), Some(2))));
        assert_eq!(
            k("（4）推进改革"),
            Some((ArabicParen, "（4）".into(), Some(4)))
        );
        assert_eq!(k("1.5万亩"), None);
        assert_eq!(k("2025年是关键之年"), None);
        assert_eq!(k("一年来，我们"), None);
        assert_eq!(k("一是，"), None);
        assert_eq!(k("（一）"), None);
    }

    #[test]
    fn numerals() {
        assert_eq!(small_cn_number("九"), Some(9));
        assert_eq!(small_cn_number("十"), Some(10));
        assert_eq!(small_cn_number("十五"), Some(15));
        assert_eq!(small_cn_number("二十"), Some(20));
        assert_eq!(small_cn_number("三十七"), Some(37));
        assert_eq!(small_cn_number("一十"), None);
        assert_eq!(small_cn_number("〇"), None);
    }
}
