//! Entries of an entcore ENT's homework module, as mesdonnees hands them over when `begin`
//! names an `entcore` origin: a SQL app's table file (`schema.table`, `{"fields": [...],
//! "results": [[...]]}`) whose fields include `title` and `due_date` (or `date`) gives one entry
//! per row, with `subject` and `content_html` (or `description`) when there are such columns.
//! Anything else of the module is not something this app can read.

use serde::Deserialize;
use serde_json::Value;

use crate::entry::EntryInput;

/// Origin format this app reads.
pub const FORMAT: &str = "entcore";

#[derive(Deserialize)]
struct Table {
    fields: Vec<String>,
    results: Vec<Vec<Value>>,
}

/// The rows of a table of homework, as entries to check; `None` when `data` is no such table.
pub fn homework_rows(data: Value) -> Option<Vec<EntryInput>> {
    let table: Table = serde_json::from_value(data).ok()?;
    let column = |names: &[&str]| table.fields.iter().position(|f| names.contains(&f.as_str()));
    let title = column(&["title"])?;
    let due = column(&["due_date", "date"])?;
    let subject = column(&["subject"]);
    let content = column(&["content_html", "description"]);
    let text = |row: &[Value], at: Option<usize>| {
        at.and_then(|at| row.get(at)).and_then(Value::as_str).unwrap_or_default().to_owned()
    };
    Some(
        table
            .results
            .iter()
            .map(|row| EntryInput {
                title: text(row, Some(title)),
                subject: text(row, subject),
                // A date column may carry a time: the day is what an entry keeps.
                due_date: text(row, Some(due)).chars().take(10).collect(),
                content_html: text(row, content),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_of_homework_gives_one_entry_per_row() {
        let table = serde_json::json!({
            "fields": ["id", "title", "due_date", "description", "subject"],
            "results": [
                [1, "Fractions", "2024-03-15T00:00:00.000", "<p>Exercices</p>", "Maths"],
                [2, "Rédaction", "2024-03-18", null, null],
            ]
        });
        let rows = homework_rows(table).expect("a table of homework");
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].title.as_str(), rows[0].due_date.as_str(), rows[0].subject.as_str()),
            ("Fractions", "2024-03-15", "Maths")
        );
        assert_eq!(rows[0].content_html, "<p>Exercices</p>");
        assert_eq!((rows[1].content_html.as_str(), rows[1].subject.as_str()), ("", ""));
        assert!(rows.into_iter().all(|row| row.validate().is_ok()));
    }

    #[test]
    fn anything_else_is_not_read() {
        let cases = [
            serde_json::json!({"_id": "b1", "title": "Un blog"}),
            serde_json::json!({"fields": ["name", "date"], "results": [["x", "2024-01-01"]]}),
            serde_json::json!([1, 2]),
        ];
        for data in cases {
            assert!(homework_rows(data.clone()).is_none(), "{data}");
        }
    }
}
