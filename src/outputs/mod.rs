//! Layer 5: report writers. They read only layer-0 types.

mod baseline_file;
mod console;
mod coverage;
mod format;
mod html;
mod html_evidence;
mod html_templates;
mod json;
mod junit;
mod markdown;
mod matrix;
mod matrix_markdown;
mod matrix_view;
mod md_escape;
mod progress_lines;
mod step_summary;
mod text;
mod wire_text;
mod write;

#[cfg(test)]
mod fixture;

pub use baseline_file::{render_baseline, write_baseline};
pub use console::{render_console, ConsoleStyle};
pub use coverage::{render_coverage_json, render_coverage_markdown};
pub use format::{ParseFormatError, ReportFormat};
pub use html::render_html;
pub use json::render_json;
pub use junit::render_junit;
pub use markdown::render_markdown;
pub use matrix::{render_matrix_html, write_matrix};
pub use matrix_view::MatrixColumn;
pub use progress_lines::{finished_line, heartbeat_line, RunningCase};
pub use step_summary::render_step_summary;
pub use write::{write_reports, WriteError};
