//! Reading the `WWW-Authenticate` challenge of a 401 or 403 (RFC 9110 §11.6.1, RFC 6750
//! §3, RFC 9728 §5.1): the Bearer challenge's `resource_metadata`, `scope` and `error`.
//! The conformant reading uses the strict RFC 9110 parser; two defects read it the
//! ways careless clients do.

use super::wire::headers;
use crate::logic::www_authenticate::{find_challenge, parse_challenges, Challenge};
use crate::transport::HttpResponse;
use crate::vocab::ClientDefect;

/// What the client takes from a challenge. Empty when there is no usable one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct ChallengeInfo {
    /// RFC 9728 §5.1: where the protected resource metadata is.
    pub resource_metadata: Option<String>,
    /// RFC 6750 §3: the scope the resource wants (MCP "Scope Selection Strategy").
    pub scope: Option<String>,
    /// RFC 6750 §3.1: `invalid_token`, `insufficient_scope`, …
    pub error: Option<String>,
}

/// Reads the challenge of `response` as the client's defects dictate.
pub(super) fn read_challenge(
    response: &HttpResponse,
    has: impl Fn(ClientDefect) -> bool,
) -> ChallengeInfo {
    let mut values = headers(response, "WWW-Authenticate");
    if values.is_empty() {
        return ChallengeInfo::default();
    }
    if has(ClientDefect::FirstHeaderLineOnly) {
        values.truncate(1);
    }
    if has(ClientDefect::NaiveChallengeParser) {
        return naive(&values.join(", "));
    }
    if has(ClientDefect::ChallengeParamsWithoutBws) {
        return literal(&values.join(", "));
    }
    // A header that does not parse is no usable challenge: the client then discovers
    // the metadata at the well-known URIs (MCP 2025-11-25 "Protected Resource Metadata
    // Discovery Requirements": the fallback when the header names none).
    let Ok(challenges) = parse_challenges(&values) else {
        return ChallengeInfo::default();
    };
    let chosen = if has(ClientDefect::FirstChallengeOnly) {
        challenges.first()
    } else if has(ClientDefect::CaseSensitiveScheme) {
        challenges.iter().find(|c| c.scheme == "Bearer")
    } else {
        // RFC 9110 §11.6.1: a response may offer several challenges; MCP tokens are
        // Bearer tokens (RFC 6750), so only that one concerns the client.
        // A DPoP server challenges with DPoP instead (RFC 9449 §7.1), naming the
        // metadata the same way.
        find_challenge(&challenges, "Bearer").or_else(|| find_challenge(&challenges, "DPoP"))
    };
    chosen.map(from_challenge).unwrap_or_default()
}

fn from_challenge(c: &Challenge) -> ChallengeInfo {
    let value = |name| c.param(name).map(str::to_string);
    ChallengeInfo {
        resource_metadata: value("resource_metadata"),
        scope: value("scope"),
        error: value("error"),
    }
}

/// The `NaiveChallengeParser` defect: split on `,` and `=` without honouring quoted
/// strings, trimming quotes; the last word before `=` is the name, so the scheme glued
/// to the first parameter (`Bearer scope`) is dropped. First occurrence wins.
/// The `ChallengeParamsWithoutBws` defect: `name="value"` found literally, as a regular
/// expression without RFC 9110 §11.2's optional whitespace around `=` would.
fn literal(value: &str) -> ChallengeInfo {
    let find = |name: &str| {
        let start = value.find(&format!("{name}=\""))? + name.len() + 2;
        let end = value[start..].find('"')? + start;
        Some(value[start..end].to_string())
    };
    ChallengeInfo {
        resource_metadata: find("resource_metadata"),
        scope: find("scope"),
        error: find("error"),
    }
}

fn naive(value: &str) -> ChallengeInfo {
    let mut info = ChallengeInfo::default();
    for piece in value.split(',') {
        let Some((name, raw)) = piece.split_once('=') else {
            continue;
        };
        let name = name.split_whitespace().last().unwrap_or_default();
        let value = raw.trim().trim_matches('"').to_string();
        let slot = match name.to_ascii_lowercase().as_str() {
            "resource_metadata" => &mut info.resource_metadata,
            "scope" => &mut info.scope,
            "error" => &mut info.error,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value);
        }
    }
    info
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::vocab::HeaderPair;

    fn response(values: &[&str]) -> HttpResponse {
        HttpResponse {
            status: 401,
            headers: values
                .iter()
                .map(|v| HeaderPair::new("WWW-Authenticate", *v))
                .collect(),
            body: Vec::new(),
            truncated: false,
            elapsed: Duration::ZERO,
        }
    }

    const TWO: &str = "Basic realm=\"a, scope=wrong\", Bearer error_description=\"x, scope=bad\", \
                       scope=\"mcp:tools\", resource_metadata=\"http://h/m\"";

    #[test]
    fn strict_reading_takes_the_bearer_challenge() {
        let info = read_challenge(&response(&[TWO]), |_| false);
        assert_eq!(info.scope.as_deref(), Some("mcp:tools"));
        assert_eq!(info.resource_metadata.as_deref(), Some("http://h/m"));
    }

    #[test]
    fn defective_readings_differ() {
        let first = read_challenge(&response(&[TWO]), |d| d == ClientDefect::FirstChallengeOnly);
        assert_eq!(first, ChallengeInfo::default());
        let naive = read_challenge(&response(&[TWO]), |d| {
            d == ClientDefect::NaiveChallengeParser
        });
        assert_eq!(naive.scope.as_deref(), Some("wrong"));
    }

    #[test]
    fn malformed_or_missing_headers_give_nothing() {
        let bad = response(&["Bearer resource_metadata=\"http://h/m"]);
        assert_eq!(read_challenge(&bad, |_| false), ChallengeInfo::default());
        assert_eq!(
            read_challenge(&response(&[]), |_| false),
            ChallengeInfo::default()
        );
    }
}
