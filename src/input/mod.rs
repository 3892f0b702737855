//! Layer 2: reading case files from disk or from the binary, and reports back from disk.

mod baseline_file;
mod case_file;
mod case_loader;
mod report_file;
mod utf8_text;

pub use baseline_file::{read_baseline, BaselineFileError, BASELINE_MAX_BYTES};
pub use case_file::{case_text, parse_case_file};
pub use case_loader::{load_cases, load_cases_of, CaseSource, LoadError};
pub use report_file::{read_report, BadReport};
