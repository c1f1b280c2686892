// The options page, which is also the first-run setup page (background.js opens it on install):
// what the extension does, the Urikomi server's address (storage.sync; no default, "not set yet"
// until the user saves one) with 接続テスト, the API key (storage.local only), the sensitivity and
// the 「このままにする」 choices shared with the popup and the in-page panel (storage.sync), and
// the sites the user opts in to (storage.sync). Host access beyond 127.0.0.1 / localhost is
// asked for only here (or from the popup), when the user tests or saves another address or adds
// a site.

import { cleanKeep } from "./src/api.js";
import {
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
  serverState: $("server-state"),
  sensitivity: $("sensitivity"),
  keep: $("keep"),
  keepEmpty: $("keep-empty"),
  siteForm: $("site-form"),
  siteOrigin: $("site-origin"),
  sitesStatus: $("sites-status"),
  sitesEmpty: $("sites-empty"),
  sites: $("sites"),
};
let sites = [];
let apiBase = null;
let keep = [];

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

function renderServerState() {
  ui.serverState.dataset.configured = String(Boolean(apiBase));
  ui.serverState.textContent = apiBase
    ? `${apiBase} に接続する設定です。`
    : "まだ設定されていません。下にサーバーのアドレスを入力し、「接続テスト」で確かめてから保存してください。";
  document.body.dataset.configured = String(Boolean(apiBase));
}

function renderKeep() {
  ui.keep.replaceChildren();
  for (const choice of keep) {
    const item = document.createElement("li");
    item.className = "ext-sites__item";
    item.dataset.keepKind = choice.kind;
    item.dataset.keepValue = choice.value;
    const name = document.createElement("span");
    name.textContent = choice.kind === "rule" ? `確認:${choice.value}` : `言葉:${choice.value}`;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button button--quiet";
    remove.textContent = "削除";
    remove.setAttribute("aria-label", `「${choice.value}」を削除(もう一度指摘します)`);
    remove.addEventListener("click", async () => {
      keep = keep.filter((k) => !(k.kind === choice.kind && k.value === choice.value));
      await chrome.storage.sync.set({ keep });
      renderKeep();
    });
    item.append(name, remove);
    ui.keep.append(item);
  }
  ui.keepEmpty.hidden = keep.length > 0;
}

async function load() {
  const synced = await chrome.storage.sync.get({ apiBase: "", sites: [], keep: [], sensitivity: "default" });
  const local = await chrome.storage.local.get({ apiKey: "" });
  apiBase = normalizeApiBase(synced.apiBase) || null;
  sites = cleanSites(synced.sites);
  keep = cleanKeep(synced.keep);
  ui.apiBase.value = apiBase || "";
  ui.apiKey.value = local.apiKey || "";
  ui.sensitivity.value = ["low", "default", "high"].includes(synced.sensitivity) ? synced.sensitivity : "default";
  renderServerState();
  renderSites();
  renderKeep();
}

function setServerStatus(result, message) {
  ui.serverStatus.dataset.result = result;
  ui.serverStatus.textContent = message;
}

function onSaveServer(event) {
  event.preventDefault();
  const base = normalizeApiBase(ui.apiBase.value);
  if (!base) {
    setServerStatus("invalid", "サーバーのアドレスは http:// または https:// で始まる形で入力してください(例:http://127.0.0.1:8000)。");
    ui.apiBase.focus();
    return;
  }
  const key = ui.apiKey.value.trim();
  requestAccess(base).then(async (granted) => {
    if (!granted) {
      setServerStatus("permission", "このアドレスへのアクセスが許可されなかったため、保存しませんでした。");
      return;
    }
    await chrome.storage.sync.set({ apiBase: base });
    await chrome.storage.local.set({ apiKey: key });
    apiBase = base;
    ui.apiBase.value = base;
    renderServerState();
    setServerStatus("saved", "保存しました。");
    document.body.dataset.saved = "true";
  });
}

/** 接続テスト: the address and key as typed (saved or not); reachable, unreachable or wrong key. */
function onTest() {
  const base = normalizeApiBase(ui.apiBase.value);
  if (!base) {
    setServerStatus("not_set", "先にサーバーのアドレスを入力してください(例:http://127.0.0.1:8000)。");
    ui.apiBase.focus();
    return;
  }
  const key = ui.apiKey.value.trim();
  setServerStatus("testing", "接続を確かめています…");
  requestAccess(base).then(async (granted) => {
    if (!granted) {
      setServerStatus("permission", "このアドレスへのアクセスが許可されなかったため、確かめられませんでした。");
      return;
    }
    const result = await chrome.runtime
      .sendMessage({ type: "ping", apiBase: base, apiKey: key })
      .catch(() => ({ ok: false, error: { kind: "extension" } }));
    const kind = result.ok ? "reachable" : (result.error && result.error.kind) || "server";
    if (kind === "reachable") {
      setServerStatus("reachable", `接続できました。このサーバーでチェックできます(モデル ${result.version || "不明"})。${base === apiBase ? "" : "よろしければ「保存する」を押してください。"}`);
    } else if (kind === "auth_required" || kind === "auth_rejected") {
      setServerStatus(
        "wrong_key",
        kind === "auth_required"
          ? "サーバーには接続できましたが、このサーバーではアクセス用のキーが必要です。キーを入力してください。"
          : "サーバーには接続できましたが、アクセス用のキーが違います。キーをご確認ください。",
      );
    } else if (kind === "unreachable") {
      setServerStatus("unreachable", `${base} に接続できませんでした。アドレスが正しいか、サーバーが起動しているかをご確認ください。`);
    } else {
      setServerStatus(kind, errorMessage(result.error, t, { manual: true }));
    }
  });
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
ui.sensitivity.addEventListener("change", () => chrome.storage.sync.set({ sensitivity: ui.sensitivity.value }));
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === "sync" && changes.keep) {
    keep = cleanKeep(changes.keep.newValue);
    renderKeep();
  }
});
ui.siteForm.addEventListener("submit", onAddSite);
load().then(() => {
  document.body.dataset.ready = "true";
});
