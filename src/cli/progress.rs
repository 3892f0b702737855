//! Live progress while a run goes on: a bar on a terminal; in a CI log (anything that is
//! not a terminal) one line per finished case run on standard output, written as it
//! finishes, and a heartbeat line naming the runs still going, so that a hanging target
//! is visible while it hangs (`--progress`).

use std::io::{IsTerminal, Write};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use super::args::{ProgressMode, RunOptions};
use crate::engine::RunEvents;
use crate::outputs::{finished_line, heartbeat_line, RunningCase};
use crate::vocab::{CaseReport, Revision};

/// The progress of one command: every session of a demo reports to the same one, so the
/// numbering runs over all of them.
pub struct Progress {
    view: View,
}

enum View {
    Bar(ProgressBar),
    Lines {
        log: Arc<LineLog>,
        /// Dropping the sender (in `done`) wakes the heartbeat thread and ends it.
        stop: Mutex<Option<Sender<()>>>,
        heartbeat: Mutex<Option<JoinHandle<()>>>,
    },
    Off,
}

impl Progress {
    /// The progress `--progress` and `--plain` ask for; `lines` starts its heartbeat.
    pub fn new(o: &RunOptions) -> Self {
        let mode = match o.progress {
            ProgressMode::Auto
                if !o.plain
                    && std::io::stdout().is_terminal()
                    && std::io::stderr().is_terminal() =>
            {
                ProgressMode::Bar
            }
            ProgressMode::Auto => ProgressMode::Lines,
            chosen => chosen,
        };
        let view = match mode {
            ProgressMode::Bar => View::Bar(bar()),
            ProgressMode::Lines => {
                let log = Arc::new(LineLog::default());
                let (stop, stopped) = mpsc::channel::<()>();
                let interval = Duration::from_secs(o.heartbeat_secs.max(1));
                let beating = log.clone();
                let heartbeat = std::thread::Builder::new()
                    .name("progress-heartbeat".into())
                    .spawn(move || loop {
                        match stopped.recv_timeout(interval) {
                            Err(RecvTimeoutError::Timeout) => beating.heartbeat(),
                            _ => return,
                        }
                    })
                    .ok();
                View::Lines {
                    log,
                    stop: Mutex::new(Some(stop)),
                    heartbeat: Mutex::new(heartbeat),
                }
            }
            ProgressMode::Off | ProgressMode::Auto => View::Off,
        };
        Progress { view }
    }

    /// Ends the progress before the console report is printed: the bar is cleared, the
    /// heartbeat stops.
    pub fn done(&self) {
        match &self.view {
            View::Bar(bar) => bar.finish_and_clear(),
            View::Lines {
                stop, heartbeat, ..
            } => {
                drop(lock(stop).take());
                if let Some(thread) = lock(heartbeat).take() {
                    let _ = thread.join();
                }
            }
            View::Off => {}
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.done();
    }
}

fn bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} cases {msg}") {
        bar.set_style(style);
    }
    bar
}

impl RunEvents for Progress {
    /// Adds to the total: a demo plans one session per target.
    fn planned(&self, total: usize) {
        match &self.view {
            View::Bar(bar) => bar.inc_length(total as u64),
            View::Lines { log, .. } => lock(&log.state).planned += total,
            View::Off => {}
        }
    }

    fn case_started(&self, id: &str, revision: Revision) {
        if let View::Lines { log, .. } = &self.view {
            lock(&log.state).running.push(Started {
                id: id.to_string(),
                revision,
                since: Instant::now(),
            });
        }
    }

    fn case_finished(&self, report: &CaseReport) {
        match &self.view {
            View::Bar(bar) => {
                bar.set_message(report.id.clone());
                bar.inc(1);
            }
            View::Lines { log, .. } => log.finished(report),
            View::Off => {}
        }
    }
}

/// What the lines are written from; the lock is held while a line is written, so that
/// the heartbeat and the finished lines never interleave.
#[derive(Default)]
struct LineLog {
    state: Mutex<LineState>,
}

#[derive(Default)]
struct LineState {
    planned: usize,
    finished: usize,
    running: Vec<Started>,
}

struct Started {
    id: String,
    revision: Revision,
    since: Instant,
}

impl LineLog {
    fn finished(&self, report: &CaseReport) {
        let mut state = lock(&self.state);
        // The same pair may run in two sessions of a demo: one entry goes per finish.
        if let Some(i) = state
            .running
            .iter()
            .position(|r| r.id == report.id && r.revision == report.revision)
        {
            state.running.remove(i);
        }
        state.finished += 1;
        let line = finished_line(
            state.finished,
            state.planned,
            &report.id,
            report.revision,
            report.outcome,
            report.duration_ms,
        );
        write_line(&line);
    }

    fn heartbeat(&self) {
        let state = lock(&self.state);
        let running: Vec<RunningCase> = state
            .running
            .iter()
            .map(|r| RunningCase {
                id: r.id.clone(),
                revision: r.revision,
                seconds: r.since.elapsed().as_secs(),
            })
            .collect();
        if let Some(line) = heartbeat_line(&running) {
            write_line(&line);
        }
    }
}

/// One line on standard output, flushed at once so that a CI log shows it while the run
/// goes on. A closed output (`| head`) is not the run's failure: ignored.
fn write_line(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// A poisoned lock only means another event panicked while holding it; the counts are
/// still worth showing.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
