// The « Mes données » page in headless Chromium, against a real `mesdonnees serve` on its
// embedded defaults: export through the page, download and check the zip, import it as another
// user through the page, read the report. Screenshots of every stage go to SCREENSHOT_DIR
// (default: target/screenshots at the repository's root); with SCREENSHOTS_DIR set (e.g.
// docs/screenshots), every French stage is also pictured there at 1280 and 375 px wide, in a
// folder per width.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, mkdirSync, rmSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { SHOTS, languageFaults, accessibilityViolations, shot } from "./stages.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(root, process.env.CARGO_TARGET_DIR) : path.join(root, "target");
const BIN = process.env.MESDONNEES_BIN ?? path.join(targetDir, "debug", "mesdonnees");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const WAIT = 30_000;

const CAHIER_BIN = process.env.CAHIER_BIN ?? path.join(targetDir, "debug", "mesdonnees-cahier");

let browser;
/** The instance on embedded defaults (development key), which most tests use. */
let main;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(what, check, log) {
  const deadline = Date.now() + WAIT;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // Not answering yet.
    }
    assert.ok(Date.now() < deadline, `${what} did not start:\n${log()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A real `mesdonnees serve` on a free port, its data in a folder of its own. */
class Instance {
  static async start(name, { config } = {}) {
    const self = new Instance();
    self.name = name;
    self.dir = mkdtempSync(path.join(tmpdir(), "mesdonnees-page-"));
    self.base = `http://127.0.0.1:${await freePort()}`;
    self.args = ["--data-dir", self.dir];
    if (config) {
      const file = path.join(self.dir, "mesdonnees.toml");
      writeFileSync(file, config);
      self.args.push("--config", file);
    }
    self.log = "";
    self.children = [];
    const server = self.spawn(BIN, ["serve", ...self.args, "--bind", new URL(self.base).host]);
    await waitFor("the service", async () => (await fetch(`${self.base}/readyz`)).ok, () => self.log);
    self.server = server;
    return self;
  }

  spawn(bin, args) {
    const child = spawn(bin, args, { env: this.env(), stdio: ["ignore", "pipe", "pipe"] });
    for (const stream of [child.stdout, child.stderr]) {
      stream.on("data", (chunk) => {
        this.log += chunk;
      });
    }
    this.children.push(child);
    return child;
  }

  env() {
    return {
      ...process.env,
      MESDONNEES__HTTP__BIND: new URL(this.base).host,
      // No leeway: a token made to expire in a second is expired two seconds later.
      MESDONNEES__AUTH__LEEWAY_SECS: "0",
      RUST_LOG: "warn",
    };
  }

  /** `mesdonnees token`: the token on stdout, the page's address on stderr. */
  mint(user, name, { ttl = 3600, rights = ["workspace.create"] } = {}) {
    const args = ["token", ...this.args, "--user", user, "--ttl", String(ttl)];
    if (name) args.push("--name", name);
    for (const right of rights) args.push("--right", right);
    return execFileSync(BIN, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: this.env() }).trim();
  }

  async api(token, method, route, body) {
    return call(`${this.base}/api/v1/${route}`, token, method, body);
  }

  async stop() {
    for (const child of this.children.reverse()) {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
    }
    // Warnings and errors only (RUST_LOG=warn): kept beside the screenshots for a failed run.
    writeFileSync(path.join(SHOTS, `${this.name}.log`), this.log);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A plain SMTP server on loopback that keeps what it is sent: what a relay would get. */
async function smtpSink() {
  const mails = [];
  const server = createServer((socket) => {
    let buffer = "";
    let inData = false;
    let mail = { to: [], data: "" };
    const reply = (line) => socket.write(`${line}\r\n`);
    reply("220 sink.test ESMTP");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      for (;;) {
        if (inData) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) return;
          mail.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          mails.push(mail);
          mail = { to: [], data: "" };
          reply("250 kept");
          continue;
        }
        const eol = buffer.indexOf("\r\n");
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO" || verb === "HELO") reply("250 sink.test");
        else if (verb === "RCPT") {
          mail.to.push(line.match(/<([^>]*)>/)?.[1]);
          reply("250 ok");
        } else if (verb === "DATA") {
          inData = true;
          reply("354 go on");
        } else if (verb === "QUIT") {
          reply("221 bye");
          socket.end();
        } else reply("250 ok");
      }
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { port: server.address().port, mails, close: () => server.close() };
}

async function call(url, token, method, body) {
  const res = await fetch(url, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(typeof body === "string" ? { "Content-Type": "application/json" } : {}),
    },
    body,
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${url}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function upload(instance, token, name, bytes, folderId) {
  const form = new FormData();
  form.append("file", new Blob([bytes]), name);
  if (folderId) form.append("folder_id", folderId);
  return instance.api(token, "POST", "documents", form);
}

/** Every file of a user's documents, by path, with its SHA-256. */
async function tree(instance, token, folderId = null, prefix = "") {
  const out = {};
  const query = folderId ? `folder_id=${folderId}&` : "";
  const page = await instance.api(token, "GET", `documents?${query}per_page=200`);
  for (const doc of page.items) {
    if (doc.kind === "folder") Object.assign(out, await tree(instance, token, doc.id, `${prefix}${doc.name}/`));
    else out[`${prefix}${doc.name}`] = doc.sha256;
  }
  return out;
}

function sha(bytes) {
  return createHash("sha256").update(bytes).digest("hex");
}

function content(len, seed) {
  const bytes = Buffer.alloc(len);
  let x = seed * 2654435761;
  for (let i = 0; i < len; i += 1) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}



test("the text scan finds what it is for", () => {
  assert.deepEqual(languageFaults("Environ 3 fichiers, soit 20,3\u00a0Mo.", "fr"), []);
  assert.deepEqual(languageFaults("Dans le dossier «\u00a0Import du 7 décembre 2026 à 01\u00a0h\u00a006\u00a0»", "fr"), []);
  assert.equal(languageFaults("L'import a échoué\u00a0: the archive is incomplete", "fr").length, 1);
  assert.equal(languageFaults("3 fichier(s)", "fr").length, 1);
  assert.equal(languageFaults("Sans compter : Cahier", "fr").length, 1);
  assert.equal(languageFaults("Sans compter: rien", "fr").length, 1);
  assert.equal(languageFaults("« Mon année » est prêt", "fr").length, 2);
  assert.deepEqual(languageFaults("Your export “Pat's year” is ready at 01:06", "en"), []);
  assert.equal(languageFaults("Your export is prête", "en").length, 1);
  assert.equal(languageFaults("3 file(s)", "en").length, 1);
});

/** The files of a zip with their SHA-256, read by Python's zipfile, a reader of its own. */
function zipContents(file) {
  const script = [
    "import hashlib, json, sys, zipfile",
    "z = zipfile.ZipFile(sys.argv[1])",
    "assert z.testzip() is None",
    "print(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist() if not i.is_dir()}))",
  ].join("\n");
  return JSON.parse(execFileSync("python3", ["-c", script, file], { encoding: "utf8" }));
}

/** Pages still open, pictured when a test fails so that CI shows where it stood. */
const openPages = new Set();

/** A test whose failure leaves a picture of every page still open, and the services' logs. */
function scenario(name, body) {
  test(name, async () => {
    try {
      await body();
    } catch (error) {
      const slug = name.replace(/[^a-z0-9]+/gi, "-").slice(0, 40);
      let i = 0;
      for (const page of openPages) {
        i += 1;
        await page.screenshot({ path: path.join(SHOTS, `FAILED-${slug}-${i}.png`), fullPage: true }).catch(() => {});
      }
      throw error;
    } finally {
      for (const page of openPages) await page.context().close().catch(() => {});
      openPages.clear();
    }
  });
}

async function newPage(locale = "fr-FR", viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ locale, viewport, acceptDownloads: true });
  const page = await context.newPage();
  openPages.add(page);
  page.on("close", () => openPages.delete(page));
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    // Chromium logs every 4xx answer; those the test provokes are checked on the page.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(`console: ${m.text()}`);
  });
  page.problems = problems;
  return page;
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  main = await Instance.start("serve");
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

