import type { Db, Executor } from '../../db/index.ts';
import type { PlaybookRow, PlaybookTask, Priority } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { incidentScope } from '../../lib/authz/incidents.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import { lockVisible } from '../../lib/authz/access.repo.ts';
import { canonicalRsit, classificationsOf, findVisibleIncident, insertTask, recorder, RSIT, taskView, type TaskView } from '../incidents/index.ts';
import type { SettingsService } from '../settings/index.ts';
import { BUILTIN_PLAYBOOKS } from './builtin.ts';
import { playbookRepo } from './repo.ts';

export interface PlaybookInput {
  version?: number | undefined;
  name: string;
  description?: string | undefined;
  matchRsit: string[];
  priorities?: Priority[] | undefined;
  tasks: PlaybookTask[];
  enabled?: boolean | undefined;
}

export const playbookView = (p: PlaybookRow) => ({
  key: p.key, name: p.name, description: p.description, matchRsit: p.matchRsit, priorities: p.priorities, tasks: p.tasks,
  builtin: p.builtin, enabled: p.enabled, version: p.version, updatedBy: p.updatedBy, updatedAt: p.updatedAt,
});
export type PlaybookView = ReturnType<typeof playbookView>;

/** Whether a playbook is suggested for these classifications and this priority. */
export function playbookMatches(p: Pick<PlaybookRow, 'matchRsit' | 'priorities' | 'enabled'>, classes: { class: string; type: string }[], priority: Priority): boolean {
  if (!p.enabled) return false;
  if (p.priorities.length && !p.priorities.includes(priority)) return false;
  return classes.some((c) => p.matchRsit.includes(`${c.class}/${c.type}`) || p.matchRsit.includes(`${c.class}/*`));
}

/** Checks RSIT patterns (`class/type` or `class/*`) and task keys; returns patterns in RSIT spelling. */
function validate(input: PlaybookInput): string[] {
  const patterns = input.matchRsit.map((m, i) => {
    const [cls, type] = canonicalRsit(m).split('/');
    const c = RSIT.find((x) => x.value === cls);
    if (!c || !type || (type !== '*' && !c.types.some((x) => x.value === type))) {
      throw new VigilError('VIG_INCIDENT_CLASSIFICATION_UNKNOWN', { errors: [{ path: `body.matchRsit.${i}`, message: `${m} is not an RSIT class/type or class/*` }] });
    }
    return `${cls}/${type}`;
  });
  const keys = new Set<string>();
  input.tasks.forEach((task, i) => {
    if (keys.has(task.key)) throw new VigilError('VIG_REQUEST_INVALID', { errors: [{ path: `body.tasks.${i}.key`, message: 'is used twice' }] });
    keys.add(task.key);
  });
  return patterns;
}

export function createPlaybookService(d: { db: Db; audit: AuditService; settings: SettingsService; clock: Clock }) {
  const record = recorder(d);

  return {
    /** Installs the built-in playbooks that are missing; never overwrites an edited one. */
    async installBuiltins(tx: Executor, actor: Actor): Promise<number> {
      let n = 0;
      for (const p of BUILTIN_PLAYBOOKS) {
        const row = { ...p, tasks: JSON.stringify(p.tasks), builtin: true, enabled: true, updatedBy: null, updatedAt: d.clock.now() };
        if (await playbookRepo.insertIfMissing(tx, row)) {
          n++;
          await d.audit.record(tx, actor, { action: 'playbook.installed', entity: 'playbook', entityId: p.key, after: { name: p.name, tasks: p.tasks.length } });
        }
      }
      return n;
    },

    async list(actor: Actor): Promise<PlaybookView[]> {
      incidentScope(actor);
      return (await playbookRepo.list(d.db)).map(playbookView);
    },

    async get(actor: Actor, key: string): Promise<PlaybookView> {
      incidentScope(actor);
      const p = await playbookRepo.find(d.db, key);
      if (!p) throw new VigilError('VIG_PLAYBOOK_NOT_FOUND', { key });
      return playbookView(p);
    },

    /** Creates or replaces a playbook; replacing needs the version read. */
    async save(actor: Actor, key: string, input: PlaybookInput): Promise<{ playbook: PlaybookView; created: boolean }> {
      authorize(actor, 'playbook.manage');
      const matchRsit = validate(input);
      return d.db.transaction().execute(async (tx) => {
        const before = await playbookRepo.lock(tx, key);
        const row = {
          name: input.name.trim(), description: input.description ?? '', matchRsit, priorities: input.priorities ?? [],
          tasks: JSON.stringify(input.tasks), enabled: input.enabled ?? true, updatedBy: actor.userId, updatedAt: d.clock.now(),
        };
        if (!before) {
          const p = await playbookRepo.insert(tx, { ...row, key });
          await d.audit.record(tx, actor, { action: 'playbook.created', entity: 'playbook', entityId: key, after: playbookView(p) });
          return { playbook: playbookView(p), created: true };
        }
        if (input.version !== before.version) {
          throw new VigilError('VIG_PLAYBOOK_VERSION_CONFLICT', { key, yourVersion: input.version ?? null, currentVersion: before.version, current: playbookView(before) });
        }
        const p = await playbookRepo.update(tx, key, row);
        await d.audit.record(tx, actor, { action: 'playbook.updated', entity: 'playbook', entityId: key, before: playbookView(before), after: playbookView(p) });
        return { playbook: playbookView(p), created: false };
      });
    },

    async suggest(actor: Actor, incidentId: string): Promise<PlaybookView[]> {
      const inc = await findVisibleIncident(d.db, incidentScope(actor), incidentId);
      if (!inc) throw new VigilError('VIG_INCIDENT_NOT_FOUND', { id: incidentId });
      const classes = await classificationsOf(d.db, [inc.id]);
      return (await playbookRepo.list(d.db)).filter((p) => playbookMatches(p, classes, inc.priority)).map(playbookView);
    },

    /** Adds the playbook's tasks the incident does not have yet; applying twice adds nothing. */
    async apply(actor: Actor, incidentId: string, key: string): Promise<{ created: TaskView[]; skipped: number }> {
      const scope = incidentScope(actor);
      return d.db.transaction().execute(async (tx) => {
        const inc = await lockVisible(tx, actor, scope, incidentId, 'incident.update');
        if (inc.status === 'closed') throw new VigilError('VIG_INCIDENT_CLOSED', { id: inc.id });
        const p = await playbookRepo.find(tx, key);
        if (!p || !p.enabled) throw new VigilError('VIG_PLAYBOOK_NOT_FOUND', { key });
        const have = new Set(await playbookRepo.templateKeysOf(tx, inc.id));
        const now = d.clock.now();
        const created: TaskView[] = [];
        for (const task of p.tasks) {
          const templateKey = `${p.key}:${task.key}`;
          if (have.has(templateKey)) continue;
          const row = await insertTask(tx, {
            incidentId: inc.id, phase: task.phase, title: task.title, description: task.description, assigneeId: null, dueAt: null,
            checklist: JSON.stringify(task.checklist.map((text) => ({ text, done: false }))), templateKey, createdBy: actor.userId, createdAt: now, updatedAt: now,
          });
          created.push(taskView(row));
        }
        await record(tx, actor, inc.id, 'playbook.applied', {
          playbookKey: p.key, name: p.name, version: p.version, created: created.map((c) => c.id), skipped: p.tasks.length - created.length,
        });
        return { created, skipped: p.tasks.length - created.length };
      });
    },
  };
}
export type PlaybookService = ReturnType<typeof createPlaybookService>;
