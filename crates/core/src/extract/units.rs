//! Units as written after a number, with their base unit and the power of ten to reach it.

pub struct Unit {
    pub written: &'static str,
    pub base: &'static str,
    /// value_base = value × 10^pow
    pub pow: u32,
}

const fn u(written: &'static str, base: &'static str, pow: u32) -> Unit {
    Unit { written, base, pow }
}

/// Longest first, so `人次` wins over `人` and `千瓦` over the scale `千`. Scaled forms
/// (`亿元`, `万人次`) are a scale word from `numbers::SCALES` followed by one of these.
pub const UNITS: &[Unit] = &[
    u("个百分点", "百分点", 0),
    u("平方公里", "平方公里", 0),
    u("平方米", "平方米", 0),
    u("立方米", "立方米", 0),
    u("百分点", "百分点", 0),
    u("美元", "美元", 0),
    u("公顷", "公顷", 0),
    u("人次", "人次", 0),
    u("公里", "公里", 0),
    u("千米", "公里", 0),
    u("千瓦", "千瓦", 0),
    u("标箱", "标箱", 0),
    u("元", "元", 0),
    u("亩", "亩", 0),
    u("吨", "吨", 0),
    u("方", "立方米", 0),
    u("人", "人", 0),
    u("名", "人", 0),
    u("个", "个", 0),
    u("家", "家", 0),
    u("户", "户", 0),
    u("项", "项", 0),
    u("次", "次", 0),
    u("场", "场", 0),
    u("所", "所", 0),
    u("例", "例", 0),
    u("条", "条", 0),
    u("块", "块", 0),
    u("台", "台", 0),
    u("辆", "辆", 0),
    u("座", "座", 0),
    u("处", "处", 0),
    u("件", "件", 0),
    u("套", "套", 0),
    u("只", "只", 0),
    u("间", "间", 0),
    u("本", "本", 0),
    u("起", "起", 0),
    u("批", "批", 0),
    u("张", "张", 0),
    u("米", "米", 0),
    u("%", "%", 0),
    // U+2105 (care of), which some sites serve for the percent sign
    u("℅", "%", 0),
];

/// Each unit's first character: a unit is compared only where its first character is.
const FIRSTS: [char; UNITS.len()] = {
    let mut out = ['\0'; UNITS.len()];
    let mut k = 0;
    while k < UNITS.len() {
        out[k] = crate::zh::chars::first_char(UNITS[k].written);
        k += 1;
    }
    out
};

pub fn at(chars: &[char], i: usize) -> Option<&'static Unit> {
    let c = *chars.get(i)?;
    UNITS
        .iter()
        .zip(FIRSTS)
        .find(|&(u, f)| f == c && super::numbers::starts_with(chars, i, u.written))
        .map(|(u, _)| u)
}
