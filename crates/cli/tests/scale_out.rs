//! The production shape: one `mesdonnees api` and two `mesdonnees worker` processes on one
//! Postgres and one Redis. Twenty users export at once; one worker is killed (SIGKILL) while it
//! builds; the other finishes every export, each built once, within the heartbeat window.
//!
//! Needs `TEST_DATABASE_URL` (a Postgres server URL) and `TEST_REDIS_URL`, as the Postgres pass
//! of `.ci/run` sets them; without them it says so and checks nothing.

#[expect(dead_code, reason = "the shared helpers serve other binary tests too")]
mod support;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use diesel::{Connection, RunQueryDsl};
use serde_json::{Value, json};
use support::{Server, command, free_port, wait_until};

const USERS: usize = 20;
const SECRET: &str = "a shared secret of the scale-out test, long enough";
/// A running job whose heartbeat is older than this is taken over.
const STALE_AFTER_SECS: u64 = 3;

/// A database of its own on the test's Postgres server, dropped at the end.
struct Scratch {
    admin: String,
    name: String,
    url: String,
}

impl Scratch {
    fn create(admin: &str) -> Self {
        let name = format!("mesdonnees_scale_{}", uuid::Uuid::new_v4().simple());
        let mut conn = diesel::PgConnection::establish(admin)
            .unwrap_or_else(|e| panic!("TEST_DATABASE_URL does not answer: {e}"));
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut conn).expect("create");
        let (server, _) = admin.rsplit_once('/').expect("TEST_DATABASE_URL names a database");
        Self { admin: admin.to_owned(), url: format!("{server}/{name}"), name }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Ok(mut conn) = diesel::PgConnection::establish(&self.admin) {
            let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            let _ = diesel::sql_query(drop).execute(&mut conn);
        }
    }
}

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

fn start(args: &[&str], env: &[(String, String)]) -> Server {
    let mut cmd = command();
    cmd.args(args).envs(env.iter().map(|(k, v)| (k, v)));
    Server(cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn"))
}

fn token(env: &[(String, String)], user: &str) -> String {
    let mut cmd = command();
    let output = cmd
        .args(["token", "--user", user])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("token");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("utf-8").trim().to_owned()
}

#[tokio::test]
async fn two_workers_build_every_export_once_even_when_one_is_killed() {
    let (Ok(admin), Ok(redis)) =
        (std::env::var("TEST_DATABASE_URL"), std::env::var("TEST_REDIS_URL"))
    else {
        eprintln!("TEST_DATABASE_URL and TEST_REDIS_URL unset: the scale-out test needs both");
        return;
    };
    let scratch = Scratch::create(&admin);
    let dir = tempfile::tempdir().expect("tempdir");
    let queue = format!("mesdonnees-scale-{}", uuid::Uuid::new_v4().simple());
    let env = env(dir.path(), &scratch.url, &redis, &queue);
    let migrated =
        command().arg("migrate").envs(env.iter().map(|(k, v)| (k, v))).status().expect("migrate");
    assert!(migrated.success());

    let port = free_port();
    let _api = start(&["api", "--bind", &format!("127.0.0.1:{port}"), "--no-migrate"], &env);
    let mut first = start(&["worker"], &env);
    let _second = start(&["worker"], &env);
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let client = reqwest::Client::new();
    wait_until("api up", || async {
        let health = client.get(format!("http://127.0.0.1:{port}/healthz")).send().await.ok()?;
        health.status().is_success().then_some(())
    })
    .await;

    let exports = start_exports(&client, &base, &env).await;

    // Kill one worker as soon as both have work under way.
    let status_of = |bearer: String, id: String| {
        let client = client.clone();
        let url = format!("{base}/exports/{id}");
        async move {
            let export: Value =
                client.get(url).bearer_auth(bearer).send().await.ok()?.json().await.ok()?;
            export["status"].as_str().map(str::to_owned)
        }
    };
    wait_until("two exports running", || async {
        let mut running = 0;
        for (bearer, id) in &exports {
            if status_of(bearer.clone(), id.clone()).await.as_deref() == Some("running") {
                running += 1;
            }
        }
        (running >= 2).then_some(())
    })
    .await;
    first.0.kill().expect("SIGKILL");
    let _ = first.0.wait();
    let killed_at = Instant::now();

    // The other worker finishes everything: the killed one's job once its heartbeat is stale.
    wait_until("every export ready", || async {
        for (bearer, id) in &exports {
            let status = status_of(bearer.clone(), id.clone()).await?;
            assert!(status != "failed", "export {id} failed");
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
    let mut archives: Vec<String> = std::fs::read_dir(dir.path().join("objects").join("exports"))
        .expect("archives")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    archives.sort();
    let mut expected: Vec<String> = exports.iter().map(|(_, id)| format!("{id}.zip")).collect();
    expected.sort();
    assert_eq!(archives, expected);
    for (bearer, _) in &exports {
        let timeline: Value = client
            .get(format!("{base}/notifications"))
            .bearer_auth(bearer)
            .send()
            .await
            .expect("timeline")
            .json()
            .await
            .expect("json");
        let ready = timeline["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|n| n["kind"] == "export_ready")
            .count();
        assert_eq!(ready, 1);
    }
    let mut conn = diesel::PgConnection::establish(&scratch.url).expect("db");
    let mut jobs = |condition: &str| count(&mut conn, &format!("kind = 'export' AND {condition}"));
    assert_eq!(jobs("status <> 'done'"), 0, "export jobs left behind");
    assert_eq!(jobs("status = 'done'"), i64::try_from(USERS).expect("count"));
    // The killed worker's export was taken over: its job ran a second attempt.
    assert!(jobs("attempts > 1") >= 1, "no export was taken over from the killed worker");
}

/// Twenty users, each with enough data that their exports overlap the kill, each starting an
/// export: (token, export id).
async fn start_exports(
    client: &reqwest::Client,
    base: &str,
    env: &[(String, String)],
) -> Vec<(String, String)> {
    // Twenty users, each with enough data that their exports overlap the kill.
    let mut tokens = Vec::new();
    for user in 0..USERS {
        let bearer = token(env, &format!("eleve-{user:02}"));
        for piece in 0..3_u8 {
            let bytes: Vec<u8> = (0..1_500_000_u32)
                .map(|j| (j.wrapping_mul(2_654_435_761) >> 24) as u8 ^ piece)
                .collect();
            let part =
                reqwest::multipart::Part::bytes(bytes).file_name(format!("piece-{piece}.bin"));
            let response = client
                .post(format!("{base}/documents"))
                .bearer_auth(&bearer)
                .multipart(reqwest::multipart::Form::new().part("file", part))
                .send()
                .await
                .expect("upload");
            assert_eq!(response.status(), 201);
        }
        tokens.push(bearer);
    }
    let mut exports = Vec::new();
    for bearer in &tokens {
        let response = client
            .post(format!("{base}/exports"))
            .bearer_auth(bearer)
            .json(&json!({}))
            .send()
            .await
            .expect("export");
        assert_eq!(response.status(), 202);
        let created: Value = response.json().await.expect("json");
        exports.push((bearer.clone(), created["id"].as_str().expect("id").to_owned()));
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
