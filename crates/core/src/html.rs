//! HTML → text for `.html`/`.htm` inputs: scripts, styles and comments dropped, tags
//! removed, block-level tags turned into line breaks (so paragraphs stay paragraphs),
//! character references decoded. A scraper's page needs no more than this; the site chrome
//! that survives as text is `clean`'s job.

const BLOCK: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "title",
    "blockquote",
    "pre",
    "hr",
    "td",
    "th",
    "dd",
    "dt",
];

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "nbsp" | "ensp" | "emsp" => ' ',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "middot" => '·',
        "mdash" => '—',
        "hellip" => '…',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)?
        }
    })
}

/// Finds `needle` (ASCII, lowercase) case-insensitively from `from`.
fn find_ci(hay: &str, needle: &str, from: usize) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    (from..h.len().saturating_sub(n.len() - 1)).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

pub fn to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut i = 0;
    let b = html.as_bytes();
    while i < html.len() {
        match b[i] {
            b'<' => {
                if html[i..].starts_with("<!--") {
                    i = html[i..]
                        .find("-->")
                        .map(|e| i + e + 3)
                        .unwrap_or(html.len());
                    continue;
                }
                let end = match html[i..].find('>') {
                    Some(e) => i + e,
                    None => {
                        out.push_str(&html[i..]);
                        break;
                    }
                };
                let tag = &html[i + 1..end];
                let name: String = tag
                    .trim_start_matches('/')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_lowercase();
                i = end + 1;
                if !tag.starts_with('/') && (name == "script" || name == "style") {
                    let close = format!("</{name}");
                    i = find_ci(html, &close, i)
                        .and_then(|s| html[s..].find('>').map(|e| s + e + 1))
                        .unwrap_or(html.len());
                    continue;
                }
                if BLOCK.contains(&name.as_str()) && !out.ends_with('\n') {
                    out.push('\n');
                }
            }
            b'&' => {
                let semi = html[i..]
                    .char_indices()
                    .take(12)
                    .find(|(_, c)| *c == ';')
                    .map(|(j, _)| i + j);
                match semi.and_then(|s| entity(&html[i + 1..s]).map(|c| (s, c))) {
                    Some((s, c)) => {
                        out.push(c);
                        i = s + 1;
                    }
                    None => {
                        out.push('&');
                        i += 1;
                    }
                }
            }
            _ => {
                let next = html[i..]
                    .find(['<', '&'])
                    .map(|j| i + j)
                    .unwrap_or(html.len());
                out.push_str(&html[i..next]);
                i = next;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::to_text;

    #[test]
    fn strips_tags_scripts_styles_and_decodes_entities() {
        let html = "<html><head><title>青禾县报告</title><style>p{color:red}</style><SCRIPT>var a='<p>';</SCRIPT></head><body><!-- nav --><p>第一段&nbsp;A&amp;B&#20013;&#x6587;</p><p>第二段<br>第三行</p></body></html>";
        assert_eq!(
            to_text(html),
            "\n青禾县报告\n第一段 A&B中文\n第二段\n第三行\n"
        );
    }
}
