//! A progress bar on a terminal; nothing otherwise (CI logs stay clean).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use crate::engine::RunEvents;
use crate::vocab::CaseReport;

pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    pub fn new(plain: bool) -> Self {
        let bar = (!plain && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(0);
            if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} cases {msg}") {
                bar.set_style(style);
            }
            bar
        });
        Progress { bar }
    }

    pub fn done(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl RunEvents for Progress {
    /// Adds to the total: a demo plans one session per target.
    fn planned(&self, total: usize) {
        if let Some(b) = &self.bar {
            b.inc_length(total as u64);
        }
    }

    fn case_finished(&self, report: &CaseReport) {
        if let Some(b) = &self.bar {
            b.set_message(report.id.clone());
            b.inc(1);
        }
    }
}
