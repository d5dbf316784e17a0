// A reporter's page: submit a report for its organisation, and follow the organisation's reports
// by their public status (received, in progress, closed, not pursued).
import { Fragment, useState, type FormEvent } from 'react';
import { ActionIcon, Button, Group, Paper, Select, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { IconChevronDown, IconChevronRight, IconSend } from '@tabler/icons-react';
import { api, qs } from '../../api/client';
import type { Tlp } from '../../api/incidents';
import { REPORTS_KEY, type Page, type ReporterReport } from '../../api/reports';
import { useMe } from '../../auth/session';
import { DateText, EmptyRow, PageHeader } from '../../components/common';
import { ErrorAlert, fieldErrors } from '../../components/errors';
import { useAction } from '../../components/useAction';
import { TLP_OPTIONS } from '../incidents/DeclareIncidentModal';
import { PublicStatusBadge } from './reportBadges';

function SubmitForm() {
  const client = useQueryClient();
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [phone, setPhone] = useState('');
  const [tlp, setTlp] = useState<Tlp>('AMBER');
  const { busy, error, run } = useAction();
  const [sent, setSent] = useState<string | null>(null);
  const errs = fieldErrors(error);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!title.trim()) return;
    setSent(null);
    await run(async () => {
      const r = await api.post<ReporterReport>('/reports', { title: title.trim(), body, tlp, ...(phone.trim() ? { reporterPhone: phone.trim() } : {}) });
      setSent(r.reference);
      setTitle('');
      setBody('');
      void client.invalidateQueries({ queryKey: REPORTS_KEY });
    });
  };

  return (
    <Paper withBorder p="md" component="form" onSubmit={(e: FormEvent) => void submit(e)} aria-label="Report an incident">
      <Stack gap="sm">
        <Title order={3} fz="md">Report an incident</Title>
        <ErrorAlert error={error} />
        {sent && <Text size="sm" c="teal" role="status" data-testid="my-report-sent">Sent as <Text span ff="monospace" fw={600}>{sent}</Text>. The team will pick it up.</Text>}
        <TextInput label="What happened, in a line" required maxLength={300} value={title} error={errs.title}
          onChange={(e) => setTitle(e.currentTarget.value)} data-testid="my-report-title" />
        <Textarea label="Details" description="When it started, what you saw, systems and people affected, what you have done so far."
          autosize minRows={5} maxRows={14} value={body} error={errs.body} onChange={(e) => setBody(e.currentTarget.value)} data-testid="my-report-body" />
        <Group gap="sm" align="flex-end" wrap="wrap">
          <TextInput label="Phone to call you back" w={240} maxLength={60} value={phone} onChange={(e) => setPhone(e.currentTarget.value)}
            data-testid="my-report-phone" />
          <Select label="Sharing (TLP)" w={200} data={TLP_OPTIONS} value={tlp} allowDeselect={false} onChange={(v) => v && setTlp(v as Tlp)}
            data-testid="my-report-tlp" comboboxProps={{ withinPortal: true }} />
          <Button type="submit" leftSection={<IconSend size={16} />} loading={busy} disabled={!title.trim()} ml="auto" data-testid="my-report-submit">
            Send report
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

export function MyReportsPage() {
  const me = useMe();
  const [open, setOpen] = useState<string | null>(null);
  const query = useInfiniteQuery({
    queryKey: ['reports', 'mine'],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => api.get<Page<ReporterReport>>(`/reports${qs({ limit: 50, cursor: pageParam })}`),
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: 60_000,
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Stack gap="md">
      <PageHeader title="My reports" description={`Reports from ${items[0]?.organisation ?? 'your organisation'} and what became of them. Signed in as ${me.user.displayName}.`} />
      <SubmitForm />
      <ErrorAlert error={query.error} />
      <Table withTableBorder className="vigil-table" verticalSpacing={6}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={32} />
            <Table.Th>Reference</Table.Th>
            <Table.Th>Title</Table.Th>
            <Table.Th>Reported by</Table.Th>
            <Table.Th>Received</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Incident</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody data-testid="my-reports-table">
          {items.length === 0 && <EmptyRow colSpan={7}>{query.isLoading ? 'Loading…' : 'No reports yet.'}</EmptyRow>}
          {items.map((r) => (
            <Fragment key={r.id}>
              <Table.Tr data-reference={r.reference} data-status={r.publicStatus}>
                <Table.Td>
                  <ActionIcon size="sm" variant="subtle" color="gray" aria-label={open === r.id ? 'Hide details' : 'Show details'} aria-expanded={open === r.id}
                    onClick={() => setOpen(open === r.id ? null : r.id)}>
                    {open === r.id ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
                  </ActionIcon>
                </Table.Td>
                <Table.Td ff="monospace" fz="sm" style={{ whiteSpace: 'nowrap' }}>{r.reference}</Table.Td>
                <Table.Td maw={360}><Text size="sm" fw={500} truncate title={r.title}>{r.title}</Text></Table.Td>
                <Table.Td><Text size="sm">{r.reporterName ?? '—'}</Text></Table.Td>
                <Table.Td><DateText value={r.receivedAt} /></Table.Td>
                <Table.Td><PublicStatusBadge status={r.publicStatus} data-testid="my-report-status" /></Table.Td>
                <Table.Td ff="monospace" fz="sm" style={{ whiteSpace: 'nowrap' }}>{r.incidentReference ?? <Text span size="sm" c="dimmed">—</Text>}</Table.Td>
              </Table.Tr>
              {open === r.id && (
                <Table.Tr>
                  <Table.Td />
                  <Table.Td colSpan={6}>
                    <Text component="pre" size="sm" m={0} ff="monospace" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{r.body || '(no details)'}</Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Fragment>
          ))}
        </Table.Tbody>
      </Table>
      {query.hasNextPage && (
        <Group justify="center">
          <Button variant="default" loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>Load more</Button>
        </Group>
      )}
    </Stack>
  );
}
