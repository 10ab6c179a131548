//! Inline pinyin annotations: `區(qū)` → `區`. Some sites print the reading of every
//! character in parentheses after it. An annotation is removed only when it follows a CJK
//! character and its content is a valid pinyin syllable, so real parentheses (`鄉(鎮)`,
//! `閑置(部分閑置)`, `(GDP)`, `(4)`) stay.

use crate::zh::chars::is_cjk;

/// Tone-marked vowels (and the IPA `ɡ` some sites use for `g`) → plain letters.
fn plain(c: char) -> Option<char> {
    Some(match c {
        'a'..='z' => c,
        'A'..='Z' => c.to_ascii_lowercase(),
        'ā' | 'á' | 'ǎ' | 'à' => 'a',
        'ē' | 'é' | 'ě' | 'è' | 'ê' => 'e',
        'ī' | 'í' | 'ǐ' | 'ì' => 'i',
        'ō' | 'ó' | 'ǒ' | 'ò' => 'o',
        'ū' | 'ú' | 'ǔ' | 'ù' => 'u',
        'ü' | 'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' => 'v',
        'ɡ' => 'g',
        _ => return None,
    })
}

const INITIALS: [&str; 24] = [
    "zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r",
    "z", "c", "s", "y", "w", "",
];
const FINALS: [&str; 38] = [
    "a", "o", "e", "ai", "ei", "ao", "ou", "an", "en", "ang", "eng", "ong", "er", "i", "ia", "ie",
    "iao", "iu", "ian", "in", "iang", "ing", "iong", "u", "ua", "uo", "uai", "ui", "uan", "un",
    "uang", "ueng", "v", "ve", "ue", "van", "vn", "io",
];

/// Finals that stand alone; the others are spelled with y/w (yi, wu, yu …).
const ZERO_INITIAL: [&str; 12] = [
    "a", "o", "e", "ai", "ei", "ao", "ou", "an", "en", "ang", "eng", "er",
];

/// Every syllable an initial and a final spell: a bare initial is not one, and the finals
/// that stand alone are the only ones without an initial (y/w take the i/u-less spellings:
/// ya, wu …). Built once: a document of pinyin asks about every few characters. Each is
/// kept as its letters packed into an integer (`key`): no string is built to ask.
fn syllables() -> &'static rustc_hash::FxHashSet<u64> {
    static S: std::sync::OnceLock<rustc_hash::FxHashSet<u64>> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let mut set = rustc_hash::FxHashSet::default();
        for i in INITIALS {
            for f in FINALS {
                if i.is_empty() && !ZERO_INITIAL.contains(&f) {
                    continue;
                }
                let mut p = [0u8; 6];
                let s = format!("{i}{f}");
                p[..s.len()].copy_from_slice(s.as_bytes());
                set.insert(key(p));
            }
        }
        set
    })
}

/// Up to six lowercase ASCII letters (zero-padded) as one integer: letters are never zero,
/// so different spellings have different keys.
fn key(p: [u8; 6]) -> u64 {
    let mut b = [0u8; 8];
    b[..6].copy_from_slice(&p);
    u64::from_le_bytes(b)
}

/// Is `s` (tone marks allowed) one pinyin syllable?
pub fn is_syllable(s: &str) -> bool {
    // at most six letters: a longer `s` is no syllable, whatever it holds
    let mut p = [0u8; 6];
    let mut n = 0;
    for c in s.chars() {
        match plain(c) {
            Some(c) if n < p.len() => {
                p[n] = c as u8;
                n += 1;
            }
            Some(_) => return false,
            None => return false,
        }
    }
    n > 0 && syllables().contains(&key(p))
}

/// A syllable as annotations write it: lowercase.
fn is_annotation(s: &str) -> bool {
    !s.chars().any(|c| c.is_ascii_uppercase()) && is_syllable(s)
}

