// The notifications bell: the user's timeline (archive ready or failed, import done, the
// archive of a closing account, an automatic export not made), with the count of unread entries
// and each entry's link. A notification outlives its export: before the
// panel shows « Télécharger », the export is looked up, and one since deleted or expired shows
// its state instead. A failed download is shown under its button, focused.

import { t, failure, formatDate, formatDay, formatNumber } from "./i18n.js";
import { el, fill, $, show, showError, errorBeside } from "./ui.js";

const REFRESH_MS = 20000;

/** Kinds whose entry offers their export's download. */
const DOWNLOADABLE = new Set(["export_ready", "leaver_notice", "leaver_reminder"]);

export function createBell(api, { onDownload, onOpenImport, onShowExports }) {
  const button = $("bell-button");
  const panel = $("bell-panel");
  const list = $("bell-list");
  let items = [];
  let timer = null;
  /** Export id → "deleted" or "expired": states an export never leaves. */
  const gone = new Map();

  // Named before the first count comes (or if it never does): a button without a name is
  // silent to a screen reader.
  button.setAttribute("aria-label", t("bell.label"));
  show(button, true);
  button.addEventListener("click", () => (panel.hidden ? open() : close()));
  $("bell-close").addEventListener("click", close);
  panel.addEventListener("keydown", (e) => {
    if (e.key === "Escape") close();
  });
  document.addEventListener("click", (e) => {
    if (!panel.hidden && !panel.contains(e.target) && !button.contains(e.target)) close(false);
  });

  async function refresh() {
    clearTimeout(timer);
    try {
      const page = await api.get("notifications?per_page=20");
      items = page.items;
      renderCount(page.unread);
      // Opened before the list came: its exports are looked up before any « Télécharger ».
      if (!panel.hidden) {
        await checkExports();
        renderList();
      }
    } catch (error) {
      if (!panel.hidden) showError($("bell-error"), error);
    }
    timer = setTimeout(refresh, REFRESH_MS);
  }

  function renderCount(unread) {
    const badge = $("bell-count");
    badge.textContent = unread > 99 ? "99+" : formatNumber(unread);
    show(badge, unread > 0);
    const label = unread > 0 ? `${t("bell.label")} — ${t("bell.unread", { count: unread })}` : t("bell.label");
    button.setAttribute("aria-label", label);
  }

  function renderList() {
    show($("bell-empty"), items.length === 0);
    fill(list, ...items.map(renderItem));
  }

  /** Learns which ready exports of the list can no longer be downloaded. */
  async function checkExports() {
    const ids = new Set(items.filter((n) => DOWNLOADABLE.has(n.kind)).map((n) => n.details?.export_id));
    const unknown = [...ids].filter((id) => id && !gone.has(id));
    await Promise.allSettled(
      unknown.map(async (id) => {
        try {
          const exp = await api.get(`exports/${id}`);
          if (exp.status === "expired") gone.set(id, "expired");
        } catch (error) {
          if (error?.status === 404) gone.set(id, "deleted");
        }
      }),
    );
  }

  async function download(button, id) {
    if (button.nextElementSibling?.matches(".error")) button.nextElementSibling.remove();
    try {
      await onDownload(id);
      close();
    } catch (error) {
      if (error?.status === 404) gone.set(id, "deleted");
      if (error?.status === 410) gone.set(id, "expired");
      errorBeside(button, error);
    }
  }

  function renderItem(n) {
    const details = n.details ?? {};
    let action = null;
    if (DOWNLOADABLE.has(n.kind) && gone.has(details.export_id)) {
      action = el("p", { class: "state" }, t(gone.get(details.export_id) === "expired" ? "bell.expired" : "bell.deleted"));
    } else if (DOWNLOADABLE.has(n.kind) && details.export_id) {
      const button = el("button", { type: "button" }, t("bell.download"));
      button.addEventListener("click", () => download(button, details.export_id));
      action = button;
    } else if ((n.kind === "import_done" || n.kind === "import_failed") && details.import_id) {
      action = el("button", { type: "button", onclick: () => { close(); onOpenImport(details.import_id); } }, t("bell.report"));
    } else if (n.kind === "schedule_refused") {
      // A quota refused it: the list of exports is where room is made.
      action = el("button", { type: "button", onclick: () => { close(false); onShowExports(); } }, t("bell.showExports"));
    }
    return el(
      "li",
      { class: n.read_at ? "read" : "unread", dataset: { kind: n.kind } },
      el("p", { class: "title" }, titleOf(n)),
      details.code ? el("p", { class: "detail" }, failure(details.code)) : null,
      el("p", { class: "muted" }, formatDate(n.created_at)),
      action,
    );
  }

  async function open() {
    show(panel, true);
    button.setAttribute("aria-expanded", "true");
    $("bell-title").focus();
    await checkExports();
    renderList();
    // Opening the panel is reading what it shows.
    const unread = items.filter((n) => !n.read_at);
    if (unread.length > 0) {
      await Promise.allSettled(unread.map((n) => api.post(`notifications/${n.id}/read`)));
      refresh();
    }
  }

  function close(refocus = true) {
    if (panel.hidden) return;
    show(panel, false);
    button.setAttribute("aria-expanded", "false");
    if (refocus) button.focus();
  }

  return { refresh };
}

/** The entry's title in the page's language, from its kind and details; the service's own
 * (French) title for entries made before the details carried the names. */
function titleOf(n) {
  const d = n.details ?? {};
  switch (n.kind) {
    case "export_ready":
      if (d.name === undefined) break;
      return t(d.failed_apps?.length ? "bell.exportReadyPartial" : "bell.exportReady", { name: d.name });
    case "export_failed":
      if (d.name === undefined) break;
      return t("bell.exportFailed", { name: d.name });
    case "import_done":
      if (d.file_name === undefined) break;
      return d.failed > 0
        ? t("bell.importDoneErrors", { name: d.file_name, count: d.failed })
        : t("bell.importDone", { name: d.file_name });
    case "import_failed":
      if (d.file_name === undefined) break;
      return t("bell.importFailed", { name: d.file_name });
    case "leaver_notice":
    case "leaver_reminder": {
      if (d.until === undefined) break;
      const date = formatDate(d.until, false);
      if (n.kind === "leaver_notice") return t("bell.leaverNotice", { date });
      return t(d.days_left > 1 ? "bell.leaverReminder" : "bell.leaverLastDay", { date, count: d.days_left });
    }
    case "schedule_refused":
      if (d.day === undefined) break;
      return t("bell.scheduleRefused", { date: formatDay(d.day) });
    default:
      break;
  }
  return n.title;
}
