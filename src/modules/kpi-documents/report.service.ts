// What a KPI report holds: the period's KPIs and statistics (from the KPI service, so they are the
// figures the KPI page shows, over what the caller may see), the notable incidents and the team's
// activities at or below the report's TLP.
import type { Db } from '../../db/index.ts';
import type { ReportKind, Tlp } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { incidentScope } from '../../lib/authz/incidents.ts';
import { atOrBelow, TLP_ORDER } from '../../lib/tlp.ts';
import type { ActivityRow, KpiService, MonthlyKpis, PeriodKpis } from '../kpi/index.ts';
import type { SettingsService } from '../settings/index.ts';
import { kpiReportRepo, type NotableIncident } from './repo.ts';

export const TLPS: Tlp[] = [...TLP_ORDER];
/** The monthly report is always GREEN: it goes round the team and its management. */
export const MONTHLY_TLP: Tlp = 'GREEN';

export { atOrBelow };

export interface TrendPoint { month: string; total: number; byPriority: Record<string, number> }

export interface ReportData {
  kind: ReportKind;
  /** '2026-10' or '2026'. */
  label: string;
  teamName: string;
  tlp: Tlp;
  generatedAt: Date;
  generatedBy: string;
  kpis: PeriodKpis;
  /** Monthly: the month before's KPI values. */
  previous: MonthlyKpis['previous'] | null;
  /** Incidents declared per month by priority: the twelve months up to the month, or the year's months. */
  trend: TrendPoint[];
  /** Annual: each month's figures. */
  months: PeriodKpis[] | null;
  notable: NotableIncident[];
  /** The period's activities at or below the report's TLP. */
  activities: ActivityRow[];
}

export function createKpiReportService(d: { db: Db; clock: Clock; kpi: KpiService; settings: SettingsService }) {
  async function finish(actor: Actor, kind: ReportKind, tlp: Tlp, k: PeriodKpis, rest: Pick<ReportData, 'previous' | 'trend' | 'months'>): Promise<ReportData> {
    const allowed = atOrBelow(tlp);
    // kpi.monthly/annual authorized kpi.read; the incidents named need incident.read and the TLP / need-to-know rule.
    const notable = await kpiReportRepo.notable(d.db, incidentScope(actor), k.period.from, k.period.to, allowed);
    const settings = await d.settings.current();
    return {
      kind, label: k.period.label, teamName: settings.teamName, tlp, generatedAt: d.clock.now(), generatedBy: actor.username,
      kpis: k, ...rest, notable, activities: k.activities.items.filter((a) => allowed.includes(a.tlp)),
    };
  }

  return {
    /** The monthly report (TLP:GREEN) of a month, as far as the actor may see. */
    async monthly(actor: Actor, month: string): Promise<ReportData> {
      const k = await d.kpi.monthly(actor, month);
      const { previous, trend, ...period } = k;
      return finish(actor, 'monthly', MONTHLY_TLP, period, { previous, trend, months: null });
    },

    /** The annual report of a year written at `tlp` (default GREEN), as far as the actor may see. */
    async annual(actor: Actor, year: number, tlp: Tlp = 'GREEN'): Promise<ReportData> {
      const k = await d.kpi.annual(actor, year);
      const { months, ...period } = k;
      const trend = months.map((m) => ({ month: m.period.label, total: m.incidents.declared, byPriority: { ...m.incidents.byPriority } }));
      return finish(actor, 'annual', tlp, period, { previous: null, trend, months });
    },
  };
}
export type KpiReportService = ReturnType<typeof createKpiReportService>;
