//! At most a few requests in flight to the target, whatever `--jobs` says.
//!
//! A small server listens with a small accept queue (Python's `socketserver`, under
//! `http.server`, asks for 5; `listen(2)` backlogs of 5 to 128 are common). When more
//! connections arrive than the queue holds, Linux drops the SYN and the client sends it
//! again only after its initial retransmission timeout, 1 s (RFC 6298 §2.1, §5.7): one
//! case then waits a second for nothing the target did. Fewer requests in flight than
//! the smallest usual queue means a fresh connection never meets a full one. The suite's
//! own in-process mocks accept at once and are not capped.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

/// Requests in flight to one target at most: below the 5 of a default `socketserver`
/// backlog, so even a target that accepts one connection at a time keeps up.
pub const IN_FLIGHT_PER_TARGET: usize = 4;

/// The cap on requests to one origin (RFC 6454 §4: scheme, host, port), shared by every
/// case of a run through the one client they share.
#[derive(Debug, Clone)]
pub struct TargetCap {
    origin: url::Origin,
    slots: Arc<Semaphore>,
}

impl TargetCap {
    /// A cap of [`IN_FLIGHT_PER_TARGET`] on the requests to `target`'s origin.
    pub fn new(target: &Url) -> Self {
        TargetCap {
            origin: target.origin(),
            slots: Arc::new(Semaphore::new(IN_FLIGHT_PER_TARGET)),
        }
    }

    /// A slot for a request to `url`, held until its answer is read; `None` for a
    /// request that is not to the target (no slot needed).
    pub async fn enter(&self, url: &Url) -> Option<OwnedSemaphorePermit> {
        if url.origin() != self.origin {
            return None;
        }
        // The semaphore is never closed, so acquiring cannot fail.
        self.slots.clone().acquire_owned().await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn caps_only_the_target_origin() {
        let cap = TargetCap::new(&Url::parse("http://127.0.0.1:8080/mcp").unwrap());
        let same = Url::parse("http://127.0.0.1:8080/.well-known/x").unwrap();
        let other = Url::parse("http://127.0.0.1:9090/token").unwrap();
        let mut held = Vec::new();
        for _ in 0..IN_FLIGHT_PER_TARGET {
            held.push(cap.enter(&same).await.expect("a slot"));
        }
        // The target is full: another request to it waits; one elsewhere does not.
        assert!(cap.slots.clone().try_acquire_owned().is_err());
        assert!(cap.enter(&other).await.is_none());
        held.pop();
        assert!(cap.enter(&same).await.is_some());
    }
}
