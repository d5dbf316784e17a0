import { z } from 'zod';
import { ACTIVITY_KINDS, MEASURE_NAMES, MEASURES, type Measure } from './measures.ts';
import { TLP_ORDER } from '../../lib/tlp.ts';

const ByPriority = <T extends z.ZodType>(t: T) => z.object({ P1: t, P2: t, P3: t, P4: t });
const Count = z.object({ key: z.string(), count: z.number().int() });
const TimeStat = z.object({ count: z.number().int(), meanMinutes: z.number().nullable(), medianMinutes: z.number().nullable() });
const SlaRate = z.object({ incidents: z.number().int(), breached: z.number().int(), rate: z.number().nullable().describe('percent') });
const Tlp = z.enum(TLP_ORDER);
const TargetOp = z.enum(['<', '<=', '>', '>=']);

export const ActivityIn = z.object({
  kind: z.enum(ACTIVITY_KINDS),
  title: z.string().trim().min(1).max(200),
  description: z.string().max(20_000).default(''),
  startsAt: z.coerce.date(),
  endsAt: z.coerce.date().nullable().default(null),
  constituentId: z.uuid().nullable().default(null),
  participants: z.number().int().min(0).max(10_000_000).nullable().default(null),
  tlp: Tlp.default('GREEN').describe('how widely the activity may be named in reports'),
});

export const Activity = ActivityIn.extend({
  id: z.uuid(),
  constituentName: z.string().nullable(),
  startsAt: z.date(),
  endsAt: z.date().nullable(),
  version: z.number().int(),
  createdBy: z.uuid().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
}).meta({ id: 'TeamActivity' });

const DefinitionFields = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_]{1,62}$/, 'lower-case letters, digits and _, starting with a letter'),
  name: z.string().trim().min(1).max(120),
  description: z.string().max(2000).default(''),
  targetOp: TargetOp.nullable().default(null),
  targetValue: z.number().finite().nullable().default(null),
  enabled: z.boolean().default(true),
  position: z.number().int().min(0).max(100_000).default(0),
});

/**
 * A KPI definition as written: one shape per measure, with exactly the parameters that measure
 * takes (src/modules/kpi/measures.ts), so a wrong measure or parameter is refused as bad input.
 * `extra` adds fields to every shape (the version, when replacing one).
 */
export const definitionIn = <E extends z.ZodRawShape>(extra: E) => z.discriminatedUnion('measure', MEASURE_NAMES.map((m) =>
  DefinitionFields.extend({
    measure: z.literal(m).describe('what is measured; see docs/kpis.md'),
    params: (MEASURES[m].params as z.ZodType).prefault({}).describe("the measure's parameters (none: {})"),
    ...extra,
  })) as unknown as [DefinitionShape<E>, ...DefinitionShape<E>[]]);
type DefinitionShape<E extends z.ZodRawShape> = z.ZodObject<typeof DefinitionFields.shape & E & {
  measure: z.ZodLiteral<Measure>; params: z.ZodPrefault<(typeof MEASURES)[Measure]['params']>;
}>;
export const DefinitionIn = definitionIn({});

export const Definition = DefinitionFields.extend({
  id: z.uuid(),
  measure: z.string(),
  params: z.record(z.string(), z.unknown()),
  version: z.number().int(),
  updatedAt: z.date(),
  updatedBy: z.uuid().nullable(),
}).meta({ id: 'KpiDefinition' });

const KpiValue = z.object({
  id: z.uuid(), key: z.string(), name: z.string(), description: z.string(), measure: z.string(), params: z.record(z.string(), z.unknown()),
  unit: z.enum(['percent', 'minutes', 'count']),
  value: z.number().nullable().describe('null: nothing to measure in the period'),
  sample: z.number().int().nullable().describe('incidents or reports the value was computed over'),
  target: z.object({ op: TargetOp, value: z.number() }).nullable(),
  met: z.boolean().nullable().describe('null: no target or no value'),
}).meta({ id: 'KpiValue' });

const IncidentStats = z.object({
  declared: z.number().int(), open: z.number().int(), closed: z.number().int(), reopened: z.number().int(),
  excluded: z.object({ exercises: z.number().int(), duplicates: z.number().int() }),
  byPriority: ByPriority(z.number().int()),
  byClass: z.array(Count.extend({ types: z.array(Count) })),
  byConstituent: z.array(Count),
  byChannel: z.array(Count),
  byResolution: z.array(Count),
  times: z.object(Object.fromEntries(['detect', 'acknowledge', 'contain', 'resolve'].map((k) => [k, TimeStat.extend({ byPriority: ByPriority(TimeStat) })]))),
  sla: SlaRate.extend({
    byPriority: ByPriority(SlaRate),
    byMetric: z.object({ acknowledge: z.number().int(), first_response: z.number().int(), containment: z.number().int(), resolution: z.number().int() }),
  }),
}).meta({ id: 'IncidentStatistics' });

export const PeriodKpis = z.object({
  period: z.object({ label: z.string(), timeZone: z.string(), from: z.date(), to: z.date() }),
  scope: z.enum(['all', 'visible']).describe('visible: incident figures cover only the incidents you may see'),
  incidents: IncidentStats,
  reports: z.object({ received: z.number().int(), decided: z.number().int(), falsePositives: z.number().int(), falsePositiveRate: z.number().nullable() }).nullable(),
  activities: z.object({ byKind: z.record(z.string(), z.number().int()), items: z.array(Activity) }),
  kpis: z.array(KpiValue),
});

export const MonthlyKpis = PeriodKpis.extend({
  previous: z.object({ label: z.string(), kpis: z.array(z.object({ key: z.string(), value: z.number().nullable(), met: z.boolean().nullable() })) }).nullable()
    .describe('the month before, for comparison; null with compare=false'),
  trend: z.array(z.object({ month: z.string(), total: z.number().int(), byPriority: ByPriority(z.number().int()) })),
}).meta({ id: 'MonthlyKpis' });

export const AnnualKpis = PeriodKpis.extend({ months: z.array(PeriodKpis) }).meta({ id: 'AnnualKpis' });
