// The « Exporter » tab: choose apps, see the size, ask for the archive, follow it while it is
// built, and manage the list of one's exports. An error is shown beside what was acted on (the
// row, the button, the notification) and takes the focus; the list re-renders while exports
// run, so a row's error is kept by export id and drawn again with the row.

import { t, failure, lang, formatBytes, formatDate, formatNumber, quoted } from "./i18n.js";
import { el, fill, $, show, showError, clearError, errorBeside, announce, setProgress, setJobProgress, pastTotals, percent, poll, localDay } from "./ui.js";
import { createTemplates } from "./templates.js";
import { createFolderChooser } from "./folders.js";
import { createSchedules } from "./schedules.js";
import { inParts, partsShown, loadParts, wholeSize, partsGroup, downloadPart } from "./parts.js";

const TERMINAL = new Set(["ready", "failed", "expired", "cancelled"]);
const PREVIEW_MAX_PAGES = 10;
const PREVIEW_PAGE = 200;
/** The format families the API filters by (`filters.formats`). */
const FORMAT_FAMILIES = ["image", "video", "audio", "text", "pdf", "office", "archive", "other"];
/** The documents space: the app whose folders an export may choose, and where an export may be
 * delivered. */
const WORKSPACE = "workspace";
/** A table's common columns, in the API's order (`table.fields`); an app's own come after. */
const COMMON_COLUMNS = ["name", "path", "app", "type", "size", "sha256", "owner", "shared_by", "created", "modified"];

export function appName(app, id) {
  if (!app) return id;
  return app.display_names?.[lang] ?? app.display_name ?? id;
}

