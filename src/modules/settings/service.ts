import type { Db, Executor } from '../../db/index.ts';
import type { PriorityMatrix, TeamRow } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import { teamRepo } from './repo.ts';

export interface TeamSettings {
  teamName: string;
  requireMfa: boolean;
  /** Prefix of incident references, e.g. VIG in VIG-2026-00042. */
  incidentPrefix: string;
  /** The impact x urgency matrix; null means the default (see modules/incidents/priority.ts). */
  priorityMatrix: PriorityMatrix | null;
  /** IANA zone the team's months and years are counted in (KPIs, reports). */
  timeZone: string;
}

const toSettings = (row: TeamRow): TeamSettings => ({
  teamName: row.name, requireMfa: row.requireMfa, incidentPrefix: row.incidentPrefix, priorityMatrix: row.priorityMatrix, timeZone: row.timeZone,
});

/** How long a process trusts its cached settings before reading them again (other processes may change them). */
const CACHE_MS = 5000;

export function createSettingsService(d: { db: Db; audit: AuditService; clock: Clock }) {
  let cache: { at: number; value: TeamSettings } | undefined;

  /** Pass the transaction when inside one: the embedded store has a single connection. */
  async function current(x: Executor = d.db): Promise<TeamSettings> {
    const now = Date.now();
    if (cache && now - cache.at < CACHE_MS) return cache.value;
    const row = await teamRepo.find(x);
    if (!row) throw new VigilError('VIG_UNAVAILABLE', { reason: 'team not initialised' });
    cache = { at: now, value: toSettings(row) };
    return cache.value;
  }

  return {
    /** Settings as the server needs them (no access check: used to enforce policy, never returned raw). */
    current,

    async get(actor: Actor): Promise<TeamSettings> {
      authorize(actor, 'settings.read');
      return current();
    },

    async update(actor: Actor, patch: Partial<TeamSettings>): Promise<TeamSettings> {
      authorize(actor, 'settings.update');
      const next = await d.db.transaction().execute(async (tx) => {
        const before = await teamRepo.lock(tx);
        if (!before) throw new VigilError('VIG_UNAVAILABLE', { reason: 'team not initialised' });
        const after = await teamRepo.update(tx, {
          ...(patch.teamName !== undefined ? { name: patch.teamName } : {}),
          ...(patch.requireMfa !== undefined ? { requireMfa: patch.requireMfa } : {}),
          ...(patch.incidentPrefix !== undefined ? { incidentPrefix: patch.incidentPrefix } : {}),
          ...(patch.timeZone !== undefined ? { timeZone: patch.timeZone } : {}),
          ...(patch.priorityMatrix !== undefined ? { priorityMatrix: patch.priorityMatrix === null ? null : JSON.stringify(patch.priorityMatrix) } : {}),
          updatedAt: d.clock.now(),
        });
        await d.audit.record(tx, actor, {
          action: 'settings.updated',
          entity: 'team',
          entityId: '1',
          before: toSettings(before),
          after: toSettings(after),
        });
        return toSettings(after);
      });
      cache = { at: Date.now(), value: next };
      return next;
    },
  };
}
export type SettingsService = ReturnType<typeof createSettingsService>;
