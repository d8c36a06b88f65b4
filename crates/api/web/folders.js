// « Choisir des dossiers » of the export form: the user's folders as a tree of checkboxes,
// read from `GET folders` a page at a time when first opened. A ticked folder takes in its
// sub-folders, which are shown ticked and cannot be unticked on their own; the API is sent only
// the topmost ticked folders (`filters.folders`). Without a folder ticked, the export keeps
// every document, those shared with the user included; with some, only what lies under them.

import { t } from "./i18n.js";
import { el, fill, $, show, showError } from "./ui.js";

/** The service's largest page, and how many pages are read at most: a tree of more folders
 * than that is offered in part, and the page says so. */
const PAGE = 200;
const MAX_PAGES = 10;

/** The export form listens to the boxes' changes (they bubble to it after `settle`). */
export function createFolderChooser(api) {
  const toggle = $("export-folders-toggle");
  const box = $("export-folders");
  const tree = $("export-folders-tree");
  /** Folder id → { id, name, parent_id, path }, once loaded. */
  let byId = null;
  let loading = null;
  /** Ids to tick once the tree is loaded (a template applied before it was). */
  let pending = [];

  toggle.addEventListener("click", async () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    show(box, open);
    if (open) await load().catch((error) => showError($("export-folders-error"), error));
  });
  tree.addEventListener("change", (e) => {
    if (e.target.name === "folders") settle();
  });

  /** Reads every page of folders (up to MAX_PAGES) and draws the tree; once. */
  function load() {
    loading ??= (async () => {
      const items = [];
      let total = 0;
      for (let page = 1; page <= MAX_PAGES; page += 1) {
        const res = await api.get(`folders?page=${page}&per_page=${PAGE}`);
        items.push(...res.items);
        total = res.total;
        if (items.length >= total || res.items.length === 0) break;
      }
      byId = new Map(items.map((f) => [f.id, { ...f }]));
      draw(items, total);
      tick(pending);
      pending = [];
    })().catch((error) => {
      loading = null;
      throw error;
    });
    return loading;
  }

  function draw(items, total) {
    const children = new Map();
    for (const folder of items) {
      // A folder whose parent is past what was read is shown at the top.
      const parent = byId.has(folder.parent_id) ? folder.parent_id : null;
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(folder);
    }
    const branch = (parent, prefix) =>
      (children.get(parent) ?? []).map((folder) => {
        const path = prefix ? `${prefix}/${folder.name}` : folder.name;
        byId.get(folder.id).path = path;
        const below = branch(folder.id, path);
        return el(
          "li",
          {},
          el(
            "div",
            { class: "check" },
            el("input", { type: "checkbox", id: `export-folder-${folder.id}`, name: "folders", value: folder.id }),
            el("label", { for: `export-folder-${folder.id}` }, folder.name),
          ),
          below.length > 0 ? el("ul", {}, below) : null,
        );
      });
    fill(tree, branch(null, ""));
    show($("export-folders-none"), items.length === 0);
    const more = $("export-folders-more");
    more.textContent = total > items.length ? t("export.foldersMore", { count: items.length }) : "";
    show(more, total > items.length);
  }

  /** Sub-folders of a ticked folder: ticked with it, and not to be unticked alone. */
  function settle() {
    for (const input of tree.querySelectorAll('input[name="folders"]')) {
      const covered = coveredBy(input);
      input.disabled = covered;
      if (covered) input.checked = true;
      else if (input.dataset.covered === "true") input.checked = false;
      input.dataset.covered = String(covered);
    }
  }

  /** Whether a folder above `input` is ticked by the user. */
  function coveredBy(input) {
    for (let li = input.closest("li")?.parentElement?.closest("li"); li; li = li.parentElement?.closest("li")) {
      const above = li.querySelector(':scope > .check > input[name="folders"]');
      if (above?.checked && !above.disabled) return true;
    }
    return false;
  }

  function tick(ids) {
    for (const input of tree.querySelectorAll('input[name="folders"]')) {
      input.checked = ids.includes(input.value);
      input.dataset.covered = "false";
    }
    settle();
  }

  /** The folders ticked by the user, topmost only: what `filters.folders` holds. */
  function chosen() {
    return [...tree.querySelectorAll('input[name="folders"]:checked:not(:disabled)')].map((i) => i.value);
  }

  /** Their paths, for the summary of the choice. */
  function chosenPaths() {
    return chosen().map((id) => byId?.get(id)?.path ?? id);
  }

  /** Ticks the folders a template chose, loading the tree first when there are some. */
  async function apply(ids = []) {
    if (byId) tick(ids);
    else if (ids.length > 0) {
      pending = ids;
      toggle.setAttribute("aria-expanded", "true");
      show(box, true);
      await load();
    }
  }

  return { chosen, chosenPaths, apply };
}
