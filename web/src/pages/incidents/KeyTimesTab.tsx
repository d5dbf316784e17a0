import { useState, type FormEvent } from 'react';
import { Button, Group, Paper, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDeviceFloppy } from '@tabler/icons-react';
import { api } from '../../api/client';
import { KEY_TIME_LABELS, KEY_TIMES, type Incident, type KeyTime } from '../../api/incidents';
import { fieldErrors } from '../../components/errors';
import { useIncident, useIncidentWrite } from './useIncidentWrite';

type Values = Record<KeyTime, string>;

const HELP: Record<KeyTime, string> = {
  firstCompromiseAt: 'When the attacker first got in, as far as known.',
  detectedAt: 'When someone first noticed.',
  containedAt: 'When the spread was stopped.',
  recoveredAt: 'When normal operation was back.',
};

/** An ISO instant as the value of a datetime-local input (the reader's time zone), and back. */
function toLocal(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fromLocal(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

const valuesOf = (i: Incident): Values =>
  Object.fromEntries(KEY_TIMES.map((k) => [k, toLocal(i.keyTimes[k])])) as Values;

export function KeyTimesTab() {
  const { incident, canWrite } = useIncident();
  // What the form started from; only fields changed since are sent, so others' edits survive a re-apply.
  const [original, setOriginal] = useState<Values>(() => valuesOf(incident));
  const [draft, setDraft] = useState<Values>(original);
  const write = useIncidentWrite((saved) => {
    const v = valuesOf(saved);
    setOriginal(v);
    setDraft(v);
    notifications.show({ color: 'teal', message: 'Key times saved.' });
  });
  const errs = fieldErrors(write.error);
  const changed = KEY_TIMES.filter((k) => draft[k] !== original[k]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (changed.length === 0) return;
    const body = Object.fromEntries(changed.map((k) => [k, fromLocal(draft[k])]));
    void write.run(incident.version, (version) =>
      api.patch<Incident>(`/incidents/${encodeURIComponent(incident.id)}/key-times`, { version, ...body }));
  };

  return (
    <Paper withBorder p="lg" component="form" onSubmit={submit} aria-label="Key times" maw={760}>
      <Stack gap="md">
        <Text size="sm" c="dimmed">
          When things happened, which may differ from when they were recorded. Times are in your time zone and must be in this order.
        </Text>
        {write.alert}
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          {KEY_TIMES.map((k) => (
            <TextInput key={k} type="datetime-local" label={KEY_TIME_LABELS[k]} description={HELP[k]} value={draft[k]}
              readOnly={!canWrite} error={errs[k]} data-testid={`keytime-${k}`}
              onChange={(e) => { const value = e.currentTarget.value; setDraft((d) => ({ ...d, [k]: value })); }} />
          ))}
        </SimpleGrid>
        {canWrite && (
          <Group gap="sm">
            <Button type="submit" leftSection={<IconDeviceFloppy size={16} />} loading={write.busy} disabled={changed.length === 0}
              data-testid="keytimes-save">
              Save key times
            </Button>
            {changed.length > 0 && (
              <Button variant="subtle" color="gray" onClick={() => setDraft(original)} disabled={write.busy}>Undo changes</Button>
            )}
          </Group>
        )}
      </Stack>
    </Paper>
  );
}
