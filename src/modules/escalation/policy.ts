// The rules of escalation, free of storage: which policy an incident falls under, what happens after
// a level has been notified, and whether policies that continue into each other form a cycle.
import { SEATS } from '../../db/schema-directory.ts';
import type { EscalationRecipient, EscalationTrigger, Priority } from '../../db/schema.ts';

/** The team's seats a level may page (the directory's own list). */
export { SEATS };

export interface PolicyShape {
  id: string;
  name: string;
  priorities: Priority[];
  rsitClasses: string[];
  /** What starts it: a declared incident (the default), or an SLA clock at risk. */
  trigger: EscalationTrigger;
  repeatCount: number;
  repeatAfterMinutes: number;
  thenPolicyId: string | null;
  enabled: boolean;
  levels: { position: number; delayMinutes: number; recipients: EscalationRecipient[] }[];
}

/**
 * The policy for an incident of this priority and these RSIT classes, started by this trigger:
 * among the enabled policies of the trigger naming the priority, one that names one of the classes
 * wins over one that names none; ties go to the name in alphabetical order, so the choice never
 * depends on storage order. A policy without a trigger is a 'declared' one.
 */
export function choosePolicy<P extends Pick<PolicyShape, 'name' | 'priorities' | 'rsitClasses' | 'enabled'> & { trigger?: EscalationTrigger }>(
  policies: P[], priority: Priority, classes: string[], trigger: EscalationTrigger = 'declared',
): P | undefined {
  const fitting = policies.filter((p) => p.enabled && (p.trigger ?? 'declared') === trigger && p.priorities.includes(priority)
    && (p.rsitClasses.length === 0 || p.rsitClasses.some((c) => classes.includes(c))));
  return fitting.sort((a, b) => Number(b.rsitClasses.length > 0) - Number(a.rsitClasses.length > 0) || a.name.localeCompare(b.name))[0];
}

/** Where a run stands: the next level to notify, the round, the policy, and whether it goes on. */
export interface RunPosition {
  policyId: string;
  level: number;
  round: number;
  hops: number;
}

export type Next =
  | { kind: 'level'; position: RunPosition; afterMinutes: number }
  | { kind: 'exhausted' };

/** Policies followed through `thenPolicyId` at most, even if a cycle slipped past validation. */
export const MAX_HOPS = 10;

/**
 * What follows once `at.level` of `policy` has been notified: the next level after its delay; after
 * the last level, the first level again (a new round) after `repeatAfterMinutes` while rounds are
 * left; then the first level of the follow-on policy after the same wait; else the end.
 */
export function nextAfter(policy: PolicyShape, at: RunPosition, follow: (id: string) => PolicyShape | undefined): Next {
  const levels = [...policy.levels].sort((a, b) => a.position - b.position);
  const i = levels.findIndex((l) => l.position === at.level);
  const next = levels[i + 1];
  if (i >= 0 && next) return { kind: 'level', position: { ...at, level: next.position }, afterMinutes: next.delayMinutes };
  if (at.round < policy.repeatCount) {
    return { kind: 'level', position: { ...at, level: levels[0]!.position, round: at.round + 1 }, afterMinutes: policy.repeatAfterMinutes };
  }
  const then = policy.thenPolicyId ? follow(policy.thenPolicyId) : undefined;
  if (then && then.levels.length > 0 && at.hops < MAX_HOPS) {
    const first = [...then.levels].sort((a, b) => a.position - b.position)[0]!;
    return { kind: 'level', position: { policyId: then.id, level: first.position, round: 0, hops: at.hops + 1 }, afterMinutes: policy.repeatAfterMinutes };
  }
  return { kind: 'exhausted' };
}

/**
 * The cycle `policyId` would close if it continued with `thenPolicyId`, as the names along it
 * (first repeated at the end), or null when there is none.
 */
export function cycleThrough(
  policyId: string, thenPolicyId: string | null, all: Pick<PolicyShape, 'id' | 'name' | 'thenPolicyId'>[],
): string[] | null {
  const byId = new Map(all.map((p) => [p.id, p]));
  const nameOf = (id: string) => byId.get(id)?.name ?? id;
  const path = [policyId];
  let cur = thenPolicyId;
  while (cur) {
    if (cur === policyId || path.includes(cur)) return [...path, cur].map(nameOf);
    path.push(cur);
    cur = cur === policyId ? null : (byId.get(cur)?.thenPolicyId ?? null);
  }
  return null;
}

/** A stable text for a recipient (event data, dedupe keys). */
export function recipientLabel(r: EscalationRecipient): string {
  switch (r.kind) {
    case 'seat': return `seat:${r.seat}`;
    case 'rota': return `rota:${r.rotaId}`;
    case 'on_duty': return 'on_duty';
    case 'user': return `user:${r.userId}`;
    case 'incident_role': return `incident_role:${r.role}`;
    case 'contact': return `contact:${r.contactId}`;
    case 'channel': return `channel:${r.channelId}`;
  }
}
