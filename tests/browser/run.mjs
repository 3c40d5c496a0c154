#!/usr/bin/env node
// Browser end-to-end tests of the web UI: a real cadastre-server (temporary
// data directory, free ports), seeded through the REST API, driven in
// Debian's Chromium by playwright-core.
//
//   node tests/browser/run.mjs --server build/server/cadastre-server \
//        --screenshots build/screenshots [--only NAME] [--keep]
//
// Every test fails on a console error or an uncaught exception in the page.
// A screenshot of each page goes to --screenshots. Prints "N passed, M
// failed" last and exits non-zero on any failure; the whole run is bounded.
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Api, CRM, FINANCE, WAREHOUSE, seed } from './seed.mjs';
import { ServerProcess } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const { values: args } = parseArgs({
  options: {
    server: { type: 'string' },
    screenshots: { type: 'string', default: path.join(process.cwd(), 'screenshots') },
    'web-dir': { type: 'string', default: path.join(repo, 'web') },
    events: { type: 'string', default: path.join(repo, 'tests/data/openlineage/events') },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    // Development: run against a server already up (its admin token file).
    base: { type: 'string' },
    'admin-token-file': { type: 'string' },
  },
});
if (!args.server && !args.base) {
  console.error('usage: run.mjs --server PATH [--screenshots DIR] [--only NAME] [--keep]');
  process.exit(2);
}
// playwright-core is a devDependency of web/ (installed by the build's npm ci).
const { chromium } = createRequire(path.join(args['web-dir'], 'package.json'))('playwright-core');

const RUN_LIMIT_MS = 240_000;
const TEST_LIMIT_MS = 60_000;
const LAPTOP = { width: 1366, height: 800 };
const NARROW = { width: 390, height: 844 };
const enc = encodeURIComponent;

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

// ------------------------------------------------------------------ helpers

let server;
let browser;
let admin;
let tokens;

// A fresh browser context (its own sessionStorage) and page, whose console
// errors and page exceptions fail the test.
async function openPage(t, viewport = LAPTOP) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  t.contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('console', (message) => {
    if (message.type() === 'error') t.consoleErrors.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => t.consoleErrors.push(`${page.url()}: uncaught ${error.message}`));
  return page;
}

async function signIn(page, token, hash = '') {
  await page.goto(`${server.base}/${hash}`);
  await page.waitForSelector('#token');
  await page.fill('#token', token);
  await page.click('form.signin button[type=submit]');
  await page.waitForSelector('#who-name');
}

async function shot(page, name) {
  await page.waitForTimeout(150);  // let a layout or a fade settle
  await page.screenshot({ path: path.join(args.screenshots, `${name}.png`), fullPage: false });
}

const datasetHash = (ns, name, query = '') => `#/dataset/${enc(ns)}/${enc(name)}${query}`;

async function texts(page, selector) {
  return page.$$eval(selector, (els) => els.map((e) => e.textContent.trim()));
}

// The lineage graph's state, read from the Cytoscape instance the page
// hangs on its container.
async function graphState(page, selector = '#lineage-graph') {
  return page.$eval(selector, (el) => {
    const cy = el.cy;
    if (!cy) return null;
    return {
      nodes: cy.nodes().filter((n) => !n.isParent()).map((n) => ({ id: n.id(), classes: n.classes() })),
      parents: cy.nodes().filter((n) => n.isParent()).map((n) => n.id()),
      edges: cy.edges().map((e) => ({ source: e.source().id(), target: e.target().id(), classes: e.classes(), label: e.data('label') })),
    };
  });
}

// Viewport coordinates of a graph node's centre, for a real mouse click.
async function nodePoint(page, id, selector = '#lineage-graph') {
  const box = await page.locator(selector).boundingBox();
  const pos = await page.$eval(selector, (el, nodeId) => {
    const node = el.cy.getElementById(nodeId);
    return node.nonempty() ? node.renderedPosition() : null;
  }, id);
  assert.ok(pos, `node ${id} is drawn`);
  return { x: box.x + pos.x, y: box.y + pos.y };
}

async function noHorizontalOverflow(page) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert.ok(scroll <= width + 1, `the page scrolls sideways at ${width}px (${scroll}px wide)`);
}

// ------------------------------------------------------------------- tests

