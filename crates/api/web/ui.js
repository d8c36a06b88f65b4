// Small DOM helpers. Text always goes in as text nodes: names of files and exports come from
// users and must never be read as markup.

import { t, failure } from "./i18n.js";

/** `el("li", { class: "x", onclick: f }, "text", child)` */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      node.className = value;
    } else if (name === "dataset") {
      Object.assign(node.dataset, value);
    } else if (value === true) {
      node.setAttribute(name, "");
    } else {
      node.setAttribute(name, String(value));
    }
  }
  append(node, children);
  return node;
}

/** `replaceChildren` that skips null children instead of writing "null". */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function $(id) {
  return document.getElementById(id);
}

export function show(node, visible = true) {
  node.hidden = !visible;
}

/** A message for people out of an error: the words of its code in the page's language, never
 * the API's `detail` (another language, or facts meant for developers); a message of the page's
 * own as it is; the general words for anything else. The request's reference, for the school to
 * pass on, goes only with a failure of the service's (5xx), never with a refusal of what the
 * user asked. */
export function describeError(error) {
  if (error?.network) return { title: t("error.network"), requestId: null };
  const code = error?.problem?.code;
  const ours = !(error?.status < 500);
  if (code) return { title: failure(code), requestId: ours ? (error?.requestId ?? null) : null };
  if (error?.problem?.title && !error?.status) return { title: error.problem.title, requestId: null };
  return { title: t("error.title"), requestId: error?.requestId ?? null };
}

/** Shows an error in its box (a `role="alert"` element, read out when it appears);
 * `word(title)` may set the sentence in context (e.g. name the file it is about). */
export function showError(box, error, word = (title) => title) {
  const { title, requestId } = describeError(error);
  fill(
    box,
    el("strong", {}, word(title)),
    requestId ? el("small", { class: "request-id" }, t("error.request", { id: requestId })) : null,
  );
  box.hidden = false;
}

/** An error shown beside what the user acted on, focused so that it is read at once. */
export function errorBeside(anchor, error) {
  const box = el("div", { class: "error", role: "alert", tabindex: "-1" });
  showError(box, error);
  anchor.after(box);
  box.focus();
  return box;
}

export function clearError(box) {
  box.replaceChildren();
  box.hidden = true;
}

/** A sentence read out by screen readers without moving the focus. */
export function announce(text) {
  const region = $("announcer");
  region.textContent = "";
  // A new text node after a tick, so the same sentence twice is read twice.
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}

/** A `<progress>` and its sentence, from done/total pairs; indeterminate while totals are 0. */
export function setProgress(bar, label, done, total, text) {
  if (total > 0) {
    bar.max = total;
    bar.value = Math.min(done, total);
  } else {
    bar.removeAttribute("value");
  }
  label.textContent = text;
}

/** Whether a job's progress passed its totals: they count what is known up front (the
 * documents), and an app streaming its part adds to what is done beyond them. */
export function pastTotals(p) {
  return p.files_done > p.files_total || p.bytes_done > p.bytes_total;
}

/** A job's progress on its bar: bytes done of bytes total, or, past the totals, only that it
 * goes on. */
export function setJobProgress(bar, label, p, text) {
  if (pastTotals(p)) setProgress(bar, label, 0, 0, text);
  else setProgress(bar, label, p.bytes_done, p.bytes_total, text);
}

/** Whether a progress is worth saying aloud now: at each quarter passed, or once `everyMs`
 * went by since it last spoke. A live region rewritten on every progress event (every
 * 100 ms or so) is read out without end and drowns everything else. */
export function progressSpeaker(everyMs = 5000, now = () => Date.now()) {
  let lastAt = -Infinity;
  let quarter = 0;
  return (pct) => {
    const at = now();
    const reached = Math.floor(pct / 25);
    if (reached <= quarter && at - lastAt < everyMs) return false;
    quarter = Math.max(quarter, reached);
    lastAt = at;
    return true;
  };
}

export function percent(done, total) {
  return total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : 0;
}

/** Polls `fetch` every `ms` until `isDone(value)`, calling `onValue` each time. */
export function poll(fetchValue, onValue, isDone, ms = 1000) {
  let stopped = false;
  let timer = null;
  const step = async () => {
    if (stopped) return;
    try {
      const value = await fetchValue();
      if (stopped) return;
      onValue(value, null);
      if (isDone(value)) return;
    } catch (error) {
      if (stopped) return;
      onValue(null, error);
      if (error?.fatal) return;
    }
    timer = setTimeout(step, ms);
  };
  step();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** `YYYY-MM-DD` of a date in the browser's time zone, as a date input reads it. */
export function localDay(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
