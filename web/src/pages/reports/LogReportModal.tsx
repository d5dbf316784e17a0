// Logging a report that did not arrive through the API or the portal: a phone call, a forwarded
// e-mail, a conversation. It enters the queue as new like any other report.
import { useState, type FormEvent } from 'react';
import { Button, Group, Modal, Select, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Tlp } from '../../api/incidents';
import { CHANNEL_LABELS, LOGGED_CHANNELS, REPORTS_KEY, type Channel, type Report } from '../../api/reports';
import { ErrorAlert, fieldErrors } from '../../components/errors';
import { useAction } from '../../components/useAction';
import { TLP_OPTIONS } from '../incidents/DeclareIncidentModal';

/** "2026-03-04T10:15" for a datetime-local input, in the reader's time zone. */
function localNow(): string {
  const d = new Date();
  d.setSeconds(0, 0);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

interface Draft {
  title: string;
  body: string;
  channel: Channel;
  tlp: Tlp;
  reporterName: string;
  reporterEmail: string;
  reporterPhone: string;
  organisation: string;
  receivedAt: string;
  urgency: Urgency;
}

type Urgency = '' | 'low' | 'medium' | 'high' | 'critical';
const URGENCY_OPTIONS = [
  { value: '', label: 'Not said' }, { value: 'low', label: 'Low' }, { value: 'medium', label: 'Medium' },
  { value: 'high', label: 'High' }, { value: 'critical', label: 'Critical: happening now' },
];

const blank = (): Draft => ({
  title: '', body: '', channel: 'phone', tlp: 'AMBER', reporterName: '', reporterEmail: '', reporterPhone: '', organisation: '', receivedAt: localNow(), urgency: '',
});

export function LogReportModal({ onClose, onLogged }: { onClose: () => void; onLogged: (r: Report) => void }) {
  const client = useQueryClient();
  const [d, setDraft] = useState<Draft>(blank);
  const { busy, error, run } = useAction();
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((x) => ({ ...x, [key]: value }));
  const errs = fieldErrors(error);
  const received = d.receivedAt ? new Date(d.receivedAt) : null;
  const receivedInvalid = received !== null && (Number.isNaN(received.getTime()) || received.getTime() > Date.now() + 60_000);
  const valid = d.title.trim() !== '' && !receivedInvalid;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    await run(async () => {
      const opt = (v: string) => v.trim() || null;
      const created = await api.post<Report>('/reports', {
        title: d.title.trim(), body: d.body, channel: d.channel, tlp: d.tlp,
        reporterName: opt(d.reporterName), reporterEmail: opt(d.reporterEmail), reporterPhone: opt(d.reporterPhone), organisation: opt(d.organisation),
        ...(received ? { receivedAt: received.toISOString() } : {}),
        ...(d.urgency ? { urgency: d.urgency } : {}),
      });
      void client.invalidateQueries({ queryKey: REPORTS_KEY });
      onLogged(created);
      onClose();
    });
  };

  return (
    <Modal opened onClose={() => !busy && onClose()} title={<Text fw={600}>Log a report</Text>} size="lg">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack gap="sm">
          <ErrorAlert error={error} />
          <SimpleGrid cols={4} spacing="sm">
            <Select label="Channel" data={LOGGED_CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }))} value={d.channel} allowDeselect={false}
              onChange={(v) => v && set('channel', v as Channel)} data-testid="log-channel" comboboxProps={{ withinPortal: true }} />
            <TextInput label="Received at" type="datetime-local" value={d.receivedAt} onChange={(e) => set('receivedAt', e.currentTarget.value)}
              error={receivedInvalid ? 'Not in the future' : errs.receivedAt} data-testid="log-received" />
            <Select label="TLP" data={TLP_OPTIONS} value={d.tlp} allowDeselect={false} onChange={(v) => v && set('tlp', v as Tlp)}
              data-testid="log-tlp" comboboxProps={{ withinPortal: true }} />
            <Select label="Urgency" data={URGENCY_OPTIONS} value={d.urgency} allowDeselect={false} onChange={(v) => set('urgency', (v ?? '') as Urgency)}
              data-testid="log-urgency" comboboxProps={{ withinPortal: true }} />
          </SimpleGrid>
          <TextInput label="Title" required data-autofocus maxLength={300} value={d.title} error={errs.title}
            placeholder="What was reported, in a line" onChange={(e) => set('title', e.currentTarget.value)} data-testid="log-title" />
          <Textarea label="What the reporter said" autosize minRows={4} maxRows={12} value={d.body} error={errs.body}
            onChange={(e) => set('body', e.currentTarget.value)} data-testid="log-body" />
          <SimpleGrid cols={2} spacing="sm">
            <TextInput label="Caller / reporter name" maxLength={200} value={d.reporterName} error={errs.reporterName}
              onChange={(e) => set('reporterName', e.currentTarget.value)} data-testid="log-reporter-name" />
            <TextInput label="Organisation" maxLength={200} value={d.organisation} error={errs.organisation}
              onChange={(e) => set('organisation', e.currentTarget.value)} data-testid="log-organisation" />
            <TextInput label="E-mail" type="email" maxLength={320} value={d.reporterEmail} error={errs.reporterEmail}
              onChange={(e) => set('reporterEmail', e.currentTarget.value)} data-testid="log-reporter-email" />
            <TextInput label="Call-back number" maxLength={60} value={d.reporterPhone} error={errs.reporterPhone}
              onChange={(e) => set('reporterPhone', e.currentTarget.value)} data-testid="log-reporter-phone" />
          </SimpleGrid>
          <Group justify="flex-end" mt="xs">
            <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
            <Button type="submit" loading={busy} disabled={!valid} data-testid="log-submit">Log report</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
