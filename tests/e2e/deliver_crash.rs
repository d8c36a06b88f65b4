//! A worker killed between the copy of a finished export into « Mes exports » and the
//! transaction that marks it `ready` and writes the document's row: once a worker is back, the
//! export is delivered once — one document, byte for byte the download, counted once in the
//! quota, and no object of the cut attempt left in the store. Cancelled while no worker runs,
//! the export leaves nothing behind either, nor when it is then deleted before a worker is back.
//!
//! The moment is held without any hook in the service: the test locks the `documents` table
//! against writes (reads go on) before the export starts, so the worker builds, uploads and
//! copies the archive, then waits on the document's row inside its `ready` transaction. The
//! test sees the copy appear in the local store and kills the worker there.
//!
//! Postgres only (`TEST_DATABASE_URL`, as the Postgres pass of `.ci/run` sets it): SQLite has
//! one write lock for the whole database, so a test holding it stops the worker's earlier writes
//! (progress, heartbeat, listing) before the copy as well, and no lock stops the `ready`
//! transaction alone. Ignored unless asked for (`--ignored`), like the scale-out test.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;

use diesel::{Connection, PgConnection, RunQueryDsl};
use mesdonnees_tests::{
    PgScratch, RedisQueue, eventually, free_addr, local_staging_files, setting,
};
use serde_json::{Value, json};

use crate::process::{
    Api, PATIENCE, Process, command, healthy, printed_token, scrambled, stored_files,
};

const SECRET: &str = "a shared secret of the delivery crash test, long enough";
/// Enough for the three documents and one archive of them, not for a second archive.
const QUOTA: u64 = 2_000_000;
const PIECES: [u32; 3] = [300_000, 200_000, 100_000];

/// The service's processes, their configuration and the database the test locks.
struct Deployment {
    scratch: PgScratch,
    queue: Option<RedisQueue>,
    env: Vec<(String, String)>,
    addr: SocketAddr,
    data: tempfile::TempDir,
}

