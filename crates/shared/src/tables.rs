//! Tabular exports: which columns a table holds, in which format it is written. The same table
//! is an export of its own (`kind: table`) or the index at the root of an archive.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Lang;

/// Most columns one table may have.
pub const MAX_FIELDS: usize = 40;

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// The zip of documents and app data.
    #[default]
    Archive,
    /// One spreadsheet listing them.
    Table,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TableFormat {
    /// UTF-8 with a byte order mark, so spreadsheet programs read accents; RFC 4180 quoting.
    Csv,
    Xlsx,
    Ods,
}

impl TableFormat {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
            Self::Ods => "ods",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Ods => "application/vnd.oasis.opendocument.spreadsheet",
        }
    }
}

/// One column. The common ones apply to every row; `<app>.<field>` is a field a remote app
/// declares (`[[apps]] table_fields`), read from its JSON documents.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TableField {
    Name,
    Path,
    App,
    Type,
    Size,
    Sha256,
    Owner,
    SharedBy,
    Created,
    Modified,
    AppField { app: String, field: String },
}

/// The common columns, in their default order, with their names in requests.
pub const COMMON_FIELDS: [(&str, TableField); 10] = [
    ("name", TableField::Name),
    ("path", TableField::Path),
    ("app", TableField::App),
    ("type", TableField::Type),
    ("size", TableField::Size),
    ("sha256", TableField::Sha256),
    ("owner", TableField::Owner),
    ("shared_by", TableField::SharedBy),
    ("created", TableField::Created),
    ("modified", TableField::Modified),
];

impl TableField {
    /// The column's header in `lang`.
    pub fn header(&self, lang: Lang) -> &str {
        let (fr, en) = match self {
            Self::Name => ("Nom", "Name"),
            Self::Path => ("Chemin", "Path"),
            Self::App => ("Application", "App"),
            Self::Type => ("Type", "Type"),
            Self::Size => ("Taille (octets)", "Size (bytes)"),
            Self::Sha256 => ("SHA-256", "SHA-256"),
            Self::Owner => ("Propriétaire", "Owner"),
            Self::SharedBy => ("Partagé par", "Shared by"),
            Self::Created => ("Créé le", "Created"),
            Self::Modified => ("Modifié le", "Modified"),
            Self::AppField { field, .. } => return field,
        };
        match lang {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }
}

/// The name of a spreadsheet's one sheet, in `lang`.
pub fn sheet_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "Mes données",
        Lang::En => "My data",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown field {0:?}: use name, path, app, type, size, sha256, owner, shared_by, created, modified or <app>.<field>"
)]
pub struct FieldError(pub String);

impl FromStr for TableField {
    type Err = FieldError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        if let Some((_, field)) = COMMON_FIELDS.iter().find(|(name, _)| *name == raw) {
            return Ok(field.clone());
        }
        match raw.split_once('.') {
            Some((app, field))
                if !app.is_empty()
                    && !field.is_empty()
                    && raw.len() <= 96
                    && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) =>
            {
                Ok(Self::AppField { app: app.to_owned(), field: field.to_owned() })
            }
            _ => Err(FieldError(raw.to_owned())),
        }
    }
}

impl fmt::Display for TableField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AppField { app, field } => write!(f, "{app}.{field}"),
            common => {
                let name = COMMON_FIELDS.iter().find(|(_, c)| c == common).map_or("", |(n, _)| n);
                f.write_str(name)
            }
        }
    }
}

impl Serialize for TableField {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TableField {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// A table: its format and its columns, in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    pub format: TableFormat,
    /// Column names (`name`, `path`, `app`, `type`, `size`, `sha256`, `owner`, `shared_by`,
    /// `created`, `modified`, or `<app>.<field>`); every common column when absent.
    #[serde(default = "all_common_fields")]
    #[schema(value_type = Vec<String>)]
    pub fields: Vec<TableField>,
}

fn all_common_fields() -> Vec<TableField> {
    COMMON_FIELDS.iter().map(|(_, f)| f.clone()).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    #[error("a table has 1 to {MAX_FIELDS} columns")]
    FieldCount,
    #[error("the column {0} is asked twice")]
    Repeated(String),
    #[error("the column {0} names an app that is not exported or does not declare that field")]
    UnknownAppField(String),
}

impl TableSpec {
    /// Checks the columns against the apps exported and the fields each declares.
    pub fn validate(&self, declared: impl Fn(&str, &str) -> bool) -> Result<(), SpecError> {
        if self.fields.is_empty() || self.fields.len() > MAX_FIELDS {
            return Err(SpecError::FieldCount);
        }
        let mut seen = std::collections::HashSet::new();
        for field in &self.fields {
            if !seen.insert(field) {
                return Err(SpecError::Repeated(field.to_string()));
            }
            if let TableField::AppField { app, field: name } = field
                && !declared(app, name)
            {
                return Err(SpecError::UnknownAppField(field.to_string()));
            }
        }
        Ok(())
    }
}

/// What a table says of one file or app resource. Values are text except the size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableRow {
    pub name: String,
    pub path: String,
    pub app: String,
    /// The content type of a file, `resource` for an app's JSON document, `folder`.
    pub kind: String,
    pub size: Option<u64>,
    pub sha256: Option<String>,
    pub owner: Option<String>,
    pub shared_by: Option<String>,
    /// RFC 3339, UTC.
    pub created: Option<String>,
    pub modified: Option<String>,
    /// `(field, value)` of the app's declared fields.
    pub extra: Vec<(String, String)>,
}

