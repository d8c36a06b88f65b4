//! The pure domain of mesdonnees: identifiers, validated names, stable error codes and job
//! payloads. Nothing here knows about HTTP, databases or storage.

pub mod apps;
pub mod archive;
pub mod connector;
pub mod entcore;
pub mod entry_name;
pub mod error_code;
pub mod exports;
pub mod filters;
pub mod ids;
pub mod imports;
pub mod jobs;
pub mod name;
pub mod tables;

pub use error_code::ErrorCode;
pub use ids::{DocumentId, ImportId, JobId, UserId};
pub use name::{DocumentName, NameError};