/// The annotation at `at` in `text`, when there is one: an opening parenthesis right after
/// a Chinese character (`prev`), a syllable, and its closing parenthesis at most eight
/// characters on. Returns the syllable and the byte length of the whole `(…)`.
fn annotation_at(text: &str, at: usize, prev: Option<char>) -> Option<(&str, usize)> {
    let open = text[at..].chars().next()?;
    if !(open == '(' || open == '（') || !prev.is_some_and(is_cjk) {
        return None;
    }
    let rest = &text[at + open.len_utf8()..];
    let (end, close) = rest
        .char_indices()
        .take(9)
        .find(|(_, ch)| *ch == ')' || *ch == '）')?;
    let inner = &rest[..end];
    is_annotation(inner).then_some((inner, open.len_utf8() + end + close.len_utf8()))
}

/// Does a text carry inline pinyin at all: an annotation with a tone mark, or at least
/// three of them? A lone `(a)` or `(e)` after a character (`方案(a)`) is a label, and
/// annotations are never in capitals.
pub fn annotated(text: &str) -> bool {
    let mut plain = 0;
    for at in parens(text, 0) {
        let prev = text[..at].chars().next_back();
        if let Some((inner, _)) = annotation_at(text, at, prev) {
            if !inner.is_ascii() {
                return true;
            }
            plain += 1;
            if plain >= 3 {
                return true;
            }
        }
    }
    false
}

/// The byte offsets of the opening parentheses (`(`, `（`) in `text` from byte `from` on:
/// where an annotation can start.
fn parens(text: &str, from: usize) -> impl Iterator<Item = usize> + '_ {
    let b = text.as_bytes();
    // `（` is EF BC 88; EF also leads the other full-width forms (`，`), told apart here
    memchr::memchr2_iter(b'(', 0xEF, &b[from..])
        .map(move |k| from + k)
        .filter(move |&at| b[at] == b'(' || b[at + 1..].starts_with(&[0xBC, 0x88]))
}