test('static assets: served without a token, with CSP, ETag and cache headers', async () => {
  const index = await fetch(`${server.base}/`);
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /^text\/html/);
  const csp = index.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  const etag = index.headers.get('etag');
  assert.match(etag ?? '', /^"[0-9a-f]+-[0-9a-f]+"$/);
  const again = await fetch(`${server.base}/`, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  const js = await fetch(`${server.base}/ui/app.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  const lib = await fetch(`${server.base}/ui/vendor/cytoscape.esm.min.mjs`);
  assert.equal(lib.status, 200);
  assert.match(lib.headers.get('content-type'), /^text\/javascript/);
  assert.equal((await fetch(`${server.base}/ui/no-such-file.js`)).status, 404);
  assert.equal((await fetch(`${server.base}/ui/../api/v1/me`)).status === 200, false);
  assert.equal((await fetch(`${server.base}/`, { method: 'POST', body: 'x' })).status, 405);
  // The API behind it still wants a token.
  assert.equal((await fetch(`${server.base}/api/v1/me`)).status, 401);
});

test('sign in: a wrong token is refused, a right one shows who you are, sign out forgets it', async (t) => {
  const page = await openPage(t);
  t.expectConsole(/status of 401/);
  await page.goto(`${server.base}/#/dataset/${enc(CRM)}/public.customers`);
  await page.waitForSelector('#token');
  assert.match(page.url(), /#\/signin\?next=/);
  await shot(page, 'signin');
  await page.fill('#token', 'cad_this-is-not-a-token');
  await page.click('form.signin button[type=submit]');
  await page.waitForSelector('#signin-error:has-text("refused")');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('cadastre.token')), null);
  await page.fill('#token', tokens.ana);
  await page.click('form.signin button[type=submit]');
  await page.waitForSelector('#who-name');
  assert.equal(await page.textContent('#who-name'), 'ana');
  // Back to where the sign-in was asked for.
  await page.waitForSelector('#dataset-title');
  assert.equal(await page.textContent('#dataset-title'), 'public.customers');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('cadastre.token')), tokens.ana);
  assert.equal(await page.isVisible('#nav-audit'), false, 'an analyst is not offered the audit pages');
  await page.click('#sign-out');
  await page.waitForSelector('#token');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('cadastre.token')), null);
});

