//! The revision probe's run, kept for the cases: before a revision's cases, the client
//! runs the plain flow once (`client_revision_probe`), which is exactly the run of the
//! cases whose set-up is the plain one (`ClientSetUp::plain`). When client runs are
//! shared, that run is kept and the first plain run of the revision's cases takes it
//! instead of starting the client again: one start fewer per revision, same verdicts (a
//! case judges only the recorded observation).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use super::driver::{ClientObserver, ClientRunSeen};
use crate::logic::client_set_up::ClientSetUp;
use crate::transport::BoxFuture;
use crate::vocab::Revision;

/// A client observer that keeps the first plain run of each revision for one later
/// plain run (with `share`), and otherwise runs the client as `client` does.
pub struct KeptPlainRuns<O> {
    client: O,
    share: bool,
    kept: Mutex<HashMap<Revision, Option<ClientRunSeen>>>,
}

impl<O> KeptPlainRuns<O> {
    pub fn new(client: O, share: bool) -> Self {
        KeptPlainRuns {
            client,
            share,
            kept: Mutex::new(HashMap::new()),
        }
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, HashMap<Revision, Option<ClientRunSeen>>> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<O: ClientObserver> ClientObserver for KeptPlainRuns<O> {
    fn observe<'a>(
        &'a self,
        set_up: &'a ClientSetUp,
        revision: Revision,
        timeout: Duration,
    ) -> BoxFuture<'a, Result<ClientRunSeen, String>> {
        Box::pin(async move {
            let plain = self.share && *set_up == ClientSetUp::plain();
            if !plain {
                return self.client.observe(set_up, revision, timeout).await;
            }
            // The first plain run of a revision is kept (the probe's); the second takes
            // it; later ones run the client.
            let taken = self.kept().get_mut(&revision).map(Option::take);
            match taken {
                Some(Some(seen)) => Ok(seen),
                Some(None) => self.client.observe(set_up, revision, timeout).await,
                None => {
                    let seen = self.client.observe(set_up, revision, timeout).await?;
                    self.kept()
                        .entry(revision)
                        .or_insert_with(|| Some(seen.clone()));
                    Ok(seen)
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::*;
    use crate::logic::observation::Observation;
    use crate::vocab::ProcessEvidence;

    /// Counts the client's starts.
    #[derive(Default)]
    struct Counting(AtomicUsize);

    impl ClientObserver for Counting {
        fn observe<'a>(
            &'a self,
            _: &'a ClientSetUp,
            _: Revision,
            _: Duration,
        ) -> BoxFuture<'a, Result<ClientRunSeen, String>> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async {
                Ok(ClientRunSeen {
                    token_endpoint: String::new(),
                    observation: Arc::new(Observation {
                        exchanges: Vec::new(),
                        mcp_url: String::new(),
                        exit_code: Some(0),
                        ended: String::new(),
                    }),
                    process: ProcessEvidence {
                        command: String::new(),
                        ended: String::new(),
                        stdout: String::new(),
                        stderr: String::new(),
                        truncated: false,
                        notes: Vec::new(),
                        outlived: Vec::new(),
                    },
                    quiet: true,
                    issuer: String::new(),
                    over_budget: None,
                })
            })
        }
    }

    async fn starts(share: bool, set_up: &ClientSetUp, runs: usize) -> usize {
        let kept = KeptPlainRuns::new(Counting::default(), share);
        for _ in 0..runs {
            let t = Duration::from_secs(1);
            kept.observe(set_up, Revision::LATEST, t).await.unwrap();
        }
        kept.client.0.load(Ordering::SeqCst)
    }

    #[tokio::test]
    async fn the_probes_plain_run_serves_the_plain_cases_once() {
        let plain = ClientSetUp::plain();
        // The probe's run, then the plain cases' shared run: one start.
        assert_eq!(starts(true, &plain, 2).await, 1);
        // A third plain run (none happens when runs are shared) starts the client.
        assert_eq!(starts(true, &plain, 3).await, 2);
        // `--no-share`: every run starts the client.
        assert_eq!(starts(false, &plain, 2).await, 2);
        let mut other = ClientSetUp::plain();
        other.scenario = "auth/basic-cimd".into();
        assert_eq!(starts(true, &other, 2).await, 2);
    }
}
