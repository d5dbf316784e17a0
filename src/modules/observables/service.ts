import { isIP } from 'node:net';
import type { Db, Executor } from '../../db/index.ts';
import type { Tlp } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { incidentScope } from '../../lib/authz/incidents.ts';
import { VigilError } from '../../lib/errors.ts';
import { strictest } from '../../lib/tlp.ts';
import type { AuditService } from '../audit/index.ts';
import { findVisibleIncident, recorder } from '../incidents/index.ts';
import { lockVisible, seesRestricted } from '../../lib/authz/access.repo.ts';
import type { SettingsService } from '../settings/index.ts';
import { extractObservables } from './extract.ts';
import { normaliseObservable, ObservableInvalid, refang, type ObservableType } from './normalise.ts';
import { observableRepo } from './repo.ts';

export interface ObservableIn {
  type: ObservableType;
  value: string;
  ioc?: boolean | undefined;
  tlp?: Tlp | undefined;
  tags?: string[] | undefined;
}

const NET_TYPES = new Set(['ipv4', 'ipv6', 'cidr']);

/**
 * The label of a timeline entry about an observable: the observable's own, or the incident's where
 * that is stricter (the entry is about the incident too, and may show in another's timeline after
 * a merge).
 */
const entryTlp = (observable: Tlp, incident: Tlp): Tlp => strictest(incident, observable);

