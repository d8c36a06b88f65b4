//! What every streamed upload shares: part sizes, and how a refused or broken multipart body is
//! drained and its partial object discarded.

use actix_multipart::{Field, Multipart};
use futures_util::StreamExt;
use mesdonnees_shared::ErrorCode;
use object_store::ObjectStoreExt;
use object_store::path::Path;

use crate::error::ApiError;
use crate::routes::Ctx;

/// Bytes read and thrown away after a refusal so the client gets the answer instead of a reset
/// connection; past this the connection is simply closed.
pub(crate) const DRAIN_CAP: u64 = 16 * 1024 * 1024;
/// Part size of the streaming upload to the store: S3 needs ≥ 5 MiB, memory stays bounded by
/// this times the parts in flight.
pub(crate) const PART_BYTES: usize = 8 * 1024 * 1024;
pub(crate) const PARTS_IN_FLIGHT: usize = 2;

pub(crate) async fn skip(field: &mut Field, ended: &mut bool) {
    while let Some(chunk) = field.next().await {
        if chunk.is_err() {
            *ended = true;
            return;
        }
    }
}

/// Reads what is left of a refused upload, up to [`DRAIN_CAP`].
pub(crate) async fn drain(multipart: &mut Multipart) {
    let mut drained: u64 = 0;
    while let Some(Ok(mut field)) = multipart.next().await {
        loop {
            match field.next().await {
                Some(Ok(chunk)) => {
                    drained += chunk.len() as u64;
                    if drained > DRAIN_CAP {
                        return;
                    }
                }
                Some(Err(_)) => return,
                None => break,
            }
        }
    }
}

pub(crate) async fn discard(ctx: &Ctx, key: &Path) {
    if let Err(e) = ctx.storage.store.delete(key).await {
        tracing::warn!(error = %e, "uploaded object not removed after a refusal");
    }
}

pub(crate) fn multipart_error(e: &actix_multipart::MultipartError) -> ApiError {
    use actix_multipart::MultipartError as E;
    match e {
        E::ContentTypeMissing
        | E::ContentTypeParse
        | E::ContentTypeIncompatible
        | E::BoundaryMissing => ApiError::UnsupportedMediaType,
        other => ApiError::bad_request(
            ErrorCode::InvalidRequest,
            format!("malformed multipart body: {other}"),
        ),
    }
}
