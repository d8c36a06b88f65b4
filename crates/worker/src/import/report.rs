//! The report of an import, rebuilt from its items: an import resumed after a crash reports
//! every entry, whichever attempt did it.

use mesdonnees_db::{DbConnection, DbError, DocumentKind, imports};
use mesdonnees_shared::imports::{
    AppReport, ImportReport, ItemError, ItemOutcome, MAX_LISTED_ERRORS,
};

pub(crate) fn build(
    conn: &mut DbConnection,
    import_id: &str,
    folders: &[(String, String)],
) -> Result<ImportReport, DbError> {
    let mut report = ImportReport::default();
    for (app, outcome, count) in imports::outcome_counts(conn, import_id)? {
        let entry = report.app_mut(&app);
        let count = u64::try_from(count).unwrap_or(0);
        match outcome {
            ItemOutcome::Imported => entry.imported += count,
            ItemOutcome::Renamed => entry.renamed += count,
            ItemOutcome::Skipped => entry.skipped += count,
            ItemOutcome::Failed => entry.failed += count,
        }
    }
    for (app, kind, count) in imports::created_by_kind(conn, import_id)? {
        let entry = report.app_mut(&app);
        let count = u64::try_from(count).unwrap_or(0);
        if kind == DocumentKind::Folder.as_str() {
            entry.folders_created += count;
        } else {
            entry.files_imported += count;
        }
    }
    let apps: Vec<String> = report.apps.keys().cloned().collect();
    for app in apps {
        let limit = i64::try_from(MAX_LISTED_ERRORS).unwrap_or(i64::MAX);
        let failed = imports::failed_items(conn, import_id, &app, limit)?;
        let bytes = imports::imported_bytes(conn, import_id, &app)?;
        let entry = report.app_mut(&app);
        entry.bytes = u64::try_from(bytes).unwrap_or(0);
        entry.errors = failed
            .into_iter()
            .map(|item| ItemError {
                path: item.path,
                code: item.error_code.unwrap_or_default(),
                message: item.error_message.unwrap_or_default(),
            })
            .collect();
    }
    for (app, folder) in folders {
        report.app_mut(app).folder = Some(folder.clone());
    }
    // Remote apps answered with their own counts.
    for (app, json) in imports::app_results(conn, import_id)? {
        match serde_json::from_str::<AppReport>(&json) {
            Ok(answered) => {
                report.apps.insert(app, answered);
            }
            // Written by this service from an answer it had checked; should it not read back,
            // the entries counted here still say what was done.
            Err(e) => tracing::error!(
                %app,
                error = %e,
                "import_app_results.report of this import does not decode; its counts stand"
            ),
        }
    }
    Ok(report)
}
