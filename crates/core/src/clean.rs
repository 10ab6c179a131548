//! Clean: remove what the website added — navigation, toolbars, disclaimers, comment boxes,
//! footers, source/time lines, photo captions, tables of contents, paywall notes — and judge
//! whether the body is complete. The rules are a table (`RULES`), written in simplified
//! Chinese; each is compiled to also match the traditional forms of its characters, since
//! cleaning runs before conversion.

use crate::model::Truncation;
use crate::zh::markers;
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

/// What clean removed, by kind: `Trace::removed` and `inspect` name each removal by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Boilerplate {
    /// A government site's disclosure table (索引号, 文号…).
    Metadata,
    /// Breadcrumbs and menus.
    Navigation,
    /// Page widgets: font size, print, share, close.
    Toolbar,
    /// The site's name on a line of its own at the top.
    Banner,
    /// A `收藏《…》` line.
    Bookmark,
    /// Copyright, reprint and liability notes.
    Disclaimer,
    /// A document-sharing site's file card.
    Docshare,
    /// The page's own address (本文链接：…).
    Address,
    /// A comment box.
    Comments,
    /// A captcha prompt.
    Captcha,
    /// The site's footer: sponsor, ICP number, contact, previous/next links.
    Footer,
    /// The source, author and time block, and datelines.
    SourceLine,
    /// Photo captions, credits and picture file names.
    Caption,
    /// A forum post's user card.
    Forum,
    /// A paywall note; the body is cut there.
    Paywall,
    /// A table of contents.
    Toc,
    /// An anti-scraping token glued to line ends.
    Injected,
}

impl Boilerplate {
    pub fn as_str(self) -> &'static str {
        match self {
            Boilerplate::Metadata => "metadata",
            Boilerplate::Navigation => "navigation",
            Boilerplate::Toolbar => "toolbar",
            Boilerplate::Banner => "banner",
            Boilerplate::Bookmark => "bookmark",
            Boilerplate::Disclaimer => "disclaimer",
            Boilerplate::Docshare => "docshare",
            Boilerplate::Address => "address",
            Boilerplate::Comments => "comments",
            Boilerplate::Captcha => "captcha",
            Boilerplate::Footer => "footer",
            Boilerplate::SourceLine => "source_line",
            Boilerplate::Caption => "caption",
            Boilerplate::Forum => "forum",
            Boilerplate::Paywall => "paywall",
            Boilerplate::Toc => "toc",
            Boilerplate::Injected => "injected",
        }
    }
}

struct Rule {
    name: Boilerplate,
    action: Action,
    pattern: &'static str,
    /// A cheap test every line the pattern matches passes: the pattern is tried only on
    /// lines that pass it (for patterns whose automaton is costly on every line).
    guard: Option<fn(&str) -> bool>,
    /// A word every line the pattern matches holds (in either script): a document without
    /// it is not searched line by line at all.
    doc_word: Option<&'static str>,
}

/// Is a rule asked as part of `Cleaner::unguarded`? The whole-line rules without a guard are.
fn in_unguarded_set(guard: Option<fn(&str) -> bool>, action: Action) -> bool {
    guard.is_none() && action != Action::Cut
}

/// Does every match of `pattern` start at the start of the haystack (`^…`, in every
/// alternative)?
fn anchored_at_start(pattern: &str) -> bool {
    regex_syntax::parse(pattern).is_ok_and(|hir| {
        hir.properties()
            .look_set_prefix()
            .contains(regex_syntax::hir::Look::Start)
    })
}

/// A line that ends on a photo credit's 摄 (攝), before an optional closing parenthesis
/// and the spaces before it: what the credit patterns (`…摄\s*[)）]?$`) require.
fn ends_on_credit(line: &str) -> bool {
    let t = line.strip_suffix([')', '）']).unwrap_or(line).trim_end();
    t.ends_with(['摄', '攝'])
}

/// A breadcrumb or a menu has its separators; a line of separators only is nothing else.
fn separated(line: &str) -> bool {
    // byte searches, one per separator (a walk decoding every character of every line
    // cost several times more)
    memchr::memchr2(b'>', b'|', line.as_bytes()).is_some()
        || ["＞", "»", "›", "｜"].iter().any(|s| line.contains(s))
        || line.chars().all(|c| {
            c.is_whitespace() || matches!(c, '/' | '-' | '—' | '_' | '=' | '*' | '·' | '•')
        })
}

/// One of these is in every line the second toolbar pattern takes (without 【): 首页 in
/// either script, and words the traditional script writes the same way. (Guards run on
/// every line of every document: 首 alone is in 首次, 首位 and let most lines through.)
const TOOLBAR_WORDS: [&str; 5] = ["首页", "首頁", "收藏", "打印", "窗口"];

/// A line holding 【 or one of `TOOLBAR_WORDS`. (Six substring searches: on a line of
/// Chinese each is a vectorised scan, 44 ns for 144 bytes against 238 for one Aho-Corasick
/// automaton of the six, measured.)
fn toolbar_word(line: &str) -> bool {
    line.contains('【') || TOOLBAR_WORDS.iter().any(|w| line.contains(w))
}

