//! Cutting a case's evidence down to given sizes, visibly: every cut text ends (or, for
//! process output, whose end matters, starts) with a marker that says how long it was, and
//! exchanges left out are counted in the case. Cutting again, to the same or a smaller
//! size, keeps the first marker's length, so the figure a reader sees is always the
//! original one.

use crate::vocab::{CaseReport, Exchange, HeaderPair};

/// The most a case's evidence keeps of each part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvidenceCaps {
    /// Exchanges kept, from the first.
    pub exchanges: usize,
    /// Bytes of each request or response body.
    pub body: usize,
    /// Headers of each request or response.
    pub headers: usize,
    /// Bytes of each header value.
    pub header_value: usize,
    /// Bytes of each check's description, expected and actual value, and of the reason.
    pub check_value: usize,
    /// Bytes of a process's standard output and of its standard error (their ends).
    pub output: usize,
}

const MARK_OPEN: &str = " [cut for the report: ";
const MARK_CLOSE: &str = " bytes in all]";
/// Stands in the name of the header that says how many were left out.
pub const MORE_HEADERS: &str = "…";

/// Cuts `case` down to `caps`; says whether anything changed.
pub fn cut_case(case: &mut CaseReport, caps: &EvidenceCaps) -> bool {
    let mut changed = false;
    if case.exchanges.len() > caps.exchanges {
        let left_out = case.exchanges.len() - caps.exchanges;
        case.exchanges.truncate(caps.exchanges);
        case.omitted_exchanges += left_out;
        changed = true;
    }
    for e in &mut case.exchanges {
        changed |= cut_exchange(e, caps);
    }
    if let Some(reason) = case.reason.as_mut() {
        changed |= cut_front(reason, caps.check_value * 2);
    }
    for check in &mut case.checks {
        for text in [
            &mut check.description,
            &mut check.expected,
            &mut check.actual,
        ] {
            changed |= cut_front(text, caps.check_value);
        }
    }
    if let Some(p) = case.process.as_mut() {
        for output in [&mut p.stdout, &mut p.stderr] {
            if cut_back(output, caps.output) {
                p.truncated = true;
                changed = true;
            }
        }
        for note in &mut p.notes {
            changed |= cut_front(note, caps.check_value);
        }
    }
    changed
}

/// Whether `case` holds more than `caps` allow (cheap: nothing is copied).
pub fn exceeds(case: &CaseReport, caps: &EvidenceCaps) -> bool {
    let long = |s: &str, cap: usize| visible_len(s) > cap;
    case.exchanges.len() > caps.exchanges
        || case
            .reason
            .as_deref()
            .is_some_and(|r| long(r, caps.check_value * 2))
        || case.checks.iter().any(|c| {
            [&c.description, &c.expected, &c.actual]
                .iter()
                .any(|t| long(t, caps.check_value))
        })
        || case.process.as_ref().is_some_and(|p| {
            long(&p.stdout, caps.output)
                || long(&p.stderr, caps.output)
                || p.notes.iter().any(|n| long(n, caps.check_value))
        })
        || case.exchanges.iter().any(|e| {
            e.url.len() > caps.header_value
                || [&e.request_body, &e.response_body]
                    .iter()
                    .any(|b| b.as_deref().is_some_and(|b| long(b, caps.body)))
                || [&e.request_headers, &e.response_headers].iter().any(|h| {
                    h.iter().filter(|p| p.name != MORE_HEADERS).count() > caps.headers
                        || h.iter().any(|p| long(&p.value, caps.header_value))
                })
        })
}

fn cut_exchange(e: &mut Exchange, caps: &EvidenceCaps) -> bool {
    let mut changed = cut_front(&mut e.url, caps.header_value);
    for headers in [&mut e.request_headers, &mut e.response_headers] {
        changed |= cut_headers(headers, caps);
    }
    for body in [e.request_body.as_mut(), e.response_body.as_mut()]
        .into_iter()
        .flatten()
    {
        changed |= cut_front(body, caps.body);
    }
    if changed
        && e.response_body
            .as_deref()
            .is_some_and(|b| b.contains(MARK_OPEN))
    {
        e.response_truncated = true;
    }
    if let Some(error) = e.transport_error.as_mut() {
        changed |= cut_front(error, caps.check_value);
    }
    changed
}

