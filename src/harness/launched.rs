//! `server --command` for `cargo test`: the suite's IdP and the vendor's server, started
//! once by the first trial that runs and shared by all of them (startup can take
//! seconds), on the harness's runtime; stopped by the [`ServerLaunch`] guard.

use std::sync::Arc;

use libtest_mimic::{Failed, Trial};
use tokio::sync::Mutex;

use super::exit_cleanup;
use super::judge::{judge, Judgement};
use super::options::{ServerCommand, TrialOptions};
use super::runtime::block_on;
use super::trials::{every_case_can_run, trials_for, TrialTarget};
use crate::actors::drivers::{LaunchedServer, ServerDriver, StartedServer};
use crate::engine::{run, NoEvents};
use crate::transport::TransportLimits;
use crate::vocab::{ProcessEvidence, Role};

/// One trial per server case, against the vendor's server started by the harness as
/// `mcp-authspec server --command` does: first the suite's IdP, then `server.command`
/// with the IdP's coordinates, so that every token case runs (expired, other audience,
/// `alg: none`, …), none ignored. Judged like [`server_trials`](super::server_trials).
///
/// The server is started once, by the first trial that runs (none: `--list`, or a
/// filter that matches nothing), and serves every trial. If it cannot start, every trial
/// fails with the reason and the end of its output. Stop it with the returned guard
/// once `libtest_mimic::run` returns:
///
/// ```no_run
/// use mcp_authspec::harness::{server_trials_with_command, ServerCommand, TrialOptions};
///
/// let args = libtest_mimic::Arguments::from_args();
/// let command = ServerCommand::new("target/debug/my-server --port {port} --issuer {issuer}");
/// let (trials, server) = server_trials_with_command(&command, &TrialOptions::default());
/// let conclusion = libtest_mimic::run(&args, trials);
/// server.stop();
/// conclusion.exit();
/// ```
///
/// A trial that panics fails alone: the server keeps serving the others. Dropping the
/// guard (also while a panic unwinds) stops the server too. `Conclusion::exit` ends the
/// process without running destructors; so that a guard still alive then, or a Ctrl-C,
/// leaves no server behind, the harness also kills the server's process group when the
/// process exits (on Unix).
pub fn server_trials_with_command(
    server: &ServerCommand,
    options: &TrialOptions,
) -> (Vec<Trial>, ServerLaunch) {
    let shared = Arc::new(SharedLaunch {
        launch: LaunchedServer {
            command: server.command.clone(),
            path: server.path.clone(),
            scope: server.scope.clone(),
            startup_timeout: server.startup_timeout,
            limits: TransportLimits::default(),
            fixtures: server.fixtures.clone(),
        },
        state: Mutex::new(State::NotStarted),
    });
    let allow_skips = options.allow_skips;
    // The suite's IdP mints every token a case asks for: nothing is known not to run.
    let target = TrialTarget {
        role: Role::Server,
        cannot_run: every_case_can_run,
        footer: None,
    };
    let launch = shared.clone();
    let trials = trials_for(target, options, move |case, plan| {
        let launch = launch.clone();
        block_on(async move {
            let driver = launch.driver().await.map_err(Failed::from)?;
            let report = run(
                &driver,
                std::slice::from_ref(&case),
                &plan,
                Arc::new(NoEvents),
            )
            .await;
            match judge(&report, allow_skips) {
                Judgement::Failed(message) => Err(launch.with_exit_note(message).await.into()),
                other => other.into_trial_result(),
            }
        })
    });
    (trials, ServerLaunch { shared })
}

/// The server launched for the trials of [`server_trials_with_command`]. Stop it (or
/// drop this) after `libtest_mimic::run` returns and before `Conclusion::exit`.
#[must_use = "stop the server after `libtest_mimic::run`: `Conclusion::exit` runs no destructors"]
pub struct ServerLaunch {
    shared: Arc<SharedLaunch>,
}

impl ServerLaunch {
    /// Stops the server and everything it started (SIGTERM to its process group, SIGKILL
    /// after a grace period) and stops the IdP. Returns the server's output, redacted, as
    /// the CLI's report keeps it; `None` when no trial started it. Trials that run after
    /// this fail.
    pub fn stop(self) -> Option<ProcessEvidence> {
        self.stop_now()
    }

    fn stop_now(&self) -> Option<ProcessEvidence> {
        let shared = self.shared.clone();
        block_on(async move {
            let mut state = shared.state.lock().await;
            let State::Running(server) = std::mem::replace(&mut *state, State::Stopped) else {
                return None;
            };
            let group = server.process_group();
            let evidence = server.stop().await;
            if let Some(group) = group {
                exit_cleanup::unregister(group);
            }
            Some(evidence)
        })
    }
}

impl Drop for ServerLaunch {
    fn drop(&mut self) {
        self.stop_now();
    }
}

struct SharedLaunch {
    launch: LaunchedServer,
    state: Mutex<State>,
}

enum State {
    NotStarted,
    Running(Box<StartedServer>),
    /// The start failed: every trial fails with this reason, without trying again.
    Failed(String),
    Stopped,
}

impl SharedLaunch {
    /// A session against the server, which the first trial to ask starts while the
    /// others wait for it.
    async fn driver(self: &Arc<Self>) -> Result<ServerDriver, String> {
        let mut state = self.state.lock().await;
        if matches!(*state, State::NotStarted) {
            *state = self.start().await;
        }
        match &*state {
            State::Running(server) => Ok(server.driver(TransportLimits::default())),
            State::Failed(reason) => Err(reason.clone()),
            State::Stopped => Err("the server under test was already stopped: \
                                   `ServerLaunch::stop` ran (or the guard was dropped) \
                                   before this trial"
                .into()),
            State::NotStarted => Err("internal error: the server was not started".into()),
        }
    }

    /// Starts the server in a task of its own, so that a panic while starting becomes
    /// this launch's failure instead of being retried by every trial (the half-started
    /// process is killed when the task drops it).
    async fn start(self: &Arc<Self>) -> State {
        let this = self.clone();
        match tokio::spawn(async move { this.launch.start().await }).await {
            Ok(Ok(server)) => {
                if let Some(group) = server.process_group() {
                    exit_cleanup::register(group);
                }
                State::Running(Box::new(server))
            }
            Ok(Err(failure)) => State::Failed(failure.reason),
            Err(e) => State::Failed(format!(
                "internal error: starting the server under test failed: {e}"
            )),
        }
    }

    /// A failing trial's message, with a note when the server has ended on its own: the
    /// likely cause of what failed, and of every later trial failing too.
    async fn with_exit_note(&self, message: String) -> String {
        let mut state = self.state.lock().await;
        let State::Running(server) = &mut *state else {
            return message;
        };
        if !server.has_exited() {
            return message;
        }
        format!(
            "{}\nnote: the server under test (`{}`) has exited; `ServerLaunch::stop` \
             returns its output",
            message.trim_end(),
            server.command()
        )
    }
}
