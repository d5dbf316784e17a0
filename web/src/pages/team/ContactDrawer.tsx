// One external contact: how to reach them at any hour first (24/7 phone, phone, e-mail, hours in
// their time zone), then what they are for, the contract, the PGP key and notes.
import { Anchor, Badge, Button, Code, CopyButton, Divider, Drawer, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconCopy, IconPencil, IconPhoneCall } from '@tabler/icons-react';
import { DateText } from '../../components/common';
import { TlpBadge } from '../../components/incidentBadges';
import { groupedFingerprint, KIND_COLORS, KIND_LABELS, localTime, telHref, type Contact } from './directoryApi';

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>{label}</Text>
      <div>{children}</div>
    </div>
  );
}

export function ContactDrawer({ contact, onClose, onEdit }: { contact: Contact | null; onClose: () => void; onEdit?: ((c: Contact) => void) | undefined }) {
  const c = contact;
  const time = c ? localTime(c.timeZone) : null;
  const safeUrl = c?.url && /^https?:\/\//i.test(c.url) ? c.url : null;
  return (
    <Drawer opened={c !== null} onClose={onClose} position="right" size="lg" title={c && <Text fw={600}>{c.name}</Text>} data-testid="contact-drawer">
      {c && (
        <Stack gap="md">
          <Group gap="xs">
            <Badge color={KIND_COLORS[c.kind]} variant="light">{KIND_LABELS[c.kind]}</Badge>
            <TlpBadge tlp={c.tlp} />
            {!c.active && <Badge color="gray" variant="outline">inactive</Badge>}
            {c.organisation && <Text size="sm" c="dimmed">{c.organisation}</Text>}
          </Group>

          <Paper withBorder p="md" radius="md" bg="var(--mantine-color-red-light)" data-testid="contact-reach">
            <Group gap="xs" mb="xs">
              <IconPhoneCall size={18} />
              <Title order={5}>How to reach them at any hour</Title>
            </Group>
            <Stack gap={6}>
              {c.emergencyPhone ? (
                <Text size="lg" fw={700}>24/7: <Anchor href={telHref(c.emergencyPhone)} data-testid="contact-emergency">{c.emergencyPhone}</Anchor></Text>
              ) : (
                <Text size="sm" c="dimmed">No 24/7 number on file.</Text>
              )}
              {c.phone && <Text size="sm">Phone: <Anchor href={telHref(c.phone)}>{c.phone}</Anchor></Text>}
              {c.email && <Text size="sm">E-mail: <Anchor href={`mailto:${c.email}`}>{c.email}</Anchor>{c.pgpFingerprint ? ' (PGP key on file)' : ''}</Text>}
              {c.hours && <Text size="sm">Hours: {c.hours}</Text>}
              {c.timeZone && <Text size="sm">Time zone: {c.timeZone}{time ? ` (their time now: ${time})` : ''}</Text>}
              {safeUrl && <Text size="sm">Web: <Anchor href={safeUrl} target="_blank" rel="noopener noreferrer">{safeUrl}</Anchor></Text>}
            </Stack>
          </Paper>

          <Field label="What they are for"><Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{c.purpose || '—'}</Text></Field>
          <Field label="Contract / policy references"><Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{c.contractRef || '—'}</Text></Field>
          <Field label="PGP key">
            {c.pgpFingerprint ? (
              <Group gap="xs">
                <Code data-testid="contact-fingerprint">{groupedFingerprint(c.pgpFingerprint)}</Code>
                {c.pgpKey && (
                  <CopyButton value={c.pgpKey}>
                    {({ copied, copy }) => <Button size="compact-xs" variant="subtle" leftSection={<IconCopy size={12} />} onClick={copy}>{copied ? 'Copied' : 'Copy key'}</Button>}
                  </CopyButton>
                )}
              </Group>
            ) : <Text size="sm" c="dimmed">None</Text>}
          </Field>
          {c.notes && <Field label="Notes"><Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{c.notes}</Text></Field>}
          <Divider />
          <Group justify="space-between">
            <Text size="xs" c="dimmed">Changed <DateText value={c.updatedAt} /> · version {c.version}</Text>
            {onEdit && <Button size="xs" leftSection={<IconPencil size={14} />} onClick={() => onEdit(c)} data-testid="contact-edit">Edit</Button>}
          </Group>
        </Stack>
      )}
    </Drawer>
  );
}
