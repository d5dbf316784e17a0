import type { EvidenceRow, ObservableRow } from '../../db/schema.ts';
import type { Actor } from '../../lib/actor.ts';
import { VERSION } from '../../version.ts';
import type { IncidentDetailService } from './details.service.ts';
import type { LinkService } from './links.service.ts';
import type { IncidentService } from './service.ts';
import type { TaskService } from './tasks.service.ts';

/**
 * What the export reads from the modules that hang off an incident (observables, evidence, the
 * directory's contacts), each list through the caller's own access check. They are given to it
 * (src/services.ts), not imported: those modules build on incidents. The rows carry more than
 * these fields, and all of it goes into the JSON document; the printed report reads these.
 */
export interface IncidentLists<T> {
  list(actor: Actor, incidentId: string): Promise<T[]>;
}
export type ExportedObservable = Pick<ObservableRow, 'type' | 'value' | 'ioc' | 'tlp'> & { addedAt: Date };
export type ExportedEvidence = Pick<
  EvidenceRow,
  'filename' | 'md5' | 'sha1' | 'sha256' | 'description' | 'tlp' | 'collectedBy' | 'collectedAt' | 'collectedFrom'
> & { size: number };

/**
 * An incident as one JSON document for archival: everything the caller may see of it, through the
 * same service calls (and so the same TLP and need-to-know rules) as the API's own reads.
 */
export function createIncidentExportService(d: {
  incidents: IncidentService; details: IncidentDetailService; tasks: TaskService; links: LinkService;
  observables: IncidentLists<ExportedObservable>; evidence: IncidentLists<ExportedEvidence>;
  /** External contacts holding roles in the incident (the directory), when wired. */
  contacts?: IncidentLists<object> | undefined;
}) {
  /** Everything but the timeline, each through the caller's own access check (the incident first). */
  async function parts(actor: Actor, id: string) {
    const incident = await d.incidents.get(actor, id);
    const [tasks, observables, evidence, links, lessons] = await Promise.all([
      d.tasks.list(actor, incident.id),
      d.observables.list(actor, incident.id),
      d.evidence.list(actor, incident.id),
      d.links.list(actor, incident.id),
      d.details.getLessons(actor, incident.id),
    ]);
    return { incident, tasks, observables, evidence, links, lessons };
  }

  /** The timeline page by page, oldest first, with the same visibility as GET …/timeline. */
  async function* timeline(actor: Actor, incidentId: string, pageSize: number) {
    let after: number | undefined;
    for (;;) {
      const page = await d.details.timeline(actor, incidentId, { afterId: after, limit: pageSize });
      yield* page.items;
      if (page.nextAfter === null) return;
      after = page.nextAfter;
    }
  }

  return {
    async exportJson(actor: Actor, id: string) {
      const p = await parts(actor, id);
      const contactRoles = d.contacts ? await d.contacts.list(actor, p.incident.id) : [];
      const entries = [];
      for await (const e of timeline(actor, p.incident.id, 1000)) entries.push(e);
      return {
        format: 'vigil.incident-export' as const,
        formatVersion: 1 as const,
        vigilVersion: VERSION,
        exportedAt: new Date(),
        exportedBy: actor.username,
        ...p, contactRoles, timeline: entries,
      };
    },

    /**
     * The same content for a printed report (HTML, PDF). Access is checked before this returns, so a
     * refusal comes before any output; `timeline()` then reads the entries 500 at a time as they are
     * used, afresh on each call.
     */
    async report(actor: Actor, id: string) {
      const p = await parts(actor, id);
      return { ...p, vigilVersion: VERSION, exportedAt: new Date(), exportedBy: actor.username, timeline: () => timeline(actor, p.incident.id, 500) };
    },
  };
}
export type IncidentExportService = ReturnType<typeof createIncidentExportService>;
export type IncidentReport = Awaited<ReturnType<IncidentExportService['report']>>;
