// The triage queue: new reports first, newest first, worked from the keyboard. j/k move the
// selection, Enter opens, x ticks; d, l and r act on the ticked reports (or the selected one).
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Anchor, Button, Checkbox, Group, Kbd, MultiSelect, Paper, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useInfiniteQuery } from '@tanstack/react-query';
import { IconPhonePlus, IconSearch } from '@tabler/icons-react';
import { api, qs } from '../../api/client';
import {
  CHANNEL_LABELS, CHANNELS, REPORT_STATUSES, reportPath, type Page, type Report, type ReportStatus,
} from '../../api/reports';
import { useMe } from '../../auth/session';
import { hasPermission } from '../../auth/permissions';
import { EmptyRow, formatDate, PageHeader } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { TlpBadge } from '../../components/incidentBadges';
import { Link, navigate } from '../../router';
import { DeclareIncidentModal } from '../incidents/DeclareIncidentModal';
import { LogReportModal } from './LogReportModal';
import { ChannelText, ReportStatusBadge } from './reportBadges';
import { TriageModal, type TriageKind } from './TriageModals';

const PAGE_SIZE = 50;
const compact = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

type Action = { kind: 'declare' | TriageKind; reports: Report[] } | { kind: 'log' };

/** True when a key press belongs to a form field (or an open dialog), not to the queue. */
function typing(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  if (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName)) return true;
  return t.closest('[role="dialog"]') !== null;
}

function Legend() {
  const k = (key: string, what: string) => <Group gap={4} wrap="nowrap"><Kbd size="xs">{key}</Kbd><Text span size="xs" c="dimmed">{what}</Text></Group>;
  return (
    <Group gap="md" wrap="wrap" data-testid="shortcut-legend" aria-label="Keyboard shortcuts">
      {k('j', 'next')}{k('k', 'previous')}{k('Enter', 'open')}{k('x', 'tick')}
      {k('d', 'declare incident')}{k('l', 'link to incident')}{k('r', 'reject')}{k('/', 'search')}
    </Group>
  );
}

function Reporter({ r }: { r: Report }) {
  const who = r.reporterName ?? r.reporterEmail ?? r.reporterPhone;
  return (
    <Stack gap={0} maw={180}>
      <Text size="sm" truncate title={[r.reporterName, r.reporterEmail, r.reporterPhone].filter(Boolean).join(' · ') || undefined}>{who ?? '—'}</Text>
      {r.organisation && <Text size="xs" c="dimmed" truncate title={r.organisation}>{r.organisation}</Text>}
    </Stack>
  );
}

