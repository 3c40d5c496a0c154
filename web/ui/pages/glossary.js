// The glossary: terms as a tree (parent → children), a term's meaning and
// the columns linked to it. Stewards edit a term's definition here and link
// terms to columns on a dataset's page.
import { describeError } from '../app.js';
import { api, enc } from '../lib/api.js';
import { append, chip, clear, emptyState, formatTime, h, route, spinner } from '../lib/dom.js';

const STATUS_CLASS = { APPROVED: 'good', DRAFT: 'warn', DEPRECATED: 'bad' };

export async function render(ctx) {
  const selectedName = ctx.route.segments[0] ?? '';
  document.title = selectedName ? `${selectedName} · Glossary · Cadastre` : 'Glossary · Cadastre';
  const signal = ctx.signal;
  const filter = h('input', { type: 'search', id: 'glossary-filter', placeholder: 'Filter terms', 'aria-label': 'Filter terms', 'data-search-box': true });
  const tree = h('nav', { class: 'term-tree', id: 'term-tree', 'aria-label': 'Glossary terms' });
  const detail = h('section', { class: 'term-detail', id: 'term-detail', 'aria-live': 'polite' });
  append(ctx.main, [
    h('div', { class: 'glossary-page' },
      h('aside', { class: 'glossary-side' }, h('h1', { class: 'h2' }, 'Glossary'), filter, tree),
      detail),
  ]);
  tree.append(spinner());
  const { terms = [] } = await api.get('/glossary/terms', undefined, { signal });
  const byName = new Map(terms.map((t) => [t.name, t]));
  const children = new Map();
  for (const t of terms) {
    const parent = t.parent && byName.has(t.parent) ? t.parent : '';
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(t);
  }
  for (const list of children.values()) list.sort((a, b) => a.name.localeCompare(b.name));

  function drawTree() {
    clear(tree);
    const needle = filter.value.trim().toLowerCase();
    const matches = (t) => !needle || t.name.toLowerCase().includes(needle) || (t.synonyms ?? []).some((s) => s.toLowerCase().includes(needle));
    const visible = (t) => matches(t) || (children.get(t.name) ?? []).some(visible);
    const branch = (parent) => {
      const items = (children.get(parent) ?? []).filter(visible);
      if (!items.length) return null;
      return h('ul', { role: parent ? 'group' : 'tree' }, items.map((t) => h('li', { role: 'treeitem', 'aria-expanded': children.has(t.name) ? 'true' : undefined },
        h('a', { href: route.term(t.name), 'aria-current': t.name === selectedName ? 'page' : undefined, dataset: { term: t.name } },
          t.name, t.status && t.status !== 'APPROVED' ? h('span', { class: ['badge', 'tiny', STATUS_CLASS[t.status]] }, t.status.toLowerCase()) : null),
        branch(t.name))));
    };
    const list = branch('');
    tree.append(list ?? emptyState(terms.length ? 'No term matches.' : 'The glossary is empty.'));
  }
  filter.addEventListener('input', drawTree);
  drawTree();

  if (!selectedName) {
    detail.append(h('p', { class: 'muted' }, `${terms.length} terms. Pick one to see its meaning and the columns that carry it.`));
    return;
  }
  detail.append(spinner());
  let term;
  try {
    term = await api.get(`/glossary/terms/${enc(selectedName)}`, undefined, { signal });
  } catch (error) {
    clear(detail);
    detail.append(ctx.errorBox(error));
    return;
  }
  const mayEdit = ctx.session.can('MANAGE_GLOSSARY');

  function draw() {
    clear(detail);
    const definition = h('div', { id: 'term-definition' });
    const showDefinition = () => {
      clear(definition);
      definition.append(term.definition ? h('p', null, term.definition) : h('p', { class: 'muted' }, 'No definition yet.'));
      if (mayEdit) {
        definition.append(h('button', { type: 'button', class: 'link small', id: 'edit-definition', onclick: editDefinition }, 'Edit definition'));
      }
    };
    const editDefinition = () => {
      const area = h('textarea', { rows: 4, 'aria-label': 'Definition', value: term.definition ?? '' });
      const error = h('p', { class: 'form-error', role: 'alert' });
      const form = h('form', { class: 'inline-editor' }, area, h('div', { class: 'row' },
        h('button', { type: 'submit', class: 'primary small' }, 'Save'),
        h('button', { type: 'button', class: 'secondary small', onclick: showDefinition }, 'Cancel')), error);
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        try {
          const fresh = await api.get(`/glossary/terms/${enc(term.name)}`, undefined, { signal });
          delete fresh.columns;
          fresh.definition = area.value;
          await api.put(`/glossary/terms/${enc(term.name)}`, fresh, { signal });
          term = await api.get(`/glossary/terms/${enc(term.name)}`, undefined, { signal });
          ctx.notify('Definition saved.', 'ok');
          draw();
        } catch (e) {
          error.textContent = describeError(e);
        }
      });
      clear(definition);
      definition.append(form);
      area.focus();
    };
    showDefinition();
    const kids = children.get(term.name) ?? [];
    const columns = term.columns ?? [];
    append(detail, [
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/glossary' }, 'Glossary'),
        ancestry(term).map((p) => [' › ', h('a', { href: route.term(p) }, p)]), ' › ', term.name),
      h('div', { class: 'title-row' }, h('h2', { class: 'h1', id: 'term-title' }, term.name),
        term.status ? h('span', { class: ['badge', STATUS_CLASS[term.status]] }, term.status.toLowerCase()) : null),
      definition,
      h('dl', { class: 'facts' },
        term.unit ? fact('Unit', term.unit) : null,
        term.formula ? fact('Formula', h('code', null, term.formula)) : null,
        (term.synonyms ?? []).length ? fact('Synonyms', term.synonyms.join(', ')) : null,
        (term.relatedTerms ?? []).length ? fact('Related', term.relatedTerms.map((r, i) => [i ? ', ' : '', h('a', { href: route.term(r) }, r)])) : null,
        term.parent ? fact('Broader term', h('a', { href: route.term(term.parent) }, term.parent)) : null,
        kids.length ? fact('Narrower terms', kids.map((k, i) => [i ? ', ' : '', h('a', { href: route.term(k.name) }, k.name)])) : null,
        (term.reviewers ?? []).length ? fact('Reviewers', term.reviewers.join(', ')) : null,
        term.updatedAt ? fact('Updated', formatTime(term.updatedAt)) : null),
      h('h3', null, `Linked columns (${columns.length})`),
      columns.length ? h('ul', { class: 'linked-columns', id: 'linked-columns' }, columns.map((c) => h('li', null,
        h('a', { href: route.dataset(c.namespace, c.dataset, { field: c.field }) }, `${c.dataset}.${c.field}`),
        ' ', chip(c.namespace, { class: 'muted-chip' }))))
        : emptyState(mayEdit ? 'No column carries this term yet: link one from a dataset\'s Columns tab.' : 'No column you may see carries this term.'),
    ]);
  }
  draw();

  function ancestry(t) {
    const chain = [];
    let parent = t.parent;
    while (parent && byName.has(parent) && !chain.includes(parent)) {
      chain.unshift(parent);
      parent = byName.get(parent).parent;
    }
    return chain;
  }
}

function fact(label, value) {
  return h('div', { class: 'fact' }, h('dt', null, label), h('dd', null, value));
}
