//! Short phrasings shared by the human-readable writers (console, JUnit, Markdown), so
//! that a spec reference, an exchange or a duration reads the same wherever it appears.

use crate::vocab::{Exchange, SpecReference};

/// `RFC 9728, §3.3` or `MCP 2025-11-25 basic/authorization, Authorization Server Location`.
pub(crate) fn spec_ref(spec: &SpecReference) -> String {
    if spec.section.trim().is_empty() {
        spec.document.clone()
    } else {
        format!("{}, {}", spec.document, spec.section)
    }
}

/// One line per exchange: `GET http://host/path -> 401`, or what broke when no response
/// arrived. A transport error after a status (a reset mid-body) is shown as well, because
/// the status alone would suggest a complete response.
pub(crate) fn exchange_line(exchange: &Exchange) -> String {
    let outcome = match (exchange.status, &exchange.transport_error) {
        (Some(status), None) => status.to_string(),
        (Some(status), Some(err)) => format!("{status} (then transport error: {err})"),
        (None, Some(err)) => format!("transport error: {err}"),
        (None, None) => "no response".to_string(),
    };
    format!("{} {} -> {}", exchange.method, exchange.url, outcome)
}

/// A duration for people: `850 ms`, `12.3 s`, `2 min 5.0 s`.
pub(crate) fn duration(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1_000.0)
    } else {
        let minutes = ms / 60_000;
        let rest = (ms % 60_000) as f64 / 1_000.0;
        format!("{minutes} min {rest:.1} s")
    }
}

/// The line that says how many exchanges of the case the report left out, if any.
pub(crate) fn omitted_exchanges_line(case: &crate::vocab::CaseReport) -> Option<String> {
    (case.omitted_exchanges > 0).then(|| {
        format!(
            "{} more exchanges are not shown: a report keeps a bounded part of each case's \
             evidence (README \"Budgets\")",
            case.omitted_exchanges
        )
    })
}

/// `text` cut to `limit` characters (never inside a UTF-8 sequence), without its final
/// newline, with a note saying how much was left out and that `full_report` has the rest.
pub(crate) fn cut_chars(text: &str, limit: usize, full_report: &str) -> String {
    let text = text.strip_suffix('\n').unwrap_or(text);
    match text.char_indices().nth(limit) {
        None => text.to_string(),
        Some((end, _)) => format!(
            "{}\n[cut at {limit} of {} characters; {full_report} has the rest]",
            &text[..end],
            text.chars().count()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(0), "0 ms");
        assert_eq!(duration(999), "999 ms");
        assert_eq!(duration(1_240), "1.2 s");
        assert_eq!(duration(125_000), "2 min 5.0 s");
    }

    #[test]
    fn spec_reference_without_section_is_just_the_document() {
        let spec = SpecReference {
            document: "RFC 8707".into(),
            section: String::new(),
        };
        assert_eq!(spec_ref(&spec), "RFC 8707");
    }
}
