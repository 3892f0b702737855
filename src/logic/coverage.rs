//! Which cases cover which requirement, clause and revision (`mcp-authspec coverage`),
//! and the rule the project's tests hold the catalog and the cases to: every core
//! requirement that applies to a revision has a case in that revision, and every clause
//! of a MUST-level requirement a case somewhere, or the catalog says why none can.

use super::case::Case;
use super::catalog::{Catalog, Requirement};
use crate::vocab::{
    ClauseCoverage, CoverageCount, CoverageReport, Level, RequirementCoverage, Revision,
    RevisionCoverage, Role, UntestedKind, UntestedNote,
};

/// The coverage of every catalog requirement by `cases`.
pub fn coverage<'a>(
    catalog: &Catalog,
    cases: impl IntoIterator<Item = &'a Case>,
) -> CoverageReport {
    let cases: Vec<&Case> = cases.into_iter().collect();
    let mut requirements: Vec<RequirementCoverage> = catalog
        .requirements()
        .iter()
        .map(|r| requirement_coverage(r, &cases))
        .collect();
    // Core first, then the extensions; catalog order within each.
    requirements.sort_by_key(|r| r.extension);
    let summary = summary(&requirements);
    CoverageReport {
        requirements,
        summary,
    }
}

fn requirement_coverage(req: &Requirement, cases: &[&Case]) -> RequirementCoverage {
    let citing: Vec<&Case> = cases
        .iter()
        .copied()
        .filter(|c| c.requirement.id == req.id)
        .collect();
    let revisions = req
        .revisions
        .iter()
        .map(|&revision| {
            let in_revision: Vec<&Case> = citing
                .iter()
                .copied()
                .filter(|c| c.file.revisions.contains(&revision))
                .collect();
            let clauses = req
                .clauses
                .iter()
                .filter(|cl| cl.applies_to(revision))
                .map(|cl| ClauseCoverage {
                    key: cl.key.clone(),
                    text: cl.text.clone(),
                    level: cl.level.unwrap_or(req.level),
                    cases: in_revision
                        .iter()
                        .filter(|c| c.file.clause.as_ref().is_some_and(|k| k.value == cl.key))
                        .map(|c| c.id().to_string())
                        .collect(),
                    untested: cl.untested.clone(),
                })
                .collect();
            RevisionCoverage {
                revision,
                cases: in_revision.iter().map(|c| c.id().to_string()).collect(),
                clauses,
            }
        })
        .collect();
    RequirementCoverage {
        id: req.id.clone(),
        role: req.role,
        level: req.level,
        statement: req.statement.clone(),
        extension: req.is_extension(),
        untested: req.untested.as_ref().map(|u| UntestedNote {
            kind: u.kind,
            reason: u.reason.clone(),
        }),
        revisions,
    }
}

/// Whether the requirement counts as black-box testable: every one does unless the
/// catalog gives the reason it is not.
fn testable(r: &RequirementCoverage) -> bool {
    r.untested
        .as_ref()
        .is_none_or(|u| u.kind != UntestedKind::NotBlackBox)
}

fn summary(requirements: &[RequirementCoverage]) -> Vec<CoverageCount> {
    let mut counts = Vec::new();
    for role in Role::ALL {
        for revision in Revision::ALL {
            let mut count = CoverageCount {
                role,
                revision,
                testable: 0,
                covered: 0,
                must_testable: 0,
                must_covered: 0,
            };
            for r in requirements
                .iter()
                .filter(|r| r.role == role && !r.extension && testable(r))
            {
                let Some(rc) = r.revisions.iter().find(|rc| rc.revision == revision) else {
                    continue;
                };
                count.testable += 1;
                count.covered += usize::from(rc.covered());
                if r.level == Level::MUST {
                    count.must_testable += 1;
                    count.must_covered += usize::from(rc.covered());
                }
            }
            counts.push(count);
        }
    }
    counts
}

