// « Exports automatiques »: the export form's current choice made again every 1, 2, 3, 6 or 12
// months until a day at most a year ahead (`POST schedules`), the user's schedules listed as
// « Export automatique : tous les 2 mois, prochain le 7 février 2027 », renewed for a year or
// deleted, each after a question. The service keeps a bounded number per user, so the list is
// read in one page. The end is the chosen day's local midnight: no run on or after that day.

import { t, formatDate } from "./i18n.js";
import { el, fill, $, show, showError, clearError, errorBeside, announce, localDay } from "./ui.js";

/** The periods the service offers, in months. */
const PERIODS = [1, 2, 3, 6, 12];
/** The service's per-user limit, which a page of the list holds whole. */
const LIST_SIZE = 100;

/** `choice()` gives the export form's choice as the API takes it. */
export function createSchedules(api, { choice }) {
  const form = $("schedule-form");
  const every = $("schedule-every");
  const until = $("schedule-until");
  const list = $("schedules-list");

  fill(every, ...PERIODS.map((n) => el("option", { value: n, selected: n === 1 }, capitalised(periodText(n)))));
  until.min = localDay(addDays(new Date(), 1));
  until.max = localDay(aYearOn());
  until.value = until.max;
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    create();
  });

  async function create() {
    const errorBox = $("schedule-error");
    clearError(errorBox);
    if (!until.value) {
      showError(errorBox, { problem: { title: t("schedule.noDate") } });
      until.focus();
      return;
    }
    const body = { ...choice(), every_months: Number(every.value), until: midnight(until.value) };
    const button = $("schedule-submit");
    button.disabled = true;
    try {
      await api.post("schedules", body);
      await refresh();
      announce(t("schedule.created", { period: periodText(Number(every.value)) }));
    } catch (error) {
      showError(errorBox, error);
      errorBox.focus();
    } finally {
      button.disabled = false;
    }
  }

  async function refresh() {
    const page = await api.get(`schedules?per_page=${LIST_SIZE}`);
    fill(list, ...page.items.map(renderItem));
    show($("schedules-empty"), page.items.length === 0);
  }

  function renderItem(schedule) {
    const renew = el("button", { type: "button" }, t("schedule.renew"));
    const remove = el("button", { type: "button", class: "danger" }, t("schedule.delete"));
    const described = `schedule-${schedule.id}`;
    renew.setAttribute("aria-describedby", described);
    remove.setAttribute("aria-describedby", described);
    renew.addEventListener("click", () => act(renew, () => renewed(schedule)));
    remove.addEventListener("click", () => act(remove, () => deleted(schedule)));
    return el(
      "li",
      { dataset: { scheduleId: schedule.id } },
      el("p", { id: described, class: "schedule-line" }, describe(schedule)),
      el("p", { class: "muted" }, t("schedule.until", { date: formatDate(schedule.until, false) })),
      el("div", { class: "actions" }, renew, remove),
    );
  }

  async function act(button, action) {
    for (const old of list.querySelectorAll("div.error")) old.remove();
    try {
      await action();
    } catch (error) {
      errorBeside(button, error);
    }
  }

  /** Runs on for a year from today, with the same choice and period. */
  async function renewed(schedule) {
    const end = aYearOn();
    if (!window.confirm(t("schedule.confirmRenew", { date: formatDate(end, false) }))) return;
    const { template_id, apps, filters, kind, table, every_months, keep_runs } = schedule;
    const body = template_id
      ? { template_id, every_months, keep_runs, until: midnight(localDay(end)) }
      : { apps, filters, kind, table: table ?? undefined, every_months, keep_runs, until: midnight(localDay(end)) };
    await api.put(`schedules/${schedule.id}`, body);
    await refresh();
    announce(t("schedule.renewed", { date: formatDate(end, false) }));
    list.querySelector(`li[data-schedule-id="${schedule.id}"] button`)?.focus();
  }

  async function deleted(schedule) {
    if (!window.confirm(t("schedule.confirmDelete", { what: describe(schedule) }))) return;
    await api.del(`schedules/${schedule.id}`);
    await refresh();
    announce(t("schedule.deleted"));
    $("schedules-title").focus();
  }

  return { refresh };
}

/** « tous les mois », « tous les 2 mois », « tous les ans ». */
export function periodText(months) {
  if (months === 12) return t("schedule.yearly");
  return t("schedule.every", { count: months });
}

/** « Export automatique : tous les 2 mois, prochain le 7 février 2027 », or that it is over. */
export function describe(schedule) {
  const period = periodText(schedule.every_months);
  if (!schedule.next_run_at) return t("schedule.over", { period });
  return t("schedule.line", { period, date: formatDate(schedule.next_run_at, false) });
}

function capitalised(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function addDays(date, days) {
  const next = new Date(date);
  next.setDate(next.getDate() + days);
  return next;
}

/** The same day a year on: the furthest end the service accepts, which is a year from now. */
function aYearOn() {
  const end = new Date();
  end.setFullYear(end.getFullYear() + 1);
  end.setDate(end.getDate() - (end.getDate() === new Date().getDate() ? 0 : 1));
  return end;
}

/** The local midnight starting a `YYYY-MM-DD` day, as the API's instant. */
function midnight(day) {
  return new Date(`${day}T00:00:00`).toISOString();
}
