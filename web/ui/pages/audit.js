// The auditor's pages: where personal data is (GDPR art. 30 inventory), how a
// column's values travel (trace report, as a graph and as a table), and who
// accessed what (the hash-chained access log, filtered, with its
// verification status). Every report downloads as CSV or JSON.
import { describeError } from '../app.js';
import { api, download } from '../lib/api.js';
import { append, clear, emptyState, formatTime, h, plural, route, spinner, tagChip } from '../lib/dom.js';
import { drawGraph, legend } from '../lib/graph.js';

const SECTIONS = [
  { id: 'personal-data', label: 'Personal data' },
  { id: 'trace', label: 'Trace' },
  { id: 'access', label: 'Access log' },
  { id: 'pii-access', label: 'Personal-data access' },
];

const colName = (c) => (c?.field ? `${c.dataset}.${c.field}` : c?.dataset ?? '');

function columnLink(c) {
  if (!c?.dataset) return h('span', { class: 'redacted' }, 'hidden');
  return h('a', { href: route.dataset(c.namespace, c.dataset, c.field ? { field: c.field } : {}) }, colName(c));
}

// The audit chain's state as a banner: the reports carry it, /audit/verify answers it.
function chainBanner(chain) {
  if (!chain) return null;
  const ok = chain.ok === true;
  return h('div', { class: ['chain', ok ? 'chain-ok' : 'chain-bad'], id: 'chain-status', role: 'status' },
    h('strong', null, ok ? 'Audit log intact' : 'Audit log broken'), ' · ',
    ok ? `${plural(chain.records ?? 0, 'record')} verified (seq ${chain.firstSeq ?? '?'}–${chain.lastSeq ?? '?'})`
      : `first broken record ${chain.firstBrokenSeq}: ${chain.reason}`,
    chain.checkedAt ? h('span', { class: 'muted' }, ` · checked ${formatTime(chain.checkedAt)}`) : null,
    chain.headHash ? h('code', { class: 'hash', title: 'Hash of the latest record' }, ` ${chain.headHash.slice(0, 16)}…`) : null);
}

function downloads(path, query, stem, formats) {
  return h('div', { class: 'downloads', role: 'group', 'aria-label': 'Downloads' }, h('span', { class: 'muted' }, 'Download '),
    formats.map((format) => h('button', {
      type: 'button', class: 'secondary small', dataset: { download: format },
      onclick: async (event) => {
        const button = event.currentTarget;
        button.disabled = true;
        try {
          await download(path, { ...query, format: format === 'json' ? '' : format }, `${stem}.${format}`);
        } catch (error) {
          alertIn(button.parentElement, error);
        } finally {
          button.disabled = false;
        }
      },
    }, format.toUpperCase())));
}

function alertIn(el, error) {
  el.querySelector('.form-error')?.remove();
  el.append(h('span', { class: 'form-error', role: 'alert' }, describeError(error)));
}

export async function render(ctx) {
  const section = SECTIONS.some((s) => s.id === ctx.route.segments[0]) ? ctx.route.segments[0] : 'personal-data';
  document.title = `${SECTIONS.find((s) => s.id === section).label} · Audit · Cadastre`;
  const body = h('section', { class: 'audit-body' });
  append(ctx.main, [h('div', { class: 'audit-page' },
    h('h1', null, 'Audit'),
    h('nav', { class: 'subnav', 'aria-label': 'Audit reports' }, SECTIONS.map((s) => h('a', {
      href: `#/audit/${s.id}`, 'aria-current': s.id === section ? 'page' : undefined, dataset: { section: s.id },
    }, s.label))),
    body)]);
  const renderers = { 'personal-data': personalData, trace, access: accessLog, 'pii-access': piiAccess };
  await renderers[section](ctx, body);
}

