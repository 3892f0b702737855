//! Layer 2: reading case files from disk or from the binary.

mod case_loader;

pub use case_loader::{load_cases, CaseSource, LoadError};
