//! Who asks for an export's file, and the file served: the two downloads (the whole archive,
//! one part) open with a bearer token, a signed link's `token`, or both, the same way.

use actix_web::{HttpRequest, HttpResponse};
use mesdonnees_core::Actor;
use mesdonnees_core::exports::{Access, Ready};

use crate::auth::authenticate;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::download::{self, Download};

/// The caller of a download, as its bearer and its link's token say.
pub(super) enum Asker {
    Owner(Actor),
    Link(String),
    OwnerOrLink(Actor, String),
}

impl Asker {
    /// The asker of `req`, with the link's `token` when the query holds one; without a token, a
    /// valid bearer is required.
    pub(super) async fn of(req: &HttpRequest, token: Option<&str>) -> Result<Self, ApiError> {
        let caller = authenticate(req).await;
        Ok(match (token, caller) {
            (Some(token), Ok(user)) => Self::OwnerOrLink(user.actor(), token.to_owned()),
            // A link stands on its own: a stale or foreign bearer beside it does not matter.
            (Some(token), Err(_)) => Self::Link(token.to_owned()),
            (None, caller) => Self::Owner(caller?.actor()),
        })
    }

    pub(super) fn access(&self) -> Access<'_> {
        match self {
            Self::Owner(actor) => Access::Owner(actor),
            Self::Link(token) => Access::Link(token),
            Self::OwnerOrLink(actor, token) => Access::OwnerOrLink(actor, token),
        }
    }
}

/// Streams the file a download use case found.
pub(super) async fn serve(
    ctx: &Ctx,
    req: &HttpRequest,
    ready: Ready,
) -> Result<HttpResponse, ApiError> {
    let download = Download {
        key: &ready.key,
        size: ready.size,
        etag: ready.sha256,
        file_name: &ready.file_name,
        content_type: ready.content_type,
    };
    download::respond(ctx, req, download).await
}
