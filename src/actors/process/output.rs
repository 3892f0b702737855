//! Bounded capture of a child's standard output and error.
//!
//! A server under test may log every request, or loop printing an error; the harness keeps
//! only the last [`CAPTURE_LIMIT`] bytes of each stream, which is the part that explains how
//! the process ended, so memory stays bounded however long the run.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// How many bytes of each stream are kept: the last 64 KiB.
pub const CAPTURE_LIMIT: usize = 64 * 1024;

/// The last `limit` bytes written to it, and whether anything earlier was dropped.
#[derive(Debug)]
pub(super) struct Tail {
    bytes: VecDeque<u8>,
    limit: usize,
    truncated: bool,
}

impl Tail {
    pub(super) fn new(limit: usize) -> Self {
        Tail {
            bytes: VecDeque::new(),
            limit,
            truncated: false,
        }
    }

    pub(super) fn push(&mut self, chunk: &[u8]) {
        // Only the end of an oversized chunk can survive, so skip the rest up front.
        let keep = &chunk[chunk.len().saturating_sub(self.limit)..];
        if keep.len() < chunk.len() {
            self.truncated = true;
        }
        let overflow = (self.bytes.len() + keep.len()).saturating_sub(self.limit);
        if overflow > 0 {
            self.bytes.drain(..overflow.min(self.bytes.len()));
            self.truncated = true;
        }
        self.bytes.extend(keep);
    }

    /// The kept text as lossy UTF-8, and whether earlier output was dropped.
    pub(super) fn text(&self) -> (String, bool) {
        let (front, back) = self.bytes.as_slices();
        let mut bytes = Vec::with_capacity(self.bytes.len());
        bytes.extend_from_slice(front);
        bytes.extend_from_slice(back);
        let mut start = 0;
        if self.truncated {
            // The cut may fall inside a multi-byte character; drop its continuation bytes
            // (at most three) rather than show a replacement character for them.
            while start < bytes.len().min(3) && bytes[start] & 0b1100_0000 == 0b1000_0000 {
                start += 1;
            }
        }
        (
            String::from_utf8_lossy(&bytes[start..]).into_owned(),
            self.truncated,
        )
    }
}

/// One stream being read into a [`Tail`] by a background task.
///
/// The buffer is shared with the task rather than returned by it, so that the harness can
/// take what was captured even when the task never finishes: a grandchild that left the
/// process group can keep the pipe open indefinitely.
pub(super) struct Capture {
    tail: Arc<Mutex<Tail>>,
    task: Option<JoinHandle<()>>,
}

impl Capture {
    /// Starts reading `stream` in the background. A missing stream captures nothing.
    pub(super) fn start<R>(stream: Option<R>) -> Self
    where
        R: AsyncRead + Unpin + Send + 'static,
    {
        let tail = Arc::new(Mutex::new(Tail::new(CAPTURE_LIMIT)));
        let task = stream.map(|mut stream| {
            let tail = Arc::clone(&tail);
            tokio::spawn(async move {
                let mut chunk = vec![0u8; 8 * 1024];
                // A read error (rare on a pipe) ends the capture like end of file does:
                // whatever was read so far is still the best evidence there is.
                while let Ok(n @ 1..) = stream.read(&mut chunk).await {
                    lock(&tail).push(&chunk[..n]);
                }
            })
        });
        Capture { tail, task }
    }

    /// Waits until the stream ends or `deadline` passes, then returns the text captured.
    pub(super) async fn finish(&mut self, deadline: Instant) -> (String, bool) {
        if let Some(task) = self.task.as_mut() {
            if tokio::time::timeout_at(deadline, &mut *task).await.is_err() {
                // Still open: some process outside the harness's reach holds the pipe.
                // Stop reading; what arrived until now is kept.
                task.abort();
            }
            self.task = None;
        }
        lock(&self.tail).text()
    }

    /// Stops reading without waiting, for when the process is abandoned.
    pub(super) fn abort(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Locks the buffer even if a reader panicked while holding it: the bytes are still valid.
fn lock(tail: &Mutex<Tail>) -> std::sync::MutexGuard<'_, Tail> {
    tail.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_output_is_kept_whole() {
        let mut tail = Tail::new(8);
        tail.push(b"abc");
        tail.push(b"def");
        assert_eq!(tail.text(), ("abcdef".to_string(), false));
    }

    #[test]
    fn long_output_keeps_the_last_bytes() {
        let mut tail = Tail::new(8);
        tail.push(b"0123456");
        tail.push(b"789ab");
        assert_eq!(tail.text(), ("456789ab".to_string(), true));
        tail.push(b"a very long chunk, bigger than the limit");
        assert_eq!(tail.text(), ("he limit".to_string(), true));
    }

    #[test]
    fn a_cut_inside_a_character_drops_its_remains() {
        let mut tail = Tail::new(4);
        // "é" is two bytes; keeping the last four of "aéxyz" cuts it in half.
        tail.push("aéxyz".as_bytes());
        assert_eq!(tail.text(), ("xyz".to_string(), true));
    }

    #[tokio::test]
    async fn capture_reads_until_end_of_stream() {
        let mut capture = Capture::start(Some(&b"hello\n"[..]));
        let deadline = Instant::now() + std::time::Duration::from_secs(1);
        assert_eq!(
            capture.finish(deadline).await,
            ("hello\n".to_string(), false)
        );
    }

    #[tokio::test]
    async fn capture_without_stream_is_empty() {
        let mut capture = Capture::start(None::<&[u8]>);
        assert_eq!(capture.finish(Instant::now()).await, (String::new(), false));
    }
}
