//! What an export is of (apps, filters, kind, table), as a request or a template gives it, and
//! the rules that settle it: known apps, valid filters, a table that names fields of those apps.

use chrono::Utc;
use mesdonnees_db::documents;
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::filters::{ExportFilters, FilterError};
use mesdonnees_shared::tables::{ExportKind, TableSpec};

use crate::{Actor, Error};

/// What an export is of, every part optional.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// App ids; every exportable app when absent.
    pub apps: Option<Vec<String>>,
    pub filters: Option<ExportFilters>,
    pub kind: Option<ExportKind>,
    pub table: Option<TableSpec>,
}

/// Settings checked and completed: the apps, normalised filters, the kind and its table.
#[derive(Debug, Clone)]
pub struct Settled {
    pub apps: Vec<String>,
    pub filters: ExportFilters,
    pub kind: ExportKind,
    pub table: Option<TableSpec>,
}

impl Settings {
    /// `self`, with what it leaves out taken from `defaults` (a template).
    #[must_use]
    pub fn or(self, defaults: Settings) -> Self {
        Self {
            apps: self.apps.or(defaults.apps),
            filters: self.filters.or(defaults.filters),
            kind: self.kind.or(defaults.kind),
            table: self.table.or(defaults.table),
        }
    }

    /// Checks the settings against this instance's apps and completes them.
    pub fn settle(self, ctx: &Context) -> Result<Settled, Error> {
        let apps = resolve_apps(ctx, self.apps)?;
        let filters =
            self.filters.unwrap_or_default().validate(Utc::now()).map_err(|e| filter_error(&e))?;
        let kind = self.kind.unwrap_or_default();
        if kind == ExportKind::Table && self.table.is_none() {
            return Err(Error::invalid(
                ErrorCode::InvalidTable,
                "a table export needs `table`: its format and columns",
            ));
        }
        if let Some(table) = &self.table {
            table
                .validate(|app, field| {
                    apps.iter().any(|a| a == app)
                        && ctx
                            .remote_app(app)
                            .is_some_and(|a| a.table_fields.iter().any(|f| f.field == field))
                })
                .map_err(|e| Error::invalid(ErrorCode::InvalidTable, e.to_string()))?;
        }
        Ok(Settled { apps, filters, kind, table: self.table })
    }
}

/// The apps asked for, checked against the catalogue; all of them when none is named.
pub(crate) fn resolve_apps(
    ctx: &Context,
    asked: Option<Vec<String>>,
) -> Result<Vec<String>, Error> {
    let known: Vec<String> = ctx.apps().into_iter().map(|a| a.id).collect();
    let Some(asked) = asked else { return Ok(known) };
    if asked.is_empty() {
        return Err(Error::invalid(ErrorCode::UnknownApp, "name at least one app"));
    }
    let unknown: Vec<&str> =
        asked.iter().filter(|a| !known.contains(a)).map(String::as_str).collect();
    if !unknown.is_empty() {
        return Err(Error::invalid(
            ErrorCode::UnknownApp,
            format!("unknown apps: {}", unknown.join(", ")),
        ));
    }
    let mut apps = asked;
    apps.sort();
    apps.dedup();
    Ok(apps)
}

/// Checks that every folder the filters choose is a folder of the owner's own tree: one they
/// cannot see is answered as one that does not exist.
pub(crate) async fn check_folders(
    ctx: &Context,
    actor: &Actor,
    filters: &ExportFilters,
) -> Result<(), Error> {
    if filters.folders.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = filters.folders.iter().map(ToString::to_string).collect();
    let owner = actor.owner().to_string();
    let asked = ids.clone();
    let found = ctx.db.run(move |conn| documents::kinds_owned(conn, &owner, &asked)).await?;
    for id in &ids {
        match found.iter().find(|(found, _)| found == id) {
            None => {
                return Err(Error::invalid(
                    ErrorCode::FolderNotFound,
                    format!("filters.folders: no folder {id} among yours"),
                ));
            }
            Some((_, kind)) if kind != "folder" => {
                return Err(Error::invalid(
                    ErrorCode::NotAFolder,
                    format!("filters.folders: {id} is a file, not a folder"),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

pub(crate) fn filter_error(e: &FilterError) -> Error {
    Error::invalid(ErrorCode::InvalidFilter, e.to_string())
}

#[cfg(test)]
mod tests {
    use mesdonnees_shared::tables::ExportKind;

    use super::Settings;

    #[test]
    fn a_request_overrides_its_template_member_by_member() {
        let template = Settings {
            apps: Some(vec!["workspace".into()]),
            kind: Some(ExportKind::Table),
            ..Settings::default()
        };
        let asked = Settings { apps: Some(vec!["cahier".into()]), ..Settings::default() };
        let merged = asked.or(template);
        assert_eq!(merged.apps, Some(vec!["cahier".to_owned()]), "the request's apps win");
        assert_eq!(merged.kind, Some(ExportKind::Table), "the template fills what is left out");
        assert!(merged.filters.is_none() && merged.table.is_none());
    }
}
