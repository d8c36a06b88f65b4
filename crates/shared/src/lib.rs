//! The pure domain of mesdonnees: identifiers, validated names, the failure vocabulary and job
//! payloads. Nothing here serves requests, queries a database or touches storage.

pub mod apps;
pub mod archive;
pub mod connector;
pub mod derived;
pub mod entcore;
pub mod entry_name;
pub mod error_code;
pub mod exports;
pub mod filters;
pub mod ids;
pub mod imports;
pub mod jobs;
pub mod keys;
pub mod lang;
pub mod leavers;
pub mod media_type;
pub mod name;
pub mod tables;
pub mod zone;

pub use error_code::{ErrorCode, FailureCode};
pub use ids::{DocumentId, ImportId, JobId, UserId};
pub use lang::Lang;
pub use name::{DocumentName, NameError};
pub use zone::Zone;
