//! The committed schemas are what the types generate, and every case file validates
//! against `schemas/case.schema.json`. Run with `UPDATE_SCHEMAS=1` to rewrite the files.

use std::path::Path;

use mcp_authspec::logic::json_schemas::{
    case_schema, catalog_schema, coverage_schema, render, report_schema, CASE_SCHEMA_PATH,
    CATALOG_SCHEMA_PATH, COVERAGE_SCHEMA_PATH, REPORT_SCHEMA_PATH,
};

fn check_fresh(path: &str, generated: &serde_json::Value) {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = render(generated);
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::write(&full, &text).expect("write schema");
        return;
    }
    let committed = std::fs::read_to_string(&full).unwrap_or_default();
    assert!(
        committed == text,
        "{path} is stale: the Rust types changed. Run `UPDATE_SCHEMAS=1 cargo test --test schemas` and commit the file."
    );
}

#[test]
fn case_schema_is_fresh() {
    check_fresh(CASE_SCHEMA_PATH, &case_schema());
}

#[test]
fn report_schema_is_fresh() {
    check_fresh(REPORT_SCHEMA_PATH, &report_schema());
}

#[test]
fn catalog_schema_is_fresh() {
    check_fresh(CATALOG_SCHEMA_PATH, &catalog_schema());
}

#[test]
fn coverage_schema_is_fresh() {
    check_fresh(COVERAGE_SCHEMA_PATH, &coverage_schema());
}

fn yaml_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read cases dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml") {
            out.push(p);
        }
    }
}

#[test]
fn every_case_file_validates_against_the_case_schema() {
    let validator = jsonschema::validator_for(&case_schema()).expect("case schema compiles");
    let mut files = Vec::new();
    yaml_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("cases"),
        &mut files,
    );
    assert!(!files.is_empty());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let doc: serde_json::Value =
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{} does not match the case schema:\n{}",
            f.display(),
            errors.join("\n")
        );
    }
}

#[test]
fn a_schema_violation_is_detected() {
    let validator = jsonschema::validator_for(&case_schema()).expect("case schema compiles");
    let doc = serde_json::json!({"id": "server/x/y", "title": "t", "requirement": "RS-401-01", "level": "MUSTY",
        "revisions": ["2025-06-18"], "defect": "no-prm", "steps": []});
    assert!(!validator.is_valid(&doc));
}
