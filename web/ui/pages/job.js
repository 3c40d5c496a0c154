// A job: what it reads and writes, its code and its latest run.
import { api, enc } from '../lib/api.js';
import { append, formatTime, h, route } from '../lib/dom.js';

export async function render(ctx) {
  const [ns, name] = ctx.route.segments;
  document.title = `${name} · Job · Cadastre`;
  let job;
  try {
    job = await api.get(`/namespaces/${enc(ns)}/jobs/${enc(name)}`, undefined, { signal: ctx.signal });
  } catch (error) {
    ctx.main.append(h('h1', null, name), ctx.errorBox(error));
    return;
  }
  const list = (items) => (items ?? []).length
    ? h('ul', null, items.map((d) => h('li', null, h('a', { href: route.dataset(d.namespace, d.name) }, d.name), ' ', h('span', { class: 'muted small' }, d.namespace))))
    : h('p', { class: 'muted' }, 'None you may see.');
  const run = job.latestRun;
  append(ctx.main, [h('article', { class: 'job-page' },
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, ns, ' › job'),
    h('div', { class: 'title-row' }, h('h1', null, name), job.integration ? h('span', { class: 'badge' }, job.integration.toLowerCase()) : null),
    job.description ? h('p', null, job.description) : null,
    h('dl', { class: 'facts' },
      job.type ? h('div', { class: 'fact' }, h('dt', null, 'Type'), h('dd', null, `${job.type}${job.jobType ? ` · ${job.jobType}` : ''}`)) : null,
      job.location ? h('div', { class: 'fact' }, h('dt', null, 'Code'), h('dd', null, job.location)) : null,
      run ? h('div', { class: 'fact' }, h('dt', null, 'Latest run'), h('dd', null, `${run.state ?? ''} ${formatTime(run.endedAt || run.startedAt || run.createdAt)}`)) : null),
    h('div', { class: 'two-col' },
      h('section', null, h('h2', { class: 'h3' }, 'Reads'), list(job.inputs)),
      h('section', null, h('h2', { class: 'h3' }, 'Writes'), list(job.outputs))),
    job.sql ? [h('h2', { class: 'h3' }, 'SQL'), h('pre', { class: 'code' }, job.sql)] : null)]);
}
