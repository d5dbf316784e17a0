import type { Actor } from '../../lib/actor.ts';
import { VERSION } from '../../version.ts';
import type { EvidenceService } from '../evidence/service.ts';
import type { ObservableService } from '../observables/service.ts';
import type { IncidentDetailService } from './details.service.ts';
import type { LinkService } from './links.service.ts';
import type { IncidentService } from './service.ts';
import type { TaskService } from './tasks.service.ts';

/**
 * An incident as one JSON document for archival: everything the caller may see of it, through the
 * same service calls (and so the same TLP and need-to-know rules) as the API's own reads.
 */
export function createIncidentExportService(d: {
  incidents: IncidentService; details: IncidentDetailService; tasks: TaskService; links: LinkService;
  observables: ObservableService; evidence: EvidenceService;
}) {
  return {
    async exportJson(actor: Actor, id: string) {
      const incident = await d.incidents.get(actor, id);
      const timeline = [];
      let after: number | undefined;
      for (;;) {
        const page = await d.details.timeline(actor, incident.id, { afterId: after, limit: 1000 });
        timeline.push(...page.items);
        if (page.nextAfter === null) break;
        after = page.nextAfter;
      }
      const [tasks, observables, evidence, links, lessons] = await Promise.all([
        d.tasks.list(actor, incident.id),
        d.observables.list(actor, incident.id),
        d.evidence.list(actor, incident.id),
        d.links.list(actor, incident.id),
        d.details.getLessons(actor, incident.id),
      ]);
      return {
        format: 'vigil.incident-export' as const,
        formatVersion: 1 as const,
        vigilVersion: VERSION,
        exportedAt: new Date(),
        exportedBy: actor.username,
        incident, tasks, observables, evidence, links, lessons, timeline,
      };
    },
  };
}
export type IncidentExportService = ReturnType<typeof createIncidentExportService>;