test('search as you type finds a dataset by a misspelt word, highlighted, by keyboard', async (t) => {
  const page = await openPage(t);
  await signIn(page, tokens.ana, '#/search');
  await page.focus('#search-input');
  const started = Date.now();
  await page.keyboard.type('custmer', { delay: 40 });
  await page.waitForSelector('#results a.result-title:has-text("public.customers")');
  const took = Date.now() - started;
  assert.ok(took < 5000, `results took ${took} ms`);
  assert.match(await page.textContent('#corrections'), /customer/);
  assert.ok(await page.locator('#results mark').count() > 0, 'matched words are highlighted');
  const marks = await texts(page, '#results mark');
  assert.ok(marks.every((m) => /custom/i.test(m)), `marks: ${marks.join(', ')}`);
  assert.match(page.url(), /#\/search\?q=custmer/);
  await shot(page, 'search-laptop');
  // Keyboard: ↓ into the results, Enter opens the focused one.
  await page.focus('#search-input');
  await page.keyboard.press('ArrowDown');
  const focused = await page.evaluate(() => document.activeElement?.getAttribute('href'));
  assert.match(focused ?? '', /^#\/(dataset|glossary|job)\//);
  await page.keyboard.press('Enter');
  await page.waitForFunction((href) => location.hash === href, focused);
});

test('facets narrow the results, and the filter can be removed', async (t) => {
  const page = await openPage(t);
  await signIn(page, tokens.ana, '#/search?q=customer');
  await page.waitForSelector('#results li.result');
  const before = await page.locator('#results li.result').count();
  const types = await texts(page, '#results .result-head .badge');
  assert.ok(new Set(types).size > 1, `several kinds of result before filtering: ${types}`);
  await page.click('[data-facet="type"] button[data-value="DATASET"]');
  await page.waitForSelector('#active-filters [data-filter="type"]');
  await page.waitForFunction(() => [...document.querySelectorAll('#results .result-head .badge')].every((b) => b.textContent === 'Dataset'));
  const after = await page.locator('#results li.result').count();
  assert.ok(after > 0 && after < before, `${before} results narrowed to ${after}`);
  assert.match(page.url(), /type=DATASET/);
  await page.click('[data-facet="domain"] button[data-value="crm.analytics"]');
  await page.waitForFunction(() => document.querySelectorAll('#results li.result').length > 0 &&
    [...document.querySelectorAll('#results .result-meta')].every((m) => m.textContent.includes('crm.analytics')));
  await shot(page, 'search-facets');
  await page.click('#active-filters [data-filter="domain"]');
  await page.waitForFunction(() => !document.querySelector('#active-filters [data-filter="domain"]'));
});

test('a dataset hidden from a scoped analyst never shows, while an unscoped auditor finds it', async (t) => {
  const page = await openPage(t);
  t.expectConsole(/status of 404/);
  await signIn(page, tokens.ana, '#/search?q=credit%20scores');
  await page.waitForSelector('#search-status:has-text("result")');
  for (const q of ['credit scores', 'customer', 'ledger']) {
    await page.fill('#search-input', q);
    await page.waitForFunction((text) => new URLSearchParams(location.hash.split('?')[1]).get('q') === text &&
      !document.querySelector('#search-status').classList.contains('busy') &&
      document.querySelector('#search-status').textContent.includes('result'), q);
    const body = await page.textContent('main');
    assert.doesNotMatch(body, /customer_credit_scores|finance\.risk|postgres:\/\/finance/, `"${q}" leaks the hidden dataset`);
  }
  await page.goto(`${server.base}/${datasetHash(FINANCE, 'ledger.customer_credit_scores')}`);
  await page.waitForSelector('.error-box');
  assert.match(await page.textContent('.error-box'), /not found/i);
  assert.doesNotMatch(await page.textContent('main'), /Credit score per customer/);
  // The lineage shows it as a redacted node, without its name.
  await page.goto(`${server.base}/#/lineage/${enc(CRM)}/public.customers?down=1&up=0`);
  await page.waitForSelector('#lineage-graph[data-nodes]');
  const graph = await graphState(page);
  assert.ok(graph.nodes.some((n) => n.classes.includes('redacted')), 'a redacted node stands for it');
  assert.ok(!graph.nodes.some((n) => n.id.includes('finance')) && !graph.parents.some((p) => p.includes('finance')));
  // Unscoped, the same search and page find it: the test above can fail.
  const auditor = await openPage(t);
  await signIn(auditor, tokens.aud, datasetHash(FINANCE, 'ledger.customer_credit_scores'));
  await auditor.waitForSelector('#dataset-title:has-text("ledger.customer_credit_scores")');
  await auditor.goto(`${server.base}/#/search?q=credit%20scores`);
  await auditor.waitForSelector('#results a.result-title:has-text("customer_credit_scores")');
});

test('dataset page: columns, owners, own and inherited classifications with their path, terms, quality, history', async (t) => {
  const page = await openPage(t);
  await signIn(page, tokens.ana, datasetHash(CRM, 'public.customers'));
  await page.waitForSelector('#columns');
  assert.match(await page.textContent('#dataset-owners'), /crm-team/);
  assert.match(await page.textContent('#dataset-description-text'), /source of truth for contact data/);
  assert.deepEqual(await texts(page, '#columns tbody .field-name'), ['id', 'email', 'full_name', 'country', 'signup_date']);
  assert.match(await page.textContent('#field-email'), /PII\.Email/);
  assert.match(await page.textContent('#field-email'), /Email Address/);
  assert.match(await page.textContent('#field-id'), /bigint/);
  await shot(page, 'dataset-laptop');
  await page.click('#tab-quality');
  await page.waitForSelector('#assertions');
  assert.match(await page.textContent('#assertions .fail'), /unique/);
  assert.match(await page.textContent('main'), /1,200/);
  await shot(page, 'dataset-quality');
  await page.click('#tab-history');
  await page.waitForSelector('#history li');
  assert.match(await page.textContent('#history'), /create/i);
  await shot(page, 'dataset-history');
  // Inherited through lineage, with the path it came by.
  await page.goto(`${server.base}/${datasetHash(WAREHOUSE, 'curated.customers')}`);
  await page.waitForSelector('#field-email');
  const inherited = page.locator('#field-email .chip.inherited');
  assert.equal(await inherited.textContent(), 'PII.Email');
  assert.match(await inherited.getAttribute('title'), /Inherited from public\.customers\.email along public\.customers\.email → curated\.customers\.email/);
  assert.match(await page.textContent('#field-email .via'), /public\.customers\.email → curated\.customers\.email/);
  assert.equal(await page.locator('#field-email_hash .chip.inherited').count(), 0, 'the masking step stops propagation');
  await shot(page, 'dataset-inherited');
});

test('sample rows: masked for an analyst, clear for an engineer', async (t) => {
  const analyst = await openPage(t);
  await signIn(analyst, tokens.ana, datasetHash(CRM, 'public.customers', '?tab=sample'));
  await analyst.waitForSelector('#sample');
  const anaEmails = await texts(analyst, '#sample td[data-column="email"]');
  assert.equal(anaEmails.length, 3);
  assert.ok(anaEmails.every((e) => /^[0-9a-f]{64}$/.test(e)), `hashed: ${anaEmails}`);
  assert.deepEqual(await texts(analyst, '#sample td[data-column="full_name"]'), ['Xxx Xxxxx', 'Xx Xxx', 'Xxx Xxxx']);
  assert.ok(await analyst.locator('#sample th.masked[data-column="email"] .mask-badge').count() === 1);
  assert.deepEqual(await texts(analyst, '#sample td[data-column="country"]'), ['DE', 'FR', 'SE']);
  assert.match(await analyst.textContent('#sample-note'), /2 masked columns/);
  await shot(analyst, 'sample-analyst');
  const engineer = await openPage(t);
  await signIn(engineer, tokens.eng, datasetHash(CRM, 'public.customers', '?tab=sample'));
  await engineer.waitForSelector('#sample');
  assert.deepEqual(await texts(engineer, '#sample td[data-column="email"]'), ['zoe@example.com', 'li.wei@example.org', 'sam@example.net']);
  assert.deepEqual(await texts(engineer, '#sample td[data-column="full_name"]'), ['Zoe Quinn', 'Li Wei', 'Sam Berg']);
  assert.equal(await engineer.locator('#sample .masked').count(), 0);
  assert.match(await engineer.textContent('#sample-note'), /in clear/);
  await shot(engineer, 'sample-engineer');
});

test('lineage: the graph renders, grows one hop, switches to tables, and a node opens', async (t) => {
  const page = await openPage(t);
  await signIn(page, tokens.ana, datasetHash(CRM, 'public.customers'));
  await page.click('#open-lineage');
  await page.waitForSelector('#lineage-graph[data-nodes]');
  let graph = await graphState(page);
  const start = graph.nodes.length;
  assert.ok(graph.parents.includes(`dataset:${WAREHOUSE}:curated.customers`), 'columns are grouped by dataset');
  const masking = graph.edges.filter((e) => e.classes.includes('masking'));
  assert.deepEqual(masking.map((e) => e.target), [`datasetField:${WAREHOUSE}:curated.customers:email_hash`]);
  assert.equal(masking[0].label, 'masked');
  assert.ok(!graph.nodes.some((n) => n.id.includes('marts.customer_revenue')));
  await shot(page, 'lineage-columns');
  // One more hop downstream reaches the mart, with INDIRECT edges drawn dashed.
  await page.click('#down-more');
  await page.waitForFunction((n) => Number(document.querySelector('#lineage-graph').dataset.nodes) > n, start);
  graph = await graphState(page);
  assert.ok(graph.nodes.some((n) => n.id === `datasetField:${WAREHOUSE}:marts.customer_revenue:revenue`));
  assert.ok(graph.edges.some((e) => e.classes.includes('indirect') && e.target.endsWith(':revenue')), 'an INDIRECT edge');
  assert.ok(graph.nodes.filter((n) => n.classes.includes('new')).length > 0, 'new nodes are marked');
  assert.equal(await page.textContent('#down-depth'), '2');
  assert.match(page.url(), /down=2/);
  await shot(page, 'lineage-expanded');
  // Grow one node upstream: marts.customer_revenue.revenue reads public.orders.amount.
  const revenue = `datasetField:${WAREHOUSE}:marts.customer_revenue:revenue`;
  const point = await nodePoint(page, revenue);
  await page.mouse.click(point.x, point.y);
  await page.waitForSelector('#node-title:has-text("marts.customer_revenue.revenue")');
  const count = (await graphState(page)).nodes.length;
  await page.click('#node-up');
  await page.waitForFunction((n) => Number(document.querySelector('#lineage-graph').dataset.nodes) > n, count);
  graph = await graphState(page);
  assert.ok(graph.nodes.some((n) => n.id === `datasetField:${CRM}:public.orders:amount`), 'the node grew upstream');
  // Table view: datasets, edges named by their jobs.
  await page.click('#view-table');
  await page.waitForFunction(() => document.querySelector('#view-table').getAttribute('aria-pressed') === 'true');
  await page.waitForFunction(() => {
    const cy = document.querySelector('#lineage-graph').cy;
    return cy && cy.nodes('.table').length > 0 && cy.nodes().every((n) => !n.id().startsWith('datasetField:'));
  });
  graph = await graphState(page);
  assert.ok(graph.edges.some((e) => e.label === 'curate_customers'));
  assert.match(page.url(), /view=table/);
  await shot(page, 'lineage-tables');
  // The edges as a table, for the keyboard; a job opens its page.
  await page.click('#lineage-table summary');
  assert.ok(await page.locator('#lineage-table tbody tr').count() >= 3);
  await page.click('#lineage-table a:text-is("curate_customers")');
  await page.waitForSelector('.job-page h1:has-text("curate_customers")');
  assert.match(await page.textContent('.job-page'), /sha256\(email\)/);
  assert.match(await page.textContent('.job-page'), /public\.customers/);
  await shot(page, 'job');
  await page.goBack();
  await page.waitForSelector('#lineage-graph[data-nodes]');
  // A double click opens a node's page.
  const curated = await nodePoint(page, `dataset:${WAREHOUSE}:curated.customers`);
  await page.mouse.dblclick(curated.x, curated.y);
  await page.waitForSelector('#dataset-title:has-text("curated.customers")');
  assert.match(page.url(), /#\/dataset\/warehouse\/curated\.customers/);
});

test('steward edits a description, classifies and links a column; the server refuses a demoted steward', async (t) => {
  const page = await openPage(t);
  t.expectConsole(/status of 403/);
  await signIn(page, tokens.stu, datasetHash(CRM, 'public.orders'));
  await page.waitForSelector('#edit-description');
  await page.click('#edit-description');
  await page.fill('#description-editor', 'Orders placed in the web shop, one row per order line.');
  await page.click('#dataset-description button[type=submit]');
  await page.waitForSelector('#dataset-description-text:has-text("one row per order line")');
  const path = `/namespaces/${enc(CRM)}/datasets/public.orders`;
  assert.equal((await admin.get(path)).description, 'Orders placed in the web shop, one row per order line.');
  // A column's description.
  await page.click('#field-amount button.edit-field');
  await page.fill('#field-amount textarea', 'Order total in EUR, VAT included');
  await page.click('#field-amount button[type=submit]');
  await page.waitForSelector('#field-amount .field-desc:has-text("VAT included")');
  // A classification.
  await page.click('#field-amount .tags-cell button[aria-label^="Add a classification"]');
  await page.fill('#field-amount .tags-cell input', 'Confidential');
  await page.click('#field-amount .tags-cell button[type=submit]');
  await page.waitForSelector('#field-amount .chip.tag:has-text("Confidential")');
  // A glossary link.
  await page.click('#field-customer_id button[aria-label^="Link a glossary term"]');
  await page.fill('#field-customer_id input', 'Customer Number');
  await page.click('#field-customer_id button[type=submit]');
  await page.waitForSelector('#field-customer_id a.chip.term:has-text("Customer Number")');
  const orders = await admin.get(path);
  const amount = orders.fields.find((f) => f.name === 'amount');
  assert.equal(amount.description, 'Order total in EUR, VAT included');
  assert.deepEqual(amount.tags, ['Confidential']);
  assert.deepEqual(orders.fields.find((f) => f.name === 'customer_id').glossaryTerms, ['Customer Number']);
  await shot(page, 'steward-edit');

  // An analyst is offered no editing.
  const analyst = await openPage(t);
  await signIn(analyst, tokens.ana, datasetHash(CRM, 'public.orders'));
  await analyst.waitForSelector('#columns');
  assert.equal(await analyst.locator('#edit-description, button.edit-field, .adder').count(), 0);

  // flip signs in as a steward, is made an analyst while the page is open,
  // and then tries: the server refuses and the page says so.
  const flip = await openPage(t);
  await signIn(flip, tokens.flip, datasetHash(CRM, 'public.orders'));
  await flip.click('#edit-description');
  await flip.fill('#description-editor', 'Vandalised');
  await admin.put('/principals/flip', { kind: 'user', roles: ['analyst'], domains: ['crm'] });
  await flip.click('#dataset-description button[type=submit]');
  await flip.waitForSelector('#dataset-description .form-error:has-text("Not allowed")');
  await shot(flip, 'steward-refused');
  assert.equal((await admin.get(path)).description, 'Orders placed in the web shop, one row per order line.');
  await admin.put('/principals/flip', { kind: 'user', roles: ['steward'], domains: ['crm'] });
});

test('glossary: the term tree, a term with its hierarchy and linked columns', async (t) => {
  const page = await openPage(t);
  await signIn(page, tokens.ana, '#/glossary');
  await page.waitForSelector('#term-tree [data-term="Customer"]');
  const names = await texts(page, '#term-tree a');
  assert.deepEqual(names.map((n) => n.replace(/draft$/, '')), ['Contact Data', 'Email Address', 'Customer', 'Customer Lifetime Value', 'Customer Number']);
  await page.click('#term-tree [data-term="Customer Number"]');
  await page.waitForSelector('#term-title:has-text("Customer Number")');
  assert.match(await page.textContent('main .crumbs'), /Glossary › Customer › Customer Number/);
  assert.match(await page.textContent('#linked-columns'), /public\.customers\.id/);
  await shot(page, 'glossary');
  await page.fill('#glossary-filter', 'email');
  await page.waitForFunction(() => document.querySelectorAll('#term-tree a').length === 2);
  assert.deepEqual((await texts(page, '#term-tree a')).map((n) => n.replace(/draft$/, '')), ['Contact Data', 'Email Address']);
  await page.click('#linked-columns a');
  await page.waitForSelector('#field-id.focused');
});

test('auditor: personal-data inventory with a CSV download, a trace as graph and table, the access log and its chain', async (t) => {
  const page = await openPage(t);
  await signIn(page, tokens.aud, '#/search');
  await page.click('#nav-audit');
  await page.waitForSelector('#pd-table');
  const rows = await texts(page, '#pd-table tbody th a');
  assert.ok(rows.includes('public.customers.email') && rows.includes('curated.customers.email'), `inventory: ${rows}`);
  assert.match(await page.textContent('#chain-status'), /intact/);
  await shot(page, 'audit-personal-data');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-download="csv"]')]);
  assert.equal(csv.suggestedFilename(), 'personal-data.csv');
  const text = await readFile(await csv.path(), 'utf8');
  assert.match(text.split('\n')[0], /^namespace,dataset,field,domain,owners/);
  assert.match(text, /postgres:\/\/crm:5432,public\.customers,email,crm\.core/);

  // Trace public.customers.email from its row.
  await page.click('#pd-table tr:has(a:text-is("public.customers.email")) a.button:has-text("Trace")');
  await page.waitForSelector('#trace-graph[data-nodes]');
  const graph = await graphState(page, '#trace-graph');
  assert.ok(graph.nodes.some((n) => n.id.endsWith(':curated.customers:email_hash')));
  assert.ok(graph.edges.some((e) => e.classes.includes('masking')));
  const hops = await page.locator('#trace-table tbody tr').count();
  assert.ok(hops >= 2, `${hops} hops`);
  assert.ok(await page.locator('#trace-table tr.masking .badge:has-text("masking")').count() >= 1);
  assert.match(await page.textContent('#trace-summary'), /paths?/);
  await shot(page, 'audit-trace');

  // The access log, filtered, with the chain's verification.
  await page.click('[data-section="access"]');
  await page.waitForSelector('#verify-box #chain-status');
  assert.match(await page.textContent('#chain-status'), /Audit log intact/);
  await page.fill('#log-principal', 'ana');
  await page.selectOption('#log-decision', 'AUDIT_ALLOWED');
  await page.click('#log-filters button[type=submit]');
  await page.waitForFunction(() => location.hash.includes('principal=ana'));
  await page.waitForSelector('#log-table tbody tr td');
  const principals = await texts(page, '#log-table tbody tr td:nth-child(3)');
  assert.ok(principals.length > 0 && principals.every((p) => p === 'ana'), `principals: ${principals}`);
  const columns = await page.textContent('#log-table tbody');
  assert.match(columns, /email hash/, 'the log says the analyst saw e-mail hashed');
  await shot(page, 'audit-access-log');
  const [jsonl] = await Promise.all([page.waitForEvent('download'), page.click('[data-download="jsonl"]')]);
  const lines = (await readFile(await jsonl.path(), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(lines.length > 0 && lines.every((l) => l.principal === 'ana'));
});

test('narrow screens: search and dataset pages fit 390 px', async (t) => {
  const page = await openPage(t, NARROW);
  await signIn(page, tokens.ana, '#/search?q=customers');
  await page.waitForSelector('#results li.result');
  await noHorizontalOverflow(page);
  assert.equal(await page.isVisible('#facets'), false, 'facets fold away');
  await shot(page, 'search-narrow');
  await page.click('.facet-toggle');
  await page.waitForSelector('#facets.open');
  await shot(page, 'search-narrow-filters');
  await page.goto(`${server.base}/${datasetHash(CRM, 'public.customers')}`);
  await page.waitForSelector('#columns');
  await noHorizontalOverflow(page);
  await shot(page, 'dataset-narrow');
  await page.goto(`${server.base}/#/lineage/${enc(CRM)}/public.customers`);
  await page.waitForSelector('#lineage-graph[data-nodes]');
  await noHorizontalOverflow(page);
  await shot(page, 'lineage-narrow');
});

// --------------------------------------------------------------------- run

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms); }),
  ]);
}

