//! Typed readers of the JSON columns of exports, export templates, schedules and notifications.
//! A row whose JSON does not decode is an error the caller logs, never a silent default: an empty
//! app list or default options would make a different export than the one asked for.

use std::collections::BTreeMap;

use mesdonnees_shared::archive::ManifestApp;
use mesdonnees_shared::exports::{Delivery, ExportOptions};
use serde::de::DeserializeOwned;

use crate::{Export, ExportTemplate, Notification};

/// A stored JSON value that does not decode.
#[derive(Debug, thiserror::Error)]
#[error("{table}.{column} of row {id} is not valid JSON of its type")]
pub struct CorruptColumn {
    pub table: &'static str,
    pub column: &'static str,
    pub id: String,
    #[source]
    pub source: serde_json::Error,
}

pub(crate) fn decode<T: DeserializeOwned>(
    table: &'static str,
    column: &'static str,
    id: &str,
    raw: &str,
) -> Result<T, CorruptColumn> {
    serde_json::from_str(raw).map_err(|source| CorruptColumn {
        table,
        column,
        id: id.to_owned(),
        source,
    })
}

impl Export {
    /// The app ids it is of.
    pub fn app_ids(&self) -> Result<Vec<String>, CorruptColumn> {
        decode("exports", "apps", &self.id, &self.apps)
    }

    /// Its filters, kind, table and e-mail.
    pub fn export_options(&self) -> Result<ExportOptions, CorruptColumn> {
        decode("exports", "options", &self.id, &self.options)
    }

    /// How each app went, once the job has said; empty before.
    pub fn outcomes(&self) -> Result<BTreeMap<String, ManifestApp>, CorruptColumn> {
        match &self.app_outcomes {
            Some(raw) => decode("exports", "app_outcomes", &self.id, raw),
            None => Ok(BTreeMap::new()),
        }
    }
}

impl ExportTemplate {
    /// The app ids exports made from it are of.
    pub fn app_ids(&self) -> Result<Vec<String>, CorruptColumn> {
        decode("export_templates", "apps", &self.id, &self.apps)
    }

    /// The filters, kind and table it gives.
    pub fn export_options(&self) -> Result<ExportOptions, CorruptColumn> {
        decode("export_templates", "options", &self.id, &self.options)
    }
}

impl Notification {
    /// What the timeline says of it: ids, names, counts, a failure's code.
    pub fn details(&self) -> Result<serde_json::Value, CorruptColumn> {
        decode("notifications", "body", &self.id, &self.body)
    }
}

impl crate::ExportSchedule {
    /// The app ids saved with the schedule; `None` when it takes a template's.
    pub fn app_ids(&self) -> Result<Option<Vec<String>>, CorruptColumn> {
        self.apps
            .as_deref()
            .map(|raw| decode("export_schedules", "apps", &self.id, raw))
            .transpose()
    }

    /// The options saved with the schedule; `None` when it takes a template's.
    pub fn export_options(&self) -> Result<Option<ExportOptions>, CorruptColumn> {
        self.options
            .as_deref()
            .map(|raw| decode("export_schedules", "options", &self.id, raw))
            .transpose()
    }

    /// Where each run also goes, besides the owner's list; stored as the bare name.
    pub fn delivery(&self) -> Result<Option<Delivery>, CorruptColumn> {
        self.deliver_to
            .as_deref()
            .map(|raw| {
                serde_json::from_value(serde_json::Value::String(raw.to_owned())).map_err(
                    |source| CorruptColumn {
                        table: "export_schedules",
                        column: "deliver_to",
                        id: self.id.clone(),
                        source,
                    },
                )
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn export(apps: &str, options: &str, outcomes: Option<&str>) -> Export {
        let mut e =
            Export::queued("e1".into(), "u1".into(), None, "n".into(), apps.into(), options.into());
        e.app_outcomes = outcomes.map(str::to_owned);
        e
    }

    #[test]
    fn a_sound_row_decodes() {
        let e = export(r#"["workspace"]"#, "{}", None);
        assert_eq!(e.app_ids().unwrap(), vec!["workspace".to_owned()]);
        assert_eq!(e.export_options().unwrap(), ExportOptions::default());
        assert!(e.outcomes().unwrap().is_empty());
    }

    #[test]
    fn a_corrupt_column_is_an_error_naming_it() {
        let e = export("not json", "{}", Some("[1]"));
        let err = e.app_ids().unwrap_err();
        assert_eq!((err.table, err.column, err.id.as_str()), ("exports", "apps", "e1"));
        assert_eq!(e.outcomes().unwrap_err().column, "app_outcomes");
        assert_eq!(export("[]", "[", None).export_options().unwrap_err().column, "options");
    }
}
