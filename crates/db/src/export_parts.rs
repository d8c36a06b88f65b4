//! Queries of the parts of an export written in parts. A part's row is written once its object
//! is complete in the store, so a listed part can always be downloaded.

use diesel::prelude::*;

use crate::models::ExportPart;
use crate::schema::{export_parts, exports};
use crate::{DbConnection, DbError};

/// Publishes a finished part, unless the export left `running` meanwhile (cancelled, deleted):
/// `Ok(false)` then, and the caller removes the object. A part already recorded (a rerun that
/// wrote it again) is replaced, so the row names the object that is there now.
pub fn publish(conn: &mut DbConnection, part: &ExportPart) -> Result<bool, DbError> {
    conn.transaction(|c| {
        let running = exports::table
            .find(&part.export_id)
            .filter(exports::status.eq("running"))
            .count()
            .get_result::<i64>(c)?
            == 1;
        if !running {
            return Ok(false);
        }
        diesel::delete(
            export_parts::table
                .filter(export_parts::export_id.eq(&part.export_id))
                .filter(export_parts::part.eq(part.part)),
        )
        .execute(c)?;
        diesel::insert_into(export_parts::table).values(part).execute(c)?;
        Ok(true)
    })
}

/// The parts of an export, in order.
pub fn list(conn: &mut DbConnection, export_id: &str) -> Result<Vec<ExportPart>, DbError> {
    Ok(export_parts::table
        .filter(export_parts::export_id.eq(export_id))
        .order(export_parts::part.asc())
        .select(ExportPart::as_select())
        .load(conn)?)
}

/// One part of an export.
pub fn find(
    conn: &mut DbConnection,
    export_id: &str,
    part: i64,
) -> Result<Option<ExportPart>, DbError> {
    Ok(export_parts::table
        .filter(export_parts::export_id.eq(export_id))
        .filter(export_parts::part.eq(part))
        .select(ExportPart::as_select())
        .first(conn)
        .optional()?)
}

/// Forgets the parts of an export (their objects are removed by the caller).
pub fn clear(conn: &mut DbConnection, export_id: &str) -> Result<(), DbError> {
    diesel::delete(export_parts::table.filter(export_parts::export_id.eq(export_id)))
        .execute(conn)?;
    Ok(())
}