async function main() {
  await mkdir(args.screenshots, { recursive: true });
  // A failure's screenshots from an earlier run would mislead.
  for (const name of await readdir(args.screenshots)) {
    if (name.startsWith('FAILED-')) await rm(path.join(args.screenshots, name), { force: true });
  }
  server = new ServerProcess(args.server);
  let passed = 0;
  let failed = 0;
  try {
    if (args.base) {
      server.base = args.base;
      server.token = (await readFile(args['admin-token-file'], 'utf8')).trim();
    } else {
      await server.start();
    }
    admin = new Api(server.base, server.token);
    tokens = await withTimeout(seed(admin, args.events), 30_000, 'seeding');
    browser = await chromium.launch({ executablePath: args.chromium, headless: true, args: ['--no-sandbox'] });
    for (const { name, fn } of tests) {
      if (args.only && !name.includes(args.only)) continue;
      const t = {
        contexts: [], consoleErrors: [], allowed: [],
        expectConsole(pattern) { this.allowed.push(pattern); },
      };
      const began = Date.now();
      try {
        await withTimeout(fn(t), TEST_LIMIT_MS, name);
        const errors = t.consoleErrors.filter((e) => !t.allowed.some((p) => p.test(e)));
        assert.deepEqual(errors, [], 'console errors');
        passed += 1;
        console.log(`ok - ${name} (${Date.now() - began} ms)`);
      } catch (error) {
        failed += 1;
        console.log(`not ok - ${name}\n  ${String(error.stack ?? error).split('\n').slice(0, 6).join('\n  ')}`);
        for (const context of t.contexts) {
          for (const [i, page] of context.pages().entries()) {
            await page.screenshot({ path: path.join(args.screenshots, `FAILED-${name.slice(0, 40).replace(/\W+/g, '_')}-${i}.png`) }).catch(() => {});
          }
        }
      } finally {
        for (const context of t.contexts) await context.close().catch(() => {});
      }
    }
  } catch (error) {
    failed += 1;
    console.log(`not ok - setup\n  ${error.stack ?? error}`);
  } finally {
    await browser?.close().catch(() => {});
    if (failed) console.log(`server log (${server.logPath}):\n${await server.logTail()}`);
    await server.stop({ keep: args.keep || failed > 0 });
  }
  console.log(`screenshots: ${args.screenshots}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

const watchdog = setTimeout(() => {
  console.log(`not ok - the run exceeded ${RUN_LIMIT_MS} ms`);
  server?.child?.kill('SIGKILL');
  process.exit(1);
}, RUN_LIMIT_MS);
const code = await main();
clearTimeout(watchdog);
process.exit(code);
