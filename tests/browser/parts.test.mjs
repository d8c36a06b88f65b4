// An export in parts on the page, in headless Chromium, in French and in English, against a
// real `mesdonnees serve` whose parts may be as small as 1 MiB: the list offers one button per
// part in words with its size, and the total; each button downloads its part's bytes; the bell's
// « Télécharger » opens the parts rather than one of them; and a part still being written is
// said as waiting, not offered as a link. Every stage is checked by `stages.mjs` (text scan,
// axe-core) before it is pictured.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import {
  WAIT,
  callApi,
  eventually,
  launchBrowser,
  startService,
  token,
  uploadDocument,
} from "./support.mjs";
import { SHOTS, shot } from "./stages.mjs";

const MIB = 1024 * 1024;
let browser;
let service;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  service = await startService(`[exports]\nmin_part_size_bytes = ${MIB}\n\n[documents]\nmax_upload_bytes = ${4 * MIB}\n`);
});

after(async () => {
  await browser?.close();
  await service?.stop();
});

const api = (bearer, method, route, body) => callApi(service, bearer, method, route, body);
const upload = (bearer, name, bytes) => uploadDocument(service, bearer, name, bytes);

/** A size as the page writes it: powers of 1,000, one decimal under a hundred. */
function megabytes(lang, n) {
  const units = lang === "fr" ? ["octets", "Ko", "Mo", "Go"] : ["bytes", "KB", "MB", "GB"];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  assert.ok(unit > 0, `a size of at least a kilobyte: ${n}`);
  const digits = value >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(value)}\u00a0${units[unit]}`;
}

const WORDS = {
  fr: {
    name: "Mon année",
    part: (n, total, size) => `Partie ${n} sur ${total} (${size})`,
    waiting: (n, total) => `Partie ${n} sur ${total}\u00a0: en cours d'écriture`,
    total: (count, size) => `${count} parties, ${size} au total`,
    group: (count) => `Télécharger «\u00a0Mon année\u00a0», en ${count} parties`,
    download: "Télécharger",
  },
  en: {
    name: "Pat's year",
    part: (n, total, size) => `Part ${n} of ${total} (${size})`,
    waiting: (n, total) => `Part ${n} of ${total}: being written`,
    total: (count, size) => `${count} parts, ${size} in all`,
    group: (count) => `Download “Pat's year”, in ${count} parts`,
    download: "Download",
  },
};

/** A ready export of `user`'s noise in 1 MiB parts, and its parts as the API lists them. */
async function exportInParts(lang, user) {
  for (let i = 0; i < 3; i += 1) await upload(user, `bruit-${i}.bin`, randomBytes(1_300_000));
  const body = JSON.stringify({ name: WORDS[lang].name, part_size_bytes: MIB });
  const created = await api(user, "POST", "exports", body);
  let ready;
  await eventually("the export in parts ready", async () => {
    ready = await api(user, "GET", `exports/${created.id}`);
    assert.notEqual(ready.status, "failed", JSON.stringify(ready));
    return ready.status === "ready";
  });
  const parts = await api(user, "GET", `exports/${created.id}/parts`);
  assert.ok(parts.parts_total >= 3, JSON.stringify(parts));
  assert.equal(parts.items.length, parts.parts_total);
  return { exp: ready, parts };
}

async function newPage(lang) {
  const context = await browser.newContext({ locale: lang === "fr" ? "fr-FR" : "en-GB", viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  page.problems = [];
  page.on("pageerror", (e) => page.problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) page.problems.push(`console: ${m.text()}`);
  });
  return page;
}

const stage = (lang, name) => (lang === "fr" ? name : `${name}-en`);

for (const lang of ["fr", "en"]) {
  test(`an export in parts: a button per part, each downloading its part, and the total (${lang})`, () => buttonPerPart(lang));
  test(`a part still being written is said as waiting, not linked (${lang})`, () => partWaiting(lang));
}