/// A line ending, but for spaces, on the last character of a site's name in the banner
/// pattern (人民政府, 门户网站, 新闻网, 融媒体中心 …, either script).
fn ends_on_site(line: &str) -> bool {
    line.trim_end().ends_with(['府', '网', '網', '站', '心'])
}

/// A clock time's colon between digits (`09:30`, `09：30`): in every dateline the pattern
/// takes but `date 2026-…`. (`\d` is any Unicode digit; `is_numeric` takes more, never less.)
fn clock_or_date(line: &str) -> bool {
    // the colons first (most lines have none), found by byte searches, their neighbours
    // only then
    let between_digits = |at: usize, colon: &str| {
        line[..at].chars().next_back().is_some_and(char::is_numeric)
            && line[at + colon.len()..]
                .chars()
                .next()
                .is_some_and(char::is_numeric)
    };
    let clock = memchr::memchr_iter(b':', line.as_bytes()).any(|at| between_digits(at, ":"))
        || memchr::memmem::find_iter(line.as_bytes(), "：").any(|at| between_digits(at, "："));
    clock || line.contains("date")
}

/// 图为 / 摄影 (both scripts) or ▲ first, or a picture's file name ending the line
/// (`IMG_2024.jpg`; ASCII letters: none of them folds to another letter in Unicode).
fn picture_line(line: &str) -> bool {
    if line.starts_with(['图', '圖', '摄', '攝', '▲', '△']) {
        return true;
    }
    let Some((_, ext)) = line.rsplit_once('.') else {
        return false;
    };
    ["png", "jpg", "jpeg", "gif", "webp", "bmp"]
        .iter()
        .any(|e| ext.eq_ignore_ascii_case(e))
}

/// A site's banner is one of the first lines of a page.
const BANNER_LINES: usize = 4;

/// Lines longer than this are body text even when a chrome word appears in them.
const MAX_CHROME_LINE: usize = 200;

/// Words of page widgets: toolbars, font-size controls, share buttons. A line made only of
/// them (with brackets, bars and slashes between) is chrome, often one token per line.
/// (A macro, not a const: `concat!` builds the rule's pattern from it at compile time.)
macro_rules! widgets {
    () => {
        r"下载|打印|全屏|收藏|关闭|关闭窗口|分享到?|返回顶部|打印本页|打印文章|加入收藏夹?|设为首页|字号|字体|[大中小]|加大|还原|减小|默认|A\+|A-|扫一扫|扫一扫在手机打开当前页|在手机打开当前页|手机版|繁体|简体|无障碍|纠错|我要纠错|网友互动交流|热门推荐|微信|微博|QQ空间|【字号[:：]?\s*大\s*中\s*小】"
    };
}

/// A label of a page's source and time block at the start of a line; its value follows on
/// the same line or, when the label stands alone, on the next.
const SOURCE_LABEL: &str = r"^\s*(来源|信息来源|文章来源|稿件来源|时间|日期|发布时间|发布日期|发文日期|更新时间|作者|编辑|责任编辑|浏览次数|浏览量|点击数|点击量|点击|阅读次数|阅读量|访问量|字数|供稿|审核|发布者|发布机构)\s*[:：]";

