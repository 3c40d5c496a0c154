// Search as you type over datasets, columns, jobs and glossary terms, with
// facets, highlighted matches and spelling corrections
// (GET /api/v1/search/assets, proto/cadastre/v1/search.proto).
import { api } from '../lib/api.js';
import { append, chip, clear, emptyState, formatTime, h, plural, route, snippet, tagChip } from '../lib/dom.js';

const FILTERS = ['type', 'namespace', 'domain', 'tag', 'owner', 'term'];
const FACET_LABELS = { type: 'Type', namespace: 'Namespace', domain: 'Domain', tag: 'Classification', owner: 'Owner', term: 'Glossary term' };
const TYPE_LABELS = { DATASET: 'Dataset', FIELD: 'Column', JOB: 'Job', GLOSSARY_TERM: 'Term' };
const PAGE = 20;

function hitLink(hit) {
  switch (hit.type) {
    case 'DATASET': return route.dataset(hit.namespace, hit.dataset || hit.name);
    case 'FIELD': return route.dataset(hit.namespace, hit.dataset, { field: hit.field });
    case 'JOB': return route.job(hit.namespace, hit.name);
    case 'GLOSSARY_TERM': return route.term(hit.name);
    default: return '#/search';
  }
}

function highlightOf(hit, field) {
  return (hit.highlights ?? []).find((x) => x.field === field)?.snippet;
}

function card(hit, index) {
  const name = highlightOf(hit, 'name');
  const description = highlightOf(hit, 'description');
  const others = (hit.highlights ?? []).filter((x) => x.field !== 'name' && x.field !== 'description');
  const title = hit.type === 'FIELD' ? `${hit.dataset}.${hit.field}` : hit.name;
  return h('li', { class: 'result' },
    h('article', { 'aria-labelledby': `hit-${index}` },
      h('div', { class: 'result-head' },
        h('span', { class: ['badge', `badge-${(hit.type ?? '').toLowerCase()}`] }, TYPE_LABELS[hit.type] ?? hit.type),
        h('a', { href: hitLink(hit), id: `hit-${index}`, class: 'result-title', dataset: { result: String(index) } },
          name && hit.type !== 'FIELD' ? snippet(name) : title),
        hit.match === 'fuzzy' ? h('span', { class: 'muted small', title: 'Found through a corrected word' }, '≈') : null),
      h('div', { class: 'result-qn muted' }, hit.qualifiedName || hit.namespace),
      h('div', { class: 'result-meta' },
        hit.domain ? h('span', null, h('span', { class: 'muted' }, 'Domain '), hit.domain) : null,
        (hit.owners ?? []).length ? h('span', null, h('span', { class: 'muted' }, 'Owners '), hit.owners.join(', ')) : null,
        hit.dataType ? h('span', null, h('span', { class: 'muted' }, 'Type '), h('code', null, hit.dataType)) : null,
        hit.updatedAt ? h('span', { class: 'muted' }, `updated ${formatTime(hit.updatedAt)}`) : null),
      (hit.tags ?? []).length || (hit.terms ?? []).length
        ? h('div', { class: 'chips' }, (hit.tags ?? []).map((t) => tagChip(t)), (hit.terms ?? []).map((t) => chip(t, { class: 'term' })))
        : null,
      description ? h('p', { class: 'result-desc' }, snippet(description))
        : hit.description ? h('p', { class: 'result-desc' }, hit.description) : null,
      others.length ? h('ul', { class: 'result-matches' }, others.map((x) =>
        h('li', null, h('span', { class: 'muted' }, `${x.field}: `), snippet(x.snippet)))) : null));
}