export function createExporter(api, { apps, me, onFinished }) {
  const form = $("export-form");
  const list = $("export-list-body");
  let stopFollowing = () => {};
  let followed = null;
  let stopListPolling = () => {};
  let estimateTimer = null;
  let estimateSeq = 0;
  const byId = new Map(apps.map((a) => [a.id, a]));
  /** Export id → the error of the last action on its row. */
  const rowErrors = new Map();
  /** The row index to focus once the list is drawn again (after a deletion). */
  let focusRow = null;
  /** Export id → the parts of a ready export in parts, which no longer change. */
  const readyParts = new Map();

  renderApps();
  renderFormats();
  renderColumns();
  const hasDocuments = apps.some((a) => a.id === WORKSPACE && a.exportable);
  show($("export-folders-row"), hasDocuments);
  show($("export-deliver-row"), hasDocuments);
  const folders = createFolderChooser(api);
  $("export-folders-toggle").addEventListener("click", () => clearError($("export-folders-error")));
  const templates = createTemplates(api, { choice, apply });
  const schedules = createSchedules(api, { choice });
  form.addEventListener("change", onFormChange);
  form.addEventListener("submit", onSubmit);
  // The address the token carries, which the user may change; no offer where no mail is sent.
  show($("export-notify-row"), me.email_available);
  if (me.email) $("export-email").value = me.email;
  $("export-notify").addEventListener("change", (e) => {
    show($("export-email-row"), e.target.checked);
    $("export-email").required = e.target.checked;
  });
  $("export-name").placeholder = t("export.namePlaceholder", { date: formatDate(new Date(), false) });
  $("preview-close").addEventListener("click", () => $("preview-dialog").close());
  $("export-current-cancel").addEventListener("click", () => {
    if (followed) remove(followed);
  });
  estimate();

  function renderApps() {
    const exportable = apps.filter((a) => a.exportable);
    fill($("export-apps"), 
      ...exportable.map((app) =>
        el(
          "li",
          {},
          el("input", { type: "checkbox", id: `export-app-${app.id}`, name: "apps", value: app.id, checked: true }),
          el(
            "label",
            { for: `export-app-${app.id}` },
            el("span", { class: "app-name" }, appName(app, app.id)),
            el(
              "span",
              { class: "app-info" },
              t("export.appInfo", { version: app.version }),
              " · ",
              app.can_create ? t("export.canCreate") : t("export.cannotCreate"),
            ),
            el("span", { class: "app-size", id: `export-app-size-${app.id}` }),
          ),
        ),
      ),
    );
  }

  function renderFormats() {
    fill($("export-formats"),
      ...FORMAT_FAMILIES.map((family) =>
        el("li", {},
          el("input", { type: "checkbox", id: `export-format-${family}`, name: "formats", value: family }),
          el("label", { for: `export-format-${family}` }, t(`format.${family}`)),
        ),
      ),
    );
    // A date in the future is refused by the API: the picker stops at today.
    $("export-since").max = localDay(new Date());
  }

  /** The table's columns: the common ones ticked, then each app's own, named by the app. */
  function renderColumns() {
    const column = (value, label, checked) =>
      el("li", {},
        el("input", { type: "checkbox", id: `export-column-${value}`, name: "columns", value, checked }),
        el("label", { for: `export-column-${value}` }, label),
      );
    fill($("export-columns"),
      ...COMMON_COLUMNS.map((field) => column(field, t(`column.${field}`), true)),
      ...apps.filter((a) => a.exportable).flatMap((app) =>
        (app.table_fields ?? []).map((field) => column(field.name, `${field.label} (${appName(app, app.id)})`, false)),
      ),
    );
  }

  function chosenColumns() {
    return [...form.querySelectorAll('input[name="columns"]:checked')].map((i) => i.value);
  }

  /** The form's choice as the API takes it in an export or a template. */
  function choice() {
    const body = { apps: chosenApps() };
    const filters = chosenFilters();
    if (Object.keys(filters).length > 0) body.filters = filters;
    if (chosenKind() === "table") {
      body.kind = "table";
      body.table = { format: $("export-format").value, fields: chosenColumns() };
    }
    return body;
  }

  /** Fills the form from a template, then sizes what it now says. */
  function apply(template) {
    const ticked = (name, values) => {
      for (const input of form.querySelectorAll(`input[name="${name}"]`)) input.checked = values.includes(input.value);
    };
    ticked("apps", template.apps);
    ticked("formats", template.filters?.formats ?? []);
    $("export-since").value = template.filters?.since ? localDay(new Date(template.filters.since)) : "";
    folders.apply(template.filters?.folders ?? []).then(estimate, (error) => showError($("export-folders-error"), error));
    $(`export-kind-${template.kind}`).checked = true;
    if (template.table) {
      $("export-format").value = template.table.format;
      ticked("columns", template.table.fields?.length ? template.table.fields : COMMON_COLUMNS);
    }
    kindChanged();
    estimate();
  }

  /** The filters chosen: formats ticked (none: every format), the first day kept, from its
   * local midnight, and the folders ticked (none: every document). */
  function chosenFilters() {
    const formats = [...form.querySelectorAll('input[name="formats"]:checked')].map((i) => i.value);
    const day = $("export-since").value;
    const filters = {};
    if (formats.length > 0) filters.formats = formats;
    if (day) filters.since = new Date(`${day}T00:00:00`).toISOString();
    const ids = folders.chosen();
    if (ids.length > 0) filters.folders = ids;
    return filters;
  }

  function chosenApps() {
    return [...form.querySelectorAll('input[name="apps"]:checked')].map((i) => i.value);
  }

  function chosenKind() {
    return form.querySelector('input[name="kind"]:checked')?.value ?? "archive";
  }

  function onFormChange(e) {
    if (e.target.name === "kind") kindChanged();
    if (["apps", "kind", "formats", "since", "folders"].includes(e.target.name)) {
      clearTimeout(estimateTimer);
      estimateTimer = setTimeout(estimate, 250);
    }
  }

  function kindChanged() {
    const table = chosenKind() === "table";
    show($("export-format-row"), table);
    show($("export-columns-row"), table);
    $("export-deliver-label").textContent = t(table ? "export.deliverTable" : "export.deliver");
    $("export-submit").textContent = submitLabel();
  }

  /** The button says what it does: it prepares, the download comes when it is ready. */
  function submitLabel() {
    return t(chosenKind() === "table" ? "export.submitTable" : "export.submit");
  }

  async function estimate() {
    const chosen = chosenApps();
    const box = $("estimate");
    if (chosen.length === 0) {
      box.textContent = t("export.noApp");
      box.className = "estimate warning";
      return;
    }
    const seq = ++estimateSeq;
    box.textContent = t("export.estimating");
    box.className = "estimate";
    try {
      const kind = chosenKind();
      const query = new URLSearchParams({ apps: chosen.join(","), kind });
      const filters = chosenFilters();
      if (filters.formats) query.set("formats", filters.formats.join(","));
      if (filters.since) query.set("since", filters.since);
      if (filters.folders) query.set("folders", filters.folders.join(","));
      const est = await api.get(`exports/estimate?${query}`);
      if (seq !== estimateSeq) return;
      renderAppSizes(chosen, est, kind);
      const sentence = kind === "table" ? "export.estimateTable" : "export.estimate";
      const parts = [t(sentence, { count: est.files, size: formatBytes(est.bytes) })];
      const paths = folders.chosenPaths();
      if (paths.length > 0) parts.push(t("export.foldersChosen", { count: paths.length, folders: paths.map(quoted).join(", ") }));
      if (est.unestimated_apps.length > 0) {
        const names = est.unestimated_apps.map((id) => appName(byId.get(id), id)).join(", ");
        parts.push(t("export.unestimated", { apps: names }));
      }
      if (!est.fits_quota) {
        parts.push(t("export.overQuota", { used: formatBytes(est.used_bytes), quota: formatBytes(est.quota_bytes) }));
        box.className = "estimate warning";
      }
      box.textContent = parts.join(" ");
    } catch (error) {
      if (seq !== estimateSeq) return;
      box.textContent = "";
      showError($("export-error"), error);
    }
  }

  /** Each app's part beside its name: files (rows, for a table) and bytes, or that it is known
   * only as it exports. */
  function renderAppSizes(chosen, est, kind) {
    for (const app of apps.filter((a) => a.exportable)) {
      const size = est.by_app?.[app.id];
      let text = "";
      if (!chosen.includes(app.id)) text = "";
      else if (size) text = `${t(kind === "table" ? "export.appRows" : "entries", { count: size.files })} · ${formatBytes(size.bytes)}`;
      else if (est.unestimated_apps.includes(app.id)) text = t("export.appSizeUnknown");
      $(`export-app-size-${app.id}`).textContent = text;
    }
  }

  async function onSubmit(e) {
    e.preventDefault();
    const errorBox = $("export-error");
    clearError(errorBox);
    const deliverRow = $("export-deliver-row");
    if (deliverRow.nextElementSibling?.matches(".error")) deliverRow.nextElementSibling.remove();
    const chosen = chosenApps();
    if (chosen.length === 0) {
      showError(errorBox, { problem: { title: t("export.noApp") } });
      form.querySelector('input[name="apps"]')?.focus();
      return;
    }
    const body = choice();
    if (body.table?.fields.length === 0) {
      showError(errorBox, { problem: { title: t("export.noColumn") } });
      form.querySelector('input[name="columns"]')?.focus();
      return;
    }
    // Named in the page's language when left empty: the service's own default is French.
    body.name = $("export-name").value.trim() || $("export-name").placeholder;
    if ($("export-deliver").checked) body.deliver_to = "documents";
    if ($("export-notify").checked) {
      const email = $("export-email");
      if (!email.reportValidity()) return;
      body.notify_email = email.value.trim();
    }
    const button = $("export-submit");
    button.disabled = true;
    button.textContent = t("export.sending");
    try {
      // 200 rather than 202: an identical export, still being built or just made, is reused.
      const { status, data: created } = await api.send("exports", body);
      follow(created, status === 200);
      refreshList();
    } catch (error) {
      // What the documents space cannot hold is said beside the box that asked for it.
      if (error?.problem?.code === "documents_quota_exceeded") errorBeside($("export-deliver-row"), error);
      else {
        showError(errorBox, error);
        errorBox.focus();
      }
    } finally {
      button.disabled = false;
      button.textContent = submitLabel();
    }
  }

  /** Shows the live progress of one export until it ends. */
  function follow(exp, reused = false) {
    stopFollowing();
    followed = exp.id;
    const box = $("export-current");
    show(box);
    $("export-current-title").textContent = t("export.building", { name: exp.name });
    $("export-current-reused").textContent = reused ? t("export.reused") : "";
    const done = $("export-current-done");
    fill(done);
    show($("export-leave"), true);
    show($("export-current-cancel"), true);
    box.scrollIntoView({ block: "nearest" });
    let announced = false;
    stopFollowing = poll(
      () => api.get(`exports/${exp.id}`),
      (value, error) => {
        if (error) {
          showError($("export-error"), error);
          return;
        }
        renderProgress(value);
        if (TERMINAL.has(value.status) && !announced) {
          announced = true;
          renderFinished(value);
          refreshList();
          onFinished();
        }
      },
      (value) => TERMINAL.has(value.status),
    );
    renderProgress(exp);
  }

  function renderProgress(exp) {
    const p = exp.progress;
    let text;
    if (exp.status === "queued") text = t("export.queued");
    else if (pastTotals(p)) text = t("export.progressOpen", { files: formatNumber(p.files_done), bytes: formatBytes(p.bytes_done) });
    else {
      text = t("export.progress", {
        files: formatNumber(p.files_done),
        filesTotal: formatNumber(p.files_total),
        bytes: formatBytes(p.bytes_done),
        bytesTotal: formatBytes(p.bytes_total),
      });
    }
    const bar = $("export-progress");
    if (exp.status === "ready") setProgress(bar, $("export-progress-text"), 1, 1, text);
    else setJobProgress(bar, $("export-progress-text"), p, text);
  }

  function renderFinished(exp) {
    const done = $("export-current-done");
    show($("export-leave"), false);
    show($("export-current-cancel"), false);
    if (exp.status === "ready" && inParts(exp)) {
      const message = t("export.readyNow", { name: exp.name });
      fill(done, el("p", { class: "success" }, message), incompleteNote(exp));
      announce(message);
      loadParts(api, exp).then(
        (view) => {
          done.append(partsGroup(exp, view, (button, part) => tryBeside(button, () => downloadPart(api, exp, part))));
          done.querySelector("button.part")?.focus();
        },
        (error) => done.append(rowError(error)),
      );
    } else if (exp.status === "ready") {
      const message = t("export.readyNow", { name: exp.name });
      const button = el("button", { type: "button", class: "primary" }, t("export.downloadNamed", { name: exp.name, size: formatBytes(exp.size) }));
      button.addEventListener("click", () => tryBeside(button, () => download(exp)));
      fill(done, el("p", { class: "success" }, message), incompleteNote(exp), button);
      announce(message);
      button.focus();
    } else if (exp.status === "cancelled") {
      const message = t("export.cancelled", { name: exp.name });
      fill(done, el("p", {}, message));
      announce(message);
    } else {
      const reason = exp.error ? failure(exp.error.code) : t(`status.${exp.status}`);
      const message = t("export.failedNow", { name: exp.name, reason });
      fill(done, el("p", { class: "error", role: "alert" }, message));
      announce(message);
    }
  }

  function incompleteNote(exp) {
    const failed = Object.entries(exp.outcomes ?? {}).filter(([, o]) => o.status !== "ok");
    if (failed.length === 0) return null;
    const apps = failed.map(([id, o]) => `${appName(byId.get(id), id)}. ${failure(o.code)}`).join(" ");
    return el("p", { class: "warning" }, t("export.incomplete", { apps }));
  }

  /** Starts the download of a ready export by a signed link; rejects when it cannot. */
  async function download(exp) {
    const link = await api.post(`exports/${exp.id}/link`);
    const a = el("a", { href: link.url, download: "" });
    document.body.append(a);
    a.click();
    a.remove();
  }

  /** Runs an action of a button; its failure is shown beside the button, focused. */
  async function tryBeside(button, action) {
    if (button.nextElementSibling?.matches(".error")) button.nextElementSibling.remove();
    try {
      await action();
    } catch (error) {
      errorBeside(button, error);
    }
  }

  /** Runs an action of a row of the list; its failure is drawn in the row, focused. */
  async function tryInRow(exp, action) {
    rowErrors.delete(exp.id);
    try {
      await action();
    } catch (error) {
      rowErrors.set(exp.id, error);
      const old = list.querySelector(`tr[data-export-id="${exp.id}"]`);
      if (!old) return;
      const row = renderRow(exp);
      old.replaceWith(row);
      row.querySelector(".error")?.focus();
    }
  }

  /** Cancels an export in progress, or deletes an ended one; each asks first in its own words.
   * The focus goes to the row now in its place, or to the list's title when none is left. */
  async function remove(exp) {
    const running = !TERMINAL.has(exp.status);
    const question = running ? "export.confirmCancel" : "export.confirmDelete";
    if (!window.confirm(t(question, { name: exp.name }))) return;
    const rows = [...list.querySelectorAll("tr")];
    const index = rows.findIndex((r) => r.dataset.exportId === exp.id);
    await api.del(`exports/${exp.id}`);
    if (followed === exp.id) {
      // The export being built is cancelled: nothing more to follow.
      stopFollowing();
      followed = null;
      show($("export-current"), false);
    }
    announce(t(running ? "export.cancelled" : "export.deleted", { name: exp.name }));
    focusRow = Math.max(index, 0);
    refreshList();
  }

  async function preview(exp) {
    const dialog = $("preview-dialog");
    const body = $("preview-body");
    $("preview-title").textContent = t("export.previewTitle", { name: exp.name });
    fill(body, el("p", {}, t("export.estimating")));
    dialog.showModal();
    try {
      const entries = [];
      let total = 0;
      for (let page = 1; page <= PREVIEW_MAX_PAGES; page += 1) {
        const res = await api.get(`exports/${exp.id}/entries?page=${page}&per_page=${PREVIEW_PAGE}`);
        entries.push(...res.items);
        total = res.total;
        if (entries.length >= total || res.items.length === 0) break;
      }
      fill(body, 
        el("p", {}, t("export.previewCount", { count: total })),
        renderTree(buildTree(entries)),
        total > entries.length
          ? el("p", {}, t("export.previewMore", { count: total - entries.length }))
          : null,
      );
    } catch (error) {
      fill(body, el("div", { class: "error", role: "alert" }));
      showError(body.firstChild, error);
    }
  }

  function statusText(exp) {
    const p = exp.progress;
    if (exp.status === "running" && !pastTotals(p)) {
      return t("status.running", { percent: percent(exp.progress.bytes_done, exp.progress.bytes_total) });
    }
    return t(exp.status === "running" ? "status.runningOpen" : `status.${exp.status}`);
  }

  /** What the export is: its kind and format, and its apps. */
  function contentCell(exp) {
    const format = exp.kind === "table" ? exp.table?.format ?? "" : "zip";
    const kind = t(exp.kind === "table" ? "export.kindTable" : "export.kindArchive", { format });
    const names = (exp.apps ?? []).map((id) => appName(byId.get(id), id)).join(", ");
    return el("td", { "data-label": t("export.col.content") }, el("span", { class: "kind" }, kind), names ? el("div", { class: "detail muted" }, names) : null);
  }

  /** The size column: an export in parts is all its parts, known once the last is written. */
  function sizeText(exp) {
    if (inParts(exp)) {
      const whole = exp.parts ? wholeSize(exp.parts) : null;
      return whole === null ? "—" : formatBytes(whole);
    }
    return exp.size == null ? "—" : formatBytes(exp.size);
  }

  /** An export in parts: a button per part (those written so far), or why they cannot show. */
  function partsCell(exp) {
    if (!partsShown(exp)) return null;
    if (exp.partsError) return rowError(exp.partsError);
    if (!exp.parts) return null;
    return partsGroup(exp, exp.parts, (button, part) => tryBeside(button, () => downloadPart(api, exp, part)));
  }

  function renderRow(exp) {
    const ready = exp.status === "ready";
    const running = !TERMINAL.has(exp.status);
    const status = el("td", { "data-label": t("export.col.status") }, el("span", { class: `status status-${exp.status}` }, statusText(exp)));
    if (exp.status === "failed" && exp.error) status.append(el("div", { class: "detail" }, failure(exp.error.code)));
    if (ready) {
      const note = incompleteNote(exp);
      if (note) status.append(note);
    }
    return el(
      "tr",
      { dataset: { exportId: exp.id, status: exp.status } },
      el("th", { scope: "row", "data-label": t("export.col.name") }, exp.name),
      contentCell(exp),
      el("td", { "data-label": t("export.col.created") }, formatDate(exp.created_at)),
      status,
      el("td", { "data-label": t("export.col.size") }, sizeText(exp)),
      el("td", { "data-label": t("export.col.expires") }, formatDate(exp.expires_at, false)),
      el(
        "td",
        { class: "actions", "data-label": t("export.col.actions") },
        partsCell(exp),
        ready && !inParts(exp)
          ? el("button", { type: "button", onclick: () => tryInRow(exp, () => download(exp)), "aria-label": `${t("export.download")} ${exp.name}` }, t("export.download"))
          : null,
        ready && exp.kind === "archive"
          ? el("button", { type: "button", onclick: () => preview(exp), "aria-label": `${t("export.preview")} ${exp.name}` }, t("export.preview"))
          : null,
        running
          ? el("button", { type: "button", class: "danger", onclick: () => tryInRow(exp, () => remove(exp)), "aria-label": `${t("export.cancel")} ${exp.name}` }, t("export.cancel"))
          : el("button", { type: "button", class: "danger", onclick: () => tryInRow(exp, () => remove(exp)), "aria-label": `${t("export.delete")} ${exp.name}` }, t("export.delete")),
        rowErrors.has(exp.id) ? rowError(rowErrors.get(exp.id)) : null,
      ),
    );
  }

  function rowError(error) {
    const box = el("div", { class: "error", role: "alert", tabindex: "-1" });
    showError(box, error);
    return box;
  }

  /** After a deletion: the row now at its place, else the one before, else the list's title. */
  function placeFocus() {
    if (focusRow === null) return;
    const rows = [...list.querySelectorAll("tr")];
    const row = rows[Math.min(focusRow, rows.length - 1)];
    focusRow = null;
    (row?.querySelector("button") ?? $("export-list-title")).focus();
  }

  /** The list, each export in parts with its parts: fetched again while they are written. */
  async function listWithParts() {
    const page = await api.get("exports?per_page=50");
    await Promise.all(
      page.items.filter(partsShown).map(async (exp) => {
        if (readyParts.has(exp.id)) {
          exp.parts = readyParts.get(exp.id);
          return;
        }
        try {
          exp.parts = await loadParts(api, exp);
          if (exp.status === "ready") readyParts.set(exp.id, exp.parts);
        } catch (error) {
          exp.partsError = error;
        }
      }),
    );
    return page;
  }

  /** Offers a ready export for download: its one button's download, or, for an export in
   * parts, the box of its parts, the first one focused. */
  async function offer(id) {
    const exp = await api.get(`exports/${id}`);
    if (!inParts(exp)) return download(exp);
    stopFollowing();
    followed = null;
    show($("export-current"));
    $("export-current-title").textContent = exp.name;
    $("export-current-reused").textContent = "";
    renderProgress(exp);
    renderFinished(exp);
    announce(t("parts.here", { name: exp.name }));
    $("export-current").scrollIntoView({ block: "nearest" });
  }

  async function refreshList() {
    stopListPolling();
    stopListPolling = poll(
      listWithParts,
      (page, error) => {
        if (error) {
          showError($("export-list-error"), error);
          return;
        }
        clearError($("export-list-error"));
        show($("export-list-empty"), page.items.length === 0);
        show($("export-list"), page.items.length > 0);
        fill(list, ...page.items.map(renderRow));
        placeFocus();
      },
      (page) => page.items.every((e) => TERMINAL.has(e.status)),
      2000,
    );
  }

  /** At load: the list, and the progress of an export still being built. */
  async function start() {
    refreshList();
    templates.refresh().catch((error) => errorBeside($("template-save"), error));
    schedules.refresh().catch((error) => errorBeside($("schedule-submit"), error));
    try {
      const page = await api.get("exports?per_page=1");
      const last = page.items[0];
      if (last && !TERMINAL.has(last.status)) follow(last);
    } catch {
      // The list shows the error.
    }
  }

  return { start, download: offer };
}

/** Paths to a tree of folders (Map name → subtree) and files ({ name, size }). */
export function buildTree(entries) {
  const root = { folders: new Map(), files: [] };
  for (const entry of entries) {
    const parts = entry.path.split("/");
    const name = parts.pop();
    let node = root;
    for (const part of parts) {
      if (!node.folders.has(part)) node.folders.set(part, { folders: new Map(), files: [] });
      node = node.folders.get(part);
    }
    node.files.push({ name, size: entry.size });
  }
  return root;
}

function count(node) {
  let n = node.files.length;
  for (const child of node.folders.values()) n += count(child);
  return n;
}

function renderTree(node, depth = 0) {
  const items = [];
  for (const [name, child] of node.folders) {
    items.push(
      el(
        "li",
        { class: "folder" },
        el(
          "details",
          { open: depth < 2 },
          el("summary", {}, name, el("span", { class: "muted" }, ` — ${t("entries", { count: count(child) })}`)),
          renderTree(child, depth + 1),
        ),
      ),
    );
  }
  for (const file of node.files) {
    items.push(el("li", { class: "file" }, file.name, el("span", { class: "muted" }, ` — ${formatBytes(file.size)}`)));
  }
  return el("ul", { class: depth === 0 ? "tree" : null }, items);
}
