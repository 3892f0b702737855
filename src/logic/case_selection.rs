//! Which cases a run selects: `--case`, `--exclude`, `--requirement`, `--level` and
//! `--scenario`. Different flags combine with AND, repeats of one flag with OR. A pattern
//! or name that selects no case at all is an error with a did-you-mean: a typo must not
//! silently run nothing, nor everything.

use std::fmt;

use super::case::Case;
use super::diagnostic::did_you_mean;
use crate::vocab::Level;

/// The selection flags of a run, as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// `--case`: globs over case ids (`*` any characters, `/` included; `?` one); a
    /// test name with `::` stands for the id.
    pub cases: Vec<String>,
    /// `--exclude`: the same grammar, applied after the others.
    pub exclude: Vec<String>,
    /// `--requirement`: globs over requirement ids (`RS-PRM-*`).
    pub requirements: Vec<String>,
    /// `--level`.
    pub levels: Vec<Level>,
    /// `--scenario`: names of the official conformance suite's scenarios.
    pub scenarios: Vec<String>,
}

impl CaseFilter {
    /// True when no flag is given: every case is selected.
    pub fn is_empty(&self) -> bool {
        *self == CaseFilter::default()
    }

    /// The flags as a user wrote them, for messages: `--case 'client/*' --level MUST`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let mut push = |flag: &str, values: Vec<String>| {
            parts.extend(values.into_iter().map(|v| format!("{flag} {v}")));
        };
        push("--case", self.cases.clone());
        push("--exclude", self.exclude.clone());
        push("--requirement", self.requirements.clone());
        push(
            "--level",
            self.levels.iter().map(|l| l.to_string()).collect(),
        );
        push("--scenario", self.scenarios.clone());
        parts.join(" ")
    }
}

/// What selection reads of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFacts<'a> {
    pub id: &'a str,
    pub requirement: &'a str,
    pub level: Level,
    /// `Case::official_scenario()`.
    pub scenario: Option<&'a str>,
}

impl<'a> CaseFacts<'a> {
    pub fn of(case: &'a Case) -> CaseFacts<'a> {
        CaseFacts {
            id: case.id(),
            requirement: &case.requirement.id,
            level: case.file.level,
            scenario: case.official_scenario(),
        }
    }
}

/// A flag's value that selects no case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectionError {
    /// `--case`, `--exclude`, `--requirement`, `--level` or `--scenario`.
    pub flag: &'static str,
    pub value: String,
    /// The nearest name that does exist.
    pub suggestion: Option<String>,
}

impl fmt::Display for SelectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.flag {
            "--scenario" => "selects no case: no case belongs to that official scenario",
            "--requirement" => "matches no case's requirement",
            "--level" => "selects no case: no case is of that level",
            _ => "matches no case id",
        };
        writeln!(f, "error: {} `{}` {what}", self.flag, self.value)?;
        let list = match self.flag {
            "--scenario" => {
                "`mcp-authspec list --scenarios` shows the official client scenarios, and \
                 the cases' scenarios show in report.json (`scenario`)"
            }
            "--requirement" => "`mcp-authspec list` shows each case's requirement (3rd column)",
            _ => "`mcp-authspec list` shows every case id",
        };
        match &self.suggestion {
            Some(s) => writeln!(f, "  = help: did you mean `{s}`? {list}"),
            None => writeln!(f, "  = help: {list}"),
        }
    }
}

/// The id a `--case` or `--exclude` pattern is about: a test name (`client::pkce::x`)
/// stands for the id (`client/pkce/x`).
fn id_pattern(pattern: &str) -> String {
    pattern.replace("::", "/")
}

/// A glob: `*` matches any run of characters (`/` included), `?` exactly one; the rest
/// matches itself.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    // The last `*` seen and the text position it was tried at: on a mismatch it takes
    // one more character (linear backtracking, no blow-up on many stars).
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn any_glob(patterns: &[String], text: &str) -> bool {
    patterns.iter().any(|p| glob_matches(p, text))
}

