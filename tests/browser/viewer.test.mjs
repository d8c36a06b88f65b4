// The archive's viewer in headless Chromium: the sample export that the end-to-end test
// `viewer::every_archive_opens_in_a_browser_with_its_viewer` leaves in target/tmp, unzipped and
// opened from file:// with the network cut. Driven by keyboard alone to a document, to a
// homework entry and to its attachment; axe-core finds no violation on any kind of page, and no
// request leaves file://.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(root, process.env.CARGO_TARGET_DIR) : path.join(root, "target");
const SAMPLE = process.env.VIEWER_SAMPLE ?? path.join(targetDir, "tmp", "viewer-sample.zip");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let browser;
let context;
let dir;
/** Every URL the pages asked for. */
const requested = [];

before(async () => {
  assert.ok(existsSync(SAMPLE), `no sample archive at ${SAMPLE}: run the end-to-end test viewer:: first`);
  dir = mkdtempSync(path.join(tmpdir(), "mesdonnees-viewer-"));
  // Python's zipfile writes the UTF-8 names as they are, whatever the locale.
  execFileSync("python3", ["-m", "zipfile", "-e", SAMPLE, dir]);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  context = await browser.newContext({ offline: true });
  // Anything but a file is refused, and counted: none must be asked for.
  await context.route((url) => url.protocol !== "file:", (route) => route.abort());
  context.on("request", (request) => requested.push(request.url()));
});

after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Opens the archive's home page. */
async function home() {
  const page = await context.newPage();
  await page.goto(pathToFileURL(path.join(dir, "index.html")).href);
  return page;
}

/** What the keyboard focus is on. */
function focused(page) {
  return page.evaluate(() => (document.activeElement?.textContent ?? "").trim());
}

/** Presses Tab until the focus is on the link `name`, then Enter; waits for the next page. */
async function follow(page, name) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press("Tab");
    if ((await focused(page)) === name) {
      const from = page.url();
      await page.keyboard.press("Enter");
      await page.waitForURL((url) => url.href !== from);
      await page.waitForLoadState();
      return;
    }
  }
  assert.fail(`no link "${name}" reached by keyboard on ${page.url()}`);
}

/** axe-core on the page as it is: no violation of any rule. */
async function accessible(page, what) {
  // Evaluated by the browser's debugger, not as a script of the page, which allows none.
  await page.evaluate(AXE);
  const results = await page.evaluate(() => window.axe.run(document));
  const violations = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  assert.deepEqual(violations, [], `${what}: ${page.url()}`);
  assert.ok(results.passes.length > 10, `${what}: axe ran`);
}

test("the home page opens offline, styled, and says whose archive it is", async () => {
  const page = await home();
  assert.equal(await page.getAttribute("html", "lang"), "fr");
  assert.match(await page.textContent("h1"), /Année 2026 — « 5e B » & <co>/);
  assert.match(await page.textContent("main"), /sha256sum -c SHA256SUMS/);
  // The stylesheet applied: the skip link waits off screen until it has the focus.
  const left = await page.$eval(".evitement", (a) => getComputedStyle(a).left);
  assert.equal(left, "-10000px");
  await page.keyboard.press("Tab");
  assert.equal(await focused(page), "Aller au contenu");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "contenu");
  await accessible(page, "home page");
  await page.close();
});

test("a document is reached by keyboard, folder by folder", async () => {
  const page = await home();
  await follow(page, "Parcourir les fichiers de Documents");
  await accessible(page, "an app's folder");
  await follow(page, "Mes documents");
  await follow(page, "Classe & « amis »");
  // The hostile name is a name, not markup.
  assert.ok(await page.getByText("<img src=x onerror=alert(1)>.pdf", { exact: true }).isVisible());
  assert.equal(await page.locator("main img").count(), 0);
  await accessible(page, "a folder with hostile names");
  // A folder is named as the archive names it: « < » and « > » are not allowed everywhere.
  await follow(page, "Sciences _SVT_");
  await follow(page, "Compte-rendu été #1?.txt");
  assert.equal(decodeURIComponent(new URL(page.url()).pathname), path.join(dir, "Documents/Mes documents/Classe & « amis »/Sciences _SVT_/Compte-rendu été #1_.txt"));
  assert.equal((await page.textContent("body")).trim(), "la photosynthese");
  await page.close();
});

test("a folder of many files is cut in pages, followed by keyboard", async () => {
  const page = await home();
  await follow(page, "Parcourir les fichiers de Documents");
  await follow(page, "Mes documents");
  await follow(page, "Beaucoup");
  assert.equal(await page.locator("tbody tr").count(), 500);
  await accessible(page, "a page of a long folder");
  await follow(page, "Page 2 sur 2");
  assert.equal(await page.locator("tbody tr").count(), 1);
  assert.match(await page.textContent("tbody"), /note-500\.txt/);
  await page.close();
});

test("a homework entry and its attachment are reached by keyboard", async () => {
  const page = await home();
  await follow(page, "Lire les éléments de Cahier de textes");
  await accessible(page, "an app's list of items");
  const title = "Fractions & décimaux <script>alert(1)</script>";
  await follow(page, title);
  assert.equal(await page.textContent("h1"), title);
  assert.equal(await page.locator("script").count(), 0);
  assert.match(await page.textContent(".corps"), /Exercices 1 à 4/);
  assert.equal(await page.locator(".corps script").count(), 0);
  await accessible(page, "an entry's page");
  await follow(page, "énoncé: page 1?.txt");
  assert.match(decodeURIComponent(page.url()), /\/Cahier de textes\/pieces-jointes\/[^/]+\/énoncé_ page 1_\.txt$/);
  assert.equal((await page.textContent("body")).trim(), "Exercice 1 : calculer 3/4 + 1/8");
  await page.close();
});

test("the files' root and the shared documents are accessible too", async () => {
  const page = await home();
  await follow(page, "Tous les fichiers, dossier par dossier");
  await accessible(page, "the root of the files");
  await follow(page, "Documents");
  await follow(page, "Partagés avec moi");
  assert.ok(await page.getByText("Sortie au musée.txt", { exact: true }).isVisible());
  await page.close();
});

test("no request left file://", () => {
  assert.ok(requested.length > 10, `pages were loaded: ${requested.length}`);
  const outside = requested.filter((url) => !url.startsWith("file://"));
  assert.deepEqual(outside, []);
});
