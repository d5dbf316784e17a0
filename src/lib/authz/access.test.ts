import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawNode, SelectQueryNode, type KyselyPlugin, type RootOperationNode } from 'kysely';
import { systemActor, type Actor } from '../actor.ts';
import { createAlertTriageService } from '../../modules/triage/alerts.service.ts';
import { makeApp, userWith, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { accessRepo, requireAccess } from './access.repo.ts';
import { incidentScope } from './incidents.ts';

/** Counts the statements sent through a Kysely instance (and its transactions); `alertReads` counts those that read the alert table. */
function counter() {
  const c = { n: 0, alertReads: 0 };
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      c.n++;
      if (readsAlerts(args.node)) c.alertReads++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { c, plugin };
}

/** Whether a statement is a read (a select, or raw SQL starting with one) from the alert table. */
function readsAlerts(node: RootOperationNode): boolean {
  if (SelectQueryNode.is(node)) return JSON.stringify(node.from).includes('"name":"alert"');
  if (RawNode.is(node)) return /^\s*select\b/i.test(node.sqlFragments.join('?')) && JSON.stringify(node).includes('"name":"alert"');
  return false;
}

describe('the access rule has one home', () => {
  it('no file outside src/lib/authz and src/lib/tlp.ts lists TLP labels or privileged roles', () => {
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []));
    const lists = /'(RED|AMBER\+STRICT)',\s*'(RED|AMBER\+STRICT)'|'admin',\s*'manager'|includes\('manager'\)/;
    const offenders = files('src').filter((f) => !f.startsWith(join('src', 'lib', 'authz')) && f !== join('src', 'lib', 'tlp.ts'))
      .filter((f) => lists.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});

describe.each(stores())('access module on %s', (store) => {
  let t: TestApp;
  let handler: Actor;
  let token: string;
  beforeAll(async () => {
    t = await makeApp(store);
    const h = await userWith(t, ['handler']);
    handler = { userId: h.id, username: h.username, roles: ['handler'], via: 'session', ip: null, requestId: null };
    token = (await t.services.sources.create(systemActor('cli'), { name: 'bulk', mapping: { items: '$.a', title: '$.t' } })).token;
  });
  afterAll(() => t?.close());

  async function newAlerts(n: number): Promise<string[]> {
    const body = { a: Array.from({ length: n }, (_, i) => ({ t: `alert ${i} ${Math.random()}` })) };
    const r = await t.services.alerts.receive(token, { content: Buffer.from(JSON.stringify(body)), contentType: 'application/json', ip: null });
    return r.alerts.map((a) => a.id);
  }

  /** The alert triage service over a Kysely that counts its statements, wired as src/services.ts does. */
  function counted() {
    const { c, plugin } = counter();
    const db = t.db.db.withPlugin(plugin);
    const alerts = createAlertTriageService({
      db, audit: t.services.audit, settings: t.services.settings, clock: { now: () => new Date() }, observables: t.services.observables,
    });
    return { c, alerts, db };
  }

  it('acknowledges and dismisses 500 alerts in as many statements as one', async () => {
    const cost = async (ids: string[], action: 'acknowledge' | 'dismiss') => {
      const { c, alerts } = counted();
      const out = action === 'acknowledge' ? await alerts.acknowledge(handler, ids) : await alerts.dismiss(handler, ids, 'benign', 'bulk');
      expect(out.map((a) => a.id)).toEqual(ids);
      expect(out.every((a) => a.status === (action === 'acknowledge' ? 'acknowledged' : 'dismissed'))).toBe(true);
      return c.n;
    };
    const one = await newAlerts(1);
    const many = await newAlerts(500);
    const ackOne = await cost(one, 'acknowledge');
    const ackMany = await cost(many, 'acknowledge');
    expect(ackMany).toBe(ackOne);
    // Counted for real (the check, the lock, the update, the events, the audit append), and few.
    expect(ackOne).toBeGreaterThanOrEqual(4);
    expect(ackOne).toBeLessThanOrEqual(8);
    const dismissOne = await cost(one, 'dismiss');
    const dismissMany = await cost(many, 'dismiss');
    expect(dismissMany).toBe(dismissOne);
    // Every alert still got its event and its audit record.
    const events = await t.db.db.selectFrom('alertEvent').select((eb) => eb.fn.countAll<number>().as('n')).where('alertId', 'in', many).executeTakeFirstOrThrow();
    expect(Number(events.n)).toBe(1000);
    const audited = await t.db.db.selectFrom('auditLog').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('entity', '=', 'alert').where('entityId', 'in', many).where('action', 'in', ['alert.acknowledged', 'alert.dismissed']).executeTakeFirstOrThrow();
    expect(Number(audited.n)).toBe(1000);
  });

  it('checks and locks the alerts of a link, a declaration and a reopen as a set: as many reads of alerts for 200 as for one', async () => {
    const incident = await t.services.incidents.declare(handler, { title: 'bulk link', impact: 'low', urgency: 'low', classifications: [{ class: 'test', type: 'test' }] });
    const link = async (ids: string[]) => {
      const { c, alerts } = counted();
      const out = await alerts.link(handler, ids, incident.id);
      expect(out.map((a) => a.id)).toEqual(ids);
      expect(out.every((a) => a.status === 'escalated' && a.incidentId === incident.id)).toBe(true);
      return c.alertReads;
    };
    const linkOne = await link(await newAlerts(1));
    expect(await link(await newAlerts(200))).toBe(linkOne);
    // The check and the lock, once each.
    expect(linkOne).toBe(2);
    // Escalating while declaring (from items), in the caller's transaction.
    const escalate = async (ids: string[]) => {
      const { c, alerts, db } = counted();
      const out = await db.transaction().execute((tx) => alerts.escalateIn(tx, handler, ids, incident));
      expect(out.map((a) => a.id)).toEqual(ids);
      return c.alertReads;
    };
    expect(await escalate(await newAlerts(200))).toBe(await escalate(await newAlerts(1)));
    // Every alert still got its own events, timeline entry and audit records.
    const many = await newAlerts(20);
    await link(many);
    const timeline = await t.db.db.selectFrom('incidentEvent').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('incidentId', '=', incident.id).where('kind', '=', 'alert.linked').executeTakeFirstOrThrow();
    expect(Number(timeline.n)).toBe(1 + 200 + 200 + 1 + 20);
    const audited = await t.db.db.selectFrom('auditLog').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('entity', '=', 'alert').where('entityId', 'in', many).where('action', '=', 'alert.escalated').executeTakeFirstOrThrow();
    expect(Number(audited.n)).toBe(20);
    // Reopening one alert: the same check and lock.
    const [dismissed] = await newAlerts(1);
    await t.services.alertTriage.dismiss(handler, [dismissed!], 'benign', undefined);
    const { c, alerts } = counted();
    expect((await alerts.reopen(handler, dismissed!, 'wrong call')).status).toBe('new');
    expect(c.alertReads).toBe(2);
  });

  it('refuses the whole set when one id is not visible, naming it, and changes none', async () => {
    const ids = await newAlerts(3);
    const missing = '00000000-0000-4000-8000-000000000001';
    await expect(t.services.alertTriage.acknowledge(handler, [...ids, missing])).rejects.toMatchObject({ code: 'VIG_ALERT_NOT_FOUND', detail: { id: missing } });
    const rows = await t.db.db.selectFrom('alert').select('status').where('id', 'in', ids).execute();
    expect(rows.every((r) => r.status === 'new')).toBe(true);
  });

  it('checks a set of incidents in one query, by id or reference, and hides what the scope may not see', async () => {
    const cli = systemActor('cli');
    const alpha = await t.services.constituents.create(cli, { name: 'Access Alpha' });
    const manager = await userWith(t, ['manager']);
    const author: Actor = { userId: manager.id, username: manager.username, roles: ['manager'], via: 'session', ip: null, requestId: null };
    const mk = (constituent: string | undefined, tlp: 'GREEN' | 'RED') =>
      t.services.incidents.declare(author, { title: 'x', tlp, impact: 'low', urgency: 'low', classifications: [{ class: 'test', type: 'test' }], ...(constituent ? { constituent } : {}) });
    const ours = await mk('Access Alpha', 'GREEN');
    const theirs = await mk('Someone Else', 'GREEN');
    const red = await mk('Access Alpha', 'RED');
    const scoped: Actor = { ...handler, constituentIds: [alpha.id] };
    const { c, plugin } = counter();
    const db = t.db.db.withPlugin(plugin);
    expect(await requireAccess(db, scoped, 'incident.read', [ours.id, ours.reference])).toEqual([ours.id]);
    expect(c.n).toBe(1);
    await expect(requireAccess(db, scoped, 'incident.read', [ours.id, theirs.id])).rejects.toMatchObject({ code: 'VIG_INCIDENT_NOT_FOUND', detail: { id: theirs.id } });
    // The TLP rule still holds inside the scope: a handler with no role in the RED incident does not see it.
    await expect(requireAccess(db, scoped, 'incident.read', [red.id])).rejects.toMatchObject({ code: 'VIG_INCIDENT_NOT_FOUND' });
    // Unscoped: as before.
    expect(await requireAccess(db, handler, 'incident.read', [ours.id, theirs.id])).toEqual([ours.id, theirs.id]);
    await expect(requireAccess(db, { ...handler, roles: ['reporter'] }, 'incident.read', [ours.id])).rejects.toMatchObject({ code: 'VIG_AUTHZ_FORBIDDEN' });
    // An empty scope sees nothing.
    expect((await accessRepo.visible(db, incidentScope({ ...handler, constituentIds: [] }), 'incident', [ours.id])).size).toBe(0);
  });

  it('tells notifications and pages who may read an incident in full: scope, then need to know', async () => {
    const cli = systemActor('cli');
    const desk = await t.services.constituents.create(cli, { name: 'Notify Desk' });
    const manager = await userWith(t, ['manager']);
    const author: Actor = { userId: manager.id, username: manager.username, roles: ['manager'], via: 'session', ip: null, requestId: null };
    const unscoped = await userWith(t, ['handler']);
    const inScope = await userWith(t, ['handler']);
    const elsewhere = await userWith(t, ['manager']);
    const other = await t.services.constituents.create(cli, { name: 'Notify Elsewhere' });
    await t.services.users.update(cli, inScope.id, { constituentIds: [desk.id] });
    await t.services.users.update(cli, elsewhere.id, { constituentIds: [other.id] });
    const mk = (tlp: 'GREEN' | 'RED') =>
      t.services.incidents.declare(author, { title: 'n', tlp, impact: 'low', urgency: 'low', classifications: [{ class: 'test', type: 'test' }], constituent: 'notify desk' });
    const ids = [unscoped.id, inScope.id, elsewhere.id, manager.id];
    const green = await mk('GREEN');
    expect((await accessRepo.usersWhoSee(t.db.db, green.id, ids)).sort()).toEqual([unscoped.id, inScope.id, manager.id].sort());
    const red = await mk('RED');
    expect(await accessRepo.usersWhoSee(t.db.db, red.id, ids)).toEqual([manager.id]);
  });

  it('lets a scoped member name only its own constituents on an incident', async () => {
    const desk = await t.services.constituents.create(systemActor('cli'), { name: 'Naming Desk' });
    const scoped: Actor = { ...handler, constituentIds: [desk.id] };
    const input = (constituent?: string) => ({ title: 'n', impact: 'low' as const, urgency: 'low' as const, classifications: [{ class: 'test', type: 'test' }], ...(constituent ? { constituent } : {}) });
    await expect(t.services.incidents.declare(scoped, input('Someone Else'))).rejects.toMatchObject({ code: 'VIG_REQUEST_INVALID' });
    await expect(t.services.incidents.declare(scoped, input())).rejects.toMatchObject({ code: 'VIG_REQUEST_INVALID' });
    const ours = await t.services.incidents.declare(scoped, input('naming desk'));
    await expect(t.services.incidents.update(scoped, ours.id, { version: ours.version, constituent: 'Someone Else' })).rejects.toMatchObject({ code: 'VIG_REQUEST_INVALID' });
    // Unscoped: anything, as before.
    await t.services.incidents.declare(handler, input('Someone Else'));
  });

  it('refuses to delete a constituent that team members are limited to alone', async () => {
    const cli = systemActor('cli');
    const only = await t.services.constituents.create(cli, { name: 'Only Desk' });
    const member = await userWith(t, ['viewer']);
    await t.services.users.update(cli, member.id, { constituentIds: [only.id] });
    await expect(t.services.constituents.remove(cli, only.id, only.version)).rejects.toMatchObject({ code: 'VIG_CONSTITUENT_IN_SCOPE' });
    await t.services.users.update(cli, member.id, { constituentIds: [] });
    await t.services.constituents.remove(cli, only.id, only.version);
  });
});
