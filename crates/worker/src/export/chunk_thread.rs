//! Bytes gathered into chunks and handed to a blocking thread that consumes them in order: the
//! archive's SHA-256, a streamed entry's SHA-256 and CRC-32, the writes of a local staging
//! file. The writer copies each byte once into a chunk and goes on; it waits only when
//! [`QUEUED`] chunks are already waiting.
//!
//! Pitfall: `tokio::fs::File` allows one write in flight, a blocking-pool hop each; behind it,
//! the writer waited for the previous write at every other chunk (800 waits for a 400 MB
//! archive), while a thread of its own takes a queue.

use std::future::Future;
use std::task::{Context, Poll, ready};

use tokio_util::sync::PollSender;

/// Size of a chunk: larger ones saved no time.
pub const CHUNK: usize = 256 * 1024;
/// Chunks waiting for the thread at most: room for its hiccups, a bounded memory.
const QUEUED: usize = 4;

/// What the thread does with each chunk, then hands back at the end.
pub trait ChunkConsumer: Send + 'static {
    /// Takes the next bytes; an error stops the thread, and is what [`ChunkThread::finish`]
    /// answers.
    fn consume(&mut self, chunk: &[u8]) -> std::io::Result<()>;
}

/// The thread and the chunk being filled.
pub struct ChunkThread<C> {
    pending: Vec<u8>,
    sender: PollSender<Vec<u8>>,
    /// Chunks the thread is done with, reused so no new pages are faulted in per chunk.
    recycled: std::sync::mpsc::Receiver<Vec<u8>>,
    /// Until it has ended early, on an error.
    thread: Option<tokio::task::JoinHandle<std::io::Result<C>>>,
    /// Why it ended early, answered again to every later call.
    failure: Option<std::io::Error>,
}

impl<C: ChunkConsumer> ChunkThread<C> {
    pub fn start(mut consumer: C) -> Self {
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<u8>>(QUEUED);
        let (give_back, recycled) = std::sync::mpsc::channel();
        let thread = tokio::task::spawn_blocking(move || {
            while let Some(mut chunk) = receiver.blocking_recv() {
                consumer.consume(&chunk)?;
                chunk.clear();
                let _ = give_back.send(chunk);
            }
            Ok(consumer)
        });
        Self {
            pending: Vec::with_capacity(CHUNK),
            sender: PollSender::new(sender),
            recycled,
            thread: Some(thread),
            failure: None,
        }
    }

    /// Room in the chunk being filled, once a full one has been handed over; waits while the
    /// queue is full.
    pub fn poll_room(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<usize>> {
        if self.pending.len() >= CHUNK {
            ready!(self.poll_hand_over(cx))?;
        }
        Poll::Ready(Ok(CHUNK - self.pending.len()))
    }

    /// Appends bytes, at most the room [`Self::poll_room`] gave.
    pub fn fill(&mut self, bytes: &[u8]) {
        debug_assert!(self.pending.len() + bytes.len() <= CHUNK, "more than the room given");
        self.pending.extend_from_slice(bytes);
    }

    /// Appends all of `bytes`, waiting for room as needed.
    pub async fn push(&mut self, mut bytes: &[u8]) -> std::io::Result<()> {
        while !bytes.is_empty() {
            let room = std::future::poll_fn(|cx| self.poll_room(cx)).await?;
            let n = room.min(bytes.len());
            self.fill(&bytes[..n]);
            bytes = &bytes[n..];
        }
        Ok(())
    }

    /// Hands the chunk being filled over, even partly filled.
    pub fn poll_hand_over(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        if self.pending.is_empty() {
            return Poll::Ready(Ok(()));
        }
        if ready!(self.sender.poll_reserve(cx)).is_err() {
            return self.poll_failure(cx).map(Err);
        }
        let next = self.recycled.try_recv().unwrap_or_else(|_| Vec::with_capacity(CHUNK));
        let chunk = std::mem::replace(&mut self.pending, next);
        if self.sender.send_item(chunk).is_err() {
            return self.poll_failure(cx).map(Err);
        }
        Poll::Ready(Ok(()))
    }

    /// The error that ended the thread early (it closes the queue only by ending).
    fn poll_failure(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Error> {
        if let Some(thread) = &mut self.thread {
            let ended = ready!(std::pin::Pin::new(thread).poll(cx));
            self.thread = None;
            self.failure = Some(match ended {
                Ok(Err(e)) => e,
                Ok(Ok(_)) | Err(_) => stopped(),
            });
        }
        Poll::Ready(
            self.failure
                .as_ref()
                .map_or_else(stopped, |e| std::io::Error::new(e.kind(), e.to_string())),
        )
    }

    /// Hands over what is left, waits for the thread to consume everything, and gives the
    /// consumer back; the first error the thread met, if any.
    pub async fn finish(mut self) -> std::io::Result<C> {
        std::future::poll_fn(|cx| self.poll_hand_over(cx)).await?;
        self.sender.close();
        match self.thread.take() {
            Some(thread) => thread.await.map_err(|_| stopped())?,
            None => Err(std::future::poll_fn(|cx| self.poll_failure(cx)).await),
        }
    }

    /// Stops the thread without waiting for it; what it had not consumed is dropped.
    pub fn abandon(mut self) {
        self.sender.close();
    }
}

fn stopped() -> std::io::Error {
    std::io::Error::other("the chunk thread stopped")
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Collect(Vec<u8>);

    impl ChunkConsumer for Collect {
        fn consume(&mut self, chunk: &[u8]) -> std::io::Result<()> {
            self.0.extend_from_slice(chunk);
            Ok(())
        }
    }

    struct FailAfter(usize);

    impl ChunkConsumer for FailAfter {
        fn consume(&mut self, _: &[u8]) -> std::io::Result<()> {
            self.0 = self.0.checked_sub(1).ok_or_else(|| std::io::Error::other("disk full"))?;
            Ok(())
        }
    }

    #[tokio::test]
    async fn every_byte_reaches_the_consumer_in_order() {
        let content: Vec<u8> = (0_u32..700_000).flat_map(u32::to_le_bytes).collect();
        let mut thread = ChunkThread::start(Collect(Vec::new()));
        for piece in content.chunks(100_003) {
            thread.push(piece).await.expect("pushed");
            assert!(thread.pending.capacity() <= CHUNK, "a chunk grew");
        }
        let collected = thread.finish().await.expect("finished").0;
        assert!(collected == content, "{} bytes of {}", collected.len(), content.len());
    }

    #[tokio::test]
    async fn the_consumers_error_is_what_finish_answers() {
        let mut thread = ChunkThread::start(FailAfter(2));
        // The writer may be told early that the thread stopped, or only at the end.
        let pushed = thread.push(&vec![7; 20 * CHUNK]).await;
        assert!(pushed.is_err_and(|e| e.to_string() == "disk full"), "told early or not at all");
        let error = thread.finish().await.err().expect("an error");
        assert_eq!(error.to_string(), "disk full");
    }
}
