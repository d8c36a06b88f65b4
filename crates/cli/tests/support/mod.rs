//! What the binary tests share: the `mesdonnees` process, started clean and stopped by signal,
//! and a client of its API.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_mesdonnees");

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// A command with none of the operator's configuration leaking in.
pub fn command() -> Command {
    let mut cmd = Command::new(BIN);
    for (key, _) in std::env::vars() {
        if key.starts_with("MESDONNEES") {
            cmd.env_remove(key);
        }
    }
    cmd.env("RUST_LOG", "warn");
    cmd
}

/// A running `serve`, killed if the test ends before it does.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Server {
    pub fn sigterm(&self) {
        let pid = self.0.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().expect("kill").success());
    }

    /// Waits for the process to end; fails past `limit`.
    pub async fn exited(&mut self, limit: Duration) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.0.try_wait().expect("wait") {
                return status;
            }
            assert!(start.elapsed() < limit, "serve did not stop within {limit:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// `serve` on embedded defaults under `data`, with extra environment variables.
pub fn serve(data: &Path, port: u16, env: &[(&str, &str)], stderr: Stdio) -> Server {
    let mut cmd = command();
    cmd.args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--data-dir"]).arg(data);
    cmd.envs(env.iter().copied());
    Server(cmd.stdout(Stdio::null()).stderr(stderr).spawn().expect("spawn serve"))
}

/// Polls `check` until it returns `Some`, failing the test after 90 s.
pub async fn wait_until<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(start.elapsed() < Duration::from_secs(90), "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A token for `user` (display name `name`) that `serve --data-dir data` accepts.
pub fn mint(data: &Path, user: &str, name: &str) -> String {
    let output = command()
        .args(["token", "--user", user, "--name", name, "--right", "workspace.create"])
        .arg("--data-dir")
        .arg(data)
        .output()
        .expect("token");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("utf-8").trim().to_owned()
}

/// The API of a `serve` on `port`, as one user.
pub struct Api {
    pub client: reqwest::Client,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub bearer: String,
}

impl Api {
    /// Waits for the service to answer, then mints a token for `user` named `name`.
    pub async fn ready(data: &Path, port: u16, user: &str, name: &str) -> Self {
        let client = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let health = format!("{base}/healthz");
        wait_until("serve up", || async {
            client.get(&health).send().await.ok().filter(|r| r.status().is_success())
        })
        .await;
        Self { client, base, bearer: mint(data, user, name) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The JSON body of a GET, or `None` when the service does not answer with one.
    pub async fn get_json(&self, path: &str) -> Option<Value> {
        let response = self.client.get(self.url(path)).bearer_auth(&self.bearer).send().await;
        response.ok()?.json().await.ok()
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Value {
        let response = self.client.post(self.url(path)).bearer_auth(&self.bearer).json(body);
        response.send().await.expect("post").json().await.expect("JSON answer")
    }

    /// Uploads a document into "Mes documents"; returns it.
    pub async fn upload(&self, name: &str, bytes: Vec<u8>) -> Value {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
        let form = reqwest::multipart::Form::new().part("file", part);
        let response = self
            .client
            .post(self.url("/api/v1/documents"))
            .bearer_auth(&self.bearer)
            .multipart(form)
            .send()
            .await
            .expect("upload");
        assert_eq!(response.status(), 201);
        response.json().await.expect("JSON answer")
    }

    /// Waits until the export is no longer queued or running; returns it.
    pub async fn finished_export(&self, id: &str) -> Value {
        let path = format!("/api/v1/exports/{id}");
        wait_until("export finished", || async {
            let export = self.get_json(&path).await?;
            matches!(export["status"].as_str(), Some("ready" | "failed")).then_some(export)
        })
        .await
    }
}
