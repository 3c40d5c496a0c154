// Interactive lineage of a dataset or a column: up- and downstream depths
// grown one hop at a time, per node or for the whole graph, column or table
// view, DIRECT / INDIRECT edges drawn apart, masking steps marked, hidden
// nodes redacted by the server (GET /api/v1/lineage/graph).
import { api, datasetPath } from '../lib/api.js';
import { append, clear, h, route } from '../lib/dom.js';
import { drawGraph, legend } from '../lib/graph.js';

const clamp = (n, lo, hi) => Math.max(lo, Math.min(hi, n));

function edgeKey(e) {
  const t = e.transformation ?? {};
  return [e.source, e.target, e.job?.namespace ?? '', e.job?.name ?? '', t.type ?? '', t.subtype ?? '', t.masking ? 1 : 0].join('|');
}

// The lineage graph as the server answers it, merged from several calls.
class Lineage {
  constructor() {
    this.nodes = new Map();
    this.edges = new Map();
    this.depthLimited = { UPSTREAM: false, DOWNSTREAM: false };
    this.truncated = false;
  }

  merge(answer, direction) {
    const added = [];
    for (const node of answer.nodes ?? []) {
      const known = this.nodes.get(node.id);
      if (!known) {
        this.nodes.set(node.id, node);
        added.push(node.id);
      }
    }
    for (const edge of answer.edges ?? []) this.edges.set(edgeKey(edge), edge);
    if (direction && answer.depthLimited) this.depthLimited[direction] = true;
    if (answer.truncated) this.truncated = true;
    return added;
  }
}

function refOf(node) {
  return node?.ref ?? {};
}

