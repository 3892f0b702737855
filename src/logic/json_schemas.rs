//! The JSON Schemas of the suite's own formats, generated from the Rust types so they
//! cannot drift: `schemas/case.schema.json` (case files, for editors) and
//! `schemas/report.schema.json` (the JSON report). A test compares them with the files.

use serde_json::Value;

use super::case_model::CaseFile;
use crate::vocab::RunReport;

pub const CASE_SCHEMA_PATH: &str = "schemas/case.schema.json";
pub const REPORT_SCHEMA_PATH: &str = "schemas/report.schema.json";

pub fn case_schema() -> Value {
    let mut v = serde_json::to_value(schemars::schema_for!(CaseFile)).unwrap_or(Value::Null);
    v["$id"] = Value::String("https://mcp-authspec.dev/schemas/case.schema.json".into());
    v["title"] = Value::String("mcp-authspec case".into());
    v
}

pub fn report_schema() -> Value {
    let mut v = serde_json::to_value(schemars::schema_for!(RunReport)).unwrap_or(Value::Null);
    v["$id"] = Value::String("https://mcp-authspec.dev/schemas/report.schema.json".into());
    v["title"] = Value::String("mcp-authspec run report".into());
    v
}

/// The schema as it is written to its file (pretty, trailing newline).
pub fn render(schema: &Value) -> String {
    let mut s = serde_json::to_string_pretty(schema).unwrap_or_default();
    s.push('\n');
    s
}
