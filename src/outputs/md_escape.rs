//! Escaping text for Markdown (GitHub-flavoured), so that values from a target cannot break
//! the report's structure while text written by case authors keeps its formatting.
//!
//! Case titles and requirement statements use backticks for names (`resource`), while
//! values such as `<absent>` or `mcp:read|mcp:write` come from the wire. So code spans are
//! kept as code spans, and only the text around them is escaped.

use std::fmt::Write as _;

/// Text for a table cell: as [`para`], and `|` (which would end the cell) becomes `\|`,
/// which GitHub honours even inside code spans.
pub(crate) fn cell(text: &str) -> String {
    escape(text, true)
}

/// Text for a one-line paragraph or list item: newlines become `<br>` (a blank line would
/// end the paragraph), `<` and `&` are escaped (`<absent>` would otherwise vanish as an
/// unknown HTML tag), and `*` and `\` are escaped so they do not start emphasis. `_` is
/// left alone: GitHub does not treat it as emphasis inside words like `resource_metadata`,
/// and escaping it would clutter the raw text. Code spans are left as they are, except
/// that a newline inside one becomes a space (as Markdown would render it anyway).
pub(crate) fn para(text: &str) -> String {
    escape(text, false)
}

/// An identifier (a case id) as inline code, or as escaped text if it holds a backtick.
pub(crate) fn code(id: &str) -> String {
    if id.contains('`') || id.contains('\n') {
        cell(id)
    } else {
        format!("`{}`", id.replace('|', "\\|"))
    }
}

/// Appends a fenced code block whose fence is longer than any run of backticks in the
/// text, so that a body containing ``` cannot end the block early.
pub(crate) fn fenced(md: &mut String, lang: &str, text: &str) {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let _ = writeln!(
        md,
        "{fence}{lang}\n{}\n{fence}\n",
        text.trim_end_matches('\n')
    );
}

fn escape(text: &str, in_table: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        let (before, from) = rest.split_at(start);
        plain(&mut out, before, in_table);
        let run = from.len() - from.trim_start_matches('`').len();
        let after = &from[run..];
        match closing(after, run) {
            Some(end) => {
                out.push_str(&from[..run]);
                for c in after[..end].chars() {
                    match c {
                        '|' if in_table => out.push_str("\\|"),
                        '\n' | '\r' => out.push(' '),
                        c => out.push(c),
                    }
                }
                out.push_str(&from[..run]);
                rest = &after[end + run..];
            }
            None => {
                // Backticks that open no code span are literal.
                out.push_str(&"\\`".repeat(run));
                rest = after;
            }
        }
    }
    plain(&mut out, rest, in_table);
    out
}

/// Where a run of exactly `run` backticks starts in `text`: the end of a code span.
fn closing(text: &str, run: usize) -> Option<usize> {
    let mut offset = 0;
    while let Some(i) = text[offset..].find('`') {
        let start = offset + i;
        let len = text[start..].len() - text[start..].trim_start_matches('`').len();
        if len == run {
            return Some(start);
        }
        offset = start + len;
    }
    None
}

fn plain(out: &mut String, text: &str, in_table: bool) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '|' if in_table => out.push_str("\\|"),
            '*' => out.push_str("\\*"),
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_newlines_and_html() {
        assert_eq!(cell("a|b"), "a\\|b");
        assert_eq!(cell("one\r\ntwo\nthree"), "one<br>two<br>three");
        assert_eq!(cell("<absent> & *x*"), "&lt;absent> &amp; \\*x\\*");
    }

    #[test]
    fn code_spans_are_kept_but_pipes_in_them_escaped_in_tables() {
        assert_eq!(cell("`scope` is `a|b`"), "`scope` is `a\\|b`");
        assert_eq!(para("`scope` is `a|b`"), "`scope` is `a|b`");
        assert_eq!(para("`<absent>`"), "`<absent>`");
        assert_eq!(cell("``a ` b`` c"), "``a ` b`` c");
    }

    #[test]
    fn unmatched_backticks_are_literal() {
        assert_eq!(para("it`s <x>"), "it\\`s &lt;x>");
        assert_eq!(para("``a`"), "\\`\\`a\\`");
    }

    #[test]
    fn paragraphs_keep_pipes() {
        assert_eq!(para("a|b\nc"), "a|b<br>c");
    }

    #[test]
    fn fence_outgrows_backticks_in_the_body() {
        let mut md = String::new();
        fenced(&mut md, "http", "a ```` b");
        assert!(md.starts_with("`````http\n"));
        assert!(md.ends_with("\n`````\n\n"));
    }
}
