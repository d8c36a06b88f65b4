//! The scans an import keeps of its archives (its upload, or each part), so that the import job,
//! on whichever worker it runs, reads the analysis's scan instead of scanning again. A row says
//! which bytes it describes (the object's size and etag when it was scanned); the reader takes
//! it only when the object still answers the same. Rows go with the import, or with its upload.

use diesel::prelude::*;

use crate::models::ImportScan;
use crate::schema::import_scans;
use crate::{DbConnection, DbError};

/// Keeps (or replaces) the scan of one archive of an import.
pub fn keep(conn: &mut DbConnection, scan: &ImportScan) -> Result<(), DbError> {
    forget_object(conn, &scan.import_id, &scan.object_key)?;
    diesel::insert_into(import_scans::table).values(scan).execute(conn)?;
    Ok(())
}

/// The scan kept of `object_key` for the import, if any.
pub fn find(
    conn: &mut DbConnection,
    import_id: &str,
    object_key: &str,
) -> Result<Option<ImportScan>, DbError> {
    Ok(import_scans::table
        .filter(import_scans::import_id.eq(import_id))
        .filter(import_scans::object_key.eq(object_key))
        .select(ImportScan::as_select())
        .first(conn)
        .optional()?)
}

/// Forgets every scan the import kept; how many there were.
pub fn forget(conn: &mut DbConnection, import_id: &str) -> Result<usize, DbError> {
    Ok(diesel::delete(import_scans::table.filter(import_scans::import_id.eq(import_id)))
        .execute(conn)?)
}

/// Forgets the scan of one archive of the import (a part refused and removed).
pub fn forget_object(
    conn: &mut DbConnection,
    import_id: &str,
    object_key: &str,
) -> Result<usize, DbError> {
    Ok(diesel::delete(
        import_scans::table
            .filter(import_scans::import_id.eq(import_id))
            .filter(import_scans::object_key.eq(object_key)),
    )
    .execute(conn)?)
}