export function ReportQueuePage() {
  const me = useMe();
  const canTriage = hasPermission(me, 'report.triage');
  const [status, setStatus] = useState<ReportStatus | 'any'>('new');
  const [channels, setChannels] = useState<string[]>([]);
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [cursor, setCursor] = useState(-1);
  const [ticked, setTicked] = useState<Set<string>>(new Set());
  const [action, setAction] = useState<Action | null>(null);
  const [notice, setNotice] = useState<ReactNode>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const rows = useRef(new Map<string, HTMLTableRowElement>());

  const query = useInfiniteQuery({
    queryKey: ['reports', 'list', { status, channels, q }],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      api.get<Page<Report>>(`/reports${qs({
        status: status === 'any' ? undefined : status, channel: channels.join(','), q, limit: PAGE_SIZE, cursor: pageParam,
      })}`),
    getNextPageParam: (last) => last.nextCursor,
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const selected = cursor >= 0 ? items[cursor] : undefined;
  const tickedReports = items.filter((r) => ticked.has(r.id));
  const targets = tickedReports.length > 0 ? tickedReports : selected ? [selected] : [];

  // A filter change starts a fresh selection.
  useEffect(() => {
    setCursor(-1);
    setTicked(new Set());
  }, [status, channels, q]);

  const toggle = (id: string) => setTicked((s) => {
    const n = new Set(s);
    if (n.has(id)) n.delete(id);
    else n.add(id);
    return n;
  });

  // A bulk action applies when every target allows it (`allowed`, as the server says).
  const allows = (kind: 'declare' | 'link' | 'reject') => targets.length > 0 && targets.every((r) => r.allowed[kind]);
  const act = (kind: 'declare' | 'link' | 'reject') => {
    if (!canTriage || !allows(kind)) return;
    setNotice(null);
    setAction({ kind, reports: targets });
  };

  // The latest state for the key handler, without re-subscribing on every render.
  const live = useRef({ items, cursor, selected, act, toggle, action });
  live.current = { items, cursor, selected, act, toggle, action };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
      const s = live.current;
      if (s.action) return;
      const move = (to: number) => {
        const next = Math.max(0, Math.min(s.items.length - 1, to));
        setCursor(next);
        const r = s.items[next];
        if (r) rows.current.get(r.id)?.scrollIntoView({ block: 'nearest' });
      };
      switch (e.key) {
        case 'j': case 'ArrowDown': move(s.cursor + 1); break;
        case 'k': case 'ArrowUp': move(s.cursor - 1); break;
        case 'Enter': if (s.selected) navigate(reportPath(s.selected.reference)); else return; break;
        case 'x': if (s.selected) s.toggle(s.selected.id); else return; break;
        case 'd': s.act('declare'); break;
        case 'l': s.act('link'); break;
        case 'r': s.act('reject'); break;
        case '/': searchRef.current?.focus(); break;
        case 'Escape': setTicked(new Set()); break;
        default: return;
      }
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const afterTriage = (updated: Report[], what: string) => {
    setTicked(new Set());
    setNotice(<>{what}: {updated.map((r) => r.reference).join(', ')}.</>);
  };

  return (
    <Stack gap="md">
      <PageHeader
        title="Reports"
        description="Incoming reports. Triage each one: declare an incident, link it to one, merge it into a repeat, or reject it."
        actions={canTriage && (
          <Button leftSection={<IconPhonePlus size={16} />} variant="light" onClick={() => setAction({ kind: 'log' })} data-testid="report-log-open">
            Log a report
          </Button>
        )}
      />
      <Paper withBorder p="sm">
        <Group gap="sm" align="flex-end" wrap="wrap">
          <Select label="Status" w={170} allowDeselect={false} value={status} onChange={(v) => v && setStatus(v as ReportStatus | 'any')}
            data={[...REPORT_STATUSES.map((s) => ({ value: s, label: s === 'new' ? 'New (to triage)' : s.charAt(0).toUpperCase() + s.slice(1) })), { value: 'any', label: 'Any' }]}
            data-testid="report-filter-status" comboboxProps={{ withinPortal: true }} />
          <MultiSelect label="Channel" w={260} placeholder={channels.length ? undefined : 'Any'} clearable value={channels} onChange={setChannels}
            data={CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }))} data-testid="report-filter-channel" comboboxProps={{ withinPortal: true }} />
          <TextInput label="Search" ref={searchRef} style={{ flex: 1, minWidth: 220 }} placeholder="Words in title or body" value={search}
            leftSection={<IconSearch size={14} />} onChange={(e) => setSearch(e.currentTarget.value)}
            onKeyDown={(e) => e.key === 'Escape' && e.currentTarget.blur()} data-testid="report-search" />
        </Group>
      </Paper>

      <Group justify="space-between" wrap="wrap" gap="xs">
        <Legend />
        {canTriage && (
          <Group gap="xs" data-testid="report-bulk">
            <Text size="sm" c={ticked.size ? undefined : 'dimmed'}>{ticked.size ? `${ticked.size} ticked` : selected ? `${selected.reference} selected` : 'Nothing selected'}</Text>
            <Button size="compact-sm" variant="light" disabled={!allows('declare')} onClick={() => act('declare')} data-testid="report-declare">Declare (d)</Button>
            <Button size="compact-sm" variant="light" disabled={!allows('link')} onClick={() => act('link')} data-testid="report-link">Link (l)</Button>
            <Button size="compact-sm" variant="light" color="red" disabled={!allows('reject')} onClick={() => act('reject')} data-testid="report-reject">Reject (r)</Button>
            {ticked.size > 0 && <Button size="compact-sm" variant="subtle" color="gray" onClick={() => setTicked(new Set())}>Clear</Button>}
          </Group>
        )}
      </Group>
      {notice && <Text size="sm" c="teal" data-testid="report-notice" role="status">{notice}</Text>}

      <ErrorAlert error={query.error} />
      <Table.ScrollContainer minWidth={960}>
        <Table withTableBorder horizontalSpacing="xs" verticalSpacing={6} className="vigil-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={36} />
              <Table.Th>Reference</Table.Th>
              <Table.Th>Title</Table.Th>
              <Table.Th>Channel</Table.Th>
              <Table.Th>Reporter / organisation</Table.Th>
              <Table.Th>Received</Table.Th>
              <Table.Th>TLP</Table.Th>
              <Table.Th>Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="reports-table">
            {items.length === 0 && <EmptyRow colSpan={8}>{query.isLoading ? 'Loading…' : status === 'new' ? 'No new reports. The queue is empty.' : 'No reports match.'}</EmptyRow>}
            {items.map((r, i) => {
              const isSel = i === cursor;
              return (
                <Table.Tr key={r.id} ref={(el) => { if (el) rows.current.set(r.id, el); else rows.current.delete(r.id); }}
                  data-reference={r.reference} data-status={r.status} data-selected={isSel || undefined} data-ticked={ticked.has(r.id) || undefined}
                  aria-selected={isSel} onClick={() => setCursor(i)} onDoubleClick={() => navigate(reportPath(r.reference))}
                  style={{
                    cursor: 'pointer',
                    background: isSel ? 'var(--mantine-color-signal-light)' : ticked.has(r.id) ? 'var(--mantine-color-dark-5)' : undefined,
                    boxShadow: isSel ? 'inset 3px 0 0 var(--mantine-color-signal-5)' : undefined,
                  }}>
                  <Table.Td onClick={(e) => e.stopPropagation()}>
                    <Checkbox size="xs" checked={ticked.has(r.id)} onChange={() => toggle(r.id)} aria-label={`Tick ${r.reference}`} tabIndex={-1} />
                  </Table.Td>
                  <Table.Td ff="monospace" fz="sm" style={{ whiteSpace: 'nowrap' }}>
                    <Anchor component={Link} href={reportPath(r.reference)} size="sm" ff="monospace" onClick={(e) => e.stopPropagation()}>{r.reference}</Anchor>
                  </Table.Td>
                  <Table.Td maw={260}><Text size="sm" fw={500} truncate title={r.title}>{r.title}</Text></Table.Td>
                  <Table.Td><ChannelText channel={r.channel} /></Table.Td>
                  <Table.Td><Reporter r={r} /></Table.Td>
                  <Table.Td><Text span size="sm" title={formatDate(r.receivedAt, true)} style={{ whiteSpace: 'nowrap' }}>{compact.format(new Date(r.receivedAt))}</Text></Table.Td>
                  <Table.Td><TlpBadge tlp={r.tlp} /></Table.Td>
                  <Table.Td>
                    <ReportStatusBadge status={r.status} />
                    {r.incident && <Text size="xs" c="dimmed" ff="monospace">{r.incident.reference}</Text>}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="center">
        {query.hasNextPage ? (
          <Button variant="default" loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()} data-testid="reports-load-more">Load more</Button>
        ) : (
          items.length > 0 && <Text size="xs" c="dimmed">{items.length} report{items.length === 1 ? '' : 's'} shown</Text>
        )}
      </Group>

      {canTriage && (
        <DeclareIncidentModal opened={action?.kind === 'declare'} onClose={() => setAction(null)}
          reports={action && action.kind === 'declare' ? action.reports : undefined} />
      )}
      {action && (action.kind === 'link' || action.kind === 'reject') && (
        <TriageModal kind={action.kind} reports={action.reports} onClose={() => setAction(null)}
          onDone={(u) => afterTriage(u, action.kind === 'link' ? 'Linked' : 'Rejected')} />
      )}
      {action?.kind === 'log' && (
        <LogReportModal onClose={() => setAction(null)}
          onLogged={(r) => setNotice(<>Logged <Anchor component={Link} href={reportPath(r.reference)} size="sm" ff="monospace">{r.reference}</Anchor>.</>)} />
      )}
    </Stack>
  );
}
