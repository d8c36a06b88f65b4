// What the browser tests share: a real `mesdonnees serve` on a free port with a configuration
// of the test's own, tokens signed with that configuration's HS256 secret (so that they may carry
// any claim, an e-mail address included), static pages served from further origins, and
// headless Chromium.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(root, process.env.CARGO_TARGET_DIR) : path.join(root, "target");
const BIN = process.env.MESDONNEES_BIN ?? path.join(targetDir, "debug", "mesdonnees");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const WAIT = 30_000;

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it holds, for at most WAIT. */
export async function eventually(what, check, log = () => "") {
  const deadline = Date.now() + WAIT;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // Not there yet.
    }
    assert.ok(Date.now() < deadline, `${what}:\n${log()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const SECRET = "a shared secret of the browser tests, long enough";

/** A `mesdonnees serve` on `config` (TOML, after an `[auth]` with the tests' secret). */
export async function startService(config = "") {
  const dir = mkdtempSync(path.join(tmpdir(), "mesdonnees-browser-"));
  const base = `http://127.0.0.1:${await freePort()}`;
  const file = path.join(dir, "mesdonnees.toml");
  writeFileSync(file, `[auth]\nhs256_secret = "${SECRET}"\n\n${config}`);
  const env = { ...process.env, MESDONNEES__HTTP__BIND: new URL(base).host, RUST_LOG: "warn" };
  const child = spawn(BIN, ["serve", "--data-dir", dir, "--config", file], { env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk) => (log += chunk));
  await eventually("the service started", async () => (await fetch(`${base}/readyz`)).ok, () => log);
  return {
    base,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An HS256 token of the service's default issuer and audience, with `claims` besides. */
export function token(claims) {
  const now = Math.floor(Date.now() / 1000);
  const part = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const body = { iss: "mesdonnees", aud: "mesdonnees", iat: now, exp: now + 3600, rights: ["workspace.create"], ...claims };
  const unsigned = `${part({ alg: "HS256", typ: "JWT" })}.${part(body)}`;
  return `${unsigned}.${createHmac("sha256", SECRET).update(unsigned).digest("base64url")}`;
}

/** The files of tests/browser/spa/ from an origin of their own (a free port of loopback). */
export async function staticOrigin() {
  const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8" };
  const server = createHttpServer((req, res) => {
    const name = path.basename(new URL(req.url, "http://x").pathname);
    try {
      const body = readFileSync(path.join(here, "spa", name));
      res.writeHead(200, { "Content-Type": types[path.extname(name)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => {
      server.close(r);
      server.closeAllConnections();
    }),
  };
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** A call of the service's API with `bearer`; the answer's JSON, which must be a success. */
export async function callApi(svc, bearer, method, route, body) {
  const headers = { Authorization: `Bearer ${bearer}` };
  if (typeof body === "string") headers["Content-Type"] = "application/json";
  const res = await fetch(`${svc.base}/api/v1/${route}`, { method, headers, body });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${route}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A document uploaded into the caller's space, in `folderId` when given. */
export async function uploadDocument(svc, bearer, name, bytes, folderId) {
  const form = new FormData();
  form.append("file", new Blob([bytes]), name);
  if (folderId) form.append("folder_id", folderId);
  return callApi(svc, bearer, "POST", "documents", form);
}
