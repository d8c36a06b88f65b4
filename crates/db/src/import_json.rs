//! Typed readers of the JSON columns of imports. A row whose JSON does not decode is an error the
//! caller logs, never a silent default: an empty analysis or selection would tell the user that
//! their archive holds nothing.

use mesdonnees_shared::imports::{Analysis, AppChoice, ImportReport};

use crate::Import;
use crate::stored_json::{CorruptColumn, decode};

impl Import {
    /// The rights its owner had when it was received: what the analysis judges apps by.
    pub fn owner_rights(&self) -> Result<Vec<String>, CorruptColumn> {
        decode("imports", "owner_rights", &self.id, &self.owner_rights)
    }

    /// The apps an operator chose before the analysis, if any.
    pub fn auto_apps(&self) -> Result<Option<AppChoice>, CorruptColumn> {
        self.auto_apps
            .as_deref()
            .map(|raw| decode("imports", "auto_apps", &self.id, raw))
            .transpose()
    }

    /// What the archive holds and what of it can be imported, once analysed.
    pub fn analysis(&self) -> Result<Option<Analysis>, CorruptColumn> {
        self.analysis.as_deref().map(|raw| decode("imports", "analysis", &self.id, raw)).transpose()
    }

    /// The app ids chosen at launch; empty before.
    pub fn selected_apps(&self) -> Result<Vec<String>, CorruptColumn> {
        match &self.selected_apps {
            Some(raw) => decode("imports", "selected_apps", &self.id, raw),
            None => Ok(Vec::new()),
        }
    }

    /// Per app, what was imported, once done.
    pub fn report(&self) -> Result<Option<ImportReport>, CorruptColumn> {
        self.report.as_deref().map(|raw| decode("imports", "report", &self.id, raw)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn import() -> Import {
        Import::uploaded(
            "i1".into(),
            "u1".into(),
            None,
            "[]".into(),
            "a.zip".into(),
            "uploads/i1".into(),
            1,
        )
    }

    #[test]
    fn columns_not_yet_written_read_as_absent() {
        let i = import();
        assert!(i.analysis().unwrap().is_none());
        assert!(i.report().unwrap().is_none());
        assert!(i.selected_apps().unwrap().is_empty());
        assert!(i.auto_apps().unwrap().is_none());
        assert!(i.owner_rights().unwrap().is_empty());
    }

    #[test]
    fn a_corrupt_column_is_an_error_naming_it() {
        let mut i = import();
        i.selected_apps = Some(r#"["workspace"]"#.into());
        assert_eq!(i.selected_apps().unwrap(), vec!["workspace".to_owned()]);
        i.selected_apps = Some("{".into());
        i.analysis = Some("[1]".into());
        i.report = Some("null x".into());
        let err = i.selected_apps().unwrap_err();
        assert_eq!((err.table, err.column, err.id.as_str()), ("imports", "selected_apps", "i1"));
        assert_eq!(i.analysis().unwrap_err().column, "analysis");
        assert_eq!(i.report().unwrap_err().column, "report");
        i.owner_rights = "{}".into();
        i.auto_apps = Some("[1]".into());
        assert_eq!(i.owner_rights().unwrap_err().column, "owner_rights");
        assert_eq!(i.auto_apps().unwrap_err().column, "auto_apps");
    }
}
