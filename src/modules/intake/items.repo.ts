import { createHash } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { IntakeChannel, IntakeItemTable } from '../../db/schema.ts';

export type IntakeItemRow = Selectable<IntakeItemTable>;
/** An item without its bytes, for lists. */
export type IntakeItemInfo = Omit<IntakeItemRow, 'content'> & { size: number };

export interface NewIntakeItem {
  channel: IntakeChannel;
  sourceId?: string | null;
  receivedAt: Date;
  contentType: string;
  content: Uint8Array;
  envelope?: Record<string, unknown>;
  messageId?: string | null;
  /** Set when the channel parsed the item in the same transaction that stores it. */
  outcome?: { state: 'parsed'; parsedAt: Date } | { state: 'failed'; error: string } | undefined;
}

const INFO = [
  'id', 'channel', 'sourceId', 'receivedAt', 'contentType', 'sha256', 'envelope', 'messageId', 'state', 'error', 'attempts',
  'parsedAt', 'reportId', 'incidentId',
] as const;

export const sha256Of = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A failure reason as stored: it may quote the item's bytes, so no NUL, controls or lone surrogates, at most 2000 characters. */
// eslint-disable-next-line no-control-regex
const reasonText = (e: string) => e.toWellFormed().replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\uFFFD').slice(0, 2000);

/** Raw intake items: stored before parsing, bytes never changed (a trigger enforces it). */
export const intakeItemRepo = {
  store: (x: Executor, i: NewIntakeItem) =>
    x
      .insertInto('intakeItem')
      .values({
        channel: i.channel, sourceId: i.sourceId ?? null, receivedAt: i.receivedAt, contentType: i.contentType, content: i.content,
        sha256: sha256Of(i.content), envelope: JSON.stringify(i.envelope ?? {}), messageId: i.messageId ?? null,
        state: i.outcome?.state ?? 'pending', error: i.outcome?.state === 'failed' ? reasonText(i.outcome.error) : null,
        attempts: i.outcome ? 1 : 0, parsedAt: i.outcome?.state === 'parsed' ? i.outcome.parsedAt : null, reportId: null, incidentId: null,
      })
      .returning(INFO)
      .executeTakeFirstOrThrow(),

  byId: (x: Executor, id: string) => x.selectFrom('intakeItem').selectAll().where('id', '=', id).executeTakeFirst(),

  lock: (x: Executor, id: string) => x.selectFrom('intakeItem').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),

  info: (x: Executor, id: string) =>
    x.selectFrom('intakeItem').select([...INFO, sql<number>`octet_length(content)`.as('size')]).where('id', '=', id).executeTakeFirst(),

  markParsed: (x: Executor, id: string, at: Date, outcome: { reportId?: string | null; incidentId?: string | null }) =>
    x
      .updateTable('intakeItem')
      .set((eb) => ({ state: 'parsed', error: null, parsedAt: at, attempts: eb('attempts', '+', 1), reportId: outcome.reportId ?? null, incidentId: outcome.incidentId ?? null }))
      .where('id', '=', id)
      .execute(),

  markFailed: (x: Executor, id: string, error: string) =>
    x
      .updateTable('intakeItem')
      .set((eb) => ({ state: 'failed', error: reasonText(error), attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .execute(),

  /** Items not yet parsed (pending after a crash, or failed), oldest first. */
  unparsed: (x: Executor, f: { state?: 'pending' | 'failed' | undefined; channel?: IntakeChannel | undefined; after?: { receivedAt: Date; id: string } | undefined; limit: number }) => {
    let q = x.selectFrom('intakeItem').select([...INFO, sql<number>`octet_length(content)`.as('size')]).where('state', '<>', 'parsed');
    if (f.state) q = q.where('state', '=', f.state);
    if (f.channel) q = q.where('channel', '=', f.channel);
    if (f.after) {
      const { receivedAt, id } = f.after;
      q = q.where((eb) => eb.or([eb('receivedAt', '>', receivedAt), eb.and([eb('receivedAt', '=', receivedAt), eb('id', '>', id)])]));
    }
    return q.orderBy('receivedAt').orderBy('id').limit(f.limit).execute();
  },

  /** The item an e-mail Message-ID belongs to (threading replies). */
  byMessageIds: (x: Executor, ids: string[]) =>
    ids.length === 0
      ? Promise.resolve([])
      : x.selectFrom('intakeItem').select(['id', 'messageId', 'reportId', 'incidentId']).where('messageId', 'in', ids).execute(),
};
