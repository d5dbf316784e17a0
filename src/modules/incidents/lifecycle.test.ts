import { describe, expect, it } from 'vitest';
import { canMove } from './lifecycle.ts';
import { DEFAULT_PRIORITY_MATRIX, LEVELS, priorityOf } from './priority.ts';
import { RSIT, normaliseClassifications } from './taxonomy.ts';

describe('incident lifecycle', () => {
  it('moves forward to any later phase, skipping phases that do not apply', () => {
    expect(canMove('new', 'triage')).toBe(true);
    expect(canMove('new', 'containment')).toBe(true);
    expect(canMove('analysis', 'recovery')).toBe(true);
  });
  it('goes back to an earlier handling phase but never to intake', () => {
    expect(canMove('recovery', 'containment')).toBe(true);
    expect(canMove('eradication', 'analysis')).toBe(true);
    expect(canMove('analysis', 'triage')).toBe(false);
    expect(canMove('containment', 'new')).toBe(false);
  });
  it('leaves closing and reopening to their own actions', () => {
    expect(canMove('recovery', 'closed')).toBe(false);
    expect(canMove('closed', 'analysis')).toBe(false);
    expect(canMove('analysis', 'analysis')).toBe(false);
  });
});

describe('priority matrix', () => {
  it('gives P1 for critical x critical and P4 for low x low, and is monotone', () => {
    expect(priorityOf(null, 'critical', 'critical')).toBe('P1');
    expect(priorityOf(null, 'high', 'high')).toBe('P2');
    expect(priorityOf(null, 'medium', 'medium')).toBe('P3');
    expect(priorityOf(null, 'low', 'low')).toBe('P4');
    for (const i of LEVELS) {
      for (let u = 1; u < LEVELS.length; u++) {
        expect(DEFAULT_PRIORITY_MATRIX[i][LEVELS[u]!] <= DEFAULT_PRIORITY_MATRIX[i][LEVELS[u - 1]!]).toBe(true);
      }
    }
  });
  it('follows a team matrix when one is set', () => {
    const m = structuredClone(DEFAULT_PRIORITY_MATRIX);
    m.low.low = 'P3';
    expect(priorityOf(m, 'low', 'low')).toBe('P3');
  });
});

describe('RSIT taxonomy', () => {
  it('ships all eleven classes of the ENISA taxonomy', () => {
    expect(RSIT.map((c) => c.value)).toEqual([
      'abusive-content', 'malicious-code', 'information-gathering', 'intrusion-attempts', 'intrusions', 'availability',
      'information-content-security', 'fraud', 'vulnerable', 'other', 'test',
    ]);
    expect(RSIT.find((c) => c.value === 'intrusions')!.types.map((t) => t.value)).toContain('system-compromise');
  });
  it("accepts IntelMQ's unauthorized- spelling and makes the first pair primary", () => {
    const r = normaliseClassifications([
      { class: 'information-content-security', type: 'unauthorized-information-access' },
      { class: 'Fraud', type: 'phishing' },
    ]);
    expect(r).toEqual([
      { class: 'information-content-security', type: 'unauthorised-information-access', isPrimary: true },
      { class: 'fraud', type: 'phishing', isPrimary: false },
    ]);
  });
  it('refuses unknown values, duplicates and two primaries', () => {
    expect(() => normaliseClassifications([{ class: 'intrusions', type: 'phishing' }])).toThrow(
      expect.objectContaining({ code: 'VIG_INCIDENT_CLASSIFICATION_UNKNOWN' }),
    );
    expect(() => normaliseClassifications([{ class: 'fraud', type: 'phishing' }, { class: 'fraud', type: 'phishing' }])).toThrow();
    expect(() =>
      normaliseClassifications([{ class: 'fraud', type: 'phishing', primary: true }, { class: 'fraud', type: 'masquerade', primary: true }]),
    ).toThrow();
  });
});
