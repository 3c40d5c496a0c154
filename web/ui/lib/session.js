// Who is signed in, and what the UI offers them. The UI only hides actions
// a principal could not take; the server decides every call again, and a
// refusal (403) is shown as such.
import { api } from './api.js';

// Permissions that count only when granted everywhere (docs/access-control.md).
const UNSCOPED_ONLY = new Set(['READ_AUDIT', 'READ_UNMASKED', 'MANAGE_PRINCIPALS', 'MANAGE_POLICIES']);

export class Session {
  constructor(me, roles) {
    this.principal = me.principal ?? {};
    this.grants = me.grants ?? [];
    this.roles = new Map((roles ?? []).map((role) => [role.name, new Set(role.permissions ?? [])]));
  }

  static async load(options = {}) {
    const me = await api.get('/me', undefined, options);
    // Roles are listed to every caller: they are the vocabulary of /me.
    const roles = await api.get('/roles', undefined, options).catch(() => ({ roles: [] }));
    return new Session(me, roles.roles);
  }

  get name() {
    return this.principal.name ?? '';
  }

  roleHas(role, permission) {
    return this.roles.get(role)?.has(permission) ?? false;
  }

  // Whether a grant covers a dataset ({namespace, name, domain}); with no
  // dataset, whether it covers some dataset at all.
  static covers(grant, dataset) {
    const domains = grant.domains ?? [];
    const datasets = grant.datasets ?? [];
    if (domains.length === 0 && datasets.length === 0) return true;
    if (!dataset) return true;
    const domain = dataset.domain ?? '';
    if (domain && domains.some((d) => domain === d || domain.startsWith(`${d}.`))) return true;
    return datasets.some((d) => d.namespace === dataset.namespace && d.name === dataset.name);
  }

  // May the principal use `permission` on `dataset` (or anywhere, without
  // one)? Tag-narrowed grants speak only of column data and are left out.
  can(permission, dataset) {
    const unscoped = UNSCOPED_ONLY.has(permission);
    const relevant = this.grants.filter((g) => (g.tags ?? []).length === 0 && this.roleHas(g.role, permission));
    const isUnscoped = (g) => (g.domains ?? []).length === 0 && (g.datasets ?? []).length === 0;
    const allowed = relevant.some((g) => g.effect !== 'DENY' && (unscoped ? isUnscoped(g) : Session.covers(g, dataset)));
    if (!allowed) return false;
    if (!dataset) return true;
    return !relevant.some((g) => g.effect === 'DENY' && Session.covers(g, dataset));
  }
}
