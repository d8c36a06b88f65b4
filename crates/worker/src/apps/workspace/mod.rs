//! The built-in documents space as an app: its export walks the database (`export.rs`), its
//! import rebuilds the documents in a new folder (`import.rs`).

mod export;
mod import;

use futures_util::future::BoxFuture;
use mesdonnees_infra::Context;
use mesdonnees_shared::apps::AppDescriptor;

pub use export::METADATA_FILE;
pub(crate) use import::{Known, MAX_METADATA_BYTES, WorkspacePart, part_of_manifest};

use super::{App, ConnectorError, ExportRequest, ImportJob, ImportPart, PreparedExport};
use crate::opener::Failure;

pub struct WorkspaceApp {
    ctx: Context,
    descriptor: AppDescriptor,
}

impl WorkspaceApp {
    pub fn new(ctx: Context) -> Self {
        Self { ctx, descriptor: AppDescriptor::workspace() }
    }
}

impl App for WorkspaceApp {
    fn descriptor(&self) -> &AppDescriptor {
        &self.descriptor
    }

    fn export<'a>(
        &'a self,
        request: &'a ExportRequest,
    ) -> BoxFuture<'a, Result<PreparedExport, ConnectorError>> {
        Box::pin(export::prepare(&self.ctx, &self.descriptor, request))
    }

    fn import<'a, 'p: 'a>(
        &'a self,
        job: ImportJob<'a, 'p>,
        part: &'a ImportPart<'a>,
    ) -> BoxFuture<'a, Result<Option<String>, Failure>> {
        Box::pin(async move {
            let ImportPart::Workspace(part) = part else {
                return Err(super::wrong_part(&self.descriptor.id));
            };
            import::import(&self.ctx, job, part).await.map(Some)
        })
    }
}
