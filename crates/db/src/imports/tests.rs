use chrono::TimeDelta;
use mesdonnees_shared::ImportId;
use mesdonnees_shared::imports::{ItemOutcome, upload_key};

use super::*;
use crate::ImportItem;
use crate::testing::each_backend;

fn upload(owner: &str) -> Import {
    let id = ImportId::new().to_string();
    let key = upload_key(&id);
    Import::uploaded(
        id,
        owner.to_owned(),
        Some(format!("{owner} name")),
        r#"["workspace.create"]"#.to_owned(),
        "archive.zip".to_owned(),
        key,
        1234,
    )
}

fn inserted(conn: &mut DbConnection, owner: &str) -> Import {
    let import = upload(owner);
    assert!(insert(conn, &import).expect("insert"), "nothing blocks {owner}'s upload");
    import
}

fn status(conn: &mut DbConnection, id: &str) -> ImportStatus {
    find(conn, id).expect("find").expect("present").status().expect("a known status")
}

/// Takes an uploaded import to `analysed`.
fn analysed(conn: &mut DbConnection, owner: &str) -> Import {
    let import = inserted(conn, owner);
    assert!(start_analysis(conn, &import.id).expect("start analysis"));
    assert!(save_analysis(conn, &import.id, "{}").expect("save"));
    import
}

