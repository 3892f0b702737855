//! Reading a `report.json` back (`merge`, `matrix`): a report is the user's input then,
//! so a broken one is named with its line and column, never a panic. Beyond the JSON
//! shape, a report must be this suite's, of a schema major version it reads, and its
//! summary and exit code must follow from its cases (a report edited by hand could
//! otherwise put a count or verdict into a merged report or a matrix that no run found).

use std::path::{Path, PathBuf};

use crate::vocab::{schema_major, RunReport, REPORT_SCHEMA_VERSION};

/// A report file that cannot be read as one of this suite's reports, said as a
/// diagnostic with a hint.
#[derive(Debug, PartialEq, Eq)]
pub struct BadReport {
    path: PathBuf,
    /// Line and column, when the problem has a place in the file.
    at: Option<(usize, usize)>,
    message: String,
    hint: &'static str,
}

impl std::fmt::Display for BadReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some((line, column)) = self.at {
            write!(f, ":{line}:{column}")?;
        }
        write!(f, ": error: {}\n  = hint: {}", self.message, self.hint)
    }
}

const HINT_REPORT: &str =
    "give the report.json files that mcp-authspec runs wrote (in their --out directory)";

/// Reads and checks one report.json.
pub fn read_report(path: &Path) -> Result<RunReport, BadReport> {
    let bad = |at, message: String, hint| BadReport {
        path: path.to_path_buf(),
        at,
        message,
        hint,
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad(None, format!("cannot read the report: {e}"), HINT_REPORT))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        bad(
            Some((e.line(), e.column())),
            format!("not JSON: {}", without_position(&e)),
            HINT_REPORT,
        )
    })?;
    let version = value.get("schema_version").and_then(|v| v.as_str());
    let tool = value
        .get("tool")
        .and_then(|t| t.get("name"))
        .and_then(|n| n.as_str());
    let version = match (version, tool) {
        (Some(version), Some("mcp-authspec")) => version,
        _ => {
            let found = match value.get("schema_version") {
                Some(v) => format!("schema_version {v}"),
                None => "no schema_version".to_string(),
            };
            return Err(bad(
                None,
                format!(
                    "not an mcp-authspec report ({found}, tool {})",
                    tool.unwrap_or("not named")
                ),
                HINT_REPORT,
            ));
        }
    };
    if schema_major(version) != schema_major(REPORT_SCHEMA_VERSION) {
        return Err(bad(
            None,
            format!(
                "report schema_version {version}: this mcp-authspec reads {}.x",
                schema_major(REPORT_SCHEMA_VERSION)
            ),
            "render it with the mcp-authspec version that wrote it, or run the cases again",
        ));
    }
    let report: RunReport = serde_json::from_str(&text).map_err(|e| {
        bad(
            Some((e.line(), e.column())),
            format!("not a valid mcp-authspec report: {}", without_position(&e)),
            "schemas/report.schema.json describes the format; a report edited by hand may \
             have lost a field",
        )
    })?;
    let derived = report.clone().rejudge();
    if derived.summary != report.summary || derived.exit_code != report.exit_code {
        return Err(bad(
            None,
            format!(
                "its summary and exit code do not follow from its cases (it says {} failed of \
                 {}, exit code {}; its cases say {} of {}, exit code {})",
                report.summary.fail,
                report.summary.total,
                report.exit_code,
                derived.summary.fail,
                derived.summary.total,
                derived.exit_code
            ),
            "the report was edited after the run; use the report.json the run wrote",
        ));
    }
    Ok(report)
}

/// serde_json's message without its ` at line L column C`, which the diagnostic gives in
/// front.
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str, text: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("mcp-authspec-report-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn sample_json() -> String {
        let report = RunReport::assemble(
            Vec::new(),
            vec![crate::vocab::Revision::LATEST],
            crate::vocab::Profile::Strict,
            "2025-12-01T09:30:00Z".into(),
            5,
            None,
            Vec::new(),
        );
        serde_json::to_string_pretty(&report).unwrap()
    }

    #[test]
    fn a_written_report_loads() {
        let path = temp_file("good.json", &sample_json());
        assert_eq!(read_report(&path).unwrap().exit_code, 0);
    }

    #[test]
    fn json_errors_give_line_and_column() {
        let path = temp_file(
            "broken.json",
            "{\n  \"schema_version\": \"1.1\",\n  oops\n}",
        );
        let err = read_report(&path).unwrap_err();
        assert_eq!(err.at, Some((3, 3)));
        let text = err.to_string();
        assert!(
            text.contains("broken.json:3:3: error: not JSON: key must be a string"),
            "{text}"
        );
        assert!(text.contains("= hint:"), "{text}");
    }

    #[test]
    fn another_json_is_not_a_report() {
        let path = temp_file(
            "other.json",
            r#"{"schema_version": "2020-12", "tool": {"name": "x"}}"#,
        );
        let text = read_report(&path).unwrap_err().to_string();
        assert!(
            text.contains("not an mcp-authspec report (schema_version \"2020-12\""),
            "{text}"
        );
        let path = temp_file("list.json", "[1, 2]");
        let text = read_report(&path).unwrap_err().to_string();
        assert!(
            text.contains("not an mcp-authspec report (no schema_version"),
            "{text}"
        );
    }

    #[test]
    fn another_major_version_is_refused() {
        let json =
            sample_json().replace("\"schema_version\": \"1.2\"", "\"schema_version\": \"2.0\"");
        let path = temp_file("v2.json", &json);
        let text = read_report(&path).unwrap_err().to_string();
        assert!(
            text.contains("report schema_version 2.0: this mcp-authspec reads 1.x"),
            "{text}"
        );
    }

    #[test]
    fn a_missing_field_is_located() {
        let json = sample_json().replace("\"profile\": \"strict\",", "");
        let path = temp_file("field.json", &json);
        let text = read_report(&path).unwrap_err().to_string();
        assert!(
            text.contains("not a valid mcp-authspec report: missing field `profile`"),
            "{text}"
        );
    }

    #[test]
    fn a_summary_that_does_not_follow_from_the_cases_is_refused() {
        let json = sample_json().replace("\"exit_code\": 0", "\"exit_code\": 1");
        let path = temp_file("edited.json", &json);
        let text = read_report(&path).unwrap_err().to_string();
        assert!(text.contains("do not follow from its cases"), "{text}");
        assert!(
            text.contains("exit code 1; its cases say 0 of 0, exit code 0"),
            "{text}"
        );
    }
}
