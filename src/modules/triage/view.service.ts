import { readFile } from 'node:fs/promises';
import type { Db, Executor } from '../../db/index.ts';
import type { Tlp } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { incidentScope } from '../../lib/authz/incidents.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import { priorityOf } from '../incidents/index.ts';
import {
  abuseReportKind, abuseReportsIn, correlatedIncidents, routingQueries, SAME_TYPE_WINDOW_MS, suggestFromText, uniqueObservables, withAbuseReports,
  withConstituents, xarfReportsInText, type AbuseReport, type RoutedConstituent, type Suggestion,
} from '../intake/index.ts';
import { extractObservables, type ObservableService } from '../observables/index.ts';
import { reportDecisions, type ReportRow, type ReportService } from '../reports/index.ts';
import type { SettingsService } from '../settings/index.ts';

/** Attachments read for observables: text-like, kept apart from their message, and not huge. */
const TEXT_TYPES = /^(text\/|application\/(json|xml|csv|x-ndjson)|message\/(rfc822|feedback-report))/i;
const TEXT_NAMES = /\.(txt|log|csv|tsv|json|ndjson|xml|eml|ioc|md)$/i;
const TEXT_MAX_BYTES = 2 * 1024 * 1024;

/**
 * What a duty officer sees beside a report: the observables in its text, the open incidents it
 * may belong to (shared observables, same constituent, same suggested RSIT type lately), and the
 * suggested classification and priority. Everything is computed on read from what is stored.
 */
export function createTriageViewService(d: {
  db: Db; clock: Clock; settings: SettingsService; reports: ReportService; blobPath: (sha256: string) => string;
  /** Links observables to an incident in the caller's transaction (reports linked to it carry theirs). */
  observables: Pick<ObservableService, 'linkIn'>;
  /** Routes values to constituents (the in-memory index). */
  constituents: { routeAll(q: ReturnType<typeof routingQueries>): Promise<RoutedConstituent[]> };
}) {
  /**
   * The text of a report's text-like attachments (never archives, never over the size cap), and
   * the ARF and X-ARF abuse reports among them.
   */
  async function attachmentText(list: { sha256: string | null; stored: boolean; size: string | number; contentType: string; filename: string; flags: string[] }[]) {
    const parts: string[] = [];
    const reports: AbuseReport[] = [];
    for (const a of list) {
      if (!a.stored || !a.sha256 || Number(a.size) > TEXT_MAX_BYTES || a.flags.includes('archive')) continue;
      if (!TEXT_TYPES.test(a.contentType) && !TEXT_NAMES.test(a.filename)) continue;
      try {
        const text = (await readFile(d.blobPath(a.sha256))).toString('utf8');
        parts.push(text);
        const kind = abuseReportKind(a.contentType, a.filename);
        if (kind) reports.push(...abuseReportsIn(kind, text));
      } catch {
        /* a blob missing from the store: nothing to read, the report still shows */
      }
    }
    return { text: parts.join('\n'), reports };
  }

  /**
   * A report's text (title, body, replies and repeats, text-like attachments) and the observables
   * in it, less the reporter's own address.
   */
  async function reportObservables(x: Executor, row: ReportRow) {
    const [messages, attachments] = await Promise.all([reportDecisions.messages(x, row.id), reportDecisions.attachments(x, row.id)]);
    const files = await attachmentText(attachments);
    const text = [row.title, row.body, ...messages.map((m) => `${m.subject ?? ''}\n${m.body}`), files.text].join('\n');
    // ARF and X-ARF reports (a part, or the body itself) are read natively: their typed fields first, then the words.
    const abuseReports = [...xarfReportsInText(row.body), ...files.reports].slice(0, 20);
    // The reporting parties (the mail's sender, an X-ARF report's reporter and sender) are who told us, not indicators.
    const ignore = [row.reporterEmail, ...abuseReports.flatMap((r) => r.parties)];
    const observables = uniqueObservables([...abuseReports.flatMap((r) => r.observables), ...extractObservables(text, { ignore })]).slice(0, 200);
    return { messages, attachments, text, observables, abuseReports };
  }

  return {
    /**
     * Carries the observables of reports just linked to an incident onto it (deduplicated: a value
     * already on the incident is not added again), in the linking transaction.
     */
    async carryOnto(tx: Executor, actor: Actor, rows: ReportRow[], incident: { id: string; tlp: Tlp }) {
      for (const row of rows) {
        const { observables } = await reportObservables(tx, row);
        if (observables.length) await d.observables.linkIn(tx, actor, incident, observables.map((o) => ({ type: o.type, value: o.value, tlp: row.tlp })));
      }
    },

    async priorityOf(s: Suggestion) {
      const team = await d.settings.current(d.db);
      return priorityOf(team.priorityMatrix, s.impact, s.urgency);
    },

    async forReport(actor: Actor, id: string) {
      authorize(actor, 'report.read');
      const scope = await d.reports.scope(actor);
      if (scope.kind !== 'team') throw new VigilError('VIG_AUTHZ_FORBIDDEN', { permission: 'report.read' });
      const row = await reportDecisions.findVisible(d.db, scope, id);
      if (!row) throw new VigilError('VIG_REPORT_NOT_FOUND', { id });
      const { messages, attachments, text, observables, abuseReports } = await reportObservables(d.db, row);
      // The constituents routed from the reporter's address and the observables; their criticality raises the impact.
      const suggestions = withConstituents(withAbuseReports(suggestFromText(text), abuseReports), await d.constituents.routeAll(routingQueries(row.reporterEmail, observables)));
      const primary = suggestions.classifications[0] ?? null;
      const correlation = await correlatedIncidents(d.db, incidentScope(actor), {
        // Without an organisation on the report, the first routed constituent counts as its organisation here.
        observables, classification: primary ? { class: primary.class, type: primary.type } : null, organisation: row.organisation ?? suggestions.constituents[0]?.constituent.name ?? null,
        since: new Date(row.receivedAt.getTime() - SAME_TYPE_WINDOW_MS),
      });
      return {
        observables,
        abuseReports,
        correlation,
        suggestions: { ...suggestions, priority: await this.priorityOf(suggestions) },
        messages,
        attachments: attachments.map((a) => ({ ...a, size: Number(a.size) })),
      };
    },
  };
}
export type TriageViewService = ReturnType<typeof createTriageViewService>;
