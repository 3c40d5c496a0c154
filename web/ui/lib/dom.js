// Small DOM helpers. Nothing here ever assigns innerHTML: text from the
// server always becomes text nodes, and the one kind of markup the server
// sends (search snippets with <mark>) is rebuilt node by node.

// h('a', {href: '#/x', class: 'c', onclick: fn}, 'text', child, [more])
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith('on') && typeof value === 'function') {
        el.addEventListener(key.slice(2), value);
      } else if (key === 'class') {
        el.className = Array.isArray(value) ? value.flat(Infinity).filter(Boolean).join(' ') : value;
      } else if (key === 'dataset') {
        Object.assign(el.dataset, value);
      } else if (key === 'value') {
        el.value = value;
      } else if (key === 'checked' || key === 'selected' || key === 'disabled') {
        el[key] = Boolean(value);
      } else {
        el.setAttribute(key, value === true ? '' : String(value));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

// A search snippet ("…the <mark>customer</mark> table…", the rest already
// HTML-escaped by the server) as DOM nodes: <mark> and </mark> become
// elements, everything else text. Any other tag, should one ever arrive,
// shows as literal text and can do nothing.
export function snippet(html) {
  const frag = document.createDocumentFragment();
  let marked = null;
  for (const part of String(html).split(/(<mark>|<\/mark>)/)) {
    if (part === '<mark>') {
      marked = h('mark');
      frag.append(marked);
    } else if (part === '</mark>') {
      marked = null;
    } else if (part) {
      (marked ?? frag).append(document.createTextNode(decodeEntities(part)));
    }
  }
  return frag;
}

export function formatTime(value) {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/:00Z$/, 'Z');
}

export function plural(n, one, many = `${one}s`) {
  return `${n} ${Number(n) === 1 ? one : many}`;
}

// Hash routes of the pages, each segment percent-encoded.
export const enc = encodeURIComponent;
export const route = {
  search: (query = {}) => `#/search${queryString(query)}`,
  dataset: (ns, name, query = {}) => `#/dataset/${enc(ns)}/${enc(name)}${queryString(query)}`,
  lineage: (ns, name, query = {}) => `#/lineage/${enc(ns)}/${enc(name)}${queryString(query)}`,
  job: (ns, name) => `#/job/${enc(ns)}/${enc(name)}`,
  term: (name) => `#/glossary/${enc(name)}`,
  trace: (ns, dataset, field) => `#/audit/trace${queryString({ namespace: ns, dataset, field })}`,
};

export function queryString(query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, value);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

// "datasetField:{ns}:{dataset}:{field}" / "dataset:{ns}:{name}". Namespaces
// hold colons (postgres://crm:5432), so the dataset is found from the known
// namespace when one is given, and otherwise from the last colons.
export function parseNodeId(id) {
  if (id.startsWith('datasetField:')) {
    const rest = id.slice('datasetField:'.length);
    const last = rest.lastIndexOf(':');
    const mid = rest.lastIndexOf(':', last - 1);
    return { kind: 'field', namespace: rest.slice(0, mid), dataset: rest.slice(mid + 1, last), field: rest.slice(last + 1) };
  }
  if (id.startsWith('dataset:')) {
    const rest = id.slice('dataset:'.length);
    const last = rest.lastIndexOf(':');
    return { kind: 'dataset', namespace: rest.slice(0, last), dataset: rest.slice(last + 1) };
  }
  return { kind: 'other', id };
}

export function chip(text, attrs = {}) {
  return h('span', { ...attrs, class: ['chip', attrs.class] }, text);
}

export function tagChip(tag, extra = {}) {
  const family = tag.split('.')[0].toLowerCase();
  return chip(tag, { ...extra, class: ['tag', `tag-${family}`, extra.class] });
}

export function emptyState(text) {
  return h('p', { class: 'empty' }, text);
}

export function spinner(label = 'Loading…') {
  return h('p', { class: 'loading', role: 'status' }, label);
}

// Tabs with arrow-key navigation (WAI-ARIA tabs pattern).
export function tabs(items, active, onSelect) {
  const list = h('div', { class: 'tabs', role: 'tablist' });
  const buttons = items.map(({ id, label }) => h('button', {
    type: 'button', role: 'tab', id: `tab-${id}`, 'aria-selected': String(id === active),
    tabindex: id === active ? '0' : '-1', dataset: { tab: id },
    onclick: () => onSelect(id),
  }, label));
  list.addEventListener('keydown', (event) => {
    const index = buttons.indexOf(document.activeElement);
    if (index < 0) return;
    let next = -1;
    if (event.key === 'ArrowRight') next = (index + 1) % buttons.length;
    if (event.key === 'ArrowLeft') next = (index - 1 + buttons.length) % buttons.length;
    if (next >= 0) {
      event.preventDefault();
      buttons[next].focus();
      onSelect(items[next].id);
    }
  });
  append(list, buttons);
  return list;
}