export async function render(ctx) {
  const query = ctx.route.query;
  const state = { q: query.get('q') ?? '', offset: 0 };
  for (const f of FILTERS) state[f] = query.get(f) ?? '';
  document.title = state.q ? `${state.q} · Search · Cadastre` : 'Search · Cadastre';

  const input = h('input', {
    type: 'search', id: 'search-input', value: state.q, placeholder: 'Search datasets, columns, jobs, terms…',
    'aria-label': 'Search the catalog', autocomplete: 'off', spellcheck: 'false', 'data-search-box': true,
    'aria-controls': 'results',
  });
  const status = h('p', { class: 'search-status', id: 'search-status', role: 'status', 'aria-live': 'polite' });
  const active = h('div', { class: 'active-filters', id: 'active-filters' });
  const facets = h('div', { class: 'facets', id: 'facets' });
  const results = h('ol', { class: 'results', id: 'results' });
  const more = h('div', { class: 'more' });
  const facetToggle = h('button', {
    type: 'button', class: 'secondary facet-toggle', 'aria-expanded': 'false', 'aria-controls': 'facets',
    onclick: () => {
      const open = facets.classList.toggle('open');
      facetToggle.setAttribute('aria-expanded', String(open));
    },
  }, 'Filters');

  append(ctx.main, [
    h('section', { class: 'search-page' },
      h('h1', { class: 'visually-hidden' }, 'Search'),
      h('div', { class: 'search-bar' }, input, facetToggle),
      h('p', { class: 'hint muted' }, 'Type to search; misspelt words are corrected. ',
        h('kbd', null, '/'), ' focuses the box, ', h('kbd', null, '↓'), ' moves into the results.'),
      h('div', { class: 'search-layout' },
        h('aside', { 'aria-label': 'Filters' }, facets),
        h('div', { class: 'search-main' }, active, status, results, more))),
  ]);

  let inflight = null;
  let timer = 0;

  function syncUrl() {
    const params = { q: state.q };
    for (const f of FILTERS) params[f] = state[f];
    history.replaceState(null, '', route.search(params));
    document.title = state.q ? `${state.q} · Search · Cadastre` : 'Search · Cadastre';
  }

  function renderActive() {
    clear(active);
    for (const f of FILTERS) {
      if (!state[f]) continue;
      active.append(h('button', {
        type: 'button', class: 'chip removable', dataset: { filter: f },
        'aria-label': `Remove filter ${FACET_LABELS[f]} ${state[f]}`,
        onclick: () => { state[f] = ''; run(); },
      }, `${FACET_LABELS[f]}: ${state[f]} ×`));
    }
  }

  function renderFacets(list) {
    clear(facets);
    for (const facet of list ?? []) {
      const values = facet.values ?? [];
      if (!values.length && !state[facet.name]) continue;
      const group = h('fieldset', { class: 'facet', dataset: { facet: facet.name } },
        h('legend', null, FACET_LABELS[facet.name] ?? facet.name));
      for (const { value, count } of values) {
        const on = state[facet.name] === value;
        group.append(h('button', {
          type: 'button', class: ['facet-value', on && 'on'], 'aria-pressed': String(on),
          dataset: { value },
          onclick: () => { state[facet.name] = on ? '' : value; run(); },
        }, h('span', { class: 'facet-name' }, facet.name === 'type' ? (TYPE_LABELS[value] ?? value) : value),
        h('span', { class: 'count' }, String(count))));
      }
      facets.append(group);
    }
  }

  async function run({ append: appendPage = false } = {}) {
    syncUrl();
    renderActive();
    if (!appendPage) state.offset = 0;
    inflight?.abort();
    const controller = new AbortController();
    inflight = controller;
    ctx.signal.addEventListener('abort', () => controller.abort(), { once: true });
    const params = { q: state.q.trim(), limit: PAGE, offset: state.offset };
    for (const f of FILTERS) params[f] = state[f];
    if (!params.q && FILTERS.every((f) => !state[f])) {
      clear(results);
      clear(facets);
      clear(more);
      status.textContent = '';
      results.append(h('li', { class: 'empty' }, 'Type a word: a name, a column, a classification, an owner…'));
      return;
    }
    status.classList.add('busy');
    let answer;
    try {
      answer = await api.get('/search/assets', params, { signal: controller.signal });
    } catch (error) {
      if (error.name === 'AbortError') return;
      status.classList.remove('busy');
      clear(results);
      results.append(h('li', null, ctx.errorBox(error)));
      return;
    }
    if (controller !== inflight) return;
    status.classList.remove('busy');
    const hits = answer.results ?? [];
    const total = answer.totalCount ?? hits.length;
    clear(status);
    status.append(plural(total, 'result'));
    const corrections = answer.corrections ?? [];
    if (corrections.length) {
      status.append(' · showing results for ', h('span', { class: 'correction', id: 'corrections' },
        corrections.map((c) => c.split('->').map((s) => s.trim())).map(([from, to], i) =>
          [i ? ', ' : '', h('strong', null, to), h('span', { class: 'muted' }, ` (not “${from}”)`)])));
    }
    if (!appendPage) {
      clear(results);
      renderFacets(answer.facets);
    }
    const start = results.querySelectorAll('li.result').length;
    hits.forEach((hit, i) => results.append(card(hit, start + i)));
    if (!hits.length && !appendPage) results.append(h('li', { class: 'empty' }, 'Nothing matches. Try fewer words or remove a filter.'));
    clear(more);
    if (start + hits.length < total) {
      more.append(h('button', {
        type: 'button', class: 'secondary', id: 'load-more',
        onclick: () => { state.offset = start + hits.length; run({ append: true }); },
      }, `Show more (${total - start - hits.length} left)`));
    }
  }

  input.addEventListener('input', () => {
    state.q = input.value;
    clearTimeout(timer);
    timer = setTimeout(run, 120);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') {
      const first = results.querySelector('a.result-title');
      if (first) {
        event.preventDefault();
        first.focus();
      }
    } else if (event.key === 'Enter') {
      clearTimeout(timer);
      const first = results.querySelector('a.result-title');
      if (first && state.q === input.value && !status.classList.contains('busy')) location.hash = first.getAttribute('href');
      else run();
    }
  });
  results.addEventListener('keydown', (event) => {
    const links = [...results.querySelectorAll('a.result-title')];
    const index = links.indexOf(document.activeElement);
    if (index < 0) return;
    if (event.key === 'ArrowDown' && index + 1 < links.length) {
      event.preventDefault();
      links[index + 1].focus();
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      (index > 0 ? links[index - 1] : input).focus();
    } else if (event.key === 'Escape') {
      input.focus();
    }
  });

  input.focus();
  await run();
}
