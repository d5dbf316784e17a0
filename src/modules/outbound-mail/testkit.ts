// Shared set-up of the outgoing mail tests: a Vigil whose relay is a real local SMTP sink, a
// test clock, and a worker driven round by round.
import type { Actor, Clock } from '../../lib/actor.ts';
import { systemActor } from '../../lib/actor.ts';
import { makeApp, testClock, type TestApp } from '../../../test/app.ts';
import type { Store } from '../../../test/db.ts';
import { startSmtpSink, type SinkMessage, type SmtpSink } from '../../../test/smtp-sink.ts';
import { channelActor } from '../intake/items.service.ts';
import type { ReceiveInput } from '../reports/service.ts';
import { deliveryWorker, drainQueued } from '../delivery/testkit.ts';
import type { DeliveryWorker, DeliveryWorkerOptions } from '../delivery/index.ts';

/** The kinds of reporter mail: the messages, and the updates an incident event queues. */
export const MAIL_KINDS = ['reporter_mail', 'reporter_mail.incident_event'];

export const MAIL_FROM = 'CERT Test <cert@cert.test>';
export const silentLog = { info() {}, warn() {}, error() {} };

export interface MailTest {
  t: TestApp;
  sink: SmtpSink;
  clock: Clock & { advance(ms: number): void };
  /**
   * A delivery worker over reporter mail on the sink, whose rounds first do the queued work (receipts
   * and updates are written then, as the server's worker does right after the report or event
   * commits); more, plain ones can be made with `newWorker()`.
   */
  worker: DeliveryWorker;
  newWorker(over?: Partial<DeliveryWorkerOptions>): DeliveryWorker;
  /** Does the work incident events queued (reporter updates are made then). */
  drain(): Promise<number>;
  /** Messages the sink got for this address. */
  to(address: string): SinkMessage[];
  /** A report made the way an intake channel makes one (receiveIn in the caller's transaction), its receipt written. */
  receive(input: Partial<ReceiveInput> & { reporterEmail: string | null }): Promise<{ id: string; reference: string }>;
  /** An account with the reporter role, its e-mail address and organisation. */
  reporter(email: string, organisation?: string): Promise<Actor>;
  close(): Promise<void>;
}

let seq = 0;

export async function mailTest(store: Store): Promise<MailTest> {
  const sink = await startSmtpSink();
  const clock = testClock(new Date('2026-05-04T08:00:00.000Z'));
  const t = await makeApp(store, { VIGIL_SMTP_RELAY_URL: sink.url, VIGIL_MAIL_FROM: MAIL_FROM, VIGIL_SMTP_ACCEPT: 'reports@cert.test' }, clock);
  const workers: DeliveryWorker[] = [];
  const newWorker = (over: Partial<DeliveryWorkerOptions> = {}) => {
    const w = deliveryWorker(t, clock, { relayUrl: sink.url, kinds: MAIL_KINDS, ...over });
    workers.push(w);
    return w;
  };
  return {
    t, sink, clock, newWorker,
    worker: ((w) => ({ ...w, runOnce: async () => (await drainQueued(t, clock), w.runOnce()) }))(newWorker()),
    drain: () => drainQueued(t, clock),
    to: (address) => sink.messages.filter((m) => m.to.includes(address)),
    async receive(input) {
      const r = await t.db.db.transaction().execute((tx) =>
        t.services.reports.receiveIn(tx, channelActor('smtp'), { channel: 'email', title: 'Report by mail', body: 'Something happened', ...input }),
      );
      // The receipt is queued as facts with the report; the delivery worker writes it right after.
      await drainQueued(t, clock);
      return { id: r.report.id, reference: r.report.reference };
    },
    async reporter(email, organisation = 'ACME') {
      const username = `rep${++seq}-${Date.now().toString(36)}`;
      const { user } = await t.services.users.create(systemActor('cli'), { username, displayName: `Reporter ${seq}`, email, organisation, roles: ['reporter'], password: 'Correct-Horse-Battery-9' });
      return { userId: user.id, username, roles: ['reporter'], via: 'session', ip: null, requestId: null };
    },
    async close() {
      for (const w of workers) await w.stop();
      await t.close();
      await sink.close();
    },
  };
}
