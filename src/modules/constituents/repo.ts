import { sql, type Insertable } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { Level } from '../../db/schema.ts';
import type { AgreementKind, ConstituentContactKind, ConstituentTable, DomainKind } from '../../db/schema-constituency.ts';

const COLS = ['id', 'name', 'parentId', 'sector', 'criticality', 'notes', 'createdAt', 'updatedAt', 'version'] as const;

export interface RouteRow {
  matched: string;
  id: string;
  name: string;
  criticality: Level;
  sector: string;
}

export interface Children {
  netblocks: string[];
  asns: number[];
  domains: string[];
  emailDomains: string[];
  contacts: { kind: ConstituentContactKind; name: string; email: string | null; phone: string | null; pgpKey: string | null; pgpFingerprint: string | null; language: string; hours: string }[];
  agreements: { kind: AgreementKind; reference: string; startsOn: string | null; endsOn: string | null; notes: string }[];
}

/** Every SQL statement of constituents and routing. */
export const constituentRepo = {
  stateVersion: async (x: Executor) =>
    Number((await x.selectFrom('constituencyState').select('version').where('id', '=', 1).executeTakeFirstOrThrow()).version),

  /** In every change transaction: routing indexes of every process see the version move. */
  bumpVersion: (tx: Executor) => sql`update constituency_state set version = version + 1 where id = 1`.execute(tx),

  allRules: async (x: Executor) => ({
    netblocks: await x.selectFrom('constituentNetblock').select(['constituentId', sql<string>`net::text`.as('net')]).execute(),
    domains: await x.selectFrom('constituentDomain').select(['constituentId', 'kind', 'domain']).execute(),
    asns: await x.selectFrom('constituentAsn').select(['constituentId', 'asn']).execute(),
  }),

  list: (x: Executor, q: { search?: string | undefined; limit: number; only?: readonly string[] | undefined }) => {
    let query = x
      .selectFrom('constituent as c')
      .leftJoin('constituent as p', 'p.id', 'c.parentId')
      .select(COLS.map((k) => `c.${k}` as const))
      .select([
        'p.name as parentName',
        sql<number>`(select count(*)::int from constituent_netblock n where n.constituent_id = c.id)`.as('netblockCount'),
        sql<number>`(select count(*)::int from constituent_domain d where d.constituent_id = c.id)`.as('domainCount'),
        sql<number>`(select count(*)::int from constituent_contact k where k.constituent_id = c.id)`.as('contactCount'),
      ]);
    if (q.search) {
      const like = `%${q.search.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      query = query.where((eb) =>
        eb.or([
          eb('c.name', 'ilike', like),
          eb('c.sector', 'ilike', like),
          eb.exists(eb.selectFrom('constituentDomain as d').select('d.domain').whereRef('d.constituentId', '=', 'c.id').where('d.domain', 'ilike', like)),
        ]),
      );
    }
    if (q.only) query = query.where('c.id', 'in', q.only.length ? [...q.only] : ['00000000-0000-0000-0000-000000000000']);
    return query.orderBy(sql`lower(c.name)`).limit(q.limit).execute();
  },

  findById: (x: Executor, id: string) => x.selectFrom('constituent').select(COLS).where('id', '=', id).executeTakeFirst(),
  findByName: (x: Executor, name: string) => x.selectFrom('constituent').select(COLS).where(sql<boolean>`lower(name) = lower(${name})`).executeTakeFirst(),
  lock: (x: Executor, id: string) => x.selectFrom('constituent').select(COLS).where('id', '=', id).forUpdate().executeTakeFirst(),
  names: (x: Executor, ids: string[]) =>
    ids.length ? x.selectFrom('constituent').select(['id', 'name', 'criticality', 'sector']).where('id', 'in', ids).execute() : Promise.resolve([]),
  all: (x: Executor) => x.selectFrom('constituent as c').leftJoin('constituent as p', 'p.id', 'c.parentId').select(COLS.map((k) => `c.${k}` as const)).select('p.name as parentName').orderBy(sql`lower(c.name)`).execute(),

  /** The ancestors of a constituent, nearest first (to refuse a parent that would make a cycle). */
  ancestors: async (x: Executor, id: string): Promise<string[]> => {
    const r = await sql<{ id: string }>`
      with recursive up(id, parent_id, depth) as (
        select id, parent_id, 0 from constituent where id = ${id}
        union all
        select c.id, c.parent_id, up.depth + 1 from constituent c join up on c.id = up.parent_id where up.depth < 100
      ) select id from up order by depth`.execute(x);
    return r.rows.map((row) => row.id);
  },

  insert: (tx: Executor, row: Insertable<ConstituentTable>) => tx.insertInto('constituent').values(row).returning(COLS).executeTakeFirstOrThrow(),
  update: (tx: Executor, id: string, patch: Partial<Insertable<ConstituentTable>>) =>
    tx.updateTable('constituent').set(patch).set((eb) => ({ version: eb('version', '+', 1) })).where('id', '=', id).returning(COLS).executeTakeFirstOrThrow(),
  remove: (tx: Executor, id: string) => tx.deleteFrom('constituent').where('id', '=', id).execute(),

  children: async (x: Executor, id: string): Promise<Children> => {
    const [nets, asns, domains, contacts, agreements] = await Promise.all([
      x.selectFrom('constituentNetblock').select(sql<string>`net::text`.as('net')).where('constituentId', '=', id).orderBy(sql`family(net)`).orderBy('net').execute(),
      x.selectFrom('constituentAsn').select('asn').where('constituentId', '=', id).orderBy('asn').execute(),
      x.selectFrom('constituentDomain').select(['kind', 'domain']).where('constituentId', '=', id).orderBy('domain').execute(),
      x.selectFrom('constituentContact').select(['kind', 'name', 'email', 'phone', 'pgpKey', 'pgpFingerprint', 'language', 'hours']).where('constituentId', '=', id).orderBy('position').execute(),
      x.selectFrom('constituentAgreement')
        .select(['kind', 'reference', sql<string | null>`starts_on::text`.as('startsOn'), sql<string | null>`ends_on::text`.as('endsOn'), 'notes'])
        .where('constituentId', '=', id).orderBy('position').execute(),
    ]);
    return {
      netblocks: nets.map((n) => n.net),
      asns: asns.map((a) => Number(a.asn)),
      domains: domains.filter((d) => d.kind === 'web').map((d) => d.domain),
      emailDomains: domains.filter((d) => d.kind === 'email').map((d) => d.domain),
      contacts,
      agreements,
    };
  },

  /** Replaces the netblocks, ASNs, domains, contacts and agreements of a constituent. */
  async replaceChildren(tx: Executor, id: string, c: Children) {
    for (const t of ['constituentNetblock', 'constituentAsn', 'constituentDomain', 'constituentContact', 'constituentAgreement'] as const) {
      await tx.deleteFrom(t).where('constituentId', '=', id).execute();
    }
    if (c.netblocks.length) await tx.insertInto('constituentNetblock').values(c.netblocks.map((net) => ({ constituentId: id, net }))).execute();
    if (c.asns.length) await tx.insertInto('constituentAsn').values(c.asns.map((asn) => ({ constituentId: id, asn }))).execute();
    const domains = [...c.domains.map((domain) => ({ kind: 'web' as DomainKind, domain })), ...c.emailDomains.map((domain) => ({ kind: 'email' as DomainKind, domain }))];
    if (domains.length) await tx.insertInto('constituentDomain').values(domains.map((dm) => ({ constituentId: id, ...dm }))).execute();
    if (c.contacts.length) await tx.insertInto('constituentContact').values(c.contacts.map((k, position) => ({ ...k, constituentId: id, position }))).execute();
    if (c.agreements.length) await tx.insertInto('constituentAgreement').values(c.agreements.map((a, position) => ({ ...a, constituentId: id, position }))).execute();
  },

  /** Netblocks, domains and ASNs among these that another constituent already owns (exactly). */
  async takenByOthers(x: Executor, id: string | null, c: Pick<Children, 'netblocks' | 'asns' | 'domains' | 'emailDomains'>) {
    const other = id ?? '00000000-0000-0000-0000-000000000000';
    const r = await sql<{ kind: string; value: string; ownerId: string; ownerName: string }>`
      select 'netblock' as kind, n.net::text as value, c.id as "ownerId", c.name as "ownerName"
        from constituent_netblock n join constituent c on c.id = n.constituent_id
        where n.net = any(${c.netblocks}::cidr[]) and n.constituent_id <> ${other}
      union all
      select case d.kind when 'web' then 'domain' else 'email_domain' end, d.domain, c.id, c.name
        from constituent_domain d join constituent c on c.id = d.constituent_id
        where ((d.kind = 'web' and d.domain = any(${c.domains}::text[])) or (d.kind = 'email' and d.domain = any(${c.emailDomains}::text[])))
          and d.constituent_id <> ${other}
      union all
      select 'asn', a.asn::text, c.id, c.name
        from constituent_asn a join constituent c on c.id = a.constituent_id
        where a.asn = any(${c.asns}::bigint[]) and a.constituent_id <> ${other}`.execute(x);
    return r.rows;
  },

  /** Other constituents' networks that contain or are contained in these (not equal). */
  async overlaps(x: Executor, id: string | null, nets: string[]) {
    if (!nets.length) return [];
    const r = await sql<{ netblock: string; other: string; ownerId: string; ownerName: string }>`
      select mine.net::text as netblock, n.net::text as other, c.id as "ownerId", c.name as "ownerName"
      from unnest(${nets}::cidr[]) as mine(net)
      join constituent_netblock n on n.net && mine.net and n.net <> mine.net
      join constituent c on c.id = n.constituent_id
      where n.constituent_id <> ${id ?? '00000000-0000-0000-0000-000000000000'}
      order by 1, masklen(n.net) desc
      limit 200`.execute(x);
    return r.rows;
  },

  // Routing in SQL (the API): one statement each, with the constituent. The GiST index answers >>=,
  // the longest prefix wins; a domain is looked up with each of its suffixes (unique index).
  routeAddress: async (x: Executor, address: string) =>
    (await sql<RouteRow>`
      select n.net::text as matched, c.id, c.name, c.criticality, c.sector from constituent_netblock n join constituent c on c.id = n.constituent_id
      where n.net >>= ${address}::inet order by masklen(n.net) desc limit 1`.execute(x)).rows[0],
  routeDomain: async (x: Executor, kind: DomainKind, candidates: string[]) =>
    (await sql<RouteRow>`
      select d.domain as matched, c.id, c.name, c.criticality, c.sector from constituent_domain d join constituent c on c.id = d.constituent_id
      where d.kind = ${kind} and d.domain = any(${candidates}::text[]) order by length(d.domain) desc limit 1`.execute(x)).rows[0],
  routeAsn: async (x: Executor, asn: number) =>
    (await sql<RouteRow>`
      select 'AS' || a.asn::text as matched, c.id, c.name, c.criticality, c.sector from constituent_asn a join constituent c on c.id = a.constituent_id
      where a.asn = ${asn}`.execute(x)).rows[0],
};
