//! Loads the case files: the ones embedded at build time, or a directory given by the
//! user. Every file is parsed and validated; all diagnostics are collected, so one run
//! shows every broken file at once.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::case_file::parse_case_file;
use crate::logic::case::Case;
use crate::logic::catalog::Catalog;
use crate::logic::diagnostic::{render_diagnostics, Diagnostic};
use crate::vocab::Role;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_cases.rs"));
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseSource {
    /// The cases compiled into this build.
    Builtin,
    /// Every `*.yaml` file below `<dir>/<role>/<area>/`.
    Directory(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}", render(.0))]
    Invalid(Vec<Diagnostic>),
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A symbolic link under `--cases` that leads back into a folder being read (a
    /// loop, which would never end) or out of the case folder.
    #[error(
        "{path}: {problem}\n  = hint: the case folder is read with its links followed once, \
         within the folder; remove the link or copy the cases it should bring in"
    )]
    Link { path: String, problem: String },
}

fn render(diagnostics: &[Diagnostic]) -> String {
    render_diagnostics(diagnostics, "case files")
}

/// Loads and validates every case, sorted by id.
pub fn load_cases(source: &CaseSource) -> Result<Vec<Arc<Case>>, LoadError> {
    let files = match source {
        CaseSource::Builtin => return builtin_cases(),
        CaseSource::Directory(dir) => read_dir(dir)?,
    };
    parse_cases(files)
}

/// Loads the cases of `roles` only, sorted by id. Of the built-in cases only those roles'
/// files are parsed: they are valid (`cargo test` parses every one), so leaving the others
/// unread hides nothing, and a run of one role starts in a third of the time. A folder
/// (`--cases`) is read whole, so that every broken file in it still shows.
pub fn load_cases_of(source: &CaseSource, roles: &[Role]) -> Result<Vec<Arc<Case>>, LoadError> {
    let cases = match source {
        CaseSource::Builtin => {
            let mut cases = Vec::new();
            for role in Role::ALL.iter().filter(|r| roles.contains(r)) {
                cases.extend(builtin_cases_of(*role)?);
            }
            cases.sort_by(|a, b| a.id().cmp(b.id()));
            return Ok(cases);
        }
        CaseSource::Directory(_) => load_cases(source)?,
    };
    Ok(cases
        .into_iter()
        .filter(|c| roles.contains(&c.role))
        .collect())
}

/// The built-in cases, parsed once per process: they are embedded in the binary, so every
/// run of a process (and every test of a test binary) reads the same set, and parsing
/// them is the slowest part of starting one.
fn builtin_cases() -> Result<Vec<Arc<Case>>, LoadError> {
    // A file outside every `cases/<role>/` is no role's, so no role's load reads it; the
    // whole load does, and its diagnostics (a misspelt role folder) fail it.
    let stray: Vec<(String, Vec<u8>)> = embedded::EMBEDDED_CASES
        .iter()
        .filter(|(p, _)| !Role::ALL.iter().any(|r| p.starts_with(&role_folder(*r))))
        .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
        .collect();
    if !stray.is_empty() {
        parse_cases(stray)?;
    }
    load_cases_of(&CaseSource::Builtin, &Role::ALL)
}

/// The built-in cases of one role (the files under `cases/<role>/`), parsed once per process.
fn builtin_cases_of(role: Role) -> Result<Vec<Arc<Case>>, LoadError> {
    static PARSED: [OnceLock<Vec<Arc<Case>>>; Role::ALL.len()] =
        [const { OnceLock::new() }; Role::ALL.len()];
    let slot = &PARSED[Role::ALL
        .iter()
        .position(|r| *r == role)
        .unwrap_or_default()];
    if let Some(cases) = slot.get() {
        return Ok(cases.clone());
    }
    let folder = role_folder(role);
    let files = embedded::EMBEDDED_CASES
        .iter()
        .filter(|(p, _)| p.starts_with(&folder))
        .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
        .collect();
    let cases = parse_cases(files)?;
    Ok(slot.get_or_init(|| cases).clone())
}

