// The bell's words for what the service does on its own, in headless Chromium, in French and in
// English, against a real `mesdonnees serve`: a closing account (declared through the admin
// API, its archive prepared, the notice, then a reminder) and an automatic export the archive
// quota refused. Each entry says what happened and what to do, with its button; the stage is
// checked by `stages.mjs` (text scan, axe-core) before it is pictured.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
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

const DAY = 86_400_000;
/** The reminder is due this long after the declaration: after the notice, within the wait. */
const REMINDER_AFTER = 12_000;

let browser;
let service;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  // A reminder sixty days before the date, and room for one small archive, not a large one.
  service = await startService(
    "[leavers]\ncheck_secs = 1\nreminder_days = [60]\n\n[exports]\nschedule_check_secs = 1\nuser_archive_quota_bytes = 1000000\n",
  );
});

after(async () => {
  await browser?.close();
  await service?.stop();
});

const api = (bearer, method, route, body) => callApi(service, bearer, method, route, body);
const upload = (bearer, name, bytes) => uploadDocument(service, bearer, name, bytes);

/** Waits for the user's timeline to hold an entry of `kind`; answers it. */
async function entryOf(bearer, kind) {
  let found = null;
  await eventually(`a ${kind} entry`, async () => {
    const page = await api(bearer, "GET", "notifications?per_page=50");
    found = page.items.find((n) => n.kind === kind);
    return found !== undefined;
  });
  return found;
}

const WORDS = {
  fr: {
    notice: /^Votre compte ferme le (\d{1,2} \p{L}+ \d{4})\s:\stéléchargez votre archive avant cette date\.$/u,
    reminder: /^Plus que 60 jours pour télécharger votre archive\s:\svotre compte ferme le \d{1,2} \p{L}+ \d{4}\.$/u,
    refused: /^L'export automatique du \d{1,2} \p{L}+ \d{4} n'a pas été fait\s:$/u,
    quota: /^Vos exports occupent déjà toute la place permise/,
    download: "Télécharger",
    showExports: "Voir mes exports",
  },
  en: {
    notice: /^Your account closes on (\d{1,2} \p{L}+ \d{4}): download your archive before then\.$/u,
    reminder: /^60 days left to download your archive: your account closes on \d{1,2} \p{L}+ \d{4}\.$/u,
    refused: /^The automatic export of \d{1,2} \p{L}+ \d{4} was not made:$/u,
    quota: /^Your exports already use all the space allowed/,
    download: "Download",
    showExports: "See my exports",
  },
};

for (const lang of ["fr", "en"]) {
  test(`a closing account and a refused automatic export in the bell (${lang})`, () => toldInTheBell(lang));
}

async function toldInTheBell(lang) {
  const w = WORDS[lang];
  const sub = `depart-${lang}`;
  const user = token({ sub, name: "Alice Martin" });
  const admin = token({ sub: "root", rights: ["mesdonnees.admin"] });
  await upload(user, "bulletin.txt", Buffer.from("18/20"));
  const until = new Date(Date.now() + 60 * DAY + REMINDER_AFTER).toISOString();
  await api(admin, "PUT", `admin/leavers/${sub}`, JSON.stringify({ until, lang }));
  const notice = await entryOf(user, "leaver_notice");
  // Room is left for that archive only: the automatic export of a large file is refused. Its
  // filter keeps it from being the same request as the archive just made, which it would reuse.
  await upload(user, "photo.raw", randomBytes(1_200_000));
  const since = new Date(Date.now() - DAY).toISOString();
  const schedule = { every_months: 1, until: new Date(Date.now() + 90 * DAY).toISOString(), apps: ["workspace"], filters: { since } };
  await api(user, "POST", "schedules", JSON.stringify(schedule));
  const refused = await entryOf(user, "schedule_refused");
  assert.equal(refused.details.code, "archive_quota_exceeded");
  await entryOf(user, "leaver_reminder");

  const context = await browser.newContext({ locale: lang === "fr" ? "fr-FR" : "en-GB", viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.goto(`${service.base}/#token=${user}`);
  // The archive's own « ready », the notice, the reminder, the refusal.
  await page.locator("#bell-count", { hasText: "4" }).waitFor({ timeout: WAIT });
  await page.locator("#bell-button").click();
  const item = (kind) => page.locator(`#bell-list li[data-kind=${kind}]`);
  await item("leaver_reminder").waitFor({ timeout: WAIT });

  const noticeTitle = (await item("leaver_notice").locator(".title").textContent()).trim();
  const date = noticeTitle.match(w.notice)?.[1];
  assert.ok(date, `the notice: ${noticeTitle}`);
  // The day the page names is the one the service declared, in the page's language.
  const expected = new Intl.DateTimeFormat(lang === "fr" ? "fr-FR" : "en-GB", { day: "numeric", month: "long", year: "numeric" }).format(new Date(notice.details.until));
  assert.equal(date, expected);
  assert.match((await item("leaver_reminder").locator(".title").textContent()).trim(), w.reminder);
  assert.match((await item("schedule_refused").locator(".title").textContent()).trim(), w.refused);
  assert.match((await item("schedule_refused").locator(".detail").textContent()).trim(), w.quota);
  for (const kind of ["leaver_notice", "leaver_reminder"]) {
    assert.equal(await item(kind).getByRole("button", { name: w.download }).count(), 1, kind);
  }
  // Checked and pictured in target/, not in the documentation: the bell is there already
  // (06-notifications), and its folder stays small.
  await shot(page, lang === "fr" ? "12-compte-qui-ferme" : "12-compte-qui-ferme-en", [], { documented: false });

  // The closing account's archive downloads from its entry.
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: WAIT }),
    item("leaver_reminder").getByRole("button", { name: w.download }).click(),
  ]);
  assert.match(download.suggestedFilename(), /\.zip$/);
  // The refused export leads to the list where room is made.
  await page.locator("#bell-button").click();
  await item("schedule_refused").getByRole("button", { name: w.showExports }).click();
  await page.locator("#bell-panel").waitFor({ state: "hidden" });
  assert.equal(await page.evaluate(() => document.activeElement.id), "export-list-title");
  assert.deepEqual(problems, []);
  await context.close();
}

// The bell shows at once, its count when the timeline answers: until then (here, never) it is
// still named, or a screen reader announces a bare "button".
for (const lang of ["fr", "en"]) {
  test(`the bell is named before its count comes (${lang})`, async () => {
    const user = token({ sub: `attente-${lang}`, name: "Bob Durand" });
    const context = await browser.newContext({ locale: lang === "fr" ? "fr-FR" : "en-GB" });
    const page = await context.newPage();
    await page.route("**/api/v1/notifications*", () => {});
    await page.goto(`${service.base}/#token=${user}`);
    const bell = page.locator("#bell-button");
    await bell.waitFor({ timeout: WAIT });
    assert.equal(await bell.getAttribute("aria-label"), "Notifications");
    assert.equal(await page.getByRole("button", { name: "Notifications" }).count(), 1);
    await context.close();
  });
}
