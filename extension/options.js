// The options page: API base URL (storage.sync), API key (storage.local only) and the sites the
// user opts in to (storage.sync). Host access beyond 127.0.0.1 / localhost is asked for only here
// (or from the popup), when the user sets another API URL or adds a site.

import {
  DEFAULT_API_BASE,
  cleanSites,
  isBuiltInHost,
  normalizeApiBase,
  normalizeOrigin,
  permissionPattern,
} from "./src/sites.js";
import { errorMessage, translator } from "./src/strings.js";

const t = translator("ja");
const $ = (id) => document.getElementById(id);
const ui = {
  serverForm: $("server-form"),
  apiBase: $("api-base"),
  apiKey: $("api-key"),
  test: $("test"),
  serverStatus: $("server-status"),
  siteForm: $("site-form"),
  siteOrigin: $("site-origin"),
  sitesStatus: $("sites-status"),
  sitesEmpty: $("sites-empty"),
  sites: $("sites"),
};
let sites = [];
let apiBase = DEFAULT_API_BASE;

/**
 * Ask for host access to `origin`; call it first thing in a click handler (before any await) so
 * the user gesture still counts. Chromium answers at once, without a prompt, for hosts the
 * manifest already grants (127.0.0.1, localhost); Firefox may ask even for those.
 */
function requestAccess(origin) {
  return chrome.permissions.request({ origins: [permissionPattern(origin)] }).catch(() => isBuiltInHost(origin));
}

function hostOf(origin) {
  try {
    return new URL(origin).hostname;
  } catch {
    return "";
  }
}

function renderSites() {
  ui.sites.replaceChildren();
  for (const origin of sites) {
    const item = document.createElement("li");
    item.className = "ext-sites__item";
    item.dataset.origin = origin;
    const name = document.createElement("span");
    name.className = "ext-sites__origin";
    name.textContent = origin;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button button--quiet";
    remove.textContent = "削除";
    remove.setAttribute("aria-label", `${origin} を削除`);
    remove.addEventListener("click", () => removeSite(origin));
    item.append(name, remove);
    ui.sites.append(item);
  }
  ui.sitesEmpty.hidden = sites.length > 0;
  document.body.dataset.sites = String(sites.length);
}

async function load() {
  const synced = await chrome.storage.sync.get({ apiBase: DEFAULT_API_BASE, sites: [] });
  const local = await chrome.storage.local.get({ apiKey: "" });
  apiBase = normalizeApiBase(synced.apiBase) || DEFAULT_API_BASE;
  sites = cleanSites(synced.sites);
  ui.apiBase.value = apiBase;
  ui.apiKey.value = local.apiKey || "";
  renderSites();
}

function onSaveServer(event) {
  event.preventDefault();
  const base = normalizeApiBase(ui.apiBase.value || DEFAULT_API_BASE);
  if (!base) {
    ui.serverStatus.textContent = "API の URL は http:// または https:// で始まるアドレスで入力してください。";
    ui.apiBase.focus();
    return;
  }
  const key = ui.apiKey.value.trim();
  requestAccess(base).then(async (granted) => {
    if (!granted) {
      ui.serverStatus.textContent = "サーバーへのアクセスが許可されなかったため、保存しませんでした。";
      return;
    }
    await chrome.storage.sync.set({ apiBase: base });
    await chrome.storage.local.set({ apiKey: key });
    apiBase = base;
    ui.apiBase.value = base;
    ui.serverStatus.textContent = "保存しました。";
    document.body.dataset.saved = "true";
  });
}

async function onTest() {
  ui.serverStatus.textContent = "接続を確認しています…";
  const result = await chrome.runtime.sendMessage({ type: "ping" }).catch(() => ({ ok: false, error: { kind: "extension" } }));
  ui.serverStatus.textContent = result.ok
    ? `接続できました(モデル ${result.version || "不明"})。`
    : errorMessage(result.error, t, { manual: true });
}

function onAddSite(event) {
  event.preventDefault();
  const origin = normalizeOrigin(ui.siteOrigin.value);
  if (!origin) {
    ui.sitesStatus.textContent = "サイトのアドレスは https://example.com のように入力してください。";
    ui.siteOrigin.focus();
    return;
  }
  requestAccess(origin).then(async (granted) => {
    if (!granted) {
      ui.sitesStatus.textContent = `${origin} へのアクセスが許可されなかったため、追加しませんでした。`;
      return;
    }
    sites = cleanSites([...sites, origin]);
    await chrome.storage.sync.set({ sites });
    await chrome.runtime.sendMessage({ type: "syncSites" }).catch(() => null);
    ui.siteOrigin.value = "";
    ui.sitesStatus.textContent = `${origin} を追加しました。開いているページは再読み込みしてください。`;
    renderSites();
  });
}

async function removeSite(origin) {
  sites = sites.filter((site) => site !== origin);
  await chrome.storage.sync.set({ sites });
  const host = hostOf(origin);
  const stillNeeded = hostOf(apiBase) === host || sites.some((site) => hostOf(site) === host);
  if (!isBuiltInHost(origin) && !stillNeeded) {
    await chrome.permissions.remove({ origins: [permissionPattern(origin)] }).catch(() => false);
  }
  await chrome.runtime.sendMessage({ type: "syncSites" }).catch(() => null);
  ui.sitesStatus.textContent = `${origin} を削除しました。`;
  renderSites();
}

ui.serverForm.addEventListener("submit", onSaveServer);
ui.test.addEventListener("click", onTest);
ui.siteForm.addEventListener("submit", onAddSite);
load().then(() => {
  document.body.dataset.ready = "true";
});
