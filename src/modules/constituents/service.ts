import type { Db, Executor } from '../../db/index.ts';
import type { Level } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import { parseAddress, formatAddr } from '../../lib/ip.ts';
import { emailDomain, normalizeDomain, parseAsn, suffixes } from './names.ts';
import { constituentRepo, type Children, type RouteRow } from './repo.ts';
import type { RouteMatch, RouteQuery, RoutingIndex } from './routing-index.ts';
import { childrenOf, type ConstituentInput } from './validate.ts';
import { accessRepo } from '../../lib/authz/access.repo.ts';
import { seesConstituent } from '../../lib/authz/incidents.ts';

export type ConstituentPatch = ConstituentInput & { version: number };

/** What is audited of a constituent: everything but the PGP key text (its fingerprint is kept). */
export const audited = (row: { name: string; parentId: string | null; sector: string; criticality: string; notes: string }, c: Children) => ({
  name: row.name, parentId: row.parentId, sector: row.sector, criticality: row.criticality, notes: row.notes,
  netblocks: c.netblocks, asns: c.asns, domains: c.domains, emailDomains: c.emailDomains,
  contacts: c.contacts.map(({ pgpKey: _k, ...k }) => k), agreements: c.agreements,
});

/**
 * Checks a constituent's children against everyone else's: an exact netblock, domain, e-mail domain
 * or ASN owned by another constituent is a 409 naming the owner; overlapping networks are returned
 * as warnings (allowed: the longest prefix wins).
 */
export async function checkOwnership(x: Executor, id: string | null, c: Children) {
  const taken = await constituentRepo.takenByOthers(x, id, c);
  if (taken.length) {
    const t = taken[0]!;
    throw new VigilError('VIG_CONSTITUENT_ROUTE_TAKEN', {
      kind: t.kind, value: t.value, owner: { id: t.ownerId, name: t.ownerName }, taken: taken.slice(0, 50).map((r) => ({ kind: r.kind, value: r.value, owner: r.ownerName })),
    });
  }
  return constituentRepo.overlaps(x, id, c.netblocks);
}