async function personalData(ctx, body) {
  const tag = ctx.route.query.get('tag') || 'PII';
  const form = h('form', { class: 'filters' },
    h('label', null, 'Classification ', h('input', { type: 'text', name: 'tag', value: tag, id: 'pd-tag', size: 14 })),
    h('button', { type: 'submit', class: 'secondary small' }, 'Show'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.navigate(`#/audit/personal-data?tag=${encodeURIComponent(form.tag.value.trim() || 'PII')}`);
  });
  body.append(h('p', { class: 'lead' }, 'Every column you may see that holds personal data: its own classification, one its dataset carries, or one inherited through lineage, with where its values go.'), form, spinner());
  let report;
  try {
    report = await api.get('/reports/personal-data', { tag }, { signal: ctx.signal });
  } catch (error) {
    body.lastChild.remove();
    body.append(ctx.errorBox(error));
    return;
  }
  body.lastChild.remove();
  const columns = report.columns ?? [];
  append(body, [
    chainBanner(report.auditChain),
    h('div', { class: 'report-head' },
      h('p', { id: 'pd-summary' }, `${plural(columns.length, 'column')} in ${plural(report.datasetCount ?? 0, 'dataset')} · generated ${formatTime(report.generatedAt)} for ${report.principal}`),
      downloads('/reports/personal-data', { tag }, 'personal-data', ['csv', 'json'])),
    columns.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'report-table', id: 'pd-table' },
      h('thead', null, h('tr', null, ['Column', 'Domain', 'Owners', 'Source', 'Why', 'Flows to', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, columns.map((c) => h('tr', null,
        h('th', { scope: 'row' }, columnLink(c.column), h('div', { class: 'muted small' }, c.column.namespace)),
        h('td', null, c.domain || '—'),
        h('td', null, (c.owners ?? []).map((o) => o.name).join(', ') || '—'),
        h('td', null, c.sourceSystem || ''),
        h('td', null, h('div', { class: 'chips' },
          (c.ownTags ?? []).map((t) => tagChip(t)),
          (c.inherited ?? []).map((it) => tagChip(it.tag, { class: 'inherited', title: `from ${it.from}` })))),
        h('td', null, (c.consumers ?? []).length
          ? h('details', null, h('summary', null, `${plural(c.consumers.length, 'column')}, ${plural((c.finalConsumers ?? []).length, 'final dataset')}`),
            h('ul', { class: 'small' }, c.consumers.map((x) => h('li', null, columnLink(x)))))
          : h('span', { class: 'muted' }, 'nowhere')),
        h('td', null, h('a', { class: 'button secondary small', href: route.trace(c.column.namespace, c.column.dataset, c.column.field) }, 'Trace')))))))
      : emptyState(`No column you may see carries ${tag}.`),
  ]);
}

async function trace(ctx, body) {
  const q = ctx.route.query;
  const ref = { namespace: q.get('namespace') ?? '', dataset: q.get('dataset') ?? '', field: q.get('field') ?? '' };
  const tag = q.get('tag') ?? '';
  const input = (name, label, value, size) => h('label', null, `${label} `, h('input', { type: 'text', name, value, id: `trace-${name}`, size }));
  const form = h('form', { class: 'filters', id: 'trace-form' },
    input('namespace', 'Namespace', ref.namespace, 20), input('dataset', 'Dataset', ref.dataset, 20), input('field', 'Column', ref.field, 12),
    h('span', { class: 'muted' }, 'or'), input('tag', 'Classification', tag, 10),
    h('button', { type: 'submit', class: 'primary small' }, 'Trace'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const key of ['namespace', 'dataset', 'field', 'tag']) if (form[key].value.trim()) params.set(key, form[key].value.trim());
    ctx.navigate(`#/audit/trace?${params}`);
  });
  body.append(h('p', { class: 'lead' }, 'Every path from a source to a final consumer through a column: each transformation, its job and SQL, and whether it masks.'), form);
  if (!ref.dataset && !tag) {
    body.append(emptyState('Name a column (or a whole dataset), or a classification such as PII.Email, and trace it. The Personal data report links here too.'));
    return;
  }
  const query = tag && !ref.dataset ? { tag } : ref;
  body.append(spinner());
  let report;
  try {
    report = await api.get('/reports/trace', query, { signal: ctx.signal });
  } catch (error) {
    body.lastChild.remove();
    body.append(ctx.errorBox(error));
    return;
  }
  body.lastChild.remove();
  const paths = report.paths ?? [];
  const canvas = h('div', { class: 'graph trace-graph', id: 'trace-graph' });
  append(body, [
    chainBanner(report.auditChain),
    h('div', { class: 'report-head' },
      h('p', { id: 'trace-summary' }, `${plural(paths.length, 'path')}, ${plural(report.hopCount ?? 0, 'transformation')} · traced ${(report.traced ?? []).map(colName).join(', ')}${report.truncated ? ' · truncated' : ''}`),
      downloads('/reports/trace', query, 'trace', ['csv', 'json'])),
  ]);
  if (!paths.length) {
    body.append(emptyState('No lineage runs through it.'));
    return;
  }
  body.append(legend(), canvas, h('h2', { class: 'h3' }, 'Hops'), traceTable(paths));
  // The graph: one node per column on any path, one edge per distinct hop.
  const nodes = new Map();
  const edges = new Map();
  const traced = new Set((report.traced ?? []).map((c) => `datasetField:${c.namespace}:${c.dataset}:${c.field}`));
  const addNode = (id, c) => {
    if (nodes.has(id)) return;
    const hidden = id.startsWith('redacted:');
    nodes.set(id, { id, label: hidden ? 'hidden' : colName(c), classes: [hidden && 'redacted', traced.has(id) && 'start'].filter(Boolean), title: hidden ? 'hidden' : `${c.namespace} ${colName(c)}` });
  };
  for (const path of paths) {
    for (const hop of path.hops ?? []) {
      addNode(hop.sourceId, hop.source);
      addNode(hop.targetId, hop.target);
      const t = hop.transformation ?? {};
      const key = `${hop.sourceId}|${hop.targetId}|${t.type}|${t.subtype}|${t.masking}`;
      if (!edges.has(key)) {
        edges.set(key, { id: `h${edges.size}`, source: hop.sourceId, target: hop.targetId,
          classes: [t.type === 'INDIRECT' ? 'indirect' : 'direct', t.masking && 'masking'].filter(Boolean),
          label: t.masking ? 'masked' : (t.subtype ?? '').toLowerCase() });
      }
    }
  }
  const graph = await drawGraph(canvas, { nodes: [...nodes.values()], edges: [...edges.values()] }, {
    label: 'Trace graph',
    onOpen: (id) => {
      const hop = paths.flatMap((p) => p.hops).find((x) => x.sourceId === id || x.targetId === id);
      const c = hop?.sourceId === id ? hop.source : hop?.target;
      if (c?.dataset) ctx.navigate(route.dataset(c.namespace, c.dataset, { field: c.field }));
    },
  });
  ctx.signal.addEventListener('abort', () => graph.destroy(), { once: true });
}

