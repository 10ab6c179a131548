//! Clean: remove what the website added — navigation, toolbars, disclaimers, comment boxes,
//! footers, source/time lines, photo captions, tables of contents, paywall notes — and judge
//! whether the body is complete. The rules are a table (`RULES`), written in simplified
//! Chinese; each is compiled to also match the traditional forms of its characters, since
//! cleaning runs before conversion.

use crate::segment::markers;
use opencc_fmmseg::OpenCC;
use regex::Regex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// The whole line is chrome.
    DropLine,
    /// The match is removed from the line; the rest stays.
    Cut,
    /// A table of contents starts here: this line and the heading lines after it go.
    TocStart,
}

struct Rule {
    name: &'static str,
    action: Action,
    pattern: &'static str,
}

/// Lines longer than this are body text even when a chrome word appears in them.
const MAX_CHROME_LINE: usize = 200;

const RULES: &[Rule] = &[
    Rule {
        name: "navigation",
        action: Action::DropLine,
        pattern: r"^(导航菜单|网站导航|网站首页|首页|返回首页|当前位置[:：].*|您的位置[:：].*|您现在的位置[:：].*|首页\s*[>＞»›].*)$",
    },
    Rule {
        name: "toolbar",
        action: Action::DropLine,
        pattern: r"^.{0,30}【\s*(字号|字体|打印|关闭|收藏|大\s*中\s*小).*$",
    },
    Rule {
        name: "toolbar",
        action: Action::DropLine,
        pattern: r"^[\s|｜/]*(下载|打印|收藏|关闭|分享到?|返回顶部|关闭窗口|打印本页|加入收藏)([\s|｜/]+(下载|打印|收藏|关闭|分享到?|返回顶部|关闭窗口|打印本页|加入收藏|字号|[大中小]))*[\s|｜/]*$",
    },
    Rule {
        name: "bookmark",
        action: Action::DropLine,
        pattern: r"^收藏《.*》[)）]?$",
    },
    Rule {
        name: "disclaimer",
        action: Action::DropLine,
        pattern: r"本文仅代表作者观点|不代表本站立场|未经许可[,，]?不得转载|版权归原作者所有|如有侵权[,，]?请联系",
    },
    Rule {
        name: "address",
        action: Action::DropLine,
        pattern: r"^(本文地址|本文链接|原文链接|文章链接)[:：]",
    },
    Rule {
        name: "comments",
        action: Action::DropLine,
        pattern: r"^(留言与评论|发表评论|网友评论|我要评论|评论[(（]|相关评论)",
    },
    Rule {
        name: "captcha",
        action: Action::DropLine,
        pattern: r"^(验证码|请输入验证码)[:：]?",
    },
    Rule {
        name: "footer",
        action: Action::DropLine,
        pattern: r"^(主办单位|承办单位|主办|承办|协办单位|技术支持|网站维护)[:：]|版权所有|ICP备|ICP证|公网安备|网站标识码|^网站地图$|^(联系电话|联系我们|联系方式|电子邮箱|通讯地址)[:：]?",
    },
    Rule {
        name: "source_line",
        action: Action::DropLine,
        pattern: r"^(来源|信息来源|文章来源|时间|发布时间|发布日期|更新时间|作者|编辑|责任编辑|浏览次数|点击数|阅读次数)[:：]",
    },
    Rule {
        name: "caption",
        action: Action::DropLine,
        pattern: r"^(图为|图片来源[:：]|摄影[:：])|^[(（]?(记者|通讯员).{1,12}摄[)）]?$",
    },
    Rule {
        name: "paywall",
        action: Action::Cut,
        pattern: r"…*[(（][^()（）]{0,60}省略\d+字[^()（）]{0,40}[)）]…*",
    },
    Rule {
        name: "paywall",
        action: Action::Cut,
        pattern: r"\s*…*[(（]?未完[,，]\s*全文共\d+字.*$",
    },
    Rule {
        name: "toc",
        action: Action::TocStart,
        pattern: r"^(目录|提纲|目录/提纲|目录提纲)\s*[:：]?\s*[…\.。·]*$",
    },
];

struct Compiled {
    name: &'static str,
    action: Action,
    re: Regex,
}

