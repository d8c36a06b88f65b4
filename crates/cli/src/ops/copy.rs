//! Writing a streamed archive to a file while checking it against the size and SHA-256 its
//! export announced.

use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::OpError;

/// Writes `chunks` into `file` and syncs it; whether the bytes have the expected size and
/// SHA-256 (an unknown one checks nothing). `what` names the archive in errors.
pub async fn write_checked<E: std::fmt::Display>(
    chunks: impl Stream<Item = Result<bytes::Bytes, E>>,
    mut file: tokio::fs::File,
    sha256: Option<&str>,
    size: Option<i64>,
    what: &str,
) -> Result<bool, OpError> {
    let mut chunks = std::pin::pin!(chunks);
    let mut hash = Sha256::new();
    let mut written = 0_u64;
    let write_failed = |e: std::io::Error| OpError::Failed(format!("{what}: cannot write: {e}"));
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| OpError::Failed(format!("{what}: cannot read: {e}")))?;
        hash.update(&chunk);
        written += chunk.len() as u64;
        file.write_all(&chunk).await.map_err(write_failed)?;
    }
    file.sync_all().await.map_err(write_failed)?;
    let digest = hex::encode(hash.finalize());
    Ok(sha256.is_none_or(|expected| expected == digest)
        && size.is_none_or(|expected| u64::try_from(expected).ok() == Some(written)))
}
