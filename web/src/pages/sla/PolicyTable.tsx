// One table of SLA policies (the team's, or one constituent's): a row per priority with its calendar
// in one line, the four targets in human units and the warning point.
import type { ReactNode } from 'react';
import { Badge, Button, Group, Table, Text } from '@mantine/core';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { PRIORITIES, type Priority } from '../../api/incidents';
import { calendarText, dayLength, formatMinutes } from './format';
import { TARGETS, type SlaPolicy } from './slaApi';

const PRIORITY_COLORS: Record<Priority, string> = { P1: 'red', P2: 'orange', P3: 'yellow', P4: 'gray' };

function Target({ minutes, perDay }: { minutes: number | null; perDay: number }) {
  if (minutes === null) return <Text span size="sm" c="dimmed">—</Text>;
  return <Text span size="sm" title={`${minutes} working minutes`} style={{ whiteSpace: 'nowrap' }}>{formatMinutes(minutes, perDay)}</Text>;
}

export function PolicyTable({ policies, canEdit, missing, onEdit, onDelete, onCreate, testId }: {
  policies: SlaPolicy[];
  canEdit: boolean;
  /** What a priority without a policy means here (a row per missing priority when given). */
  missing?: ReactNode;
  onEdit: (p: SlaPolicy) => void;
  onDelete: (p: SlaPolicy) => void;
  onCreate: (priority: Priority) => void;
  testId: string;
}) {
  const byPriority = new Map(policies.map((p) => [p.priority, p]));
  const shown = missing ? [...PRIORITIES] : PRIORITIES.filter((p) => byPriority.has(p));
  return (
    <Table withTableBorder verticalSpacing="sm" data-testid={testId}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={70}>Priority</Table.Th>
          <Table.Th>Calendar</Table.Th>
          {TARGETS.map((t) => <Table.Th key={t.key} w={110} style={{ whiteSpace: 'nowrap' }}>{t.label}</Table.Th>)}
          <Table.Th w={70}>Warn</Table.Th>
          {canEdit && <Table.Th w={150} />}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {shown.map((priority) => {
          const p = byPriority.get(priority);
          if (!p) {
            return (
              <Table.Tr key={priority} data-testid="sla-row" data-priority={priority} data-missing="true">
                <Table.Td><Badge color={PRIORITY_COLORS[priority]} variant="light">{priority}</Badge></Table.Td>
                <Table.Td colSpan={TARGETS.length + 2}><Text size="sm" c="dimmed">{missing}</Text></Table.Td>
                {canEdit && (
                  <Table.Td>
                    <Group justify="flex-end">
                      <Button size="compact-xs" variant="subtle" leftSection={<IconPlus size={12} />} onClick={() => onCreate(priority)} data-testid="sla-create-here">Create</Button>
                    </Group>
                  </Table.Td>
                )}
              </Table.Tr>
            );
          }
          const perDay = dayLength(p.calendar);
          return (
            <Table.Tr key={p.id} data-testid="sla-row" data-priority={priority}>
              <Table.Td><Badge color={PRIORITY_COLORS[priority]} variant="light">{priority}</Badge></Table.Td>
              <Table.Td><Text size="sm" data-testid="sla-calendar-text" title={p.calendar.kind === 'business_hours' && p.calendar.holidays.length ? `Holidays: ${p.calendar.holidays.join(', ')}` : undefined}>{calendarText(p.calendar)}</Text></Table.Td>
              {TARGETS.map((t) => <Table.Td key={t.key} data-testid={`sla-${t.key}`}><Target minutes={p[t.key]} perDay={perDay} /></Table.Td>)}
              <Table.Td><Text size="sm" data-testid="sla-warn-text">{p.warnPercent} %</Text></Table.Td>
              {canEdit && (
                <Table.Td>
                  <Group gap={4} justify="flex-end" wrap="nowrap">
                    <Button size="compact-xs" variant="subtle" leftSection={<IconPencil size={12} />} onClick={() => onEdit(p)} data-testid="sla-edit">Edit</Button>
                    <Button size="compact-xs" variant="subtle" color="red" leftSection={<IconTrash size={12} />} onClick={() => onDelete(p)} data-testid="sla-delete">Delete</Button>
                  </Group>
                </Table.Td>
              )}
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