/// The indices of the selected cases, in their order; or the first flag value that
/// selects no case of `cases` at all.
pub fn select(cases: &[CaseFacts<'_>], filter: &CaseFilter) -> Result<Vec<usize>, SelectionError> {
    let ids: Vec<String> = filter.cases.iter().map(|p| id_pattern(p)).collect();
    let excluded: Vec<String> = filter.exclude.iter().map(|p| id_pattern(p)).collect();
    check_each(&filter.cases, &ids, "--case", cases, |c| c.id)?;
    check_each(&filter.exclude, &excluded, "--exclude", cases, |c| c.id)?;
    check_each(
        &filter.requirements,
        &filter.requirements,
        "--requirement",
        cases,
        |c| c.requirement,
    )?;
    for level in &filter.levels {
        if !cases.iter().any(|c| c.level == *level) {
            return Err(SelectionError {
                flag: "--level",
                value: level.to_string(),
                suggestion: None,
            });
        }
    }
    for name in &filter.scenarios {
        if !cases.iter().any(|c| c.scenario == Some(name.as_str())) {
            let mut known: Vec<&str> = cases.iter().filter_map(|c| c.scenario).collect();
            known.sort_unstable();
            known.dedup();
            return Err(SelectionError {
                flag: "--scenario",
                value: name.clone(),
                suggestion: did_you_mean(name, known).map(str::to_string),
            });
        }
    }
    Ok(cases
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            (ids.is_empty() || any_glob(&ids, c.id))
                && (filter.requirements.is_empty() || any_glob(&filter.requirements, c.requirement))
                && (filter.levels.is_empty() || filter.levels.contains(&c.level))
                && (filter.scenarios.is_empty()
                    || c.scenario
                        .is_some_and(|s| filter.scenarios.iter().any(|n| n == s)))
                && !any_glob(&excluded, c.id)
        })
        .map(|(i, _)| i)
        .collect())
}