/// One cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell<'a> {
    Text(&'a str),
    Number(u64),
    Empty,
}

impl TableRow {
    pub fn cell(&self, field: &TableField) -> Cell<'_> {
        fn text(v: Option<&String>) -> Cell<'_> {
            v.map_or(Cell::Empty, |s| Cell::Text(s))
        }
        match field {
            TableField::Name => Cell::Text(&self.name),
            TableField::Path => Cell::Text(&self.path),
            TableField::App => Cell::Text(&self.app),
            TableField::Type => Cell::Text(&self.kind),
            TableField::Size => self.size.map_or(Cell::Empty, Cell::Number),
            TableField::Sha256 => text(self.sha256.as_ref()),
            TableField::Owner => text(self.owner.as_ref()),
            TableField::SharedBy => text(self.shared_by.as_ref()),
            TableField::Created => text(self.created.as_ref()),
            TableField::Modified => text(self.modified.as_ref()),
            TableField::AppField { app, field } if *app == self.app => self
                .extra
                .iter()
                .find(|(name, _)| name == field)
                .map_or(Cell::Empty, |(_, v)| Cell::Text(v)),
            TableField::AppField { .. } => Cell::Empty,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_parse_and_print() {
        for (name, field) in &COMMON_FIELDS {
            assert_eq!(name.parse::<TableField>().as_ref(), Ok(field));
            assert_eq!(field.to_string(), *name);
        }
        let subject: TableField = "cahier.subject".parse().unwrap();
        assert_eq!(subject, TableField::AppField { app: "cahier".into(), field: "subject".into() });
        assert_eq!(subject.to_string(), "cahier.subject");
        for bad in ["", "nom", ".x", "x.", "a b.c", "cahier.sujet;"] {
            assert!(bad.parse::<TableField>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn specs_are_checked() {
        let spec: TableSpec = serde_json::from_str(r#"{"format":"csv"}"#).unwrap();
        assert_eq!(spec.fields.len(), COMMON_FIELDS.len());
        assert!(spec.validate(|_, _| false).is_ok());
        let with = |fields: &[&str]| TableSpec {
            format: TableFormat::Ods,
            fields: fields.iter().map(|f| f.parse().unwrap()).collect(),
        };
        let declared = |app: &str, field: &str| app == "cahier" && field == "subject";
        assert!(with(&["name", "cahier.subject"]).validate(declared).is_ok());
        assert_eq!(with(&[]).validate(declared), Err(SpecError::FieldCount));
        assert!(matches!(with(&["name", "name"]).validate(declared), Err(SpecError::Repeated(_))));
        assert!(matches!(
            with(&["cahier.title"]).validate(declared),
            Err(SpecError::UnknownAppField(_))
        ));
        assert!(serde_json::from_str::<TableSpec>(r#"{"format":"pdf"}"#).is_err());
    }

    #[test]
    fn cells_follow_the_row() {
        let row = TableRow {
            name: "a.pdf".into(),
            app: "cahier".into(),
            size: Some(3),
            extra: vec![("subject".into(), "Maths".into())],
            ..TableRow::default()
        };
        assert_eq!(row.cell(&TableField::Size), Cell::Number(3));
        assert_eq!(row.cell(&TableField::Owner), Cell::Empty);
        assert_eq!(row.cell(&"cahier.subject".parse().unwrap()), Cell::Text("Maths"));
        assert_eq!(row.cell(&"blog.subject".parse().unwrap()), Cell::Empty);
    }
}
