use std::time::Duration;

use actix_web::{HttpResponse, get};
use object_store::ObjectStoreExt;
use serde::Serialize;

use crate::error::ApiError;
use crate::routes::Ctx;

const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Serialize, utoipa::ToSchema)]
pub struct Readiness {
    status: &'static str,
    database: &'static str,
    storage: &'static str,
    queue: &'static str,
    /// Every trusted identity provider's keys were fetched at least once.
    identity_providers: &'static str,
}

/// The database, the object store and the queue answer, and a key set of every trusted identity
/// provider was fetched at least once. A 503 names the parts that are not ready.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, body = Readiness),
        (status = 503, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn get_readyz(ctx: Ctx) -> Result<HttpResponse, ApiError> {
    let database =
        async { ctx.db.ping().await.map_err(|e| tracing::warn!(error = ?e, "database not ready")) };
    let storage = async {
        // A missing key is an answer; only a failure to talk to the store counts.
        match ctx.storage.store.head(&object_store::path::Path::from("readyz-probe")).await {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => {
                tracing::warn!(error = %e, "object store not ready");
                Err(())
            }
        }
    };
    let queue =
        async { ctx.queue.ping().await.map_err(|e| tracing::warn!(error = %e, "queue not ready")) };
    let (database, storage, queue, unready) = tokio::join!(
        tokio::time::timeout(CHECK_TIMEOUT, database),
        tokio::time::timeout(CHECK_TIMEOUT, storage),
        tokio::time::timeout(CHECK_TIMEOUT, queue),
        tokio::time::timeout(CHECK_TIMEOUT * 2, ctx.keys.unready_issuers()),
    );
    let ok = |r: &Result<Result<(), ()>, _>| matches!(r, Ok(Ok(())));
    let mut failing: Vec<String> =
        [("database", ok(&database)), ("storage", ok(&storage)), ("queue", ok(&queue))]
            .into_iter()
            .filter(|(_, ok)| !ok)
            .map(|(name, _)| name.to_owned())
            .collect();
    match unready {
        Ok(issuers) if issuers.is_empty() => {}
        Ok(issuers) => failing.push(format!("identity provider keys ({})", issuers.join(", "))),
        Err(_) => failing.push("identity provider keys".to_owned()),
    }
    if !failing.is_empty() {
        return Err(ApiError::Unavailable(failing.join(", ")));
    }
    Ok(HttpResponse::Ok().json(Readiness {
        status: "ready",
        database: "ok",
        storage: "ok",
        queue: "ok",
        identity_providers: "ok",
    }))
}