/** Observables (IOCs): validated and normalised, one record per value, linked to incidents. */
export function createObservableService(d: { db: Db; audit: AuditService; settings: SettingsService; clock: Clock }) {
  const record = recorder(d);

  async function linkIn(tx: Executor, actor: Actor, inc: { id: string; tlp: Tlp }, clean: ObservableIn[]) {
    const now = d.clock.now();
    // One entry per label, each carrying its observables' label: a RED observable added with GREEN
    // ones never shows to those who may read only the GREEN ones.
    const added = new Map<Tlp, { id: string; type: string; value: string }[]>();
    for (const o of clean) {
      const row = await observableRepo.upsert(tx, {
        type: o.type, value: o.value, net: NET_TYPES.has(o.type) ? o.value : null, ioc: o.ioc ?? false, tlp: o.tlp ?? inc.tlp,
        tags: [...new Set(o.tags ?? [])], seenAt: now,
      });
      if (await observableRepo.link(tx, inc.id, row.id, actor.userId, now)) {
        const tlp = entryTlp(row.tlp, inc.tlp);
        added.set(tlp, [...(added.get(tlp) ?? []), { id: row.id, type: row.type, value: row.value }]);
      }
    }
    let n = 0;
    for (const [tlp, items] of added) {
      await record(tx, actor, inc.id, 'observable.added', { items }, { tlp });
      n += items.length;
    }
    return { added: n, alreadyLinked: clean.length - n };
  }

  return {
    async list(actor: Actor, incidentId: string) {
      const scope = incidentScope(actor);
      const inc = await findVisibleIncident(d.db, scope, incidentId);
      if (!inc) throw new VigilError('VIG_INCIDENT_NOT_FOUND', { id: incidentId });
      return observableRepo.forIncident(d.db, inc.id, await seesRestricted(d.db, scope, inc.id));
    },

    /** Validates every item first (all problems at once), then records and links them in one go. */
    async add(actor: Actor, incidentId: string, items: ObservableIn[]) {
      const scope = incidentScope(actor);
      const errors: { path: string; message: string }[] = [];
      const clean = items.map((o, i) => {
        try {
          return { ...o, value: normaliseObservable(o.type, o.value) };
        } catch (e) {
          if (!(e instanceof ObservableInvalid)) throw e;
          errors.push({ path: `body.items.${i}.value`, message: e.message });
          return o;
        }
      });
      if (errors.length) throw new VigilError('VIG_OBSERVABLE_INVALID', { errors });
      return d.db.transaction().execute(async (tx) => {
        const inc = await lockVisible(tx, actor, scope, incidentId, 'incident.update');
        if (inc.status === 'closed') throw new VigilError('VIG_INCIDENT_CLOSED', { id: inc.id });
        return linkIn(tx, actor, inc, clean);
      });
    },

    /** Links already normalised observables to an incident the caller holds locked (triage). */
    linkIn,

    /** Candidates found in pasted text (defanged forms included); nothing is written. */
    extract(actor: Actor, text: string) {
      incidentScope(actor);
      return extractObservables(text);
    },

    async remove(actor: Actor, incidentId: string, observableId: string): Promise<void> {
      const scope = incidentScope(actor);
      await d.db.transaction().execute(async (tx) => {
        const inc = await lockVisible(tx, actor, scope, incidentId, 'incident.update');
        const o = await observableRepo.findById(tx, observableId);
        if (!o || !(await observableRepo.unlink(tx, inc.id, observableId))) throw new VigilError('VIG_OBSERVABLE_NOT_FOUND', { id: observableId });
        await record(tx, actor, inc.id, 'observable.removed', { id: o.id, type: o.type, value: o.value }, { tlp: entryTlp(o.tlp, inc.tlp) });
      });
    },

    /** Changes the IOC flag, TLP or tags of an observable linked to an incident the actor works on. */
    async update(actor: Actor, incidentId: string, observableId: string, patch: { ioc?: boolean | undefined; tlp?: Tlp | undefined; tags?: string[] | undefined }) {
      const scope = incidentScope(actor);
      return d.db.transaction().execute(async (tx) => {
        const inc = await lockVisible(tx, actor, scope, incidentId, 'incident.update');
        const before = await observableRepo.lockById(tx, observableId);
        const linked = before ? await observableRepo.incidentsOf(tx, observableId) : [];
        if (!before || !linked.includes(inc.id)) throw new VigilError('VIG_OBSERVABLE_NOT_FOUND', { id: observableId });
        const after = await observableRepo.update(tx, observableId, {
          ...(patch.ioc !== undefined ? { ioc: patch.ioc } : {}),
          ...(patch.tlp ? { tlp: patch.tlp } : {}),
          ...(patch.tags ? { tags: [...new Set(patch.tags)] } : {}),
        });
        const changes = { ioc: { from: before.ioc, to: after.ioc }, tlp: { from: before.tlp, to: after.tlp }, tags: { from: before.tags, to: after.tags } };
        // One record per value across the platform: every incident it appears in sees the change.
        for (const id of linked) await record(tx, actor, id, 'observable.updated', { id: after.id, type: after.type, value: after.value, changes }, { tlp: after.tlp });
        return after;
      });
    },

    async similar(actor: Actor, incidentId: string) {
      const scope = incidentScope(actor);
      const inc = await findVisibleIncident(d.db, scope, incidentId);
      if (!inc) throw new VigilError('VIG_INCIDENT_NOT_FOUND', { id: incidentId });
      const rows = await observableRepo.similar(d.db, inc.id, scope, 20);
      return rows.map((r) => ({ ...r, shared: Number(r.shared) }));
    },

    /**
     * Where has this been seen? Exact value; for an IP address also the networks containing it; for
     * a domain with `suffix`, its subdomains too. Each hit lists the incidents (that the caller may
     * see) it is on.
     */
    async search(actor: Actor, value: string, type?: ObservableType, suffix = false) {
      const scope = incidentScope(actor);
      const v = value.trim();
      const ip = isIP(refang(v).replace(/^\[|\]$/g, ''));
      let exact = type ? v : refang(v);
      const normalise = (t: ObservableType) => {
        try {
          return normaliseObservable(t, v);
        } catch (e) {
          if (e instanceof ObservableInvalid) throw new VigilError('VIG_OBSERVABLE_INVALID', { errors: [{ path: 'querystring.value', message: e.message }] });
          throw e;
        }
      };
      if (type) exact = normalise(type);
      else if (ip) exact = normalise(ip === 4 ? 'ipv4' : 'ipv6');
      else if (suffix) exact = normalise('domain');
      if (suffix && (ip || (type && type !== 'domain'))) {
        throw new VigilError('VIG_OBSERVABLE_INVALID', { errors: [{ path: 'querystring.suffix', message: 'suffix search is for domains' }] });
      }
      const rows = await observableRepo.search(d.db, { value: exact, type, containing: ip ? exact : undefined, suffix: suffix ? exact : undefined, scope });
      const seen = await observableRepo.visibleIncidentsOf(d.db, rows.map((r) => r.id), scope, 20);
      return rows.map((r) => ({
        ...r,
        incidents: seen
          .filter((i) => i.observableId === r.id)
          .map((i) => ({ id: i.id, reference: i.reference, title: i.title, status: i.status, tlp: i.tlp, createdAt: i.createdAt })),
      }));
    },
  };
}
export type ObservableService = ReturnType<typeof createObservableService>;
