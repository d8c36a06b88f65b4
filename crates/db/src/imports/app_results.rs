//! Queries of `import_app_results`: what each remote app answered to its part of an import.

use diesel::prelude::*;

use super::unless_duplicate;
use crate::schema::import_app_results;
use crate::{DbConnection, DbError};

/// Records an app's answer once; a second record of the same app is a no-op (`false`).
pub fn record_app_result(
    conn: &mut DbConnection,
    import_id: &str,
    app: &str,
    report_json: &str,
) -> Result<bool, DbError> {
    let row = (
        import_app_results::import_id.eq(import_id),
        import_app_results::app.eq(app),
        import_app_results::report.eq(report_json),
        import_app_results::created_at.eq(crate::models::now()),
    );
    let insert = |c: &mut DbConnection| {
        diesel::insert_into(import_app_results::table).values(row).execute(c)
    };
    Ok(unless_duplicate(conn, insert)?.is_some())
}

/// Every app answer of an import, as `(app, report JSON)`.
pub fn app_results(
    conn: &mut DbConnection,
    import_id: &str,
) -> Result<Vec<(String, String)>, DbError> {
    Ok(import_app_results::table
        .filter(import_app_results::import_id.eq(import_id))
        .select((import_app_results::app, import_app_results::report))
        .order(import_app_results::app.asc())
        .load(conn)?)
}
