import { sql } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { IncidentScope } from '../../lib/authz/incidents.ts';
import { visibleSql } from '../../lib/authz/access.repo.ts';

export interface CorrelationInput {
  observables: { type: string; value: string }[];
  classification: { class: string; type: string } | null;
  organisation: string | null;
  /** Incidents of the same RSIT type count when declared since then. */
  since: Date;
}

export interface CorrelatedIncident {
  id: string;
  reference: string;
  title: string;
  status: string;
  priority: string;
  tlp: string;
  constituent: string | null;
  createdAt: Date;
  /** Why it is listed: the shared observable values, the same constituent, the same RSIT type. */
  sharedObservables: string[];
  sameConstituent: boolean;
  sameType: boolean;
}

const LIMIT = 20;

/** How far back an incident of the same RSIT type counts as related. */
export const SAME_TYPE_WINDOW_MS = 7 * 86_400_000;

/** The values to look for: each observable, plus the host of a URL and the domain of an e-mail address. */
export function lookupPairs(observables: { type: string; value: string }[]): { type: string; value: string }[] {
  const out = new Map<string, { type: string; value: string }>();
  const add = (type: string, value: string) => out.set(`${type}:${value}`, { type, value });
  for (const o of observables.slice(0, 200)) {
    add(o.type, o.value);
    if (o.type === 'url') {
      try {
        const host = new URL(o.value).hostname.replace(/^\[|\]$/g, '');
        if (host) add(/^[\d.]+$/.test(host) ? 'ipv4' : host.includes(':') ? 'ipv6' : 'domain', host);
      } catch {
        /* not a URL after all */
      }
    }
    if (o.type === 'email') add('domain', o.value.slice(o.value.lastIndexOf('@') + 1));
  }
  return [...out.values()];
}

/**
 * Open incidents an intake item may belong to, for the triage panel: those sharing observables
 * with it, those of the same constituent, those of the same RSIT type declared lately. Only
 * incidents the caller may see (need-to-know) are listed.
 */
export const correlationRepo = {
  async forItem(x: Executor, scope: IncidentScope, c: CorrelationInput): Promise<CorrelatedIncident[]> {
    const pairs = lookupPairs(c.observables);
    const types = pairs.map((o) => o.type);
    const values = pairs.map((o) => o.value);
    const r = await sql<CorrelatedIncident>`
      with shared as (
        select io.incident_id, array_agg(distinct o.value order by o.value) as values
        from unnest(${types}::text[], ${values}::text[]) as p(type, value)
        join observable o on o.type = p.type and o.value = p.value
        join incident_observable io on io.observable_id = o.id
        group by io.incident_id
      ),
      candidates as (
        select incident_id from shared
        union
        select i.id from incident i
        where ${c.organisation ? sql`lower(i.constituent) = lower(${c.organisation})` : sql`false`} and i.status <> 'closed'
        union
        select ic.incident_id from incident_classification ic join incident i on i.id = ic.incident_id
        where ${c.classification ? sql`ic.class = ${c.classification.class} and ic.type = ${c.classification.type} and i.created_at >= ${c.since}` : sql`false`}
          and i.status <> 'closed'
      )
      select incident.id, incident.reference, incident.title, incident.status, incident.priority, incident.tlp, incident.constituent,
             incident.created_at as "createdAt",
             coalesce(shared.values, '{}') as "sharedObservables",
             ${c.organisation ? sql`coalesce(lower(incident.constituent) = lower(${c.organisation}), false)` : sql`false`} as "sameConstituent",
             ${c.classification ? sql`exists (select 1 from incident_classification ic where ic.incident_id = incident.id and ic.class = ${c.classification.class} and ic.type = ${c.classification.type})` : sql`false`} as "sameType"
      from candidates
      join incident on incident.id = candidates.incident_id
      left join shared on shared.incident_id = incident.id
      where incident.status <> 'closed' and ${visibleSql(scope, 'incident')}
      order by coalesce(cardinality(shared.values), 0) desc, incident.created_at desc
      limit ${LIMIT}`.execute(x);
    return r.rows;
  },

  incidentBrief: (x: Executor, id: string) =>
    x.selectFrom('incident').select(['id', 'reference', 'status', 'title']).where('id', '=', id).executeTakeFirst(),
};
