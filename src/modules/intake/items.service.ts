import type { Db, Executor } from '../../db/index.ts';
import type { IntakeChannel } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { decodeCursor, keysetPage } from '../../lib/cursor.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import type { ReceiveInput, ReportService } from '../reports/index.ts';
import { intakeItemRepo, type IntakeItemRow, type NewIntakeItem } from './items.repo.ts';

/** What parsing made of an item. */
export interface ParseOutcome {
  reportId?: string | null;
  incidentId?: string | null;
}

/**
 * Turns a stored item into what it means (a report, a reply, alerts), inside the transaction that
 * marks it parsed. Throwing leaves the item 'failed' with the error's message as the reason.
 */
export type IntakeParser = (tx: Executor, item: IntakeItemRow) => Promise<ParseOutcome>;

/** The actor a channel acts as: no account, no roles; named in the audit trail. */
export const channelActor = (name: string, ip: string | null = null): Actor => ({ userId: null, username: name, roles: [], via: 'system', ip, requestId: null });

/**
 * Raw-first intake. A channel calls `store` and acknowledges the sender only after it returns (the
 * bytes are committed); then `parse` runs the channel's parser. A parse that fails keeps the item
 * as 'failed' with the reason, for a handler to re-run (after fixing a mapping, say) or to turn into
 * a report by hand. Items left 'pending' by a crash are parsed again by `resume`.
 */
