//! The `mesdonnees` binary as a process, as a newcomer or an operator runs it: a command with
//! none of the environment's configuration, a process stopped by signal, the tokens `token`
//! prints, and a client of the API a `serve` answers on.
//!
//! Cargo gives a test the path of its own package's binaries only, so the test package builds
//! `mesdonnees-e2e` from the CLI's `main.rs` and runs that as the operator's binary.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use mesdonnees_tests::eventually;
use serde_json::Value;

use crate::json_ok;

/// The binary, built by this package from the CLI's own source (see tests/Cargo.toml).
const BIN: &str = env!("CARGO_BIN_EXE_mesdonnees-e2e");

/// How long a process is given to answer, or a job it runs to end.
pub(crate) const PATIENCE: Duration = Duration::from_secs(90);

/// A command of the binary with none of the environment's configuration leaking in.
pub(crate) fn command() -> Command {
    let mut cmd = Command::new(BIN);
    for (key, _) in std::env::vars() {
        if key.starts_with("MESDONNEES") {
            cmd.env_remove(key);
        }
    }
    cmd.env("RUST_LOG", "warn");
    cmd
}

/// A command of the binary as the operator `operator` runs it, with the configuration file
/// `config`.
pub(crate) fn operator(config: &Path) -> Command {
    let mut cmd = command();
    cmd.env("USER", "operator").arg("--config").arg(config);
    cmd
}

/// Runs the command to its end on a blocking thread, so the test's service goes on serving.
pub(crate) async fn run(mut cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().expect("the binary runs"))
        .await
        .expect("the command's thread")
}

/// A finished command's status and output, for an assertion's message.
pub(crate) fn explain(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A running process of the binary, killed if the test ends before it does.
pub(crate) struct Process(pub(crate) Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Process {
    pub(crate) fn spawn(cmd: &mut Command) -> Self {
        Self(cmd.spawn().expect("the binary starts"))
    }

    /// Whether the process has not ended yet.
    pub(crate) fn running(&mut self) -> bool {
        self.0.try_wait().expect("wait").is_none()
    }

    pub(crate) fn sigterm(&self) {
        let pid = self.0.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().expect("kill").success());
    }

    /// Cuts the process off with SIGKILL and reaps it.
    pub(crate) fn kill(&mut self) {
        self.0.kill().expect("SIGKILL");
        self.0.wait().expect("reaped");
    }

    /// Waits for the process to end; fails past `limit`.
    pub(crate) async fn exited(&mut self, limit: Duration) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.0.try_wait().expect("wait") {
                return status;
            }
            assert!(start.elapsed() < limit, "the process did not stop within {limit:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// `serve` on embedded defaults under `data`, with extra environment variables.
pub(crate) fn serve(data: &Path, addr: SocketAddr, env: &[(&str, &str)], stderr: Stdio) -> Process {
    let mut cmd = command();
    cmd.args(["serve", "--bind", &addr.to_string(), "--data-dir"]).arg(data);
    Process::spawn(cmd.envs(env.iter().copied()).stdout(Stdio::null()).stderr(stderr))
}

/// The token a `token` command prints.
pub(crate) fn printed_token(cmd: &mut Command) -> String {
    let output = cmd.output().expect("token");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("utf-8").trim().to_owned()
}

/// A token for `user` (display name `name`) that `serve --data-dir data` accepts.
pub(crate) fn mint(data: &Path, user: &str, name: &str) -> String {
    printed_token(
        command()
            .args(["token", "--user", user, "--name", name, "--right", "workspace.create"])
            .arg("--data-dir")
            .arg(data),
    )
}

/// Waits until the service on `addr` answers its health check.
pub(crate) async fn healthy(client: &reqwest::Client, addr: SocketAddr) {
    let health = format!("http://{addr}/healthz");
    eventually(PATIENCE, "the service up", || async {
        client.get(&health).send().await.ok().filter(|r| r.status().is_success())
    })
    .await;
}

/// Names of the files in a folder of the local store under `data` (`exports`, `documents`),
/// staging files included; none when the folder is not there.
pub(crate) fn stored_files(data: &Path, folder: &str) -> Vec<String> {
    std::fs::read_dir(data.join("objects").join(folder))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// `len` bytes that look random to a compressor: a job over them takes its time.
pub(crate) fn scrambled(len: u32, seed: u8) -> Vec<u8> {
    (0..len).map(|j| (j.wrapping_mul(2_654_435_761) >> 24) as u8 ^ seed).collect()
}

/// The API of a running service, as one user.
pub(crate) struct Api {
    pub(crate) client: reqwest::Client,
    /// `http://ADDR`.
    pub(crate) base: String,
    pub(crate) bearer: String,
}

impl Api {
    pub(crate) fn new(client: &reqwest::Client, addr: SocketAddr, bearer: String) -> Self {
        Self { client: client.clone(), base: format!("http://{addr}"), bearer }
    }

    /// Waits for `serve --data-dir data` to answer, then mints a token for `user` named `name`.
    pub(crate) async fn ready(data: &Path, addr: SocketAddr, user: &str, name: &str) -> Self {
        let client = reqwest::Client::new();
        healthy(&client, addr).await;
        Self::new(&client, addr, mint(data, user, name))
    }

    /// The same service as another user.
    pub(crate) fn as_user(&self, bearer: String) -> Self {
        Self { client: self.client.clone(), base: self.base.clone(), bearer }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The JSON body of a GET, or `None` when the service does not answer with one.
    pub(crate) async fn get_json(&self, path: &str) -> Option<Value> {
        let response = self.client.get(self.url(path)).bearer_auth(&self.bearer).send().await;
        response.ok()?.json().await.ok()
    }

    /// Posts `body`; the answer must have `status`.
    pub(crate) async fn post_json(&self, path: &str, body: &Value, status: u16) -> Value {
        let request = self.client.post(self.url(path)).bearer_auth(&self.bearer).json(body);
        json_ok(request.send().await.expect("post"), status).await
    }

    /// Uploads a file to `path` as the multipart field `file`; the answer must have `status`.
    pub(crate) async fn upload_to(
        &self,
        path: &str,
        name: &str,
        bytes: Vec<u8>,
        status: u16,
    ) -> Value {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
        let form = reqwest::multipart::Form::new().part("file", part);
        let request = self.client.post(self.url(path)).bearer_auth(&self.bearer).multipart(form);
        json_ok(request.send().await.expect("upload"), status).await
    }

    /// Uploads a document into "Mes documents"; returns it.
    pub(crate) async fn upload(&self, name: &str, bytes: Vec<u8>) -> Value {
        self.upload_to("/api/v1/documents", name, bytes, 201).await
    }

    /// The status of the export, import… at `path`, when the service answers.
    pub(crate) async fn status(&self, path: &str) -> Option<String> {
        self.get_json(path).await?["status"].as_str().map(str::to_owned)
    }

    /// Waits until the export is no longer queued or running; returns it.
    pub(crate) async fn finished_export(&self, id: &str) -> Value {
        let path = format!("/api/v1/exports/{id}");
        eventually(PATIENCE, "export finished", || async {
            let export = self.get_json(&path).await?;
            matches!(export["status"].as_str(), Some("ready" | "failed")).then_some(export)
        })
        .await
    }

    /// How many of the user's notifications are of `kind`.
    pub(crate) async fn notifications_of(&self, kind: &str) -> usize {
        let timeline = self.get_json("/api/v1/notifications").await.expect("notifications");
        timeline["items"].as_array().expect("items").iter().filter(|n| n["kind"] == kind).count()
    }
}
