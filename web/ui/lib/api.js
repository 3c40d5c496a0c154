// The one way the UI talks to the server: /api/v1 with the signed-in
// principal's bearer token. The token lives in sessionStorage (this tab
// only, gone when it closes) and is sent nowhere else.

const TOKEN_KEY = 'cadastre.token';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

// An answer other than 2xx, with the server's {"error": {code, message, field}}.
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code || '';
    this.field = field || '';
  }

  // What a person should read.
  describe() {
    if (this.status === 403) return `Not allowed: ${this.message}`;
    if (this.status === 401) return `Signed out: ${this.message}`;
    if (this.status === 0) return this.message;
    return this.message;
  }
}

let onUnauthenticated = () => {};
export function setUnauthenticatedHandler(fn) {
  onUnauthenticated = fn;
}

function url(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, value);
  }
  const text = params.toString();
  return `/api/v1${path}${text ? `?${text}` : ''}`;
}

async function send(method, path, { query, body, signal, tokenOverride, raw } = {}) {
  const headers = { Authorization: `Bearer ${tokenOverride ?? token()}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(url(path, query), {
      method, headers, signal, cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'UNAVAILABLE', 'The server cannot be reached.');
  }
  if (!res.ok) {
    let error = {};
    try {
      error = (await res.json()).error ?? {};
    } catch {
      // not JSON: keep the status alone
    }
    const err = new ApiError(res.status, error.code, error.message, error.field);
    if (res.status === 401 && tokenOverride === undefined) onUnauthenticated(err);
    throw err;
  }
  if (raw) return res;
  const text = await res.text();
  return text ? JSON.parse(text) : {};
}

export const api = {
  get: (path, query, options = {}) => send('GET', path, { ...options, query }),
  put: (path, body, options = {}) => send('PUT', path, { ...options, body }),
  post: (path, body, options = {}) => send('POST', path, { ...options, body }),
  del: (path, options = {}) => send('DELETE', path, options),
};

export const enc = encodeURIComponent;
export const datasetPath = (ns, name) => `/namespaces/${enc(ns)}/datasets/${enc(name)}`;

// Fetches an export (CSV, JSON Lines, JSON) with the token and hands it to
// the browser as a file download.
export async function download(path, query, filename) {
  const res = await send('GET', path, { query, raw: true });
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10000);
}