/// Keeps the first `caps.headers` headers, and one more that says how many were left out
/// (order and repetition are evidence, so the kept ones stay as they came).
fn cut_headers(headers: &mut Vec<HeaderPair>, caps: &EvidenceCaps) -> bool {
    let mut changed = false;
    let mut left_out = 0;
    if headers.last().is_some_and(|h| h.name == MORE_HEADERS) {
        let said = headers.pop().map(|h| h.value).unwrap_or_default();
        left_out = said
            .trim_start_matches('[')
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
    }
    if headers.len() > caps.headers {
        left_out += headers.len() - caps.headers;
        headers.truncate(caps.headers);
        changed = true;
    }
    for h in headers.iter_mut() {
        changed |= cut_front(&mut h.value, caps.header_value);
    }
    if left_out > 0 {
        headers.push(HeaderPair::new(
            MORE_HEADERS,
            format!("[{left_out} more headers not shown in the report]"),
        ));
    }
    changed
}

/// The text without its marker, and the length it had before the first cut.
fn split_marker(s: &str) -> (&str, usize) {
    if let Some(body) = s.strip_suffix(MARK_CLOSE) {
        if let Some(at) = body.rfind(MARK_OPEN) {
            if let Ok(n) = body[at + MARK_OPEN.len()..].parse() {
                return (body[..at].strip_suffix('…').unwrap_or(&body[..at]), n);
            }
        }
    }
    if let Some(rest) = s.strip_prefix(MARK_OPEN.trim_start()) {
        if let Some((n, text)) = rest.split_once(MARK_CLOSE) {
            if let Ok(n) = n.parse() {
                return (text.strip_prefix('…').unwrap_or(text), n);
            }
        }
    }
    (s, s.len())
}

fn visible_len(s: &str) -> usize {
    split_marker(s).0.len()
}

/// Keeps the first `cap` bytes of `s` (on a character boundary) and marks the cut.
fn cut_front(s: &mut String, cap: usize) -> bool {
    let (text, total) = split_marker(s);
    if text.len() <= cap {
        return false;
    }
    let kept = floor_boundary(text, cap);
    *s = format!("{}…{MARK_OPEN}{total}{MARK_CLOSE}", &text[..kept]);
    true
}

/// Keeps the last `cap` bytes of `s` and marks the cut before them.
fn cut_back(s: &mut String, cap: usize) -> bool {
    let (text, total) = split_marker(s);
    if text.len() <= cap {
        return false;
    }
    let mut from = text.len() - cap;
    while !text.is_char_boundary(from) {
        from += 1;
    }
    *s = format!(
        "{}{total}{MARK_CLOSE}…{}",
        MARK_OPEN.trim_start(),
        &text[from..]
    );
    true
}

fn floor_boundary(s: &str, mut at: usize) -> usize {
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_says_the_original_length_and_cutting_again_keeps_it() {
        let mut s = "é".repeat(100); // 200 bytes
        assert!(cut_front(&mut s, 51));
        assert!(s.starts_with(&"é".repeat(25)), "{s}");
        assert!(
            s.ends_with("… [cut for the report: 200 bytes in all]"),
            "{s}"
        );
        let once = s.clone();
        assert!(!cut_front(&mut s, 51), "the same cap again changes nothing");
        assert_eq!(s, once);
        assert!(cut_front(&mut s, 10));
        assert!(s.ends_with("[cut for the report: 200 bytes in all]"), "{s}");
        assert_eq!(split_marker(&s).0, "é".repeat(5));
    }

    #[test]
    fn process_output_keeps_its_end() {
        let mut s = format!("{}the end", "x".repeat(1000));
        assert!(cut_back(&mut s, 7));
        assert_eq!(s, "[cut for the report: 1007 bytes in all]…the end");
        assert!(!cut_back(&mut s, 7));
        assert!(cut_back(&mut s, 3));
        assert_eq!(s, "[cut for the report: 1007 bytes in all]…end");
    }

    #[test]
    fn headers_past_the_cap_are_counted_in_one_more() {
        let caps = EvidenceCaps {
            exchanges: 1,
            body: 1,
            headers: 2,
            header_value: 4,
            check_value: 1,
            output: 1,
        };
        let mut headers: Vec<HeaderPair> = (0..5)
            .map(|i| HeaderPair::new(format!("h{i}"), "value"))
            .collect();
        assert!(cut_headers(&mut headers, &caps));
        assert_eq!(headers.len(), 3);
        assert_eq!(headers[2].value, "[3 more headers not shown in the report]");
        let tighter = EvidenceCaps { headers: 1, ..caps };
        assert!(cut_headers(&mut headers, &tighter));
        assert_eq!(headers.len(), 2);
        assert_eq!(headers[1].value, "[4 more headers not shown in the report]");
        assert!(!cut_headers(&mut headers, &tighter));
    }
}
