// « Mes données »: the page's start. The ENT hands the page a bearer token in the address's
// fragment (`#token=…`), which browsers never send to a server; it is kept for the tab's life
// only, and taken out of the address bar at once.

import { t, translatePage } from "./i18n.js";
import { createApi, claimsOf } from "./api.js";
import { $, show, showError } from "./ui.js";
import { createExporter } from "./exporter.js";
import { createImporter } from "./importer.js";
import { createBell } from "./bell.js";
import { settings } from "./settings.js";

const STORAGE_KEY = "mesdonnees.token";

function takeToken() {
  const params = new URLSearchParams(location.hash.slice(1));
  const fromUrl = params.get("token");
  if (fromUrl) {
    sessionStorage.setItem(STORAGE_KEY, fromUrl);
    params.delete("token");
    const rest = params.toString();
    history.replaceState(null, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
    return fromUrl;
  }
  return sessionStorage.getItem(STORAGE_KEY);
}

/** The way back to the ENT: an expired session is told apart from a sign-in that failed, and
 * developers' hints show only on a development install. What was typed stays in the hidden form. */
function signedOut(reason) {
  sessionStorage.removeItem(STORAGE_KEY);
  show($("app"), false);
  show($("bell-button"), false);
  show($("bell-panel"), false);
  $("who").textContent = "";
  const why = { token_expired: "signedOut.expired", unauthenticated: "signedOut.invalid" }[reason];
  $("signed-out-reason").textContent = why ? t(why) : "";
  show($("signed-out-reason"), Boolean(why));
  if (settings.entUrl) $("signed-out-link").href = settings.entUrl;
  show($("signed-out-ent"), Boolean(settings.entUrl));
  show($("signed-out-dev"), settings.development);
  show($("signed-out"), true);
  $("signed-out-title").focus();
}

/** The ARIA tabs pattern: arrows move between tabs, Home/End to the ends. */
function setUpTabs() {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  const select = (tab, focus = true) => {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      $(other.getAttribute("aria-controls")).hidden = !selected;
    }
    if (focus) tab.focus();
  };
  for (const tab of tabs) {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (e) => {
      const i = tabs.indexOf(tab);
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
      if (next === undefined) return;
      e.preventDefault();
      select(tabs[(next + tabs.length) % tabs.length]);
    });
  }
  return (id) => select($(id), false);
}

async function main() {
  translatePage();
  const token = takeToken();
  if (!token) {
    signedOut(null);
    return;
  }
  let stopped = false;
  const api = createApi(token, (code) => {
    if (stopped) return;
    stopped = true;
    signedOut(code ?? "unauthenticated");
  });
  const claims = claimsOf(token);
  let apps;
  try {
    apps = await api.get("apps");
  } catch (error) {
    if (!stopped) {
      show($("app"), true);
      showError($("export-error"), error);
    }
    return;
  }
  $("who").textContent = t("app.signedAs", { name: claims.name || claims.sub || "?" });
  show($("app"), true);
  const selectTab = setUpTabs();
  let bell = null;
  const exporter = createExporter(api, { apps, onFinished: () => bell?.refresh() });
  const importer = createImporter(api, { apps, onFinished: () => bell?.refresh() });
  bell = createBell(api, {
    onDownload: async (id) => {
      await exporter.download(id);
      selectTab("tab-export");
    },
    onOpenImport: (id) => {
      selectTab("tab-import");
      importer.open(id);
    },
  });
  exporter.start();
  importer.start();
  bell.refresh();
}

main();
