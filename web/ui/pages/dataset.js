// A dataset: what it is, its columns (types, descriptions, own and inherited
// classifications, glossary terms), quality results, sample rows masked for
// the caller, and its history. Stewards edit descriptions, classifications
// and glossary links here; the server checks each change.
import { describeError } from '../app.js';
import { api, datasetPath, enc } from '../lib/api.js';
import { append, chip, clear, emptyState, formatTime, h, parseNodeId, route, spinner, tabs, tagChip } from '../lib/dom.js';

const TABS = [
  { id: 'columns', label: 'Columns' },
  { id: 'sample', label: 'Sample rows' },
  { id: 'quality', label: 'Quality' },
  { id: 'history', label: 'History' },
];

function nodeLabel(id) {
  const node = parseNodeId(id);
  if (node.kind === 'field') return `${node.dataset}.${node.field}`;
  if (node.kind === 'dataset') return node.dataset;
  return id.startsWith('redacted:') ? 'hidden column' : id;
}

function ownersText(owners) {
  return (owners ?? []).map((o) => `${o.name}${o.role && o.role !== 'OWNER' ? ` (${o.role.toLowerCase().replace('_', ' ')})` : ''}`).join(', ');
}

function valueText(value) {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// An inline editor: a text area with Save and Cancel. `save(text)` does the
// call; an error stays in the editor, read out, and the text is kept.
function inlineEditor({ label, initial, save, done, id }) {
  const area = h('textarea', { rows: 3, 'aria-label': label, id, value: initial });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const saveButton = h('button', { type: 'submit', class: 'primary small' }, 'Save');
  const form = h('form', { class: 'inline-editor' }, area,
    h('div', { class: 'row' }, saveButton,
      h('button', { type: 'button', class: 'secondary small', onclick: () => done(false) }, 'Cancel')),
    error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    saveButton.disabled = true;
    error.textContent = '';
    try {
      await save(area.value);
      done(true);
    } catch (e) {
      error.textContent = describeError(e);
      saveButton.disabled = false;
    }
  });
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') done(false);
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  setTimeout(() => area.focus(), 0);
  return form;
}

// "+ Add" that opens a one-field form with suggestions.
function adder({ label, listId, onAdd, name }) {
  const wrap = h('span', { class: 'adder' });
  const open = h('button', { type: 'button', class: 'link small', 'aria-label': `${label}${name ? ` to ${name}` : ''}` }, '+ add');
  wrap.append(open);
  open.addEventListener('click', () => {
    const input = h('input', { type: 'text', list: listId, 'aria-label': label, class: 'small-input', autocomplete: 'off' });
    const error = h('span', { class: 'form-error', role: 'alert' });
    const form = h('form', { class: 'adder-form' }, input,
      h('button', { type: 'submit', class: 'primary small' }, 'Add'),
      h('button', { type: 'button', class: 'secondary small', onclick: () => { clear(wrap); wrap.append(open); open.focus(); } }, 'Cancel'),
      error);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const value = input.value.trim();
      if (!value) return;
      error.textContent = '';
      try {
        await onAdd(value);
      } catch (e) {
        error.textContent = describeError(e);
      }
    });
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') { clear(wrap); wrap.append(open); open.focus(); }
    });
    clear(wrap);
    wrap.append(form);
    input.focus();
  });
  return wrap;
}

