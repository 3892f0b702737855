//! The harness's own tokio runtime: vendors call the entry from a plain `main`, and a
//! server launched for the trials must outlive every trial's `block_on`.

use std::future::Future;
use std::sync::OnceLock;

pub(super) fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime for the test harness")
    })
}

/// Runs `future` to completion on the harness's runtime. Called from inside another
/// runtime (a vendor's `#[tokio::main]`), where blocking on a runtime panics, it blocks
/// a thread of its own instead.
pub(super) fn block_on<F>(future: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    if tokio::runtime::Handle::try_current().is_err() {
        return runtime().block_on(future);
    }
    std::thread::scope(|scope| {
        scope
            .spawn(|| runtime().block_on(future))
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}
