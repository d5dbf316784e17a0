import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FACT_EVENTS } from './repo.ts';
import { evaluate, meets, parseParams } from './measures.ts';
import { addMonths, monthPeriod, yearPeriod } from './period.ts';
import { counting, timeStat, type CohortIncident } from './stats.ts';

const at = (s: string) => new Date(s);
function incident(over: Partial<CohortIncident>): CohortIncident {
  return {
    id: 'i', reference: 'VIG-1', priority: 'P3', status: 'new', resolution: null, constituent: null, exercise: false,
    createdAt: at('2026-03-02T10:00:00Z'), closedAt: null, firstCompromiseAt: null, detectedAt: null, containedAt: null,
    class: 'fraud', type: 'phishing', channel: null, events: [], ...over,
  };
}

describe('periods in a time zone', () => {
  it('runs a Berlin month across the change to summer time and a year from local midnight', () => {
    // March 2026: CET (UTC+1) at the start, CEST (UTC+2) at the end.
    expect(monthPeriod('2026-03', 'Europe/Berlin')).toMatchObject({ from: at('2026-02-28T23:00:00Z'), to: at('2026-03-31T22:00:00Z') });
    expect(monthPeriod('2026-12', 'America/New_York')).toMatchObject({ from: at('2026-12-01T05:00:00Z'), to: at('2027-01-01T05:00:00Z') });
    expect(yearPeriod(2026, 'Asia/Tokyo')).toMatchObject({ from: at('2025-12-31T15:00:00Z'), to: at('2026-12-31T15:00:00Z') });
    expect([addMonths('2026-01', -1), addMonths('2026-12', 1), addMonths('2026-05', -17)]).toEqual(['2025-12', '2027-01', '2024-12']);
  });
});

describe('statistics', () => {
  it('takes the mean and the median (the middle pair averaged)', () => {
    expect(timeStat([])).toEqual({ count: 0, meanMinutes: null, medianMinutes: null });
    expect(timeStat([10, 40, 20, 30])).toEqual({ count: 4, meanMinutes: 25, medianMinutes: 25 });
    expect(timeStat([1, 2, 100])).toEqual({ count: 3, meanMinutes: 34.3, medianMinutes: 2 });
  });

  it('leaves out exercises and duplicates, but counts a duplicate reopened and still open', () => {
    const rows = counting([
      incident({ id: 'a' }),
      incident({ id: 'b', exercise: true }),
      incident({ id: 'c', status: 'closed', resolution: 'duplicate', closedAt: at('2026-03-03T10:00:00Z') }),
      incident({ id: 'd', status: 'closed', resolution: 'duplicate', events: [{ kind: 'incident.merged_into', at: at('2026-03-03T10:00:00Z'), data: {} }] }),
    ]);
    expect(rows.counting.map((r) => r.i.id)).toEqual(['a']);
    expect(rows.excluded).toEqual({ exercises: 1, duplicates: 2 });
  });

  it('evaluates measures with their parameters, and compares targets', () => {
    const breach = { kind: 'sla.breached', at: at('2026-03-02T11:00:00Z'), data: { metric: 'acknowledge' } };
    const ctx = {
      counting: counting([incident({ id: 'a', priority: 'P1', events: [breach] }), incident({ id: 'b', priority: 'P1' }), incident({ id: 'c', priority: 'P2', events: [breach] })]).counting,
      reports: { received: 10, decided: 8, falsePositives: 2 },
      activities: (_kind: string, months: number) => months * 2,
    };
    const def = (measure: string, params: Record<string, unknown> = {}) => ({ key: 'k', measure, params, targetOp: null, targetValue: null });
    expect(evaluate(def('sla_breach_rate', { priorities: ['P1'] }), ctx)).toEqual({ value: 50, unit: 'percent', sample: 2 });
    expect(evaluate(def('sla_breach_rate', { metrics: ['resolution'] }), ctx).value).toBe(0);
    expect(evaluate(def('sla_breach_rate'), ctx).value).toBe(66.7);
    expect(evaluate(def('false_positive_rate'), ctx)).toEqual({ value: 25, unit: 'percent', sample: 8 });
    expect(evaluate(def('activity_count', { kind: 'training', months: 3 }), ctx).value).toBe(6);
    expect(evaluate(def('time_to_resolve'), ctx)).toEqual({ value: null, unit: 'minutes', sample: 0 });
    expect(meets(4.9, '<', 5)).toBe(true);
    expect(meets(5, '<', 5)).toBe(false);
    expect(meets(5, '<=', 5)).toBe(true);
    expect(meets(null, '>=', 1)).toBe(null);
    expect(parseParams('activity_count', {})).toMatchObject({ ok: false });
    expect(parseParams('time_to_detect', { statistic: 'mode' })).toMatchObject({ ok: false });
    expect(parseParams('nonsense', {})).toEqual({ ok: false, problems: [expect.stringContaining('unknown measure "nonsense"')] });
  });
});

describe('the KPI event index', () => {
  it('lists exactly the kinds the statistics read, so PostgreSQL can use it', () => {
    const sql = readFileSync(new URL('../../db/migrations/0030_kpi_indexes.sql', import.meta.url), 'utf8');
    const listed = /incident_event_fact_idx[^;]*kind IN \(([^)]*)\)/s.exec(sql)?.[1] ?? '';
    expect([...listed.matchAll(/'([^']+)'/g)].map((m) => m[1]).sort()).toEqual([...FACT_EVENTS].sort());
  });
});
