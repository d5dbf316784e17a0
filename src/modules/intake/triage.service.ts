import { readFile } from 'node:fs/promises';
import type { Db } from '../../db/index.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { incidentScope } from '../../lib/authz/incidents.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import { priorityOf } from '../incidents/priority.ts';
import { extractObservables } from '../observables/extract.ts';
import { reportRepo } from '../reports/repo.ts';
import type { ReportService } from '../reports/service.ts';
import type { SettingsService } from '../settings/service.ts';
import { correlationRepo } from './correlation.repo.ts';
import { routingQueries, suggestFromText, withConstituents, type RoutedConstituent, type Suggestion } from './suggest.ts';

/** Attachments read for observables: text-like, kept apart from their message, and not huge. */
const TEXT_TYPES = /^(text\/|application\/(json|xml|csv|x-ndjson)|message\/rfc822)/i;
const TEXT_NAMES = /\.(txt|log|csv|tsv|json|ndjson|xml|eml|ioc|md)$/i;
const TEXT_MAX_BYTES = 2 * 1024 * 1024;

/** How far back an incident of the same RSIT type counts as related. */
export const SAME_TYPE_WINDOW_MS = 7 * 86_400_000;

/**
 * What a duty officer sees beside a report: the observables in its text, the open incidents it
 * may belong to (shared observables, same constituent, same suggested RSIT type lately), and the
 * suggested classification and priority. Everything is computed on read from what is stored.
 */
export function createTriageService(d: {
  db: Db; clock: Clock; settings: SettingsService; reports: ReportService; blobPath: (sha256: string) => string;
  /** Routes values to constituents (the in-memory index). */
  constituents: { routeAll(q: ReturnType<typeof routingQueries>): Promise<RoutedConstituent[]> };
}) {
  /** The text of a report's text-like attachments (never archives, never over the size cap). */
  async function attachmentText(list: { sha256: string | null; stored: boolean; size: string | number; contentType: string; filename: string; flags: string[] }[]) {
    const parts: string[] = [];
    for (const a of list) {
      if (!a.stored || !a.sha256 || Number(a.size) > TEXT_MAX_BYTES || a.flags.includes('archive')) continue;
      if (!TEXT_TYPES.test(a.contentType) && !TEXT_NAMES.test(a.filename)) continue;
      try {
        parts.push((await readFile(d.blobPath(a.sha256))).toString('utf8'));
      } catch {
        /* a blob missing from the store: nothing to read, the report still shows */
      }
    }
    return parts.join('\n');
  }

  return {
    async priorityOf(s: Suggestion) {
      const team = await d.settings.current(d.db);
      return priorityOf(team.priorityMatrix, s.impact, s.urgency);
    },

    async forReport(actor: Actor, id: string) {
      authorize(actor, 'report.read');
      const scope = await d.reports.scope(actor);
      if (scope.kind !== 'team') throw new VigilError('VIG_AUTHZ_FORBIDDEN', { permission: 'report.read' });
      const row = await reportRepo.findVisible(d.db, scope, id);
      if (!row) throw new VigilError('VIG_REPORT_NOT_FOUND', { id });
      const [messages, attachments] = await Promise.all([reportRepo.messages(d.db, row.id), reportRepo.attachments(d.db, row.id)]);
      const text = [row.title, row.body, ...messages.map((m) => `${m.subject ?? ''}\n${m.body}`), await attachmentText(attachments)].join('\n');
      const observables = extractObservables(text).slice(0, 200);
      // The constituents routed from the reporter's address and the observables; their criticality raises the impact.
      const suggestions = withConstituents(suggestFromText(text), await d.constituents.routeAll(routingQueries(row.reporterEmail, observables)));
      const primary = suggestions.classifications[0] ?? null;
      const correlation = await correlationRepo.forItem(d.db, incidentScope(actor), {
        // Without an organisation on the report, the first routed constituent counts as its organisation here.
        observables, classification: primary ? { class: primary.class, type: primary.type } : null, organisation: row.organisation ?? suggestions.constituents[0]?.constituent.name ?? null,
        since: new Date(row.receivedAt.getTime() - SAME_TYPE_WINDOW_MS),
      });
      return {
        observables,
        correlation,
        suggestions: { ...suggestions, priority: await this.priorityOf(suggestions) },
        messages,
        attachments: attachments.map((a) => ({ ...a, size: Number(a.size) })),
      };
    },
  };
}
export type TriageService = ReturnType<typeof createTriageService>;