export function createIntakeItemService(d: { db: Db; audit: AuditService; clock: Clock; reports: ReportService }) {
  const parsers = new Map<IntakeChannel | string, IntakeParser>();
  const parserKey = (item: Pick<IntakeItemRow, 'channel' | 'envelope'>) => String((item.envelope as { parser?: string }).parser ?? item.channel);

  async function parse(id: string): Promise<{ state: 'parsed' | 'failed'; error: string | null; outcome: ParseOutcome }> {
    try {
      return await d.db.transaction().execute(async (tx) => {
        const item = await intakeItemRepo.lock(tx, id);
        if (!item) throw new VigilError('VIG_INTAKE_ITEM_NOT_FOUND', { id });
        if (item.state === 'parsed') return { state: 'parsed' as const, error: null, outcome: { reportId: item.reportId, incidentId: item.incidentId } };
        const parser = parsers.get(parserKey(item));
        if (!parser) throw new Error(`no parser for ${parserKey(item)} items`);
        const outcome = await parser(tx, item);
        await intakeItemRepo.markParsed(tx, id, d.clock.now(), outcome);
        return { state: 'parsed' as const, error: null, outcome };
      });
    } catch (e) {
      if (e instanceof VigilError && e.code === 'VIG_INTAKE_ITEM_NOT_FOUND') throw e;
      const error = reasonOf(e);
      await intakeItemRepo.markFailed(d.db, id, error);
      return { state: 'failed', error, outcome: {} };
    }
  }

  return {
    /** Registers how items of a channel (or of `envelope.parser`) are parsed. */
    register(key: IntakeChannel | string, parser: IntakeParser) {
      parsers.set(key, parser);
    },

    /** Stores an item durably; the caller acknowledges its sender once this resolves. */
    store: (item: NewIntakeItem, x: Executor = d.db) => intakeItemRepo.store(x, item),

    parse,

    /** Parses items a crash left pending (all of them, oldest first); returns how many it handled. */
    async resume(limit = Number.POSITIVE_INFINITY): Promise<number> {
      let n = 0;
      let after: { receivedAt: Date; id: string } | undefined;
      while (n < limit) {
        const rows = await intakeItemRepo.unparsed(d.db, { state: 'pending', after, limit: 200 });
        if (rows.length === 0) break;
        for (const r of rows) {
          await parse(r.id);
          n++;
        }
        const last = rows[rows.length - 1]!;
        after = { receivedAt: last.receivedAt, id: last.id };
      }
      return n;
    },

    /** The unparsed queue: items waiting or failed, oldest first. */
    async listUnparsed(actor: Actor, f: { state?: 'pending' | 'failed' | undefined; channel?: IntakeChannel | undefined; limit: number; cursor?: string | undefined }) {
      authorize(actor, 'report.triage');
      const after = f.cursor ? toAfter(decodeCursor(f.cursor, 'intake', ['date', 'uuid'])) : undefined;
      const rows = await intakeItemRepo.unparsed(d.db, { ...f, after, limit: f.limit + 1 });
      const { page, nextCursor } = keysetPage(rows, f.limit, 'intake', (r) => [r.receivedAt, r.id]);
      return { items: page, nextCursor };
    },

    async get(actor: Actor, id: string) {
      authorize(actor, 'report.triage');
      const item = await intakeItemRepo.info(d.db, id);
      if (!item) throw new VigilError('VIG_INTAKE_ITEM_NOT_FOUND', { id });
      return item;
    },

    /** The bytes that arrived, unchanged; reading them is audited. */
    async raw(actor: Actor, id: string) {
      authorize(actor, 'report.triage');
      const item = await intakeItemRepo.byId(d.db, id);
      if (!item) throw new VigilError('VIG_INTAKE_ITEM_NOT_FOUND', { id });
      await d.audit.record(d.db, actor, { action: 'intake.raw_read', entity: 'intake_item', entityId: id, after: { sha256: item.sha256 } });
      return item;
    },

    /** Runs the channel's parser again (after its mapping or the parser was fixed). */
    async rerun(actor: Actor, id: string) {
      authorize(actor, 'report.triage');
      const item = await intakeItemRepo.info(d.db, id);
      if (!item) throw new VigilError('VIG_INTAKE_ITEM_NOT_FOUND', { id });
      if (item.state === 'parsed') throw new VigilError('VIG_INTAKE_ITEM_PARSED', { id, reportId: item.reportId });
      const r = await parse(id);
      await d.audit.record(d.db, actor, { action: 'intake.rerun', entity: 'intake_item', entityId: id, after: { state: r.state, error: r.error } });
      return { ...(await intakeItemRepo.info(d.db, id))! };
    },

    /** A handler reads an item no parser understands and makes the report by hand; the item keeps its bytes. */
    async resolveByHand(actor: Actor, id: string, input: Omit<ReceiveInput, 'intakeItemId' | 'raw' | 'fingerprint' | 'dedupWindowSeconds'>) {
      authorize(actor, 'report.triage');
      return d.db.transaction().execute(async (tx) => {
        const item = await intakeItemRepo.lock(tx, id);
        if (!item) throw new VigilError('VIG_INTAKE_ITEM_NOT_FOUND', { id });
        if (item.state === 'parsed') throw new VigilError('VIG_INTAKE_ITEM_PARSED', { id, reportId: item.reportId });
        const r = await d.reports.receiveIn(tx, actor, { ...input, receivedAt: item.receivedAt, intakeItemId: item.id });
        await intakeItemRepo.markParsed(tx, id, d.clock.now(), { reportId: r.report.id });
        await d.audit.record(tx, actor, { action: 'intake.resolved_by_hand', entity: 'intake_item', entityId: id, after: { report: r.report.reference } });
        return r.report;
      });
    },
  };
}
export type IntakeItemService = ReturnType<typeof createIntakeItemService>;

/** Why a parse failed, in words a handler can act on: a Vigil error's code and details too. */
function reasonOf(e: unknown): string {
  if (e instanceof VigilError) {
    const detail = Object.keys(e.detail).length ? ` ${JSON.stringify(e.detail).slice(0, 1000)}` : '';
    return `${e.code}: ${e.message}${detail}`;
  }
  return e instanceof Error ? e.message : String(e);
}

const toAfter = ([receivedAt, id]: (string | Date)[]) => ({ receivedAt: receivedAt as Date, id: id as string });
