//! The requirement catalog (`catalog/requirements.yaml`): every normative rule the suite
//! checks, with a stable ID. Cases cite an ID; reports show its statement and sources.

use schemars::JsonSchema;
use serde::Deserialize;

use super::spec_sections::same_section_in;
use crate::vocab::{Level, Revision, RevisionSet, Role, SpecReference, UntestedKind};

/// The catalog as shipped with the suite.
pub const CATALOG_SOURCE: &str = include_str!("../../catalog/requirements.yaml");
pub const CATALOG_PATH: &str = "catalog/requirements.yaml";

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub id: String,
    pub role: Role,
    pub level: Level,
    /// The revisions the rule applies to: a list, or a range `{since: …, until: …}`
    /// (inclusive; without `until`, every later revision too).
    pub revisions: RevisionSet,
    /// One-line paraphrase of the rule.
    pub statement: String,
    pub sources: Vec<Source>,
    /// The clauses of the source sentence, when it has more than one (an exception, a
    /// condition, a converse, several subjects): each is covered by its own case, which
    /// names it with `clause:`.
    #[serde(default)]
    pub clauses: Vec<Clause>,
    /// Why no case covers the requirement, when none can; shown in the coverage report.
    #[serde(default)]
    pub untested: Option<Untested>,
}

/// One clause of a requirement's source sentence.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    /// Kebab-case, unique within the requirement; cases name it with `clause:`.
    pub key: String,
    /// The clause in our own words, one sentence.
    pub text: String,
    /// When the clause applies to fewer revisions than its requirement.
    #[serde(default)]
    pub revisions: Option<RevisionSet>,
    /// When the clause's keyword differs from its requirement's level.
    #[serde(default)]
    pub level: Option<Level>,
    /// Why no case covers this clause, when none can.
    #[serde(default)]
    pub untested: Option<String>,
}

/// The catalog's reason why no case covers a requirement.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Untested {
    pub kind: UntestedKind,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub document: String,
    pub section: String,
}

impl Source {
    /// The revision and page of a dated MCP page (`MCP 2025-06-18 basic/authorization`).
    fn mcp_page(&self) -> Option<(Revision, &str)> {
        let rest = self.document.strip_prefix("MCP ")?;
        let revision = rest.get(..10)?.parse().ok()?;
        Some((revision, rest.get(10..)?.trim()))
    }

    fn revision(&self) -> Option<Revision> {
        self.mcp_page().map(|(r, _)| r)
    }

    fn reference(&self) -> SpecReference {
        SpecReference {
            document: self.document.clone(),
            section: self.section.clone(),
        }
    }
}

impl Clause {
    /// The revisions of `requirement` this clause applies to.
    pub fn applies_to(&self, revision: Revision) -> bool {
        self.revisions
            .as_ref()
            .is_none_or(|set| set.contains(&revision))
    }
}

impl Requirement {
    pub fn clause(&self, key: &str) -> Option<&Clause> {
        self.clauses.iter().find(|c| c.key == key)
    }

    /// An extension's requirement (`EXT-…`), not part of the core protocol.
    pub fn is_extension(&self) -> bool {
        self.id.starts_with("EXT-")
    }

    /// The sources as report references for a run of `revision`: that revision's MCP
    /// pages first, then the undated sources (RFCs, drafts, the security best practices)
    /// in catalog order. When the catalog cites only other revisions' pages, the same
    /// sections of `revision` stand in for them (see [`super::spec_sections`]); when
    /// `revision` has none of them, the nearest revision's pages are cited, marked
    /// "(as stated in revision X)".
    pub fn references_for(&self, revision: Revision) -> Vec<SpecReference> {
        let mut refs: Vec<SpecReference> = Vec::new();
        let push = |r: SpecReference, refs: &mut Vec<SpecReference>| {
            if !refs.contains(&r) {
                refs.push(r);
            }
        };
        for s in self
            .sources
            .iter()
            .filter(|s| s.revision() == Some(revision))
        {
            push(s.reference(), &mut refs);
        }
        if refs.is_empty() {
            for s in &self.sources {
                let Some((from, page)) = s.mcp_page() else {
                    continue;
                };
                for (page, heading) in same_section_in(from, page, &s.section, revision) {
                    let mapped = SpecReference {
                        document: format!("MCP {revision} {page}"),
                        section: heading.to_string(),
                    };
                    push(mapped, &mut refs);
                }
            }
        }
        if refs.is_empty() {
            if let Some(nearest) = self.nearest_cited_revision(revision) {
                for s in self
                    .sources
                    .iter()
                    .filter(|s| s.revision() == Some(nearest))
                {
                    let noted = SpecReference {
                        document: s.document.clone(),
                        section: format!("{} (as stated in revision {nearest})", s.section),
                    };
                    push(noted, &mut refs);
                }
            }
        }
        for s in self.sources.iter().filter(|s| s.revision().is_none()) {
            push(s.reference(), &mut refs);
        }
        refs
    }

