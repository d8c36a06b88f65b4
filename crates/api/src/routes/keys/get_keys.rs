use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get};
use mesdonnees_shared::keys::PublishedKeys;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::routes::Ctx;

/// How long a client may use the keys before asking again: a new key is seen within the hour.
const MAX_AGE_SECS: u32 = 3600;

/// The instance's archive-signing public keys.
///
/// The current key, then the previous ones, with their ids (`kid` of manifest.sig, `source.key_id`
/// of the manifest) and validity: what `mesdonnees verify --keys-url` and another instance's
/// `imports.trusted_keys` read to check this instance's archives. No token needed; cacheable,
/// with an `ETag` (`If-None-Match` answers 304).
#[utoipa::path(
    tag = "keys",
    responses(
        (status = 200, body = PublishedKeys,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "unchanged since the `ETag` given in `If-None-Match`"),
    )
)]
#[get("/.well-known/mesdonnees/keys")]
pub async fn get_keys(ctx: Ctx, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let keys = mesdonnees_core::keys::published(&ctx).await?;
    let body = serde_json::to_vec(&keys).map_err(ApiError::internal)?;
    let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..32]);
    let cache = format!("public, max-age={MAX_AGE_SECS}");
    let unchanged =
        req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| {
            v.split(',').any(|tag| matches!(tag.trim(), t if t == etag || t == "*"))
        });
    let mut answer = if unchanged { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    answer.insert_header((header::ETAG, etag)).insert_header((header::CACHE_CONTROL, cache));
    Ok(if unchanged { answer.finish() } else { answer.content_type("application/json").body(body) })
}
