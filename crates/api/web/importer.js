// The « Importer » tab: drop or pick a zip, watch it upload, read the analysis, tick the apps to
// import, follow the import and read its report. A file is checked to start as a zip before it
// is sent, so a wrong one is refused at once rather than after the whole upload; the upload's
// progress is spoken only at each quarter or every few seconds, not at every event.

import { t, failure, formatBytes, formatDate, formatNumber } from "./i18n.js";
import { el, fill, $, show, showError, clearError, announce, setProgress, setJobProgress, percent, progressSpeaker, poll } from "./ui.js";
import { appName } from "./exporter.js";
import { createLibrary } from "./library.js";

const ANALYSING = new Set(["uploaded", "analysing"]);
const IMPORTING = new Set(["queued", "running"]);
/** The first bytes of a zip: a local file header, or the end record of an empty archive. */
const ZIP_SIGNATURES = [[0x50, 0x4b, 0x03, 0x04], [0x50, 0x4b, 0x05, 0x06]];

/** Whether the file starts as a zip does. */
export async function looksLikeZip(file) {
  const head = new Uint8Array(await file.slice(0, 4).arrayBuffer());
  return ZIP_SIGNATURES.some((sig) => sig.every((b, i) => head[i] === b));
}

export function createImporter(api, { apps, onFinished }) {
  const byId = new Map(apps.map((a) => [a.id, a]));
  const drop = $("dropzone");
  const input = $("import-file");
  let stopPolling = () => {};
  let busy = false;
  let cancelUpload = null;

  $("import-browse").addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    if (input.files.length > 0) send(input.files[0]);
    input.value = "";
  });
  for (const type of ["dragenter", "dragover"]) {
    drop.addEventListener(type, (e) => {
      e.preventDefault();
      drop.classList.add("over");
    });
  }
  for (const type of ["dragleave", "dragend"]) drop.addEventListener(type, () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const file = e.dataTransfer?.files?.[0];
    if (file) send(file);
  });
  $("import-launch").addEventListener("click", launch);
  $("upload-cancel").addEventListener("click", () => cancelUpload?.());
  $("import-another").addEventListener("click", reset);
  const library = createLibrary(api, { onPick: fromDocument });

  function reset() {
    stopPolling();
    busy = false;
    for (const id of ["import-upload", "import-analysis", "import-running", "import-report", "import-another"]) show($(id), false);
    clearError($("import-error"));
    show(drop, true);
    show($("import-from-documents"), true);
    $("import-browse").focus();
  }

  /** A refusal of the file, naming it, in the box under the drop zone, focused. */
  function refuse(file, error) {
    showError($("import-error"), error, (reason) => t("import.fileRefused", { name: file.name, reason }));
    $("import-error").focus();
  }

  async function send(file) {
    if (busy) return;
    busy = true;
    clearError($("import-error"));
    for (const id of ["import-analysis", "import-running", "import-report", "import-another"]) show($(id), false);
    if (!(await looksLikeZip(file))) {
      busy = false;
      refuse(file, { problem: { code: "not_a_zip" } });
      return;
    }
    show($("import-upload"), true);
    const bar = $("upload-progress");
    const text = $("upload-text");
    const spoken = $("upload-spoken");
    const speak = progressSpeaker();
    const update = (done, total) => {
      setProgress(bar, text, done, total, t("import.uploading", { name: file.name, done: formatBytes(done), total: formatBytes(total) }));
      const pct = percent(done, total);
      if (speak(pct)) spoken.textContent = t("import.uploadedPercent", { name: file.name, percent: pct });
    };
    update(0, file.size);
    const abort = new AbortController();
    cancelUpload = () => abort.abort();
    show($("upload-cancel"), true);
    try {
      const created = await api.upload("imports", file, update, abort.signal);
      update(file.size, file.size);
      follow(created);
    } catch (error) {
      busy = false;
      show($("import-upload"), false);
      if (error?.aborted) {
        announce(t("import.uploadCancelled", { name: file.name }));
        $("import-browse").focus();
      } else {
        refuse(file, error);
      }
    } finally {
      cancelUpload = null;
      show($("upload-cancel"), false);
    }
  }

  /** Imports an archive of the user's documents, read where it is: nothing is uploaded. A
   * refusal rejects, for the list to show beside the archive. */
  async function fromDocument(doc) {
    if (busy) return;
    busy = true;
    clearError($("import-error"));
    for (const id of ["import-analysis", "import-running", "import-report", "import-another"]) show($(id), false);
    try {
      follow(await api.post("imports", { document_id: doc.id }));
    } catch (error) {
      busy = false;
      throw error;
    }
  }

  /** Follows an import from wherever it stands until the next step needs the user. */
  function follow(imp) {
    stopPolling();
    library.close();
    show(drop, false);
    show($("import-from-documents"), false);
    render(imp);
    stopPolling = poll(
      () => api.get(`imports/${imp.id}`),
      (value, error) => {
        if (error) showError($("import-error"), error);
        else render(value);
      },
      (value) => !ANALYSING.has(value.status) && !IMPORTING.has(value.status),
    );
  }

  let shown = null;
  function render(imp) {
    const step = ANALYSING.has(imp.status)
      ? "analysing"
      : imp.status === "analysed"
        ? "analysed"
        : IMPORTING.has(imp.status)
          ? "importing"
          : "ended";
    if (step === "analysing") {
      show($("import-upload"), true);
      $("upload-progress").removeAttribute("value");
      $("upload-text").textContent = t("import.analysing");
    }
    if (step === "analysed" && shown !== `${imp.id}:analysed`) {
      show($("import-upload"), false);
      renderAnalysis(imp);
    }
    if (step === "importing") renderRunning(imp);
    if (step === "ended" && shown !== `${imp.id}:ended`) {
      show($("import-upload"), false);
      show($("import-analysis"), false);
      renderEnded(imp);
      busy = false;
    }
    shown = `${imp.id}:${step}`;
  }

  let current = null;
  function renderAnalysis(imp) {
    current = imp;
    const a = imp.analysis;
    $("import-summary").textContent = t("import.summary", {
      date: formatDate(a.created_at),
      owner: a.owner.name || a.owner.id,
      count: a.entries,
      size: formatBytes(a.bytes),
    });
    const notes = [t(`signature.${a.signature.status}`, { instance: a.signature.instance ?? a.source.instance }), ...a.warnings.map((w) => failure(w.code))];
    fill($("import-warnings"), ...notes.map((n) => el("li", {}, n)));
    fill($("import-apps"), ...a.apps.map(renderAppRow));
    const importable = a.apps.filter((app) => app.verdict === "importable");
    show($("import-none"), importable.length === 0);
    $("import-launch").disabled = importable.length === 0;
    show($("import-analysis"), true);
    show($("import-another"), true);
    $("import-analysis-title").focus();
    announce($("import-summary").textContent);
  }

  function renderAppRow(app) {
    // An app known here is named as here, in the page's language; the archive's name (in the
    // language of the instance that made it) only for an app this instance does not have.
    const name = byId.has(app.id) ? appName(byId.get(app.id), app.id) : app.display_name ?? app.id;
    const importable = app.verdict === "importable";
    const verdict = importable ? t("import.importable") : failure(app.reason);
    return el(
      "tr",
      { dataset: { app: app.id, verdict: app.verdict } },
      el(
        "td",
        { class: "choose", "data-label": t("import.col.choose") },
        importable
          ? el("input", { type: "checkbox", name: "import-app", value: app.id, checked: true, "aria-label": t("import.chooseApp", { app: name }) })
          : null,
      ),
      el("th", { scope: "row", "data-label": t("import.col.app") }, name),
      el("td", { "data-label": t("import.col.archiveVersion") }, app.archive_version ?? app.module?.version ?? "—"),
      el("td", { "data-label": t("import.col.currentVersion") }, app.current_version ?? "—"),
      el(
        "td",
        { "data-label": t("import.col.verdict") },
        el("span", { class: importable ? "verdict ok" : "verdict no" }, verdict),
        app.incomplete ? el("div", { class: "warning" }, t("import.incomplete", { reason: failure(app.incomplete.code) })) : null,
      ),
      el("td", { "data-label": t("import.col.size") }, `${formatBytes(app.bytes)} · ${t("entries", { count: app.entries })}`),
    );
  }

  async function launch() {
    const errorBox = $("import-launch-error");
    clearError(errorBox);
    const chosen = [...document.querySelectorAll('input[name="import-app"]:checked')].map((i) => i.value);
    if (chosen.length === 0) {
      showError(errorBox, { problem: { title: t("import.noneChosen") } });
      errorBox.focus();
      return;
    }
    const button = $("import-launch");
    button.disabled = true;
    try {
      const launched = await api.post(`imports/${current.id}/launch`, { apps: chosen });
      show($("import-analysis"), false);
      follow(launched);
    } catch (error) {
      showError(errorBox, error);
      errorBox.focus();
    } finally {
      button.disabled = false;
    }
  }

  function renderRunning(imp) {
    show($("import-analysis"), false);
    show($("import-running"), true);
    const p = imp.progress;
    const text =
      imp.status === "queued"
        ? t("import.queued")
        : t("import.running", {
            files: formatNumber(p.files_done),
            filesTotal: formatNumber(Math.max(p.files_total, p.files_done)),
            bytes: formatBytes(p.bytes_done),
            bytesTotal: formatBytes(Math.max(p.bytes_total, p.bytes_done)),
          });
    setJobProgress($("import-progress"), $("import-progress-text"), p, text);
  }

  function renderEnded(imp) {
    show($("import-running"), false);
    const box = $("import-report");
    if (imp.status === "failed") {
      const message = t("import.failed", { reason: failure(imp.error?.code) });
      fill(box, el("h2", { tabindex: "-1" }, t("import.report")), el("p", { class: "error", role: "alert" }, message));
    } else {
      const reports = Object.entries(imp.report?.apps ?? {});
      fill(box, 
        el("h2", { tabindex: "-1" }, t("import.report")),
        ...reports.map(([id, report]) => renderReport(id, report)),
      );
    }
    show(box, true);
    show($("import-another"), true);
    box.querySelector("h2").focus();
    announce(box.textContent.slice(0, 200));
    onFinished();
  }

  function renderReport(id, r) {
    const name = appName(byId.get(id), id);
    // Files and folders apart: the analysis counted files, and the report says the same.
    const counts = [
      ["files", r.files_imported ?? 0],
      ["folders", r.folders_created ?? 0],
      ["renamed", r.renamed],
      ["skipped", r.skipped],
      ["errors", r.failed],
    ];
    return el(
      "section",
      { class: "report", dataset: { app: id } },
      el("h3", {}, name),
      r.folder ? el("p", {}, t("import.folder", { folder: r.folder })) : null,
      el("p", { class: "created" }, createdLine(r)),
      r.error ? el("p", { class: "error" }, t("import.appError", { reason: failure(r.error.code) })) : null,
      el(
        "dl",
        { class: "counts" },
        counts.filter(([key, value]) => key !== "folders" || value > 0).map(([key, value]) =>
          el(
            "div",
            {},
            el("dt", {}, t(`import.${key}`, { count: value })),
            el("dd", { dataset: { count: key }, class: key === "errors" && value > 0 ? "bad" : null }, formatNumber(value)),
          ),
        ),
      ),
      r.errors.length > 0
        ? el(
            "details",
            { open: true },
            el("summary", {}, t("import.errorList")),
            el("ul", { class: "errors" }, r.errors.map((e) => el("li", {}, el("code", {}, e.path), " — ", failure(e.code)))),
          )
        : null,
    );
  }

  /** « 31 fichiers importés, 4 dossiers créés. » (folders only when some were made). */
  function createdLine(r) {
    const parts = [t("import.filesLine", { count: r.files_imported ?? 0 })];
    if (r.folders_created > 0) parts.push(t("import.foldersLine", { count: r.folders_created }));
    return `${parts.join(", ")}.`;
  }

  /** At load, or from a notification: an import to show. */
  async function open(id) {
    try {
      const imp = await api.get(`imports/${id}`);
      busy = ANALYSING.has(imp.status) || IMPORTING.has(imp.status) || imp.status === "analysed";
      shown = null;
      follow(imp);
    } catch (error) {
      showError($("import-error"), error);
    }
  }

  /** At load: an import left half-way (still analysing, waiting for a choice, or running). */
  async function start() {
    try {
      const page = await api.get("imports?per_page=1");
      const last = page.items[0];
      if (last && (ANALYSING.has(last.status) || IMPORTING.has(last.status) || last.status === "analysed")) open(last.id);
    } catch (error) {
      showError($("import-error"), error);
    }
  }

  return { start, open };
}
