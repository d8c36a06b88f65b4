// The export form's further choices in headless Chromium, in French and in English, against a
// real `mesdonnees serve`: folders of the documents space chosen in a tree of checkboxes (the
// estimate and the archive follow), an automatic export of the current choice (listed,
// renewed, deleted), and an archive saved into the documents, then imported from there without
// an upload; and a delivery the documents space cannot hold, refused beside its box. Every
// stage is checked by `stages.mjs` (text scan, axe-core) before it is pictured.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  WAIT,
  callApi as api,
  eventually,
  launchBrowser,
  startService,
  token,
  uploadDocument as upload,
} from "./support.mjs";
import { SHOTS, shot } from "./stages.mjs";

let browser;
let service;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  service = await startService();
});

after(async () => {
  await browser?.close();
  await service?.stop();
});

async function folder(svc, bearer, name, parentId) {
  return (await api(svc, bearer, "POST", "folders", JSON.stringify({ name, parent_id: parentId }))).id;
}

/** The files of an export's archive, by path, read by Python's zipfile. */
async function filesOf(svc, bearer, id) {
  const res = await fetch(`${svc.base}/api/v1/exports/${id}/download`, { headers: { Authorization: `Bearer ${bearer}` } });
  assert.equal(res.status, 200);
  const dir = mkdtempSync(path.join(tmpdir(), "mesdonnees-choices-"));
  try {
    const file = path.join(dir, "archive.zip");
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const script = "import json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nprint(json.dumps([i.filename for i in z.infolist() if not i.is_dir()]))";
    return JSON.parse(execFileSync("python3", ["-c", script, file], { encoding: "utf8" }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function newPage(lang) {
  const context = await browser.newContext({ locale: lang === "fr" ? "fr-FR" : "en-GB", viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.problems = [];
  page.on("pageerror", (e) => page.problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) page.problems.push(`console: ${m.text()}`);
  });
  return page;
}

/** French stages keep their names; the English ones are told apart. */
const stage = (lang, name) => (lang === "fr" ? name : `${name}-en`);

const WORDS = {
  fr: {
    submit: "Préparer mon archive",
    choose: "Choisir des dossiers",
    estimate: (n) => new RegExp(`Environ ${n} fichiers?, soit .*Dossier choisi\\s:\\s«\\sCours\\s»\\.`),
    readyLine: /est prêt\./,
    period: "Fréquence",
    until: "Jusqu'au",
    schedule: "Préparer cet export automatiquement",
    line: /^Export automatique\s:\stous les 2 mois, prochain le \d{1,2} \p{L}+ \d{4}$/u,
    renew: "Prolonger d'un an",
    confirmRenew: /^Prolonger cet export automatique jusqu'au \d{1,2} \p{L}+ \d{4}\s\?$/u,
    delete: "Supprimer",
    confirmDelete: /^Supprimer cet export automatique \(Export automatique\s:\stous les 2 mois/,
    noSchedule: "Aucun export automatique pour le moment.",
    deliver: "Enregistrer aussi l'archive dans mes documents (dossier «\u00a0Mes exports\u00a0»)",
    deliverTable: "Enregistrer aussi le tableau dans mes documents (dossier «\u00a0Mes exports\u00a0»)",
    kindTable: "Un tableau qui le liste",
    kindArchive: "Une archive .zip de tout le contenu",
    importTab: "Importer",
    library: "Importer une archive déjà dans mes documents",
    importOne: (name) => `Importer «\u00a0${name}\u00a0»`,
    launch: "Importer",
    oneFile: "1 fichier importé, 1 dossier créé.",
  },
  en: {
    submit: "Prepare my archive",
    choose: "Choose folders",
    estimate: (n) => new RegExp(`About ${n} files?, .* in all\\. Chosen folder: “Cours”\\.`),
    readyLine: /is ready\./,
    period: "How often",
    until: "Until",
    schedule: "Prepare this export automatically",
    line: /^Automatic export: every 2 months, next on \d{1,2} \p{L}+ \d{4}$/u,
    renew: "Renew for a year",
    confirmRenew: /^Renew this automatic export until \d{1,2} \p{L}+ \d{4}\?$/u,
    delete: "Delete",
    confirmDelete: /^Delete this automatic export \(Automatic export: every 2 months/,
    noSchedule: "No automatic export yet.",
    deliver: "Also save the archive in my documents (folder “Mes exports”)",
    deliverTable: "Also save the table in my documents (folder “Mes exports”)",
    kindTable: "A table listing it",
    kindArchive: "A .zip archive of all the content",
    importTab: "Import",
    library: "Import an archive already in my documents",
    importOne: (name) => `Import “${name}”`,
    launch: "Import",
    oneFile: "1 file imported, 1 folder created.",
  },
};

/** Answers the next question with yes, keeping it. */
function acceptNext(page) {
  const asked = {};
  page.once("dialog", (d) => {
    asked.question = d.message();
    d.accept();
  });
  return asked;
}

for (const lang of ["fr", "en"]) {
  test(`folders of the documents space chosen in a tree (${lang})`, () => chosenFolders(lang));
  test(`an automatic export of the current choice, renewed then deleted (${lang})`, () => automaticExport(lang));
  test(`an archive saved into the documents, then imported from there (${lang})`, () => savedThenImported(lang));
}

async function chosenFolders(lang) {
  const w = WORDS[lang];
  const user = token({ sub: `dossiers-${lang}`, name: "Alice Martin" });
  const cours = await folder(service, user, "Cours");
  const chapitre = await folder(service, user, "Chapitre 1", cours);
  const perso = await folder(service, user, "Perso");
  await upload(service, user, "racine.txt", Buffer.from("à la racine"));
  await upload(service, user, "maths.pdf", Buffer.alloc(5_000, 7), cours);
  await upload(service, user, "exo.txt", Buffer.from("exercice"), chapitre);
  await upload(service, user, "photo.jpg", Buffer.alloc(3_000, 9), perso);

  const page = await newPage(lang);
  await page.goto(`${service.base}/#token=${user}`);
  await page.getByRole("button", { name: w.submit, exact: true }).waitFor({ timeout: WAIT });
  const toggle = page.getByRole("button", { name: w.choose });
  await toggle.click();
  assert.equal(await toggle.getAttribute("aria-expanded"), "true");
  const coursBox = page.getByRole("checkbox", { name: "Cours", exact: true });
  await coursBox.waitFor({ timeout: WAIT });
  // By keyboard: Space ticks the focused folder, whose sub-folder comes with it.
  await coursBox.focus();
  await page.keyboard.press("Space");
  assert.ok(await coursBox.isChecked());
  const nested = page.getByRole("checkbox", { name: "Chapitre 1" });
  assert.ok((await nested.isChecked()) && (await nested.isDisabled()), "the sub-folder is part of its ticked folder");
  const estimate = await api(service, user, "GET", `exports/estimate?apps=workspace&folders=${cours}`);
  assert.equal(estimate.files, 3, JSON.stringify(estimate));
  await page.locator("#estimate", { hasText: w.estimate(estimate.files) }).waitFor({ timeout: WAIT });
  await shot(page, stage(lang, "14-choisir-des-dossiers"), ["Cours", "Chapitre 1", "Perso"], { from: "#export-folders-row" });

  await page.getByRole("button", { name: w.submit, exact: true }).click();
  await page.locator("#export-current-done .success", { hasText: w.readyLine }).waitFor({ timeout: WAIT });
  const [made] = (await api(service, user, "GET", "exports?per_page=1")).items;
  assert.deepEqual(made.filters.folders, [cours]);
  const files = (await filesOf(service, user, made.id)).filter((f) => f.startsWith("Documents/Mes documents/"));
  assert.deepEqual(files.sort(), ["Documents/Mes documents/Cours/Chapitre 1/exo.txt", "Documents/Mes documents/Cours/maths.pdf"]);

  // Unticked, the sub-folder is free again and the estimate is of every document.
  await coursBox.uncheck();
  assert.equal(await nested.isDisabled(), false);
  assert.equal(await nested.isChecked(), false);
  const all = await api(service, user, "GET", "exports/estimate?apps=workspace");
  await page.locator("#estimate", { hasText: new RegExp(`^\\D+${all.files} `) }).waitFor({ timeout: WAIT });
  assert.deepEqual(page.problems, []);
  await page.context().close();
}

async function automaticExport(lang) {
  const w = WORDS[lang];
  const user = token({ sub: `auto-${lang}`, name: "Alice Martin" });
  await upload(service, user, "résumé.txt", Buffer.from("Résumé\n"));
  const page = await newPage(lang);
  await page.goto(`${service.base}/#token=${user}`);
  await page.locator("#schedules-empty", { hasText: w.noSchedule }).waitFor({ timeout: WAIT });
  await page.getByLabel(w.period).selectOption("2");
  // Three months on: renewing it later moves its end a year from today.
  const end = await page.evaluate(() => {
    const d = new Date();
    d.setMonth(d.getMonth() + 3, 1);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-01`;
  });
  await page.getByLabel(w.until, { exact: true }).fill(end);
  await page.getByRole("button", { name: w.schedule }).click();
  const item = page.locator("#schedules-list li");
  await item.waitFor({ timeout: WAIT });
  assert.match((await item.locator(".schedule-line").textContent()).trim(), w.line);
  const [saved] = (await api(service, user, "GET", "schedules")).items;
  assert.equal(saved.every_months, 2);
  assert.deepEqual(saved.apps, ["workspace"], "the form's choice");
  assert.equal(saved.until, await page.evaluate((day) => new Date(`${day}T00:00:00`).toISOString().replace(".000Z", "Z"), end));
  await shot(page, stage(lang, "15-exports-automatiques"), [], { from: "#schedules" });

  let asked = acceptNext(page);
  await item.getByRole("button", { name: w.renew }).click();
  await eventually("renewed", async () => {
    const [renewed] = (await api(service, user, "GET", "schedules")).items;
    return new Date(renewed.until) - new Date(saved.until) > 200 * 86_400_000;
  });
  assert.match(asked.question, w.confirmRenew);

  asked = acceptNext(page);
  await item.getByRole("button", { name: w.delete }).click();
  await page.locator("#schedules-empty").waitFor({ timeout: WAIT });
  assert.match(asked.question, w.confirmDelete);
  assert.equal((await api(service, user, "GET", "schedules")).total, 0);
  assert.equal(await page.evaluate(() => document.activeElement.id), "schedules-title");
  assert.deepEqual(page.problems, []);
  await page.context().close();
}

async function savedThenImported(lang) {
  const w = WORDS[lang];
  const user = token({ sub: `range-${lang}`, name: "Alice Martin" });
  await upload(service, user, "résumé.txt", Buffer.from("Résumé de l'année\n"));
  const page = await newPage(lang);
  await page.goto(`${service.base}/#token=${user}`);
  const box = page.getByRole("checkbox", { name: w.deliver });
  await box.waitFor({ timeout: WAIT });
  // Its words follow what is made: the archive, or the table.
  await page.getByLabel(w.kindTable).check();
  await page.getByRole("checkbox", { name: w.deliverTable }).waitFor({ timeout: WAIT });
  await page.getByLabel(w.kindArchive).check();
  await box.check();
  await shot(page, stage(lang, "16-enregistrer-dans-mes-documents"), [], { from: "#export-folders-row" });
  await page.getByRole("button", { name: w.submit, exact: true }).click();
  await page.locator("#export-current-done .success", { hasText: w.readyLine }).waitFor({ timeout: WAIT });
  const [made] = (await api(service, user, "GET", "exports?per_page=1")).items;
  const documentId = made.delivery?.document_id;
  assert.ok(documentId, JSON.stringify(made));
  const doc = await api(service, user, "GET", `documents/${documentId}`);

  // The import tab lists it; importing it sends no file.
  const sent = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().endsWith("/api/v1/imports")) sent.push(r.headers()["content-type"]);
  });
  await page.getByRole("tab", { name: w.importTab }).click();
  await page.getByRole("button", { name: w.library }).click();
  const listed = page.locator(`#import-library-list li[data-document-id="${documentId}"]`);
  await listed.waitFor({ timeout: WAIT });
  await shot(page, stage(lang, "17-importer-depuis-mes-documents"), [doc.name]);
  await listed.getByRole("button", { name: w.importOne(doc.name) }).click();
  const appRow = page.locator("#import-apps tr[data-app=workspace]");
  await appRow.waitFor({ timeout: WAIT });
  assert.deepEqual(sent, ["application/json"], "the archive is read where it is, not sent");
  await page.getByRole("button", { name: w.launch, exact: true }).click();
  const report = page.locator("#import-report .report[data-app=workspace]");
  await report.waitFor({ timeout: WAIT });
  assert.equal((await report.locator(".created").textContent()).trim(), w.oneFile);
  assert.deepEqual(page.problems, []);
  await page.context().close();
}

for (const lang of ["fr", "en"]) {
  test(`a delivery the documents space cannot hold is refused beside its box (${lang})`, async () => {
    const small = await startService("[limits]\nuser_quota_bytes = 3000\n");
    try {
      const w = WORDS[lang];
      const user = token({ sub: `plein-${lang}`, name: "Alice Martin" });
      await upload(small, user, "photo.jpg", Buffer.alloc(2_000, 3));
      const refused = await fetch(`${small.base}/api/v1/exports`, {
        method: "POST",
        headers: { Authorization: `Bearer ${user}`, "Content-Type": "application/json", "Accept-Language": lang },
        body: JSON.stringify({ deliver_to: "documents" }),
      });
      const problem = await refused.json();
      assert.equal(problem.code, "documents_quota_exceeded");
      const page = await newPage(lang);
      await page.goto(`${small.base}/#token=${user}`);
      const box = page.getByRole("checkbox", { name: w.deliver });
      await box.check();
      await page.getByRole("button", { name: w.submit, exact: true }).click();
      const beside = page.locator("#export-deliver-row + .error");
      await beside.waitFor({ timeout: WAIT });
      // The code's words, as the API says them in that language, before any facts of its own.
      const said = (await beside.locator("strong").textContent()).trim();
      assert.ok(said.length > 0 && problem.detail.startsWith(said), `${said} | ${problem.detail}`);
      assert.equal(await beside.evaluate((b) => b === document.activeElement), true);
      assert.equal(await page.locator("#export-error").isVisible(), false);
      await shot(page, stage(lang, "16b-documents-pleins"), [], { documented: false });
      assert.deepEqual(page.problems, []);
      await page.context().close();
    } finally {
      await small.stop();
    }
  });
}
