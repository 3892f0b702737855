//! The request to stop a run, which the command line raises on SIGINT or SIGTERM and
//! which every part of the run that waits on something long (a case, a client process, a
//! server's shutdown grace) watches.
//!
//! A signal reaches a process as a whole, so the request is process-wide: one switch,
//! [`process_stop`]. It has three states and only moves forward: running; stopping (the
//! first signal: launch nothing new, stop what runs as at a normal case end, SIGTERM and
//! then SIGKILL after the grace); and stopping now (a second signal: kill at once). It is
//! a `watch` channel, so waiting on it is an event, never a polling loop.

use std::sync::OnceLock;

use tokio::sync::watch;

use crate::vocab::Interrupt;

/// Where a run stands with respect to an interrupt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopState {
    Running,
    /// The first signal: finish quickly and gracefully.
    Stopping(Interrupt),
    /// A second signal during the stop: kill every process at once. Carries the first
    /// signal, which is the one the report and the exit code name.
    StopNow(Interrupt),
}

impl StopState {
    /// The signal that interrupted the run, if one did.
    pub fn interrupt(self) -> Option<Interrupt> {
        match self {
            StopState::Running => None,
            StopState::Stopping(s) | StopState::StopNow(s) => Some(s),
        }
    }
}

/// A stop request that moves forward only. The command line uses the process-wide one
/// ([`process_stop`]); tests make their own.
#[derive(Debug)]
pub struct StopSwitch {
    state: watch::Sender<StopState>,
}

impl Default for StopSwitch {
    fn default() -> Self {
        StopSwitch {
            state: watch::Sender::new(StopState::Running),
        }
    }
}

impl StopSwitch {
    /// Records a signal: the first one asks for a graceful stop, any later one for a
    /// stop at once. Returns the new state.
    pub fn request(&self, signal: Interrupt) -> StopState {
        self.state.send_modify(|state| {
            *state = match *state {
                StopState::Running => StopState::Stopping(signal),
                StopState::Stopping(first) | StopState::StopNow(first) => StopState::StopNow(first),
            }
        });
        *self.state.borrow()
    }

    pub fn state(&self) -> StopState {
        *self.state.borrow()
    }

    /// The signal that interrupted the run, if one did.
    pub fn interrupt(&self) -> Option<Interrupt> {
        self.state().interrupt()
    }

    /// Resolves once a stop was requested (at once if it already was), with its signal.
    pub async fn stopping(&self) -> Interrupt {
        self.wait_for(|s| s.interrupt()).await
    }

    /// Resolves once a stop at once was requested, with the first signal.
    pub async fn stop_now(&self) -> Interrupt {
        self.wait_for(|s| match s {
            StopState::StopNow(first) => Some(first),
            _ => None,
        })
        .await
    }

    async fn wait_for(&self, wanted: impl Fn(StopState) -> Option<Interrupt>) -> Interrupt {
        let mut watching = self.state.subscribe();
        loop {
            if let Some(signal) = wanted(*watching.borrow_and_update()) {
                return signal;
            }
            // The sender lives as long as `self`, which outlives this borrow: a closed
            // channel cannot happen, and would mean no stop will ever come.
            if watching.changed().await.is_err() {
                return std::future::pending().await;
            }
        }
    }
}

/// The process-wide switch: what the command line's signal handler raises and every
/// run, client process and server shutdown of the process watches. Nothing raises it
/// in the `cargo test` entry, whose signal handling stays its own (`harness`).
pub fn process_stop() -> &'static StopSwitch {
    static SWITCH: OnceLock<StopSwitch> = OnceLock::new();
    SWITCH.get_or_init(StopSwitch::default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_only_moves_forward_and_keeps_the_first_signal() {
        let switch = StopSwitch::default();
        assert_eq!(switch.interrupt(), None);
        assert_eq!(
            switch.request(Interrupt::Sigterm),
            StopState::Stopping(Interrupt::Sigterm)
        );
        assert_eq!(
            switch.request(Interrupt::Sigint),
            StopState::StopNow(Interrupt::Sigterm)
        );
        assert_eq!(
            switch.request(Interrupt::Sigint),
            StopState::StopNow(Interrupt::Sigterm)
        );
    }

    #[tokio::test]
    async fn waiters_wake_on_the_request_they_wait_for() {
        let switch = std::sync::Arc::new(StopSwitch::default());
        let waiting = {
            let switch = switch.clone();
            tokio::spawn(async move { (switch.stopping().await, switch.stop_now().await) })
        };
        switch.request(Interrupt::Sigint);
        // Already stopping: a late waiter resolves at once.
        assert_eq!(switch.stopping().await, Interrupt::Sigint);
        switch.request(Interrupt::Sigterm);
        assert_eq!(
            waiting.await.unwrap(),
            (Interrupt::Sigint, Interrupt::Sigint)
        );
    }
}