after(async () => {
  await browser?.close();
  await main?.stop();
});

scenario("without a token the page says where to sign in", async () => {
  const page = await newPage();
  await page.goto(`${main.base}/`);
  const heading = page.getByRole("heading", { name: "Reconnectez-vous à votre ENT" });
  await heading.waitFor({ timeout: WAIT });
  assert.equal(await page.locator("#app").isVisible(), false);
  // A development install: its hints, and no ENT to link to.
  assert.ok(await page.getByText("mesdonnees token --user ID").isVisible());
  assert.equal(await page.locator("#signed-out-ent").isVisible(), false);
  await shot(page, "01-sans-jeton");
  assert.deepEqual(page.problems, []);
  await page.context().close();

  const english = await newPage("en-GB");
  await english.goto(`${main.base}/`);
  await english.getByRole("heading", { name: "Sign in to your ENT again" }).waitFor({ timeout: WAIT });
  await shot(english, "01-sans-jeton-en");
  await english.context().close();
});

scenario("an expired token says the session is over", async () => {
  const token = main.mint("eleve.expire", null, { ttl: 1 });
  await new Promise((r) => setTimeout(r, 2100));
  const page = await newPage();
  await page.goto(`${main.base}/#token=${token}`);
  await page.getByText("Votre session a expiré").waitFor({ timeout: WAIT });
  assert.equal(await page.locator("#app").isVisible(), false);
  // A token that is no token is not called an expired session.
  await page.goto(`${main.base}/#token=not-a-token`);
  await page.reload();
  await page.getByText("Votre connexion n'a pas pu être vérifiée.").waitFor({ timeout: WAIT });
  assert.equal(await page.getByText("Votre session a expiré").count(), 0);
  await page.context().close();
});

