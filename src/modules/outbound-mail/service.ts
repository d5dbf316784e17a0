import type { Db, Executor } from '../../db/index.ts';
import type { MailKind, MailStatus } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { decodeCursor, keysetPage } from '../../lib/cursor.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import { currentTemplates } from './outbox.ts';
import { mailRepo } from './repo.ts';
import { DEFAULT_TEMPLATES, templateIssues, VARIABLES, type Template } from './templates.ts';

/** A change of templates: a new template per kind, or null to go back to the default. */
export type TemplatesInput = Partial<Record<MailKind, Template | null>>;

const KINDS: MailKind[] = ['receipt', 'update'];

/** What admins manage of outgoing mail: the templates, and the delivery log with a retry. */
export function createMailService(d: { db: Db; audit: AuditService; clock: Clock; relayConfigured: boolean }) {
  const templatesView = async (x: Executor = d.db) => ({
    templates: await currentTemplates(x),
    defaults: DEFAULT_TEMPLATES,
    variables: [...VARIABLES],
  });

  return {
    async templates(actor: Actor) {
      authorize(actor, 'settings.read');
      return templatesView();
    },

    async setTemplates(actor: Actor, input: TemplatesInput) {
      authorize(actor, 'settings.update');
      const issues = KINDS.flatMap((k) => (input[k] ? templateIssues(input[k], `body.${k}`) : []));
      if (issues.length) throw new VigilError('VIG_MAIL_TEMPLATE_INVALID', { errors: issues });
      return d.db.transaction().execute(async (tx) => {
        await mailRepo.lockTemplates(tx);
        const before = await currentTemplates(tx);
        const now = d.clock.now();
        for (const kind of KINDS) {
          const t = input[kind];
          if (t === undefined) continue;
          if (t === null) await mailRepo.resetTemplate(tx, kind);
          else await mailRepo.putTemplate(tx, { kind, subject: t.subject, body: t.body, updatedBy: actor.userId, updatedAt: now });
        }
        const after = await currentTemplates(tx);
        const changed = KINDS.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
        if (changed.length) {
          await d.audit.record(tx, actor, {
            action: 'mail.templates_updated', entity: 'mail_template', entityId: changed.join(','),
            before: Object.fromEntries(changed.map((k) => [k, before[k]])), after: Object.fromEntries(changed.map((k) => [k, after[k]])),
          });
        }
        return templatesView(tx);
      });
    },

    async deliveries(actor: Actor, f: { status?: MailStatus[] | undefined; limit: number; cursor?: string | undefined }) {
      authorize(actor, 'mail.read');
      const after = f.cursor ? toAfter(decodeCursor(f.cursor, 'mail', ['date', 'uuid'])) : undefined;
      const rows = await mailRepo.list(d.db, { status: f.status, after, limit: f.limit + 1 });
      const { page, nextCursor } = keysetPage(rows, f.limit, 'mail', (r) => [r.createdAt, r.id]);
      return {
        items: page,
        nextCursor,
        relayConfigured: d.relayConfigured,
      };
    },

    async delivery(actor: Actor, id: string) {
      authorize(actor, 'mail.read');
      const row = await mailRepo.findById(d.db, id);
      if (!row) throw new VigilError('VIG_MAIL_DELIVERY_NOT_FOUND', { id });
      return { ...row, attemptLog: await mailRepo.attempts(d.db, id) };
    },

    /** Sends a queued or failed delivery at the next chance, with a fresh budget of attempts. */
    async retry(actor: Actor, id: string) {
      authorize(actor, 'settings.update');
      return d.db.transaction().execute(async (tx) => {
        const row = await mailRepo.lockById(tx, id);
        if (!row) throw new VigilError('VIG_MAIL_DELIVERY_NOT_FOUND', { id });
        if (row.status === 'sent' || row.status === 'sending') throw new VigilError('VIG_MAIL_DELIVERY_NOT_RETRYABLE', { id, deliveryStatus: row.status });
        await mailRepo.requeue(tx, id, d.clock.now());
        await d.audit.record(tx, actor, {
          action: 'mail.retried', entity: 'mail_delivery', entityId: id,
          before: { status: row.status, attempts: row.attempts, lastError: row.lastError }, after: { status: 'queued', recipient: row.recipient },
        });
        const after = (await mailRepo.findById(tx, id))!;
        return { ...after, attemptLog: await mailRepo.attempts(tx, id) };
      });
    },
  };
}
export type MailService = ReturnType<typeof createMailService>;

const toAfter = ([createdAt, id]: (string | Date)[]) => ({ createdAt: createdAt as Date, id: id as string });
