// Origins and match patterns, shared by the service worker, the options page and the popup.
// A "site" is an origin such as https://x.com or http://127.0.0.1:3000 (scheme + host + port).

/** The address of a server started on this computer with `urikomi serve` (shown as an example; never assumed). */
export const DEFAULT_API_BASE = "http://127.0.0.1:8000";

/** Hosts the manifest already grants (host_permissions), so no permission prompt is needed. */
export const BUILT_IN_HOSTS = Object.freeze(["127.0.0.1", "localhost"]);

function parseHttpUrl(value) {
  if (typeof value !== "string") return null;
  let text = value.trim();
  if (!text) return null;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `https://${text}`;
  let url;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (!url.hostname || url.username || url.password) return null;
  return url;
}

/** The origin of `value` ("x.com" → "https://x.com"), or null when it is not an http(s) address. */
export function normalizeOrigin(value) {
  const url = parseHttpUrl(value);
  return url ? url.origin : null;
}

/**
 * The API base URL without a trailing slash, query or fragment (a path prefix is kept, e.g. for a
 * reverse proxy at https://example.com/urikomi), or null when invalid.
 */
export function normalizeApiBase(value) {
  const url = parseHttpUrl(value);
  if (!url) return null;
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.origin}${path}`;
}

/** The permission pattern for an origin's host (every port: permission patterns ignore ports). */
export function permissionPattern(origin) {
  const url = new URL(origin);
  return `${url.protocol}//${url.hostname}/*`;
}

/** Content-script match patterns for an origin: port-exact where the browser supports it. */
export function contentPatterns(origin, { withPort = true } = {}) {
  const url = new URL(origin);
  if (withPort && url.port) return [`${url.protocol}//${url.hostname}:${url.port}/*`];
  return [`${url.protocol}//${url.hostname}/*`];
}

/** True when the manifest's host_permissions already cover this origin. */
export function isBuiltInHost(origin) {
  try {
    const url = new URL(origin);
    return url.protocol === "http:" && BUILT_IN_HOSTS.includes(url.hostname);
  } catch {
    return false;
  }
}

/** A de-duplicated, sorted list of valid origins. */
export function cleanSites(list) {
  const out = new Set();
  for (const item of Array.isArray(list) ? list : []) {
    const origin = normalizeOrigin(item);
    if (origin) out.add(origin);
  }
  return [...out].sort();
}
