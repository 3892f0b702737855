//! Layer 2: reading case files from disk or from the binary.

mod case_file;
mod case_loader;

pub use case_file::{case_text, parse_case_file};
pub use case_loader::{load_cases, CaseSource, LoadError};