function traceTable(paths) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'report-table', id: 'trace-table' },
    h('thead', null, h('tr', null, ['Path', 'Hop', 'From', 'To', 'Transformation', 'Job', 'Seen'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, paths.flatMap((path, p) => (path.hops ?? []).map((hop, i) => {
      const t = hop.transformation ?? {};
      return h('tr', { class: t.masking ? 'masking' : null },
        h('td', null, String(p + 1)), h('td', null, String(i + 1)),
        h('td', null, columnLink(hop.source)), h('td', null, columnLink(hop.target)),
        h('td', null, [t.type, t.subtype].filter(Boolean).join(' '), t.masking ? [' ', h('span', { class: 'badge warn' }, 'masking')] : null),
        h('td', null, hop.job?.name ? h('a', { href: route.job(hop.job.namespace, hop.job.name) }, hop.job.name) : '',
          hop.sql ? h('details', null, h('summary', { class: 'small' }, 'SQL'), h('pre', { class: 'code small' }, hop.sql)) : null),
        h('td', { class: 'small' }, formatTime(hop.lastSeen)));
    })))));
}

const DECISIONS = ['', 'AUDIT_ALLOWED', 'AUDIT_DENIED', 'AUDIT_FAILED'];

function toRfc3339(local) {
  if (!local) return '';
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

async function accessLog(ctx, body) {
  const q = ctx.route.query;
  const filters = {
    principal: q.get('principal') ?? '', action: q.get('action') ?? '', dataset: q.get('dataset') ?? '',
    decision: q.get('decision') ?? '', from: q.get('from') ?? '', to: q.get('to') ?? '',
  };
  const text = (name, label, size = 12) => h('label', null, `${label} `, h('input', { type: 'text', name, value: filters[name], id: `log-${name}`, size }));
  const form = h('form', { class: 'filters', id: 'log-filters' },
    text('principal', 'Principal'), text('action', 'Action', 22), text('dataset', 'Dataset', 16),
    h('label', null, 'Decision ', h('select', { name: 'decision', id: 'log-decision' }, DECISIONS.map((d) => h('option', { value: d, selected: d === filters.decision }, d ? d.replace('AUDIT_', '').toLowerCase() : 'any')))),
    h('label', null, 'From ', h('input', { type: 'datetime-local', name: 'from', id: 'log-from', value: filters.from ? filters.from.slice(0, 16) : '' })),
    h('label', null, 'To ', h('input', { type: 'datetime-local', name: 'to', id: 'log-to', value: filters.to ? filters.to.slice(0, 16) : '' })),
    h('button', { type: 'submit', class: 'primary small' }, 'Filter'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const key of ['principal', 'action', 'dataset', 'decision']) if (form[key].value.trim()) params.set(key, form[key].value.trim());
    for (const key of ['from', 'to']) if (form[key].value) params.set(key, form[key].value);
    ctx.navigate(`#/audit/access?${params}`);
  });
  const verify = h('div', { id: 'verify-box' }, spinner('Verifying the hash chain…'));
  body.append(h('p', { class: 'lead' }, 'Every request, allowed or denied, in a hash-chained log: which columns came back clear or masked.'), verify, form);
  api.get('/audit/verify', undefined, { signal: ctx.signal })
    .then((chain) => { clear(verify); verify.append(chainBanner(chain)); })
    .catch((error) => { if (error.name !== 'AbortError') { clear(verify); verify.append(ctx.errorBox(error)); } });

  const query = { ...filters, from: toRfc3339(filters.from), to: toRfc3339(filters.to) };
  const tbody = h('tbody');
  const more = h('div', { class: 'more' });
  body.append(h('div', { class: 'report-head' }, h('p', { id: 'log-summary', class: 'muted' }), downloads('/audit/events', query, 'audit-log', ['csv', 'jsonl'])),
    h('div', { class: 'table-wrap' }, h('table', { class: 'report-table', id: 'log-table' },
      h('thead', null, h('tr', null, ['Seq', 'Time', 'Principal', 'Action', 'Resource', 'Decision', 'Columns'].map((c) => h('th', { scope: 'col' }, c)))),
      tbody)), more);
  let shown = 0;
  async function page(cursor) {
    let answer;
    try {
      answer = await api.get('/audit/events', { ...query, cursor, limit: 50 }, { signal: ctx.signal });
    } catch (error) {
      if (error.name !== 'AbortError') body.append(ctx.errorBox(error));
      return;
    }
    const events = answer.events ?? [];
    shown += events.length;
    for (const e of events) {
      const resource = [e.namespace, e.dataset, e.field].filter(Boolean).join(' / ') || e.entity || '';
      tbody.append(h('tr', { class: e.decision === 'AUDIT_DENIED' ? 'denied' : null },
        h('td', null, e.seq), h('td', { class: 'small' }, formatTime(e.time)),
        h('td', null, e.principal || h('span', { class: 'muted' }, 'anonymous')),
        h('td', { class: 'small' }, e.action),
        h('td', { class: 'small' }, resource),
        h('td', null, h('span', { class: ['badge', e.decision === 'AUDIT_ALLOWED' ? 'good' : e.decision === 'AUDIT_DENIED' ? 'bad' : 'warn'], title: e.reason || e.status },
          (e.decision ?? '').replace('AUDIT_', '').toLowerCase())),
        h('td', { class: 'small' }, (e.columns ?? []).map((c, i) => [i ? ', ' : '', c.field, ' ',
          h('span', { class: c.maskType ? 'masked-word' : 'clear-word' }, c.maskType ? c.maskType.replace('MASK_', '').toLowerCase() : 'clear')]))));
    }
    document.getElementById('log-summary').textContent = `${plural(shown, 'record')} shown${answer.nextCursor ? ', more below' : ''}`;
    clear(more);
    if (answer.nextCursor) more.append(h('button', { type: 'button', class: 'secondary', id: 'log-more', onclick: () => page(answer.nextCursor) }, 'Load more'));
    if (!shown) tbody.append(h('tr', null, h('td', { colspan: 7, class: 'empty' }, 'No record matches.')));
  }
  await page('');
}

