//! Numbers as written: Arabic with thousands separators and decimals, Chinese numerals
//! (`一百二十`, `两`, `十五`), scale words (`万`, `亿`, `万亿`, `千`) and mixtures
//! (`1.2万亿`, `3万2千`). Arithmetic is exact decimal: `16.4亿` is 1640000000, not
//! 1639999999.9999998.

/// An exact decimal: `mant × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dec {
    pub mant: i128,
    pub scale: u32,
}

impl Dec {
    pub fn int(v: i128) -> Dec {
        Dec { mant: v, scale: 0 }
    }

    /// × 10^k, exactly.
    pub fn shift(self, k: u32) -> Option<Dec> {
        if k <= self.scale {
            Some(Dec {
                mant: self.mant,
                scale: self.scale - k,
            })
        } else {
            Some(Dec {
                mant: self.mant.checked_mul(10i128.checked_pow(k - self.scale)?)?,
                scale: 0,
            })
        }
    }

    pub fn plus(self, o: Dec) -> Option<Dec> {
        let s = self.scale.max(o.scale);
        let a = self.mant.checked_mul(10i128.checked_pow(s - self.scale)?)?;
        let b = o.mant.checked_mul(10i128.checked_pow(s - o.scale)?)?;
        Some(Dec {
            mant: a.checked_add(b)?,
            scale: s,
        })
    }

    pub fn negated(self) -> Dec {
        Dec {
            mant: -self.mant,
            scale: self.scale,
        }
    }

    /// The nearest f64. A mantissa below 2^53 and a scale to 10^22 are both exact in an f64,
    /// and one division of exact values is correctly rounded (Clinger's fast path): the
    /// figures of a document all take it. Others go through the decimal string (correctly
    /// rounded by `parse`).
    pub fn to_f64(self) -> f64 {
        const POW10: [f64; 23] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
        ];
        let m = self.mant.unsigned_abs();
        if m < 1 << 53 && (self.scale as usize) < POW10.len() {
            let v = m as f64 / POW10[self.scale as usize];
            return if self.mant < 0 { -v } else { v };
        }
        self.to_f64_by_string()
    }

    fn to_f64_by_string(self) -> f64 {
        let digits = self.mant.unsigned_abs().to_string();
        let s = if self.scale == 0 {
            digits
        } else {
            let scale = self.scale as usize;
            let padded = format!("{digits:0>width$}", width = scale + 1);
            let (i, f) = padded.split_at(padded.len() - scale);
            format!("{i}.{f}")
        };
        let v: f64 = s.parse().unwrap_or(f64::NAN);
        if self.mant < 0 {
            -v
        } else {
            v
        }
    }
}

/// A number found at a position: its value and where it ends (char index, exclusive).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num {
    pub value: Dec,
    pub end: usize,
    /// Written with Chinese numerals.
    pub chinese: bool,
}

