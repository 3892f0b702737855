//! Layer 2: reading case files from disk or from the binary, and reports back from disk.

mod case_file;
mod case_loader;
mod report_file;

pub use case_file::{case_text, parse_case_file};
pub use case_loader::{load_cases, CaseSource, LoadError};
pub use report_file::{parse_report, read_report, ReportFileError};