const RULES: &[Rule] = &[
    Rule {
        name: Boilerplate::Metadata,
        action: Action::DropLine,
        // a government site's disclosure table (索引号 | … | 文号 | …), as cells or as lines
        pattern: r"^\s*[|｜]?\s*(文件名称|索引号|文号|成文日期|公开日期|公开目录|公开形式|公开责任部门|有效性|主题分类|信息分类|发文机关|发布机构|公开方式|公开范围|所属机构|体裁分类|组配分类|生效日期|废止日期)\s*[|｜:：]",
        guard: None,
        doc_word: None,
    },
    Rule {
        name: Boilerplate::Navigation,
        action: Action::DropLine,
        pattern: r"^(导航菜单|网站导航|网站首页|首页|返回首页|当前位置[:：].*|您的位置[:：].*|您现在的位置.*|现在位置[:：].*|所在位置[:：].*|首页\s*[>＞»›].*)$",
        guard: None,
        doc_word: None,
    },
    Rule {
        name: Boilerplate::Navigation,
        action: Action::DropLine,
        // a breadcrumb (首页 >> 新闻 >> 正文) or a menu (新闻中心 | 专题 | 政务 | …)
        pattern: r"^[^。，！？]{0,40}?(\s*(>>?|＞|»|›)\s*[^。，！？>＞»›]{1,20}){2,}\s*$|^\s*[^|｜。，！？\d]{1,12}(\s*[|｜]\s*[^|｜。，！？\d]{1,12}){2,}\s*[|｜]?\s*$|^[\s>＞»›|｜/\-—_=*·•]+$",
        guard: Some(separated),
        doc_word: None,
    },
    Rule {
        name: Boilerplate::Toolbar,
        action: Action::DropLine,
        pattern: r"^.{0,30}【\s*(字号|字体|打印|关闭|收藏|大\s*中\s*小).*$|^.{0,40}(设为首页|加入收藏|打印本页|关闭窗口)[\s|｜]*(加入收藏夹?|设为首页)?\s*$",
        guard: Some(toolbar_word),
        doc_word: None,
    },
    Rule {
        name: Boilerplate::Toolbar,
        action: Action::DropLine,
        pattern: concat!(
            r"^([\s|｜/\[\]【】:：]*(",
            widgets!(),
            r"))+[\s|｜/\[\]【】:：]*$"
        ),
        guard: None,
        doc_word: None,
    },
    Rule {
        name: Boilerplate::Banner,
        action: Action::DropLine,
        // the site's name on a line of its own (`某某县人民政府`, `某某新闻网`), at the top of
        // the page (at the end, a government's name is the document's signature)
        pattern: r"^\s*[\p{Han}·]{2,16}(人民政府|人民政府网|政府网|门户网站|政务网|新闻网|融媒体中心)\s*$",
        guard: Some(ends_on_site),
        doc_word: None,
    },
    Rule {
        name: Boilerplate::Bookmark,
        action: Action::DropLine,
        pattern: r"^收藏《.*》[)）]?$",
        guard: None,
        doc_word: None,
    },
    Rule {
        name: Boilerplate::Disclaimer,
        action: Action::DropLine,
        pattern: r"本文仅代表作者观点|不代表本站立场|未经许可[,，]?不得转载|版权归原作者所有|如有侵权[,，]?请联系|下载文档前请自行甄别|仅部分预览|如文档侵犯您的权益|人工客服工作时间|如果我们使用了您的图片|欢迎关注.{0,20}(APP|客户端|公众号)$|(?i:copyright|all rights reserved)|下面是小编为大家整理的|供大家参考[。.]?$",
        guard: None,
        doc_word: None,
    },
    Rule {
        name: Boilerplate::Docshare,
        action: Action::DropLine,
        // a document-sharing site's file card: format, size, pages, the download button
        pattern: r"^\s*[•·]?\s*(格式[:：]\s*(?i:docx?|pdf|txt|pptx?|wps)|大小[:：]\s*[\d.]+\s*[KMG]B|文档页数[:：]\s*\d+|页数[:：]\s*\d+)\s*$|^下载文档原格式$|^\s*/\s*\d+\s*$",
        guard: None,
        doc_word: None,
    },
    Rule {
        name: Boilerplate::Address,
        action: Action::DropLine,
        pattern: r"^(本文地址|本文链接|原文链接|文章链接)[:：]",
        guard: None,
        doc_word: None,
    },
    Rule {
        name: Boilerplate::Comments,
        action: Action::DropLine,
        pattern: r"^(留言与评论|发表评论|网友评论|我要评论|评论[(（]|相关评论)",
        guard: None,
        doc_word: None,
    },
    Rule {
        name: Boilerplate::Captcha,
        action: Action::DropLine,
        pattern: r"^(验证码|请输入验证码)[:：]?",
        guard: None,
        doc_word: None,
    },
    Rule {
        name: Boilerplate::Footer,
        action: Action::DropLine,
        pattern: r"^(主办单位|承办单位|主办|承办|协办单位|技术支持|网站维护)[:：]|版权所有|ICP备|ICP证|公网安备|网站标识码|^网站地图$|^(联系电话|联系我们|联系方式|电子邮箱|通讯地址)[:：]?|^(上一条|下一条|上一篇|下一篇)[:：]",
        guard: None,
        doc_word: None,
    },
    Rule {
        name: Boilerplate::SourceLine,
        action: Action::DropLine,
        pattern: SOURCE_LABEL,
        guard: None,
        doc_word: None,
    },
    Rule {
        name: Boilerplate::SourceLine,
        action: Action::DropLine,
        // a dateline: a date and a clock time with a site or author name, no sentence
        pattern: r"^[^。，！？]{0,24}(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日)\s*(星期.)?\s*\d{1,2}[:：]\d{2}([:：]\d{2})?[^。，！？]{0,40}$|^[^。，！？]{0,24}\d{1,2}[:：]\d{2}\s+\d{4}-\d{1,2}-\d{1,2}[^。，！？]{0,20}$|^\s*date\s+\d{4}-\d{2}-\d{2}",
        guard: Some(clock_or_date),
        doc_word: None,
    },
    Rule {
        name: Boilerplate::Caption,
        action: Action::DropLine,
        // 图为…, a picture's file name, a picture line marked ▲
        pattern: r"^(图为|图片来源[:：]|摄影[:：])|^[\w\-.]{1,40}\.(?i:png|jpe?g|gif|webp|bmp)$|^[▲△][^。]{0,60}(作.{0,6}报告|出席|主持|讲话|致辞|调研|视察|参观|现场|合影|发言)[^。]{0,30}$",
        guard: Some(picture_line),
        doc_word: None,
    },
    Rule {
        name: Boilerplate::Caption,
        action: Action::DropLine,
        // a photo credit ending the line (新华社记者某某 摄, 人民网 某某摄)
        pattern: r"^[(（]?(记者|通讯员).{1,12}摄[)）]?$|^.{0,120}?[。\s]\s*[\p{Han}·]{0,12}?(记者|通讯员)?\s*[\p{Han}·]{2,4}\s*摄\s*[)）]?$",
        guard: Some(ends_on_credit),
        doc_word: None,
    },
    Rule {
        name: Boilerplate::Forum,
        action: Action::DropLine,
        // a forum post's user card (每日心情, 签到天数, 积分…)
        pattern: r"^TA的每日心情|^签到天数[:：]|^[-\s]*积分\s*$|^[-\s]*版主\s*$|^[-\s]*\d{1,7}\s*[|｜]?\s*$",
        guard: None,
        doc_word: None,
    },
    Rule {
        name: Boilerplate::Paywall,
        action: Action::Cut,
        pattern: r"…*[(（][^()（）]{0,60}省略\d+字[^()（）]{0,40}[)）]…*",
        guard: Some(|line| line.contains("省略")),
        doc_word: Some("省略"),
    },
    Rule {
        name: Boilerplate::Paywall,
        action: Action::Cut,
        pattern: r"\s*…*[(（]?未完[,，]\s*全文共\d+字.*$",
        guard: Some(|line| line.contains("未完")),
        doc_word: Some("未完"),
    },
    Rule {
        name: Boilerplate::Toc,
        action: Action::TocStart,
        pattern: r"^(目录|提纲|目录/提纲|目录提纲)\s*[:：]?\s*[…\.。·]*$",
        guard: None,
        doc_word: None,
    },
];