fn cn_digit(c: char) -> Option<i128> {
    Some(match c {
        '〇' | '零' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn small_unit(c: char) -> Option<u32> {
    Some(match c {
        '十' => 1,
        '百' => 2,
        '千' => 3,
        _ => return None,
    })
}

/// Scale words after a number, longest first: (word, power of ten).
pub const SCALES: &[(&str, u32)] = &[("万亿", 12), ("亿", 8), ("万", 4), ("千", 3)];

/// Arabic digits at `i`: `1,234.5`, full-width digits already folded by repair.
pub fn arabic(chars: &[char], i: usize) -> Option<Num> {
    if !chars.get(i)?.is_ascii_digit()
        || (i > 0 && (chars[i - 1].is_ascii_digit() || chars[i - 1] == '.'))
    {
        return None;
    }
    let mut mant: i128 = 0;
    let mut scale = 0u32;
    let mut j = i;
    let mut seen_dot = false;
    while j < chars.len() {
        let c = chars[j];
        if c.is_ascii_digit() {
            mant = mant.checked_mul(10)?.checked_add(c as i128 - '0' as i128)?;
            if seen_dot {
                scale += 1;
            }
            j += 1;
        } else if c == ','
            && !seen_dot
            && chars
                .get(j + 1..j + 4)
                .is_some_and(|d| d.iter().all(|x| x.is_ascii_digit()))
            && !chars.get(j + 4).is_some_and(|x| x.is_ascii_digit())
        {
            j += 1; // thousands separator: exactly three digits follow
        } else if c == '.' && !seen_dot && chars.get(j + 1).is_some_and(|x| x.is_ascii_digit()) {
            seen_dot = true;
            j += 1;
        } else {
            break;
        }
    }
    if scale > 18 {
        return None;
    }
    Some(Num {
        value: Dec { mant, scale },
        end: j,
        chinese: false,
    })
}

/// Chinese numerals at `i`: `一百二十`, `十五`, `两`, `三千五百`, digit strings `二〇二五`.
/// Single characters that are words (`一是`, `两会`) are left to the caller, who only asks
/// here when a unit follows.
pub fn chinese(chars: &[char], i: usize) -> Option<Num> {
    let mut j = i;
    let mut total: i128 = 0;
    let mut pending: Option<i128> = None;
    let mut any = false;
    let mut digit_run = 0;
    while j < chars.len() {
        let c = chars[j];
        if let Some(d) = cn_digit(c) {
            if pending.is_some() {
                // 二〇二五: digits in a row read positionally
                pending = Some(pending.unwrap_or(0) * 10 + d);
                digit_run += 1;
            } else {
                pending = Some(d);
                digit_run = 1;
            }
            any = true;
            j += 1;
        } else if let Some(p) = small_unit(c) {
            let m = pending.take().unwrap_or(1);
            total += m * 10i128.pow(p);
            any = true;
            digit_run = 0;
            j += 1;
        } else {
            break;
        }
    }
    if !any {
        return None;
    }
    let _ = digit_run;
    total += pending.unwrap_or(0);
    Some(Num {
        value: Dec::int(total),
        end: j,
        chinese: true,
    })
}

/// A number with its scale words: `1.2万亿`, `3万2千`, `9亿`, `一百二十万`.
pub fn number(chars: &[char], i: usize) -> Option<Num> {
    let first = arabic(chars, i).or_else(|| chinese(chars, i))?;
    let mut value = first.value;
    let mut end = first.end;
    // 3万2千: a scale, then a smaller number with its own scale
    while let Some((word, pow)) = SCALES.iter().find(|(w, _)| starts_with(chars, end, w)) {
        value = value.shift(*pow)?;
        end += word.chars().count();
        let Some(next) = arabic(chars, end).or_else(|| chinese(chars, end)) else {
            break;
        };
        let Some((w2, p2)) = SCALES.iter().find(|(w, _)| starts_with(chars, next.end, w)) else {
            break;
        };
        if *p2 >= *pow {
            break;
        }
        value = value.plus(next.value.shift(*p2)?)?;
        end = next.end + w2.chars().count();
        // a second scale only once more at most (3万2千 → done)
        if !SCALES.iter().any(|(w, _)| starts_with(chars, end, w)) {
            break;
        }
    }
    Some(Num {
        value,
        end,
        chinese: first.chinese,
    })
}

/// Does `word` stand in `chars` at `at`?
pub fn starts_with(chars: &[char], at: usize, word: &str) -> bool {
    (at..)
        .zip(word.chars())
        .all(|(k, w)| chars.get(k) == Some(&w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_word_at_a_position() {
        let c: Vec<char> = "增长百分之五".chars().collect();
        assert!(starts_with(&c, 2, "百分之"));
        assert!(starts_with(&c, 0, "增长"));
        assert!(starts_with(&c, 6, ""));
        assert!(!starts_with(&c, 2, "百分点"));
        assert!(!starts_with(&c, 5, "五点"), "past the end");
        assert!(!starts_with(&c, 9, "五"));
    }

    fn val(s: &str) -> (f64, usize) {
        let c: Vec<char> = s.chars().collect();
        let n = number(&c, 0).unwrap();
        (n.value.to_f64(), n.end)
    }

    #[test]
    fn arabic_and_scales() {
        assert_eq!(val("16.4亿元"), (1640000000.0, 5));
        assert_eq!(val("1.2万亿"), (1200000000000.0, 5));
        assert_eq!(val("1,234.5万"), (12345000.0, 8));
        assert_eq!(val("3万2千人"), (32000.0, 4));
        assert_eq!(val("0.05%"), (0.05, 4));
        assert_eq!(val("188亿"), (18800000000.0, 4));
    }

    #[test]
    fn chinese_numerals() {
        assert_eq!(val("一百二十个"), (120.0, 4));
        assert_eq!(val("十五项"), (15.0, 2));
        assert_eq!(val("两万"), (20000.0, 2));
        assert_eq!(val("二〇二五年"), (2025.0, 4));
        assert_eq!(val("三千五百万"), (35000000.0, 5));
    }

    proptest! {
        #[test]
        fn decimal_strings_round_trip(int in 0u64..10_000_000_000, frac in 0u32..10_000, digits in 0usize..5) {
            let f = if digits == 0 { String::new() } else { format!(".{:0>w$}", frac % 10u32.pow(digits as u32), w = digits) };
            let s = format!("{int}{f}");
            let c: Vec<char> = s.chars().collect();
            let n = arabic(&c, 0).unwrap();
            prop_assert_eq!(n.end, c.len());
            prop_assert_eq!(n.value.to_f64(), s.parse::<f64>().unwrap());
        }

        /// The fast path gives what the decimal string gives, on both sides of its bounds.
        #[test]
        fn fast_path_rounds_as_the_string_does(
            mant in prop_oneof![
                -(1i128 << 54)..(1i128 << 54),
                (1i128 << 52)..(1i128 << 54),
                -(1i128 << 80)..(1i128 << 80),
            ],
            scale in 0u32..26,
        ) {
            let d = Dec { mant, scale };
            prop_assert_eq!(d.to_f64().to_bits(), d.to_f64_by_string().to_bits());
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let c: Vec<char> = s.chars().collect();
            for i in 0..c.len() {
                let _ = number(&c, i);
            }
        }
    }
}