/// Takes an uploaded import to `running`.
fn running(conn: &mut DbConnection, owner: &str) -> Import {
    let import = analysed(conn, owner);
    assert_eq!(
        launch(conn, &import.id, r#"["workspace"]"#, 3, 30).expect("launch"),
        Launch::Queued
    );
    assert!(start(conn, &import.id).expect("start"));
    import
}

fn item(import_id: &str, path: &str, app: &str, outcome: ItemOutcome) -> ImportItem {
    let failed = outcome == ItemOutcome::Failed;
    ImportItem {
        import_id: import_id.to_owned(),
        path: path.to_owned(),
        app: app.to_owned(),
        kind: "file".to_owned(),
        created_id: (!failed).then(|| ImportId::new().to_string()),
        outcome: outcome.as_str().to_owned(),
        final_name: (outcome == ItemOutcome::Renamed).then(|| "a (2).txt".to_owned()),
        error_code: failed.then(|| "object_missing".to_owned()),
        error_message: failed.then(|| format!("{path} is missing")),
    }
}

#[test]
fn an_upload_reads_back_as_written() {
    each_backend(|conn| {
        let import = inserted(conn, "alice");
        let back = find(conn, &import.id).expect("find").expect("present");
        assert_eq!(back.status(), Some(ImportStatus::Uploaded));
        assert_eq!(back.owner_rights, import.owner_rights);
        assert_eq!(back.object_key, Some(upload_key(&import.id)));
        assert_eq!((back.size, back.created_at), (1234, import.created_at));
        assert!(find_owned(conn, "alice", &import.id).expect("find").is_some());
        assert!(find_owned(conn, "bob", &import.id).expect("find").is_none());
        assert!(find(conn, &ImportId::new().to_string()).expect("find").is_none());
    });
}

#[test]
fn one_import_in_progress_per_user() {
    each_backend(|conn| {
        let first = inserted(conn, "alice");
        assert!(!insert(conn, &upload("alice")).expect("insert"), "alice has one uploaded");
        inserted(conn, "bob");
        assert_eq!(find_active(conn, "alice").expect("find").map(|i| i.id), Some(first.id.clone()));

        // Analysed waits for the user and frees the slot.
        assert!(start_analysis(conn, &first.id).expect("start analysis"));
        assert!(!insert(conn, &upload("alice")).expect("insert"), "analysing holds the slot");
        assert!(save_analysis(conn, &first.id, "{}").expect("save"));
        assert!(find_active(conn, "alice").expect("find").is_none());
        let second = inserted(conn, "alice");

        // Launching the first would make two in progress.
        let launched = launch(conn, &first.id, r#"["workspace"]"#, 1, 1).expect("launch");
        assert_eq!(launched, Launch::OtherActive);
        assert_eq!(
            status(conn, &first.id),
            ImportStatus::Analysed,
            "the refused launch changed nothing"
        );
        assert!(mark_failed(conn, &second.id, "invalid_archive", "not a zip").expect("fail"));
        assert_eq!(
            launch(conn, &first.id, r#"["workspace"]"#, 1, 1).expect("launch"),
            Launch::Queued
        );
        assert!(!insert(conn, &upload("alice")).expect("insert"), "queued holds the slot");
    });
}

#[test]
fn a_refused_insert_leaves_the_callers_transaction_usable() {
    each_backend(|conn| {
        inserted(conn, "alice");
        conn.transaction(|tx| {
            assert!(!insert(tx, &upload("alice"))?);
            assert_eq!(launch(tx, "no-such-import", "[]", 0, 0)?, Launch::NotAnalysed);
            assert!(insert(tx, &upload("bob"))?, "the transaction goes on after the refusal");
            Ok::<_, DbError>(())
        })
        .expect("the transaction commits");
        assert!(find_active(conn, "bob").expect("find").is_some());
    });
}

#[test]
fn statuses_move_only_forward() {
    each_backend(|conn| {
        let import = inserted(conn, "alice");
        let id = import.id.as_str();
        assert!(!save_analysis(conn, id, "{}").expect("save"), "not analysing yet");
        assert!(!start(conn, id).expect("start"), "not queued");
        assert!(start_analysis(conn, id).expect("start analysis"));
        assert!(start_analysis(conn, id).expect("start analysis"), "a new attempt takes it again");
        assert_eq!(launch(conn, id, "[]", 0, 0).expect("launch"), Launch::NotAnalysed);
        assert!(save_analysis(conn, id, r#"{"apps":[]}"#).expect("save"));
        assert!(!start_analysis(conn, id).expect("start analysis"), "already analysed");
        assert!(!save_analysis(conn, id, "{}").expect("save"), "saved once");

        let launched = launch(conn, id, r#"["workspace"]"#, 3, 30).expect("launch");
        assert_eq!(launched, Launch::Queued);
        assert_eq!(
            launch(conn, id, "[]", 0, 0).expect("launch"),
            Launch::NotAnalysed,
            "launched once"
        );
        assert!(!finish(conn, id, "{}").expect("finish"), "not running");
        assert!(start(conn, id).expect("start"));
        let first_start = find(conn, id).expect("find").expect("present").started_at;
        assert!(first_start.is_some());
        assert!(start(conn, id).expect("start"), "a new attempt resumes it");
        let row = find(conn, id).expect("find").expect("present");
        assert_eq!(row.started_at, first_start, "the first start is kept");
        assert_eq!(row.analysis.as_deref(), Some(r#"{"apps":[]}"#));
        assert_eq!(row.selected_apps.as_deref(), Some(r#"["workspace"]"#));
        assert_eq!((row.files_total, row.bytes_total), (3, 30));

        assert_eq!(
            progress(conn, id, 2, 20).expect("progress"),
            Some(("running".to_owned(), false))
        );
        assert!(finish(conn, id, r#"{"apps":{}}"#).expect("finish"));
        assert_eq!(progress(conn, id, 3, 30).expect("progress"), Some(("done".to_owned(), false)));
        let row = find(conn, id).expect("find").expect("present");
        assert_eq!((row.files_done, row.bytes_done), (2, 20), "no progress after the end");
        assert_eq!(row.report.as_deref(), Some(r#"{"apps":{}}"#));
        assert!(row.finished_at.is_some());
        assert!(!finish(conn, id, "{}").expect("finish"), "finished once");
        assert!(!mark_failed(conn, id, "late", "too late").expect("fail"), "done is final");
        assert_eq!(status(conn, id), ImportStatus::Done);
        assert!(progress(conn, &ImportId::new().to_string(), 1, 1).expect("progress").is_none());
    });
}

#[test]
fn any_unfinished_import_can_fail() {
    each_backend(|conn| {
        let uploaded = inserted(conn, "a");
        let analysing = inserted(conn, "b");
        assert!(start_analysis(conn, &analysing.id).expect("start analysis"));
        let analysed = analysed(conn, "c");
        let queued = analysed_then_launched(conn, "d");
        let running = running(conn, "e");
        for import in [&uploaded, &analysing, &analysed, &queued, &running] {
            assert!(mark_failed(conn, &import.id, "import_failed", "it broke").expect("fail"));
            let row = find(conn, &import.id).expect("find").expect("present");
            assert_eq!(row.status(), Some(ImportStatus::Failed));
            assert_eq!(row.error_code.as_deref(), Some("import_failed"));
            assert_eq!(row.error_message.as_deref(), Some("it broke"));
            assert!(row.finished_at.is_some());
            assert!(
                !mark_failed(conn, &import.id, "again", "again").expect("fail"),
                "failed is final"
            );
        }
        assert!(
            !save_analysis(conn, &analysing.id, "{}").expect("save"),
            "a failed import stays so"
        );
    });
}

fn analysed_then_launched(conn: &mut DbConnection, owner: &str) -> Import {
    let import = analysed(conn, owner);
    assert_eq!(launch(conn, &import.id, "[]", 0, 0).expect("launch"), Launch::Queued);
    import
}

#[test]
fn a_running_import_cannot_be_deleted() {
    each_backend(|conn| {
        let busy = running(conn, "alice");
        assert_eq!(
            record_item(conn, &item(&busy.id, "Documents/a", "workspace", ItemOutcome::Imported))
                .expect("record"),
            None
        );
        assert!(!delete(conn, &busy.id).expect("delete"));
        assert_eq!(items_count(conn, &busy.id).expect("count"), 1);

        assert!(finish(conn, &busy.id, "{}").expect("finish"));
        assert!(delete(conn, &busy.id).expect("delete"));
        assert!(find(conn, &busy.id).expect("find").is_none());
        assert_eq!(items_count(conn, &busy.id).expect("count"), 0, "items go with their import");

        let waiting = analysed(conn, "bob");
        assert!(delete(conn, &waiting.id).expect("delete"));
        assert!(!delete(conn, &waiting.id).expect("delete"), "deleted once");
        let analysing = inserted(conn, "carol");
        assert!(start_analysis(conn, &analysing.id).expect("start analysis"));
        assert!(delete(conn, &analysing.id).expect("delete"), "an analysis is cancelled");
        assert!(!save_analysis(conn, &analysing.id, "{}").expect("save"));
    });
}

#[test]
fn listings_are_newest_first_and_paginated() {
    each_backend(|conn| {
        let ids: Vec<String> = (0..5)
            .map(|_| {
                let import = analysed(conn, "alice");
                import.id
            })
            .collect();
        inserted(conn, "bob");
        let (page, total) = list(conn, "alice", Page::new(Some(1), Some(2), 50)).expect("list");
        assert_eq!(total, 5);
        let got: Vec<&str> = page.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(got, [ids[4].as_str(), ids[3].as_str()]);
        let (last, _) = list(conn, "alice", Page::new(Some(3), Some(2), 50)).expect("list");
        let got: Vec<&str> = last.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(got, [ids[0].as_str()]);
        let (none, total) = list(conn, "carol", Page::new(None, None, 50)).expect("list");
        assert_eq!((none.len(), total), (0, 0));
    });
}

#[test]
fn the_job_id_is_kept() {
    each_backend(|conn| {
        let import = inserted(conn, "alice");
        assert!(set_job(conn, &import.id, "job-1").expect("set job"));
        assert!(!set_job(conn, "no-such-import", "job-1").expect("set job"));
        let row = find(conn, &import.id).expect("find").expect("present");
        assert_eq!(row.job_id.as_deref(), Some("job-1"));
    });
}

#[test]
fn the_table_refuses_unknown_statuses_and_outcomes() {
    each_backend(|conn| {
        let mut bogus = upload("alice");
        bogus.status = "paused".to_owned();
        assert!(insert(conn, &bogus).is_err());
        let import = inserted(conn, "alice");
        let mut odd = item(&import.id, "Documents/a", "workspace", ItemOutcome::Imported);
        odd.outcome = "maybe".to_owned();
        assert!(record_item(conn, &odd).is_err());
        let orphan = item("no-such-import", "Documents/a", "workspace", ItemOutcome::Imported);
        assert!(record_item(conn, &orphan).is_err(), "an item belongs to an import");
    });
}

#[test]
fn items_are_recorded_once() {
    each_backend(|conn| {
        let import = running(conn, "alice");
        let first =
            item(&import.id, "Documents/Mes documents/a.txt", "workspace", ItemOutcome::Renamed);
        assert_eq!(record_item(conn, &first).expect("record"), None);
        let again = item(&import.id, &first.path, "workspace", ItemOutcome::Imported);
        assert_eq!(
            record_item(conn, &again).expect("record"),
            Some(first.clone()),
            "the first record wins"
        );
        assert_eq!(find_item(conn, &import.id, &first.path).expect("find"), Some(first.clone()));
        assert_eq!(find_item(conn, &import.id, "Documents/other").expect("find"), None);
        assert_eq!(items_count(conn, &import.id).expect("count"), 1);

        // The same path in another import is another item.
        let other = running(conn, "bob");
        assert_eq!(
            record_item(conn, &item(&other.id, &first.path, "workspace", ItemOutcome::Imported))
                .expect("record"),
            None
        );
        assert_eq!(items_count(conn, &import.id).expect("count"), 1);

        // Inside a transaction, a duplicate does not spoil what follows.
        conn.transaction(|tx| {
            assert!(record_item(tx, &again)?.is_some());
            assert!(
                record_item(
                    tx,
                    &item(&import.id, "Documents/b", "workspace", ItemOutcome::Imported)
                )?
                .is_none()
            );
            Ok::<_, DbError>(())
        })
        .expect("the transaction commits");
        assert_eq!(items_count(conn, &import.id).expect("count"), 2);
    });
}

#[test]
fn outcomes_are_counted_per_app() {
    each_backend(|conn| {
        let import = running(conn, "alice");
        let recorded = [
            ("Documents/a", "workspace", ItemOutcome::Imported),
            ("Documents/b", "workspace", ItemOutcome::Imported),
            ("Documents/c", "workspace", ItemOutcome::Renamed),
            ("Documents/e", "workspace", ItemOutcome::Failed),
            ("Documents/d", "workspace", ItemOutcome::Failed),
            ("Blog/x.json", "blog", ItemOutcome::Skipped),
            ("Blog/y.json", "blog", ItemOutcome::Failed),
        ];
        for (path, app, outcome) in recorded {
            assert_eq!(
                record_item(conn, &item(&import.id, path, app, outcome)).expect("record"),
                None
            );
        }
        let counts = outcome_counts(conn, &import.id).expect("counts");
        let expected = [
            ("blog", ItemOutcome::Failed, 1),
            ("blog", ItemOutcome::Skipped, 1),
            ("workspace", ItemOutcome::Failed, 2),
            ("workspace", ItemOutcome::Imported, 2),
            ("workspace", ItemOutcome::Renamed, 1),
        ];
        let counts: Vec<(&str, ItemOutcome, i64)> =
            counts.iter().map(|(a, o, n)| (a.as_str(), *o, *n)).collect();
        assert_eq!(counts, expected);

        let failed = failed_items(conn, &import.id, "workspace", 10).expect("failed");
        let paths: Vec<&str> = failed.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["Documents/d", "Documents/e"]);
        assert_eq!(failed[0].error_code.as_deref(), Some("object_missing"));
        assert_eq!(failed[0].error_message.as_deref(), Some("Documents/d is missing"));
        assert_eq!(failed_items(conn, &import.id, "workspace", 1).expect("failed").len(), 1);
        assert!(outcome_counts(conn, "no-such-import").expect("counts").is_empty());
    });
}

#[test]
fn lapsed_uploads_are_dropped() {
    each_backend(|conn| {
        let later = now() + TimeDelta::minutes(1);
        let waiting = analysed(conn, "a");
        let done = running(conn, "b");
        record_item(conn, &item(&done.id, "Documents/a", "workspace", ItemOutcome::Imported))
            .expect("record");
        assert!(finish(conn, &done.id, "{}").expect("finish"));
        let failed = inserted(conn, "c");
        assert!(mark_failed(conn, &failed.id, "invalid_archive", "not a zip").expect("fail"));
        let busy = running(conn, "d");
        record_item(conn, &item(&busy.id, "Documents/a", "workspace", ItemOutcome::Imported))
            .expect("record");
        inserted(conn, "e");

        let earlier = now() - TimeDelta::hours(1);
        assert!(
            lapsed_uploads(conn, earlier, 10).expect("lapsed").is_empty(),
            "nothing is old yet"
        );
        let lapsed = lapsed_uploads(conn, later, 10).expect("lapsed");
        let mut ids: Vec<&str> = lapsed.iter().map(|i| i.id.as_str()).collect();
        ids.sort_unstable();
        let mut expected = [waiting.id.as_str(), done.id.as_str(), failed.id.as_str()];
        expected.sort_unstable();
        assert_eq!(ids, expected);
        assert_eq!(lapsed_uploads(conn, later, 2).expect("lapsed").len(), 2);

        for import in &lapsed {
            assert!(drop_upload(conn, &import.id).expect("drop"));
        }
        assert!(
            lapsed_uploads(conn, later, 10).expect("lapsed").is_empty(),
            "each is dropped once"
        );
        let row = find(conn, &waiting.id).expect("find").expect("present");
        assert_eq!(row.status(), Some(ImportStatus::Failed));
        assert_eq!(row.error_code.as_deref(), Some(UPLOAD_EXPIRED));
        assert_eq!(row.object_key, None);
        let row = find(conn, &done.id).expect("find").expect("present");
        assert_eq!((row.status(), row.object_key), (Some(ImportStatus::Done), None));
        assert_eq!(items_count(conn, &done.id).expect("count"), 0, "a finished import's items go");

        assert!(!drop_upload(conn, &busy.id).expect("drop"), "a running import keeps its upload");
        let row = find(conn, &busy.id).expect("find").expect("present");
        assert!(row.object_key.is_some());
        assert_eq!(items_count(conn, &busy.id).expect("count"), 1);
    });
}

#[test]
fn imports_in_progress_oldest_first() {
    each_backend(|conn| {
        let first = inserted(conn, "a");
        analysed(conn, "b");
        let third = running(conn, "c");
        let failed = inserted(conn, "d");
        assert!(mark_failed(conn, &failed.id, "x", "y").expect("fail"));
        let got: Vec<String> =
            active(conn, 10).expect("active").into_iter().map(|i| i.id).collect();
        assert_eq!(got, [first.id.clone(), third.id]);
        assert_eq!(active(conn, 1).expect("active").len(), 1);
    });
}

#[test]
fn a_cancel_ends_a_waiting_import_and_asks_a_running_one() {
    each_backend(|conn| {
        let waiting = analysed(conn, "alice");
        let cancel = request_cancel(conn, &waiting.id).expect("cancel");
        assert_eq!(cancel, Cancel::Ended { upload: waiting.object_key.clone() });
        let row = find(conn, &waiting.id).expect("find").expect("present");
        assert_eq!(row.error_code.as_deref(), Some("import_cancelled"));
        assert!(waiting.object_key.is_some());
        assert_eq!(row.object_key, None, "the caller removes the upload");
        assert_eq!(request_cancel(conn, &waiting.id).expect("again"), Cancel::Finished);

        let running = analysed(conn, "bob");
        assert_eq!(
            launch(conn, &running.id, r#"["workspace"]"#, 1, 1).expect("launch"),
            Launch::Queued
        );
        assert!(start(conn, &running.id).expect("start"));
        assert_eq!(request_cancel(conn, &running.id).expect("cancel"), Cancel::Requested);
        assert_eq!(status(conn, &running.id), ImportStatus::Running, "it runs to a boundary");
        assert_eq!(
            progress(conn, &running.id, 1, 1).expect("progress"),
            Some(("running".to_owned(), true)),
            "the job learns it at its next progress"
        );
        assert!(
            !finish(conn, &running.id, "{}").expect("finish"),
            "a stop asked after the last entry is not lost to the finish"
        );
        assert_eq!(status(conn, &running.id), ImportStatus::Running);
        assert!(end_cancelled(conn, &running.id, r#"{"apps":{}}"#).expect("end"));
        let row = find(conn, &running.id).expect("find").expect("present");
        assert_eq!(row.status().expect("known"), ImportStatus::Failed);
        assert_eq!(row.error_code.as_deref(), Some("import_cancelled"));
        assert_eq!(row.report.as_deref(), Some(r#"{"apps":{}}"#));
        assert!(!finish(conn, &running.id, "{}").expect("finish"), "ended once");
    });
}

#[test]
fn files_and_folders_made_are_counted_apart() {
    each_backend(|conn| {
        let import = running(conn, "alice");
        let folder = |path: &str, outcome| ImportItem {
            kind: "folder".to_owned(),
            ..item(&import.id, path, "workspace", outcome)
        };
        let recorded = [
            folder("Documents/Cours", ItemOutcome::Imported),
            folder("Documents/Cours/Maths", ItemOutcome::Renamed),
            item(&import.id, "Documents/Cours/a", "workspace", ItemOutcome::Imported),
            item(&import.id, "Documents/Cours/b", "workspace", ItemOutcome::Renamed),
            item(&import.id, "Documents/Cours/c", "workspace", ItemOutcome::Failed),
            item(&import.id, "Documents/Cours/d", "workspace", ItemOutcome::Skipped),
        ];
        for recorded in &recorded {
            assert_eq!(record_item(conn, recorded).expect("record"), None);
        }
        let counts = created_by_kind(conn, &import.id).expect("counts");
        let counts: Vec<(&str, &str, i64)> =
            counts.iter().map(|(a, k, n)| (a.as_str(), k.as_str(), *n)).collect();
        assert_eq!(counts, [("workspace", "file", 2), ("workspace", "folder", 2)]);
    });
}

#[test]
fn a_kept_scan_is_bytes_kept_as_they_were_replaced_and_gone_with_the_upload() {
    each_backend(|conn| {
        let running = running(conn, "a");
        let key = running.object_key.clone().expect("key");
        let scan = |bytes: Vec<u8>| crate::ImportScan {
            import_id: running.id.clone(),
            object_key: key.clone(),
            size: 1234,
            etag: "\"1-2-3\"".to_owned(),
            scan: bytes,
        };
        assert!(scans::find(conn, &running.id, &key).expect("find").is_none());
        // Every byte value, a NUL among them, comes back as it went.
        let bytes: Vec<u8> = (0..=255).chain(0..=255).collect();
        scans::keep(conn, &scan(bytes.clone())).expect("keep");
        let kept = scans::find(conn, &running.id, &key).expect("find").expect("kept");
        assert_eq!((kept.scan, kept.size, kept.etag.as_str()), (bytes, 1234, "\"1-2-3\""));
        scans::keep(conn, &scan(vec![7; 3])).expect("replace");
        let kept = scans::find(conn, &running.id, &key).expect("find").expect("kept");
        assert_eq!(kept.scan, vec![7; 3]);
        assert!(scans::find(conn, &running.id, "imports/other.zip").expect("find").is_none());

        assert!(!drop_upload(conn, &running.id).expect("drop"), "still running");
        assert!(scans::find(conn, &running.id, &key).expect("find").is_some());
        assert!(finish(conn, &running.id, "{}").expect("finish"));
        assert!(drop_upload(conn, &running.id).expect("drop"));
        assert!(scans::find(conn, &running.id, &key).expect("find").is_none(), "gone with it");
    });
}
