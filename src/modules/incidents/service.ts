import { randomUUID } from 'node:crypto';
import { atCommit, PHASE } from '../../db/commit-hooks.ts';
import type { Db, Executor } from '../../db/index.ts';
import type { IncidentEventRow, IncidentRow, IncidentStatus, Level, Pap, Resolution, Tlp } from '../../db/schema.ts';
import { incidentScope, type IncidentScope } from '../../lib/authz/incidents.ts';
import { authorize, can, type Permission } from '../../lib/authz/policy.ts';
import { NO_CLIENT, userActor, type Actor, type Clock } from '../../lib/actor.ts';
import { userById } from '../users/index.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import type { SettingsService } from '../settings/index.ts';
import { incidentEventRepo } from './events.repo.ts';
import { canMove } from './lifecycle.ts';
import { priorityOf } from './priority.ts';
import { incidentRepo, type IncidentFilter } from './repo.ts';
import { normaliseClassifications, RSIT, type Classification } from './taxonomy.ts';
import { decodeListCursor, encodeListCursor, incidentViews, type IncidentView } from './view.ts';
import { lockVisible, requireConstituentName } from '../../lib/authz/access.repo.ts';

export interface IncidentDeps {
  db: Db;
  audit: AuditService;
  settings: SettingsService;
  clock: Clock;
  /** Called in the transaction of every incident event recorded (outgoing mail: updates to reporters). */
  onEvent?: ((tx: Executor, event: IncidentEventRow) => Promise<unknown>) | undefined;
}

export interface DeclareInput {
  title: string;
  summary?: string | undefined;
  impact: Level;
  urgency: Level;
  tlp?: Tlp | undefined;
  pap?: Pap | undefined;
  constituent?: string | null | undefined;
  exercise?: boolean | undefined;
  classifications: Classification[];
}

export type UpdateInput = Partial<Omit<DeclareInput, 'classifications'>> & { version: number; classifications?: Classification[] | undefined };

const EDITABLE = ['title', 'summary', 'impact', 'urgency', 'priority', 'tlp', 'pap', 'constituent', 'exercise'] as const;

/** Appends an incident event and the matching audit record, in the caller's transaction. */
export function recorder(d: IncidentDeps) {
  return async (
    tx: Executor,
    actor: Actor,
    incidentId: string,
    kind: string,
    data: Record<string, unknown>,
    opts: { tlp?: Tlp | null; occurredAt?: Date | null; before?: unknown; after?: unknown; audit?: boolean } = {},
  ) => {
    const event = await incidentEventRepo.append(tx, {
      incidentId, kind, at: d.clock.now(), occurredAt: opts.occurredAt ?? null, actorId: actor.userId, actorName: actor.username, tlp: opts.tlp ?? null, data,
    });
    if (opts.audit !== false) await d.audit.record(tx, actor, { action: kind, entity: 'incident', entityId: incidentId, before: opts.before, after: opts.after ?? data });
    await d.onEvent?.(tx, event);
    return event;
  };
}

/**
 * `lockVisible` (the access check and the lock, src/lib/authz) and then the version the caller
 * read: a stale one is refused with the current state (409).
 */
export async function lockVersion(
  tx: Executor, actor: Actor, scope: IncidentScope, id: string, permission: Permission, version: number,
): Promise<IncidentRow> {
  const row = await lockVisible(tx, actor, scope, id, permission);
  if (row.version !== version) {
    const [current] = await incidentViews(tx, [row], actor);
    throw new VigilError('VIG_INCIDENT_VERSION_CONFLICT', { id: row.id, yourVersion: version, currentVersion: row.version, current });
  }
  return row;
}