/// Where a role's built-in case files are, below the package root.
fn role_folder(role: Role) -> String {
    format!("cases/{}/", role.as_str())
}

/// Every file is parsed, so one run shows every broken file at once (a file that is not
/// UTF-8 included).
fn parse_cases(files: Vec<(String, Vec<u8>)>) -> Result<Vec<Arc<Case>>, LoadError> {
    let catalog = Catalog::builtin();
    let mut cases = Vec::new();
    let mut diagnostics = Vec::new();
    for (path, bytes) in files {
        match parse_case_file(&path, &bytes, catalog) {
            Ok(c) => cases.push(Arc::new(c)),
            Err(mut d) => diagnostics.append(&mut d),
        }
    }
    if !diagnostics.is_empty() {
        return Err(LoadError::Invalid(diagnostics));
    }
    cases.sort_by(|a, b| a.id().cmp(b.id()));
    Ok(cases)
}

fn read_dir(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, LoadError> {
    let root = std::fs::canonicalize(dir).map_err(|source| LoadError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    let mut paths = Vec::new();
    let mut walk = Walk {
        root,
        visited: vec![],
    };
    walk.dir(dir, &mut paths)?;
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).map_err(|source| LoadError::Io {
                path: p.display().to_string(),
                source,
            })?;
            Ok((p.display().to_string(), bytes))
        })
        .collect()
}

/// The walk of a case folder: symbolic links are followed, but only to places inside the
/// folder (its canonical `root`), and every folder is read once (`visited`, canonical),
/// so a link loop is a diagnostic, not a walk without end.
struct Walk {
    root: PathBuf,
    visited: Vec<PathBuf>,
}

impl Walk {
    fn dir(&mut self, dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
        let io = |source| LoadError::Io {
            path: dir.display().to_string(),
            source,
        };
        let canonical = std::fs::canonicalize(dir).map_err(io)?;
        if self.visited.contains(&canonical) {
            return Err(LoadError::Link {
                path: dir.display().to_string(),
                problem: format!(
                    "a symbolic link to {}, which is read already (a loop, or the same folder twice)",
                    canonical.display()
                ),
            });
        }
        self.visited.push(canonical);
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            let link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
            if link {
                self.check_link(&path)?;
            }
            if path.is_dir() {
                self.dir(&path, out)?;
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                out.push(path);
            }
        }
        Ok(())
    }

    /// A link must lead somewhere inside the case folder.
    fn check_link(&self, path: &Path) -> Result<(), LoadError> {
        let problem = match std::fs::canonicalize(path) {
            Err(e) => format!("a symbolic link that leads nowhere ({e})"),
            Ok(target) if !target.starts_with(&self.root) => format!(
                "a symbolic link to {}, outside the case folder {}",
                target.display(),
                self.root.display()
            ),
            Ok(_) => return Ok(()),
        };
        Err(LoadError::Link {
            path: path.display().to_string(),
            problem,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run of some roles gets exactly the cases a whole load gives those roles.
    #[test]
    fn a_role_load_is_the_whole_load_narrowed_to_its_roles() {
        let all = load_cases(&CaseSource::Builtin).unwrap();
        for roles in [
            vec![Role::Client],
            vec![Role::Server, Role::AuthorizationServer],
            Role::ALL.to_vec(),
        ] {
            let narrowed: Vec<&str> = all
                .iter()
                .filter(|c| roles.contains(&c.role))
                .map(|c| c.id())
                .collect();
            let loaded = load_cases_of(&CaseSource::Builtin, &roles).unwrap();
            let loaded: Vec<&str> = loaded.iter().map(|c| c.id()).collect();
            assert!(!loaded.is_empty());
            assert_eq!(loaded, narrowed, "{roles:?}");
        }
    }
}
