// An export written in parts (`part_size_bytes`): one download button per published part,
// « Partie 1 sur 3 (100 Mo) », a part still being written said as waiting (never a link that
// answers nothing), and the total of them all. The export's own size is its first part's, so the
// total is added up here. Each part downloads by a signed link of its own, which exists as soon
// as the part is published, while the later ones are still being written.

import { t, formatBytes } from "./i18n.js";
import { el } from "./ui.js";

/** Whether the export comes in parts. */
export function inParts(exp) {
  return exp.kind === "archive" && exp.part_size_bytes != null;
}

/** Whether its parts can be listed: while they are written, and once all are. */
export function partsShown(exp) {
  return inParts(exp) && (exp.status === "running" || exp.status === "ready");
}

/** The parts published so far, and how many there will be. */
export function loadParts(api, exp) {
  return api.get(`exports/${exp.id}/parts`);
}

/** The size of every part together, once all are published; `null` before. */
export function wholeSize(view) {
  if (view.parts_total === 0 || view.items.length < view.parts_total) return null;
  return view.items.reduce((sum, part) => sum + part.size, 0);
}

/** The parts' buttons in a group named after the export, and the total; `onDownload(button,
 * part)` starts a part's download. */
export function partsGroup(exp, view, onDownload) {
  const total = view.parts_total;
  const published = new Map(view.items.map((p) => [p.part, p]));
  const items = [];
  for (let n = 1; n <= total; n += 1) {
    const part = published.get(n);
    if (part) {
      const words = t("parts.one", { part: n, total, size: formatBytes(part.size) });
      const button = el("button", { type: "button", class: "part", dataset: { part: n } }, words);
      button.addEventListener("click", () => onDownload(button, n));
      items.push(el("li", {}, button));
    } else {
      items.push(el("li", { class: "part-waiting muted", dataset: { part: n } }, t("parts.waiting", { part: n, total })));
    }
  }
  const whole = wholeSize(view);
  const sum = view.items.reduce((s, part) => s + part.size, 0);
  const summary = whole === null
    ? t("parts.sofar", { count: view.items.length, total, size: formatBytes(sum) })
    : t("parts.total", { count: total, size: formatBytes(whole) });
  return el(
    "div",
    { class: "parts", role: "group", "aria-label": t("parts.label", { name: exp.name, count: total }) },
    total > 0 ? el("ul", { class: "parts-list" }, items) : null,
    el("p", { class: "parts-total" }, total > 0 ? summary : t("parts.planning")),
  );
}

/** Starts the download of one published part by a signed link; rejects when it cannot. */
export async function downloadPart(api, exp, part) {
  const link = await api.post(`exports/${exp.id}/parts/${part}/link`);
  const a = el("a", { href: link.url, download: "" });
  document.body.append(a);
  a.click();
  a.remove();
}
