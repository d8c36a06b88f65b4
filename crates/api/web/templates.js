// Saved templates of the export form: save the current choice under a name, fill the form from
// one, rename or delete them. The name is asked in a prompt; a refusal (a name taken, the limit
// of templates per user) is shown beside the button that was pressed, in the words of its code.
// The service keeps a bounded number per user, so the list is read in one page of that size.

import { t } from "./i18n.js";
import { el, fill, $, show, errorBeside, announce } from "./ui.js";

/** The service's per-user limit, which is also the largest page it serves. */
const LIST_SIZE = 100;
/** The longest name the service accepts, kept by the prompt's answer check. */
const NAME_MAX = 80;

/** `choice()` gives the form's choice as a template body without its name; `apply(template)`
 * fills the form from a template. */
export function createTemplates(api, { choice, apply }) {
  const select = $("template-select");
  /** Template id → template, as last listed. */
  let known = new Map();

  $("template-save").addEventListener("click", (e) => act(e.currentTarget, save));
  $("template-use").addEventListener("click", (e) => act(e.currentTarget, use));
  $("template-rename").addEventListener("click", (e) => act(e.currentTarget, rename));
  $("template-delete").addEventListener("click", (e) => act(e.currentTarget, remove));

  async function act(button, action) {
    const panel = $("templates");
    for (const old of panel.querySelectorAll("div.error")) old.remove();
    try {
      await action();
    } catch (error) {
      errorBeside(button, error);
    }
  }

  async function refresh(selectId = select.value) {
    const page = await api.get(`export-templates?per_page=${LIST_SIZE}`);
    known = new Map(page.items.map((item) => [item.id, item]));
    fill(select, ...page.items.map((item) => el("option", { value: item.id, selected: item.id === selectId }, item.name)));
    const any = page.items.length > 0;
    show($("templates-empty"), !any);
    show($("templates-chosen"), any);
  }

  /** The name typed in the prompt, or null when the user gave up. */
  function askName(question, current = "") {
    const answer = window.prompt(t(question), current);
    if (answer === null) return null;
    const name = answer.trim();
    if (name.length === 0 || name.length > NAME_MAX) {
      throw { problem: { title: t("templates.badName", { max: NAME_MAX }) } };
    }
    return name;
  }

  async function save() {
    const name = askName("templates.askName");
    if (name === null) return;
    const saved = await api.post("export-templates", { ...choice(), name });
    await refresh(saved.id);
    announce(t("templates.saved", { name }));
  }

  function chosen() {
    const template = known.get(select.value);
    if (!template) throw { problem: { title: t("templates.noneChosen") } };
    return template;
  }

  async function use() {
    const template = chosen();
    apply(template);
    announce(t("templates.applied", { name: template.name }));
  }

  async function rename() {
    const template = chosen();
    const name = askName("templates.askRename", template.name);
    if (name === null || name === template.name) return;
    const { id, apps, filters, kind, table } = template;
    await api.put(`export-templates/${id}`, { name, apps, filters, kind, table: table ?? undefined });
    await refresh(id);
    announce(t("templates.renamed", { name }));
  }

  async function remove() {
    const template = chosen();
    if (!window.confirm(t("templates.confirmDelete", { name: template.name }))) return;
    await api.del(`export-templates/${template.id}`);
    await refresh();
    announce(t("templates.deleted", { name: template.name }));
    $("template-save").focus();
  }

  return { refresh };
}
