// The modals of the triage steps on any mix of reports and alerts: declare an incident from them,
// link them to an incident, reject/dismiss them with a reason, put a decided alert back.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { Alert as MAlert, Button, Group, Modal, Radio, Select, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { incidentKey, TLPS, type Incident, type Level, type Pap, type Tlp } from '../../api/incidents';
import { REJECTION_LABELS, REJECTIONS, type Rejection } from '../../api/reports';
import { alertApi, alertDecided, DISMISSAL_LABELS, DISMISSALS, type Alert, type CorrelatedIncident, type Dismissal, type QueueItem, type Suggestions } from '../../api/triage';
import { ErrorAlert, fieldErrors } from '../../components/errors';
import { useAction } from '../../components/useAction';
import { ClassificationPicker, type Pick as ClassPick } from '../incidents/ClassificationPicker';
import { ImpactUrgency, PAP_OPTIONS, TLP_OPTIONS } from '../incidents/DeclareIncidentModal';
import { TriageProblem } from '../reports/TriageModals';
import { IncidentPicker } from './IncidentPicker';
import { alertsOf, dismissItems, linkItems, PartialRun, refreshAfterTriage, reportsOf } from './writes';

const refsOf = (items: readonly QueueItem[]) => items.map((i) => i.reference).join(', ');
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What the items are, in a few words: "2 alerts and 1 report". */
export function itemsText(items: readonly QueueItem[]): string {
  const a = alertsOf(items).length;
  const r = reportsOf(items).length;
  return [r ? plural(r, 'report') : '', a ? plural(a, 'alert') : ''].filter(Boolean).join(' and ');
}

/** A refused step: which items were done before it, then the refusal itself. */
function Refusal({ error }: { error: unknown }) {
  if (!error) return null;
  const inner = error instanceof PartialRun ? error.cause : error;
  const done = error instanceof PartialRun ? error.done : [];
  const decided = alertDecided(inner);
  return (
    <Stack gap={6}>
      {done.length > 0 && <Text size="sm" data-testid="triage-partial">Done before the refusal: {done.join(', ')}.</Text>}
      {decided ? (
        <MAlert color="yellow" variant="light" role="alert" data-testid="alert-decided" title={`${decided.reference ?? 'An alert'} is already ${decided.status ?? 'decided'}`}>
          <Text size="sm">Nothing was changed for it. The queue has been refreshed.</Text>
        </MAlert>
      ) : <TriageProblem error={inner} />}
    </Stack>
  );
}

function Shell({ title, items, children, onClose, busy, onSubmit }: {
  title: string; items: readonly QueueItem[]; children: ReactNode; onClose: () => void; busy: boolean; onSubmit: (e: FormEvent) => void;
}) {
  return (
    <Modal opened onClose={() => !busy && onClose()} title={<Text fw={600}>{title}</Text>} size="lg">
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="sm">
          <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }} data-testid="triage-targets">
            {refsOf(items)}{items.length === 1 ? ` · ${items[0]!.title}` : ''}
          </Text>
          {children}
        </Stack>
      </form>
    </Modal>
  );
}

const TLP_ORDER: readonly Tlp[] = TLPS;

interface Draft {
  title: string;
  summary: string;
  impact: Level;
  urgency: Level;
  tlp: Tlp;
  pap: Pap;
  constituent: string;
  classifications: ClassPick[];
}

/** Pre-filled from the items: the first (most urgent) one's title, every item in the summary, the strictest TLP, the suggestions. */
function draftFrom(items: readonly QueueItem[], s: Pick<Suggestions, 'impact' | 'urgency' | 'classifications'> | undefined): Draft {
  const first = items[0];
  const tlp = items.reduce<Tlp>((t, i) => (TLP_ORDER.indexOf(i.tlp) > TLP_ORDER.indexOf(t) ? i.tlp : t), first?.tlp ?? 'AMBER');
  const lines = items.map((i) => (i.kind === 'alert'
    ? `- ${i.reference} (${i.alert.sourceName}, ${i.alert.severity}${i.alert.arrivals > 1 ? `, ×${i.alert.arrivals}` : ''}): ${i.title}`
    : `- ${i.reference} (report): ${i.title}`));
  const firstText = first?.kind === 'report' ? first.report.body : first?.kind === 'alert' ? first.alert.description : '';
  const summary = [items.length > 1 ? `Declared from:\n${lines.join('\n')}` : '', firstText].filter(Boolean).join('\n\n').slice(0, 20_000);
  const organisation = reportsOf(items).find((r) => r.organisation)?.organisation ?? '';
  return {
    title: (first?.title ?? '').slice(0, 300), summary, impact: s?.impact ?? 'medium', urgency: s?.urgency ?? 'medium', tlp, pap: 'AMBER',
    constituent: organisation, classifications: (s?.classifications ?? []).slice(0, 3).map((c) => ({ class: c.class, type: c.type })),
  };
}

