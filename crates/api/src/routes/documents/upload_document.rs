use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, post, web};
use futures_util::StreamExt;
use mesdonnees_core::documents::{self, Receiver};

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::documents::DocumentView;
use crate::routes::uploads::{
    MAX_PARTS, declared_length, drain, multipart_error, read_text, skip, too_many_parts,
};

/// The multipart form of an upload.
#[derive(utoipa::ToSchema)]
#[expect(dead_code, reason = "describes the form for the OpenAPI document only")]
pub struct UploadForm {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The folder to put it in; the user's root when absent.
    #[schema(
        pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    folder_id: Option<String>,
}

/// Uploads a file, streamed to the object store: never held whole in memory. The size limit and
/// the user's quota are enforced while streaming.
#[utoipa::path(
    tag = "documents",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = DocumentView),
        (status = 413, description = "larger than the upload limit", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 507, description = "the service's storage is full; nothing was kept", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 415, description = "not multipart/form-data", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, description = "quota exceeded, no file, bad name or folder", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/documents")]
pub async fn upload_document(
    ctx: Ctx,
    user: AuthUser,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let declared = declared_length(&req);
    let req = &req;
    let doc = documents::upload(&ctx, &user.actor(), declared, |receiver| async move {
        let mut multipart = Multipart::new(req.headers(), payload);
        let mut ended = false;
        let form = read_form(&receiver, &mut multipart, &mut ended).await;
        if form.is_err() && !ended {
            // Polling a multipart stream after its end or error panics.
            drain(&mut multipart).await;
        }
        form
    })
    .await?;
    Ok(HttpResponse::Created().json(DocumentView::from(doc)))
}

/// Reads the form, storing its file through `receiver`; answers its folder id.
async fn read_form(
    receiver: &Receiver<'_>,
    multipart: &mut Multipart,
    ended: &mut bool,
) -> Result<Option<String>, ApiError> {
    let mut folder_id = None;
    let mut parts = 0;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(|e| {
            *ended = true;
            multipart_error(&e)
        })?;
        parts += 1;
        if parts > MAX_PARTS {
            return Err(too_many_parts());
        }
        match field.name() {
            Some("file") => {
                let file_name = crate::form_data::file_name(field.headers());
                let declared_type = field.content_type().cloned();
                let body = (&mut field).map(|chunk| {
                    chunk.map_err(|e| {
                        *ended = true;
                        multipart_error(&e)
                    })
                });
                receiver.store(file_name.as_deref(), declared_type.as_ref(), body).await?;
            }
            Some("folder_id") => folder_id = Some(read_text(&mut field, ended).await?),
            _ => skip(&mut field, ended).await,
        }
    }
    *ended = true;
    Ok(folder_id)
}
