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

/// A value from the wire (a check's expected or actual value) for a table cell. A value
/// that Markdown would need escapes for (a JSON string's `\"`, a regex's `\s*`,
/// `<absent>`) is shown as inline code, verbatim: escaped as text it would read
/// `{\\"resource\\": …}` in the file. Prose (`a non-empty string`) stays text, and so does
/// a value over several lines, whose line breaks only text can keep.
pub(crate) fn value_cell(text: &str) -> String {
    // Backticks alone do not count: a case author's code span (a `resource_metadata`
    // parameter) reads as they wrote it.
    let needs_escapes = text.contains(['\\', '<', '&', '*']);
    if !needs_escapes || text.contains(['\n', '\r']) || text.trim().is_empty() {
        return cell(text);
    }
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    // A space on each side keeps a leading or trailing backtick or space in the value
    // (Markdown strips exactly one from each side).
    let pad = if text.starts_with(['`', ' ']) || text.ends_with(['`', ' ']) {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", text.replace('|', "\\|"))
}

/// An identifier (a case id) as inline code for a table cell, or as escaped text if it
/// holds a backtick: a `|` is escaped, which GitHub honours in a table even inside code
/// spans.
pub(crate) fn code(id: &str) -> String {
    if id.contains('`') || id.contains('\n') {
        cell(id)
    } else {
        format!("`{}`", id.replace('|', "\\|"))
    }
}

/// An identifier as inline code in a heading or a paragraph, where the escape of a `|`
/// would show.
pub(crate) fn code_text(id: &str) -> String {
    if id.contains('`') || id.contains('\n') {
        para(id)
    } else {
        format!("`{id}`")
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
            // Only a backslash before ASCII punctuation (or a line break) is an escape;
            // before anything else it is literal, so a regex's `\s` stays as written.
            '\\' if chars
                .peek()
                .is_some_and(|n| !n.is_ascii_punctuation() && *n != '\n' && *n != '\r') =>
            {
                out.push('\\')
            }
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
    fn backslashes_are_doubled_only_where_markdown_reads_an_escape() {
        assert_eq!(para(r"/a\s*b/"), r"/a\s\*b/");
        assert_eq!(para(r#"say \"hi\""#), r#"say \\"hi\\""#);
        assert_eq!(para("end\\"), "end\\\\");
        assert_eq!(para("a\\\nb"), "a\\\\<br>b");
    }

    #[test]
    fn values_that_need_escapes_are_verbatim_code() {
        // A JSON string holding JSON, as a check reports a body it matched.
        assert_eq!(
            value_cell(r#""{\"resource\": \"https://x/mcp\"}""#),
            r#"`"{\"resource\": \"https://x/mcp\"}"`"#
        );
        assert_eq!(value_cell("<absent>"), "`<absent>`");
        assert_eq!(value_cell(r"/a\s*|b/"), r"`/a\s*\|b/`");
        assert_eq!(value_cell("a `b` c"), "a `b` c");
        assert_eq!(value_cell("a `b` <c>"), "``a `b` <c>``");
        assert_eq!(value_cell("`x <y>"), "`` `x <y> ``");
        // Prose, several lines, nothing: text as before.
        assert_eq!(value_cell("a non-empty string"), "a non-empty string");
        assert_eq!(value_cell("a|b"), "a\\|b");
        assert_eq!(value_cell("<a>\n<b>"), "&lt;a><br>&lt;b>");
        assert_eq!(value_cell(""), "");
    }

    #[test]
    fn ids_escape_pipes_only_in_tables() {
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code_text("a|b"), "`a|b`");
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
