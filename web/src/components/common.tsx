import type { ReactNode } from 'react';
import { ActionIcon, Badge, Box, Code, CopyButton, Group, Paper, Stack, Text, Title, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import type { Role } from '../api/types';

export const ROLE_COLORS: Record<Role, string> = {
  admin: 'red',
  manager: 'grape',
  handler: 'signal',
  viewer: 'gray',
  reporter: 'yellow',
};

export function RoleBadges({ roles }: { roles: readonly Role[] }) {
  if (roles.length === 0) return <Text size="xs" c="dimmed">none</Text>;
  return (
    <Group gap={4} wrap="wrap">
      {roles.map((r) => (
        <Badge key={r} size="sm" variant="light" color={ROLE_COLORS[r] ?? 'gray'}>
          {r}
        </Badge>
      ))}
    </Group>
  );
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const preciseFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function formatDate(iso: string | null | undefined, seconds = false): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : (seconds ? preciseFormat : dateFormat).format(d);
}

/** A date shown in the reader's locale, with the exact UTC time on hover. */
export function DateText({ value, empty = '—', seconds = false }: { value: string | null | undefined; empty?: string; seconds?: boolean }) {
  if (!value) return <Text span size="sm" c="dimmed">{empty}</Text>;
  return (
    <Text span size="sm" title={value} style={{ whiteSpace: 'nowrap' }}>
      {formatDate(value, seconds)}
    </Text>
  );
}

export function CopyIcon({ value, label = 'Copy' }: { value: string; label?: string }) {
  return (
    <CopyButton value={value} timeout={1600}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? 'Copied' : label}>
          <ActionIcon variant="subtle" color={copied ? 'teal' : 'gray'} onClick={copy} aria-label={label}>
            {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
          </ActionIcon>
        </Tooltip>
      )}
    </CopyButton>
  );
}

/** A secret shown once (token, temporary password): monospace, selectable, with a copy button. */
export function SecretValue({ value, testId, label }: { value: string; testId?: string; label: string }) {
  return (
    <Group gap="xs" wrap="nowrap" align="center">
      <Code block data-testid={testId} aria-label={label} style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap', fontSize: 14 }}>
        {value}
      </Code>
      <CopyIcon value={value} label={`Copy ${label.toLowerCase()}`} />
    </Group>
  );
}

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <Group justify="space-between" align="flex-end" wrap="wrap">
      <Box>
        <Title order={1} fz={22}>{title}</Title>
        {description && <Text c="dimmed" size="sm" mt={4}>{description}</Text>}
      </Box>
      {actions && <Group gap="sm">{actions}</Group>}
    </Group>
  );
}

export function Section({ title, description, children, actions }: { title: string; description?: ReactNode; children: ReactNode; actions?: ReactNode }) {
  return (
    <Paper withBorder p="lg" component="section" aria-label={title}>
      <Group justify="space-between" align="flex-start" mb="md" wrap="nowrap">
        <Stack gap={2}>
          <Title order={3} fz="lg">{title}</Title>
          {description && <Text size="sm" c="dimmed">{description}</Text>}
        </Stack>
        {actions}
      </Group>
      {children}
    </Paper>
  );
}

export { Brand } from './Brand';

export function EmptyRow({ colSpan, children }: { colSpan: number; children: ReactNode }) {
  return (
    <tr>
      <td colSpan={colSpan}>
        <Text size="sm" c="dimmed" ta="center" py="md">{children}</Text>
      </td>
    </tr>
  );
}