export async function render(ctx) {
  const [ns, name] = ctx.route.segments;
  const q = ctx.route.query;
  const state = {
    field: q.get('field') ?? '',
    view: q.get('view') === 'table' ? 'table' : 'column',
    up: clamp(Number(q.get('up') ?? 1) || 0, 0, 20),
    down: clamp(Number(q.get('down') ?? 1) || 0, 0, 20),
  };
  if (!q.has('up') && !q.has('down')) { state.up = 1; state.down = 1; }
  // Nodes grown one hop by hand: [{id, direction}], kept while the view lasts.
  let expansions = [];
  let selected = null;
  let graph = null;
  let lineage = new Lineage();
  let fresh = new Set();
  const signal = ctx.signal;
  document.title = `Lineage of ${name}${state.field ? `.${state.field}` : ''} · Cadastre`;

  const page = h('section', { class: 'lineage-page' });
  ctx.main.append(page);

  let dataset = null;
  try {
    dataset = await api.get(datasetPath(ns, name), undefined, { signal });
  } catch (error) {
    page.append(h('h1', null, `Lineage of ${name}`), ctx.errorBox(error));
    return;
  }

  const status = h('p', { class: 'muted', id: 'lineage-status', role: 'status' });
  const canvas = h('div', { class: 'graph', id: 'lineage-graph', tabindex: '0' });
  const side = h('aside', { class: 'node-panel', id: 'node-panel', 'aria-live': 'polite' });
  const tableBox = h('div', { class: 'table-wrap' });
  const fieldSelect = h('select', { id: 'lineage-field', 'aria-label': 'Column' },
    h('option', { value: '' }, 'All columns'),
    (dataset.fields ?? []).map((f) => h('option', { value: f.name, selected: f.name === state.field }, f.name)));
  const viewButtons = ['column', 'table'].map((v) => h('button', {
    type: 'button', class: 'seg', id: `view-${v}`, 'aria-pressed': String(state.view === v),
    onclick: () => { if (state.view !== v) { state.view = v; restart(); } },
  }, v === 'column' ? 'Columns' : 'Tables'));
  const depthControl = (key, label) => {
    const value = h('output', { id: `${key}-depth`, 'aria-live': 'polite' }, String(state[key]));
    return h('div', { class: 'depth', role: 'group', 'aria-label': `${label} hops` },
      h('span', { class: 'muted' }, label),
      h('button', { type: 'button', class: 'secondary small', id: `${key}-less`, 'aria-label': `One hop less ${label.toLowerCase()}`,
        onclick: () => { if (state[key] > 0) { state[key] -= 1; reload(); } } }, '−'),
      value,
      h('button', { type: 'button', class: 'secondary small', id: `${key}-more`, 'aria-label': `One more hop ${label.toLowerCase()}`,
        onclick: () => { if (state[key] < 20) { state[key] += 1; reload(); } } }, '+'));
  };
  fieldSelect.addEventListener('change', () => { state.field = fieldSelect.value; restart(); });
  // Another view of the lineage: nothing in it is "new".
  function restart() {
    expansions = [];
    selected = null;
    lineage = new Lineage();
    reload();
  }

  append(page, [
    h('header', { class: 'page-head' },
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: route.dataset(ns, name) }, name), ' › lineage'),
      h('h1', { id: 'lineage-title' }, 'Lineage of ', h('a', { href: route.dataset(ns, name) }, name))),
    h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Lineage view' },
      h('div', { class: 'segmented', role: 'group', 'aria-label': 'Granularity' }, viewButtons),
      h('label', { class: 'inline' }, h('span', { class: 'muted' }, 'Column '), fieldSelect),
      depthControl('up', 'Upstream'),
      depthControl('down', 'Downstream'),
      h('div', { class: 'zoom', role: 'group', 'aria-label': 'Zoom' },
        h('span', { class: 'muted' }, 'Zoom'),
        h('button', { type: 'button', class: 'secondary small', 'aria-label': 'Zoom in', onclick: () => graph?.zoom(1.25) }, '+'),
        h('button', { type: 'button', class: 'secondary small', 'aria-label': 'Zoom out', onclick: () => graph?.zoom(0.8) }, '−'),
        h('button', { type: 'button', class: 'secondary small', id: 'fit', onclick: () => graph?.fit() }, 'Fit'))),
    legend(),
    status,
    h('div', { class: 'graph-layout' }, canvas, side),
    h('details', { class: 'as-table', id: 'lineage-table' }, h('summary', null, 'The graph as a table'), tableBox),
  ]);

  function syncUrl() {
    const query = { field: state.field, view: state.view === 'table' ? 'table' : '', up: state.up, down: state.down };
    history.replaceState(null, '', route.lineage(ns, name, query));
    for (const b of viewButtons) b.setAttribute('aria-pressed', String(b.id === `view-${state.view}`));
    page.querySelector('#up-depth').textContent = String(state.up);
    page.querySelector('#down-depth').textContent = String(state.down);
  }

  const granularity = () => (state.view === 'table' ? 'DATASET' : 'COLUMN');

  async function fetchFrom(ref, direction, depth) {
    return api.get('/lineage/graph', {
      namespace: ref.namespace, dataset: ref.dataset, field: state.view === 'table' ? '' : ref.field ?? '',
      direction, depth, granularity: granularity(), maxNodes: 500,
    }, { signal });
  }

  async function load() {
    const next = new Lineage();
    const start = { namespace: ns, dataset: name, field: state.field };
    const calls = [];
    if (state.up > 0) calls.push(fetchFrom(start, 'UPSTREAM', state.up).then((a) => next.merge(a, 'UPSTREAM')));
    if (state.down > 0) calls.push(fetchFrom(start, 'DOWNSTREAM', state.down).then((a) => next.merge(a, 'DOWNSTREAM')));
    if (!calls.length) calls.push(fetchFrom(start, 'BOTH', 0).then((a) => next.merge(a)));
    await Promise.all(calls);
    for (const { id, direction } of expansions) {
      const node = next.nodes.get(id);
      if (node && !node.redacted) next.merge(await fetchFrom(refOf(node), direction, 1));
    }
    return next;
  }

  function model() {
    const nodes = [];
    const parents = new Map();
    // A dataset-level dependency names the dataset node itself: in the
    // column view it is the box around the dataset's columns.
    const boxes = new Set([...lineage.nodes.values()].filter((n) => !n.redacted && refOf(n).field)
      .map((n) => `dataset:${refOf(n).namespace}:${refOf(n).dataset}`));
    for (const node of lineage.nodes.values()) {
      const ref = refOf(node);
      const classes = [];
      // Where the walk started: the column asked for, or the dataset's box.
      if (node.depth === 0 && (state.field || !ref.field || state.view === 'table')) classes.push('start');
      if (node.redacted) classes.push('redacted');
      if (fresh.has(node.id)) classes.push('new');
      if (node.redacted) {
        nodes.push({ id: node.id, label: 'hidden', classes, title: 'A node you may not see' });
      } else if (ref.field) {
        const parentId = `dataset:${ref.namespace}:${ref.dataset}`;
        if (!parents.has(parentId)) parents.set(parentId, { id: parentId, label: ref.dataset, classes: ['dataset'], title: `${ref.namespace} ${ref.dataset}` });
        if (ref.namespace === ns && ref.dataset === name) parents.get(parentId).classes = ['dataset', 'start'];
        nodes.push({ id: node.id, label: ref.field, parent: parentId, classes });
      } else if (boxes.has(node.id)) {
        if (!parents.has(node.id)) parents.set(node.id, { id: node.id, label: ref.dataset, classes: ['dataset'], title: `${ref.namespace} ${ref.dataset}` });
      } else {
        nodes.push({ id: node.id, label: ref.dataset, classes: [...classes, 'table'], title: `${ref.namespace} ${ref.dataset}` });
      }
    }
    const edges = [...lineage.edges.values()].map((e, i) => {
      const t = e.transformation ?? {};
      const classes = [t.type === 'INDIRECT' ? 'indirect' : 'direct'];
      if (t.masking) classes.push('masking');
      let label = '';
      if (t.masking) label = 'masked';
      else if (state.view === 'table') label = e.job?.name ?? '';
      return { id: `e${i}`, source: e.source, target: e.target, classes, label };
    });
    return { nodes: [...parents.values(), ...nodes], edges };
  }

  function describeNode(node) {
    const ref = refOf(node);
    if (node.redacted) return 'hidden';
    return ref.field ? `${ref.dataset}.${ref.field}` : ref.dataset;
  }

  function drawSide() {
    clear(side);
    const node = selected && lineage.nodes.get(selected);
    const parentRef = selected && !node && selected.startsWith('dataset:') ? [...lineage.nodes.values()].map(refOf).find((r) => `dataset:${r.namespace}:${r.dataset}` === selected) : null;
    if (!node && !parentRef) {
      side.append(h('p', { class: 'muted' }, 'Click a node to see it and grow the graph from it; double-click opens it.'));
      return;
    }
    if (node?.redacted) {
      side.append(h('h2', { class: 'h3' }, 'Hidden node'), h('p', null, 'Something you may not see sits here. Its name and the jobs around it are withheld.'));
      return;
    }
    const ref = node ? refOf(node) : parentRef;
    const field = node ? ref.field : '';
    append(side, [
      h('h2', { class: 'h3', id: 'node-title' }, field ? `${ref.dataset}.${field}` : ref.dataset),
      h('p', { class: 'muted small' }, ref.namespace),
      h('div', { class: 'stack' },
        h('a', { class: 'button primary', id: 'node-open', href: route.dataset(ref.namespace, ref.dataset, field ? { field } : {}) }, 'Open'),
        node ? h('button', { type: 'button', class: 'secondary', id: 'node-up', onclick: () => expand(node.id, 'UPSTREAM') }, 'Expand one hop upstream') : null,
        node ? h('button', { type: 'button', class: 'secondary', id: 'node-down', onclick: () => expand(node.id, 'DOWNSTREAM') }, 'Expand one hop downstream') : null,
        h('a', { class: 'button secondary', href: route.lineage(ref.namespace, ref.dataset, field ? { field } : {}) }, 'Lineage from here')),
    ]);
    const ins = [...lineage.edges.values()].filter((e) => e.target === selected);
    const outs = [...lineage.edges.values()].filter((e) => e.source === selected);
    if (ins.length || outs.length) {
      side.append(h('ul', { class: 'small edge-list' },
        ins.map((e) => h('li', null, '← ', describeNode(lineage.nodes.get(e.source) ?? { ref: {} }), ' ', edgeWords(e))),
        outs.map((e) => h('li', null, '→ ', describeNode(lineage.nodes.get(e.target) ?? { ref: {} }), ' ', edgeWords(e)))));
    }
  }

  function edgeWords(e) {
    const t = e.transformation ?? {};
    const words = [t.type, t.subtype].filter(Boolean).join(' ').toLowerCase();
    return h('span', { class: 'muted' }, [words, t.masking ? 'masking' : '', e.job?.name ? `by ${e.job.name}` : ''].filter(Boolean).join(', '));
  }

  function drawTable() {
    clear(tableBox);
    const rows = [...lineage.edges.values()];
    tableBox.append(h('table', { class: 'edges-table' },
      h('thead', null, h('tr', null, ['From', 'To', 'Transformation', 'Job'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, rows.map((e) => {
        const t = e.transformation ?? {};
        return h('tr', { class: t.masking ? 'masking' : null },
          h('td', null, nodeCell(e.source)), h('td', null, nodeCell(e.target)),
          h('td', null, [t.type, t.subtype].filter(Boolean).join(' ') || (state.view === 'table' ? 'dataset' : ''), t.masking ? h('span', { class: 'badge warn' }, 'masking') : null),
          h('td', null, e.job?.name ? h('a', { href: route.job(e.job.namespace, e.job.name) }, e.job.name) : ''));
      }))));
  }

  function nodeCell(id) {
    const node = lineage.nodes.get(id);
    if (!node || node.redacted) return h('span', { class: 'redacted' }, 'hidden');
    const ref = refOf(node);
    return h('a', { href: route.dataset(ref.namespace, ref.dataset, ref.field ? { field: ref.field } : {}) }, describeNode(node));
  }

  function drawStatus() {
    const leaves = [...lineage.nodes.values()];
    const datasets = new Set(leaves.filter((n) => !n.redacted).map((n) => `${refOf(n).namespace}:${refOf(n).dataset}`));
    const parts = [state.view === 'table' ? `${datasets.size} datasets` : `${leaves.length} columns in ${datasets.size} datasets`, `${lineage.edges.size} edges`];
    const hidden = leaves.filter((n) => n.redacted).length;
    if (hidden) parts.push(`${hidden} hidden from you`);
    if (lineage.depthLimited.UPSTREAM) parts.push('more upstream');
    if (lineage.depthLimited.DOWNSTREAM) parts.push('more downstream');
    if (lineage.truncated) parts.push('truncated at 500 nodes');
    status.textContent = parts.join(' · ');
  }

  async function redraw() {
    drawStatus();
    drawTable();
    drawSide();
    if (lineage.nodes.size === 0) {
      graph?.destroy();
      graph = null;
      clear(canvas);
      canvas.append(h('p', { class: 'empty' }, 'No lineage recorded.'));
      return;
    }
    if (!graph) {
      clear(canvas);
      graph = await drawGraph(canvas, model(), {
        label: `Lineage graph of ${name}`,
        onSelect: (id, kind) => { selected = kind === 'edge' ? null : id; drawSide(); },
        onOpen: (id) => {
          const node = lineage.nodes.get(id);
          const ref = node ? refOf(node) : [...lineage.nodes.values()].map(refOf).find((r) => `dataset:${r.namespace}:${r.dataset}` === id);
          if (ref && !node?.redacted) ctx.navigate(route.dataset(ref.namespace, ref.dataset, ref.field ? { field: ref.field } : {}));
        },
      });
    } else {
      graph.update(model());
    }
    if (selected) graph.select(selected);
  }

  async function reload() {
    syncUrl();
    status.textContent = 'Loading…';
    const before = new Set(lineage.nodes.keys());
    try {
      lineage = await load();
    } catch (error) {
      if (error.name === 'AbortError') return;
      status.textContent = '';
      ctx.notify(ctx.errorBox(error).textContent);
      return;
    }
    fresh = before.size ? new Set([...lineage.nodes.keys()].filter((id) => !before.has(id))) : new Set();
    if (selected && !lineage.nodes.has(selected)) selected = null;
    await redraw();
  }

  async function expand(id, direction) {
    if (!expansions.some((x) => x.id === id && x.direction === direction)) expansions.push({ id, direction });
    const node = lineage.nodes.get(id);
    const before = new Set(lineage.nodes.keys());
    try {
      lineage.merge(await fetchFrom(refOf(node), direction, 1));
    } catch (error) {
      if (error.name !== 'AbortError') ctx.notify(ctx.errorBox(error).textContent);
      return;
    }
    fresh = new Set([...lineage.nodes.keys()].filter((x) => !before.has(x)));
    if (!fresh.size) ctx.notify(`Nothing more ${direction === 'UPSTREAM' ? 'upstream' : 'downstream'} of ${describeNode(node)}.`, 'ok');
    await redraw();
  }

  ctx.signal.addEventListener('abort', () => graph?.destroy(), { once: true });
  await reload();
}
