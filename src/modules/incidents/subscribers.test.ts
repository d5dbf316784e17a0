import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, userWith, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import type { Actor } from '../../lib/actor.ts';
import type { IncidentEventRow } from '../../db/schema.ts';
import { createIncidentEventSubscribers, SUBSCRIBER_ORDER } from './subscribers.ts';

describe('incident event subscribers', () => {
  it('run in a fixed order: SLA projection, reporter updates, notifications, escalation', () => {
    // Why this order: src/modules/incidents/subscribers.ts. Changing it changes what the timeline
    // records first (an SLA breach of a clock met late comes right after the event that met it)
    // and what escalation reads (the clocks the projection has just written).
    expect(SUBSCRIBER_ORDER).toEqual(['slaProjection', 'reporterUpdates', 'notifications', 'escalation']);
  });

  it('dispatches each event to every subscriber in that order, one after the other', async () => {
    const list = createIncidentEventSubscribers();
    const seen: string[] = [];
    const sub = (name: string) => async (_tx: unknown, e: IncidentEventRow) => {
      seen.push(`${name}:start:${e.kind}`);
      await new Promise((r) => setTimeout(r, 5 - seen.length % 3));
      seen.push(`${name}:end:${e.kind}`);
    };
    list.bind({ escalation: sub('escalation'), notifications: sub('notifications'), slaProjection: sub('slaProjection'), reporterUpdates: sub('reporterUpdates') });
    const event = { id: 1, incidentId: 'x', kind: 'incident.status_changed', data: {} } as unknown as IncidentEventRow;
    await list.dispatch({ isTransaction: false } as never, event);
    expect(seen).toEqual(SUBSCRIBER_ORDER.flatMap((n) => [`${n}:start:incident.status_changed`, `${n}:end:incident.status_changed`]));
    expect(() => list.bind({} as never)).toThrow();
  });
});

describe.each(stores())('incident event subscribers on %s', (store) => {
  let t: TestApp;
  let handler: Actor;
  beforeAll(async () => {
    t = await makeApp(store);
    await userWith(t, ['manager']);
    const u = await userWith(t, ['handler']);
    handler = { userId: u.id, username: u.username, roles: ['handler'], via: 'session', ip: null, requestId: null };
  });
  afterAll(() => t?.close());

  it('the wired list runs them in that order in the event transaction (what each writes comes in order)', async () => {
    // A P1/P2 declaration: the SLA projection writes its clocks, then escalation starts a run and
    // records its events, all in the declaring transaction.
    const v = await t.services.incidents.declare(handler, {
      title: 'Ransomware at the hospital', impact: 'high', urgency: 'high', classifications: [{ class: 'information-gathering', type: 'scanner' }],
    });
    const events = await t.db.db.selectFrom('incidentEvent').select(['id', 'kind']).where('incidentId', '=', v.id).orderBy('id').execute();
    expect(events[0]!.kind).toBe('incident.declared');
    expect(events.slice(1).map((e) => e.kind)).toEqual(expect.arrayContaining(['escalation.started']));
    // The SLA projection ran before escalation: the clocks exist, written before the run started.
    const clocks = await t.db.db.selectFrom('slaClock').select(['metric']).where('incidentId', '=', v.id).execute();
    expect(clocks.length).toBeGreaterThan(0);
    const run = await t.db.db.selectFrom('escalationRun').select(['state']).where('incidentId', '=', v.id).executeTakeFirstOrThrow();
    expect(run.state).toBe('active');
  });

  it('escalation handles a declaration numbered at commit in its slot: before the numbering, its pages queued by incident id', async () => {
    // The reference counter is taken as the transaction's last statement but the audit append:
    // escalation's work (its run, its events, its queued pages) is done before, in the declaration's
    // own statements, not under the counter's lock. Escalation used to run after the numbering,
    // because its pages named the reference; they are now rendered by the delivery worker.
    const seen = await t.db.db.transaction().execute(async (tx) => {
      const v = await t.services.incidents.declareIn(tx, handler, {
        title: 'Wiper at the port authority', impact: 'critical', urgency: 'critical', classifications: [{ class: 'information-gathering', type: 'scanner' }],
      }, { referenceAtCommit: true });
      const inc = await tx.selectFrom('incident').select('reference').where('id', '=', v.id).executeTakeFirstOrThrow();
      const run = await tx.selectFrom('escalationRun').select(['id', 'state']).where('incidentId', '=', v.id).executeTakeFirst();
      const pages = run ? await tx.selectFrom('delivery').select(['kind', 'payload']).where('dedupeKey', 'like', `escalation:${run.id}:%`).execute() : [];
      return { provisional: inc.reference, run, pages, v };
    });
    expect(seen.provisional.startsWith('~')).toBe(true);
    expect(seen.run?.state).toBe('active');
    expect(seen.pages.length).toBeGreaterThan(0);
    for (const p of seen.pages) {
      expect(p.kind).toBe('notification.page');
      expect(JSON.stringify(p.payload)).not.toContain(seen.provisional);
    }
    expect(seen.v.reference).toMatch(/^[A-Z]+-\d{4}-\d{5}$/);
  });
});
