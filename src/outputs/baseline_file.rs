//! `--write-baseline FILE`: a baseline of expected failures that lists every failing run
//! of a report, in the format `--baseline` reads (the official suite's expected-failures
//! YAML, with our case ids). A case that failed at every revision it ran is one
//! `<case-id>` entry, any other one `<case-id>:<revision>` per failing revision; the
//! sections come in the order `server`, `client`, `authorization-server`. Loaded back
//! with `--baseline`, it makes the same run exit 0 (unless the harness broke: an error
//! is never excused).

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use crate::vocab::{CaseReport, Outcome, Role, RunReport};

use super::write::{write_atomically, WriteError};

/// An entry's trailing comment (its run's reason) is cut to this many characters.
const REASON_LIMIT: usize = 100;

/// The baseline of `report`'s failing runs, and how many entries it has.
pub fn render_baseline(report: &RunReport) -> (String, usize) {
    let mut out = String::new();
    // `write!` into a `String` cannot fail; the results are ignored for that reason.
    let _ = writeln!(
        out,
        "# Expected failures: the failing runs of a run of {} {} started at {},",
        report.tool.name, report.tool.version, report.started_at
    );
    let _ = writeln!(out, "# written by --write-baseline. The run tested:");
    for target in &report.targets {
        let _ = writeln!(out, "#   {}: {}", target.role, one_line(&target.location));
    }
    let _ = writeln!(
        out,
        "# With --baseline FILE, these failures do not fail a run; an entry whose runs all\n\
         # pass fails it as stale (remove the entry then)."
    );
    let mut count = 0;
    for role in Role::ALL {
        let runs: Vec<&CaseReport> = report.cases.iter().filter(|c| c.role == role).collect();
        if runs.is_empty() {
            continue;
        }
        let entries = entries(&runs);
        if entries.is_empty() {
            let _ = writeln!(out, "{role}: []");
            continue;
        }
        let _ = writeln!(out, "{role}:");
        for (entry, reason) in &entries {
            let _ = match reason {
                Some(reason) => writeln!(out, "  - {}  # {reason}", yaml_name(entry)),
                None => writeln!(out, "  - {}", yaml_name(entry)),
            };
        }
        count += entries.len();
    }
    (out, count)
}

/// Writes the baseline of `report` to `path` atomically (creating its folder), and
/// returns how many entries it has.
pub fn write_baseline(report: &RunReport, path: &Path) -> Result<usize, WriteError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|source| WriteError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let (text, count) = render_baseline(report);
    write_atomically(path, &text)?;
    Ok(count)
}

/// The entries of one role's runs, in the order of the report, each with the reason of
/// its first failing run.
fn entries(runs: &[&CaseReport]) -> Vec<(String, Option<String>)> {
    let mut ids: Vec<&str> = Vec::new();
    for run in runs {
        if run.outcome == Outcome::Fail && !ids.contains(&run.id.as_str()) {
            ids.push(&run.id);
        }
    }
    let mut entries = Vec::new();
    for id in ids {
        let of_case: Vec<&&CaseReport> = runs.iter().filter(|r| r.id == id).collect();
        let failing: Vec<&&CaseReport> = of_case
            .iter()
            .copied()
            .filter(|r| r.outcome == Outcome::Fail)
            .collect();
        if failing.len() == of_case.len() {
            entries.push((id.to_string(), failing[0].reason.as_deref().map(comment)));
        } else {
            for run in failing {
                entries.push((
                    format!("{id}:{}", run.revision),
                    run.reason.as_deref().map(comment),
                ));
            }
        }
    }
    entries
}

/// A reason as a one-line YAML comment of at most [`REASON_LIMIT`] characters.
fn comment(reason: &str) -> String {
    let line = one_line(reason);
    match line.char_indices().nth(REASON_LIMIT) {
        None => line,
        Some((end, _)) => format!("{}…", line[..end].trim_end()),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A name as a YAML list item: plain when it is made of the characters case ids and
/// revisions use, single-quoted otherwise.
fn yaml_name(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_.:-".contains(c))
        && !name.starts_with(['-', ':'])
        && !name.ends_with(':');
    if plain {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outputs::fixture::baseline_report;

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render_baseline(&baseline_report()).0);
    }

    #[test]
    fn reasons_are_one_line_and_cut() {
        assert_eq!(comment("a\n  b"), "a b");
        let long = "é".repeat(REASON_LIMIT + 3);
        assert_eq!(comment(&long), format!("{}…", "é".repeat(REASON_LIMIT)));
    }

    #[test]
    fn odd_names_are_quoted() {
        assert_eq!(
            yaml_name("client/pkce/s256-pair:2025-06-18"),
            "client/pkce/s256-pair:2025-06-18"
        );
        assert_eq!(yaml_name("server/a b/c"), "'server/a b/c'");
        assert_eq!(yaml_name("server/it's"), "'server/it''s'");
    }
}
