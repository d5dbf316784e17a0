import { Code, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import type { AuditEntry } from '../../api/types';
import { CopyIcon } from '../../components/common';

function Json({ label, value }: { label: string; value: unknown }) {
  const text = value === null || value === undefined ? null : JSON.stringify(value, null, 2);
  return (
    <Stack gap={4}>
      <Text size="xs" fw={600} c="dimmed" tt="uppercase">{label}</Text>
      {text === null ? (
        <Text size="sm" c="dimmed">—</Text>
      ) : (
        <Code block fz="xs" mah={320} style={{ overflow: 'auto' }}>{text}</Code>
      )}
    </Stack>
  );
}

function Field({ label, value }: { label: string; value: string | null }) {
  return (
    <Group gap="xs" wrap="nowrap" align="center">
      <Text size="xs" c="dimmed" w={90} style={{ flexShrink: 0 }}>{label}</Text>
      <Text size="xs" ff="monospace" style={{ wordBreak: 'break-all' }}>{value ?? '—'}</Text>
      {value && <CopyIcon value={value} label={`Copy ${label.toLowerCase()}`} />}
    </Group>
  );
}

/** The expanded view of one audit record: the change itself and where it came from. */
export function AuditDetails({ entry }: { entry: AuditEntry }) {
  return (
    <Stack gap="sm" py="xs" data-testid={`audit-details-${entry.seq}`}>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Json label="Before" value={entry.before} />
        <Json label="After" value={entry.after} />
      </SimpleGrid>
      <Stack gap={2}>
        <Field label="Time (UTC)" value={entry.at} />
        <Field label="Actor id" value={entry.actorId} />
        <Field label="Address" value={entry.ip} />
        <Field label="Request id" value={entry.requestId} />
        <Field label="Hash" value={entry.hash} />
      </Stack>
    </Stack>
  );
}