async function buttonPerPart(lang) {
  const w = WORDS[lang];
  const user = token({ sub: `parties-${lang}`, name: "Alice Martin" });
  const { exp, parts } = await exportInParts(lang, user);
  const total = parts.parts_total;
  const page = await newPage(lang);
  await page.goto(`${service.base}/#token=${user}`);
  const row = page.locator(`#export-list-body tr[data-export-id="${exp.id}"]`);
  const group = row.getByRole("group", { name: w.group(total) });
  await group.waitFor({ timeout: WAIT });

  // One button per part, in words with its size; no single button for the whole.
  const buttons = group.getByRole("button");
  assert.equal(await buttons.count(), total);
  for (const part of parts.items) {
    const words = w.part(part.part, total, megabytes(lang, part.size));
    assert.equal((await buttons.nth(part.part - 1).textContent()).trim(), words);
  }
  assert.equal(await row.getByRole("button", { name: w.download, exact: true }).count(), 0);
  const whole = parts.items.reduce((sum, p) => sum + p.size, 0);
  assert.equal((await group.locator(".parts-total").textContent()).trim(), w.total(total, megabytes(lang, whole)));
  assert.equal((await row.locator("td").nth(3).textContent()).trim(), megabytes(lang, whole), "the size column is every part's");
  await shot(page, stage(lang, "18-export-en-parties"), [w.name], { from: "#export-list-title" });

  // Each button downloads its own part, byte for byte.
  for (const part of parts.items) {
    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: WAIT }),
      buttons.nth(part.part - 1).click(),
    ]);
    assert.equal(download.suggestedFilename(), part.file_name);
    const bytes = readFileSync(await download.path());
    assert.equal(bytes.length, part.size, `part ${part.part}`);
    assert.equal(createHash("sha256").update(bytes).digest("hex"), part.sha256, `part ${part.part}`);
  }

  // The bell's « Télécharger » opens the parts, the first one focused.
  await page.locator("#bell-button").click();
  const entry = page.locator("#bell-list li[data-kind=export_ready]");
  await entry.getByRole("button", { name: w.download }).click();
  const offered = page.locator("#export-current-done").getByRole("group", { name: w.group(total) });
  await offered.waitFor({ timeout: WAIT });
  assert.equal(await offered.getByRole("button").count(), total);
  await eventually("the first part focused", () => page.evaluate(() => document.activeElement?.dataset?.part === "1"));
  assert.deepEqual(page.problems, []);
  await page.context().close();
}

async function partWaiting(lang) {
  const w = WORDS[lang];
  const user = token({ sub: `en-cours-${lang}`, name: "Alice Martin" });
  const { exp, parts } = await exportInParts(lang, user);
  const total = parts.parts_total;
  const page = await newPage(lang);
  // The moment between two parts, held still: the list says the export is running and only
  // its first part is published, as the service answers while it writes the second.
  await page.route(/\/api\/v1\/exports\?per_page=50$/, async (route) => {
    const listed = await (await route.fetch()).json();
    for (const item of listed.items) {
      if (item.id !== exp.id) continue;
      Object.assign(item, { status: "running", size: null, sha256: null, finished_at: null, expires_at: null });
    }
    await route.fulfill({ json: listed });
  });
  await page.route(new RegExp(`/api/v1/exports/${exp.id}/parts$`), async (route) => {
    const view = await (await route.fetch()).json();
    await route.fulfill({ json: { ...view, items: view.items.slice(0, 1) } });
  });
  await page.goto(`${service.base}/#token=${user}`);
  const row = page.locator(`#export-list-body tr[data-export-id="${exp.id}"]`);
  const group = row.getByRole("group", { name: w.group(total) });
  await group.waitFor({ timeout: WAIT });
  const buttons = group.getByRole("button");
  assert.equal(await buttons.count(), 1, "only the published part is a button");
  assert.equal((await buttons.first().textContent()).trim(), w.part(1, total, megabytes(lang, parts.items[0].size)));
  const waiting = group.locator(".part-waiting");
  assert.equal(await waiting.count(), total - 1);
  for (let n = 2; n <= total; n += 1) {
    assert.equal((await waiting.nth(n - 2).textContent()).trim(), w.waiting(n, total));
  }
  assert.equal(await group.locator("a").count(), 0, "no link to a part not written");
  assert.equal((await row.locator("td").nth(3).textContent()).trim(), "—");
  await shot(page, stage(lang, "18b-export-en-parties-en-cours"), [w.name], { documented: false });

  // The published one downloads already.
  const [download] = await Promise.all([page.waitForEvent("download", { timeout: WAIT }), buttons.first().click()]);
  const bytes = readFileSync(await download.path());
  assert.equal(createHash("sha256").update(bytes).digest("hex"), parts.items[0].sha256);
  assert.deepEqual(page.problems, []);
  await page.context().close();
}
