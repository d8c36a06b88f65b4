//! The production shape: one `mesdonnees api` and two `mesdonnees worker` processes on one
//! Postgres and one Redis. Twenty users export at once; one worker is killed (SIGKILL) while it
//! builds; the other finishes every export, each built once, within the heartbeat window.
//!
//! Needs `TEST_DATABASE_URL` (a Postgres server URL) and `TEST_REDIS_URL`, as the Postgres pass
//! of `.ci/run` sets them. It is ignored unless asked for (`--ignored`), so a run without them
//! lists it as ignored with its reason rather than passing it; asked for without them, it fails
//! saying what is missing.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use diesel::{Connection, RunQueryDsl};
use mesdonnees_tests::{PgScratch, RedisQueue, eventually, free_addr, setting};
use serde_json::json;

use crate::process::{
    Api, PATIENCE, Process, command, healthy, printed_token, scrambled, stored_files,
};

const USERS: usize = 20;
const SECRET: &str = "a shared secret of the scale-out test, long enough";
/// A running job whose heartbeat is older than this is taken over.
const STALE_AFTER_SECS: u64 = 3;

/// The configuration every process of the deployment shares.
fn env(data: &Path, database: &str, redis: &str, queue: &str) -> Vec<(String, String)> {
    [
        ("MESDONNEES__DATA_DIR", data.display().to_string()),
        ("MESDONNEES__DATABASE__URL", database.to_owned()),
        ("MESDONNEES__QUEUE__REDIS_URL", redis.to_owned()),
        ("MESDONNEES__QUEUE__NAME", queue.to_owned()),
        // One job at a time per worker: two exports running are on two workers, so the one
        // killed has a job under way.
        ("MESDONNEES__QUEUE__MAX_CONCURRENT_JOBS", "1".to_owned()),
        ("MESDONNEES__QUEUE__HEARTBEAT_SECS", "1".to_owned()),
        ("MESDONNEES__QUEUE__STALE_AFTER_SECS", STALE_AFTER_SECS.to_string()),
        ("MESDONNEES__QUEUE__RECONCILE_INTERVAL_SECS", "1".to_owned()),
        ("MESDONNEES__QUEUE__POLL_INTERVAL_MS", "100".to_owned()),
        ("MESDONNEES__EXPORTS__PROGRESS_INTERVAL_MS", "20".to_owned()),
        ("MESDONNEES__DOCUMENTS__MAX_UPLOAD_BYTES", (8 * 1024 * 1024).to_string()),
        ("MESDONNEES__AUTH__HS256_SECRET", SECRET.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn start(args: &[&str], env: &[(String, String)]) -> Process {
    let mut cmd = command();
    cmd.args(args).envs(env.iter().map(|(k, v)| (k, v)));
    Process::spawn(cmd.stdout(Stdio::null()).stderr(Stdio::null()))
}

#[tokio::test]
#[ignore = "needs Postgres and Redis: with TEST_DATABASE_URL and TEST_REDIS_URL set, \
            `cargo test -p mesdonnees-tests --test e2e -- --ignored` runs it, as .ci/run does"]
async fn two_workers_build_every_export_once_even_when_one_is_killed() {
    let (Some(admin), Some(redis)) = (setting("TEST_DATABASE_URL"), setting("TEST_REDIS_URL"))
    else {
        panic!("the scale-out test needs TEST_DATABASE_URL (a Postgres server) and TEST_REDIS_URL");
    };
    let scratch = PgScratch::create(&admin);
    let queue = RedisQueue::new(&redis);
    let dir = tempfile::tempdir().expect("tempdir");
    let env = env(dir.path(), &scratch.url, &queue.url, &queue.name);
    let migrated =
        command().arg("migrate").envs(env.iter().map(|(k, v)| (k, v))).status().expect("migrate");
    assert!(migrated.success());

    let addr = free_addr();
    let _api = start(&["api", "--bind", &addr.to_string(), "--no-migrate"], &env);
    let mut first = start(&["worker"], &env);
    let _second = start(&["worker"], &env);
    let client = reqwest::Client::new();
    healthy(&client, addr).await;

    let exports = start_exports(&client, addr, &env).await;

    // Kill one worker as soon as both have work under way.
    eventually(PATIENCE, "two exports running", || async {
        let mut running = 0;
        for (api, path) in &exports {
            if api.status(path).await.as_deref() == Some("running") {
                running += 1;
            }
        }
        (running >= 2).then_some(())
    })
    .await;
    first.kill();
    let killed_at = Instant::now();

    // The other worker finishes everything: the killed one's job once its heartbeat is stale.
    eventually(PATIENCE, "every export ready", || async {
        for (api, path) in &exports {
            let status = api.status(path).await?;
            assert!(status != "failed", "export {path} failed");
            if status != "ready" {
                return None;
            }
        }
        Some(())
    })
    .await;
    let took = killed_at.elapsed();
    // Stale after 3 s, reconciled every second, then one export of ~4.5 MB to build again.
    assert!(took < Duration::from_secs(STALE_AFTER_SECS + 60), "took {took:?}");

    // One archive per export, no staging file, each announced once, no job left behind.
    let mut archives = stored_files(dir.path(), "exports");
    archives.sort();
    let mut expected: Vec<String> = exports
        .iter()
        .map(|(_, path)| format!("{}.zip", path.rsplit('/').next().expect("id")))
        .collect();
    expected.sort();
    assert_eq!(archives, expected);
    for (api, _) in &exports {
        assert_eq!(api.notifications_of("export_ready").await, 1);
    }
    let mut conn = diesel::PgConnection::establish(&scratch.url).expect("db");
    let mut jobs = |condition: &str| count(&mut conn, &format!("kind = 'export' AND {condition}"));
    assert_eq!(jobs("status <> 'done'"), 0, "export jobs left behind");
    assert_eq!(jobs("status = 'done'"), i64::try_from(USERS).expect("count"));
    // The killed worker's export was taken over, as the same attempt: a kill spends none.
    assert!(jobs("takeovers >= 1") >= 1, "no export was taken over from the killed worker");
    assert_eq!(jobs("attempts > 1"), 0, "a kill spent an attempt");
    queue.clear().await;
}

/// Twenty users, each with enough data that their exports overlap the kill, each starting an
/// export: the user's API and the export's path.
async fn start_exports(
    client: &reqwest::Client,
    addr: SocketAddr,
    env: &[(String, String)],
) -> Vec<(Api, String)> {
    let mut users = Vec::new();
    for user in 0..USERS {
        let mut cmd = command();
        cmd.args(["token", "--user", &format!("eleve-{user:02}")]);
        let bearer = printed_token(cmd.envs(env.iter().map(|(k, v)| (k, v))));
        let api = Api::new(client, addr, bearer);
        for piece in 0..3_u8 {
            api.upload(&format!("piece-{piece}.bin"), scrambled(1_500_000, piece)).await;
        }
        users.push(api);
    }
    let mut exports = Vec::new();
    for api in users {
        let created = api.post_json("/api/v1/exports", &json!({}), 202).await;
        let path = format!("/api/v1/exports/{}", created["id"].as_str().expect("id"));
        exports.push((api, path));
    }
    exports
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Job rows matching `condition`.
fn count(conn: &mut diesel::PgConnection, condition: &str) -> i64 {
    let query = format!("SELECT COUNT(*) AS n FROM jobs WHERE {condition}");
    diesel::sql_query(query).get_result::<Count>(conn).expect("jobs").n
}
