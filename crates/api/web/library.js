// « Importer une archive déjà dans mes documents »: the zip archives of the user's documents
// (theirs anywhere in their tree, or shared with them), read from `GET documents?scope=zips`
// each time the list is opened, newest first; one button each starts the import from it
// without sending it again (`POST imports {document_id}`).

import { t, formatBytes, formatDate } from "./i18n.js";
import { el, fill, $, show, showError, clearError } from "./ui.js";

/** How many archives are offered, newest first. */
const LIST_SIZE = 50;

/** `onPick(doc)` starts the import of a listed archive and rejects when it is refused. */
export function createLibrary(api, { onPick }) {
  const toggle = $("import-library-toggle");
  const box = $("import-library");
  const list = $("import-library-list");

  toggle.addEventListener("click", async () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    show(box, open);
    if (open) await refresh();
  });

  async function refresh() {
    const errorBox = $("import-library-error");
    clearError(errorBox);
    try {
      const page = await api.get(`documents?scope=zips&per_page=${LIST_SIZE}`);
      fill(list, ...page.items.map(renderItem));
      show($("import-library-empty"), page.items.length === 0);
      const more = $("import-library-more");
      more.textContent = page.total > page.items.length ? t("import.libraryMore", { count: page.items.length }) : "";
      show(more, page.total > page.items.length);
    } catch (error) {
      showError(errorBox, error);
    }
  }

  function renderItem(doc) {
    const button = el("button", { type: "button", "aria-label": t("import.fromDocument", { name: doc.name }) }, t("import.launch"));
    button.addEventListener("click", async () => {
      const errorBox = $("import-library-error");
      clearError(errorBox);
      button.disabled = true;
      try {
        await onPick(doc);
        close();
      } catch (error) {
        showError(errorBox, error, (reason) => t("import.fileRefused", { name: doc.name, reason }));
        errorBox.focus();
      } finally {
        button.disabled = false;
      }
    });
    return el(
      "li",
      { dataset: { documentId: doc.id } },
      el("span", { class: "library-name" }, doc.name),
      el("span", { class: "muted" }, `${formatBytes(doc.size)} · ${formatDate(doc.created_at, false)}`),
      button,
    );
  }

  function close() {
    toggle.setAttribute("aria-expanded", "false");
    show(box, false);
  }

  return { close };
}
