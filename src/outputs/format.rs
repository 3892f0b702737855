//! The report formats a run can be written in, as named on the command line.
//!
//! The CLI takes a comma-separated list (`--format json,junit,md`), so parsing a list lives
//! here too: every entry point then agrees on the accepted names and on the error text.

use std::fmt;
use std::str::FromStr;

/// A file format for the run report. Each one is written to its own fixed file name so that
/// CI jobs can pick the files up without being told where they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportFormat {
    /// The full report as JSON (`schemas/report.schema.json`): the machine-readable truth.
    Json,
    /// JUnit XML, for CI test tabs.
    Junit,
    /// Markdown, for humans and CI job summaries.
    Markdown,
    /// One self-contained HTML page (no network, no script needed), for a browser.
    Html,
}

/// The names [`ReportFormat::from_str`] accepts, as shown in error messages.
const ACCEPTED: &str = "json, junit, md, markdown, html";

/// A report format name, or list of names, that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseFormatError {
    /// A name that is none of the accepted ones.
    #[error("unknown report format `{0}` (accepted: {ACCEPTED})")]
    Unknown(String),
    /// A list with an empty entry (`json,,md`, a trailing comma, or nothing at all).
    #[error("empty entry in report format list `{0}` (accepted: {ACCEPTED}, separated by commas)")]
    EmptyItem(String),
}

impl ReportFormat {
    /// Every format, in the order they are usually written.
    pub const ALL: [ReportFormat; 4] = [
        ReportFormat::Json,
        ReportFormat::Junit,
        ReportFormat::Markdown,
        ReportFormat::Html,
    ];

    /// The canonical name, accepted back by [`FromStr`].
    pub fn as_str(self) -> &'static str {
        match self {
            ReportFormat::Json => "json",
            ReportFormat::Junit => "junit",
            ReportFormat::Markdown => "markdown",
            ReportFormat::Html => "html",
        }
    }

    /// The file this format is written to inside the output directory.
    pub fn file_name(self) -> &'static str {
        match self {
            ReportFormat::Json => "report.json",
            ReportFormat::Junit => "junit.xml",
            ReportFormat::Markdown => "report.md",
            ReportFormat::Html => "report.html",
        }
    }

    /// Parses a comma-separated list such as `json,junit,md`. Spaces around names are
    /// ignored, repeated formats are kept once (first position wins), and an empty entry
    /// is an error rather than silently ignored: `json,` is more likely a typo than intent.
    pub fn parse_list(s: &str) -> Result<Vec<ReportFormat>, ParseFormatError> {
        let mut formats = Vec::new();
        for item in s.split(',') {
            if item.trim().is_empty() {
                return Err(ParseFormatError::EmptyItem(s.to_string()));
            }
            let format = item.parse()?;
            if !formats.contains(&format) {
                formats.push(format);
            }
        }
        Ok(formats)
    }
}

impl FromStr for ReportFormat {
    type Err = ParseFormatError;

    /// Accepts `json`, `junit`, `md`, `markdown` and `html`, in any letter case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(ReportFormat::Json),
            "junit" => Ok(ReportFormat::Junit),
            "md" | "markdown" => Ok(ReportFormat::Markdown),
            "html" => Ok(ReportFormat::Html),
            _ => Err(ParseFormatError::Unknown(s.trim().to_string())),
        }
    }
}

impl fmt::Display for ReportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_name_and_round_trips_display() {
        assert_eq!("json".parse(), Ok(ReportFormat::Json));
        assert_eq!("junit".parse(), Ok(ReportFormat::Junit));
        assert_eq!("md".parse(), Ok(ReportFormat::Markdown));
        assert_eq!("Markdown".parse(), Ok(ReportFormat::Markdown));
        assert_eq!("HTML".parse(), Ok(ReportFormat::Html));
        for f in ReportFormat::ALL {
            assert_eq!(f.to_string().parse(), Ok(f));
        }
    }

    #[test]
    fn file_names_are_fixed() {
        let names: Vec<_> = ReportFormat::ALL.iter().map(|f| f.file_name()).collect();
        assert_eq!(
            names,
            ["report.json", "junit.xml", "report.md", "report.html"]
        );
    }

    #[test]
    fn parses_a_list_in_order_without_duplicates() {
        assert_eq!(
            ReportFormat::parse_list("json,junit,md"),
            Ok(vec![
                ReportFormat::Json,
                ReportFormat::Junit,
                ReportFormat::Markdown
            ])
        );
        assert_eq!(
            ReportFormat::parse_list("md, json ,markdown,json"),
            Ok(vec![ReportFormat::Markdown, ReportFormat::Json])
        );
    }

    #[test]
    fn rejects_unknown_and_empty_entries() {
        let err = ReportFormat::parse_list("json,xml").unwrap_err();
        assert_eq!(err, ParseFormatError::Unknown("xml".into()));
        assert_eq!(
            err.to_string(),
            "unknown report format `xml` (accepted: json, junit, md, markdown, html)"
        );
        for bad in ["", "json,", ",md", "json,,md", " , "] {
            let err = ReportFormat::parse_list(bad).unwrap_err();
            assert_eq!(err, ParseFormatError::EmptyItem(bad.into()), "{bad:?}");
            assert!(err
                .to_string()
                .contains("accepted: json, junit, md, markdown, html"));
        }
    }
}
