// « Mes données »: the page's start. The ENT hands the page a bearer token in the address's
// fragment (`#token=…`), which browsers never send to a server; it is kept for the tab's life
// only, and taken out of the address bar at once. A page framed by the ENT's portal may instead
// get it from its parent window by `postMessage`, from an origin `http.frame_ancestors` lists
// only: any other window could hand it a token of its own choosing.

import { t, translatePage } from "./i18n.js";
import { createApi } from "./api.js";
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

// The messages of the embedding (docs/INTEGRATION.md): the page says it waits, the parent
// answers with the token. Tokens are a few kilobytes; a larger message is not one.
const READY_MESSAGE = "mesdonnees.ready";
const TOKEN_MESSAGE = "mesdonnees.token";
const MAX_TOKEN_LENGTH = 16384;

/** Whether `origin` is one `http.frame_ancestors` allows: `'self'`, an origin, or
 * `scheme://*.domain` for its subdomains on the default port, as CSP reads them. */
function mayFrame(origin) {
  return settings.frameAncestors.some((allowed) => {
    if (allowed === "'self'") return origin === location.origin;
    if (allowed === origin) return true;
    const wildcard = /^(https?):\/\/\*(\.[^:]+)$/.exec(allowed);
    if (!wildcard) return false;
    let url;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    return url.protocol === `${wildcard[1]}:` && url.port === "" && url.hostname.endsWith(wildcard[2]);
  });
}

/** Calls `start` with the first token the parent window sends from an origin `mayFrame` allows.
 * The browser shows the page only in frames the CSP allows, which lists the same origins; the
 * check here keeps a token from any other window (a sibling frame, an opener) out. The ready
 * message holds nothing secret, so any parent may read it. */
function awaitTokenFromParent(start) {
  if (window.parent === window) return;
  const onMessage = (event) => {
    if (event.source !== window.parent || !mayFrame(event.origin)) return;
    const { type, token } = event.data ?? {};
    if (type !== TOKEN_MESSAGE || typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return;
    window.removeEventListener("message", onMessage);
    sessionStorage.setItem(STORAGE_KEY, token);
    show($("signed-out"), false);
    start(token);
  };
  window.addEventListener("message", onMessage);
  window.parent.postMessage({ type: READY_MESSAGE }, "*");
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

function main() {
  translatePage();
  const token = takeToken();
  if (token) {
    start(token);
    return;
  }
  signedOut(null);
  awaitTokenFromParent(start);
}

async function start(token) {
  let stopped = false;
  const api = createApi(token, (code) => {
    if (stopped) return;
    stopped = true;
    signedOut(code ?? "unauthenticated");
  });
  let apps, me;
  try {
    [apps, me] = await Promise.all([api.get("apps"), api.get("me")]);
  } catch (error) {
    if (!stopped) {
      show($("app"), true);
      showError($("export-error"), error);
    }
    return;
  }
  $("who").textContent = t("app.signedAs", { name: me.name || me.id });
  show($("app"), true);
  const selectTab = setUpTabs();
  let bell = null;
  const exporter = createExporter(api, { apps, me, onFinished: () => bell?.refresh() });
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
    onShowExports: () => {
      selectTab("tab-export");
      $("export-list-title").focus();
    },
  });
  exporter.start();
  importer.start();
  bell.refresh();
}

main();
