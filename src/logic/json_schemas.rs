//! The JSON Schemas of the suite's own formats, generated from the Rust types so they
//! cannot drift: `schemas/case.schema.json` (case files, for editors) and
//! `schemas/report.schema.json` (the JSON report), `schemas/catalog.schema.json` (the
//! requirement catalog) and `schemas/coverage.schema.json` (`coverage --format json`). A
//! test compares them with the files.

use serde_json::Value;

use super::case_model::CaseFile;
use super::catalog::Requirement;
use crate::vocab::{CoverageReport, RunReport};

pub const CASE_SCHEMA_PATH: &str = "schemas/case.schema.json";
pub const REPORT_SCHEMA_PATH: &str = "schemas/report.schema.json";
pub const CATALOG_SCHEMA_PATH: &str = "schemas/catalog.schema.json";
pub const COVERAGE_SCHEMA_PATH: &str = "schemas/coverage.schema.json";

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

pub fn catalog_schema() -> Value {
    let mut v =
        serde_json::to_value(schemars::schema_for!(Vec<Requirement>)).unwrap_or(Value::Null);
    v["$id"] = Value::String("https://mcp-authspec.dev/schemas/catalog.schema.json".into());
    v["title"] = Value::String("mcp-authspec requirement catalog".into());
    v
}

pub fn coverage_schema() -> Value {
    let mut v = serde_json::to_value(schemars::schema_for!(CoverageReport)).unwrap_or(Value::Null);
    v["$id"] = Value::String("https://mcp-authspec.dev/schemas/coverage.schema.json".into());
    v["title"] = Value::String("mcp-authspec coverage report".into());
    v
}

/// The schema as it is written to its file (pretty, trailing newline).
pub fn render(schema: &Value) -> String {
    let mut s = serde_json::to_string_pretty(schema).unwrap_or_default();
    s.push('\n');
    s
}
