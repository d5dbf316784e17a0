import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDb, type DbHandle } from '../../db/index.ts';
import { migrateToLatest, migrateUpTo, migrationNames } from '../../db/migrate.ts';
import { stores, urlFor, type Store } from '../../../test/db.ts';

/** An empty database (no migration applied). */
async function emptyDb(store: Store): Promise<DbHandle> {
  if (store === 'pglite') return openDb({ store: 'pglite' });
  const name = `vigil_m_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: urlFor('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`).finally(() => admin.end());
  const h = await openDb({ store: 'postgres', url: urlFor(name), poolSize: 2 });
  return {
    ...h,
    async close() {
      await h.close();
      const c = new pg.Client({ connectionString: urlFor('postgres') });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => c.end());
    },
  };
}

describe.each(stores())('migration 0033_delivery on %s', (store) => {
  it('moves the three outboxes and their attempt logs into the delivery layer, pending ones still pending', async () => {
    const h = await emptyDb(store);
    try {
      const names = await migrationNames(h.db);
      await migrateUpTo(h.db, names[names.indexOf('0033_delivery') - 1]!);
      const x = h.db;
      const at = '2026-05-04T08:00:00Z';
      // A receipt given up, an update still queued (a reporter on an incident); a webhook being sent; an in-app notification; a scheduled report queued.
      await sql`INSERT INTO report (id, reference, channel, status, title, tlp, received_at, updated_at)
        VALUES ('00000000-0000-4000-8000-000000000001', 'VIG-R-2026-000001', 'email', 'new', 'Old report', 'GREEN', ${at}, ${at})`.execute(x);
      await sql`INSERT INTO mail_delivery (id, kind, report_id, event_key, public_status, recipient, subject, body, message_id, status, attempts, next_attempt_at, last_error, created_at) VALUES
        ('00000000-0000-4000-8000-0000000000a1', 'receipt', '00000000-0000-4000-8000-000000000001', 'receipt', 'received', 'a@example.org', 'Receipt', 'Body', '<a1@x>', 'failed', 1, ${at}, '550 no', ${at}),
        ('00000000-0000-4000-8000-0000000000a2', 'update', '00000000-0000-4000-8000-000000000001', '42', 'in_progress', 'a@example.org', 'Update', 'Body', '<a2@x>', 'queued', 2, ${at}, '451 later', ${at})`.execute(x);
      await sql`INSERT INTO mail_attempt (delivery_id, at, outcome, response, smtp_code) VALUES ('00000000-0000-4000-8000-0000000000a1', ${at}, 'failed', '550 no', 550)`.execute(x);
      await sql`INSERT INTO notification_delivery (id, event, dedupe_key, medium, recipient, address, subject, body, status, attempts, next_attempt_at, sent_at, created_at) VALUES
        ('00000000-0000-4000-8000-0000000000b1', 'test', 'k1', 'webhook', 'channel:x', null, 'Hook', 'B', 'sending', 1, ${at}, null, ${at}),
        ('00000000-0000-4000-8000-0000000000b2', 'test', 'k1', 'email', 'email:b@example.org', 'b@example.org', 'Mail', 'B', 'queued', 0, ${at}, null, ${at})`.execute(x);
      await sql`INSERT INTO notification_attempt (delivery_id, at, outcome, response, code) VALUES ('00000000-0000-4000-8000-0000000000b1', ${at}, 'deferred', 'HTTP 503', 503)`.execute(x);
      await sql`INSERT INTO report_schedule (id, kind, recipients, format, created_at, updated_at) VALUES ('00000000-0000-4000-8000-0000000000c0', 'monthly', '{c@example.org}', 'pdf', ${at}, ${at})`.execute(x);
      await sql`INSERT INTO report_delivery (id, schedule_id, period, recipient, status, next_attempt_at, created_at) VALUES
        ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000c0', '2026-04', 'c@example.org', 'queued', ${at}, ${at})`.execute(x);

      await migrateToLatest(x);

      const rows = await x.selectFrom('delivery').select(['id', 'kind', 'via', 'status', 'attempts', 'lastError', 'recipient']).orderBy('id').execute();
      expect(rows.map((r) => [r.id.slice(-2), r.kind, r.via, r.status, r.attempts, r.lastError, r.recipient])).toEqual([
        ['a1', 'reporter_mail', 'smtp', 'failed', 1, '550 no', 'a@example.org'],
        ['a2', 'reporter_mail', 'smtp', 'queued', 2, '451 later', 'a@example.org'],
        ['b1', 'notification', 'http', 'sending', 1, null, 'channel:x'],
        ['b2', 'notification', 'smtp', 'queued', 0, null, 'b@example.org'],
        ['c1', 'kpi_report', 'smtp', 'queued', 0, null, 'c@example.org'],
      ]);
      const attempts = await x.selectFrom('deliveryAttempt').select(['deliveryId', 'outcome', 'code']).orderBy('id').execute();
      expect(attempts.map((a) => [a.deliveryId.slice(-2), a.outcome, a.code])).toEqual([['a1', 'failed', 550], ['b1', 'deferred', 503]]);
      // The kinds' own tables keep their message; the old attempt tables are gone.
      expect((await x.selectFrom('mailDelivery').select(['id', 'messageId']).orderBy('id').execute()).map((r) => r.messageId)).toEqual(['<a1@x>', '<a2@x>']);
      const left = await sql<{ n: string }>`select count(*) as n from information_schema.tables where table_name in ('mail_attempt','notification_attempt','report_delivery_attempt')`.execute(x);
      expect(Number(left.rows[0]!.n)).toBe(0);
      // A kind's row without a delivery cannot be written any more.
      await expect(sql`INSERT INTO report_delivery (id, schedule_id, period, recipient, created_at) VALUES (gen_random_uuid(), '00000000-0000-4000-8000-0000000000c0', '2026-05', 'c@example.org', ${at})`.execute(x)).rejects.toThrow(/foreign key/);
    } finally {
      await h.close();
    }
  });
});
