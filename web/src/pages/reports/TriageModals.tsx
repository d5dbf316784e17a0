// The triage steps on one or more reports: link to an incident, reject with a reason, merge into
// another report, reopen. Several reports are sent one by one; the first refusal stops the run and
// says which reports were already done and what the refused one looks like now.
import { useState, type FormEvent, type ReactNode } from 'react';
import { Alert, Anchor, Button, Group, Modal, Radio, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { IconGitCompare } from '@tabler/icons-react';
import { api, ApiError } from '../../api/client';
import { INCIDENTS_KEY } from '../../api/incidents';
import {
  decisionText, INCIDENT_REFERENCE, normRef, REJECTION_LABELS, REJECTIONS, REPORT_REFERENCE, REPORTS_KEY, reportApi, reportConflict, reportKey,
  reportPath, type Rejection, type Report,
} from '../../api/reports';
import { problemReason } from '../../api/work';
import { formatDate } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { Link } from '../../router';

export type TriageKind = 'link' | 'reject' | 'merge' | 'reopen';

/** A refused triage step: the report's current state for a decided/stale report, the server's reason otherwise. */
export function TriageProblem({ error }: { error: unknown }) {
  if (!error) return null;
  const conflict = reportConflict(error);
  if (conflict) {
    const r = conflict.current;
    const decided = conflict.code === 'VIG_REPORT_DECIDED';
    return (
      <Alert color="yellow" variant="light" icon={<IconGitCompare size={18} />} role="alert" data-testid="report-conflict"
        title={decided ? `${r.reference} is already decided` : `${r.reference} changed since you read it`}>
        <Text size="sm">
          Nothing was changed. It is now: <b>{decisionText(r)}</b>
          {r.decidedAt ? ` (${formatDate(r.decidedAt)})` : ''}, version {r.version}, last changed {formatDate(r.updatedAt, true)}.
        </Text>
        <Anchor component={Link} href={reportPath(r.reference)} size="sm">Open {r.reference}</Anchor>
      </Alert>
    );
  }
  const reason = problemReason(error);
  if (reason && error instanceof ApiError) {
    return <Alert color="red" variant="light" title={error.title} role="alert" data-testid="error-alert"><Text size="sm">{reason}.</Text></Alert>;
  }
  return <ErrorAlert error={error} />;
}

const TITLES: Record<TriageKind, (n: number) => string> = {
  link: (n) => `Link ${n === 1 ? 'report' : `${n} reports`} to an incident`,
  reject: (n) => `Reject ${n === 1 ? 'report' : `${n} reports`}`,
  merge: () => 'Merge into another report',
  reopen: () => 'Reopen report',
};

/**
 * One modal for the four triage steps. `reports` are the ones acted on (merge and reopen take the
 * first only); onDone gets the reports as the server returned them.
 */
export function TriageModal({ kind, reports, onClose, onDone }: {
  kind: TriageKind;
  reports: readonly Report[];
  onClose: () => void;
  onDone?: (updated: Report[]) => void;
}) {
  const client = useQueryClient();
  const targets = kind === 'merge' || kind === 'reopen' ? reports.slice(0, 1) : reports;
  const [ref, setRef] = useState('');
  const [reason, setReason] = useState<Rejection | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Report[]>([]);

  const valid =
    kind === 'link' ? INCIDENT_REFERENCE.test(normRef(ref))
      : kind === 'merge' ? REPORT_REFERENCE.test(normRef(ref))
        : kind === 'reject' ? reason !== null
          : note.trim() !== '';

  const send = (r: Report): Promise<Report> => {
    switch (kind) {
      case 'link': return api.post<Report>(reportApi(r.id, 'link'), { incident: normRef(ref), version: r.version });
      case 'merge': return api.post<Report>(reportApi(r.id, 'merge'), { into: normRef(ref), version: r.version });
      case 'reject': return api.post<Report>(reportApi(r.id, 'reject'), { reason, ...(note.trim() ? { note: note.trim() } : {}), version: r.version });
      case 'reopen': return api.post<Report>(reportApi(r.id, 'reopen'), { reason: note.trim(), version: r.version });
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!valid || busy) return;
    setBusy(true);
    setError(null);
    const updated: Report[] = [...done];
    try {
      for (const r of targets) {
        if (updated.some((u) => u.id === r.id)) continue; // a retry after a refusal skips those already done
        const after = await send(r);
        client.setQueryData(reportKey(after.reference), after);
        client.setQueryData(reportKey(after.id), after);
        updated.push(after);
      }
      onDone?.(updated);
      onClose();
    } catch (err) {
      setDone(updated);
      const current = reportConflict(err)?.current;
      if (current) client.setQueryData(reportKey(current.reference), current);
      setError(err);
    } finally {
      setBusy(false);
      void client.invalidateQueries({ queryKey: REPORTS_KEY, predicate: (q) => q.queryKey[1] !== 'one' });
      if (kind !== 'reject') void client.invalidateQueries({ queryKey: INCIDENTS_KEY });
    }
  };

  let fields: ReactNode;
  if (kind === 'link' || kind === 'merge') {
    fields = (
      <TextInput label={kind === 'link' ? 'Incident reference' : 'Merge into report (reference)'} data-autofocus
        placeholder={kind === 'link' ? 'VIG-2026-00001' : 'VIG-R-2026-000001'} value={ref} onChange={(e) => setRef(e.currentTarget.value)}
        description={kind === 'link' ? 'An open incident. The link is recorded on its timeline.' : 'A repeat of the same report: this one follows that report\'s incident.'}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }} data-testid="triage-reference"
        error={ref.trim() && !valid ? `A reference like ${kind === 'link' ? 'VIG-2026-00001' : 'VIG-R-2026-000001'}` : undefined} />
    );
  } else if (kind === 'reject') {
    fields = (
      <>
        <Radio.Group label="Reason" required value={reason} onChange={(v) => setReason(v as Rejection)} data-testid="reject-reason">
          <Stack gap={6} mt={6}>
            {REJECTIONS.map((r, i) => (
              <Radio key={r} value={r} label={REJECTION_LABELS[r]} data-autofocus={i === 0 || undefined} data-testid={`reject-${r}`} />
            ))}
          </Stack>
        </Radio.Group>
        <Textarea label="Note" description="Optional. Kept with the decision (internal)." autosize minRows={2} maxRows={6} maxLength={5000}
          value={note} onChange={(e) => setNote(e.currentTarget.value)} data-testid="reject-note" />
      </>
    );
  } else {
    fields = (
      <Textarea label="Why reopen it" required data-autofocus autosize minRows={2} maxRows={6} maxLength={2000}
        description="The report goes back to the queue as new; an incident link is undone and recorded on the incident."
        value={note} onChange={(e) => setNote(e.currentTarget.value)} data-testid="reopen-reason" />
    );
  }

  return (
    <Modal opened onClose={() => !busy && onClose()} title={<Text fw={600}>{TITLES[kind](targets.length)}</Text>} size="md">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack gap="sm">
          <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            {targets.map((r) => r.reference).join(', ')}
            {targets.length === 1 ? ` · ${targets[0]!.title}` : ''}
          </Text>
          {fields}
          {done.length > 0 && error !== null && (
            <Text size="sm" data-testid="triage-partial">Done before the refusal: {done.map((r) => r.reference).join(', ')}.</Text>
          )}
          <TriageProblem error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
            <Button type="submit" color={kind === 'reject' ? 'red' : undefined} loading={busy} disabled={!valid} data-testid="triage-submit">
              {kind === 'link' ? 'Link' : kind === 'merge' ? 'Merge' : kind === 'reject' ? 'Reject' : 'Reopen'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
