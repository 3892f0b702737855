//! The JSON report: the complete [`RunReport`], in the shape `schemas/report.schema.json`
//! describes. It is the one format that loses nothing, so the other formats may abbreviate
//! (cut bodies, group cases) and point here for the full story.

use crate::vocab::RunReport;

/// Renders the report as pretty-printed JSON with a trailing newline, so that the file
/// diffs well and ends the way text files are expected to end.
pub fn render_json(report: &RunReport) -> String {
    // Serialization cannot fail: the report is plain structs, strings, numbers and enums,
    // with no maps keyed by non-strings and no custom `Serialize` impls that may error.
    let mut json = serde_json::to_string_pretty(report).expect("a RunReport always serializes");
    json.push('\n');
    json
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outputs::fixture::sample_report;

    #[test]
    fn round_trips_into_an_equal_report() {
        let report = sample_report();
        let json = render_json(&report);
        let back: RunReport = serde_json::from_str(&json).unwrap();
        assert_eq!(back, report);
    }

    #[test]
    fn run_error_round_trips_too() {
        let mut report = sample_report();
        report.error = Some("target http://127.0.0.1:38080/mcp is unreachable".into());
        let back: RunReport = serde_json::from_str(&render_json(&report)).unwrap();
        assert_eq!(back, report);
    }

    #[test]
    fn is_pretty_and_ends_with_a_newline() {
        let json = render_json(&sample_report());
        assert!(json.starts_with("{\n  \"schema_version\""));
        assert!(json.ends_with("}\n"));
    }
}
