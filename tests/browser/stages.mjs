// What every browser scenario checks of a stage before picturing it: no stray value in the
// text, the text in the page's language and properly written (no sentence of the other
// language, no bracketed plural, French spacing), and no accessibility violation by axe-core.
// Screenshots go to SCREENSHOT_DIR (default: target/screenshots at the repository's root); with
// SCREENSHOTS_DIR set (e.g. docs/screenshots), every French stage is also pictured there at 1280
// and 375 px wide, in a folder per width.

import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(root, process.env.CARGO_TARGET_DIR) : path.join(root, "target");
export const SHOTS = process.env.SCREENSHOT_DIR ?? path.join(targetDir, "screenshots");
const DOC_SHOTS = process.env.SCREENSHOTS_DIR ? path.resolve(root, process.env.SCREENSHOTS_DIR) : null;
const DOC_WIDTHS = [1280, 375];
const DOC_MAX_HEIGHT = 1400;

/** axe-core, the accessibility checker, run on every stage (pinned in package-lock.json). */
const AXE = readFileSync(path.join(here, "node_modules", "axe-core", "axe.min.js"), "utf8");
const AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

/** What users named (people, files, exports, apps): their words, not the page's. */
const USER_WORDS = [
  "Alice Martin", "Bob Durand", "Pat Phone", "Claude Clavier", "Chloé", "Mon année", "Pat's year", "Cours d'été",
  "résumé.txt", "Cahier de textes", "Homework book", "Liste",
];

/** English and French words that are each the other language's sentence glue. */
const ENGLISH = /\b(the|and|your|you|please|with|not|is|are|was|has|been|this|that|failed|cannot|error|errors|file|files|download|ready|try|again|of|to)\b/i;
const FRENCH = /\b(le|la|les|des|du|une|et|est|vous|votre|vos|pour|avec|dans|sur|fichiers?|données|erreurs?|prête?s?)\b|[àâçéèêëîïôùûœ]/i;

/** The language faults of a stage's text: a sentence of the other language, a bracketed
 * plural, and in French a breaking space (or none) before « : ; ! ? » or inside « ». `names` are
 * names the stage shows that are data, not the page's words (a folder the service named). */
export function languageFaults(text, lang, names = []) {
  let scanned = text;
  for (const words of [...USER_WORDS, ...names]) scanned = scanned.replaceAll(words, " ");
  const faults = [];
  const lines = scanned.split("\n").map((l) => l.trim()).filter(Boolean);
  for (const line of lines) {
    if (/\((s|x|es|e)\)/i.test(line)) faults.push(`bracketed plural: ${line}`);
    if (lang === "fr") {
      if (ENGLISH.test(line)) faults.push(`English in the French page: ${line}`);
      if (/[^\u00a0\u202f][:;!?»]/u.test(line.replace(/\d\d:\d\d|https?:\/\//g, ""))) faults.push(`no non-breaking space before a sign: ${line}`);
      if (/«[^\u00a0\u202f]/u.test(line)) faults.push(`no non-breaking space after «: ${line}`);
    } else if (FRENCH.test(line)) {
      faults.push(`French in the English page: ${line}`);
    }
  }
  return faults;
}

/** What axe-core finds on the page as it stands, one line per failing node. The checker is
 * evaluated through the debugging protocol, which the page's `'self'`-only policy does not see. */
export async function accessibilityViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE);
  const violations = await page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`) }));
  }, AXE_RULES);
  return violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.help}) at ${n}`));
}

/** Saves the stage's picture, after checking that no stray value leaked into the text, that
 * the text is in the page's language, properly written, and that axe-core finds nothing. A stage
 * that differs little from a pictured one is left out of the documentation (`documented`),
 * which keeps that folder small; a stage about one part of a long page is pictured there from
 * that part down (`from`, a selector). */
export async function shot(page, name, names = [], { documented = true, from = null } = {}) {
  const text = await page.locator("body").innerText();
  assert.doesNotMatch(text, /\b(null|undefined|NaN)\b|\[object /, `${name}: ${text}`);
  const lang = await page.evaluate(() => document.documentElement.lang);
  assert.deepEqual(languageFaults(text, lang, names), [], `${name} (${lang})`);
  const violations = await accessibilityViolations(page);
  assert.deepEqual(violations, [], `${name}: accessibility violations:\n${violations.join("\n")}`);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  if (DOC_SHOTS && documented && lang === "fr") await documentationShots(page, name, from);
}

/** The stage at each width of the documentation, the page given back at its own size after.
 * The phone scenario's stages are already among them at 375 px; a picture stops at
 * DOC_MAX_HEIGHT, which keeps the folder small (a phone page of cards runs long). */
async function documentationShots(page, name, from) {
  const viewport = page.viewportSize();
  if (viewport.width <= 400) return;
  for (const width of DOC_WIDTHS) {
    await page.setViewportSize({ width, height: viewport.height });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
    const dir = path.join(DOC_SHOTS, String(width));
    mkdirSync(dir, { recursive: true });
    const [top, full] = await page.evaluate((selector) => {
      const part = selector ? document.querySelector(selector) : null;
      const y = part ? Math.max(0, part.getBoundingClientRect().top + window.scrollY - 16) : 0;
      return [Math.floor(y), document.documentElement.scrollHeight];
    }, from);
    const height = Math.min(DOC_MAX_HEIGHT, full - top);
    await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true, clip: { x: 0, y: top, width, height } });
  }
  await page.setViewportSize(viewport);
}
