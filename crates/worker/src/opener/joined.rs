//! The parts of an archive in parts read as one: each part's bytes follow the previous part's,
//! and the entries of every part are shifted by where their part starts, so the import reads an
//! entry of any part as it reads one of a single archive. No entry spans two parts (a file
//! larger than a part is cut into pieces, each an entry of its own part), so a read that would
//! cross from one part into the next is a fault, not something to stitch.

use std::io;
use std::ops::Range;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream};
use futures_util::{FutureExt, StreamExt};
use mesdonnees_zip::{RangeSource, check_range};

pub(crate) struct Joined {
    /// Each part with the offset its bytes start at, in order.
    parts: Vec<(u64, Box<dyn RangeSource>)>,
    len: u64,
}

impl Joined {
    pub(crate) fn new() -> Self {
        Self { parts: Vec::new(), len: 0 }
    }

    /// Appends a part; answers the offset its bytes start at.
    pub(crate) fn push(&mut self, part: Box<dyn RangeSource>) -> u64 {
        let start = self.len;
        self.len += part.len();
        self.parts.push((start, part));
        start
    }

    /// The part holding `range`, and the range within it.
    fn locate(&self, range: &Range<u64>) -> io::Result<(&dyn RangeSource, Range<u64>)> {
        check_range(range, self.len)?;
        let index = self.parts.partition_point(|(start, _)| *start <= range.start).max(1) - 1;
        let (start, part) = &self.parts[index];
        let local = range.start - start..range.end - start;
        if local.end > part.len() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "a read across two parts"));
        }
        Ok((part.as_ref(), local))
    }
}

impl RangeSource for Joined {
    fn len(&self) -> u64 {
        self.len
    }

    fn read(&self, range: Range<u64>) -> BoxFuture<'_, io::Result<Bytes>> {
        match self.locate(&range) {
            Ok((part, local)) => part.read(local),
            Err(e) => async move { Err(e) }.boxed(),
        }
    }

    fn stream(&self, range: Range<u64>) -> BoxStream<'static, io::Result<Bytes>> {
        match self.locate(&range) {
            Ok((part, local)) => part.stream(local),
            Err(e) => stream::once(async move { Err(e) }).boxed(),
        }
    }
}

#[cfg(test)]
mod tests {
    use futures_util::TryStreamExt;

    use super::*;

    #[tokio::test]
    async fn reads_land_in_their_part_and_never_cross_two() {
        let mut joined = Joined::new();
        assert_eq!(joined.push(Box::new(Bytes::from_static(b"abc"))), 0);
        assert_eq!(joined.push(Box::new(Bytes::from_static(b"defgh"))), 3);
        assert_eq!(joined.len(), 8);
        assert_eq!(&joined.read(0..3).await.unwrap()[..], b"abc");
        assert_eq!(&joined.read(4..6).await.unwrap()[..], b"ef");
        let streamed: Vec<Bytes> = joined.stream(3..8).try_collect().await.unwrap();
        assert_eq!(streamed.concat(), b"defgh");
        assert!(joined.read(2..4).await.is_err());
        assert!(joined.read(7..9).await.is_err());
    }
}
