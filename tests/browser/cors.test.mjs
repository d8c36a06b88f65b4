// At home in an ENT, in headless Chromium against a real `mesdonnees serve`: the ENT's own app,
// from its origin (`http.cors_allowed_origins`), exports, follows and downloads through the API,
// while a page of any other origin is stopped by the browser; the ENT's portal
// (`http.frame_ancestors`) frames « Mes données » and hands it the token by `postMessage`,
// which the page takes from no other window; the e-mail box offers the token's address, and is
// not offered where the service sends no mail.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { freePort, eventually, startService, token, staticOrigin, launchBrowser, WAIT } from "./support.mjs";

let browser;
let service;
/** The ENT: its app and its portal, allowed by the service. */
let ent;
/** Somewhere else, allowed nothing. */
let elsewhere;

before(async () => {
  ent = await staticOrigin();
  elsewhere = await staticOrigin();
  // An SMTP address nobody answers at: the service offers e-mail; none is sent here.
  service = await startService(`
[http]
cors_allowed_origins = ["${ent.origin}"]
frame_ancestors = ["'self'", "${ent.origin}"]

[smtp]
url = "smtp://127.0.0.1:${await freePort()}"
`);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await service?.stop();
  await ent?.close();
  await elsewhere?.close();
});

async function api(tokenOf, method, route, body) {
  const res = await fetch(`${service.base}/api/v1/${route}`, {
    method,
    headers: { Authorization: `Bearer ${tokenOf}`, "Content-Type": "application/json" },
    body: body && JSON.stringify(body),
  });
  assert.ok(res.ok, `${method} ${route}: ${res.status}`);
  return res.json();
}

async function withPage(body) {
  const context = await browser.newContext({ locale: "fr-FR" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  try {
    await body(page);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
}

async function uploadFile(tokenOf, name) {
  const form = new FormData();
  form.append("file", new Blob(["des données de l'élève"]), name);
  const res = await fetch(`${service.base}/api/v1/documents`, { method: "POST", headers: { Authorization: `Bearer ${tokenOf}` }, body: form });
  assert.equal(res.status, 201);
}

test("the ENT's app exports, follows and downloads through the API of another origin", async () => {
  const alice = token({ sub: "alice", name: "Alice Martin" });
  await uploadFile(alice, "cours.txt");
  await withPage(async (page) => {
    await page.goto(`${ent.origin}/spa.html#api=${encodeURIComponent(service.base)}&token=${alice}`);
    const outcome = await page.evaluate(() => window.outcome);
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.equal(outcome.start, "PK");
    assert.ok(outcome.size > 100, `${outcome.size} bytes`);
    // Headers the app reads only because the API exposes them.
    assert.equal(outcome.location, `/api/v1/exports/${outcome.id}`);
    assert.match(outcome.disposition ?? "", /attachment;.*\.zip/);
    // An absolute link, or the app would have resolved it against its own origin.
    assert.ok(outcome.link.startsWith(`${service.base}/api/v1/exports/${outcome.id}/download?token=`), outcome.link);
  });
});

test("a page of another origin is stopped by the browser before its request leaves", async () => {
  const bob = token({ sub: "bob" });
  await withPage(async (page) => {
    await page.goto(`${elsewhere.origin}/spa.html#api=${encodeURIComponent(service.base)}&token=${bob}`);
    const outcome = await page.evaluate(() => window.outcome);
    assert.equal(outcome.ok, false);
    assert.match(outcome.error, /^TypeError: Failed to fetch/);
  });
  // The preflight was refused, so the export was never asked for.
  assert.equal((await api(bob, "GET", "exports")).total, 0);
});

/** The portal of `origin` framing the page, handing it `tokenOf` when given one. */
async function openPortal(page, origin, tokenOf) {
  const hash = new URLSearchParams({ page: `${service.base}/`, ...(tokenOf ? { token: tokenOf } : {}) });
  await page.goto(`${origin}/portal.html#${hash}`);
  return page.frameLocator("#mesdonnees");
}

test("framed by the ENT's portal, the page takes its token from it and offers the token's e-mail", async () => {
  const claude = token({ sub: "claude", name: "Claude Clavier", email: "claude.clavier@ent.test" });
  const created = await api(claude, "POST", "exports", { apps: ["workspace"], name: "Mon année" });
  await withPage(async (page) => {
    const frame = await openPortal(page, ent.origin, claude);
    await frame.locator("#export-list-body tr", { hasText: "Mon année" }).waitFor({ timeout: WAIT });
    assert.equal(await frame.locator("#who").textContent(), "Connecté en tant que Claude Clavier");
    assert.equal(await page.evaluate(() => window.readyMessages), 1);
    // « M'avertir par e-mail »: the token's address by default, which the user may change.
    await frame.getByLabel("M'avertir par e-mail quand c'est prêt").check();
    assert.equal(await frame.getByLabel("Adresse e-mail").inputValue(), "claude.clavier@ent.test");
  });
  assert.ok(created.id);
});

test("a token from a window of another origin is ignored", async () => {
  const dana = token({ sub: "dana", name: "Dana" });
  await withPage(async (page) => {
    // A sibling frame of another origin posts a token: the page stays signed out.
    const frame = await openPortal(page, ent.origin, null);
    await frame.locator("#signed-out").waitFor({ timeout: WAIT });
    await eventually("the page waits for a token", async () => (await page.evaluate(() => window.readyMessages)) === 1);
    await page.evaluate((src) => {
      const sibling = document.createElement("iframe");
      sibling.src = src;
      document.body.append(sibling);
    }, `${elsewhere.origin}/spa.html`);
    await eventually("the sibling loaded", async () => page.frames().some((f) => f.url().startsWith(elsewhere.origin)));
    const sibling = page.frames().find((f) => f.url().startsWith(elsewhere.origin));
    await sibling.evaluate((t) => window.parent.frames[0].postMessage({ type: "mesdonnees.token", token: t }, "*"), dana);
    await page.waitForTimeout(1000);
    assert.equal(await frame.locator("#app").isVisible(), false);
    assert.equal(await frame.locator("#signed-out").isVisible(), true);

    // The same message from the portal itself is taken.
    await page.evaluate(
      ([t, origin]) => document.getElementById("mesdonnees").contentWindow.postMessage({ type: "mesdonnees.token", token: t }, origin),
      [dana, service.base],
    );
    await frame.locator("#who", { hasText: "Dana" }).waitFor({ timeout: WAIT });
  });

  await withPage(async (page) => {
    // A portal of an origin `http.frame_ancestors` does not list: the browser does not even
    // show the page in its frame, so the page never asks for a token.
    await openPortal(page, elsewhere.origin, dana);
    await page.waitForTimeout(1500);
    assert.equal(await page.evaluate(() => window.readyMessages), 0);
  });
});

test("where the service sends no mail, the page offers no e-mail", async () => {
  const quiet = await startService();
  try {
    const erin = token({ sub: "erin", name: "Erin", email: "erin@ent.test" });
    await withPage(async (page) => {
      await page.goto(`${quiet.base}/#token=${erin}`);
      await page.locator("#app").waitFor({ timeout: WAIT });
      await page.locator("#export-submit").waitFor({ timeout: WAIT });
      assert.equal(await page.locator("#export-notify-row").isVisible(), false);
      assert.equal(await page.getByLabel("M'avertir par e-mail quand c'est prêt").count(), 1);
      assert.equal(await page.getByLabel("M'avertir par e-mail quand c'est prêt").isVisible(), false);
    });
  } finally {
    await quiet.stop();
  }
});
