import type { IncidentRoleName, LessonAction, Tlp } from '../../db/schema.ts';
import { incidentScope } from '../../lib/authz/incidents.ts';
import { can } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import { userById } from '../users/index.ts';
import { incidentEventRepo } from './events.repo.ts';
import { linkRepo } from './links.repo.ts';
import { incidentRepo } from './repo.ts';
import { lockVisible, seesRestricted } from '../../lib/authz/access.repo.ts';
import { NO_CLIENT, userActor, type Actor } from '../../lib/actor.ts';
import { lockVersion, recorder, type IncidentDeps } from './service.ts';
import { incidentViews, type IncidentView } from './view.ts';

export const KEY_TIMES = ['firstCompromiseAt', 'detectedAt', 'containedAt', 'recoveredAt'] as const;
export type KeyTimes = Partial<Record<(typeof KEY_TIMES)[number], Date | null>>;

export interface CommunicationInput {
  direction: 'inbound' | 'outbound';
  channel: 'email' | 'phone' | 'meeting' | 'chat' | 'letter' | 'other';
  party: string;
  body: string;
  occurredAt?: Date | undefined;
  tlp?: Tlp | undefined;
}

/** Notes, communications, roles, key times, lessons learned and the timeline of an incident. */
export function createIncidentDetailService(d: IncidentDeps) {
  const record = recorder(d);

  return {
    /**
     * Records a communication (a call with the constituent, a mail to law enforcement, a meeting):
     * with whom, which way, over what, when it happened, and what was said (Markdown).
     */
    async addCommunication(actor: Actor, id: string, input: CommunicationInput) {
      const scope = incidentScope(actor);
      return d.db.transaction().execute(async (tx) => {
        const inc = await lockVisible(tx, actor, scope, id, 'incident.update');
        if (input.occurredAt && input.occurredAt.getTime() > d.clock.now().getTime() + 5 * 60_000) {
          throw new VigilError('VIG_REQUEST_INVALID', { errors: [{ path: 'body.occurredAt', message: 'a communication cannot have happened in the future' }] });
        }
        const tlp = input.tlp ?? inc.tlp;
        const data = { direction: input.direction, channel: input.channel, party: input.party, body: input.body };
        return record(tx, actor, inc.id, 'incident.communication', data, {
          tlp, occurredAt: input.occurredAt ?? null, after: { direction: input.direction, channel: input.channel, length: input.body.length, tlp },
        });
      });
    },

    async addNote(actor: Actor, id: string, input: { body: string; tlp?: Tlp | undefined }) {
      const scope = incidentScope(actor);
      return d.db.transaction().execute(async (tx) => {
        const inc = await lockVisible(tx, actor, scope, id, 'incident.update');
        const tlp = input.tlp ?? inc.tlp;
        // The audit trail notes that a note was added; its text lives in the incident's timeline.
        return record(tx, actor, inc.id, 'incident.note_added', { body: input.body }, { tlp, after: { length: input.body.length, tlp } });
      });
    },

    async assignRole(actor: Actor, id: string, role: IncidentRoleName, userId: string): Promise<IncidentView> {
      const scope = incidentScope(actor);
      return d.db.transaction().execute(async (tx) => {
        const inc = await lockVisible(tx, actor, scope, id, 'incident.update');
        const user = await userById(tx, userId);
        if (!user || user.disabledAt || !can(userActor(user, NO_CLIENT), 'incident.read')) {
          throw new VigilError('VIG_INCIDENT_ROLE_USER_INVALID', { errors: [{ path: 'body.userId', message: 'no active team member with this id' }] });
        }
        if (await incidentRepo.addRole(tx, inc.id, role, userId, d.clock.now())) {
          await record(tx, actor, inc.id, 'incident.role_assigned', { role, userId, username: user.username });
        }
        return (await incidentViews(tx, [inc], actor))[0]!;
      });
    },

    async removeRole(actor: Actor, id: string, role: IncidentRoleName, userId: string): Promise<IncidentView> {
      const scope = incidentScope(actor);
      return d.db.transaction().execute(async (tx) => {
        const inc = await lockVisible(tx, actor, scope, id, 'incident.update');
        if (await incidentRepo.removeRole(tx, inc.id, role, userId)) {
          const user = await userById(tx, userId);
          await record(tx, actor, inc.id, 'incident.role_removed', { role, userId, username: user?.username ?? null });
        }
        return (await incidentViews(tx, [inc], actor))[0]!;
      });
    },

    /** Sets when things happened (which may differ from when they were recorded), in order. */
    async setKeyTimes(actor: Actor, id: string, version: number, times: KeyTimes): Promise<IncidentView> {
      const scope = incidentScope(actor);
      return d.db.transaction().execute(async (tx) => {
        const before = await lockVersion(tx, actor, scope, id, 'incident.update', version);
        const merged = Object.fromEntries(KEY_TIMES.map((k) => [k, times[k] === undefined ? before[k] : times[k]])) as Record<(typeof KEY_TIMES)[number], Date | null>;
        const present = KEY_TIMES.filter((k) => merged[k]);
        for (let i = 1; i < present.length; i++) {
          const a = present[i - 1]!;
          const b = present[i]!;
          if (merged[b]!.getTime() < merged[a]!.getTime()) {
            throw new VigilError('VIG_REQUEST_INVALID', { errors: [{ path: `body.${b}`, message: `must not be before ${a}` }] });
          }
        }
        const after = await incidentRepo.update(tx, before.id, { ...merged, updatedAt: d.clock.now() });
        for (const k of KEY_TIMES) {
          if (times[k] !== undefined && (before[k]?.getTime() ?? null) !== (merged[k]?.getTime() ?? null)) {
            await record(tx, actor, before.id, 'incident.key_time_set', { name: k, from: before[k], to: merged[k] }, { occurredAt: merged[k] });
          }
        }
        return (await incidentViews(tx, [after], actor))[0]!;
      });
    },

    async recordLessons(actor: Actor, id: string, input: { whatHappened: string; wentWell: string; toImprove: string; actions: LessonAction[] }) {
      const scope = incidentScope(actor);
      return d.db.transaction().execute(async (tx) => {
        const inc = await lockVisible(tx, actor, scope, id, 'incident.update');
        for (const [i, a] of input.actions.entries()) {
          const owner = await userById(tx, a.ownerId);
          if (!owner || owner.disabledAt) {
            throw new VigilError('VIG_REQUEST_INVALID', { errors: [{ path: `body.actions.${i}.ownerId`, message: 'no active user with this id' }] });
          }
        }
        const row = await incidentRepo.upsertLessons(tx, {
          incidentId: inc.id, whatHappened: input.whatHappened, wentWell: input.wentWell, toImprove: input.toImprove,
          actions: JSON.stringify(input.actions), recordedBy: actor.userId, recordedAt: d.clock.now(),
        });
        await record(tx, actor, inc.id, 'incident.lessons_recorded', { ...input });
        return { whatHappened: row.whatHappened, wentWell: row.wentWell, toImprove: row.toImprove, actions: row.actions, recordedBy: row.recordedBy, recordedAt: row.recordedAt };
      });
    },

    async getLessons(actor: Actor, id: string) {
      const scope = incidentScope(actor);
      const inc = await incidentRepo.findVisible(d.db, scope, id);
      if (!inc) throw new VigilError('VIG_INCIDENT_NOT_FOUND', { id });
      const row = await incidentRepo.lessons(d.db, inc.id);
      return row
        ? { whatHappened: row.whatHappened, wentWell: row.wentWell, toImprove: row.toImprove, actions: row.actions, recordedBy: row.recordedBy, recordedAt: row.recordedAt }
        : null;
    },

    /** The incident's events in order; RED and AMBER+STRICT entries only for role holders, managers and admins. */
    async timeline(actor: Actor, id: string, f: { kinds?: string[] | undefined; afterId?: number | undefined; limit: number }) {
      const scope = incidentScope(actor);
      const inc = await incidentRepo.findVisible(d.db, scope, id);
      if (!inc) throw new VigilError('VIG_INCIDENT_NOT_FOUND', { id });
      const merged = await linkRepo.mergedInto(d.db, inc.id);
      const items = await incidentEventRepo.timeline(d.db, [inc.id, ...merged], { ...f, restricted: await seesRestricted(d.db, scope, inc.id) });
      return { items, nextAfter: items.length === f.limit ? items[items.length - 1]!.id : null };
    },
  };
}
export type IncidentDetailService = ReturnType<typeof createIncidentDetailService>;
