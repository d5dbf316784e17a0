import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import type { DashboardService } from './service.ts';

const tags = ['dashboard'];
const Priority = z.enum(['P1', 'P2', 'P3', 'P4']);
const counts = <T extends readonly [string, ...string[]]>(keys: T) => z.object(Object.fromEntries(keys.map((k) => [k, z.number().int()])) as Record<T[number], z.ZodNumber>);
const OPEN = ['new', 'triage', 'analysis', 'containment', 'eradication', 'recovery'] as const;
const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
const CHANNELS = ['api', 'web_form', 'portal', 'email', 'phone', 'monitoring', 'other'] as const;
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

const Operations = z.object({
  at: z.date().describe('the instant the figures were computed'),
  open: z.object({
    total: z.number().int().describe('open (not closed) incidents the caller may see, exercises excluded'),
    byPriority: counts(PRIORITIES),
    byPriorityStatus: z.object(Object.fromEntries(PRIORITIES.map((p) => [p, counts(OPEN)])) as Record<(typeof PRIORITIES)[number], ReturnType<typeof counts<typeof OPEN>>>),
    exercise: z.number().int().describe('open exercise incidents, counted apart from the rest'),
  }),
  slaAtRisk: z.object({
    total: z.number().int().describe('running clocks past their warning time (open, non-exercise incidents the caller may see)'),
    breached: z.number().int().describe('of those, clocks past their deadline'),
    clocks: z.array(z.object({
      reference: z.string(), title: z.string(), priority: Priority, status: z.string(), tlp: z.string(),
      assignee: z.string().nullable().describe("the assignee's display name"),
      metric: z.enum(['acknowledge', 'first_response', 'containment', 'resolution']),
      deadline: z.date(), warnAt: z.date(), breached: z.boolean(),
      minutesLeft: z.number().int().describe('whole minutes to the deadline; negative when breached'),
    })).describe('the 20 at-risk clocks with the nearest deadlines, nearest first'),
  }),
  onDuty: z.object({
    rotas: z.array(z.object({
      id: z.string(), name: z.string(),
      onDuty: z.array(z.object({ userId: z.string(), displayName: z.string(), until: z.date(), source: z.string(), region: z.string().nullable() })),
      nextCoverAt: z.date().nullable(),
    })),
    uncovered: z.number().int().describe('rotas nobody covers now'),
  }).nullable().describe("null without 'oncall.read'"),
  intake: z.object({
    since: z.date().describe('start of the first of the 24 UTC hours (the current one included)'),
    reports: z.object({ total: z.number().int(), hours: z.array(z.object({ start: z.date(), byChannel: counts(CHANNELS), total: z.number().int() })) }),
    alerts: z.object({ total: z.number().int(), bySeverity: counts(SEVERITIES) }),
    unparsed: z.object({ pending: z.number().int(), failed: z.number().int(), oldest: z.date().nullable() }).nullable().describe("null without 'report.triage'"),
  }).nullable().describe("null without 'report.read'"),
  setup: z.object({
    complete: z.boolean().describe('every item is done: the dashboard stops showing the checklist'),
    items: z.array(z.object({
      key: z.enum(['escalation_policy', 'manager_seat', 'oncall_rota', 'mail_relay']),
      done: z.boolean(),
      title: z.string(),
      hint: z.string().describe('why escalation needs it and where to set it up'),
      href: z.string().describe('the web app page where it is set up'),
    })),
  }).describe('what escalation needs before it reaches anyone'),
}).meta({ id: 'OperationsDashboard' });

/** Dashboards computed from the stored rows when asked. */
export const dashboardRoutes: FastifyPluginAsyncZod<{ dashboard: DashboardService }> = async (app, { dashboard }) => {
  app.get('/dashboard/operations', {
    schema: {
      operationId: 'dashboard.operations', tags,
      summary: 'Open incidents by priority and status, SLA clocks at risk, who is on duty, intake of the last 24 hours',
      response: { 200: Operations },
    },
  }, (req) => dashboard.operations(actorOf(req)));
};