/// Removes annotations from one line; returns how many were removed.
pub fn strip(line: &str, out: &mut String) -> usize {
    let mut removed = 0;
    // the last character kept (an annotation's character stays the one before the next)
    let mut prev: Option<char> = None;
    // what is kept is copied in runs, from `kept` up to the next annotation
    let mut kept = 0;
    for at in parens(line, 0) {
        // a parenthesis inside an annotation just removed is passed over
        if at < kept {
            continue;
        }
        let before = if at > kept {
            line[kept..at].chars().next_back()
        } else {
            prev
        };
        if let Some((_, len)) = annotation_at(line, at, before) {
            out.push_str(&line[kept..at]);
            removed += 1;
            prev = before;
            kept = at + len;
        }
    }
    out.push_str(&line[kept..]);
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn annotated_reference(text: &str) -> bool {
        let mut plain = 0;
        let mut prev: Option<char> = None;
        for (at, c) in text.char_indices() {
            if let Some((inner, _)) = annotation_at(text, at, prev) {
                if !inner.is_ascii() {
                    return true;
                }
                plain += 1;
                if plain >= 3 {
                    return true;
                }
            }
            prev = Some(c);
        }
        false
    }

    fn strip_reference(line: &str, out: &mut String) -> usize {
        let mut removed = 0;
        let mut prev: Option<char> = None;
        let mut i = 0;
        while i < line.len() {
            if let Some((_, len)) = annotation_at(line, i, prev) {
                removed += 1;
                i += len;
                continue; // `prev` stays the annotated character
            }
            let c = line[i..].chars().next().expect("char boundary");
            out.push(c);
            prev = Some(c);
            i += c.len_utf8();
        }
        removed
    }

    proptest::proptest! {
        #[test]
        fn strip_and_annotated_as_char_by_char(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "區", "县", "(qū)", "（xiàn）", "(an)", "(a)", "(xi)", "(", ")", "（", "）",
                    "qū", "A", "(AN)", "，", " ", "1", "(qūxiànqūxiàn)",
                ]),
                0..30,
            ),
        ) {
            let line: String = parts.concat();
            let (mut a, mut b) = (String::new(), String::new());
            proptest::prop_assert_eq!(strip(&line, &mut a), strip_reference(&line, &mut b));
            proptest::prop_assert_eq!(a, b);
            proptest::prop_assert_eq!(annotated(&line), annotated_reference(&line));
        }
    }

    /// The syllable set says what the initial-by-final search it replaced said: every
    /// string of one to three letters, and every initial + final with a letter more or less.
    #[test]
    fn the_syllable_set_agrees_with_the_search() {
        fn search(s: &str) -> bool {
            let p: Option<String> = s.chars().map(plain).collect();
            let Some(p) = p.filter(|p| !p.is_empty() && p.len() <= 6) else {
                return false;
            };
            INITIALS.iter().any(|i| {
                p.strip_prefix(i).is_some_and(|rest| {
                    !rest.is_empty()
                        && FINALS.contains(&rest)
                        && (!i.is_empty() || ZERO_INITIAL.contains(&rest))
                })
            })
        }
        let letters: Vec<char> = ('a'..='z').collect();
        let mut tried = vec![String::new()];
        for _ in 0..3 {
            let next: Vec<String> = tried
                .iter()
                .flat_map(|t| letters.iter().map(move |c| format!("{t}{c}")))
                .collect();
            tried.extend(next);
        }
        for i in INITIALS {
            for f in FINALS {
                let s = format!("{i}{f}");
                tried.push(s.clone());
                tried.push(format!("{s}g"));
                tried.push(format!("{s}n"));
                tried.push(s[..s.len() - 1].to_string());
                tried.push(s.replace('a', "ā").replace('v', "ü"));
            }
        }
        tried.push("zhuang".into());
        tried.push("zhuangg".into());
        let mut yes = 0;
        for t in &tried {
            assert_eq!(is_syllable(t), search(t), "{t}");
            yes += usize::from(search(t));
        }
        assert!(yes > 300, "{yes}");
    }

    fn run(s: &str) -> (String, usize) {
        let mut out = String::new();
        let n = strip(s, &mut out);
        (out, n)
    }

    #[test]
    fn removes_annotations_keeps_real_parentheses() {
        assert_eq!(run("青禾區(qū)發(fā)展"), ("青禾區發展".into(), 2));
        assert_eq!(run("各鄉(xiāng)(鎮(zhèn))街"), ("各鄉(鎮)街".into(), 2));
        assert_eq!(run("閑置(部分閑置)企業"), ("閑置(部分閑置)企業".into(), 0));
        assert_eq!(run("國(ɡuó)內（nèi）"), ("國內".into(), 2));
        assert_eq!(run("綠(lǜ)色"), ("綠色".into(), 1));
        assert_eq!(
            run("生产总值(GDP)和(4)项"),
            ("生产总值(GDP)和(4)项".into(), 0)
        );
        assert_eq!(run("标准(pc)件"), ("标准(pc)件".into(), 0));
        assert_eq!(run("(yè)开头"), ("(yè)开头".into(), 0));
        assert_eq!(run("方案(A)"), ("方案(A)".into(), 0));
    }

    #[test]
    fn a_label_is_not_inline_pinyin() {
        assert!(!annotated("一类项目(a)和二类项目(e)"));
        assert!(annotated("青禾區(qū)發展"));
        assert!(annotated("青禾区(qu)发展(fa)建设(jian)"));
    }

    #[test]
    fn syllables() {
        for s in ["yè", "qū", "zhuàng", "xiāng", "er", "lǜ", "nüè", "a"] {
            assert!(is_syllable(s), "{s}");
        }
        for s in ["gdp", "pc", "x", "abc", "zhx", "ing"] {
            assert!(!is_syllable(s), "{s}");
        }
    }
}