impl Deployment {
    fn new() -> Self {
        let Some(admin) = setting("TEST_DATABASE_URL") else {
            panic!("the delivery crash test needs TEST_DATABASE_URL (a Postgres server)");
        };
        let scratch = PgScratch::create(&admin);
        let queue = setting("TEST_REDIS_URL").map(|url| RedisQueue::new(&url));
        let data = tempfile::tempdir().expect("tempdir");
        let mut env: Vec<(String, String)> = [
            ("MESDONNEES__DATA_DIR", data.path().display().to_string()),
            ("MESDONNEES__DATABASE__URL", scratch.url.clone()),
            ("MESDONNEES__AUTH__HS256_SECRET", SECRET.to_owned()),
            ("MESDONNEES__LIMITS__USER_QUOTA_BYTES", QUOTA.to_string()),
            ("MESDONNEES__QUEUE__HEARTBEAT_SECS", "1".to_owned()),
            ("MESDONNEES__QUEUE__STALE_AFTER_SECS", "3".to_owned()),
            ("MESDONNEES__QUEUE__RECONCILE_INTERVAL_SECS", "1".to_owned()),
            ("MESDONNEES__QUEUE__POLL_INTERVAL_MS", "100".to_owned()),
            ("MESDONNEES__EXPORTS__CLEANUP_INTERVAL_SECS", "1".to_owned()),
            ("MESDONNEES__STORAGE__ABANDONED_STAGING_AFTER_SECS", "5".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        if let Some(queue) = &queue {
            env.push(("MESDONNEES__QUEUE__REDIS_URL".to_owned(), queue.url.clone()));
            env.push(("MESDONNEES__QUEUE__NAME".to_owned(), queue.name.clone()));
        }
        Self { scratch, queue, env, addr: free_addr(), data }
    }

    /// `args` of the binary (`serve`, `api`) on this deployment's address.
    fn start(&self, role: &str) -> Process {
        let mut cmd = command();
        cmd.args([role, "--bind", &self.addr.to_string()]);
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        Process::spawn(cmd.stdout(Stdio::null()).stderr(Stdio::null()))
    }

    async fn api(&self, user: &str) -> Api {
        let client = reqwest::Client::new();
        healthy(&client, self.addr).await;
        let mut cmd = command();
        cmd.args(["token", "--user", user, "--right", "workspace.create"]);
        let bearer = printed_token(cmd.envs(self.env.iter().map(|(k, v)| (k, v))));
        Api::new(&client, self.addr, bearer)
    }

    fn dir(&self) -> &Path {
        self.data.path()
    }

    fn db(&self) -> PgConnection {
        PgConnection::establish(&self.scratch.url).expect("the test's database")
    }

    async fn end(self) {
        if let Some(queue) = self.queue {
            queue.clear().await;
        }
    }
}

/// A transaction of the test holding the `documents` table against writes; reads go on.
struct WritesHeld(PgConnection);

impl WritesHeld {
    fn take(mut conn: PgConnection) -> Self {
        diesel::sql_query("BEGIN").execute(&mut conn).expect("begin");
        diesel::sql_query("LOCK TABLE documents IN EXCLUSIVE MODE")
            .execute(&mut conn)
            .expect("lock");
        Self(conn)
    }

    fn release(mut self) {
        diesel::sql_query("ROLLBACK").execute(&mut self.0).expect("rollback");
    }
}

#[derive(diesel::QueryableByName)]
struct Number {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn number(conn: &mut PgConnection, query: &str) -> i64 {
    diesel::sql_query(query).get_result::<Number>(conn).expect("query").n
}

/// Uploads alice's documents; the names of their objects in the store.
async fn upload_pieces(api: &Api, deployment: &Deployment) -> BTreeSet<String> {
    for (i, len) in (0_u8..).zip(PIECES) {
        api.upload(&format!("piece-{i}.bin"), scrambled(len, i)).await;
    }
    let objects: BTreeSet<String> =
        stored_files(deployment.dir(), "documents").into_iter().collect();
    assert_eq!(objects.len(), PIECES.len(), "{objects:?}");
    objects
}

/// Starts an export delivered into the documents while their table is held, and waits until
/// the worker has copied the archive there and is held in its `ready` transaction; the
/// export's id and the copy's object name.
async fn held_after_the_copy(
    api: &Api,
    deployment: &Deployment,
    uploaded: &BTreeSet<String>,
) -> (String, String, WritesHeld) {
    let held = WritesHeld::take(deployment.db());
    let created = api.post_json("/api/v1/exports", &json!({"deliver_to": "documents"}), 202).await;
    let id = created["id"].as_str().expect("id").to_owned();
    let copy = eventually(PATIENCE, "the archive copied into the documents space", || async {
        stored_files(deployment.dir(), "documents")
            .into_iter()
            .find(|name| !uploaded.contains(name) && !name.contains('#'))
    })
    .await;
    // The copy is there, its row is not: the transaction that would publish it is waiting.
    let export = api.get_json(&format!("/api/v1/exports/{id}")).await.expect("export");
    assert_eq!(export["status"], "running", "{export}");
    assert_eq!(export["delivery"]["document_id"], Value::Null, "{export}");
    (id, copy, held)
}

/// Waits until the periodic cleanup has removed every staging file the cut left in the store.
async fn no_staging_left(deployment: &Deployment) {
    let root = deployment.dir().join("objects");
    eventually(PATIENCE, "no staging file left in the store", || async {
        local_staging_files(&root).is_empty().then_some(())
    })
    .await;
}

async fn bytes(api: &Api, path: &str) -> Vec<u8> {
    let response = api.client.get(api.url(path)).bearer_auth(&api.bearer).send().await;
    let response = response.expect("download");
    assert_eq!(response.status(), 200, "{path}");
    response.bytes().await.expect("bytes").to_vec()
}

#[tokio::test]
#[ignore = "needs Postgres: with TEST_DATABASE_URL set, \
            `cargo test -p mesdonnees-tests --test e2e -- --ignored` runs it, as .ci/run does"]
async fn a_worker_killed_between_the_delivery_copy_and_ready_delivers_once_after_restart() {
    let deployment = Deployment::new();
    let mut server = deployment.start("serve");
    let alice = deployment.api("alice").await;
    let uploaded = upload_pieces(&alice, &deployment).await;
    let (id, copy, held) = held_after_the_copy(&alice, &deployment, &uploaded).await;
    server.kill();
    drop(server);
    held.release();

    let server = deployment.start("serve");
    let ready = alice.finished_export(&id).await;
    assert_eq!(ready["status"], "ready", "{ready}");
    assert_eq!(ready["delivery"]["error_code"], Value::Null, "{ready}");
    let document = ready["delivery"]["document_id"].as_str().expect("delivered").to_owned();
    assert_eq!(copy, document, "the rerun copied onto the same object");
    assert_eq!(alice.notifications_of("export_ready").await, 1, "announced once");

    // One « Mes exports », holding one document: the archive, byte for byte.
    let root = alice.get_json("/api/v1/documents").await.expect("root");
    let folders: Vec<&Value> = root["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|d| d["name"] == "Mes exports")
        .collect();
    assert_eq!(folders.len(), 1, "{root}");
    let folder = folders[0]["id"].as_str().expect("folder id");
    let inside =
        alice.get_json(&format!("/api/v1/documents?folder_id={folder}")).await.expect("listing");
    assert_eq!(inside["total"], 1, "{inside}");
    assert_eq!(inside["items"][0]["id"], document.as_str(), "{inside}");
    let archive = bytes(&alice, &format!("/api/v1/exports/{id}/download")).await;
    let delivered = bytes(&alice, &format!("/api/v1/documents/{document}/content")).await;
    assert!(delivered == archive, "the delivered document is the download, byte for byte");

    // No orphan: the uploads, the one copy, the one archive; no staging file of the cut.
    no_staging_left(&deployment).await;
    let mut expected = uploaded.clone();
    expected.insert(document.clone());
    let stored: BTreeSet<String> =
        stored_files(deployment.dir(), "documents").into_iter().collect();
    assert_eq!(stored, expected);
    assert_eq!(stored_files(deployment.dir(), "exports"), vec![format!("{id}.zip")]);

    // Counted once: the rows add up to the uploads and one archive, and the quota says so.
    let held_bytes = PIECES.iter().map(|&len| u64::from(len)).sum::<u64>()
        + u64::try_from(archive.len()).expect("size");
    let mut conn = deployment.db();
    let rows = number(
        &mut conn,
        "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS n FROM documents WHERE owner_id = 'alice'",
    );
    assert_eq!(u64::try_from(rows).expect("size"), held_bytes);
    let left = usize::try_from(QUOTA - held_bytes).expect("small");
    let over =
        alice
            .client
            .post(alice.url("/api/v1/documents"))
            .bearer_auth(&alice.bearer)
            .multipart(reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(vec![7; left + 1]).file_name("trop.bin"),
            ))
            .send()
            .await
            .expect("upload");
    assert_eq!(over.status(), 422, "one byte past what is left is refused");
    alice.upload("juste.bin", vec![7; left]).await;
    drop(server);
    deployment.end().await;
}

/// Cuts a worker after the copy, then removes the export `removals` times (cancel, then
/// delete) while only the API runs, and starts a worker again; once every job has ended, checks
/// that the store holds only the uploads. The export's id and the running service.
async fn cut_then_removed(deployment: &Deployment, removals: usize) -> (Api, String, Process) {
    let mut server = deployment.start("serve");
    let alice = deployment.api("alice").await;
    let uploaded = upload_pieces(&alice, deployment).await;
    let (id, copy, held) = held_after_the_copy(&alice, deployment, &uploaded).await;
    server.kill();
    drop(server);
    held.release();

    // Only the API runs: no worker can resume the export or claim its job meanwhile.
    let api = deployment.start("api");
    let alice = deployment.api("alice").await;
    for _ in 0..removals {
        let removed = alice
            .client
            .delete(alice.url(&format!("/api/v1/exports/{id}")))
            .bearer_auth(&alice.bearer)
            .send()
            .await
            .expect("delete");
        assert!(removed.status().is_success(), "{}", removed.status());
    }
    assert!(stored_files(deployment.dir(), "documents").contains(&copy), "the copy is there");
    drop(api);

    // A worker back runs what is left: the export's job, a purge.
    let server = deployment.start("serve");
    let _ = deployment.api("alice").await;
    eventually(PATIENCE, "every job ended", || async {
        let open = number(
            &mut deployment.db(),
            "SELECT COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'running')",
        );
        (open == 0).then_some(())
    })
    .await;
    no_staging_left(deployment).await;
    let stored: BTreeSet<String> =
        stored_files(deployment.dir(), "documents").into_iter().collect();
    assert_eq!(stored, uploaded, "the undelivered copy is removed");
    let archives = stored_files(deployment.dir(), "exports");
    assert!(archives.is_empty(), "the stopped export's archive is removed: {archives:?}");
    let failed =
        number(&mut deployment.db(), "SELECT COUNT(*) AS n FROM jobs WHERE status = 'failed'");
    assert_eq!(failed, 0, "no job failed");
    (alice, id, server)
}

#[tokio::test]
#[ignore = "needs Postgres: with TEST_DATABASE_URL set, \
            `cargo test -p mesdonnees-tests --test e2e -- --ignored` runs it, as .ci/run does"]
async fn an_export_cancelled_while_its_worker_lay_dead_after_the_copy_leaves_nothing() {
    let deployment = Deployment::new();
    // The worker back takes the job over, finds it cancelled, and removes what the cut left.
    let (alice, id, server) = cut_then_removed(&deployment, 1).await;
    let rows = number(
        &mut deployment.db(),
        "SELECT COUNT(*) AS n FROM documents WHERE owner_id = 'alice'",
    );
    assert_eq!(rows, i64::try_from(PIECES.len()).expect("count"), "no document was made");
    assert_eq!(alice.status(&format!("/api/v1/exports/{id}")).await.as_deref(), Some("cancelled"));
    drop(server);
    deployment.end().await;
}

#[tokio::test]
#[ignore = "needs Postgres: with TEST_DATABASE_URL set, \
            `cargo test -p mesdonnees-tests --test e2e -- --ignored` runs it, as .ci/run does"]
async fn an_export_cancelled_then_deleted_while_its_worker_lay_dead_leaves_nothing() {
    let deployment = Deployment::new();
    // Deleted, its row is gone before any claim of its job: the deletion took the copy.
    let (alice, id, server) = cut_then_removed(&deployment, 2).await;
    assert_eq!(alice.status(&format!("/api/v1/exports/{id}")).await, None, "deleted");
    drop(server);
    deployment.end().await;
}
