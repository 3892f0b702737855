//! `mcp-authspec merge INPUT… [--out DIR] [--format …]`: the reports of a partitioned
//! run's shards (`--partition K/N`) as one report, written in every format asked for,
//! and the exit code of the whole run, so that a CI merge job fails when the run failed.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::args::MergeArgs;
use crate::input::read_report;
use crate::logic::merge_reports::{merge_reports, NamedReport};
use crate::outputs::{render_console, write_reports, ConsoleStyle, ReportFormat};
use crate::vocab::exit_code;

pub fn run(args: MergeArgs) -> i32 {
    let mut inputs = Vec::new();
    for input in &args.inputs {
        let path = report_path(input);
        match read_report(&path) {
            Ok(report) => inputs.push(NamedReport {
                file: path.display().to_string(),
                report,
            }),
            Err(e) => {
                eprintln!("{e}");
                return exit_code::USAGE;
            }
        }
    }
    let report = match merge_reports(inputs) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return exit_code::USAGE;
        }
    };
    let color =
        !args.plain && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let style = ConsoleStyle {
        color,
        verbose: false,
    };
    print!("{}", render_console(&report, style));
    // The merge job is where a partitioned run is whole: its summary is the run's.
    super::step_summary::append_step_summary(&report);
    match write_reports(&report, &args.format.0, &args.out) {
        Ok(paths) => {
            for p in paths {
                println!("wrote {}", p.display());
            }
            report.exit_code
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit_code::HARNESS
        }
    }
}

/// A folder stands for the `report.json` in it (a run's `--out`).
fn report_path(input: &Path) -> PathBuf {
    if input.is_dir() {
        input.join(ReportFormat::Json.file_name())
    } else {
        input.to_path_buf()
    }
}
