mod delete_document;
mod get_document;
mod get_document_content;
mod list_documents;
mod share_document;
mod upload_document;

pub use delete_document::*;
pub use get_document::*;
pub use get_document_content::*;
pub use list_documents::*;
pub use share_document::*;
pub use upload_document::*;

use chrono::{DateTime, Utc};
use mesdonnees_core::listing::Listed;
use mesdonnees_db::Document;
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKindView {
    File,
    Folder,
}

/// A document or a folder of the documents space.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    pub id: String,
    pub kind: DocumentKindView,
    pub name: String,
    /// Bytes; 0 for folders.
    pub size: i64,
    /// Hex SHA-256 of the content; absent for folders.
    pub sha256: Option<String>,
    pub content_type: Option<String>,
    /// The folder holding it; absent at the owner's root.
    pub folder_id: Option<String>,
    pub owner_id: String,
    pub created_at: DateTime<Utc>,
}

impl From<Document> for DocumentView {
    fn from(doc: Document) -> Self {
        let kind = if doc.is_folder() { DocumentKindView::Folder } else { DocumentKindView::File };
        Self {
            created_at: doc.created_at_utc(),
            id: doc.id,
            kind,
            name: doc.name,
            size: doc.size,
            sha256: doc.sha256,
            content_type: doc.content_type,
            folder_id: doc.parent_id,
            owner_id: doc.owner_id,
        }
    }
}

/// One page of documents.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentPage {
    pub items: Vec<DocumentView>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

impl From<Listed<Document>> for DocumentPage {
    fn from(listed: Listed<Document>) -> Self {
        Self {
            items: listed.items.into_iter().map(DocumentView::from).collect(),
            page: listed.page,
            per_page: listed.per_page,
            total: listed.total,
        }
    }
}
