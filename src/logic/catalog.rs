//! The requirement catalog (`catalog/requirements.yaml`): every normative rule the suite
//! checks, with a stable ID. Cases cite an ID; reports show its statement and sources.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::vocab::{Level, Revision, Role, SpecReference};

/// The catalog as shipped with the suite.
pub const CATALOG_SOURCE: &str = include_str!("../../catalog/requirements.yaml");
pub const CATALOG_PATH: &str = "catalog/requirements.yaml";

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub id: String,
    pub role: Role,
    pub level: Level,
    pub revisions: Vec<Revision>,
    /// One-line paraphrase of the rule.
    pub statement: String,
    pub sources: Vec<Source>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub document: String,
    pub section: String,
}

impl Source {
    /// The revision of a dated MCP page (`MCP 2025-06-18 basic/authorization`).
    fn revision(&self) -> Option<Revision> {
        let rest = self.document.strip_prefix("MCP ")?;
        rest.get(..10)?.parse().ok()
    }
}

impl Requirement {
    /// The sources as report references: the undated ones (RFCs, the security best
    /// practices) plus the MCP pages of `revision`. When the catalog cites no page of that
    /// revision (a rule stated once and carried forward), every source is kept.
    pub fn references_for(&self, revision: Revision) -> Vec<SpecReference> {
        let for_revision: Vec<&Source> = self
            .sources
            .iter()
            .filter(|s| s.revision().is_none_or(|r| r == revision))
            .collect();
        let chosen = if for_revision.iter().any(|s| s.revision().is_some()) {
            for_revision
        } else {
            self.sources.iter().collect()
        };
        chosen
            .into_iter()
            .map(|s| SpecReference {
                document: s.document.clone(),
                section: s.section.clone(),
            })
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct Catalog {
    requirements: Vec<Requirement>,
}

impl Catalog {
    /// Parses catalog text; the error names `path:line:col`.
    pub fn parse(text: &str, path: &str) -> Result<Catalog, super::diagnostic::Diagnostic> {
        let requirements: Vec<Requirement> = serde_saphyr::from_str(text)
            .map_err(|e| super::diagnostic::Diagnostic::from_yaml_error(path, text, &e))?;
        Ok(Catalog { requirements })
    }

    /// The catalog shipped with the suite.
    pub fn builtin() -> &'static Catalog {
        static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::parse(CATALOG_SOURCE, CATALOG_PATH).unwrap_or_else(|d| {
                panic!("the built-in catalog is broken (a test guards this):\n{d}")
            })
        })
    }

    pub fn get(&self, id: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.id == id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.requirements.iter().map(|r| r.id.as_str())
    }

    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_parses_with_unique_ids() {
        let c = Catalog::parse(CATALOG_SOURCE, CATALOG_PATH).unwrap_or_else(|d| panic!("{d}"));
        let mut ids: Vec<&str> = c.ids().collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate requirement IDs");
        assert!(c.get("RS-401-01").is_some());
        for r in c.requirements() {
            assert!(!r.sources.is_empty(), "{} has no source", r.id);
            assert!(!r.revisions.is_empty(), "{} has no revision", r.id);
        }
    }

    #[test]
    fn references_keep_the_revision_pages_and_undated_sources() {
        let source = |d: &str| Source {
            document: d.into(),
            section: "s".into(),
        };
        let r = Requirement {
            id: "X".into(),
            role: Role::Server,
            level: Level::MUST,
            revisions: Revision::ALL.to_vec(),
            statement: "x".into(),
            sources: vec![
                source("MCP 2025-06-18 basic/authorization"),
                source("MCP 2025-11-25 basic/authorization"),
                source("RFC 9728"),
            ],
        };
        let docs = |rev| {
            r.references_for(rev)
                .into_iter()
                .map(|s| s.document)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            docs(Revision::R2025_11_25),
            ["MCP 2025-11-25 basic/authorization", "RFC 9728"]
        );
        // No page of 2026-07-28 is cited: every source stays.
        assert_eq!(docs(Revision::R2026_07_28).len(), 3);
    }
}
