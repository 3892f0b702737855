//! Reading a `report.json` back (`mcp-authspec merge`): a report is the user's input
//! then, so a broken one is named with its line and column, never a panic.

use std::path::Path;

use crate::vocab::{RunReport, REPORT_SCHEMA_VERSION};

/// What merge expects, said after every error.
const HINT: &str = "  = hint: give the report.json a run wrote (or the folder it is in, \
                    the run's --out); every report format is made from it";

#[derive(Debug, thiserror::Error)]
pub enum ReportFileError {
    #[error("error: cannot read {path}: {source}\n{HINT}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("error: {path}:{line}:{column}: not a report of this suite: {message}\n{HINT}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "error: {path}: report schema {found}, and this mcp-authspec reads \
         {REPORT_SCHEMA_VERSION}\n  = hint: merge with the version of mcp-authspec that \
         wrote the reports"
    )]
    Schema { path: String, found: String },
}

/// Reads and parses one report file.
pub fn read_report(path: &Path) -> Result<RunReport, ReportFileError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ReportFileError::Io {
        path: shown.clone(),
        source,
    })?;
    parse_report(&shown, &text)
}

/// Parses a report's JSON; `path` is how messages name it.
pub fn parse_report(path: &str, text: &str) -> Result<RunReport, ReportFileError> {
    serde_json::from_str::<RunReport>(text).map_err(|e| {
        // A newer suite's report may hold fields this one does not know: the version
        // says so better than the first unknown field would.
        if let Some(found) = newer_schema(text) {
            return ReportFileError::Schema {
                path: path.to_string(),
                found,
            };
        }
        ReportFileError::Invalid {
            path: path.to_string(),
            line: e.line(),
            column: e.column(),
            // serde_json ends its text with the place, which the message shows first.
            message: e
                .to_string()
                .trim_end_matches(&format!(" at line {} column {}", e.line(), e.column()))
                .to_string(),
        }
    })
}

/// The report's `schema_version` when this suite cannot read it: another major
/// version, or a later minor one.
fn newer_schema(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let found = value.get("schema_version")?.as_str()?.to_string();
    let parts = |v: &str| -> Option<(u64, u64)> {
        let (major, minor) = v.split_once('.')?;
        Some((major.parse().ok()?, minor.parse().ok()?))
    };
    let (ours, theirs) = (parts(REPORT_SCHEMA_VERSION)?, parts(&found)?);
    (theirs.0 != ours.0 || theirs.1 > ours.1).then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_syntax_error_is_located() {
        let e = parse_report("shard/report.json", "{\n  \"schema_version\": \n}").unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("error: shard/report.json:3:1: "), "{text}");
        assert!(text.contains("hint:"), "{text}");
    }

    #[test]
    fn a_json_that_is_no_report_is_located() {
        let e = parse_report("x.json", "{\"cases\": 3}").unwrap_err();
        assert!(matches!(e, ReportFileError::Invalid { line: 1, .. }), "{e}");
    }

    #[test]
    fn a_newer_schema_is_named() {
        let e = parse_report("x.json", "{\"schema_version\": \"2.0\", \"new\": 1}").unwrap_err();
        assert!(e.to_string().contains("report schema 2.0"), "{e}");
        let e = parse_report("x.json", "{\"schema_version\": \"1.0\", \"new\": 1}").unwrap_err();
        assert!(matches!(e, ReportFileError::Invalid { .. }), "{e}");
    }

    #[test]
    fn an_unreadable_file_is_named() {
        let e = read_report(Path::new("/nonexistent/report.json")).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/report.json"), "{e}");
    }
}
