import { describe, expect, it } from 'vitest';
import { choosePolicy, cycleThrough, nextAfter, type PolicyShape } from './policy.ts';

const policy = (over: Partial<PolicyShape> & Pick<PolicyShape, 'id'>): PolicyShape => ({
  name: over.id, priorities: ['P1', 'P2'], rsitClasses: [], trigger: 'declared', repeatCount: 0, repeatAfterMinutes: 30, thenPolicyId: null, enabled: true,
  levels: [
    { position: 1, delayMinutes: 0, recipients: [{ kind: 'seat', seat: 'csirt_manager' }] },
    { position: 2, delayMinutes: 15, recipients: [{ kind: 'on_duty' }] },
  ],
  ...over,
});

describe('escalation policy rules', () => {
  it('chooses the enabled policy for the priority, one naming the class before a general one, then by name', () => {
    const general = policy({ id: 'b-general' });
    const ransomware = policy({ id: 'z-malicious-code', rsitClasses: ['malicious-code'] });
    const off = policy({ id: 'a-off', enabled: false });
    const low = policy({ id: 'a-low', priorities: ['P3', 'P4'] });
    const all = [off, low, general, ransomware];
    expect(choosePolicy(all, 'P1', ['malicious-code'])?.id).toBe('z-malicious-code');
    // Each trigger chooses among its own policies only.
    const atRisk = policy({ id: 'a-at-risk', trigger: 'sla_at_risk', priorities: ['P1', 'P3'] });
    expect(choosePolicy([...all, atRisk], 'P1', [])?.id).toBe('b-general');
    expect(choosePolicy([...all, atRisk], 'P1', [], 'sla_at_risk')?.id).toBe('a-at-risk');
    expect(choosePolicy([...all, atRisk], 'P2', [], 'sla_at_risk')).toBeUndefined();
    expect(choosePolicy(all, 'P1', ['fraud'])?.id).toBe('b-general');
    expect(choosePolicy(all, 'P3', [])?.id).toBe('a-low');
    expect(choosePolicy([off], 'P1', [])).toBeUndefined();
    expect(choosePolicy([policy({ id: 'b' }), policy({ id: 'a' })], 'P2', [])?.id).toBe('a');
  });

  it('moves through the levels, repeats the rounds, then continues with the follow-on policy and ends', () => {
    const next = policy({ id: 'next', levels: [{ position: 1, delayMinutes: 5, recipients: [{ kind: 'on_duty' }] }] });
    const p = policy({ id: 'p', repeatCount: 1, repeatAfterMinutes: 20, thenPolicyId: 'next' });
    const follow = (id: string) => (id === 'next' ? next : undefined);
    expect(nextAfter(p, { policyId: 'p', level: 1, round: 0, hops: 0 }, follow))
      .toEqual({ kind: 'level', position: { policyId: 'p', level: 2, round: 0, hops: 0 }, afterMinutes: 15 });
    expect(nextAfter(p, { policyId: 'p', level: 2, round: 0, hops: 0 }, follow))
      .toEqual({ kind: 'level', position: { policyId: 'p', level: 1, round: 1, hops: 0 }, afterMinutes: 20 });
    expect(nextAfter(p, { policyId: 'p', level: 2, round: 1, hops: 0 }, follow))
      .toEqual({ kind: 'level', position: { policyId: 'next', level: 1, round: 0, hops: 1 }, afterMinutes: 20 });
    expect(nextAfter(next, { policyId: 'next', level: 1, round: 0, hops: 1 }, follow)).toEqual({ kind: 'exhausted' });
  });

  it('stops following policies after ten hops even if a cycle got into storage', () => {
    const a = policy({ id: 'a', thenPolicyId: 'a', levels: [{ position: 1, delayMinutes: 0, recipients: [{ kind: 'on_duty' }] }] });
    expect(nextAfter(a, { policyId: 'a', level: 1, round: 0, hops: 9 }, () => a)).toMatchObject({ kind: 'level', position: { hops: 10 } });
    expect(nextAfter(a, { policyId: 'a', level: 1, round: 0, hops: 10 }, () => a)).toEqual({ kind: 'exhausted' });
  });

  it('names the cycle a follow-on would close, and accepts chains that end', () => {
    const all = [
      { id: 'a', name: 'A', thenPolicyId: 'b' },
      { id: 'b', name: 'B', thenPolicyId: 'c' },
      { id: 'c', name: 'C', thenPolicyId: null },
    ];
    expect(cycleThrough('c', 'a', all)).toEqual(['C', 'A', 'B', 'C']);
    expect(cycleThrough('c', 'c', all)).toEqual(['C', 'C']);
    expect(cycleThrough('a', 'b', all)).toBeNull();
    expect(cycleThrough('new', 'a', [...all, { id: 'new', name: 'New', thenPolicyId: 'a' }])).toBeNull();
    // A cycle among the others that does not pass through this policy is not this policy's to report, but must not loop.
    expect(cycleThrough('x', 'a', [{ id: 'a', name: 'A', thenPolicyId: 'b' }, { id: 'b', name: 'B', thenPolicyId: 'a' }])).toEqual(['x', 'A', 'B', 'A']);
  });
});