/** Declares an incident from new reports and open alerts (POST /incidents/from-items), in one step. */
export function DeclareItemsModal({ items, suggestions, onClose, onDeclared }: {
  items: readonly QueueItem[];
  suggestions: Pick<Suggestions, 'impact' | 'urgency' | 'classifications'> | undefined;
  onClose: () => void;
  onDeclared: (incident: Incident) => void;
}) {
  const client = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftFrom(items, suggestions));
  const { busy, error, run } = useAction();
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const errs = fieldErrors(error);
  const valid = draft.title.trim() !== '' && draft.classifications.length > 0;
  const suggested = (suggestions?.classifications.length ?? 0) > 0;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!valid || busy) return;
    await run(async () => {
      try {
        const created = await api.post<Incident>('/incidents/from-items', {
          reports: reportsOf(items).map((r) => r.id),
          alerts: alertsOf(items).map((a) => a.id),
          title: draft.title.trim(), summary: draft.summary, impact: draft.impact, urgency: draft.urgency, tlp: draft.tlp, pap: draft.pap,
          constituent: draft.constituent.trim() || null,
          classifications: draft.classifications.map((c, i) => ({ ...c, primary: i === 0 })),
        });
        client.setQueryData(incidentKey(created.reference), created);
        onDeclared(created);
        onClose();
      } finally {
        refreshAfterTriage(client);
      }
    });
  };

  return (
    <Shell title={`Declare an incident from ${itemsText(items)}`} items={items} onClose={onClose} busy={busy} onSubmit={(e) => void submit(e)}>
      <Text size="sm" data-testid="declare-from-items">
        {[reportsOf(items).length ? `${reportsOf(items).length === 1 ? 'The report is' : 'The reports are'} linked to the new incident` : '',
          alertsOf(items).length ? `${alertsOf(items).length === 1 ? 'the alert is' : 'the alerts are'} escalated to it` : '']
          .filter(Boolean).join(' and ').replace(/^t/, 'T')}, in one step.
        {suggested ? ' Classification, impact and urgency are suggestions from the items: check them.' : ''}
      </Text>
      <Refusal error={error} />
      <TextInput label="Title" required data-autofocus value={draft.title} error={errs.title} maxLength={300}
        onChange={(e) => set('title', e.currentTarget.value)} data-testid="incident-title" />
      <Textarea label="Summary" description="Markdown. What is known so far." autosize minRows={3} maxRows={8}
        value={draft.summary} error={errs.summary} onChange={(e) => set('summary', e.currentTarget.value)} data-testid="incident-summary" />
      <ImpactUrgency impact={draft.impact} urgency={draft.urgency} errors={errs} onChange={(v) => setDraft((d) => ({ ...d, ...v }))} />
      <SimpleGrid cols={3} spacing="sm">
        <Select label="TLP" data={TLP_OPTIONS} value={draft.tlp} allowDeselect={false} onChange={(v) => v && set('tlp', v as Tlp)}
          data-testid="incident-tlp" comboboxProps={{ withinPortal: true }} />
        <Select label="PAP" data={PAP_OPTIONS} value={draft.pap} allowDeselect={false} onChange={(v) => v && set('pap', v as Pap)}
          data-testid="incident-pap" comboboxProps={{ withinPortal: true }} />
        <TextInput label="Constituent" placeholder="Affected organisation" value={draft.constituent} error={errs.constituent}
          onChange={(e) => set('constituent', e.currentTarget.value)} data-testid="incident-constituent" />
      </SimpleGrid>
      <ClassificationPicker value={draft.classifications} onChange={(v) => set('classifications', v)} error={errs.classifications} />
      <Group justify="flex-end" mt="xs">
        <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
        <Button type="submit" loading={busy} disabled={!valid} data-testid="incident-submit" aria-keyshortcuts="Enter">Declare incident</Button>
      </Group>
    </Shell>
  );
}

/** Links the items to an open incident; the correlated incidents are offered first. */
export function LinkItemsModal({ items, correlated, initial, onClose, onDone }: {
  items: readonly QueueItem[];
  correlated?: readonly CorrelatedIncident[];
  initial?: string;
  onClose: () => void;
  onDone: (text: string) => void;
}) {
  const client = useQueryClient();
  const [incident, setIncident] = useState<string | null>(initial ?? null);
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!incident || busy) return;
    await run(async () => {
      const done = await linkItems(client, items, incident);
      onDone(`Linked to ${incident}: ${done.join(', ')}`);
      onClose();
    });
  };
  return (
    <Shell title={`Link ${itemsText(items)} to an incident`} items={items} onClose={onClose} busy={busy} onSubmit={(e) => void submit(e)}>
      <IncidentPicker value={incident} onChange={setIncident} correlated={correlated ?? []} />
      <Text size="xs" c="dimmed">The link is recorded on the incident's timeline; an alert's observables are added to the incident.</Text>
      <Refusal error={error} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
        <Button type="submit" loading={busy} disabled={!incident} data-testid="link-submit">Link</Button>
      </Group>
    </Shell>
  );
}

