// The Urikomi API client. Used ONLY by the background service worker: every network call of the
// extension goes through here, to the configured base URL and nowhere else.

import { cleanSites, normalizeApiBase, permissionPattern } from "./sites.js";

const TIMEOUT_MS = 15000;
/** Drafts longer than this are refused locally (the server's own limit is usually 10,000). */
export const LOCAL_MAX_CHARS = 200000;

const SENSITIVITIES = ["low", "default", "high"];
const RULE_ID = /^[a-z_]+(\.[a-z_]+)*$/;

/**
 * The 「このままにする」 choices, the same shape as the web form's (localStorage urikomi.keep):
 * [{kind: "term"|"rule", value}], de-duplicated and valid only.
 */
export function cleanKeep(list) {
  const seen = new Set();
  const out = [];
  for (const item of Array.isArray(list) ? list : []) {
    if (!item || (item.kind !== "term" && item.kind !== "rule") || typeof item.value !== "string") continue;
    const value = item.value.trim();
    if (!value || value.length > 50 || seen.has(`${item.kind}:${value}`)) continue;
    if (item.kind === "rule" && !RULE_ID.test(value)) continue;
    seen.add(`${item.kind}:${value}`);
    out.push({ kind: item.kind, value });
  }
  return out;
}

/**
 * Settings: the server address (null until the user sets one: there is no default, so a first
 * check shows the setup page rather than a connection error), opted-in sites, the 「このままにする」
 * choices and the sensitivity in storage.sync; the API key in storage.local only.
 */
export async function loadSettings() {
  const [synced, local] = await Promise.all([
    chrome.storage.sync.get({ apiBase: "", sites: [], keep: [], sensitivity: "default" }),
    chrome.storage.local.get({ apiKey: "" }),
  ]);
  return {
    apiBase: normalizeApiBase(synced.apiBase) || null,
    sites: cleanSites(synced.sites),
    keep: cleanKeep(synced.keep),
    sensitivity: SENSITIVITIES.includes(synced.sensitivity) ? synced.sensitivity : "default",
    apiKey: typeof local.apiKey === "string" ? local.apiKey.trim() : "",
  };
}

/** The request's controls from the settings (the API's `ignore`, `allow_terms`, `sensitivity`). */
export function controlsOf(settings) {
  const keep = settings.keep || [];
  return {
    sensitivity: settings.sensitivity || "default",
    ignore: keep.filter((k) => k.kind === "rule").map((k) => k.value).slice(-50),
    allow_terms: keep.filter((k) => k.kind === "term").map((k) => k.value).slice(-50),
  };
}

// Per base URL: when 429 said to come back (ms since epoch). Nothing is sent before then.
const blockedUntil = new Map();
// Per base URL + key: the GET /v1/model answer (thresholds for the meters).
const modelCache = new Map();

function secondsLeft(base) {
  const until = blockedUntil.get(base) || 0;
  const left = until - Date.now();
  return left > 0 ? Math.ceil(left / 1000) : 0;
}

function parseRetryAfter(value) {
  if (!value) return 10;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.max(1, Math.ceil(seconds));
  const date = Date.parse(value);
  if (Number.isFinite(date)) return Math.max(1, Math.ceil((date - Date.now()) / 1000));
  return 10;
}

function detailText(detail) {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail.map((item) => (item && typeof item.msg === "string" ? item.msg : String(item))).join(" / ");
  }
  return "";
}

/** A failed HTTP answer → a plain error object the UIs turn into a sentence. */
export function classifyFailure(status, payload, headers, base) {
  const detail = detailText(payload && payload.detail);
  if (status === 401) return { kind: "auth_required", status, url: base };
  if (status === 403) return { kind: "auth_rejected", status, url: base };
  if (status === 429) {
    const retryAfter = parseRetryAfter(headers && headers.get("retry-after"));
    blockedUntil.set(base, Date.now() + retryAfter * 1000);
    return { kind: "rate_limited", status, retryAfter };
  }
  if (status === 413) return { kind: "too_long", status };
  if (status === 422) {
    if (/empty or only whitespace/.test(detail)) return { kind: "empty", status };
    const long = /text is (\d+) characters long; the limit is (\d+)/.exec(detail);
    if (long) return { kind: "too_long", status, count: Number(long[1]), limit: Number(long[2]) };
    return { kind: "invalid", status, detail };
  }
  if (status === 503) return { kind: "loading", status };
  return { kind: "server", status, detail };
}

async function hasPermission(base) {
  try {
    return await chrome.permissions.contains({ origins: [permissionPattern(base)] });
  } catch {
    return false;
  }
}

async function request(settings, path, init) {
  const base = settings.apiBase;
  if (!base) return { ok: false, error: { kind: "not_configured" } };
  const wait = secondsLeft(base);
  if (wait > 0) return { ok: false, error: { kind: "rate_limited", retryAfter: wait } };
  if (!(await hasPermission(base))) return { ok: false, error: { kind: "permission", url: base } };
  const headers = { Accept: "application/json", ...(init.headers || {}) };
  if (settings.apiKey) headers["X-API-Key"] = settings.apiKey;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(`${base}${path}`, {
      ...init,
      headers,
      signal: controller.signal,
      cache: "no-store",
      credentials: "omit",
      referrerPolicy: "no-referrer",
    });
  } catch (error) {
    clearTimeout(timer);
    const timedOut = error && error.name === "AbortError";
    return { ok: false, error: { kind: "unreachable", url: base, timedOut } };
  }
  let payload = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) return { ok: false, error: classifyFailure(response.status, payload, response.headers, base) };
  return { ok: true, payload };
}

/** GET /v1/model, cached per base URL and key; null when it cannot be had (meters lose their marks). */
export async function fetchModel(settings) {
  const cacheKey = `${settings.apiBase} ${settings.apiKey}`;
  if (modelCache.has(cacheKey)) return modelCache.get(cacheKey);
  const result = await request(settings, "/v1/model", { method: "GET" });
  if (!result.ok || !result.payload || typeof result.payload.thresholds !== "object") return null;
  const model = {
    version: result.payload.version,
    thresholds: result.payload.thresholds,
    caution_thresholds: result.payload.caution_thresholds || {},
  };
  modelCache.set(cacheKey, model);
  return model;
}

/** POST /v1/analyze → { ok: true, text, report, model } or { ok: false, error }. */
export async function analyze(settings, text) {
  if (typeof text !== "string" || !text.trim()) return { ok: false, error: { kind: "empty" } };
  if (text.length > LOCAL_MAX_CHARS) return { ok: false, error: { kind: "too_long", count: text.length } };
  const result = await request(settings, "/v1/analyze", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ text, lang: "ja", ...controlsOf(settings) }),
  });
  if (!result.ok) return result;
  const report = result.payload;
  if (!report || typeof report !== "object" || !report.scores || !Array.isArray(report.spans)) {
    return { ok: false, error: { kind: "server", status: 200, detail: "unexpected answer" } };
  }
  const model = await fetchModel(settings);
  return { ok: true, text, report, model };
}

/**
 * 接続テスト for the options page (GET /v1/model with the key): { ok: true, version } when the
 * server answers, else { ok: false, error } (unreachable, auth_required / auth_rejected for a
 * missing or wrong key, permission, not_configured...).
 */
export async function ping(settings) {
  modelCache.clear();
  const result = await request(settings, "/v1/model", { method: "GET" });
  if (!result.ok) return result;
  return { ok: true, version: result.payload && result.payload.version };
}

/** Forget cached answers (after the settings change). */
export function resetCaches() {
  modelCache.clear();
  blockedUntil.clear();
}