pub struct Cleaner {
    rules: Vec<Compiled>,
    declared: Regex,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cleaned {
    pub text: String,
    pub boilerplate_chars: usize,
    /// (rule name, what was removed), in order.
    pub removed: Vec<(&'static str, String)>,
    pub truncation: Option<&'static str>,
    pub declared_chars: Option<i32>,
}

/// `pattern` with every character that has a traditional form widened to a class of both
/// (`网站` → `[网網][站]`), so one simplified rule matches either script.
fn widen(pattern: &str, cc: &OpenCC) -> String {
    let mut out = String::with_capacity(pattern.len() * 2);
    let mut in_class = false;
    let mut escaped = false;
    for c in pattern.chars() {
        if escaped {
            out.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' => {
                escaped = true;
                out.push(c);
            }
            '[' => {
                in_class = true;
                out.push(c);
            }
            ']' => {
                in_class = false;
                out.push(c);
            }
            c if crate::repair::pinyin::is_cjk(c) => {
                let mut forms = vec![c];
                for t in cc
                    .s2t(&c.to_string(), false)
                    .chars()
                    .chain(cc.s2tw(&c.to_string(), false).chars())
                {
                    if !forms.contains(&t) {
                        forms.push(t);
                    }
                }
                if forms.len() == 1 || in_class {
                    out.extend(forms);
                } else {
                    out.push('[');
                    out.extend(forms);
                    out.push(']');
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Is this line a heading or a short heading-like line of a table of contents?
fn toc_entry(line: &str) -> bool {
    let n = line.chars().count();
    n <= 40 && (markers::parse(line).is_some() || !line.ends_with('。'))
}

impl Cleaner {
    pub fn new(cc: &OpenCC) -> Cleaner {
        let rules = RULES
            .iter()
            .map(|r| Compiled {
                name: r.name,
                action: r.action,
                re: Regex::new(&widen(r.pattern, cc))
                    .unwrap_or_else(|e| panic!("clean rule {}: {e}", r.name)),
            })
            .collect();
        let declared = Regex::new(&widen(r"全文共(\d+)字", cc)).expect("declared length pattern");
        Cleaner { rules, declared }
    }

    pub fn clean(&self, text: &str) -> Cleaned {
        let mut c = Cleaned::default();
        let mut kept: Vec<String> = Vec::new();
        let mut in_toc = false;
        for line in text.split('\n') {
            if in_toc {
                if line
                    .chars()
                    .all(|ch| matches!(ch, '…' | '.' | '。' | '·' | ' '))
                {
                    in_toc = false;
                    c.removed.push(("toc", line.to_string()));
                    continue;
                }
                if toc_entry(line) {
                    c.removed.push(("toc", line.to_string()));
                    continue;
                }
                in_toc = false;
            }
            let mut line = line.to_string();
            let mut dropped = false;
            for r in &self.rules {
                if line.is_empty() {
                    break;
                }
                match r.action {
                    Action::DropLine | Action::TocStart => {
                        if line.chars().count() <= MAX_CHROME_LINE && r.re.is_match(&line) {
                            c.removed.push((r.name, std::mem::take(&mut line)));
                            dropped = true;
                            in_toc = r.action == Action::TocStart;
                            break;
                        }
                    }
                    Action::Cut => {
                        if let Some(m) = r.re.find(&line) {
                            let cut = m.as_str().to_string();
                            if let Some(d) = self.declared.captures(&cut) {
                                c.declared_chars = d[1].parse().ok();
                            }
                            c.truncation.get_or_insert(r.name);
                            line.replace_range(m.range(), "");
                            c.removed.push((r.name, cut));
                        }
                    }
                }
            }
            if !dropped && !line.trim().is_empty() {
                kept.push(line);
            }
        }
        c.boilerplate_chars = c.removed.iter().map(|(_, s)| s.chars().count()).sum();
        if c.truncation.is_none() {
            c.truncation = ending_truncation(&kept);
        }
        c.text = kept.join("\n");
        c
    }
}

/// Truncation read off how the body ends: on an opening bracket or quote, or on a heading
/// with nothing under it.
fn ending_truncation(lines: &[String]) -> Option<&'static str> {
    let last = lines.last()?;
    let end = last.chars().last()?;
    if matches!(end, '（' | '(' | '“' | '《' | '【' | '，' | '、') {
        return Some("dangling_end");
    }
    if lines.len() > 3
        && markers::parse(last).is_some()
        && !last.ends_with('。')
        && last.chars().count() <= 60
    {
        return Some("cut_after_heading");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaner() -> Cleaner {
        Cleaner::new(&OpenCC::new())
    }

    #[test]
    fn removes_chrome_in_both_scripts() {
        let text = "导航菜单\n青禾县政府工作报告\n各位代表：\n一、工作回顾\n全年完成任务。\n本文仅代表作者观点，不代表本站立场。\n本文地址：/baogao/1.html\n留言与评论（共有 条评论）\n验证码：\n主辦單位：青禾縣人民政府 版權所有：某市 網站地圖\n網站標識碼：1234 ICP備案序號：X\n聯系電話：0000-1234567";
        let c = cleaner().clean(text);
        assert_eq!(
            c.text,
            "青禾县政府工作报告\n各位代表：\n一、工作回顾\n全年完成任务。"
        );
        assert_eq!(c.removed.len(), 8);
        assert_eq!(c.truncation, None);
        let removed: usize = text.split('\n').map(|l| l.chars().count()).sum::<usize>()
            - c.text.replace('\n', "").chars().count();
        assert_eq!(c.boilerplate_chars, removed);
    }

    #[test]
    fn paywall_and_declared_length() {
        let text = "標題\n第一段內容一是主……（某文秘網省略662字，正式會員可完整閱讀）……\n二是加快建設。\n各單位要進一步轉 ……（未完，全文共2923字，當前僅顯示1858字，請閱讀下面提示信息。\n收藏《標題》）";
        let c = cleaner().clean(text);
        assert_eq!(
            c.text,
            "標題\n第一段內容一是主\n二是加快建設。\n各單位要進一步轉"
        );
        assert_eq!(c.truncation, Some("paywall"));
        assert_eq!(c.declared_chars, Some(2923));
    }

    #[test]
    fn table_of_contents_block() {
        let text = "目錄/提綱：……\n二是重點工作任務艱巨\n一是產業結構要揚長補短\n……\n區委書記在會上的講話\n同志們：\n一是抓落實。";
        let c = cleaner().clean(text);
        assert_eq!(c.text, "區委書記在會上的講話\n同志們：\n一是抓落實。");
    }

    #[test]
    fn truncated_endings() {
        let c = cleaner().clean("标题\n正文一。\n正文二。\n一、回顾\n内容。（");
        assert_eq!(c.truncation, Some("dangling_end"));
        let c = cleaner().clean("标题\n正文一。\n正文二。\n（四）坚持不懈抓治理");
        assert_eq!(c.truncation, Some("cut_after_heading"));
    }
}
