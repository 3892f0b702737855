//! Reading a baseline of expected failures (`--baseline FILE`) from disk: its bytes as
//! UTF-8 text, then parsed and resolved against the loaded cases
//! (`logic::baseline_entries`).

use std::path::Path;
use std::sync::Arc;

use crate::logic::baseline_entries::{parse_baseline, Baseline, KnownCase};
use crate::logic::case::Case;
use crate::logic::diagnostic::{render_diagnostics, Diagnostic};

use super::utf8_text::utf8_text;

/// A baseline lists a few hundred names; a file this large is not one.
pub const BASELINE_MAX_BYTES: u64 = 4 * 1024 * 1024;

/// A baseline that cannot be used: nothing runs (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum BaselineFileError {
    #[error("{}", render(.0))]
    Invalid(Vec<Diagnostic>),
    #[error(
        "error: cannot read the baseline {path}: {source}\n  = hint: --baseline names a YAML \
         file of expected failures (`mcp-authspec … --write-baseline FILE` writes one)"
    )]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "error: the baseline {path} has {size} bytes, more than {BASELINE_MAX_BYTES}\n  = hint: \
         a baseline lists scenario and case names, one a line: is it the right file?"
    )]
    TooLarge { path: String, size: u64 },
}

fn render(diagnostics: &[Diagnostic]) -> String {
    render_diagnostics(diagnostics, "the baseline")
}

/// Reads and parses the baseline at `path`, resolving its entries against `cases`.
pub fn read_baseline(path: &Path, cases: &[Arc<Case>]) -> Result<Baseline, BaselineFileError> {
    let shown = path.display().to_string();
    let io = |source| BaselineFileError::Io {
        path: shown.clone(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > BASELINE_MAX_BYTES {
        return Err(BaselineFileError::TooLarge { path: shown, size });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let text = baseline_text(&shown, &bytes).map_err(|d| BaselineFileError::Invalid(vec![d]))?;
    let known: Vec<KnownCase> = cases
        .iter()
        .map(|c| KnownCase {
            id: c.id(),
            role: c.role,
            scenario: c.official_scenario(),
        })
        .collect();
    parse_baseline(&shown, text, &known).map_err(BaselineFileError::Invalid)
}

/// The text of a baseline, or where it stops being UTF-8.
fn baseline_text<'a>(path: &str, bytes: &'a [u8]) -> Result<&'a str, Diagnostic> {
    utf8_text(path, bytes, "baselines")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_the_first_invalid_byte() {
        let d = baseline_text("b.yml", b"client:\n  - auth/caf\xe9\n").unwrap_err();
        assert_eq!((d.line, d.column), (2, 13));
        assert!(d.hint.unwrap().contains("UTF-8"));
    }

    #[test]
    fn a_missing_file_names_itself_and_hints() {
        let e = read_baseline(Path::new("/nonexistent/baseline.yml"), &[]).unwrap_err();
        let s = e.to_string();
        assert!(
            s.starts_with("error: cannot read the baseline /nonexistent/baseline.yml: "),
            "{s}"
        );
        assert!(s.contains("hint: --baseline names a YAML file"), "{s}");
    }
}
