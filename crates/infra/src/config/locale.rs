//! `[locale]`: how times read for people.

use mesdonnees_shared::Zone;
use serde::{Deserialize, Serialize};

use super::Section;

/// How the service writes times for people.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocaleConfig {
    /// The ENT's IANA time zone (`Europe/Paris`, `Indian/Reunion`, `America/Cayenne`…), for the
    /// times the service itself writes in words: an import's folder name, the archive's pages,
    /// e-mails. The API always speaks UTC.
    #[schema(value_type = String)]
    pub time_zone: Zone,
}

/// The zone is checked as it is read: an unknown name does not parse.
impl Section for LocaleConfig {}