    /// Of the revisions whose pages the catalog cites, the one nearest to `revision`;
    /// between two equally near, the earlier (the rule was already stated when
    /// `revision` was written).
    fn nearest_cited_revision(&self, revision: Revision) -> Option<Revision> {
        let index = |r: Revision| Revision::ALL.iter().position(|x| *x == r).unwrap_or(0);
        self.sources
            .iter()
            .filter_map(Source::revision)
            .min_by_key(|r| (index(*r).abs_diff(index(revision)), index(*r)))
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
            let mut keys: Vec<&str> = r.clauses.iter().map(|c| c.key.as_str()).collect();
            keys.sort();
            keys.dedup();
            assert_eq!(
                keys.len(),
                r.clauses.len(),
                "{}: duplicate clause keys",
                r.id
            );
            for cl in &r.clauses {
                let kebab = cl
                    .key
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-');
                assert!(kebab, "{} clause `{}`: not kebab-case", r.id, cl.key);
                for rev in cl.revisions.iter().flat_map(|s| s.iter()) {
                    assert!(
                        r.revisions.contains(rev),
                        "{} clause `{}`: {rev} is not a revision of the requirement",
                        r.id,
                        cl.key
                    );
                }
            }
            if r.clauses.len() == 1 {
                panic!("{}: a single clause is the requirement itself", r.id);
            }
        }
    }

    #[test]
    fn a_catalog_range_resolves_and_a_bad_one_is_located() {
        let entry = |revisions: &str| {
            format!(
                "- id: X\n  role: server\n  level: MUST\n  revisions: {revisions}\n  \
                 statement: x\n  sources: []\n"
            )
        };
        let c = Catalog::parse(&entry("{since: 2025-11-25}"), "c.yaml").unwrap();
        assert_eq!(
            c.get("X").unwrap().revisions.as_slice(),
            &Revision::ALL[2..],
            "every revision from 2025-11-25 on"
        );
        let d = Catalog::parse(&entry("{until: 2020-01-01}"), "c.yaml").unwrap_err();
        assert_eq!((d.line, d.column), (4, 22), "{d}");
        assert!(d.message.contains("unknown variant `2020-01-01`"), "{d}");
    }

    fn requirement(sources: &[(&str, &str)]) -> Requirement {
        Requirement {
            id: "X".into(),
            role: Role::Server,
            level: Level::MUST,
            revisions: RevisionSet::all(),
            statement: "x".into(),
            sources: sources
                .iter()
                .map(|(d, s)| Source {
                    document: d.to_string(),
                    section: s.to_string(),
                })
                .collect(),
            clauses: Vec::new(),
            untested: None,
        }
    }

    fn refs(r: &Requirement, revision: Revision) -> Vec<String> {
        r.references_for(revision)
            .into_iter()
            .map(|s| format!("{} | {}", s.document, s.section))
            .collect()
    }

    #[test]
    fn the_revision_under_test_is_cited_first() {
        let r = requirement(&[
            ("RFC 9728", "§5.1"),
            ("MCP 2025-06-18 basic/authorization", "Token Theft"),
            ("MCP 2025-11-25 basic/authorization", "Token Theft"),
        ]);
        assert_eq!(
            refs(&r, Revision::R2025_11_25),
            [
                "MCP 2025-11-25 basic/authorization | Token Theft",
                "RFC 9728 | §5.1"
            ]
        );
        // No page of 2026-07-28 is cited: the same section of 2026-07-28 stands in.
        assert_eq!(
            refs(&r, Revision::R2026_07_28),
            [
                "MCP 2026-07-28 basic/authorization/security-considerations | Token Theft",
                "RFC 9728 | §5.1"
            ]
        );
        // 2025-03-26 has no such section: the nearest revision's, marked.
        assert_eq!(
            refs(&r, Revision::R2025_03_26),
            [
                "MCP 2025-06-18 basic/authorization | Token Theft (as stated in revision 2025-06-18)",
                "RFC 9728 | §5.1"
            ]
        );
    }

    /// For every requirement and every revision it applies to: the first reference is
    /// an MCP page of that revision (or, for a requirement without MCP pages, an undated
    /// source), and no other revision's page appears unmarked.
    #[test]
    fn every_verdict_cites_its_own_revision_first() {
        let mut noted = Vec::new();
        for r in Catalog::builtin().requirements() {
            let cites_mcp_pages = r.sources.iter().any(|s| s.revision().is_some());
            for revision in &r.revisions {
                let refs = r.references_for(*revision);
                assert!(!refs.is_empty(), "{} {revision}: no reference", r.id);
                let own = format!("MCP {revision} ");
                let first = &refs[0];
                if cites_mcp_pages {
                    let is_own = first.document.starts_with(&own);
                    let is_noted = first.section.contains("(as stated in revision ");
                    assert!(
                        is_own || is_noted,
                        "{} {revision}: first reference {first:?}",
                        r.id
                    );
                    if is_noted {
                        noted.push(format!("{} {revision}", r.id));
                    }
                }
                for s in &refs {
                    let dated = s.document.starts_with("MCP 20");
                    if dated && !s.document.starts_with(&own) {
                        assert!(
                            s.section.contains("(as stated in revision "),
                            "{} {revision}: cites {s:?} without saying so",
                            r.id
                        );
                    }
                }
            }
        }
        // Each of these was checked against the specification: the revision under test
        // has no section stating the rule, so the nearest revision's words are cited.
        // RS-401-02: 2025-03-26 never names WWW-Authenticate (RFC 9110 §15.5.2 does).
        // RS-PRM-05: 2025-06-18 says nothing of scopes_supported. AS-META-06: 2025-06-18
        // has no client registration section beyond DCR itself (RFC 8414 §2 carries the
        // rule). AS-PKCE-03: from 2025-06-18 on, MCP states PKCE for clients only; the
        // server's side is OAuth 2.1 §4.1.1 (cited after it).
        assert_eq!(
            noted,
            [
                "RS-401-02 2025-03-26",
                "RS-PRM-05 2025-06-18",
                "AS-META-06 2025-06-18",
                "AS-PKCE-03 2025-06-18",
                "AS-PKCE-03 2025-11-25",
                "AS-PKCE-03 2026-07-28",
                // 2025-03-26 has no "Authorization Code Protection" section.
                "AS-PKCE-05 2025-03-26",
            ],
            "a new fallback: map the section in spec_sections.rs, or review and list it here"
        );
    }
}
