import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeEvent, INCIDENT_EVENT_KINDS, unknownEventSentence, type EventWording, type IncidentEventKind } from './event-text.ts';
import { describeEntry } from './export.document.ts';

const SRC = join(import.meta.dirname, '..', '..');

/** Every event kind the server code records: the kind argument of each recorder call (`record(tx, actor, incidentId, 'kind', …)`). */
function recordedKinds(): Map<string, string[]> {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  const kinds = new Map<string, string[]>();
  for (const f of files) {
    const text = readFileSync(join(SRC, f), 'utf8');
    // The audit log's record(tx, actor, { action … }) takes an object third: not an incident event.
    for (const m of text.matchAll(/\brecord\(\s*[^,()]+,\s*[^,(){]+,\s*[^,(){]+,\s*([^,{]+?),/g)) {
      const literals = [...m[1]!.matchAll(/['"`]([a-z_]+\.[a-z_]+)['"`]/g)].map((x) => x[1]!);
      expect(literals.length, `${f}: an incident event recorded under a computed kind (${m[0]}); name it literally so it can be checked`).toBeGreaterThan(0);
      for (const k of literals) kinds.set(k, [...(kinds.get(k) ?? []), f]);
    }
  }
  return kinds;
}

const w: EventWording = {
  date: (iso) => `${iso.slice(0, 16).replace('T', ' ')} UTC`,
  classLabel: (c) => `${c.class}:${c.type}`,
  userName: (id) => (id === 'u-2' ? 'Bo Berg' : 'someone'),
};

/** Data as the server records it, for every kind (a new kind needs a sample here too). */
const SAMPLES: Record<IncidentEventKind, Record<string, unknown>> = {
  'incident.declared': { reference: 'VIG-2026-00042', title: 'Phishing wave', priority: 'P2', tlp: 'AMBER', classifications: [{ class: 'fraud', type: 'phishing', primary: true }] },
  'incident.updated': { changes: { title: { from: 'Phish', to: 'Phishing wave' }, tlp: { from: 'AMBER', to: 'GREEN' }, exercise: { from: false, to: true }, summary: { from: '', to: 'Long text' } } },
  'incident.priority_changed': { from: 'P3', to: 'P2' },
  'incident.classified': { from: [{ class: 'fraud', type: 'phishing', primary: true }], to: [{ class: 'intrusions', type: 'system-compromise', primary: true }] },
  'incident.status_changed': { from: 'triage', to: 'analysis' },
  'incident.closed': { from: 'recovery', resolution: 'duplicate', duplicateOf: 'b6f1', duplicateOfReference: 'VIG-2026-00007' },
  'incident.reopened': { resolution: 'false_positive', reason: 'The host called out again' },
  'incident.assigned': { from: { id: 'u-1', username: 'ana' }, to: { id: 'u-2', username: 'bo' } },
  'incident.role_assigned': { role: 'technical_lead', userId: 'u-2', username: 'bo' },
  'incident.role_removed': { role: 'scribe', userId: 'u-2', username: null },
  'incident.contact_role_assigned': { contactId: 'c-1', name: 'Dr. Rechts', organisation: 'Kanzlei & Partner', role: 'legal' },
  'incident.contact_role_removed': { contactId: 'c-1', name: 'Dr. Rechts', organisation: null, role: 'legal' },
  'incident.communication': { direction: 'inbound', channel: 'email', party: 'soc@partner.example', subject: 'More hosts', body: 'Two more hosts.', report: 'VIG-R-2026-000003', attachments: ['a.eml'] },
  'incident.note_added': { body: 'Found the dropper.' },
  'incident.key_time_set': { name: 'detectedAt', from: null, to: '2026-03-02T08:15:00.000Z' },
  'incident.lessons_recorded': { whatHappened: 'x', wentWell: 'y', toImprove: 'z', actions: [{ action: 'MFA', ownerId: 'u-2' }] },
  'incident.linked': { kind: 'parent_of', other: { id: 'i-2', reference: 'VIG-2026-00043' } },
  'incident.unlinked': { kind: 'related', other: { id: 'i-2', reference: 'VIG-2026-00043' } },
  'incident.merged': { from: { id: 'i-3', reference: 'VIG-2026-00044' }, moved: { tasks: 2, observables: 1, reports: 0 } },
  'incident.merged_into': { into: { id: 'i-1', reference: 'VIG-2026-00042' }, moved: { tasks: 2, observables: 1, reports: 0 } },
  'task.created': { taskId: 't-1', title: 'Reset passwords', phase: 'containment', assigneeId: 'u-2', dueAt: '2026-03-03T12:00:00.000Z' },
  'task.updated': {
    taskId: 't-1', title: 'Reset passwords', changes: {
      status: { from: 'open', to: 'in_progress' },
      checklist: { from: [{ text: 'Finance', done: false }, { text: 'HR', done: false }], to: [{ text: 'Finance', done: true }, { text: 'HR', done: false }] },
      assigneeId: { from: null, to: 'u-2' },
    },
  },
  'task.note_added': { taskId: 't-1', title: 'Reset passwords', body: 'Done for finance.' },
  'playbook.applied': { playbookKey: 'compromise', name: 'System or account compromise', version: 1, created: ['t-1', 't-2', 't-3'], skipped: 1 },
  'observable.added': { items: [{ id: 'o-1', type: 'ip', value: '198.51.100.23' }, { id: 'o-2', type: 'domain', value: 'evil.example' }] },
  'observable.updated': { id: 'o-1', type: 'ip', value: '198.51.100.23', changes: { ioc: { from: false, to: true }, tlp: { from: 'AMBER', to: 'AMBER' }, tags: { from: [], to: [] } } },
  'observable.removed': { id: 'o-2', type: 'domain', value: 'evil.example' },
  'evidence.added': { id: 'e-1', filename: 'phish.eml', size: 2048, sha256: 'ab'.repeat(32) },
  'evidence.downloaded': { id: 'e-1', filename: 'phish.eml', sha256: 'ab'.repeat(32) },
  'evidence.handed_over': { id: 'e-1', filename: 'phish.eml', to: 'LKA Berlin', reason: 'criminal complaint' },
  'report.linked': { report: { id: 'r-1', reference: 'VIG-R-2026-000003', title: 'Phishing mail', channel: 'email' }, how: 'linked', withMerged: ['VIG-R-2026-000004'] },
  'report.unlinked': { report: { id: 'r-1', reference: 'VIG-R-2026-000003', title: 'Phishing mail' }, reason: 'wrong incident' },
  'alert.linked': { alert: { id: 'a-1', reference: 'VIG-A-2026-000009', title: 'Beacon to C2', severity: 'high' }, how: 'declared' },
  'sla.paused': { reason: 'waiting for the constituent' },
  'sla.resumed': {},
  'sla.warning': { metric: 'first_response', deadline: '2026-03-02T10:00:00.000Z', warnAt: '2026-03-02T09:30:00.000Z', targetMinutes: 120 },
  'sla.breached': { metric: 'containment', deadline: '2026-03-02T10:00:00.000Z', targetMinutes: 240, metAt: '2026-03-02T11:00:00.000Z' },
  'escalation.started': { policy: 'Default', trigger: 'declared', priority: 'P1' },
  'escalation.level': { policy: 'Default', level: 1, round: 2, recipients: ['seat:management', 'on_duty'], notified: { users: 2, contacts: 1, channels: 0 }, unresolved: ['seat:management'] },
  'escalation.acknowledged': { level: 1, round: 1 },
  'escalation.exhausted': { policy: 'Default', rounds: 3 },
  'escalation.ended': { reason: 'incident closed' },
};

/** What no sentence may contain: raw data, empty placeholders, or the internal kind name. */
function expectReadable(s: string, kind: string) {
  expect(s, kind).not.toBe(unknownEventSentence(kind));
  expect(s, kind).not.toContain(kind);
  expect(s, kind).not.toMatch(/[{}[\]]|\bundefined\b|\bnull\b|NaN|\[object/);
  expect(s.length, kind).toBeGreaterThan(8);
}

describe('incident event sentences', () => {
  it('knows every event kind the server records', () => {
    const kinds = recordedKinds();
    // The scan itself works: it finds the kinds recorded all over the code.
    expect(kinds.size).toBeGreaterThanOrEqual(40);
    for (const k of ['incident.declared', 'escalation.level', 'sla.breached', 'alert.linked', 'task.updated']) expect(kinds.has(k), k).toBe(true);
    const missing = [...kinds.keys()].filter((k) => !(INCIDENT_EVENT_KINDS as readonly string[]).includes(k));
    expect(missing, `recorded but without a sentence: ${missing.map((k) => `${k} (${kinds.get(k)!.join(', ')})`).join('; ')}`).toEqual([]);
  });

  it.each(INCIDENT_EVENT_KINDS.map((k) => [k]))('words %s as a sentence, with realistic data and with none', (kind) => {
    expectReadable(describeEvent({ kind, data: SAMPLES[kind] }, w), kind);
    for (const data of [{}, null]) expectReadable(describeEvent({ kind, data }, w), kind);
  });

  it('reports (HTML and PDF) word every kind the same way, never as raw data', () => {
    for (const kind of INCIDENT_EVENT_KINDS) {
      const s = describeEntry({ kind, data: SAMPLES[kind] });
      expectReadable(s, kind);
      expect(s, kind).toBe(describeEvent({ kind, data: SAMPLES[kind] }, { date: (iso) => `${iso.slice(0, 16).replace('T', ' ')} UTC`, classLabel: (c) => `${c.class} / ${c.type}` }));
    }
  });

  it('says what changed', () => {
    const say = (kind: IncidentEventKind) => describeEvent({ kind, data: SAMPLES[kind] }, w);
    expect(say('task.updated')).toBe('updated the task "Reset passwords": set its status from open to in progress, ticked "Finance" (1 of 2 done) and assigned it to Bo Berg');
    expect(say('incident.updated')).toBe('changed the title from "Phish" to "Phishing wave", changed the TLP from TLP:AMBER to TLP:GREEN, marked it as an exercise and rewrote the summary');
    expect(say('observable.updated')).toBe('updated the observable ip 198.51.100.23: marked it as an IOC');
    expect(say('escalation.level')).toBe('notified level 1 of the escalation policy "Default" (round 2): 2 people and 1 contact reached; nobody reached through the management seat');
    expect(say('incident.communication')).toBe('recorded an inbound e-mail from soc@partner.example about "More hosts" (on report VIG-R-2026-000003), with 1 attachment');
    expect(say('incident.key_time_set')).toBe('set the key time "Detected" to 2026-03-02 08:15 UTC');
    expect(say('escalation.started')).toBe('started the escalation policy "Default" because the incident was declared (P1)');
    expect(describeEvent({ kind: 'incident.communication', data: { direction: 'outbound', channel: 'phone', party: 'CERT-Bund' } }, w))
      .toBe('recorded an outbound phone call with CERT-Bund');
  });

  it('names a kind it does not know without dumping its data', () => {
    const s = describeEvent({ kind: 'custom.thing', data: { secret: { nested: 1 } } }, w);
    expect(s).toBe(unknownEventSentence('custom.thing'));
    expect(s).not.toContain('secret');
  });
});
