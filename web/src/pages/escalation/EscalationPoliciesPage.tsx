// Escalation policies: who is told about a serious incident, in which order, after how long, and
// until when. The default follows the seeds: management first for P1 and P2.
import { useState } from 'react';
import { Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { api, ApiError } from '../../api/client';
import { POLICIES_KEY, type EscalationPolicy, type Recipient } from '../../api/escalation';
import { humanize } from '../../api/incidents';
import { useMe } from '../../auth/session';
import { hasPermission } from '../../auth/permissions';
import { EmptyRow, PageHeader } from '../../components/common';
import { useConfirm } from '../../components/confirm';
import { ErrorAlert } from '../../components/errors';
import { PolicyEditor } from './PolicyEditor';
import { useRecipientOptions, valueOf, type RecipientOptions } from './RecipientPicker';

function recipientText(r: Recipient, options: RecipientOptions): string {
  if (r.kind === 'on_duty') return 'whoever is on duty';
  const v = valueOf(r);
  const name = options[r.kind].find((o) => o.value === v)?.label ?? v;
  switch (r.kind) {
    case 'seat': return `${name} seat`;
    case 'incident_role': return `the incident's ${String(name).toLowerCase()}`;
    case 'rota': return `on duty in ${name}`;
    default: return String(name);
  }
}

/** "2 more rounds, 30 min apart", or that it stops after the last level. */
function repeatText(p: EscalationPolicy): string {
  if (p.repeatCount === 0) return 'no repeats';
  return `${p.repeatCount} more round${p.repeatCount === 1 ? '' : 's'}, ${p.repeatAfterMinutes} min apart`;
}

/** A refused delete, saying what uses the policy and what to do instead. */
function inUseError(e: unknown, name: string): unknown {
  if (!(e instanceof ApiError) || e.code !== 'VIG_ESCALATION_POLICY_IN_USE') return e;
  const followers = Array.isArray(e.problem.followedBy) ? (e.problem.followedBy as string[]) : [];
  const why = [
    followers.length ? `${followers.join(', ')} continue${followers.length === 1 ? 's' : ''} with it` : '',
    e.problem.hasRuns ? 'it escalated incidents' : '',
  ].filter(Boolean).join(', and ');
  return new Error(`${name} is in use${why ? `: ${why}` : ''}. Disable it instead${followers.length ? ', or change what continues with it first' : ''}.`);
}

export function EscalationPoliciesPage() {
  const me = useMe();
  const canEdit = hasPermission(me, 'escalation.manage');
  const client = useQueryClient();
  const policies = useQuery({ queryKey: POLICIES_KEY, queryFn: () => api.get<{ items: EscalationPolicy[] }>('/escalation/policies') });
  const options = useRecipientOptions();
  const [editing, setEditing] = useState<EscalationPolicy | 'new' | null>(null);
  const [confirmModal, confirm] = useConfirm();
  const items = policies.data?.items ?? [];
  const refresh = () => client.invalidateQueries({ queryKey: POLICIES_KEY });

  const remove = (p: EscalationPolicy) => confirm({
    title: 'Delete policy', confirmLabel: 'Delete', danger: true,
    message: <>Delete <strong>{p.name}</strong>? A policy that escalated incidents or that another policy continues with can only be disabled.</>,
    onConfirm: async () => {
      try {
        await api.del(`/escalation/policies/${p.id}`);
      } catch (e) {
        throw inUseError(e, p.name);
      }
      await refresh();
    },
  });

  return (
    <Stack gap="md">
      <PageHeader title="Escalation policies"
        description="Who is told about a declared incident, or one whose SLA is at risk, level by level, repeated until someone acknowledges it on the incident page. A level without delay goes out in the same moment the incident is declared (or the SLA warning is recorded)."
        actions={canEdit && <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')} data-testid="policy-new">New policy</Button>} />
      <ErrorAlert error={policies.error} />
      <Table withTableBorder verticalSpacing="sm" data-testid="policy-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w="28%">Policy</Table.Th><Table.Th style={{ whiteSpace: 'nowrap' }}>Applies to</Table.Th><Table.Th>Levels</Table.Th>
            <Table.Th w={190}>Until acknowledged</Table.Th><Table.Th w={150} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.length === 0 && <EmptyRow colSpan={5}>{policies.isLoading ? 'Loading…' : 'No policies: declared incidents escalate to nobody.'}</EmptyRow>}
          {items.map((p) => (
            <Table.Tr key={p.id} data-testid="policy-row" data-name={p.name}>
              <Table.Td>
                <Group gap={6}><Text fw={600} size="sm">{p.name}</Text>{!p.enabled && <Badge color="gray" size="xs">disabled</Badge>}</Group>
                {p.description && <Text size="xs" c="dimmed" lineClamp={2}>{p.description}</Text>}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{p.priorities.join(', ')}</Text>
                <Text size="xs" c="dimmed">{p.rsitClasses.length ? p.rsitClasses.map(humanize).join(', ') : 'any class'}</Text>
                <Text size="xs" c="dimmed" data-testid="policy-trigger-text">{p.trigger === 'sla_at_risk' ? 'when an SLA is at risk' : 'when declared'}</Text>
              </Table.Td>
              <Table.Td>
                <Stack gap={2}>
                  {p.levels.map((l) => (
                    <Text key={l.position} size="xs" data-testid="policy-level-line"><strong>{l.position}.</strong> {l.delayMinutes ? `after ${l.delayMinutes} min` : 'at once'}: {l.recipients.map((r) => recipientText(r, options)).join(', ')}</Text>
                  ))}
                </Stack>
              </Table.Td>
              <Table.Td>
                <Text size="xs">{repeatText(p)}</Text>
                <Text size="xs" c="dimmed" data-testid="policy-then-text">
                  {p.thenPolicyId ? `then ${items.find((q) => q.id === p.thenPolicyId)?.name ?? 'another policy'}` : 'then stop'}
                </Text>
              </Table.Td>
              <Table.Td>
                {canEdit && (
                  <Group gap={4} justify="flex-end" wrap="nowrap">
                    <Button size="compact-xs" variant="subtle" leftSection={<IconPencil size={12} />} onClick={() => setEditing(p)} data-testid="policy-edit">Edit</Button>
                    <Button size="compact-xs" variant="subtle" color="red" leftSection={<IconTrash size={12} />} onClick={() => remove(p)} data-testid="policy-delete">Delete</Button>
                  </Group>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {editing && (
        <PolicyEditor policy={editing} policies={items} onClose={() => setEditing(null)}
          onSaved={(p) => {
            setEditing(null);
            notifications.show({ color: 'teal', message: `${p.name} saved.` });
            void refresh();
          }} />
      )}
      {confirmModal}
    </Stack>
  );
}