scenario("the address serve prints opens the page as the demonstration user", async () => {
  const printed = main.log.match(/http:\/\/\S+#token=\S+/);
  assert.ok(printed, `serve printed no page address:\n${main.log}`);
  const page = await newPage();
  await page.goto(printed[0]);
  await page.getByText("Connecté en tant que Camille Démo").waitFor({ timeout: WAIT });
  assert.ok(!page.url().includes("token="), `the token stays in the address bar: ${page.url()}`);
  await page.context().close();
});

/** What the main scenario reads and clicks, in each language of the page. */
const WORDS = {
  fr: {
    signedAs: "Connecté en tant que Alice Martin",
    estimate: (n) => new RegExp(`Environ ${n} fichiers`),
    appPart: (n) => new RegExp(`^${n} fichiers · `),
    name: "Nom de l'export (facultatif)",
    since: "Modifiés depuis le",
    submit: "Préparer mon archive",
    leave: "Vous pouvez quitter cette page",
    readyLine: /«\sMon année\s» est prêt\./,
    ready: "Prêt",
    download: "Télécharger",
    preview: /Aperçu/,
    bellReady: /Votre export «\sMon année\s» est prêt/,
    importTab: "Importer",
    drop: "Déposez ici une archive .zip",
    yes: "Oui",
    signed: /signée/,
    launch: "Importer",
    created: (files, folders) => `${files} fichiers importés, ${folders} dossiers créés.`,
    folder: /Dans le dossier «\s(Import du [^»]+?)\s»/,
    seeReport: "Voir le rapport",
    another: "Importer une autre archive",
    notZip: /^«\sdevoir\.txt\s»\s:\sCe fichier n'est pas une archive \.zip\. Choisissez le fichier/,
    delete: /Supprimer/,
    confirmDelete: /^Supprimer l'export «\sMon année\s»/,
    deleted: "Cet export a été supprimé",
  },
  en: {
    signedAs: "Signed in as Alice Martin",
    estimate: (n) => new RegExp(`About ${n} files`),
    appPart: (n) => new RegExp(`^${n} files · `),
    name: "Name of the export (optional)",
    since: "Changed since",
    submit: "Prepare my archive",
    leave: "You may leave this page",
    readyLine: /“Mon année” is ready\./,
    ready: "Ready",
    download: "Download",
    preview: /Preview/,
    bellReady: /Your export “Mon année” is ready/,
    importTab: "Import",
    drop: "Drop a .zip archive here",
    yes: "Yes",
    signed: /signed/,
    launch: "Import",
    created: (files, folders) => `${files} files imported, ${folders} folders created.`,
    folder: /In the folder “(Import du [^”]+?)”/,
    seeReport: "See the report",
    another: "Import another archive",
    notZip: /^“devoir\.txt”: This file is not a \.zip archive\. Choose the \.zip file/,
    delete: /Delete/,
    confirmDelete: /^Delete the export “Mon année”/,
    deleted: "This export was deleted",
  },
};

for (const lang of ["fr", "en"]) {
  scenario(`export through the page, download, then import as another user (${lang})`, () => exportThenImport(lang));
}

/** The main path in one language of the page, every stage scanned in that language. */
async function exportThenImport(lang) {
  const w = WORDS[lang];
  const locale = lang === "fr" ? "fr-FR" : "en-GB";
  /** French stages keep their names; the English ones are told apart. */
  const stage = (name) => (lang === "fr" ? name : `${name}-en`);
  const alice = main.mint(`alice-${lang}`, "Alice Martin");
  const bob = main.mint(`bob-${lang}`, "Bob Durand");
  const folder = await main.api(alice, "POST", "folders", JSON.stringify({ name: "Cours d'été" }));
  assert.ok(folder.id);
  const files = {
    "résumé.txt": Buffer.from("Résumé de l'année : très bien.\n"),
    "photo.png": content(180_000, 1),
    "notes.json": Buffer.from('{"note": 17}'),
  };
  await upload(main, alice, "résumé.txt", files["résumé.txt"]);
  await upload(main, alice, "photo.png", files["photo.png"], folder.id);
  await upload(main, alice, "notes.json", files["notes.json"], folder.id);

  // Exporter: the apps, the estimate, the button.
  const page = await newPage(locale);
  await page.goto(`${main.base}/#token=${alice}`);
  await page.getByText(w.signedAs).waitFor({ timeout: WAIT });
  const workspace = page.getByRole("checkbox", { name: /Documents/ });
  assert.ok(await workspace.isChecked());
  const estimate = await main.api(alice, "GET", "exports/estimate?apps=workspace");
  assert.ok(estimate.files >= 3, JSON.stringify(estimate));
  await page.locator("#estimate", { hasText: w.estimate(estimate.files) }).waitFor({ timeout: WAIT });
  // Each app's part beside its name, as the API sizes it.
  const workspacePart = estimate.by_app.workspace;
  assert.match(await page.locator("#export-app-size-workspace").textContent(), w.appPart(workspacePart.files));
  // Only some formats, or only what changed since a day: the estimate follows, as the API's.
  const images = await main.api(alice, "GET", "exports/estimate?apps=workspace&formats=image");
  assert.ok(images.files < estimate.files, JSON.stringify(images));
  await page.getByRole("checkbox", { name: "Images" }).check();
  await page.locator("#estimate", { hasText: w.estimate(images.files) }).waitFor({ timeout: WAIT });
  await page.getByRole("checkbox", { name: "Images" }).uncheck();
  await page.locator("#estimate", { hasText: w.estimate(estimate.files) }).waitFor({ timeout: WAIT });
  const today = await page.locator("#export-since").getAttribute("max");
  await page.getByLabel(w.since).fill(today);
  const since = await page.evaluate((day) => new Date(`${day}T00:00:00`).toISOString(), today);
  const recent = await main.api(alice, "GET", `exports/estimate?apps=workspace&since=${encodeURIComponent(since)}`);
  await page.locator("#estimate", { hasText: w.estimate(recent.files) }).waitFor({ timeout: WAIT });
  await page.getByLabel(w.since).fill("");
  await page.getByLabel(w.name).fill("Mon année");
  await shot(page, stage("02-exporter"));
  await page.getByRole("button", { name: w.submit, exact: true }).click();

  // The progress, then ready.
  await page.locator("#export-current").waitFor({ state: "visible", timeout: WAIT });
  // Shown while it builds, which may already be over on a fast machine: its words, then.
  await page.locator("#export-current-title").waitFor({ timeout: WAIT });
  assert.match(await page.locator("#export-leave").textContent(), new RegExp(`^${w.leave}`));
  await shot(page, stage("03-export-en-cours"));
  const readyLine = page.locator("#export-current-done .success");
  await readyLine.waitFor({ timeout: WAIT });
  assert.match(await readyLine.textContent(), w.readyLine);
  const bar = page.locator("#export-progress");
  assert.equal(await bar.evaluate((b) => b.value === b.max), true, "the bar ends full");
  const row = page.locator("#export-list-body tr", { hasText: "Mon année" });
  await row.locator(`text=${w.ready}`).waitFor({ timeout: WAIT });
  // What kind of export it is, and of which apps.
  assert.match(await row.textContent(), /Archive \.zip\s*Documents/);
  await shot(page, stage("04-export-prete"));

  // The download is the archive: every document byte-identical.
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: WAIT }),
    page.locator("#export-current-done").getByRole("button", { name: w.download }).click(),
  ]);
  const zipPath = path.join(main.dir, "downloaded.zip");
  await download.saveAs(zipPath);
  assert.match(download.suggestedFilename(), /Mon année\.zip$/);
  const inZip = zipContents(zipPath);
  const expected = {
    "Documents/Mes documents/résumé.txt": sha(files["résumé.txt"]),
    "Documents/Mes documents/Cours d'été/photo.png": sha(files["photo.png"]),
    "Documents/Mes documents/Cours d'été/notes.json": sha(files["notes.json"]),
  };
  for (const [name, hash] of Object.entries(expected)) assert.equal(inZip[name], hash, `${name} in ${Object.keys(inZip)}`);

  // The preview lists the archive as a tree.
  await row.getByRole("button", { name: w.preview }).click();
  const dialog = page.getByRole("dialog");
  // Folders two levels down start closed: open one.
  await dialog.locator("summary", { hasText: "Cours d'été" }).click();
  await dialog.getByText("photo.png").waitFor({ timeout: WAIT });
  assert.ok(await dialog.getByText("résumé.txt").isVisible());
  await shot(page, stage("05-apercu"));
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });

  // The bell: the ready archive, with its link.
  const bell = page.locator("#bell-button");
  await page.locator("#bell-count", { hasText: "1" }).waitFor({ timeout: WAIT });
  await bell.click();
  const entry = page.locator("#bell-list li[data-kind=export_ready]");
  await entry.waitFor({ timeout: WAIT });
  assert.match(await entry.textContent(), w.bellReady);
  await shot(page, stage("06-notifications"));
  const [again] = await Promise.all([
    page.waitForEvent("download", { timeout: WAIT }),
    entry.getByRole("button", { name: w.download }).click(),
  ]);
  assert.match(again.suggestedFilename(), /Mon année\.zip$/);
  await page.locator("#bell-count").waitFor({ state: "hidden", timeout: WAIT });
  assert.deepEqual(page.problems, []);

  // Bob imports the zip: dropped on the drop zone.
  const bobPage = await newPage(locale);
  await bobPage.goto(`${main.base}/#token=${bob}`);
  await bobPage.getByRole("tab", { name: w.importTab }).click();
  await bobPage.getByText(w.drop).waitFor({ timeout: WAIT });
  await shot(bobPage, stage("07-importer"));
  const zipBase64 = readFileSync(zipPath).toString("base64");
  const dataTransfer = await bobPage.evaluateHandle((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], "Mon année.zip", { type: "application/zip" }));
    return dt;
  }, zipBase64);
  // What the upload's live region says, and when.
  await bobPage.evaluate(() => {
    window.spoken = [];
    const region = document.getElementById("upload-spoken");
    new MutationObserver(() => window.spoken.push({ text: region.textContent, at: performance.now() })).observe(region, { childList: true, characterData: true, subtree: true });
  });
  await bobPage.dispatchEvent("#dropzone", "drop", { dataTransfer });

  // The analysis: the workspace is importable and ticked.
  const appRow = bobPage.locator("#import-apps tr[data-app=workspace]");
  await appRow.waitFor({ timeout: WAIT });
  assert.equal(await appRow.getAttribute("data-verdict"), "importable");
  assert.equal((await appRow.locator(".verdict").textContent()).trim(), w.yes);
  assert.match(await bobPage.locator("#import-summary").textContent(), /Alice Martin/);
  assert.match(await bobPage.locator("#import-warnings").textContent(), w.signed);
  // Spoken at each quarter or every few seconds, never at every progress event.
  const spoken = await bobPage.evaluate(() => window.spoken);
  assert.match(spoken.at(-1)?.text ?? "", /100\s?%$/, JSON.stringify(spoken));
  for (const [i, said] of spoken.entries()) {
    const quarter = /\s(0|25|50|75|100)\s?%$/.test(said.text);
    assert.ok(quarter || said.at - spoken[i - 1].at >= 5000, `spoken too often: ${JSON.stringify(spoken)}`);
  }
  const tick = appRow.getByRole("checkbox");
  assert.ok(await tick.isChecked());
  await shot(bobPage, stage("08-analyse"));
  await bobPage.getByRole("button", { name: w.launch, exact: true }).click();

  // The report, as numbers on the page.
  const report = bobPage.locator("#import-report .report[data-app=workspace]");
  await report.waitFor({ timeout: WAIT });
  const count = async (name) => (await report.locator(`[data-count=${name}]`).textContent()).trim();
  // The numbers are the API's report: files and the folders made for them.
  const imports = await main.api(bob, "GET", "imports");
  const byApi = imports.items[0].report.apps.workspace;
  assert.ok(byApi.files_imported === 3 && byApi.failed === 0, JSON.stringify(byApi));
  // Three files, as the analysis said, and the folders made for them, apart.
  assert.equal(await count("files"), String(byApi.files_imported));
  assert.equal(await count("folders"), String(byApi.folders_created));
  assert.equal(
    (await report.locator(".created").textContent()).trim(),
    w.created(3, byApi.folders_created),
  );
  assert.equal(await count("renamed"), "0");
  assert.equal(await count("errors"), "0");
  // The folder is named as the service writes dates: « Import du 7 décembre 2026 à 01 h 06 »,
  // a name in the instance's language, which the English page quotes as it is.
  const folderName = (await report.textContent()).match(w.folder)?.[1];
  assert.match(folderName ?? "", /^Import du \d{1,2} \p{L}+ \d{4} à \d\d h \d\d$/u);
  await shot(bobPage, stage("09-rapport"), [folderName]);
  // Bob's documents now: Alice's, byte for byte, under the import's folder.
  const got = await tree(main, bob);
  const want = Object.fromEntries(
    Object.entries(expected).map(([p, h]) => [p.replace(/^Documents\//, `${folderName}/`), h]),
  );
  assert.deepEqual(got, want);

  // The import's notification leads back to its report.
  await bobPage.reload();
  await bobPage.locator("#bell-button").click();
  const done = bobPage.locator("#bell-list li[data-kind=import_done]");
  await done.waitFor({ timeout: WAIT });
  await done.getByRole("button", { name: w.seeReport }).click();
  await report.waitFor({ timeout: WAIT });
  assert.equal(await count("files"), String(byApi.files_imported));

  // A file that is not a zip: refused by the browser before any upload, the file named.
  await bobPage.getByRole("button", { name: w.another }).click();
  const sent = [];
  bobPage.on("request", (r) => {
    if (r.method() === "POST" && r.url().endsWith("/api/v1/imports")) sent.push(r.url());
  });
  await bobPage.locator("#import-file").setInputFiles({ name: "devoir.txt", mimeType: "text/plain", buffer: Buffer.from("pas une archive") });
  const error = bobPage.locator("#import-error");
  await error.waitFor({ state: "visible", timeout: WAIT });
  // The words of its code in the page's language, not the API's detail, and the focus on them.
  assert.match(await error.textContent(), w.notZip);
  assert.equal(await bobPage.evaluate(() => document.activeElement.id), "import-error");
  assert.deepEqual(sent, [], "nothing was uploaded");
  // The report read out a moment ago is still in the live region, its folder name with it.
  await shot(bobPage, stage("10-erreur"), [folderName]);
  assert.deepEqual(bobPage.problems, []);
  await bobPage.context().close();

  // Alice deletes her export; the focus goes to the list, not to the page's body.
  let question = null;
  page.once("dialog", (d) => {
    question = d.message();
    d.accept();
  });
  await row.getByRole("button", { name: w.delete }).click();
  await row.waitFor({ state: "detached", timeout: WAIT });
  assert.match(question, w.confirmDelete);
  assert.equal(await page.locator("#export-current").isVisible(), false, "the deleted export is no longer followed");
  await page.locator("#export-list-empty").waitFor({ timeout: WAIT });
  assert.equal(await page.evaluate(() => document.activeElement.id), "export-list-title");
  // Its notification now says so, instead of offering a download that cannot work.
  await page.locator("#bell-button").click();
  const goneEntry = page.locator("#bell-list li[data-kind=export_ready]");
  await goneEntry.locator(".state", { hasText: w.deleted }).waitFor({ timeout: WAIT });
  assert.equal(await goneEntry.getByRole("button", { name: w.download }).count(), 0);
  await shot(page, stage("06b-notification-export-supprime"));
  await page.context().close();
}

scenario("keyboard, labels and contrast", async () => {
  const token = main.mint("clavier", "Claude Clavier");
  const page = await newPage();
  await page.goto(`${main.base}/#token=${token}`);
  const exportTab = page.getByRole("tab", { name: "Exporter" });
  await exportTab.waitFor({ timeout: WAIT });
  await exportTab.focus();
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.getByRole("tab", { name: "Importer" }).getAttribute("aria-selected"), "true");
  assert.equal(await page.evaluate(() => document.activeElement.id), "tab-import");
  assert.ok(await page.locator("#panel-import").isVisible());
  await page.keyboard.press("Home");
  assert.ok(await page.locator("#panel-export").isVisible());

  // Tab order reaches the button, which Enter presses.
  await page.locator("#export-apps input").first().waitFor({ timeout: WAIT });
  let found = false;
  for (let i = 0; i < 30 && !found; i += 1) {
    await page.keyboard.press("Tab");
    found = await page.evaluate(() => document.activeElement?.id === "export-submit");
  }
  assert.ok(found, "the export button is reachable with Tab");

  // Every control of both tabs has a name.
  const unnamed = await page.evaluate(() =>
    [...document.querySelectorAll("input, select, button")]
      .filter((c) => c.type !== "file")
      .filter((c) => !(c.labels?.length || c.getAttribute("aria-label") || c.textContent.trim()))
      .map((c) => c.id || c.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unnamed, []);

  // Text against its background, WCAG AA (4.5:1) for what the page shows.
  const low = await page.evaluate(() => {
    const rgb = (s) => s.match(/[\d.]+/g).slice(0, 4).map(Number);
    const lum = ([r, g, b]) => {
      const c = [r, g, b].map((v) => {
        const x = v / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const background = (node) => {
      for (let n = node; n; n = n.parentElement) {
        const c = rgb(getComputedStyle(n).backgroundColor);
        if (c.length < 4 || c[3] > 0) return c;
      }
      return [255, 255, 255];
    };
    const out = [];
    for (const node of document.querySelectorAll("h1, h2, p, label, legend, button, th, td, span, li")) {
      if (!node.checkVisibility() || !node.textContent.trim()) continue;
      const fg = lum(rgb(getComputedStyle(node).color));
      const bg = lum(background(node));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 4.5) out.push(`${node.tagName}.${node.className}: ${ratio.toFixed(2)}`);
    }
    return out;
  });
  assert.deepEqual(low, []);

  // The checker run on every stage finds what it is for.
  await page.evaluate(() => document.querySelector("#panel-export .card").append(Object.assign(document.createElement("img"), { id: "no-alt", src: "web/icon.svg" })));
  assert.match((await accessibilityViolations(page)).join("\n"), /image-alt/);
  await page.evaluate(() => document.getElementById("no-alt").remove());
  assert.deepEqual(await accessibilityViolations(page), []);

  // The bell's focus ring stands out from the blue header (WCAG 1.4.11: 3:1).
  await page.keyboard.press("Shift+Tab");
  await page.locator("#bell-button").focus();
  const ring = await page.evaluate(() => {
    const bell = document.getElementById("bell-button");
    const rgb = (s) => s.match(/[\d.]+/g).slice(0, 3).map(Number);
    const lum = (c) => {
      const [r, g, b] = c.map((v) => {
        const x = v / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const style = getComputedStyle(bell);
    const ring = lum(rgb(style.outlineColor));
    const header = lum(rgb(getComputedStyle(document.querySelector(".topbar")).backgroundColor));
    return { visible: bell.matches(":focus-visible") && style.outlineStyle !== "none", ratio: (Math.max(ring, header) + 0.05) / (Math.min(ring, header) + 0.05) };
  });
  assert.ok(ring.visible, "the bell shows its focus");
  assert.ok(ring.ratio >= 3, `the bell's focus ring is ${ring.ratio.toFixed(2)}:1 on the header`);
  await page.context().close();
});

const CANCEL_WORDS = {
  fr: { importTab: "Importer", browse: "Parcourir…", cancel: "Annuler l'envoi", cancelled: /L'envoi de «\sgrand\.zip\s» est annulé\./ },
  en: { importTab: "Import", browse: "Browse…", cancel: "Cancel the upload", cancelled: /The upload of “grand\.zip” is cancelled\./ },
};

for (const lang of ["fr", "en"]) {
  scenario(`an upload can be cancelled, and its progress is spoken at quarters (${lang})`, () => cancelledUpload(lang));
}

async function cancelledUpload(lang) {
  const w = CANCEL_WORDS[lang];
  const token = main.mint(`annule-${lang}`, "Claude Clavier");
  const page = await newPage(lang === "fr" ? "fr-FR" : "en-GB");
  await page.goto(`${main.base}/#token=${token}`);
  await page.getByRole("tab", { name: w.importTab }).click();
  await page.getByRole("button", { name: w.browse }).waitFor({ timeout: WAIT });

  // The speaker of the live region, on a clock of its own: every quarter, or five seconds on.
  const said = await page.evaluate(async () => {
    const { progressSpeaker } = await import(new URL("web/ui.js", document.baseURI));
    const run = (step) => {
      let now = 0;
      const speak = progressSpeaker(5000, () => now);
      const out = [];
      for (let pct = 0; pct <= 100; pct += 1) {
        now += step;
        if (speak(pct)) out.push(pct);
      }
      return out;
    };
    return { fast: run(110), slow: run(400) };
  });
  assert.deepEqual(said.fast, [0, 25, 50, 75, 100]);
  assert.deepEqual(said.slow, [0, 13, 25, 38, 50, 63, 75, 88, 100]);

  // An upload held on its way: « Annuler l'envoi » stops it, and nothing is left behind.
  let held;
  await page.route("**/api/v1/imports", (route) => {
    held = route;
  });
  const zipLike = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), content(200_000, 3)]);
  await page.locator("#import-file").setInputFiles({ name: "grand.zip", mimeType: "application/zip", buffer: zipLike });
  const cancel = page.getByRole("button", { name: w.cancel });
  await cancel.waitFor({ timeout: WAIT });
  await shot(page, lang === "fr" ? "07b-envoi-en-cours" : "07b-envoi-en-cours-en");
  await cancel.click();
  await page.locator("#import-upload").waitFor({ state: "hidden", timeout: WAIT });
  await page.locator("#announcer", { hasText: w.cancelled }).waitFor({ timeout: WAIT });
  assert.equal(await page.evaluate(() => document.activeElement.id), "import-browse");
  assert.ok(await page.locator("#dropzone").isVisible());
  await held?.abort().catch(() => {});
  assert.equal((await main.api(token, "GET", "imports")).total, 0);
  await page.context().close();
}

scenario("in English for an English browser, and on a phone-sized screen", async () => {
  const token = main.mint("phone", "Pat Phone");
  // An export made beforehand, so that the timeline has an entry to say in English.
  const made = await main.api(token, "POST", "exports", JSON.stringify({ name: "Pat's year" }));
  const deadline = Date.now() + WAIT;
  while ((await main.api(token, "GET", `exports/${made.id}`)).status !== "ready") {
    assert.ok(Date.now() < deadline, "the export did not end");
    await new Promise((r) => setTimeout(r, 100));
  }
  const english = await newPage("en-GB");
  await english.goto(`${main.base}/#token=${token}`);
  await english.getByRole("tab", { name: "Import" }).waitFor({ timeout: WAIT });
  assert.ok(await english.getByRole("button", { name: "Prepare my archive", exact: true }).isVisible());
  assert.equal(await english.evaluate(() => document.documentElement.lang), "en");
  await english.locator("#export-list-body tr", { hasText: "Ready" }).waitFor({ timeout: WAIT });
  await english.locator("#bell-button").click();
  await english.getByText("Your export “Pat's year” is ready").waitFor({ timeout: WAIT });
  await english.keyboard.press("Escape");
  assert.equal(await english.evaluate(() => document.activeElement.id), "bell-button", "Escape gives the focus back");
  await shot(english, "11-english");
  await english.context().close();

  for (const lang of ["fr", "en"]) await onAPhone(token, lang);
});

/** The page on a phone, in one language: nothing wider than the screen, the bell inside it. */
async function onAPhone(token, lang) {
  const w = lang === "fr"
    ? { submit: "Préparer mon archive", importTab: "Importer", browse: "Parcourir…" }
    : { submit: "Prepare my archive", importTab: "Import", browse: "Browse…" };
  const stage = (name) => (lang === "fr" ? name : `${name}-en`);
  const phone = await newPage(lang === "fr" ? "fr-FR" : "en-GB", { width: 390, height: 844 });
  await phone.goto(`${main.base}/#token=${token}`);
  await phone.getByRole("button", { name: w.submit, exact: true }).waitFor({ timeout: WAIT });
  const overflow = async () => phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok((await overflow()) <= 0, "nothing wider than the screen");
  await shot(phone, stage("12-telephone-exporter"));
  // The open bell keeps every control on the screen, down to the narrowest phone.
  for (const width of [320, 375, 390]) {
    await phone.setViewportSize({ width, height: 800 });
    await phone.locator("#bell-button").click();
    await phone.locator("#bell-list li").first().waitFor({ timeout: WAIT });
    const outside = await phone.evaluate(() =>
      [...document.querySelectorAll("#bell-panel, #bell-panel button, #bell-panel a")]
        .map((c) => [c.id || c.textContent.trim(), c.getBoundingClientRect()])
        .filter(([, r]) => r.left < 0 || r.right > window.innerWidth)
        .map(([name, r]) => `${name}: ${Math.round(r.left)}–${Math.round(r.right)}`),
    );
    assert.deepEqual(outside, [], `at ${width} px`);
    if (width === 375) await shot(phone, stage("12b-telephone-notifications"));
    await phone.keyboard.press("Escape");
  }
  await phone.getByRole("tab", { name: w.importTab }).click();
  await phone.getByRole("button", { name: w.browse }).waitFor({ timeout: WAIT });
  assert.ok((await overflow()) <= 0, "nothing wider than the screen");
  await shot(phone, stage("13-telephone-importer"));
  assert.deepEqual(phone.problems, []);
  await phone.context().close();
}

/** What the connected-app scenario reads and clicks, in each language of the page. */
const APP_WORDS = {
  fr: {
    goToEnt: "Aller sur mon ENT",
    cahier: /Cahier de textes/,
    cahierInfo: /version 1\.0 · vous pouvez y créer du contenu/,
    unestimated: /Sans compter\s:\sCahier de textes/,
    notify: "M'avertir par e-mail quand c'est prêt",
    email: "Adresse e-mail",
    submit: "Préparer mon archive",
    progress: /Fichiers\s:\s\S+ sur/,
    isReady: /est prêt\./,
    download: "Télécharger",
    kindTable: "Un tableau qui le liste",
    tableEstimate: (n) => `Un tableau d'environ ${n} ligne`,
    rows: (n) => new RegExp(`^${n} ligne`),
    sizeUnknown: "taille connue seulement à l'export",
    format: "Format du tableau",
    name: "Nom de l'export (facultatif)",
    submitTable: "Préparer mon tableau",
    liste: /«\sListe\s»/,
    ready: "Prêt",
    tableRow: /Tableau \.xlsx\s*Cahier de textes, Documents/,
    kindArchive: "Une archive .zip de tout le contenu",
    cancelDraft: "Annuler Brouillon",
    delete: /Supprimer/,
    cancelCurrent: "Annuler la préparation",
    cancelled: "Annulé",
    confirmCancel: /^Arrêter la préparation de «\sBrouillon\s»/,
    deleteDraft: "Supprimer Brouillon",
    importTab: "Importer",
    browse: "Parcourir…",
    cahierRow: /Cahier de textes.*1\.0.*1\.0/,
    launch: "Importer",
    threeFiles: "3 fichiers importés.",
    noRight: /Vous n'avez pas accès à cette application sur votre ENT\s:/,
  },
  en: {
    goToEnt: "Go to my ENT",
    cahier: /Homework book/,
    cahierInfo: /version 1\.0 · you can create content there/,
    unestimated: /Not counting Homework book/,
    notify: "Send me an e-mail when it is ready",
    email: "E-mail address",
    submit: "Prepare my archive",
    progress: /Files:\s\S+ of/,
    isReady: /is ready\./,
    download: "Download",
    kindTable: "A table listing it",
    tableEstimate: (n) => `A table of about ${n} row`,
    rows: (n) => new RegExp(`^${n} row`),
    sizeUnknown: "size known only as it exports",
    format: "Table format",
    name: "Name of the export (optional)",
    submitTable: "Prepare my table",
    liste: /“Liste”/,
    ready: "Ready",
    tableRow: /Table \.xlsx\s*Homework book, Documents/,
    kindArchive: "A .zip archive of all the content",
    cancelDraft: "Cancel Brouillon",
    delete: /Delete/,
    cancelCurrent: "Cancel the preparation",
    cancelled: "Cancelled",
    confirmCancel: /^Stop preparing “Brouillon”/,
    deleteDraft: "Delete Brouillon",
    importTab: "Import",
    browse: "Browse…",
    cahierRow: /Homework book.*1\.0.*1\.0/,
    launch: "Import",
    threeFiles: "3 files imported.",
    noRight: /You do not have access to this app on your school workspace:/,
  },
};

for (const lang of ["fr", "en"]) {
  scenario(`a connected app beside the documents, its progress live, and a table export (${lang})`, () => withConnectedApp(lang));
}

/** Documents and the reference app together, in one language of the page. */
async function withConnectedApp(lang) {
  const w = APP_WORDS[lang];
  const locale = lang === "fr" ? "fr-FR" : "en-GB";
  const stage = (name) => (lang === "fr" ? name : `${name}-en`);
  const userSecret = "browser-test-user-token-secret-0123456789";
  const serviceSecret = "browser-test-service-secret-0123456789ab";
  const cahierPort = await freePort();
  const smtp = await smtpSink();
  const site = await Instance.start("serve-with-cahier", {
    config: `
mode = "production"

[http]
ent_url = "https://ent.example.fr/"

[auth]
hs256_secret = "${userSecret}"

[smtp]
url = "smtp://127.0.0.1:${smtp.port}"
from = "Mes Données <no-reply@ent.test>"

[[apps]]
id = "cahier"
display_name = "Cahier de textes"
display_names = { en = "Homework book" }
version = "1.0"
create_right = "cahier.create"
base_url = "http://127.0.0.1:${cahierPort}/connector"
token_secret = "${serviceSecret}"
object_prefix = "cahier/"
table_fields = [{ field = "subject", label = "Matière" }]
`,
  });
  try {
    // Signed out on a production install: the way back to the ENT, no developers' hints.
    const outside = await newPage(locale);
    await outside.goto(`${site.base}/`);
    const back = outside.getByRole("link", { name: w.goToEnt });
    await back.waitFor({ timeout: WAIT });
    assert.equal(await back.getAttribute("href"), "https://ent.example.fr/");
    assert.equal(await outside.locator("#signed-out-dev").isVisible(), false);
    await shot(outside, stage("01b-sans-jeton-en-production"));
    await outside.context().close();

    // The reference app, slowed down so that the export is seen under way.
    const cahier = `http://127.0.0.1:${cahierPort}`;
    site.spawn(CAHIER_BIN, [
      "--bind", `127.0.0.1:${cahierPort}`,
      "--database", path.join(site.dir, "cahier", "cahier.db"),
      "--storage-url", `file://${path.join(site.dir, "objects")}`,
      "--service-secret", serviceSecret,
      "--user-token-secret", userSecret,
      "--export-pace-ms", "700",
    ]);
    await waitFor("the cahier", async () => (await fetch(`${cahier}/healthz`)).ok, () => site.log);
    const rights = ["workspace.create", "cahier.create"];
    const alice = site.mint("alice", "Alice Martin", { rights });
    const bob = site.mint("bob", "Bob Durand", { rights });
    await upload(site, alice, "cours.txt", Buffer.from("Cours de français\n"));
    const entries = [];
    for (const [title, subject] of [["Rédaction", "Français"], ["Exercices 3 à 7", "Mathématiques"]]) {
      const body = JSON.stringify({ title, subject, due_date: "2026-12-15", content_html: `<p>${title}</p>` });
      entries.push(await call(`${cahier}/api/entries`, alice, "POST", body));
    }
    const form = new FormData();
    const attachment = content(40_000, 7);
    form.append("file", new Blob([attachment]), "énoncé.pdf");
    await call(`${cahier}/api/entries/${entries[1].id}/attachments`, alice, "POST", form);

    // Both apps offered, each with its version and rights.
    const page = await newPage(locale);
    await page.goto(`${site.base}/#token=${alice}`);
    const cahierBox = page.getByRole("checkbox", { name: w.cahier });
    await cahierBox.waitFor({ timeout: WAIT });
    assert.ok(await cahierBox.isChecked());
    assert.match(await page.locator("label[for=export-app-cahier]").textContent(), w.cahierInfo);
    await page.locator("#estimate", { hasText: w.unestimated }).waitFor({ timeout: WAIT });
    // « M'avertir par e-mail »: the address field appears and is required.
    await page.getByLabel(w.notify).check();
    const email = page.getByLabel(w.email);
    await email.fill("alice.martin@ent.test");
    await page.getByRole("button", { name: w.submit, exact: true }).click();

    // Seen while it builds: the progress line, and not yet the end.
    const doneBox = page.locator("#export-current-done");
    let seenRunning = false;
    const deadline = Date.now() + WAIT;
    while (!(await doneBox.locator(".success").count()) && Date.now() < deadline) {
      const text = await page.locator("#export-progress-text").textContent();
      if (w.progress.test(text) && !(await doneBox.textContent()).trim()) {
        if (!seenRunning) await shot(page, stage("03b-export-en-cours-avec-une-appli"));
        seenRunning = true;
      }
      await page.waitForTimeout(100);
    }
    assert.ok(seenRunning, "the progress was shown while the archive was being built");
    assert.match(await doneBox.locator(".success").textContent(), w.isReady);

    // The zip holds the cahier's entries and its attachment, byte for byte.
    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: WAIT }),
      doneBox.getByRole("button", { name: w.download }).click(),
    ]);
    const zipPath = path.join(site.dir, "with-cahier.zip");
    await download.saveAs(zipPath);
    const inZip = zipContents(zipPath);
    const cahierFiles = Object.keys(inZip).filter((n) => n.startsWith("Cahier de textes/"));
    assert.equal(cahierFiles.filter((n) => n.endsWith(".json") && n.includes("/entrees/")).length, 2, cahierFiles.join(", "));
    const pdf = cahierFiles.find((n) => n.endsWith("/énoncé.pdf"));
    assert.ok(pdf, cahierFiles.join(", "));
    assert.equal(inZip[pdf], sha(attachment));

    // The e-mail went to the address given.
    const mailDeadline = Date.now() + WAIT;
    while (smtp.mails.length === 0 && Date.now() < mailDeadline) await page.waitForTimeout(100);
    assert.deepEqual(smtp.mails.map((m) => m.to), [["alice.martin@ent.test"]]);
    assert.match(smtp.mails[0].data, /download/);
    await page.getByLabel(w.notify).uncheck();

    // A table of the same, as xlsx: another kind of export through the same page, estimated
    // as a table, each app's part beside it.
    await page.getByLabel(w.kindTable).check();
    const asTable = await site.api(alice, "GET", "exports/estimate?apps=workspace,cahier&kind=table");
    await page.locator("#estimate", { hasText: w.tableEstimate(asTable.files) }).waitFor({ timeout: WAIT });
    assert.match(await page.locator("#export-app-size-workspace").textContent(), w.rows(asTable.by_app.workspace.files));
    assert.equal(await page.locator("#export-app-size-cahier").textContent(), w.sizeUnknown);
    await page.getByLabel(w.format).selectOption("xlsx");
    await page.getByLabel(w.name).fill("Liste");
    await page.getByRole("button", { name: w.submitTable, exact: true }).click();
    await page.locator("#export-current-done .success", { hasText: w.liste }).waitFor({ timeout: WAIT });
    const [table] = await Promise.all([
      page.waitForEvent("download", { timeout: WAIT }),
      doneBox.getByRole("button", { name: w.download }).click(),
    ]);
    assert.match(table.suggestedFilename(), /Liste\.xlsx$/);
    const tablePath = path.join(site.dir, "liste.xlsx");
    await table.saveAs(tablePath);
    assert.ok("xl/workbook.xml" in zipContents(tablePath), "an xlsx workbook");
    const tableRow = page.locator("#export-list-body tr", { hasText: "Liste" });
    await tableRow.locator(`text=${w.ready}`).waitFor({ timeout: WAIT });
    assert.match(await tableRow.textContent(), w.tableRow);
    // The app's own column is offered beside the common ones, named as its operator declared it.
    assert.equal(await page.getByRole("checkbox", { name: /^Matière/ }).count(), 1);
    await shot(page, stage("04b-archive-et-tableau"), ["Matière"]);

    // An export being built is cancelled, not deleted, and asked about in those words (of the
    // cahier alone, so that it is not the archive just made, reused).
    await page.getByLabel(w.kindArchive).check();
    await page.getByRole("checkbox", { name: /Documents/ }).uncheck();
    await page.getByLabel(w.name).fill("Brouillon");
    await page.getByRole("button", { name: w.submit, exact: true }).click();
    const draft = page.locator("#export-list-body tr", { hasText: "Brouillon" });
    const cancelRow = draft.getByRole("button", { name: w.cancelDraft });
    await cancelRow.waitFor({ timeout: WAIT });
    assert.equal(await draft.getByRole("button", { name: w.delete }).count(), 0);
    assert.ok(await page.getByRole("button", { name: w.cancelCurrent }).isVisible());
    let asked = null;
    page.once("dialog", (d) => {
      asked = d.message();
      d.accept();
    });
    await cancelRow.click();
    await draft.locator(`text=${w.cancelled}`).waitFor({ timeout: WAIT });
    assert.match(asked, w.confirmCancel);
    assert.ok(await draft.getByRole("button", { name: w.deleteDraft }).isVisible());
    assert.deepEqual(page.problems, []);
    await page.context().close();

    // Bob imports both apps; the report has a part for each.
    const bobPage = await newPage(locale);
    await bobPage.goto(`${site.base}/#token=${bob}`);
    await bobPage.getByRole("tab", { name: w.importTab }).click();
    // « Parcourir… » opens the file chooser.
    const [chooser] = await Promise.all([
      bobPage.waitForEvent("filechooser", { timeout: WAIT }),
      bobPage.getByRole("button", { name: w.browse }).click(),
    ]);
    await chooser.setFiles(zipPath);
    const cahierRow = bobPage.locator("#import-apps tr[data-app=cahier]");
    await cahierRow.waitFor({ timeout: WAIT });
    assert.equal(await cahierRow.getAttribute("data-verdict"), "importable");
    assert.match(await cahierRow.textContent(), w.cahierRow);
    await shot(bobPage, stage("08b-analyse-avec-une-appli"));
    await bobPage.getByRole("button", { name: w.launch, exact: true }).click();
    const cahierReport = bobPage.locator("#import-report .report[data-app=cahier]");
    await cahierReport.waitFor({ timeout: WAIT });
    const imports = await site.api(bob, "GET", "imports");
    const byApi = imports.items[0].report.apps;
    for (const app of ["workspace", "cahier"]) {
      const part = bobPage.locator(`#import-report .report[data-app=${app}]`);
      assert.equal((await part.locator("[data-count=files]").textContent()).trim(), String(byApi[app].files_imported), app);
      assert.equal((await part.locator("[data-count=errors]").textContent()).trim(), "0", app);
    }
    assert.equal(byApi.cahier.files_imported, 3, JSON.stringify(byApi.cahier));
    // A connected app makes no folder: « 3 fichiers importés. », no « 0 dossier ».
    assert.equal((await cahierReport.locator(".created").textContent()).trim(), w.threeFiles);
    assert.equal(await cahierReport.locator("[data-count=folders]").count(), 0);
    const folderName = (await bobPage.locator("#import-report .report[data-app=workspace]").textContent()).match(WORDS[lang].folder)?.[1];
    await shot(bobPage, stage("09b-rapport-avec-une-appli"), [folderName]);
    const bobsEntries = await call(`${cahier}/api/entries`, bob, "GET");
    const list = bobsEntries.items ?? bobsEntries;
    assert.deepEqual(list.map((e) => e.title).sort(), ["Exercices 3 à 7", "Rédaction"]);
    const copied = list.find((e) => e.title === "Exercices 3 à 7").attachments[0];
    assert.equal(copied.sha256, sha(attachment));
    assert.deepEqual(bobPage.problems, []);
    await bobPage.context().close();

    // Without the cahier's create right, that app is refused with a sentence, and cannot be ticked.
    const chloe = site.mint("chloe", "Chloé Sans Droit", { rights: ["workspace.create"] });
    const chloePage = await newPage(locale);
    await chloePage.goto(`${site.base}/#token=${chloe}`);
    await chloePage.getByRole("tab", { name: w.importTab }).click();
    await chloePage.locator("#import-file").setInputFiles(zipPath);
    const refused = chloePage.locator("#import-apps tr[data-app=cahier]");
    await refused.waitFor({ timeout: WAIT });
    assert.equal(await refused.getAttribute("data-verdict"), "not_importable");
    assert.match(await refused.textContent(), w.noRight);
    assert.equal(await refused.getByRole("checkbox").count(), 0);
    assert.equal(await chloePage.locator("#import-apps tr[data-app=workspace]").getByRole("checkbox").count(), 1);
    await shot(chloePage, stage("08c-analyse-sans-le-droit"));
    assert.deepEqual(chloePage.problems, []);
    await chloePage.context().close();
  } finally {
    await site.stop();
    smtp.close();
  }
}

/** What the templates and columns scenario reads and clicks, in each language of the page. */
const TEMPLATE_WORDS = {
  fr: {
    empty: /^Aucun modèle/,
    images: "Images",
    kindTable: "Un tableau qui le liste",
    sha256: "Empreinte SHA-256",
    owner: "Propriétaire",
    save: "Enregistrer ce choix comme modèle",
    askName: "Nom du modèle\u00a0:",
    taken: "Vous avez déjà un modèle qui porte ce nom. Choisissez un autre nom.",
    tooMany: /nombre d'éléments permis/,
    use: "Remplir avec ce modèle",
    rename: "Renommer",
    delete: "Supprimer",
    confirmDelete: /^Supprimer le modèle «\sMon année\s»/,
    noColumn: "Choisissez au moins une colonne.",
    submitTable: "Préparer mon tableau",
    download: "Télécharger",
    tableEstimate: (n) => `Un tableau d'environ ${n} ligne`,
  },
  en: {
    empty: /^No template yet/,
    images: "Images",
    kindTable: "A table listing it",
    sha256: "SHA-256 checksum",
    owner: "Owner",
    save: "Save this choice as a template",
    askName: "Name of the template:",
    taken: "You already have a template with this name. Choose another name.",
    tooMany: /number of items allowed/,
    use: "Fill in with this template",
    rename: "Rename",
    delete: "Delete",
    confirmDelete: /^Delete the template “Mon année”/,
    noColumn: "Choose at least one column.",
    submitTable: "Prepare my table",
    download: "Download",
    tableEstimate: (n) => `A table of about ${n} row`,
  },
};

/** Answers the next prompt or confirmation with `answer`, keeping its question. */
function answerNext(page, answer) {
  const asked = {};
  page.once("dialog", (d) => {
    asked.question = d.message();
    d.accept(answer);
  });
  return asked;
}

for (const lang of ["fr", "en"]) {
  scenario(`saved templates fill the form, and a table's columns are chosen (${lang})`, () => templatesAndColumns(lang));
}

async function templatesAndColumns(lang) {
  const w = TEMPLATE_WORDS[lang];
  const locale = lang === "fr" ? "fr-FR" : "en-GB";
  const stage = (name) => (lang === "fr" ? name : `${name}-en`);
  const alice = main.mint(`modeles-${lang}`, "Alice Martin");
  await upload(main, alice, "résumé.txt", Buffer.from("Résumé\n"));
  await upload(main, alice, "photo.png", content(2_000, 2));
  const page = await newPage(locale);
  await page.goto(`${main.base}/#token=${alice}`);
  const empty = page.locator("#templates-empty");
  await empty.waitFor({ timeout: WAIT });
  assert.match(await empty.textContent(), w.empty);

  // A choice: images only, as a table without two of its columns, saved under a name asked for.
  await page.getByRole("checkbox", { name: w.images }).check();
  await page.getByLabel(w.kindTable).check();
  await page.getByRole("checkbox", { name: w.sha256 }).uncheck();
  await page.getByRole("checkbox", { name: w.owner }).uncheck();
  let asked = answerNext(page, "Pat's year");
  await page.getByRole("button", { name: w.save }).click();
  await page.locator("#template-select option", { hasText: "Pat's year" }).waitFor({ state: "attached", timeout: WAIT });
  assert.equal(asked.question, w.askName);
  const [saved] = (await main.api(alice, "GET", "export-templates")).items;
  assert.equal(saved.name, "Pat's year");
  assert.deepEqual(saved.apps, ["workspace"]);
  assert.deepEqual(saved.filters.formats, ["image"]);
  assert.equal(saved.kind, "table");
  const columns = ["name", "path", "app", "type", "size", "shared_by", "created", "modified"];
  assert.deepEqual(saved.table.fields, columns);
  await shot(page, stage("11-modeles"), ["Pat's year"], { documented: false });

  // The same name again: refused beside the button, in the words of its code, focused.
  answerNext(page, "Pat's year");
  const saveButton = page.locator("#template-save");
  await saveButton.click();
  const beside = page.locator("#template-save + .error");
  await beside.waitFor({ timeout: WAIT });
  assert.equal((await beside.locator("strong").textContent()).trim(), w.taken);
  // The user's own mistake: no reference to hand to the school, which is for failures of ours.
  assert.equal(await beside.locator(".request-id").count(), 0);
  assert.equal(await beside.evaluate((box) => box === document.activeElement), true);
  await shot(page, stage("11-modele-nom-pris"), ["Pat's year"]);

  // A fresh form, filled from the template: what it holds, and the estimate of it.
  await page.reload();
  await page.locator("#template-select option", { hasText: "Pat's year" }).waitFor({ state: "attached", timeout: WAIT });
  assert.equal(await page.getByRole("checkbox", { name: w.images }).isChecked(), false);
  await page.getByRole("button", { name: w.use }).click();
  assert.ok(await page.getByLabel(w.kindTable).isChecked());
  assert.ok(await page.getByRole("checkbox", { name: w.images }).isChecked());
  assert.equal(await page.getByRole("checkbox", { name: w.sha256 }).isChecked(), false);
  assert.ok(await page.locator("#export-columns-row").isVisible());
  const images = await main.api(alice, "GET", "exports/estimate?apps=workspace&kind=table&formats=image");
  await page.locator("#estimate", { hasText: w.tableEstimate(images.files) }).waitFor({ timeout: WAIT });

  // Renamed through the page: the list and the API say the new name.
  answerNext(page, "Mon année");
  await page.getByRole("button", { name: w.rename }).click();
  await page.locator("#template-select option", { hasText: "Mon année" }).waitFor({ state: "attached", timeout: WAIT });
  const [renamed] = (await main.api(alice, "GET", "export-templates")).items;
  assert.equal(renamed.name, "Mon année");
  assert.deepEqual(renamed.table.fields, columns);

  // No column at all is refused before anything is sent.
  const all = page.locator('#export-columns input[name="columns"]');
  const ticked = await all.evaluateAll((inputs) => inputs.filter((i) => i.checked).map((i) => i.value));
  for (const value of ticked) await page.locator(`#export-column-${value}`).uncheck();
  await page.getByRole("button", { name: w.submitTable, exact: true }).click();
  assert.equal((await page.locator("#export-error").textContent()).trim(), w.noColumn);
  for (const value of ticked) await page.locator(`#export-column-${value}`).check();

  // The table made from it has those columns, in that order, and no others.
  await page.getByRole("button", { name: w.submitTable, exact: true }).click();
  const [file] = await Promise.all([
    page.waitForEvent("download", { timeout: WAIT }),
    page.locator("#export-current-done").getByRole("button", { name: w.download }).click(),
  ]);
  const csvPath = path.join(main.dir, `colonnes-${lang}.csv`);
  await file.saveAs(csvPath);
  const header = readFileSync(csvPath, "utf8").replace(/^\uFEFF/, "").split(/\r?\n/)[0];
  const separator = header.includes(";") ? ";" : ",";
  assert.equal(header.split(separator).length, columns.length, header);

  // The per-user limit: refused beside the button in the words of its code.
  const count = (await main.api(alice, "GET", "export-templates")).total;
  for (let i = count; i < 100; i += 1) {
    await main.api(alice, "POST", "export-templates", JSON.stringify({ name: `Liste ${i}` }));
  }
  answerNext(page, "Cours d'été");
  await saveButton.click();
  await beside.waitFor({ timeout: WAIT });
  assert.match(await beside.textContent(), w.tooMany);

  // Deleted after a question in the page's words: gone from the list and from the service.
  await page.locator("#template-select").selectOption({ label: "Mon année" });
  asked = answerNext(page);
  await page.getByRole("button", { name: w.delete, exact: true }).click();
  await page.locator("#template-select option", { hasText: "Mon année" }).waitFor({ state: "detached", timeout: WAIT });
  assert.match(asked.question, w.confirmDelete);
  const left = await main.api(alice, "GET", "export-templates?per_page=100");
  assert.equal(left.total, 99);
  assert.ok(left.items.every((item) => item.name !== "Mon année"));
  assert.deepEqual(page.problems, []);
}

/** Polls the API until `check` holds of what `route` answers. */
async function until(instance, token, route, check) {
  const deadline = Date.now() + WAIT;
  for (;;) {
    const value = await instance.api(token, "GET", route);
    if (check(value)) return value;
    assert.ok(Date.now() < deadline, `${route}: ${JSON.stringify(value)}\n${instance.log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

scenario("the notification of an expired export says so instead of offering the download", async () => {
  // Cleaned up every second; a ready archive lasts an hour at least, so its end is moved to the
  // past in the database, as the passing of its retention would.
  const site = await Instance.start("serve-expiry", { config: "[exports]\ncleanup_interval_secs = 1\n" });
  try {
    const alice = site.mint("alice-expire", "Alice Martin");
    await upload(site, alice, "résumé.txt", Buffer.from("Résumé\n"));
    const made = await site.api(alice, "POST", "exports", JSON.stringify({ apps: ["workspace"], name: "Mon année" }));
    await until(site, alice, `exports/${made.id}`, (e) => e.status === "ready");
    const script = "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1], timeout=10)\nc.execute(\"UPDATE exports SET expires_at = '2000-01-01 00:00:00' WHERE id = ?\", (sys.argv[2],))\nc.commit()";
    execFileSync("python3", ["-c", script, path.join(site.dir, "mesdonnees.db"), made.id]);
    await until(site, alice, `exports/${made.id}`, (e) => e.status === "expired");

    for (const [locale, stage, expired, download] of [
      ["fr-FR", "06c-notification-export-expire", /^Cet export a expiré\u00a0: il ne peut plus être téléchargé/, "Télécharger"],
      ["en-GB", "06c-notification-export-expire-en", /^This export has expired: it can no longer be downloaded/, "Download"],
    ]) {
      const page = await newPage(locale);
      // Opened once in French, the notification is read by the time the English page opens:
      // the list's answer, not the count, says the bell is loaded.
      const listed = page.waitForResponse((r) => r.url().includes("/api/v1/notifications?"), { timeout: WAIT });
      await page.goto(`${site.base}/#token=${alice}`);
      await listed;
      await page.locator("#bell-button").waitFor({ timeout: WAIT });
      await page.locator("#bell-button").click();
      const entry = page.locator("#bell-list li[data-kind=export_ready]");
      const state = entry.locator(".state");
      await state.waitFor({ timeout: WAIT });
      assert.match((await state.textContent()).trim(), expired);
      assert.equal(await entry.getByRole("button", { name: download }).count(), 0);
      // The deleted export's notification, pictured, looks the same but for its sentence.
      await shot(page, stage, [], { documented: false });
      assert.deepEqual(page.problems, []);
      await page.context().close();
    }
  } finally {
    await site.stop();
  }
});