/// What breaks the coverage rule, one line each: a core requirement (of any level) that
/// applies to a revision with neither a case in it nor a reason in the catalog; a MUST
/// clause of a core requirement with neither a case in any revision nor a reason.
pub fn coverage_gaps(report: &CoverageReport) -> Vec<String> {
    let mut gaps = Vec::new();
    for r in report
        .requirements
        .iter()
        .filter(|r| !r.extension && r.untested.is_none())
    {
        for rc in &r.revisions {
            if !rc.covered() {
                gaps.push(format!(
                    "{} ({}, {}): no case and no `untested:` reason in the catalog",
                    r.id, r.level, rc.revision
                ));
            }
        }
        let mut seen = Vec::new();
        for cl in r.revisions.iter().flat_map(|rc| &rc.clauses) {
            if cl.level != Level::MUST || seen.contains(&cl.key) {
                continue;
            }
            seen.push(cl.key.clone());
            let covered_anywhere = r
                .revisions
                .iter()
                .flat_map(|rc| &rc.clauses)
                .any(|c| c.key == cl.key && !c.cases.is_empty());
            if !covered_anywhere && cl.untested.is_none() {
                gaps.push(format!(
                    "{} clause `{}`: no case and no `untested:` reason in the catalog",
                    r.id, cl.key
                ));
            }
        }
    }
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logic::case::parse_case;

    const CATALOG: &str = "\
- id: RS-X-01
  role: server
  level: MUST
  revisions: {since: 2025-11-25}
  statement: x
  sources: []
  clauses:
    - {key: first, text: one}
    - {key: second, text: two, revisions: [2026-07-28]}
- id: RS-X-02
  role: server
  level: MUST
  revisions: [2026-07-28]
  statement: y
  sources: []
  untested: {kind: not-black-box, reason: inside the server}
- id: RS-X-03
  role: server
  level: SHOULD
  revisions: [2026-07-28]
  statement: z
  sources: []
";

    fn case(clause: &str, revisions: &str) -> String {
        format!(
            "id: server/x/{clause}\ntitle: t\nrequirement: RS-X-01\nclause: {clause}\n\
             level: MUST\nrevisions: {revisions}\ndefect: no-www-authenticate\nsteps:\n  \
             - send: {{url: \"{{target}}\", mcp: first_protected}}\n    expect:\n      \
             - query: status\n        is: {{equals: 401}}\n"
        )
    }

    #[test]
    fn clauses_count_per_revision_and_gaps_name_what_is_missing() {
        let catalog = Catalog::parse(CATALOG, "c.yaml").unwrap();
        let first = parse_case(
            &case("first", "[2025-11-25]"),
            "cases/server/x/first.yaml",
            &catalog,
        )
        .unwrap_or_else(|d| panic!("{d:?}"));
        let report = coverage(&catalog, [&first]);
        let x1 = &report.requirements[0];
        assert_eq!(x1.revisions.len(), 2);
        assert_eq!(
            x1.revisions[0].clauses.len(),
            1,
            "`second` is 2026-07-28 only"
        );
        assert_eq!(x1.revisions[0].clauses[0].cases, ["server/x/first"]);
        assert_eq!(
            coverage_gaps(&report),
            [
                "RS-X-01 (MUST, 2026-07-28): no case and no `untested:` reason in the catalog",
                "RS-X-01 clause `second`: no case and no `untested:` reason in the catalog",
                "RS-X-03 (SHOULD, 2026-07-28): no case and no `untested:` reason in the catalog",
            ],
            "RS-X-02 has a reason"
        );
        let server_2026 = report
            .summary
            .iter()
            .find(|c| c.role == Role::Server && c.revision == Revision::R2026_07_28)
            .unwrap();
        assert_eq!(
            (server_2026.testable, server_2026.covered),
            (2, 0),
            "RS-X-02 is not black-box testable"
        );
    }

    #[test]
    fn a_case_must_name_an_existing_clause_that_applies_to_its_revisions() {
        let catalog = Catalog::parse(CATALOG, "c.yaml").unwrap();
        let text = case("second", "[2025-11-25]");
        let d = parse_case(&text, "cases/server/x/second.yaml", &catalog).unwrap_err();
        assert!(
            d[0].message.contains("does not apply to 2025-11-25"),
            "{d:?}"
        );
        let text = case("firs", "[2025-11-25]");
        let d = parse_case(&text, "cases/server/x/firs.yaml", &catalog).unwrap_err();
        assert_eq!(d[0].hint.as_deref(), Some("did you mean `first`?"), "{d:?}");
        let text = case("first", "[2025-11-25]").replace("clause: first\n", "");
        let d = parse_case(&text, "cases/server/x/first.yaml", &catalog).unwrap_err();
        assert!(d[0].message.contains("split into clauses"), "{d:?}");
        let text = case("first", "[2025-11-25]").replace("level: MUST", "level: SHOULD");
        let d = parse_case(&text, "cases/server/x/first.yaml", &catalog).unwrap_err();
        assert!(
            d[0].message
                .contains("level is SHOULD, but clause `first` is MUST"),
            "{d:?}"
        );
    }
}
