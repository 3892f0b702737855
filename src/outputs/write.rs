//! Writing the report files into the output directory.
//!
//! Each file is written to `<name>.tmp` first and then renamed into place, so a CI job that
//! picks up `junit.xml` never reads half a file, and a run that dies while writing leaves
//! the previous report intact rather than a truncated one.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use crate::vocab::RunReport;

use super::format::ReportFormat;
use super::html::render_html;
use super::json::render_json;
use super::junit::render_junit;
use super::markdown::render_markdown;

/// A report file that could not be written: which path, and the I/O error behind it.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot create report directory {}: {source}", path.display())]
    CreateDir { path: PathBuf, source: io::Error },
    #[error("cannot write report file {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot move {} into place as {}: {source}", from.display(), to.display())]
    Rename {
        from: PathBuf,
        to: PathBuf,
        source: io::Error,
    },
}

impl WriteError {
    /// The path whose creation, writing or renaming failed (for a rename, the target).
    pub fn path(&self) -> &Path {
        match self {
            WriteError::CreateDir { path, .. } | WriteError::Write { path, .. } => path,
            WriteError::Rename { to, .. } => to,
        }
    }
}

/// Creates `out_dir` if needed and writes the report in each of `formats` (repeats are
/// written once), returning the paths written, in the order of `formats`. Stops at the
/// first error: files already written stay, and are complete.
pub fn write_reports(
    report: &RunReport,
    formats: &[ReportFormat],
    out_dir: &Path,
) -> Result<Vec<PathBuf>, WriteError> {
    fs::create_dir_all(out_dir).map_err(|source| WriteError::CreateDir {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let mut unique: Vec<ReportFormat> = Vec::new();
    for &format in formats {
        if !unique.contains(&format) {
            unique.push(format);
        }
    }
    // Each format is rendered and written (and flushed to disk) on a thread of its own:
    // the run's duration stops before the reports are written, so their time is the one
    // part of the command a report cannot count, and a large run's JSON and HTML take
    // about as long each.
    let results: Vec<Result<PathBuf, WriteError>> = std::thread::scope(|scope| {
        let writers: Vec<_> = unique
            .iter()
            .map(|&format| {
                scope.spawn(move || {
                    let text = match format {
                        ReportFormat::Json => render_json(report),
                        ReportFormat::Junit => render_junit(report),
                        ReportFormat::Markdown => render_markdown(report),
                        ReportFormat::Html => render_html(report),
                    };
                    let path = out_dir.join(format.file_name());
                    write_atomically(&path, &text).map(|()| path)
                })
            })
            .collect();
        writers
            .into_iter()
            .map(|writer| {
                writer
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    // The first error in the order the formats were asked for.
    results.into_iter().collect()
}

/// Writes `text` to `<path>.tmp`, flushes it to disk, then renames it over `path`. On
/// failure the temporary file is removed (best effort) so no stray `.tmp` is left behind.
pub(super) fn write_atomically(path: &Path, text: &str) -> Result<(), WriteError> {
    let mut tmp_name = path.as_os_str().to_os_string();
    tmp_name.push(".tmp");
    let tmp = PathBuf::from(tmp_name);

    let written = fs::File::create(&tmp).and_then(|mut file| {
        file.write_all(text.as_bytes())?;
        file.sync_all()
    });
    if let Err(source) = written {
        let _ = fs::remove_file(&tmp);
        return Err(WriteError::Write { path: tmp, source });
    }
    fs::rename(&tmp, path).map_err(|source| {
        let _ = fs::remove_file(&tmp);
        WriteError::Rename {
            from: tmp.clone(),
            to: path.to_path_buf(),
            source,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outputs::fixture::sample_report;

    /// A fresh directory under the system temp dir, unique to this process and test.
    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "mcp-authspec-outputs-{}-{name}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn writes_every_format_and_no_temporary_files() {
        let dir = temp_dir("all");
        let out = dir.join("nested").join("reports");
        let report = sample_report();
        let paths = write_reports(&report, &ReportFormat::ALL, &out).unwrap();
        assert_eq!(
            paths,
            vec![
                out.join("report.json"),
                out.join("junit.xml"),
                out.join("report.md"),
                out.join("report.html")
            ]
        );
        assert_eq!(fs::read_to_string(&paths[0]).unwrap(), render_json(&report));
        assert_eq!(
            fs::read_to_string(&paths[1]).unwrap(),
            render_junit(&report)
        );
        assert_eq!(
            fs::read_to_string(&paths[2]).unwrap(),
            render_markdown(&report)
        );
        assert_eq!(fs::read_to_string(&paths[3]).unwrap(), render_html(&report));
        let mut names: Vec<_> = fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["junit.xml", "report.html", "report.json", "report.md"]
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn repeated_formats_are_written_once_and_files_are_replaced() {
        let dir = temp_dir("repeat");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("report.md"), "old").unwrap();
        let formats = [ReportFormat::Markdown, ReportFormat::Markdown];
        let paths = write_reports(&sample_report(), &formats, &dir).unwrap();
        assert_eq!(paths, vec![dir.join("report.md")]);
        assert!(fs::read_to_string(&paths[0]).unwrap().starts_with("# MCP"));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn error_names_the_path() {
        let dir = temp_dir("blocked");
        fs::create_dir_all(&dir).unwrap();
        // A file where the output directory should be.
        let blocked = dir.join("not-a-dir");
        fs::write(&blocked, "").unwrap();
        let err = write_reports(&sample_report(), &[ReportFormat::Json], &blocked).unwrap_err();
        assert_eq!(err.path(), blocked);
        assert!(err.to_string().contains("not-a-dir"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
