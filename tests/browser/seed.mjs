// Seeds a small catalog through the REST API, as an admin would: a CRM
// source, a warehouse fed from it by OpenLineage events (one with a masking
// step), a dataset of another domain that crm-scoped callers must never see,
// a real Spark event, classifications with masking policies, a glossary and
// one principal per persona with a token.
import { readFile } from 'node:fs/promises';

export const CRM = 'postgres://crm:5432';
export const WAREHOUSE = 'warehouse';
export const FINANCE = 'postgres://finance:5432';

const enc = encodeURIComponent;

export class Api {
  constructor(base, token) {
    this.base = base;
    this.token = token;
  }

  async call(method, path, body) {
    const res = await fetch(`${this.base}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(10000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : {};
  }
  get(path) { return this.call('GET', path); }
  put(path, body) { return this.call('PUT', path, body); }
  post(path, body) { return this.call('POST', path, body ?? ''); }
}

const dsPath = (ns, name) => `/namespaces/${enc(ns)}/datasets/${enc(name)}`;

function event(runId, time, job, inputs, outputs, jobFacets = {}) {
  return {
    eventType: 'COMPLETE', eventTime: time, producer: 'https://example.com/cadastre/browser-test',
    run: { runId }, job: { namespace: 'airflow', name: job, facets: jobFacets }, inputs, outputs,
  };
}

function lineage(ns, fields) {
  const out = {};
  for (const [column, inputs] of Object.entries(fields)) {
    out[column] = {
      inputFields: inputs.map(([dsNs, ds, field, type, subtype, masking]) => ({
        namespace: dsNs, name: ds, field,
        transformations: [{ type, subtype, masking: Boolean(masking) }],
      })),
    };
  }
  return { columnLineage: { fields: out } };
}

// Returns the tokens of the personas: {ana, eng, stu, aud, flip}.
export async function seed(api, eventsDir) {
  for (const [name, description] of [
    ['PII', 'Personal data (GDPR art. 4)'],
    ['PII.Email', 'An e-mail address'],
    ['PII.Name', 'A person\'s name'],
    ['Confidential', 'Business confidential'],
  ]) {
    await api.put(`/tags/${enc(name)}`, { description, propagate: name.startsWith('PII') });
  }
  await api.put('/masking-policies/email-hash',
    { tag: 'PII.Email', maskType: 'MASK_HASH', unmaskedRoles: ['engineer'], priority: 10,
      description: 'Pseudonymise e-mail addresses for everyone but engineers' });
  await api.put('/masking-policies/name-mask',
    { tag: 'PII.Name', maskType: 'MASK', unmaskedRoles: ['engineer'], priority: 5 });

  const terms = [
    ['Customer', { definition: 'A person or company that bought at least once.', status: 'APPROVED', synonyms: ['Client'] }],
    ['Customer Lifetime Value', { definition: 'Revenue expected from a customer over the whole relationship.', unit: 'EUR', formula: 'sum(amount) over all orders', parent: 'Customer', status: 'APPROVED' }],
    ['Customer Number', { definition: 'The identifier the CRM gives a customer.', parent: 'Customer', status: 'APPROVED' }],
    ['Contact Data', { definition: 'How a person can be reached.', status: 'DRAFT' }],
    ['Email Address', { definition: 'An RFC 5322 address.', parent: 'Contact Data', status: 'APPROVED', relatedTerms: ['Customer'] }],
  ];
  for (const [name, term] of terms) await api.put(`/glossary/terms/${enc(name)}`, term);

  for (const ns of [CRM, WAREHOUSE, FINANCE]) await api.put(`/namespaces/${enc(ns)}`, { description: `${ns} (seeded)` });

  await api.put(dsPath(CRM, 'public.customers'), {
    type: 'DB_TABLE', physicalName: 'public.customers', sourceName: 'crm', domain: 'crm.core',
    description: 'One row per customer who signed up in the web shop; the source of truth for contact data.',
    owners: [{ name: 'crm-team', type: 'TEAM', role: 'OWNER' }, { name: 'stu', type: 'USER', role: 'STEWARD' }],
    customProperties: { tier: 'gold' }, updateFrequency: 'hourly',
    fields: [
      { name: 'id', type: 'bigint', nullable: false, description: 'Customer number, assigned at sign-up' },
      { name: 'email', type: 'text', tags: ['PII.Email'], description: 'Primary contact address' },
      { name: 'full_name', type: 'text', tags: ['PII.Name'] },
      { name: 'country', type: 'char(2)', description: 'ISO 3166-1 alpha-2 country code' },
      { name: 'signup_date', type: 'date' },
    ],
  });
  await api.put(`${dsPath(CRM, 'public.customers')}/sample`, {
    rows: [
      { id: 1, email: 'zoe@example.com', full_name: 'Zoe Quinn', country: 'DE', signup_date: '2024-03-05' },
      { id: 2, email: 'li.wei@example.org', full_name: 'Li Wei', country: 'FR', signup_date: '2024-04-11' },
      { id: 3, email: 'sam@example.net', full_name: 'Sam Berg', country: 'SE', signup_date: '2025-01-20' },
    ],
  });
  await api.post(`${dsPath(CRM, 'public.customers')}/fields/id/terms/${enc('Customer Number')}`);
  await api.post(`${dsPath(CRM, 'public.customers')}/fields/email/terms/${enc('Email Address')}`);
  await api.put(dsPath(CRM, 'public.orders'), {
    type: 'DB_TABLE', sourceName: 'crm', domain: 'crm.core', description: 'Orders placed in the web shop.',
    owners: [{ name: 'crm-team', type: 'TEAM', role: 'OWNER' }],
    fields: [{ name: 'order_id', type: 'bigint' }, { name: 'customer_id', type: 'bigint' },
      { name: 'amount', type: 'numeric(12,2)' }, { name: 'ordered_at', type: 'timestamptz' }],
  });
  await api.put(dsPath(WAREHOUSE, 'curated.customers'), {
    type: 'TABLE', domain: 'crm.analytics', description: 'Cleaned customers, e-mail pseudonymised for analytics.',
    owners: [{ name: 'analytics-eng', type: 'TEAM', role: 'OWNER' }],
    fields: [{ name: 'customer_id', type: 'bigint' }, { name: 'email', type: 'string' },
      { name: 'email_hash', type: 'string' }, { name: 'country', type: 'string' }],
  });
  await api.put(dsPath(WAREHOUSE, 'marts.customer_revenue'), {
    type: 'TABLE', domain: 'crm.analytics', description: 'Revenue per customer and country, for the sales dashboard.',
    owners: [{ name: 'analytics-eng', type: 'TEAM', role: 'OWNER' }],
    fields: [{ name: 'customer_id', type: 'bigint' }, { name: 'country', type: 'string' },
      { name: 'revenue', type: 'decimal(14,2)' }],
  });
  await api.put(dsPath(FINANCE, 'ledger.customer_credit_scores'), {
    type: 'DB_TABLE', domain: 'finance.risk', description: 'Credit score per customer (restricted to finance).',
    owners: [{ name: 'risk-team', type: 'TEAM', role: 'OWNER' }],
    fields: [{ name: 'customer_id', type: 'bigint' }, { name: 'score', type: 'int' }],
  });

  const C = 'public.customers';
  const events = [
    event('01930000-0000-7000-8000-0000000000a1', '2026-11-20T08:00:00Z', 'curate_customers',
      [{ namespace: CRM, name: C, inputFacets: {
        dataQualityMetrics: { rowCount: 1200, bytes: 184320, columnMetrics: {
          id: { nullCount: 0, distinctCount: 1200 }, email: { nullCount: 3, distinctCount: 1190 } } },
        dataQualityAssertions: { assertions: [
          { assertion: 'not_null', success: true, column: 'id' },
          { assertion: 'unique', success: false, column: 'email' }] } } }],
      [{ namespace: WAREHOUSE, name: 'curated.customers', facets: lineage(WAREHOUSE, {
        customer_id: [[CRM, C, 'id', 'DIRECT', 'IDENTITY']],
        email: [[CRM, C, 'email', 'DIRECT', 'IDENTITY']],
        email_hash: [[CRM, C, 'email', 'DIRECT', 'TRANSFORMATION', true]],
        country: [[CRM, C, 'country', 'DIRECT', 'IDENTITY']],
      }) }],
      { sql: { query: 'SELECT id AS customer_id, email, sha256(email) AS email_hash, country FROM public.customers' } }),
    event('01930000-0000-7000-8000-0000000000a2', '2026-11-20T09:00:00Z', 'build_customer_revenue',
      [{ namespace: WAREHOUSE, name: 'curated.customers' }, { namespace: CRM, name: 'public.orders' }],
      [{ namespace: WAREHOUSE, name: 'marts.customer_revenue', facets: lineage(WAREHOUSE, {
        customer_id: [[WAREHOUSE, 'curated.customers', 'customer_id', 'DIRECT', 'IDENTITY'],
          [CRM, 'public.orders', 'customer_id', 'INDIRECT', 'JOIN']],
        country: [[WAREHOUSE, 'curated.customers', 'country', 'DIRECT', 'IDENTITY']],
        revenue: [[CRM, 'public.orders', 'amount', 'DIRECT', 'AGGREGATION'],
          [WAREHOUSE, 'curated.customers', 'country', 'INDIRECT', 'GROUP_BY']],
      }) }]),
    event('01930000-0000-7000-8000-0000000000a3', '2026-11-20T10:00:00Z', 'score_customers',
      [{ namespace: CRM, name: C }],
      [{ namespace: FINANCE, name: 'ledger.customer_credit_scores', facets: lineage(FINANCE, {
        customer_id: [[CRM, C, 'id', 'DIRECT', 'IDENTITY']],
      }) }]),
  ];
  await api.post('/lineage', events);
  // A real event from Spark's OpenLineage integration, verbatim.
  await api.post('/lineage', await readFile(`${eventsDir}/spark_ctas_join_groupby_cll_COMPLETE.json`, 'utf8'));

  const personas = {
    ana: { roles: ['analyst'], domains: ['crm'] },
    eng: { roles: ['engineer'], domains: ['crm'] },
    stu: { roles: ['steward'], domains: ['crm'] },
    aud: { roles: ['auditor'] },
    flip: { roles: ['steward'], domains: ['crm'] },
  };
  const tokens = {};
  for (const [name, p] of Object.entries(personas)) {
    await api.put(`/principals/${name}`, { kind: 'user', ...p });
    tokens[name] = (await api.post(`/principals/${name}/tokens`, { ttlSeconds: 3600 })).token;
  }
  return tokens;
}