/// A source label standing alone (`来源：`): its value is the next line.
fn label_only(line: &str, re: &Regex) -> bool {
    re.find(line)
        .is_some_and(|m| line[m.end()..].trim().is_empty())
}

struct Compiled {
    name: Boilerplate,
    action: Action,
    re: Regex,
    guard: Option<fn(&str) -> bool>,
    doc_word: Option<&'static str>,
}

pub struct Cleaner {
    rules: Vec<Compiled>,
    /// The patterns of the whole-line rules without a guard, as two sets: a line none of
    /// them matches (nearly every line) is searched once per set, not once per rule. Those
    /// that match only at the line's start are one set, which gives up on a line a few
    /// bytes in; the others, which must read the whole line, the other.
    unguarded: [regex::RegexSet; 2],
    declared: Regex,
    /// a source label at the start of a line
    label: Regex,
    /// chrome that names the document (`文件名称 | … |`, `下面是小编为大家整理的…`)
    title_field: Regex,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cleaned {
    pub text: String,
    pub boilerplate_chars: usize,
    /// (rule name, what was removed), in order.
    pub removed: Vec<(Boilerplate, String)>,
    pub truncation: Option<Truncation>,
    pub declared_chars: Option<i32>,
    /// The document's name as a page's chrome gave it (a disclosure table's 文件名称), for
    /// the title when the body's own title block has none.
    pub title_field: Option<String>,
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
            c if crate::zh::chars::is_cjk(c) => {
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

/// Chrome that names the document: a disclosure table's 文件名称, a content farm's
/// `下面是小编为大家整理的…`.
const TITLE_FIELD: &str = r"^\s*[|｜]?\s*文件名称\s*[|｜:：]\s*([^|｜]{2,60}?)\s*([|｜]|$)|下面是小编为大家整理的(.{2,50}?)(【[^】]*】)?[,，]?供大家参考";

/// Words each alternative of `TITLE_FIELD` contains in either script (no character of them
/// has a traditional form): the pattern is tried only on lines holding one.
const TITLE_FIELD_WORDS: [&str; 2] = ["文件名", "是小"];

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
                re: crate::zh::regex(&widen(r.pattern, cc))
                    .unwrap_or_else(|e| panic!("clean rule {}: {e}", r.name.as_str())),
                guard: r.guard,
                doc_word: r.doc_word,
            })
            .collect();
        let (anchored, floating): (Vec<String>, Vec<String>) = RULES
            .iter()
            .filter(|r| in_unguarded_set(r.guard, r.action))
            .map(|r| widen(r.pattern, cc))
            .partition(|p| anchored_at_start(p));
        let set = |patterns: Vec<String>| {
            regex::RegexSetBuilder::new(patterns)
                // (a smaller cache than the crate's default 2 MB, per thread, thrashes on
                // body text)
                .dfa_size_limit(1 << 20)
                .build()
                .expect("clean rules as a set")
        };
        let unguarded = [set(anchored), set(floating)];
        let label = crate::zh::regex(&widen(SOURCE_LABEL, cc)).expect("source label pattern");
        let title_field = crate::zh::regex(&widen(TITLE_FIELD, cc)).expect("title field pattern");
        let declared =
            crate::zh::regex(&widen(r"全文共(\d+)字", cc)).expect("declared length pattern");
        Cleaner {
            rules,
            unguarded,
            declared,
            label,
            title_field,
        }
    }

    /// Does one of the whole-line rules without a guard match `line`?
    fn unguarded_match(&self, line: &str) -> bool {
        self.unguarded.iter().any(|set| set.is_match(line))
    }

    pub fn clean(&self, text: &str) -> Cleaned {
        let mut c = Cleaned::default();
        // lines as they came unless a cut changed them
        let mut kept: Vec<std::borrow::Cow<str>> = Vec::new();
        let mut in_toc = false;
        let injected = injected_token(text);
        // rules whose word the document does not hold (a cut of an injected token joins
        // text only before a space: it makes no word the text did not hold)
        let absent: Vec<bool> = self
            .rules
            .iter()
            .map(|r| r.doc_word.is_some_and(|w| !text.contains(w)))
            .collect();
        // the line before stood for a value on this one (`来源：` / `某某日报`), or was a
        // breadcrumb separator (`>` / `政务公开`)
        let mut value_next = false;
        let mut crumb_next = false;
        for (line_no, line) in crate::zh::chars::lines(text).enumerate() {
            if in_toc {
                if line
                    .chars()
                    .all(|ch| matches!(ch, '…' | '.' | '。' | '·' | ' '))
                {
                    in_toc = false;
                    c.removed.push((Boilerplate::Toc, line.to_string()));
                    continue;
                }
                if toc_entry(line) {
                    c.removed.push((Boilerplate::Toc, line.to_string()));
                    continue;
                }
                in_toc = false;
            }
            if c.title_field.is_none() && TITLE_FIELD_WORDS.iter().any(|w| line.contains(w)) {
                if let Some(t) = self.title_field.captures(line) {
                    c.title_field = t.get(1).or(t.get(3)).map(|m| m.as_str().trim().to_string());
                }
            }
            let short_value = line.chars().count() <= 30
                && !line.contains(['。', '，'])
                && markers::parse(line).is_none();
            if (value_next || crumb_next) && short_value {
                let rule = if value_next {
                    Boilerplate::SourceLine
                } else {
                    Boilerplate::Navigation
                };
                c.removed.push((rule, line.to_string()));
                value_next = false;
                crumb_next = false;
                continue;
            }
            value_next = false;
            crumb_next = false;
            let mut line: std::borrow::Cow<str> = line.into();
            if let Some(tok) = injected {
                let cut = if line.contains(tok) {
                    strip_token(line.to_mut(), tok)
                } else {
                    0
                };
                if cut > 0 {
                    c.removed.push((Boilerplate::Injected, tok.repeat(cut)));
                }
            }
            let mut dropped = false;
            // only short lines can be chrome (counted once, again after a cut)
            let mut short = line.chars().count() <= MAX_CHROME_LINE;
            // does one of the unguarded whole-line rules match? (asked once, again after a cut)
            let mut unguarded: Option<bool> = None;
            for (r, absent) in self.rules.iter().zip(&absent) {
                if line.is_empty() {
                    break;
                }
                if *absent {
                    continue;
                }
                if r.name == Boilerplate::Banner && line_no >= BANNER_LINES {
                    continue;
                }
                match r.action {
                    Action::DropLine | Action::TocStart => {
                        let may = short
                            && match r.guard {
                                Some(g) => g(&line),
                                None => {
                                    *unguarded.get_or_insert_with(|| self.unguarded_match(&line))
                                }
                            };
                        if may && r.re.is_match(&line) {
                            value_next =
                                r.name == Boilerplate::SourceLine && label_only(&line, &self.label);
                            crumb_next = r.name == Boilerplate::Navigation
                                && line.trim_end().ends_with(['>', '＞', '»', '›', ':', '：']);
                            c.removed
                                .push((r.name, std::mem::take(&mut line).into_owned()));
                            dropped = true;
                            in_toc = r.action == Action::TocStart;
                            break;
                        }
                    }
                    Action::Cut => {
                        if let Some(m) = r
                            .guard
                            .is_none_or(|g| g(&line))
                            .then(|| r.re.find(&line))
                            .flatten()
                        {
                            let cut = m.as_str().to_string();
                            let range = m.range();
                            if let Some(d) = self.declared.captures(&cut) {
                                c.declared_chars = d[1].parse().ok();
                            }
                            // the only rules that cut inside a line are paywall notes
                            c.truncation.get_or_insert(Truncation::Paywall);
                            line.to_mut().replace_range(range, "");
                            short = line.chars().count() <= MAX_CHROME_LINE;
                            unguarded = None;
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

/// An anti-scraping token a site glued to the ends of its lines (`…报告vzT`): a run of two
/// to six Latin letters right after Chinese text or punctuation at the end of at least three lines and of
/// a quarter of the lines that have text. Real Latin words at line ends (`GDP`) are never
/// that regular.
fn injected_token(text: &str) -> Option<&str> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    let mut lines = 0;
    for line in crate::zh::chars::lines(text) {
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        lines += 1;
        let (head, tok) = crate::zh::chars::latin_tail(line);
        if (2..=6).contains(&tok.len()) && head.chars().next_back().is_some_and(glue_before) {
            match counts.iter_mut().find(|(t, _)| *t == tok) {
                Some(e) => e.1 += 1,
                None => counts.push((tok, 1)),
            }
        }
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n >= 3 && n * 4 >= lines)
        .max_by_key(|(_, n)| *n)
        .map(|(t, _)| t)
}

/// What an injected token is glued to: Chinese text or punctuation, not a word or a space.
fn glue_before(c: char) -> bool {
    !c.is_ascii_alphanumeric() && !c.is_whitespace()
}

/// Removes every `tok` glued to what precedes it (`glue_before`) that ends the line or a
/// word (space after it); returns how many.
fn strip_token(line: &mut String, tok: &str) -> usize {
    let mut out = String::with_capacity(line.len());
    let mut n = 0;
    let mut rest = line.as_str();
    while let Some(at) = rest.find(tok) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + tok.len()..].chars().next();
        let glued = before.is_some_and(glue_before);
        let ends = after.is_none_or(|c| c.is_whitespace());
        out.push_str(&rest[..at]);
        if glued && ends {
            n += 1;
        } else {
            out.push_str(tok);
        }
        rest = &rest[at + tok.len()..];
    }
    out.push_str(rest);
    if n > 0 {
        *line = out.trim_end().to_string();
    }
    n
}

/// Truncation read off how the body ends: on an opening bracket or quote, or on a heading
/// with nothing under it.
fn ending_truncation(lines: &[impl AsRef<str>]) -> Option<Truncation> {
    let last = lines.last()?.as_ref();
    let end = last.chars().last()?;
    if matches!(end, '（' | '(' | '“' | '《' | '【' | '，' | '、') {
        return Some(Truncation::DanglingEnd);
    }
    if lines.len() > 3
        && markers::parse(last).is_some()
        && !last.ends_with('。')
        && last.chars().count() <= 60
    {
        return Some(Truncation::CutAfterHeading);
    }
    None
}

#[cfg(test)]
mod tests {
    /// The guards never hide a match: the words `TITLE_FIELD` is tried on appear unwidened
    /// in its widened pattern (none of their characters has a traditional form), and every
    /// credit the credit pattern takes ends as `ends_on_credit` requires.
    #[test]
    fn guards_are_necessary_conditions() {
        let cc = crate::zh::t2s::opencc();
        let widened = widen(TITLE_FIELD, cc);
        for w in TITLE_FIELD_WORDS {
            assert!(widened.contains(w), "{w} is widened in {widened}");
        }
        // the paywall notes' guards (and their documents' words) look for words that have
        // no traditional form; no other rule skips a document
        let paywalls = RULES.iter().filter(|r| r.name == Boilerplate::Paywall);
        for (r, word) in paywalls.zip(["省略", "未完"]) {
            assert!(r.guard.is_some_and(|g| g(word)) && !r.guard.is_some_and(|g| g("全文")));
            assert_eq!(r.doc_word, Some(word));
            assert!(r.pattern.contains(word), "{}", r.pattern);
            assert!(widen(r.pattern, cc).contains(word), "{word} is widened");
        }
        assert_eq!(RULES.iter().filter(|r| r.doc_word.is_some()).count(), 2);
        let credit = RULES
            .iter()
            .find(|r| r.name == Boilerplate::Caption && r.pattern.contains("(记者|通讯员)"))
            .expect("the credit rule");
        let re = Regex::new(&widen(credit.pattern, cc)).unwrap();
        for line in [
            "新华社记者 林一 摄",
            "（记者 王二 摄）",
            "记者王二摄",
            "会场一角。 人民网 张三摄 )",
            "會場一角。 記者 張三 攝",
            "通讯员 李四 摄\u{3000}）",
        ] {
            assert!(re.is_match(line), "{line}");
            assert!(ends_on_credit(line), "{line}");
        }
        assert!(!ends_on_credit("摄影作品展开幕"));
        // every way the widened toolbar words may be written holds a guard word
        let forms = |c: char| {
            let s = c.to_string();
            let mut f = vec![c];
            f.extend(cc.s2t(&s, false).chars().chain(cc.s2tw(&s, false).chars()));
            f
        };
        let toolbar = RULES
            .iter()
            .find(|r| r.pattern.contains("设为首页"))
            .expect("the toolbar rule");
        for word in ["设为首页", "加入收藏", "打印本页", "关闭窗口"] {
            assert!(toolbar.pattern.contains(word), "{word}");
            let mut written = vec![String::new()];
            for c in word.chars() {
                written = written
                    .iter()
                    .flat_map(|w| forms(c).into_iter().map(move |f| format!("{w}{f}")))
                    .collect();
            }
            assert!(
                written.len() >= 2 || word == "加入收藏",
                "{word}: {written:?}"
            );
            for w in written {
                assert!(TOOLBAR_WORDS.iter().any(|t| w.contains(t)), "{w}");
            }
        }
        // every guarded rule, on lines its pattern takes (both scripts): the guard lets
        // each through
        let chrome = [
            "首页 > 新闻中心 > 正文",
            "首頁 >> 政務公開 >> 通知公告",
            "新闻中心 | 专题 | 政务 | 互动",
            "———————",
            "// ** //",
            "【字号：大 中 小】【打印】【关闭】",
            "设为首页 | 加入收藏",
            "設為首頁|加入收藏",
            "设为首页",
            "設為首頁",
            "2024-3-5 9:30 某某网",
            "２０２４年３月５日 ０９：３０",
            "关闭窗口",
            "關閉窗口",
            "打印本页",
            "公文搜 2021-07-23 10:04:26 政府报告",
            "2024年3月5日 星期二 09：30 来源：某某网",
            "10:04 2021-7-23 某某",
            "date 2026-03-05 12",
            "图为会议现场",
            "圖為會議現場",
            "摄影：林一",
            "攝影：林一",
            "IMG_2024.jpg",
            "photo-1.JPEG",
            "a.b.webp",
            "▲某某县长作政府工作报告",
            "△會議現場",
            "青禾县人民政府",
            " 某某新聞網 ",
            "青禾縣門戶網站",
            "某某县融媒体中心",
            "某某市人民政府网",
        ];
        let guarded: Vec<(&Rule, Regex)> = RULES
            .iter()
            .filter(|r| r.guard.is_some())
            .map(|r| (r, Regex::new(&widen(r.pattern, cc)).unwrap()))
            .collect();
        for line in chrome {
            let takers: Vec<&Rule> = guarded
                .iter()
                .filter(|(_, re)| re.is_match(line))
                .map(|(r, _)| *r)
                .collect();
            assert!(!takers.is_empty(), "no guarded rule takes {line}");
            for r in takers {
                assert!(
                    r.guard.is_some_and(|g| g(line)),
                    "{}: {line}",
                    r.name.as_str()
                );
            }
        }
    }
    use super::*;

    /// The set the cleaner asks first matches a line exactly when one of the rules without a
    /// guard does: chrome of each of them, in both scripts, and body text.
    #[test]
    fn the_unguarded_set_matches_where_its_rules_do() {
        let c = cleaner();
        let rules: Vec<&Compiled> = c
            .rules
            .iter()
            .filter(|r| in_unguarded_set(r.guard, r.action))
            .collect();
        assert_eq!(rules.len(), c.unguarded[0].len() + c.unguarded[1].len());
        // the rules that read a whole line are the disclaimers and the footers: every other
        // one is in the set that stops at a line's start
        assert_eq!(c.unguarded[1].len(), 2);
        let chrome = [
            "索引号：11220000/2024-00001",
            "| 文號 | 青政發〔2024〕1號 |",
            "当前位置：首页 > 政务公开",
            "網站首頁",
            "分享到：微信 微博",
            "扫一扫在手机打开当前页",
            "收藏《青禾县政府工作报告》",
            "本文仅代表作者观点，不代表本站立场。",
            "Copyright © 2024 青禾县",
            "格式：docx",
            "文檔頁數：12",
            "本文链接：http://example.cn/1.html",
            "發表評論",
            "验证码：",
            "主办单位：青禾县人民政府办公室",
            "青ICP备12345678号",
            "上一篇：青禾县召开常务会议",
            "来源：青禾县人民政府",
            "發布時間：2024-03-05",
            "签到天数：12",
            "目錄：",
        ];
        let body = [
            "全年地区生产总值增长5.5%。",
            "各位代表：",
            "一、2024年工作回顾",
            "我們堅持穩中求進工作總基調，紮實推進高質量發展。",
            "二〇二四年三月五日",
            "主要预期目标是：地区生产总值增长6%左右。",
        ];
        for line in chrome.iter().chain(&body) {
            let any = rules.iter().any(|r| r.re.is_match(line));
            assert_eq!(c.unguarded_match(line), any, "{line}");
        }
        for line in chrome {
            assert!(c.unguarded_match(line), "{line}");
        }
        for line in body {
            assert!(!c.unguarded_match(line), "{line}");
        }
    }

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
        assert_eq!(c.truncation, Some(Truncation::Paywall));
        assert_eq!(c.declared_chars, Some(2923));
        // what is left once a note is cut is asked of the rules after it afresh
        let c = cleaner().clean("目录（未完，全文共2923字）\n二是加快建设\n全年完成任务。");
        assert_eq!(c.text, "全年完成任务。");
        assert_eq!(c.removed[1], (Boilerplate::Toc, "目录".to_string()));
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
        assert_eq!(c.truncation, Some(Truncation::DanglingEnd));
        let c = cleaner().clean("标题\n正文一。\n正文二。\n（四）坚持不懈抓治理");
        assert_eq!(c.truncation, Some(Truncation::CutAfterHeading));
    }

    #[test]
    fn page_widgets_one_token_a_line() {
        let text = "字号：\n大\n中\n小\n加大\n还原\n减小\n【字号：大 中 小】\n下载 | 打印 | 全屏 | 收藏 | 关闭窗口\n分享：\n扫一扫在手机打开当前页\n[收藏] [打印] [关闭]\n青禾县政府工作报告\n各位代表：\n正文。";
        let c = cleaner().clean(text);
        assert_eq!(c.text, "青禾县政府工作报告\n各位代表：\n正文。");
    }

    #[test]
    fn breadcrumbs_and_source_blocks_split_over_lines() {
        let text = "当前位置：\n首页\n>\n政务公开\n>\n规划计划\n青禾县2025年政府工作报告\n来源：\n青禾县人民政府办公室\n发布时间：2025-02-01 09:30\n阅读量：\n1024\n作者： 责任编辑：王华\n浏览次数：356\n各位代表：\n正文。";
        let c = cleaner().clean(text);
        assert_eq!(c.text, "青禾县2025年政府工作报告\n各位代表：\n正文。");
        assert!(c
            .removed
            .iter()
            .any(|(r, l)| *r == Boilerplate::SourceLine && l == "发布时间：2025-02-01 09:30"));
        // menus and breadcrumbs on one line
        let c = cleaner().clean("新闻中心 | 专题新闻 | 青禾政务 | 即时新闻\n首页 >> 新闻动态 >> 正文\n您现在的位置 专题 >> 两会 >> 人大报道\n标题\n正文。");
        assert_eq!(c.text, "标题\n正文。");
    }

    #[test]
    fn datelines_captions_and_document_cards() {
        let text = "2025-03-06 09:07:31 某某晚报\n公文搜 2021-07-23 10:04:26 政府报告\n date 2026-03-05 某某网编译\n标题\nimage.png\n3月5日上午，会议在青禾县开幕。 新华社记者林平 摄\n县长林平作报告。人民网 王华摄\n▲县长林平代表县政府向大会作政府工作报告\n  • 格式:doc\n  • 大小:62.00 KB\n  • 文档页数:25\n下载文档原格式\n  / 25\n1、下载文档前请自行甄别文档内容的完整性，平台不提供额外的编辑服务。\n正文第一段。";
        let c = cleaner().clean(text);
        assert_eq!(c.text, "标题\n正文第一段。");
    }

    #[test]
    fn disclosure_table_names_the_document() {
        let text = "文件名称 | 青禾县2025年政府工作报告 | ||\n索引号 | /2025-0001 | 公开目录: | 工作报告 |\n文号 | 成文日期: | 2025年04月15日 | |\n2025年3月21日在青禾县第十九届\n各位代表：\n正文。";
        let c = cleaner().clean(text);
        assert_eq!(c.title_field.as_deref(), Some("青禾县2025年政府工作报告"));
        assert_eq!(c.text, "2025年3月21日在青禾县第十九届\n各位代表：\n正文。");
        let c = cleaner().clean("正文一段。下面是小编为大家整理的青禾县2008年政府工作报告【完整版】，供大家参考。\n政府工作报告\n各位代表：");
        assert_eq!(c.title_field.as_deref(), Some("青禾县2008年政府工作报告"));
        assert_eq!(c.text, "政府工作报告\n各位代表：");
    }

    #[test]
    fn injected_tokens_at_line_ends() {
        let text = "政 府 工 作 报 告xQz\n县长 林平xQz\n各位代表:xQz\n现在，我代表县人民政府向大会报告工作。xQz\n全年完成GDP\n一、工作回顾xQz";
        let c = cleaner().clean(text);
        assert_eq!(
            c.text,
            "政 府 工 作 报 告\n县长 林平\n各位代表:\n现在，我代表县人民政府向大会报告工作。\n全年完成GDP\n一、工作回顾"
        );
        // a Latin word at the end of a few lines is not a token
        let c = cleaner().clean("引进AI\n发展AI\n标题\n正文一。\n正文二。\n正文三。\n正文四。\n正文五。\n正文六。\n正文七。\n正文八。\n正文九。");
        assert!(c.text.starts_with("引进AI\n发展AI"));
    }

    /// The guards as they were, walking the characters: the references of the byte
    /// searches.
    fn separated_reference(line: &str) -> bool {
        line.contains(['>', '＞', '»', '›', '|', '｜'])
            || line.chars().all(|c| {
                c.is_whitespace() || matches!(c, '/' | '-' | '—' | '_' | '=' | '*' | '·' | '•')
            })
    }

    fn clock_or_date_reference(line: &str) -> bool {
        let clock = line.match_indices([':', '：']).any(|(at, colon)| {
            line[..at].chars().next_back().is_some_and(char::is_numeric)
                && line[at + colon.len()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_numeric)
        });
        clock || line.contains("date")
    }

    proptest::proptest! {
        #[test]
        fn guards_answer_as_before(
            chars in proptest::collection::vec(
                proptest::sample::select(vec![
                    '>', '＞', '»', '›', '|', '｜', ':', '：', '1', '９', '中', '页', ' ', '/', '-',
                    '—', '·', 'd', 'a', 't', 'e', '\u{3000}',
                ]),
                0..16,
            ),
        ) {
            let line: String = chars.into_iter().collect();
            proptest::prop_assert_eq!(separated(&line), separated_reference(&line));
            proptest::prop_assert_eq!(clock_or_date(&line), clock_or_date_reference(&line));
        }
    }
}