export function createIncidentService(d: IncidentDeps) {
  const record = recorder(d);

  async function view(x: Executor, row: IncidentRow, actor: Actor): Promise<IncidentView> {
    return (await incidentViews(x, [row], actor))[0]!;
  }

  const service = {
    /** The RSIT taxonomy, for classification pickers. */
    taxonomy(actor: Actor) {
      incidentScope(actor);
      return RSIT;
    },

    /**
     * Registers an incident: next reference of the year, priority from the matrix, creator as
     * coordinator. The reference is given as the transaction's last statement but the audit append
     * (the year's counter row stays locked from there to the commit only, so declarations do not
     * wait on each other): until then the incident has a provisional one, and its
     * `incident.declared` event names none.
     */
    async declare(actor: Actor, input: DeclareInput): Promise<IncidentView> {
      authorize(actor, 'incident.create');
      normaliseClassifications(input.classifications);
      return d.db.transaction().execute((tx) => service.declareIn(tx, actor, input, { referenceAtCommit: true }));
    },

    /**
     * `declare` inside the caller's transaction (declaring from reports links them in the same one,
     * and names the incident by its reference at once: numbered at once, holding the counter's lock).
     */
    async declareIn(tx: Executor, actor: Actor, input: DeclareInput, o: { referenceAtCommit?: boolean } = {}): Promise<IncidentView> {
      authorize(actor, 'incident.create');
      const classes = normaliseClassifications(input.classifications);
      const team = await d.settings.current(tx);
      const now = d.clock.now();
      const year = now.getUTCFullYear();
      await requireConstituentName(tx, actor, input.constituent?.trim() || null);
      const atCommitRef = o.referenceAtCommit === true && tx.isTransaction;
      const reference = atCommitRef ? `~${randomUUID()}` : `${team.incidentPrefix}-${year}-${String(await incidentRepo.nextNumber(tx, year)).padStart(5, '0')}`;
      const row = await incidentRepo.insert(tx, {
        reference,
        title: input.title.trim(),
        summary: input.summary ?? '',
        status: 'new',
        resolution: null,
        duplicateOf: null,
        impact: input.impact,
        urgency: input.urgency,
        priority: priorityOf(team.priorityMatrix, input.impact, input.urgency),
        tlp: input.tlp ?? 'AMBER',
        pap: input.pap ?? 'AMBER',
        constituent: input.constituent?.trim() || null,
        exercise: input.exercise ?? false,
        firstCompromiseAt: null, detectedAt: null, containedAt: null, recoveredAt: null,
        createdBy: actor.userId,
        createdAt: now,
        updatedAt: now,
        closedAt: null,
        assigneeId: null,
      });
      await incidentRepo.addClassifications(tx, row.id, classes);
      if (actor.userId) await incidentRepo.addRole(tx, row.id, 'coordinator', actor.userId, now);
      const v = await view(tx, row, actor);
      const declared = { title: v.title, priority: v.priority, tlp: v.tlp, classifications: v.classifications };
      if (atCommitRef) {
        // Numbered at commit: the event names no reference; its audit record, written then, does,
        // in the place kept for it now (before the records of the escalation the event may start).
        const audited = await d.audit.reserve(tx);
        const numbered = await atCommit(tx, `incident-reference:${row.id}`, PHASE.counter, () => v, async (last, view) => {
          view.reference = await incidentRepo.setNextReference(last, row.id, team.incidentPrefix, year);
          const entry = { action: 'incident.declared', entity: 'incident', entityId: row.id, after: { reference: view.reference, ...declared } };
          if (audited) audited(actor, entry);
          else await d.audit.record(last, actor, entry);
        });
        if (!numbered) throw new Error('declare: the transaction has no commit hooks');
        await record(tx, actor, row.id, 'incident.declared', declared, { audit: false });
      } else {
        await record(tx, actor, row.id, 'incident.declared', { reference: v.reference, ...declared });
      }
      return v;
    },

    async get(actor: Actor, idOrRef: string): Promise<IncidentView> {
      const scope = incidentScope(actor);
      const row = await incidentRepo.findVisible(d.db, scope, idOrRef);
      if (!row) throw new VigilError('VIG_INCIDENT_NOT_FOUND', { id: idOrRef });
      return view(d.db, row, actor);
    },

    async list(actor: Actor, f: Omit<IncidentFilter, 'after'> & { cursor?: string | undefined }) {
      const scope = incidentScope(actor);
      const sort = f.sort ?? 'newest';
      const after = f.cursor ? decodeListCursor(f.cursor, sort) : undefined;
      const rows = await incidentRepo.list(d.db, scope, { ...f, sort, after, limit: f.limit + 1 });
      const page = rows.slice(0, f.limit);
      return { items: await incidentViews(d.db, page, actor), nextCursor: rows.length > f.limit ? encodeListCursor(page[page.length - 1]!, sort) : null };
    },

    /** How many incidents the caller may see match the filter (the same TLP rule as the list). */
    async count(actor: Actor, f: Omit<IncidentFilter, 'after' | 'limit' | 'sort'>) {
      return { count: await incidentRepo.count(d.db, incidentScope(actor), f) };
    },

    /**
     * Assigns incidents to a handler or manager (or nobody), all or none: every incident must be
     * one the caller may see and work. Each change is an event on its incident.
     */
    async assign(actor: Actor, ids: string[], assigneeId: string | null): Promise<IncidentView[]> {
      const scope = incidentScope(actor);
      authorize(actor, 'incident.update');
      return d.db.transaction().execute(async (tx) => {
        let assignee: { id: string; username: string } | null = null;
        if (assigneeId) {
          const user = await userById(tx, assigneeId);
          if (!user || user.disabledAt || !can(userActor(user, NO_CLIENT), 'incident.update')) {
            throw new VigilError('VIG_INCIDENT_ASSIGNEE_INVALID', { errors: [{ path: 'body.assigneeId', message: 'no active handler or manager with this id' }] });
          }
          assignee = { id: user.id, username: user.username };
        }
        const out: IncidentRow[] = [];
        for (const id of new Set(ids)) {
          const before = await lockVisible(tx, actor, scope, id, 'incident.update');
          if (out.some((r) => r.id === before.id)) continue;
          if (before.status === 'closed') throw new VigilError('VIG_INCIDENT_CLOSED', { id: before.id });
          if (before.assigneeId === (assignee?.id ?? null)) {
            out.push(before);
            continue;
          }
          const after = await incidentRepo.update(tx, before.id, { assigneeId: assignee?.id ?? null, updatedAt: d.clock.now() });
          const from = before.assigneeId ? (await incidentRepo.users(tx, [before.assigneeId]))[0] : undefined;
          await record(tx, actor, before.id, 'incident.assigned', {
            from: from ? { id: from.id, username: from.username } : null, to: assignee,
          });
          out.push(after);
        }
        return incidentViews(tx, out, actor);
      });
    },

    /** Edits fields and classification; refuses a stale version with the current state. */
    async update(actor: Actor, id: string, input: UpdateInput): Promise<IncidentView> {
      const scope = incidentScope(actor);
      const classes = input.classifications ? normaliseClassifications(input.classifications) : undefined;
      const team = await d.settings.current();
      return d.db.transaction().execute(async (tx) => {
        const before = await lockVersion(tx, actor, scope, id, 'incident.update', input.version);
        if (before.status === 'closed') throw new VigilError('VIG_INCIDENT_CLOSED', { id: before.id });
        const next = {
          title: input.title?.trim() ?? before.title,
          summary: input.summary ?? before.summary,
          impact: input.impact ?? before.impact,
          urgency: input.urgency ?? before.urgency,
          tlp: input.tlp ?? before.tlp,
          pap: input.pap ?? before.pap,
          constituent: input.constituent === undefined ? before.constituent : input.constituent?.trim() || null,
          exercise: input.exercise ?? before.exercise,
        };
        if (next.constituent !== before.constituent) await requireConstituentName(tx, actor, next.constituent);
        const priority = priorityOf(team.priorityMatrix, next.impact, next.urgency);
        const changes: Record<string, { from: unknown; to: unknown }> = {};
        for (const k of EDITABLE) {
          const to = k === 'priority' ? priority : next[k];
          if (to !== before[k]) changes[k] = { from: before[k], to };
        }
        const shown = (rows: { class: string; type: string; isPrimary: boolean }[]) =>
          rows.map((c) => ({ class: c.class, type: c.type, primary: c.isPrimary }));
        const old = shown(await incidentRepo.classifications(tx, [before.id]));
        const reclassified = classes && JSON.stringify(shown(classes)) !== JSON.stringify(old) ? shown(classes) : undefined;
        // Nothing really changes: no event, no new version.
        if (Object.keys(changes).length === 0 && !reclassified) return view(tx, before, actor);
        const after = await incidentRepo.update(tx, before.id, { ...next, priority, updatedAt: d.clock.now() });
        if (Object.keys(changes).length) await record(tx, actor, before.id, 'incident.updated', { changes });
        if (changes.priority) await record(tx, actor, before.id, 'incident.priority_changed', changes.priority);
        if (reclassified && classes) {
          await incidentRepo.replaceClassifications(tx, before.id, classes);
          await record(tx, actor, before.id, 'incident.classified', { from: old, to: reclassified });
        }
        return view(tx, after, actor);
      });
    },

    async setStatus(actor: Actor, id: string, version: number, status: IncidentStatus): Promise<IncidentView> {
      const scope = incidentScope(actor);
      return d.db.transaction().execute(async (tx) => {
        const before = await lockVersion(tx, actor, scope, id, 'incident.update', version);
        if (before.status === 'closed') throw new VigilError('VIG_INCIDENT_CLOSED', { id: before.id });
        if (!canMove(before.status, status)) throw new VigilError('VIG_INCIDENT_TRANSITION_FORBIDDEN', { from: before.status, to: status });
        const after = await incidentRepo.update(tx, before.id, { status, updatedAt: d.clock.now() });
        await record(tx, actor, before.id, 'incident.status_changed', { from: before.status, to: status });
        return view(tx, after, actor);
      });
    },

    /** Closes with a resolution; P1 and P2 need their lessons-learned review first. */
    async close(actor: Actor, id: string, input: { version: number; resolution: Resolution; duplicateOf?: string | undefined }): Promise<IncidentView> {
      const scope = incidentScope(actor);
      return d.db.transaction().execute(async (tx) => {
        const before = await lockVersion(tx, actor, scope, id, 'incident.close', input.version);
        if (before.status === 'closed') throw new VigilError('VIG_INCIDENT_CLOSED', { id: before.id });
        let duplicateOf: string | null = null;
        let duplicateOfReference: string | null = null;
        if (input.resolution === 'duplicate') {
          const target = input.duplicateOf ? await incidentRepo.findVisible(tx, scope, input.duplicateOf) : undefined;
          if (!target || target.id === before.id) throw new VigilError('VIG_INCIDENT_DUPLICATE_INVALID', { duplicateOf: input.duplicateOf ?? null });
          duplicateOf = target.id;
          duplicateOfReference = target.reference;
        } else if (input.duplicateOf) {
          throw new VigilError('VIG_INCIDENT_DUPLICATE_INVALID', { duplicateOf: input.duplicateOf });
        }
        if ((before.priority === 'P1' || before.priority === 'P2') && !(await incidentRepo.lessons(tx, before.id))) {
          throw new VigilError('VIG_INCIDENT_LESSONS_REQUIRED', { id: before.id, priority: before.priority });
        }
        const now = d.clock.now();
        const after = await incidentRepo.update(tx, before.id, { status: 'closed', resolution: input.resolution, duplicateOf, closedAt: now, updatedAt: now });
        await record(tx, actor, before.id, 'incident.closed', { from: before.status, resolution: input.resolution, duplicateOf, duplicateOfReference });
        return view(tx, after, actor);
      });
    },

    async reopen(actor: Actor, id: string, version: number, reason: string): Promise<IncidentView> {
      const scope = incidentScope(actor);
      return d.db.transaction().execute(async (tx) => {
        const before = await lockVersion(tx, actor, scope, id, 'incident.close', version);
        if (before.status !== 'closed') throw new VigilError('VIG_INCIDENT_NOT_CLOSED', { id: before.id });
        const after = await incidentRepo.update(tx, before.id, { status: 'analysis', resolution: null, duplicateOf: null, closedAt: null, updatedAt: d.clock.now() });
        await record(tx, actor, before.id, 'incident.reopened', { resolution: before.resolution, reason });
        return view(tx, after, actor);
      });
    },
  };
  return service;
}
export type IncidentService = ReturnType<typeof createIncidentService>;