async function piiAccess(ctx, body) {
  const q = ctx.route.query;
  const principal = q.get('principal') ?? '';
  const form = h('form', { class: 'filters' },
    h('label', null, 'Principal ', h('input', { type: 'text', name: 'principal', value: principal, id: 'pa-principal', size: 12 })),
    h('button', { type: 'submit', class: 'secondary small' }, 'Show'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.navigate(`#/audit/pii-access${form.principal.value.trim() ? `?principal=${encodeURIComponent(form.principal.value.trim())}` : ''}`);
  });
  body.append(h('p', { class: 'lead' }, 'Who read personal-data columns, and whether they saw them clear or masked.'), form, spinner());
  let report;
  try {
    report = await api.get('/reports/access', { principal }, { signal: ctx.signal });
  } catch (error) {
    body.lastChild.remove();
    body.append(ctx.errorBox(error));
    return;
  }
  body.lastChild.remove();
  const accesses = report.accesses ?? [];
  append(body, [
    chainBanner(report.auditChain),
    h('div', { class: 'report-head' }, h('p', null, `${plural(accesses.length, 'access', 'accesses')}`),
      downloads('/reports/access', { principal }, 'pii-access', ['csv', 'json'])),
    accesses.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'report-table', id: 'pa-table' },
      h('thead', null, h('tr', null, ['Seq', 'Time', 'Principal', 'Column', 'Access', 'Action'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, accesses.map((a) => h('tr', null, h('td', null, a.seq), h('td', { class: 'small' }, formatTime(a.time)), h('td', null, a.principal),
        h('td', null, columnLink(a.column)),
        h('td', null, h('span', { class: a.access === 'CLEAR' ? 'clear-word' : 'masked-word' }, a.access.toLowerCase(), a.maskType ? ` (${a.maskType.replace('MASK_', '').toLowerCase()})` : '')),
        h('td', { class: 'small' }, a.action))))))
      : emptyState('Nobody has read a personal-data column in this period.'),
  ]);
}
