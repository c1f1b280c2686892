// The background service worker: the only place that talks to the Urikomi API.
//
// - the context menu 「売り込みチェック」 on selected text;
// - messages from the popup, the options page and the content script ("analyze", ...);
// - the content script is registered only for the sites the user opted in to.
//
// Privacy: a content script's text is analysed only when the sender's origin is opted in; nothing
// is stored except the settings (and, for a moment, a context-menu result in storage.session).

import { analyze, loadSettings, ping, resetCaches } from "./src/api.js";
import { normalizeApiBase } from "./src/sites.js";
import { contentPatterns, permissionPattern } from "./src/sites.js";

const MENU_ID = "urikomi-check-selection";
const SCRIPT_ID = "urikomi-content";
const PENDING_PREFIX = "pending:";

// ---- context menu --------------------------------------------------------------------------

function createMenus() {
  chrome.contextMenus.removeAll(() => {
    chrome.contextMenus.create({ id: MENU_ID, title: "売り込みチェック", contexts: ["selection"] }, () => {
      void chrome.runtime.lastError; // already exists after a quick restart: fine
    });
  });
}

/**
 * The context-menu handler: analyse the selected text and show the result in a small window.
 * Returns { pendingId, result } (used by the tests).
 */
export async function onContextMenuClick(info, tab) {
  if (!info || info.menuItemId !== MENU_ID) return null;
  const text = typeof info.selectionText === "string" ? info.selectionText : "";
  const settings = await loadSettings();
  const result = text.trim() ? await analyze(settings, text) : { ok: false, error: { kind: "empty" } };
  const pendingId = crypto.randomUUID();
  await chrome.storage.session.set({ [PENDING_PREFIX + pendingId]: { text, result, at: Date.now() } });
  const url = chrome.runtime.getURL(`popup.html?pending=${encodeURIComponent(pendingId)}`);
  try {
    await chrome.windows.create({ url, type: "popup", width: 460, height: 720, focused: true });
  } catch {
    await chrome.tabs.create({ url, index: tab && Number.isInteger(tab.index) ? tab.index + 1 : undefined });
  }
  return { pendingId, result };
}

// ---- content-script registration -----------------------------------------------------------

let syncing = Promise.resolve();

async function permittedSites(sites) {
  const allowed = [];
  for (const origin of sites) {
    try {
      if (await chrome.permissions.contains({ origins: [permissionPattern(origin)] })) allowed.push(origin);
    } catch {
      // not a valid pattern: skip
    }
  }
  return allowed;
}

async function registerFor(origins, withPort) {
  const matches = [...new Set(origins.flatMap((origin) => contentPatterns(origin, { withPort })))];
  await chrome.scripting.registerContentScripts([
    { id: SCRIPT_ID, matches, js: ["content.js"], runAt: "document_idle", allFrames: false, persistAcrossSessions: true },
  ]);
}

/** Make the registered content script match exactly the opted-in (and permitted) sites. */
export function syncContentScripts() {
  syncing = syncing.then(async () => {
    const { sites } = await loadSettings();
    const origins = await permittedSites(sites);
    const existing = await chrome.scripting.getRegisteredContentScripts({ ids: [SCRIPT_ID] });
    if (existing.length) await chrome.scripting.unregisterContentScripts({ ids: [SCRIPT_ID] });
    if (!origins.length) return [];
    try {
      await registerFor(origins, true);
    } catch {
      await registerFor(origins, false); // browsers without ports in match patterns (Firefox)
    }
    return origins;
  }).catch((error) => {
    console.warn("Urikomi: could not register the content script", error);
  });
  return syncing;
}

// ---- messages ------------------------------------------------------------------------------

function senderOrigin(sender) {
  if (sender.origin) return sender.origin;
  try {
    return new URL(sender.url).origin;
  } catch {
    return null;
  }
}

function fromExtensionPage(sender) {
  return typeof sender.url === "string" && sender.url.startsWith(chrome.runtime.getURL(""));
}

async function mayAnalyze(sender) {
  if (sender.id !== chrome.runtime.id) return false;
  if (fromExtensionPage(sender)) return true;
  const { sites } = await loadSettings();
  return sites.includes(senderOrigin(sender)) && sender.frameId === 0;
}

async function takePending(id) {
  const key = PENDING_PREFIX + id;
  const stored = await chrome.storage.session.get(key);
  await chrome.storage.session.remove(key);
  return stored[key] || null;
}

export async function handleMessage(message, sender) {
  switch (message && message.type) {
    case "analyze":
      if (!(await mayAnalyze(sender))) return { ok: false, error: { kind: "not_allowed" } };
      return analyze(await loadSettings(), message.text);
    case "ping": {
      // 接続テスト may try an address (and key) the user has typed but not saved yet
      if (!fromExtensionPage(sender)) return { ok: false, error: { kind: "not_allowed" } };
      const settings = await loadSettings();
      if (typeof message.apiBase === "string") settings.apiBase = normalizeApiBase(message.apiBase);
      if (typeof message.apiKey === "string") settings.apiKey = message.apiKey.trim();
      return ping(settings);
    }
    case "takePending":
      if (!fromExtensionPage(sender)) return null;
      return takePending(String(message.id || ""));
    case "openOptions":
      await chrome.runtime.openOptionsPage();
      return { ok: true };
    case "syncSites":
      return { ok: true, origins: await syncContentScripts() };
    default:
      return { ok: false, error: { kind: "invalid", detail: "unknown message" } };
  }
}

// ---- wiring (top level, so the listeners exist whenever the worker wakes up) ----------------

chrome.runtime.onInstalled.addListener((details) => {
  createMenus();
  syncContentScripts();
  if (details && details.reason === "install") {
    // first run: the setup page explains what the extension does and asks for the server address
    chrome.runtime.openOptionsPage().catch(() => null);
  }
});
chrome.runtime.onStartup.addListener(() => {
  createMenus();
  syncContentScripts();
});
chrome.contextMenus.onClicked.addListener((info, tab) => {
  onContextMenuClick(info, tab).catch((error) => console.warn("Urikomi: context menu failed", error));
});
chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  handleMessage(message, sender).then(sendResponse, (error) =>
    sendResponse({ ok: false, error: { kind: "server", detail: String(error && error.message) } }),
  );
  return true; // answer asynchronously
});
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === "sync" && changes.sites) syncContentScripts();
  if ((area === "sync" && (changes.apiBase || changes.keep || changes.sensitivity)) || (area === "local" && changes.apiKey)) {
    resetCaches();
  }
});
chrome.permissions.onAdded.addListener(() => syncContentScripts());
chrome.permissions.onRemoved.addListener(() => syncContentScripts());

// For the tests and for debugging from the service worker's console.
globalThis.urikomi = { onContextMenuClick, handleMessage, syncContentScripts, MENU_ID };
