// SLA policies: the team's targets per priority, then constituents' own (used while the constituent
// has an SLA agreement in force). Admins and managers edit them; every team role reads them.
import { useState } from 'react';
import { Anchor, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { IconPlus } from '@tabler/icons-react';
import type { Priority } from '../../api/incidents';
import { useMe } from '../../auth/session';
import { hasPermission } from '../../auth/permissions';
import { PageHeader } from '../../components/common';
import { useConfirm } from '../../components/confirm';
import { ErrorAlert } from '../../components/errors';
import { Link } from '../../router';
import { AgreementBadge, useSlaAgreements } from './ConstituentPicker';
import { calendarText } from './format';
import { PolicyFormModal } from './PolicyFormModal';
import { PolicyTable } from './PolicyTable';
import { SLA_POLICIES_KEY, slaApi, type SlaPolicy } from './slaApi';

type Editing = { policy: SlaPolicy } | { preset: { priority?: Priority; constituentId?: string; constituentName?: string } };

export function SlaPoliciesPage() {
  const me = useMe();
  const canEdit = hasPermission(me, 'sla.manage');
  const client = useQueryClient();
  const policies = useQuery({ queryKey: SLA_POLICIES_KEY, queryFn: slaApi.list });
  const [editing, setEditing] = useState<Editing | null>(null);
  const [confirmModal, confirm] = useConfirm();
  const items = policies.data?.items ?? [];
  const team = items.filter((p) => !p.constituentId);
  const groups = new Map<string, { name: string; policies: SlaPolicy[] }>();
  for (const p of items) {
    if (!p.constituentId) continue;
    const g = groups.get(p.constituentId) ?? { name: p.constituentName ?? 'Unknown constituent', policies: [] };
    g.policies.push(p);
    groups.set(p.constituentId, g);
  }
  const agreements = useSlaAgreements([...groups.keys()]);
  const refresh = () => client.invalidateQueries({ queryKey: SLA_POLICIES_KEY });

  const remove = (p: SlaPolicy) => confirm({
    title: 'Delete SLA policy', confirmLabel: 'Delete', danger: true,
    message: p.constituentName
      ? <>Delete the <strong>{p.priority}</strong> policy of <strong>{p.constituentName}</strong> ({calendarText(p.calendar)})? Its {p.priority} incidents are then measured against the team's {p.priority} policy.</>
      : <>Delete the team's <strong>{p.priority}</strong> policy ({calendarText(p.calendar)})? {p.priority} incidents without a constituent policy then have no SLA clocks.</>,
    onConfirm: async () => {
      await slaApi.remove(p.id);
      await refresh();
      notifications.show({ color: 'teal', message: `The ${p.priority} policy${p.constituentName ? ` of ${p.constituentName}` : ''} is deleted.` });
    },
  });

  const tableProps = { canEdit, onEdit: (policy: SlaPolicy) => setEditing({ policy }), onDelete: remove };
  return (
    <Stack gap="lg">
      <PageHeader title="SLA policies"
        description="Targets in working time for each priority: acknowledge, first response, containment and resolution. A day is one working day of the policy's calendar."
        actions={canEdit && <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing({ preset: {} })} data-testid="sla-new">New policy</Button>} />
      <ErrorAlert error={policies.error} />
      <Stack gap="xs">
        <Title order={3} fz={17}>The team's policies</Title>
        <PolicyTable {...tableProps} testId="sla-team-table" policies={team}
          missing={policies.isLoading ? 'Loading…' : 'No policy: incidents of this priority have no SLA clocks.'}
          onCreate={(priority) => setEditing({ preset: { priority } })} />
      </Stack>
      <Stack gap="xs">
        <Title order={3} fz={17}>Constituents' own policies</Title>
        <Text size="sm" c="dimmed">
          They apply to a constituent's incidents only while it has an agreement of kind SLA in force on the day the incident is declared; otherwise the team's policy for the priority applies.
        </Text>
        {groups.size === 0 && !policies.isLoading && <Text size="sm" c="dimmed" data-testid="sla-no-constituent-policies">No constituent has its own policies.</Text>}
        {[...groups].map(([id, g]) => (
          <Stack key={id} gap={6} data-testid="sla-constituent-group" data-name={g.name}>
            <Group justify="space-between" align="center">
              <Group gap="sm">
                <Anchor component={Link} href={`/constituents/${id}`} fw={600} size="sm">{g.name}</Anchor>
                <AgreementBadge state={agreements[id]} />
              </Group>
              {canEdit && g.policies.length < 4 && (
                <Button size="compact-xs" variant="subtle" leftSection={<IconPlus size={12} />} data-testid="sla-group-add"
                  onClick={() => setEditing({ preset: { constituentId: id, constituentName: g.name, priority: (['P1', 'P2', 'P3', 'P4'] as const).find((x) => !g.policies.some((p) => p.priority === x)) } })}>
                  Add a priority
                </Button>
              )}
            </Group>
            <PolicyTable {...tableProps} testId="sla-constituent-table" policies={g.policies}
              onCreate={(priority) => setEditing({ preset: { priority, constituentId: id, constituentName: g.name } })} />
          </Stack>
        ))}
      </Stack>
      {editing && (
        <PolicyFormModal policy={'policy' in editing ? editing.policy : null} preset={'preset' in editing ? editing.preset : {}}
          onClose={() => setEditing(null)}
          onSaved={(p) => {
            setEditing(null);
            notifications.show({ color: 'teal', message: `The ${p.priority} policy${p.constituentName ? ` of ${p.constituentName}` : ''} is saved.` });
            void refresh();
          }} />
      )}
      {confirmModal}
    </Stack>
  );
}