export async function render(ctx) {
  const [ns, name] = ctx.route.segments;
  const focusField = ctx.route.query.get('field') ?? '';
  let tab = ctx.route.query.get('tab') ?? 'columns';
  if (!TABS.some((t) => t.id === tab)) tab = 'columns';
  document.title = `${name} · Cadastre`;
  const path = datasetPath(ns, name);
  const signal = ctx.signal;

  const root = h('article', { class: 'dataset-page' });
  ctx.main.append(root);
  root.append(spinner());

  let dataset;
  try {
    dataset = await api.get(path, { view: 'FULL' }, { signal });
  } catch (error) {
    clear(root);
    root.append(h('h1', null, name), ctx.errorBox(error),
      error.status === 404 ? h('p', null, 'It does not exist, or you may not see it. ', h('a', { href: '#/search' }, 'Back to search')) : null);
    return;
  }
  const ref = { namespace: ns, name, domain: dataset.domain };
  const may = {
    edit: ctx.session.can('EDIT_METADATA', ref),
    classify: ctx.session.can('MANAGE_CLASSIFICATIONS', ref),
    glossary: ctx.session.can('MANAGE_GLOSSARY', ref),
  };
  // Suggestions for the add forms, fetched once.
  const suggestions = h('div', { hidden: true });
  if (may.classify) {
    api.get('/tags', undefined, { signal }).then((r) => suggestions.append(h('datalist', { id: 'tag-options' },
      (r.tags ?? []).map((t) => h('option', { value: t.name }, t.description || ''))))).catch(() => {});
  }
  if (may.glossary) {
    api.get('/glossary/terms', undefined, { signal }).then((r) => suggestions.append(h('datalist', { id: 'term-options' },
      (r.terms ?? []).map((t) => h('option', { value: t.name }))))).catch(() => {});
  }

  // Re-reads the dataset and redraws everything but the open tab's choice.
  async function refresh(message) {
    dataset = await api.get(path, { view: 'FULL' }, { signal });
    draw();
    if (message) ctx.notify(message, 'ok');
  }

  // A PUT of the dataset as just read with one change: PUT replaces every
  // attribute, so the body is the fresh state, not the page's copy.
  async function putWith(change) {
    const fresh = await api.get(path, undefined, { signal });
    change(fresh);
    await api.put(path, fresh, { signal });
  }

  const header = h('header', { class: 'page-head' });
  const tabBar = h('div');
  const panel = h('section', { class: 'tab-panel', role: 'tabpanel' });

  function drawHeader() {
    clear(header);
    const descriptionBlock = h('div', { class: 'description', id: 'dataset-description' });
    const showDescription = () => {
      clear(descriptionBlock);
      append(descriptionBlock, [
        dataset.description ? h('p', { id: 'dataset-description-text' }, dataset.description)
          : h('p', { class: 'muted', id: 'dataset-description-text' }, 'No description yet.'),
        may.edit ? h('button', {
          type: 'button', class: 'link small', id: 'edit-description',
          onclick: () => {
            clear(descriptionBlock);
            descriptionBlock.append(inlineEditor({
              label: 'Dataset description', id: 'description-editor', initial: dataset.description ?? '',
              save: (text) => putWith((d) => { d.description = text; }),
              done: (saved) => (saved ? refresh('Description saved.') : showDescription()),
            }));
          },
        }, 'Edit description') : null]);
    };
    showDescription();

    const tags = h('div', { class: 'chips', id: 'dataset-tags' },
      (dataset.tags ?? []).map((t) => tagChip(t)),
      !(dataset.tags ?? []).length && !may.classify ? h('span', { class: 'muted' }, 'none') : null,
      may.classify ? adder({
        label: 'Add a classification to the dataset', listId: 'tag-options',
        onAdd: async (tag) => { await api.post(`${path}/tags/${enc(tag)}`, undefined, { signal }); await refresh(`Classified ${name} as ${tag}.`); },
      }) : null);
    const custom = Object.entries(dataset.customProperties ?? {});
    append(header, [
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' },
        h('a', { href: route.search({ namespace: ns }) }, ns), ' › ', h('span', null, name)),
      h('div', { class: 'title-row' },
        h('h1', { id: 'dataset-title' }, dataset.displayName || name),
        h('span', { class: 'badge' }, (dataset.type ?? 'DATASET').replace('DB_', '').toLowerCase()),
        h('div', { class: 'actions' },
          h('a', { class: 'button secondary', id: 'open-lineage', href: route.lineage(ns, name) }, 'Lineage'),
          ctx.session.can('READ_AUDIT') ? h('a', { class: 'button secondary', href: route.trace(ns, name, '') }, 'Trace') : null)),
      descriptionBlock,
      h('dl', { class: 'facts' },
        fact('Domain', dataset.domain || '—'),
        fact('Owners', ownersText(dataset.owners) || '—', 'dataset-owners'),
        fact('Source', dataset.sourceName || ns),
        dataset.updateFrequency ? fact('Updated', dataset.updateFrequency) : null,
        fact('Last change', `${formatTime(dataset.updatedAt)} · version ${dataset.currentVersion ?? ''}`),
        custom.length ? fact('Properties', custom.map(([k, v]) => `${k}=${v}`).join(', ')) : null),
      h('div', { class: 'tag-row' }, h('span', { class: 'muted' }, 'Classifications '), tags),
    ]);
  }

  function fact(label, value, id) {
    return h('div', { class: 'fact' }, h('dt', null, label), h('dd', { id }, value));
  }

  function drawTabs() {
    clear(tabBar);
    tabBar.append(tabs(TABS, tab, (id) => {
      tab = id;
      const query = new URLSearchParams(ctx.route.query);
      query.set('tab', id);
      history.replaceState(null, '', `${route.dataset(ns, name)}?${query}`);
      drawTabs();
      drawPanel();
    }));
    panel.setAttribute('aria-labelledby', `tab-${tab}`);
  }

  function drawPanel() {
    clear(panel);
    const drawers = { columns: drawColumns, sample: drawSample, quality: drawQuality, history: drawHistory };
    drawers[tab]().catch((error) => {
      if (error.name !== 'AbortError') panel.append(ctx.errorBox(error));
    });
  }

  async function drawColumns() {
    const fields = dataset.fields ?? [];
    if (!fields.length) {
      panel.append(emptyState('No columns are known for this dataset.'));
      return;
    }
    const lineageByField = new Map((dataset.columnLineage ?? []).map((c) => [c.name, c.inputFields ?? []]));
    const rows = fields.map((field) => {
      const fieldPath = `${path}/fields/${enc(field.name)}`;
      const descCell = h('td', { class: 'desc-cell' });
      const showDesc = () => {
        clear(descCell);
        descCell.append(field.description ? h('span', { class: 'field-desc' }, field.description) : h('span', { class: 'muted' }, '—'));
        if (may.edit) {
          descCell.append(' ', h('button', {
            type: 'button', class: 'link small edit-field', 'aria-label': `Edit the description of ${field.name}`,
            onclick: () => {
              clear(descCell);
              descCell.append(inlineEditor({
                label: `Description of ${field.name}`, initial: field.description ?? '',
                save: (text) => putWith((d) => {
                  const target = (d.fields ?? []).find((f) => f.name === field.name);
                  if (!target) throw new Error(`the column ${field.name} no longer exists`);
                  target.description = text;
                }),
                done: (saved) => (saved ? refresh(`Description of ${field.name} saved.`) : showDesc()),
              }));
            },
          }, 'edit'));
        }
      };
      showDesc();
      const own = (field.tags ?? []).map((t) => may.classify
        ? h('span', { class: 'chip-group' }, tagChip(t), h('button', {
          type: 'button', class: 'chip-x', 'aria-label': `Remove ${t} from ${field.name}`,
          onclick: async () => {
            try {
              await api.del(`${fieldPath}/tags/${enc(t)}`, { signal });
              await refresh(`Removed ${t} from ${field.name}.`);
            } catch (e) { ctx.notify(describeError(e)); }
          },
        }, '×'))
        : tagChip(t));
      const inherited = (field.inheritedTags ?? []).map((it) => {
        const via = (it.path ?? []).map(nodeLabel).join(' → ');
        return tagChip(it.tag, {
          class: 'inherited', title: `Inherited from ${nodeLabel(it.from)} along ${via}`,
          'aria-label': `${it.tag}, inherited from ${nodeLabel(it.from)} along ${via}`,
        });
      });
      const inheritedPaths = (field.inheritedTags ?? []).map((it) => h('div', { class: 'via small muted' },
        `${it.tag} via `, (it.path ?? []).map((id, i) => [i ? ' → ' : '', pathLink(id)])));
      const terms = (field.glossaryTerms ?? []).map((t) => may.glossary
        ? h('span', { class: 'chip-group' }, h('a', { class: 'chip term', href: route.term(t) }, t), h('button', {
          type: 'button', class: 'chip-x', 'aria-label': `Unlink ${t} from ${field.name}`,
          onclick: async () => {
            try {
              await api.del(`${fieldPath}/terms/${enc(t)}`, { signal });
              await refresh(`Unlinked ${t} from ${field.name}.`);
            } catch (e) { ctx.notify(describeError(e)); }
          },
        }, '×'))
        : h('a', { class: 'chip term', href: route.term(t) }, t));
      const inputs = lineageByField.get(field.name) ?? [];
      return h('tr', { id: `field-${field.name}`, class: field.name === focusField ? 'focused' : null, dataset: { field: field.name } },
        h('th', { scope: 'row' },
          h('a', { href: route.lineage(ns, name, { field: field.name }), title: 'Column lineage', class: 'field-name' }, field.name),
          field.nullable === false ? h('span', { class: 'muted small' }, ' not null') : null,
          inputs.length ? h('div', { class: 'small muted' }, '← ', inputs.map((i, n) => [n ? ', ' : '', `${i.dataset}.${i.field}`])) : null),
        h('td', null, h('code', null, field.type || '')),
        descCell,
        h('td', { class: 'tags-cell' },
          h('div', { class: 'chips' }, own, inherited,
            may.classify ? adder({
              label: 'Add a classification', name: field.name, listId: 'tag-options',
              onAdd: async (tag) => { await api.post(`${fieldPath}/tags/${enc(tag)}`, undefined, { signal }); await refresh(`Classified ${field.name} as ${tag}.`); },
            }) : null),
          inheritedPaths),
        h('td', null, h('div', { class: 'chips' }, terms,
          may.glossary ? adder({
            label: 'Link a glossary term', name: field.name, listId: 'term-options',
            onAdd: async (term) => { await api.post(`${fieldPath}/terms/${enc(term)}`, undefined, { signal }); await refresh(`Linked ${term} to ${field.name}.`); },
          }) : null)));
    });
    panel.append(h('div', { class: 'table-wrap' }, h('table', { class: 'columns-table', id: 'columns' },
      h('thead', null, h('tr', null, ['Column', 'Type', 'Description', 'Classifications', 'Glossary terms'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, rows))));
    if (focusField) panel.querySelector('tr.focused')?.scrollIntoView({ block: 'center' });
  }

  function pathLink(id) {
    const node = parseNodeId(id);
    if (node.kind === 'field') return h('a', { href: route.dataset(node.namespace, node.dataset, { field: node.field }) }, `${node.dataset}.${node.field}`);
    if (node.kind === 'dataset') return h('a', { href: route.dataset(node.namespace, node.dataset) }, node.dataset);
    return h('span', { class: 'redacted' }, 'hidden');
  }

  async function drawSample() {
    panel.append(spinner());
    let sample;
    try {
      sample = await api.get(`${path}/sample`, undefined, { signal });
    } catch (error) {
      clear(panel);
      if (error.status === 404 && error.field !== 'name' && error.field !== 'namespace') {
        panel.append(emptyState('No sample rows have been uploaded for this dataset.'));
      } else {
        panel.append(ctx.errorBox(error));
      }
      return;
    }
    clear(panel);
    const rows = sample.rows ?? [];
    const masked = new Map((sample.maskedColumns ?? []).map((m) => [m.field, m]));
    const hidden = sample.hiddenColumns ?? [];
    const order = (dataset.fields ?? []).map((f) => f.name);
    const seen = new Set(order);
    for (const row of rows) for (const key of Object.keys(row)) if (!seen.has(key)) { seen.add(key); order.push(key); }
    const columns = order.filter((c) => !hidden.includes(c) && rows.some((r) => c in r));
    panel.append(h('p', { class: 'muted', id: 'sample-note' },
      masked.size ? `Shown to ${ctx.session.name} with ${masked.size} masked column${masked.size === 1 ? '' : 's'}.`
        : `Shown to ${ctx.session.name} in clear.`,
      hidden.length ? ` Hidden from you: ${hidden.join(', ')}.` : '',
      sample.updatedAt ? ` Uploaded ${formatTime(sample.updatedAt)}${sample.updatedBy ? ` by ${sample.updatedBy}` : ''}.` : ''));
    if (!rows.length) {
      panel.append(emptyState('The sample holds no rows.'));
      return;
    }
    panel.append(h('div', { class: 'table-wrap' }, h('table', { class: 'sample-table', id: 'sample' },
      h('thead', null, h('tr', null, columns.map((c) => {
        const m = masked.get(c);
        return h('th', { scope: 'col', class: m ? 'masked' : null, dataset: { column: c } }, c,
          m ? h('span', { class: 'mask-badge', title: `Masked by policy ${m.policy || '(default)'} because of ${m.tag}` }, m.maskType.replace('MASK_', '').toLowerCase()) : null);
      }))),
      h('tbody', null, rows.map((row) => h('tr', null, columns.map((c) => h('td', {
        class: [masked.has(c) && 'masked', row[c] === null && 'null'], dataset: { column: c },
      }, valueText(row[c])))))))));
    const stats = Object.entries(sample.columnStats ?? {});
    if (stats.length) {
      panel.append(h('h2', { class: 'h3' }, 'Column statistics'), h('div', { class: 'table-wrap' }, h('table', null,
        h('thead', null, h('tr', null, ['Column', 'Count', 'Nulls', 'Distinct', 'Min', 'Max', 'Top values'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, stats.map(([c, s]) => h('tr', null, h('th', { scope: 'row' }, c),
          h('td', null, s.count ?? ''), h('td', null, s.nullCount ?? ''), h('td', null, s.distinctCount ?? ''),
          h('td', null, s.min === undefined ? '' : valueText(s.min)), h('td', null, s.max === undefined ? '' : valueText(s.max)),
          h('td', null, (s.topValues ?? []).map(valueText).join(', '))))))));
    }
  }

  async function drawQuality() {
    const facets = dataset.facets ?? {};
    const metrics = facets.dataQualityMetrics;
    const assertions = facets.dataQualityAssertions?.assertions ?? [];
    if (!metrics && !assertions.length) {
      panel.append(emptyState('No quality results: a pipeline reports them in the OpenLineage facets dataQualityMetrics and dataQualityAssertions.'));
      return;
    }
    if (assertions.length) {
      const failed = assertions.filter((a) => !a.success).length;
      panel.append(h('h2', { class: 'h3' }, 'Assertions ', h('span', { class: ['badge', failed ? 'bad' : 'good'] },
        failed ? `${failed} failed` : 'all passed')),
      h('ul', { class: 'assertions', id: 'assertions' }, assertions.map((a) => h('li', { class: a.success ? 'pass' : 'fail' },
        h('span', { class: ['badge', a.success ? 'good' : 'bad'] }, a.success ? 'pass' : 'fail'), ' ',
        h('code', null, a.assertion ?? ''), a.column ? [' on ', h('code', null, a.column)] : ''))));
    }
    if (metrics) {
      panel.append(h('h2', { class: 'h3' }, 'Metrics'), h('dl', { class: 'facts' },
        metrics.rowCount !== undefined ? fact('Rows', Number(metrics.rowCount).toLocaleString('en')) : null,
        metrics.bytes !== undefined ? fact('Bytes', Number(metrics.bytes).toLocaleString('en')) : null,
        metrics.fileCount !== undefined ? fact('Files', metrics.fileCount) : null));
      const columns = Object.entries(metrics.columnMetrics ?? {});
      if (columns.length) {
        const keys = [...new Set(columns.flatMap(([, m]) => Object.keys(m)))];
        panel.append(h('div', { class: 'table-wrap' }, h('table', { id: 'quality-metrics' },
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Column'), keys.map((k) => h('th', { scope: 'col' }, k)))),
          h('tbody', null, columns.map(([c, m]) => h('tr', null, h('th', { scope: 'row' }, c), keys.map((k) => h('td', null, m[k] === undefined ? '' : valueText(m[k])))))))));
      }
    }
  }

  async function drawHistory() {
    panel.append(spinner());
    const answer = await api.get(`${path}/versions`, { limit: 50 }, { signal });
    clear(panel);
    const versions = answer.versions ?? [];
    if (!versions.length) {
      panel.append(emptyState('No history.'));
      return;
    }
    panel.append(h('ol', { class: 'history', id: 'history' }, versions.map((v) => h('li', null,
      h('div', { class: 'history-head' },
        h('strong', null, `v${v.version}`), ' ', h('span', { class: 'badge' }, (v.operation ?? '').toLowerCase()),
        ' ', h('span', null, v.createdBy || 'unknown'), ' ', h('time', { class: 'muted', datetime: v.createdAt }, formatTime(v.createdAt))),
      (v.changes ?? []).length ? h('ul', { class: 'changes' }, v.changes.map((c) => h('li', null,
        h('code', null, c.path), ': ',
        c.before === undefined ? h('span', { class: 'muted' }, 'added ') : h('del', null, valueText(c.before)),
        c.before !== undefined && c.after !== undefined ? ' → ' : '',
        c.after === undefined ? h('span', { class: 'muted' }, ' removed') : h('ins', null, valueText(c.after)))))
        : null))));
    if ((answer.totalCount ?? 0) > versions.length) panel.append(h('p', { class: 'muted' }, `The latest ${versions.length} of ${answer.totalCount} versions.`));
  }

  function draw() {
    drawHeader();
    drawTabs();
    drawPanel();
  }

  clear(root);
  root.append(header, tabBar, panel, suggestions);
  draw();
}
