// Cadastre's web UI: hash routes (#/search, #/dataset/{ns}/{name}, …), one
// page module each, rendered into <main>. Pages get the signed-in Session and
// an AbortSignal that fires when the person navigates away.
import { ApiError, setToken, setUnauthenticatedHandler, token } from './lib/api.js';
import { append, clear, h } from './lib/dom.js';
import { Session } from './lib/session.js';

const pages = {
  signin: () => import('./pages/signin.js'),
  search: () => import('./pages/search.js'),
  dataset: () => import('./pages/dataset.js'),
  lineage: () => import('./pages/lineage.js'),
  job: () => import('./pages/job.js'),
  glossary: () => import('./pages/glossary.js'),
  audit: () => import('./pages/audit.js'),
};

const main = document.getElementById('main');
let session = null;
let current = null;  // {controller}
let signInMessage = '';

export function notify(message, kind = 'error') {
  const area = document.getElementById('notices');
  const note = h('div', { class: ['notice', `notice-${kind}`], role: kind === 'error' ? 'alert' : 'status' },
    h('span', null, message),
    h('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss', onclick: () => note.remove() }, '×'));
  area.append(note);
  if (kind !== 'error') setTimeout(() => note.remove(), 5000);
}

// The message to show for an error thrown by an API call.
export function describeError(error) {
  if (error instanceof ApiError) return error.describe();
  return error?.message ?? String(error);
}

export function errorBox(error) {
  const forbidden = error instanceof ApiError && error.status === 403;
  return h('div', { class: ['error-box', forbidden && 'forbidden'], role: 'alert' }, describeError(error));
}

function parseHash() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [pathPart, queryPart = ''] = hash.split('?');
  const segments = pathPart.split('/').filter((s) => s !== '').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return { name: segments[0] || 'search', segments: segments.slice(1), query: new URLSearchParams(queryPart) };
}

export function navigate(hash, { replace = false } = {}) {
  if (replace) {
    history.replaceState(null, '', hash);
    render();
  } else {
    location.hash = hash;
  }
}

function renderShell() {
  const bar = document.getElementById('topbar');
  bar.hidden = !session;
  const who = clear(document.getElementById('who'));
  if (!session) return;
  const roles = (session.principal.roles ?? []).join(', ');
  const domains = (session.principal.domains ?? []).join(', ');
  append(who, [
    h('span', { class: 'who-name', title: domains ? `Domains: ${domains}` : 'Every domain' },
      h('strong', { id: 'who-name' }, session.name),
      roles ? h('span', { class: 'who-roles' }, roles) : null),
    h('button', { type: 'button', class: 'secondary', id: 'sign-out', onclick: signOut }, 'Sign out'),
  ]);
  document.getElementById('nav-audit').hidden = !(session.can('READ_AUDIT'));
}

function markNav(name) {
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

export function signOut() {
  setToken('');
  session = null;
  renderShell();
  navigate('#/signin');
}

export async function signIn(value) {
  const candidate = await Session.load({ tokenOverride: value });
  setToken(value);
  session = candidate;
  renderShell();
}

async function ensureSession() {
  if (session || !token()) return session;
  try {
    session = await Session.load();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) throw error;
    setToken('');
    session = null;
  }
  renderShell();
  return session;
}

async function render() {
  current?.controller.abort();
  const controller = new AbortController();
  current = { controller };
  const route = parseHash();
  try {
    await ensureSession();
  } catch (error) {
    clear(main);
    main.append(errorBox(error));
    return;
  }
  if (!session && route.name !== 'signin') {
    const back = location.hash && !location.hash.startsWith('#/signin') ? location.hash : '';
    history.replaceState(null, '', `#/signin${back ? `?next=${encodeURIComponent(back)}` : ''}`);
    return render();
  }
  const load = pages[route.name] ?? pages.search;
  markNav(route.name === 'signin' ? '' : route.name in pages ? route.name : 'search');
  const module = await load();
  if (controller.signal.aborted) return;
  clear(main);
  const ctx = {
    main, session, route, signal: controller.signal, navigate, notify, errorBox,
    signInMessage: () => {
      const message = signInMessage;
      signInMessage = '';
      return message;
    },
  };
  try {
    await module.render(ctx);
  } catch (error) {
    if (error?.name === 'AbortError' || controller.signal.aborted) return;
    main.append(errorBox(error));
  }
}

setUnauthenticatedHandler((error) => {
  if (!session) return;
  setToken('');
  session = null;
  signInMessage = `Your token no longer works (${error.message}). Sign in again.`;
  renderShell();
  navigate('#/signin');
});

// "/" focuses the page's search box from anywhere but a text field.
document.addEventListener('keydown', (event) => {
  if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
  const box = document.querySelector('[data-search-box]');
  if (box) {
    event.preventDefault();
    box.focus();
    box.select?.();
  } else if (session) {
    event.preventDefault();
    navigate('#/search');
  }
});

window.addEventListener('hashchange', render);
render();
