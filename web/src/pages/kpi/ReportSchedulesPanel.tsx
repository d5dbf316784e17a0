// Scheduled KPI reports: which report (monthly, annual) goes to whom, as PDF or HTML, at which TLP.
// Admins and managers list, create, change and delete them; for anyone else the panel shows nothing.
import { useState } from 'react';
import { Alert, Badge, Button, Group, List, Modal, SegmentedControl, Select, Stack, Switch, Table, TagsInput, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconAlertTriangle, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { TLPS, type Tlp } from '../../api/incidents';
import {
  REPORT_KIND_LABELS, REPORT_SCHEDULES_KEY, reportSchedulesApi, scheduleProblems,
  type ReportKind, type ReportSchedule, type ReportScheduleInput,
} from '../../api/kpiReports';
import { useMe } from '../../auth/session';
import { hasPermission } from '../../auth/permissions';
import { EmptyRow, Section } from '../../components/common';
import { useConfirm } from '../../components/confirm';
import { ErrorAlert, errorTitle } from '../../components/errors';

const EMPTY: ReportScheduleInput = { kind: 'monthly', recipients: [], format: 'pdf', tlp: 'GREEN', enabled: true };

function ScheduleModal({ editing, onClose }: { editing: ReportSchedule | 'new'; onClose: () => void }) {
  const client = useQueryClient();
  const [draft, setDraft] = useState<ReportScheduleInput>(
    editing === 'new' ? EMPTY : { kind: editing.kind, recipients: editing.recipients, format: editing.format, tlp: editing.tlp, enabled: editing.enabled },
  );
  const set = <K extends keyof ReportScheduleInput>(k: K, v: ReportScheduleInput[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const save = useMutation({
    mutationFn: () => (editing === 'new' ? reportSchedulesApi.create(draft) : reportSchedulesApi.update(editing.id, draft, editing.version)),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: REPORT_SCHEDULES_KEY });
      notifications.show({ color: 'teal', message: editing === 'new' ? 'The report schedule is created.' : 'The report schedule is saved.' });
      onClose();
    },
  });
  const problems = scheduleProblems(save.error);
  return (
    <Modal opened onClose={onClose} title={editing === 'new' ? 'New report schedule' : 'Edit report schedule'} size="lg">
      <Stack>
        <Select label="Report" data={[{ value: 'monthly', label: REPORT_KIND_LABELS.monthly }, { value: 'annual', label: REPORT_KIND_LABELS.annual }]}
          value={draft.kind} onChange={(v) => v && set('kind', v as ReportKind)} allowDeselect={false} data-testid="schedule-kind"
          description={draft.kind === 'monthly' ? 'Sent once a month is over in the team’s time zone, for that month.' : 'Sent once a year is over in the team’s time zone, for that year.'} />
        <TagsInput label="Recipients" description="E-mail addresses; press Enter after each." value={draft.recipients}
          onChange={(v) => set('recipients', v)} splitChars={[',', ' ', ';']} maxTags={50} data-testid="schedule-recipients" />
        <Stack gap={4}>
          <Text size="sm" fw={500}>Format</Text>
          <SegmentedControl value={draft.format} onChange={(v) => set('format', v as ReportScheduleInput['format'])} data={[{ value: 'pdf', label: 'PDF' }, { value: 'html', label: 'HTML' }]} data-testid="schedule-format" />
        </Stack>
        {draft.kind === 'annual' && (
          <Select label="TLP" description="Notable incidents and activities at or below this TLP are named; the report carries this marking."
            data={TLPS.map((t) => ({ value: t, label: `TLP:${t}` }))} value={draft.tlp} onChange={(v) => v && set('tlp', v as Tlp)} allowDeselect={false} data-testid="schedule-tlp" />
        )}
        <Switch label="Enabled" checked={draft.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} data-testid="schedule-enabled" />
        {save.error !== null && (problems
          ? (
            <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title={errorTitle(save.error)} role="alert" data-testid="error-alert">
              <List size="sm" data-testid="schedule-problems">{problems.map((p, i) => <List.Item key={i}>{p}</List.Item>)}</List>
            </Alert>
          )
          : <ErrorAlert error={save.error} />)}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button onClick={() => save.mutate()} loading={save.isPending} disabled={draft.recipients.length === 0} data-testid="schedule-save">Save</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
/** The report schedules, for admins and managers (renders nothing for other roles). No props. */
export function ReportSchedulesPanel() {
  const me = useMe();
  const canManage = hasPermission(me, 'kpi.manage');
  const client = useQueryClient();
  const query = useQuery({ queryKey: REPORT_SCHEDULES_KEY, queryFn: reportSchedulesApi.list, enabled: canManage });
  const [editing, setEditing] = useState<ReportSchedule | 'new' | null>(null);
  const [confirmModal, confirm] = useConfirm();
  if (!canManage) return null;
  const items = query.data?.items ?? [];

  const remove = (s: ReportSchedule) => confirm({
    title: 'Delete report schedule', confirmLabel: 'Delete', danger: true,
    message: <>Stop sending the {REPORT_KIND_LABELS[s.kind].toLowerCase()} to {s.recipients.join(', ')}? Its delivery history is deleted with it. To pause it, disable it instead.</>,
    onConfirm: async () => {
      await reportSchedulesApi.remove(s.id);
      await client.invalidateQueries({ queryKey: REPORT_SCHEDULES_KEY });
      notifications.show({ color: 'teal', message: 'The report schedule is deleted.' });
    },
  });

  return (
    <Section title="Scheduled reports" description="The monthly and annual reports e-mailed to these recipients once each period is over, in the team’s time zone."
      actions={<Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')} data-testid="schedule-new">New schedule</Button>}>
      <ErrorAlert error={query.error} />
      <Table withTableBorder verticalSpacing="sm" data-testid="schedule-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Report</Table.Th>
            <Table.Th>Recipients</Table.Th>
            <Table.Th w={80}>Format</Table.Th>
            <Table.Th w={130}>TLP</Table.Th>
            <Table.Th w={110}>Last sent</Table.Th>
            <Table.Th w={100}>Enabled</Table.Th>
            <Table.Th w={100} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {query.isLoading && <EmptyRow colSpan={7}>Loading…</EmptyRow>}
          {!query.isLoading && items.length === 0 && <EmptyRow colSpan={7}>No report is scheduled.</EmptyRow>}
          {items.map((s) => (
            <Table.Tr key={s.id} data-testid="schedule-row" data-kind={s.kind}>
              <Table.Td>{REPORT_KIND_LABELS[s.kind]}</Table.Td>
              <Table.Td><Text size="sm" style={{ overflowWrap: 'anywhere' }} data-testid="schedule-recipients-text">{s.recipients.join(', ')}</Text></Table.Td>
              <Table.Td>{s.format.toUpperCase()}</Table.Td>
              <Table.Td>TLP:{s.kind === 'monthly' ? 'GREEN' : s.tlp}</Table.Td>
              <Table.Td>
                <Tooltip label="The last period claimed: it is sent, or being sent. A new schedule starts with the next period to end." withArrow multiline w={260}>
                  <Text size="sm" span>{s.lastPeriod ?? '—'}</Text>
                </Tooltip>
              </Table.Td>
              <Table.Td><Badge size="sm" variant="light" color={s.enabled ? 'teal' : 'gray'}>{s.enabled ? 'enabled' : 'disabled'}</Badge></Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <Button size="compact-sm" variant="subtle" aria-label="Edit schedule" onClick={() => setEditing(s)} data-testid="schedule-edit"><IconPencil size={16} /></Button>
                  <Button size="compact-sm" variant="subtle" color="red" aria-label="Delete schedule" onClick={() => remove(s)} data-testid="schedule-delete"><IconTrash size={16} /></Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {editing && <ScheduleModal key={editing === 'new' ? 'new' : `${editing.id}:${editing.version}`} editing={editing} onClose={() => setEditing(null)} />}
      {confirmModal}
    </Section>
  );
}