/// Each pattern must match some case on its own: the flag's value as written is named in
/// the error, the suggestion comes from the field it is matched against.
fn check_each<'a>(
    written: &[String],
    patterns: &[String],
    flag: &'static str,
    cases: &[CaseFacts<'a>],
    field: impl Fn(&CaseFacts<'a>) -> &'a str,
) -> Result<(), SelectionError> {
    for (shown, pattern) in written.iter().zip(patterns) {
        if !cases.iter().any(|c| glob_matches(pattern, field(c))) {
            let mut known: Vec<&str> = cases.iter().map(&field).collect();
            known.sort_unstable();
            known.dedup();
            return Err(SelectionError {
                flag,
                value: shown.clone(),
                suggestion: did_you_mean(pattern, known).map(str::to_string),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Vec<CaseFacts<'static>> {
        vec![
            CaseFacts {
                id: "server/prm/resource-matches-url",
                requirement: "RS-PRM-03",
                level: Level::MUST,
                scenario: None,
            },
            CaseFacts {
                id: "server/prm/served-at-path",
                requirement: "RS-PRM-01",
                level: Level::SHOULD,
                scenario: None,
            },
            CaseFacts {
                id: "client/pkce/s256-pair",
                requirement: "CL-PKCE-01",
                level: Level::MUST,
                scenario: Some("auth/metadata-default"),
            },
            CaseFacts {
                id: "client/pkce/refuses-without-methods",
                requirement: "CL-PKCE-03",
                level: Level::MUST,
                scenario: Some("auth/metadata-default"),
            },
            CaseFacts {
                id: "client/scope/step-up",
                requirement: "CL-SCOPE-02",
                level: Level::MAY,
                scenario: Some("auth/scope-step-up"),
            },
        ]
    }

    fn ids(filter: CaseFilter) -> Vec<&'static str> {
        let cases = facts();
        select(&cases, &filter)
            .unwrap()
            .into_iter()
            .map(|i| cases[i].id)
            .collect()
    }

    #[test]
    fn globs_match_across_slashes_and_single_characters() {
        assert!(glob_matches("server/*", "server/prm/a"));
        assert!(glob_matches("*/prm/*", "server/prm/a"));
        assert!(glob_matches("server/prm/?", "server/prm/a"));
        assert!(!glob_matches("server/prm/?", "server/prm/ab"));
        assert!(glob_matches("a*b*c", "axxbyyc"));
        assert!(!glob_matches("a*b*c", "axxbyy"));
        assert!(glob_matches("*", ""));
        assert!(!glob_matches("", "a"));
        assert!(glob_matches("exact", "exact"));
        assert!(!glob_matches("exact", "exactly"));
        // Many stars stay linear.
        assert!(!glob_matches(&"*a".repeat(50), &"a".repeat(40)));
    }

    #[test]
    fn no_flag_selects_everything() {
        assert_eq!(ids(CaseFilter::default()).len(), 5);
    }

    #[test]
    fn a_test_name_stands_for_its_id() {
        let filter = CaseFilter {
            cases: vec!["client::pkce::s256-pair".into()],
            ..Default::default()
        };
        assert_eq!(ids(filter), ["client/pkce/s256-pair"]);
    }

    #[test]
    fn repeats_are_or_and_flags_are_and() {
        let filter = CaseFilter {
            cases: vec!["server/*".into(), "client/scope/*".into()],
            levels: vec![Level::MUST, Level::MAY],
            ..Default::default()
        };
        assert_eq!(
            ids(filter),
            ["server/prm/resource-matches-url", "client/scope/step-up"]
        );
    }

    #[test]
    fn exclude_applies_after_the_others() {
        let filter = CaseFilter {
            cases: vec!["client/*".into()],
            exclude: vec!["client::pkce::*".into()],
            ..Default::default()
        };
        assert_eq!(ids(filter), ["client/scope/step-up"]);
    }

    #[test]
    fn requirements_and_scenarios_select() {
        let by_requirement = CaseFilter {
            requirements: vec!["RS-PRM-*".into()],
            ..Default::default()
        };
        assert_eq!(ids(by_requirement).len(), 2);
        let by_scenario = CaseFilter {
            scenarios: vec!["auth/metadata-default".into()],
            ..Default::default()
        };
        assert_eq!(
            ids(by_scenario),
            [
                "client/pkce/s256-pair",
                "client/pkce/refuses-without-methods"
            ]
        );
    }

    #[test]
    fn a_value_that_selects_nothing_is_an_error_with_a_suggestion() {
        let cases = facts();
        let typo = CaseFilter {
            cases: vec!["client/pkce/s256-pari".into()],
            ..Default::default()
        };
        let e = select(&cases, &typo).unwrap_err();
        assert_eq!(e.flag, "--case");
        assert_eq!(e.suggestion.as_deref(), Some("client/pkce/s256-pair"));
        assert!(e
            .to_string()
            .contains("did you mean `client/pkce/s256-pair`"));

        let exclude = CaseFilter {
            exclude: vec!["nothing/*".into()],
            ..Default::default()
        };
        assert_eq!(select(&cases, &exclude).unwrap_err().flag, "--exclude");

        let scenario = CaseFilter {
            scenarios: vec!["auth/scope-step-upp".into()],
            ..Default::default()
        };
        let e = select(&cases, &scenario).unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("auth/scope-step-up"));
        assert!(e.to_string().contains("list --scenarios"), "{e}");

        let requirement = CaseFilter {
            requirements: vec!["RS-PRM-3".into()],
            ..Default::default()
        };
        let e = select(&cases, &requirement).unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("RS-PRM-03"));
    }

    #[test]
    fn each_repeat_is_checked_on_its_own() {
        // One good pattern does not hide a typo beside it.
        let cases = facts();
        let filter = CaseFilter {
            cases: vec!["server/*".into(), "srever/*".into()],
            ..Default::default()
        };
        assert_eq!(select(&cases, &filter).unwrap_err().value, "srever/*");
    }

    #[test]
    fn describes_the_flags_as_written() {
        let filter = CaseFilter {
            cases: vec!["client/*".into()],
            levels: vec![Level::MUST],
            ..Default::default()
        };
        assert_eq!(filter.describe(), "--case client/* --level MUST");
    }
}