export function createConstituentService(d: { db: Db; audit: AuditService; clock: Clock; index: RoutingIndex }) {
  async function checkParent(x: Executor, id: string | null, parentId: string | null | undefined) {
    if (!parentId) return null;
    if (!(await constituentRepo.findById(x, parentId))) throw new VigilError('VIG_CONSTITUENT_PARENT_INVALID', { parentId, reason: 'no such constituent' });
    if (id && (await constituentRepo.ancestors(x, parentId)).includes(id)) {
      throw new VigilError('VIG_CONSTITUENT_PARENT_INVALID', { parentId, reason: 'a constituent cannot be inside itself or one of its own units' });
    }
    return parentId;
  }

  async function detail(x: Executor, id: string) {
    const row = await constituentRepo.findById(x, id);
    if (!row) throw new VigilError('VIG_CONSTITUENT_NOT_FOUND', { id });
    const [children, parent, units] = await Promise.all([
      constituentRepo.children(x, id),
      row.parentId ? constituentRepo.findById(x, row.parentId) : undefined,
      x.selectFrom('constituent').select(['id', 'name']).where('parentId', '=', id).orderBy('name').execute(),
    ]);
    const warnings = await constituentRepo.overlaps(x, id, children.netblocks);
    return { ...row, parentName: parent?.name ?? null, units, ...children, warnings };
  }

  /** The constituent and rule a query matches, from the database (the API's lookup). */
  async function routeInDb(x: Executor, q: RouteQuery): Promise<(RouteMatch & { constituent: Omit<RouteRow, 'matched'> }) | null> {
    const hit = (r: RouteRow | undefined, rule: RouteMatch['rule']) =>
      r ? { constituentId: r.id, rule, matched: r.matched, constituent: { id: r.id, name: r.name, criticality: r.criticality, sector: r.sector } } : null;
    if ('address' in q) {
      const a = parseAddress(q.address);
      if (!a) throw new VigilError('VIG_CONSTITUENT_ROUTE_QUERY_INVALID', { address: q.address, reason: 'not an IPv4 or IPv6 address' });
      return hit(await constituentRepo.routeAddress(x, formatAddr(a)), 'netblock');
    }
    if ('domain' in q) {
      const dom = normalizeDomain(q.domain);
      if (!dom) throw new VigilError('VIG_CONSTITUENT_ROUTE_QUERY_INVALID', { domain: q.domain, reason: 'not a domain name' });
      return hit(await constituentRepo.routeDomain(x, 'web', suffixes(dom)), 'domain');
    }
    if ('email' in q) {
      const dom = emailDomain(q.email);
      if (!dom) throw new VigilError('VIG_CONSTITUENT_ROUTE_QUERY_INVALID', { email: q.email, reason: 'not an e-mail address' });
      return hit(await constituentRepo.routeDomain(x, 'email', suffixes(dom)), 'email_domain') ?? hit(await constituentRepo.routeDomain(x, 'web', suffixes(dom)), 'domain');
    }
    const n = parseAsn(q.asn);
    if (n === null) throw new VigilError('VIG_CONSTITUENT_ROUTE_QUERY_INVALID', { asn: String(q.asn), reason: 'not an AS number' });
    return hit(await constituentRepo.routeAsn(x, n), 'asn');
  }

  /** After a change is committed: this process's routing index rebuilds on its next use. */
  const changed = <T>(p: Promise<T>) => p.then((v) => (d.index.markStale(), v));

  return {
    async list(actor: Actor, q: { search?: string | undefined; limit?: number | undefined }) {
      authorize(actor, 'constituent.read');
      // A member limited to constituents sees theirs only (src/lib/authz/).
      return constituentRepo.list(d.db, { search: q.search, limit: q.limit ?? 200, only: actor.constituentIds ?? undefined });
    },

    async get(actor: Actor, id: string) {
      authorize(actor, 'constituent.read');
      if (!seesConstituent(actor, id)) throw new VigilError('VIG_CONSTITUENT_NOT_FOUND', { id });
      return detail(d.db, id);
    },

    async create(actor: Actor, input: ConstituentInput) {
      authorize(actor, 'constituent.manage');
      const children = await childrenOf(input);
      return changed(d.db.transaction().execute(async (tx) => {
        if (await constituentRepo.findByName(tx, input.name)) throw new VigilError('VIG_CONSTITUENT_EXISTS', { name: input.name });
        const parentId = await checkParent(tx, null, input.parentId);
        await checkOwnership(tx, null, children);
        const now = d.clock.now();
        const row = await constituentRepo.insert(tx, {
          name: input.name.trim(), parentId, sector: input.sector?.trim() ?? '', criticality: input.criticality ?? 'medium', notes: input.notes?.trim() ?? '', createdAt: now, updatedAt: now,
        });
        await constituentRepo.replaceChildren(tx, row.id, children);
        await constituentRepo.bumpVersion(tx);
        const out = await detail(tx, row.id);
        await d.audit.record(tx, actor, { action: 'constituent.created', entity: 'constituent', entityId: row.id, after: audited(row, children) });
        return out;
      }));
    },

    /** Replaces a constituent's fields and lists as a whole (409 when `version` is stale). */
    async update(actor: Actor, id: string, patch: ConstituentPatch) {
      authorize(actor, 'constituent.manage');
      const children = await childrenOf(patch);
      return changed(d.db.transaction().execute(async (tx) => {
        const before = await constituentRepo.lock(tx, id);
        if (!before) throw new VigilError('VIG_CONSTITUENT_NOT_FOUND', { id });
        if (before.version !== patch.version) throw new VigilError('VIG_CONSTITUENT_VERSION_CONFLICT', { id, yourVersion: patch.version, currentVersion: before.version });
        const same = await constituentRepo.findByName(tx, patch.name);
        if (same && same.id !== id) throw new VigilError('VIG_CONSTITUENT_EXISTS', { name: patch.name });
        const parentId = await checkParent(tx, id, patch.parentId);
        await checkOwnership(tx, id, children);
        const beforeChildren = await constituentRepo.children(tx, id);
        const after = await constituentRepo.update(tx, id, {
          name: patch.name.trim(), parentId, sector: patch.sector?.trim() ?? '', criticality: patch.criticality ?? before.criticality, notes: patch.notes?.trim() ?? '', updatedAt: d.clock.now(),
        });
        await constituentRepo.replaceChildren(tx, id, children);
        await constituentRepo.bumpVersion(tx);
        const out = await detail(tx, id);
        await d.audit.record(tx, actor, { action: 'constituent.updated', entity: 'constituent', entityId: id, before: audited(before, beforeChildren), after: audited(after, children) });
        return out;
      }));
    },

    async remove(actor: Actor, id: string, version: number) {
      authorize(actor, 'constituent.manage');
      await changed(d.db.transaction().execute(async (tx) => {
        const before = await constituentRepo.lock(tx, id);
        if (!before) throw new VigilError('VIG_CONSTITUENT_NOT_FOUND', { id });
        if (before.version !== version) throw new VigilError('VIG_CONSTITUENT_VERSION_CONFLICT', { id, yourVersion: version, currentVersion: before.version });
        // A member limited to this constituent alone would be unscoped once its row goes (no rows: sees everything).
        const limited = await accessRepo.membersOnlyIn(tx, id);
        if (limited.length) throw new VigilError('VIG_CONSTITUENT_IN_SCOPE', { id, users: limited });
        const beforeChildren = await constituentRepo.children(tx, id);
        await constituentRepo.remove(tx, id);
        await constituentRepo.bumpVersion(tx);
        await d.audit.record(tx, actor, { action: 'constituent.deleted', entity: 'constituent', entityId: id, before: audited(before, beforeChildren) });
      }));
    },

    /** The API's lookup: answered by the database (GiST index for addresses). */
    async route(actor: Actor, q: RouteQuery) {
      authorize(actor, 'constituent.read');
      const m = await routeInDb(d.db, q);
      return { match: m && seesConstituent(actor, m.constituentId) ? { constituent: m.constituent, rule: m.rule, matched: m.matched } : null };
    },

    /** The database lookup without an access check, as { constituentId, rule, matched } (tests compare it with the index). */
    routeInDb: async (q: RouteQuery): Promise<RouteMatch | null> => {
      const m = await routeInDb(d.db, q);
      return m ? { constituentId: m.constituentId, rule: m.rule, matched: m.matched } : null;
    },

    /**
     * For intake and triage (no access check: callers have checked theirs): the constituents
     * routed from these values, through the in-memory index; the first match of each value counts.
     */
    async routeAll(queries: RouteQuery[]): Promise<{ constituent: { id: string; name: string; criticality: Level; sector: string }; rule: RouteMatch['rule']; matched: string; from: string }[]> {
      const table = await d.index.fresh();
      const hits = new Map<string, { m: RouteMatch; from: string }>();
      for (const q of queries) {
        const m = table.lookup(q);
        if (m && !hits.has(m.constituentId)) hits.set(m.constituentId, { m, from: String(Object.values(q)[0]) });
      }
      const names = new Map((await constituentRepo.names(d.db, [...hits.keys()])).map((c) => [c.id, c]));
      return [...hits.values()].filter((h) => names.has(h.m.constituentId)).map((h) => ({ constituent: names.get(h.m.constituentId)!, rule: h.m.rule, matched: h.m.matched, from: h.from }));
    },
  };
}
export type ConstituentService = ReturnType<typeof createConstituentService>;