/** Rejects the reports and dismisses the alerts among the items, each with a reason of its kind and one note. */
export function DismissItemsModal({ items, onClose, onDone }: { items: readonly QueueItem[]; onClose: () => void; onDone: (text: string) => void }) {
  const client = useQueryClient();
  const hasAlerts = alertsOf(items).length > 0;
  const hasReports = reportsOf(items).length > 0;
  const [alertReason, setAlertReason] = useState<Dismissal | null>(null);
  const [reportReason, setReportReason] = useState<Rejection | null>(null);
  const [note, setNote] = useState('');
  const { busy, error, run } = useAction();
  const valid = (!hasAlerts || alertReason !== null) && (!hasReports || reportReason !== null);
  const verb = hasAlerts && hasReports ? 'Reject / dismiss' : hasAlerts ? 'Dismiss' : 'Reject';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!valid || busy) return;
    await run(async () => {
      const done = await dismissItems(client, items, { alert: alertReason, report: reportReason, note });
      onDone(`${hasAlerts && !hasReports ? 'Dismissed' : hasReports && !hasAlerts ? 'Rejected' : 'Rejected / dismissed'}: ${done.join(', ')}`);
      onClose();
    });
  };
  return (
    <Shell title={`${verb} ${itemsText(items)}`} items={items} onClose={onClose} busy={busy} onSubmit={(e) => void submit(e)}>
      <SimpleGrid cols={hasAlerts && hasReports ? 2 : 1} spacing="md">
        {hasAlerts && (
          <Radio.Group label={hasReports ? 'Reason for the alerts' : 'Reason'} required value={alertReason} onChange={(v) => setAlertReason(v as Dismissal)} data-testid="dismiss-reason">
            <Stack gap={6} mt={6}>
              {DISMISSALS.map((r, i) => <Radio key={r} value={r} label={DISMISSAL_LABELS[r]} data-autofocus={i === 0 || undefined} data-testid={`dismiss-${r}`} />)}
            </Stack>
          </Radio.Group>
        )}
        {hasReports && (
          <Radio.Group label={hasAlerts ? 'Reason for the reports' : 'Reason'} required value={reportReason} onChange={(v) => setReportReason(v as Rejection)} data-testid="reject-reason">
            <Stack gap={6} mt={6}>
              {REJECTIONS.map((r, i) => <Radio key={r} value={r} label={REJECTION_LABELS[r]} data-autofocus={(!hasAlerts && i === 0) || undefined} data-testid={`reject-${r}`} />)}
            </Stack>
          </Radio.Group>
        )}
      </SimpleGrid>
      <Textarea label="Note" description="Optional. Kept with the decision (internal)." autosize minRows={2} maxRows={6} maxLength={5000}
        value={note} onChange={(e) => setNote(e.currentTarget.value)} data-testid="dismiss-note" />
      <Refusal error={error} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
        <Button type="submit" color="red" loading={busy} disabled={!valid} data-testid="dismiss-submit">{verb}</Button>
      </Group>
    </Shell>
  );
}

/** Puts a dismissed or acknowledged alert back in the queue as new, with a reason. */
export function ReopenAlertModal({ alert, onClose }: { alert: Alert; onClose: () => void }) {
  const client = useQueryClient();
  const [reason, setReason] = useState('');
  const { busy, error, run, setError } = useAction();
  useEffect(() => setError(null), [alert.id, setError]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim() || busy) return;
    await run(async () => {
      try {
        await api.post(alertApi(alert.id, 'reopen'), { reason: reason.trim(), version: alert.version });
        onClose();
      } finally {
        refreshAfterTriage(client);
      }
    });
  };
  return (
    <Modal opened onClose={() => !busy && onClose()} title={<Text fw={600}>Back to the queue</Text>} size="md">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack gap="sm">
          <Text size="sm" c="dimmed">{alert.reference} · {alert.title}</Text>
          <Textarea label="Why" required data-autofocus autosize minRows={2} maxRows={6} maxLength={2000} value={reason}
            onChange={(e) => setReason(e.currentTarget.value)} data-testid="reopen-reason" />
          <ErrorAlert error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
            <Button type="submit" loading={busy} disabled={!reason.trim()} data-testid="reopen-submit">Reopen</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
