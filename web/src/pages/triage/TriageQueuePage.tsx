// The duty officer's queue: new reports and open alerts in one list, most urgent first, then the
// one waiting longest. Worked from the keyboard (see shortcuts.tsx); refreshed every few seconds.
import { useRef, useState, type ReactNode } from 'react';
import { Anchor, Button, Checkbox, Group, Stack, Table, Text, Tooltip } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { IconKeyboard } from '@tabler/icons-react';
import { incidentPath } from '../../api/incidents';
import { CHANNEL_LABELS } from '../../api/reports';
import { alertPath, everyAllows, reportUrgency, triageReportPath, type QueueItem } from '../../api/triage';
import { useMe } from '../../auth/session';
import { hasPermission } from '../../auth/permissions';
import { EmptyRow } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { TlpBadge } from '../../components/incidentBadges';
import { Link, navigate } from '../../router';
import { Ago, AlertStatusBadge, ArrivalsBadge, KindBadge, SeverityBadge, useNow } from './badges';
import { ariaKeys, HintLine, ShortcutHelp, useShortcuts, type ShortcutId } from './shortcuts';
import { DeclareItemsModal, DismissItemsModal, itemsText, LinkItemsModal } from './TriageActionModals';
import { FilterBar, STATUS_FILTER, useFilterState } from './QueueFilters';
import { mergedSuggestions, QUEUE_LIMIT, useTriageQueue } from './useTriageQueue';
import { acknowledge, alertsOf, PartialRun } from './writes';

type Action = { kind: 'declare' | 'link' | 'dismiss'; items: QueueItem[] };

export const itemPath = (i: QueueItem) => (i.kind === 'alert' ? alertPath(i.reference) : triageReportPath(i.reference));

function Origin({ item }: { item: QueueItem }) {
  if (item.kind === 'alert') return <Text span size="sm" style={{ whiteSpace: 'nowrap' }}>{item.alert.sourceName}</Text>;
  const r = item.report;
  return (
    <Stack gap={0}>
      <Text span size="sm" style={{ whiteSpace: 'nowrap' }}>{CHANNEL_LABELS[r.channel]}{r.source ? ` · ${r.source}` : ''}</Text>
      {(r.organisation ?? r.reporterName ?? r.reporterEmail) && (
        <Text size="xs" c="dimmed" truncate maw={180}>{r.organisation ?? r.reporterName ?? r.reporterEmail}</Text>
      )}
    </Stack>
  );
}

function QueueRow({ item, selected, ticked, canTriage, now, onSelect, onTick, rowRef, suggestion }: {
  item: QueueItem; selected: boolean; ticked: boolean; canTriage: boolean; now: number;
  onSelect: () => void; onTick: () => void; rowRef: (el: HTMLTableRowElement | null) => void; suggestion: string;
}) {
  const a = item.kind === 'alert' ? item.alert : null;
  return (
    <Table.Tr ref={rowRef} data-reference={item.reference} data-kind={item.kind} data-severity={item.severity}
      data-status={a ? a.status : 'new'} data-selected={selected || undefined} data-ticked={ticked || undefined} aria-selected={selected} aria-current={selected || undefined}
      onClick={onSelect} onDoubleClick={() => navigate(itemPath(item))}
      style={{
        cursor: 'pointer',
        background: selected ? 'var(--mantine-color-signal-light)' : ticked ? 'var(--mantine-color-dark-5)' : undefined,
        boxShadow: selected ? 'inset 3px 0 0 var(--mantine-color-signal-5)' : undefined,
      }}>
      {canTriage && (
        <Table.Td onClick={(e) => e.stopPropagation()}>
          <Checkbox size="xs" checked={ticked} onChange={onTick} aria-label={`Select ${item.reference}`} tabIndex={-1} />
        </Table.Td>
      )}
      <Table.Td>
        {item.kind === 'report'
          ? <Tooltip label={suggestion}><span><SeverityBadge severity={item.severity} /></span></Tooltip>
          : <SeverityBadge severity={item.severity} />}
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Group gap={6} wrap="nowrap">
          <KindBadge kind={item.kind} />
          <Anchor component={Link} href={itemPath(item)} size="sm" ff="monospace" onClick={(e) => e.stopPropagation()}>{item.reference}</Anchor>
        </Group>
      </Table.Td>
      <Table.Td maw={440}>
        <Group gap={6} wrap="nowrap">
          <Text size="sm" fw={500} truncate title={item.title}>{item.title}</Text>
          {a && <ArrivalsBadge arrivals={a.arrivals} />}
          {a && a.status !== 'new' && <AlertStatusBadge status={a.status} />}
        </Group>
      </Table.Td>
      <Table.Td><Origin item={item} /></Table.Td>
      <Table.Td><TlpBadge tlp={item.tlp} /></Table.Td>
      <Table.Td>
        <Ago value={item.receivedAt} now={now} />
        {a && a.arrivals > 1 && Date.parse(a.lastSeen) - Date.parse(a.createdAt) > 60_000 && (
          <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>last <Ago value={a.lastSeen} now={now} /></Text>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

export function TriageQueuePage() {
  const me = useMe();
  const client = useQueryClient();
  const canTriage = hasPermission(me, 'report.triage');
  const now = useNow();
  const f = useFilterState();
  const queue = useTriageQueue({ kind: f.kind, alertStatus: STATUS_FILTER[f.status], severity: f.severity, source: f.source, q: f.q });
  const items = queue.items;

  const [cursorKey, setCursorKey] = useState<string | null>(null);
  const lastIndex = useRef(-1);
  const [ticked, setTicked] = useState<Set<string>>(new Set());
  const [action, setAction] = useState<Action | null>(null);
  const [help, setHelp] = useState(false);
  const [notice, setNotice] = useState<{ text: ReactNode; error?: unknown } | null>(null);
  const [acking, setAcking] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const rows = useRef(new Map<string, HTMLTableRowElement>());

  // The cursor follows its item when the list re-sorts; when that item leaves, it stays at the same place.
  const found = cursorKey ? items.findIndex((i) => i.key === cursorKey) : -1;
  const cursor = found >= 0 ? found : cursorKey && items.length ? Math.min(lastIndex.current, items.length - 1) : -1;
  if (cursor >= 0) lastIndex.current = cursor;
  const selected = cursor >= 0 ? items[cursor] : undefined;
  const tickedItems = items.filter((i) => ticked.has(i.key));
  const targets = tickedItems.length > 0 ? tickedItems : selected ? [selected] : [];
  const ackable = alertsOf(targets).filter((a) => a.allowed.acknowledge);
  // Each bulk action applies when every target allows it (`allowed`, as the server says).
  const allows = (k: Action['kind']) => everyAllows(targets, k);

  const toggle = (key: string) => setTicked((s) => {
    const n = new Set(s);
    if (n.has(key)) n.delete(key);
    else n.add(key);
    return n;
  });
  const moveTo = (to: number) => {
    if (items.length === 0) return;
    const next = Math.max(0, Math.min(items.length - 1, to));
    const item = items[next]!;
    setCursorKey(item.key);
    lastIndex.current = next;
    rows.current.get(item.key)?.scrollIntoView({ block: 'nearest' });
  };
  const done = (text: string) => {
    setTicked(new Set());
    setNotice({ text });
  };

  const ack = async () => {
    if (!canTriage || acking) return;
    if (ackable.length === 0) {
      if (targets.length) setNotice({ text: 'Nothing to acknowledge: only new alerts can be acknowledged (reports are declared, linked or rejected).' });
      return;
    }
    setAcking(true);
    try {
      const refs = await acknowledge(client, targets);
      done(`Acknowledged: ${refs.join(', ')}`);
    } catch (e) {
      setNotice({ text: null, error: e instanceof PartialRun ? e.cause : e });
    } finally {
      setAcking(false);
    }
  };
  const act = (k: Action['kind']) => {
    if (!canTriage || targets.length === 0) return;
    if (!allows(k)) {
      setNotice({ text: `Not every selected item can be ${k === 'declare' ? 'declared' : k === 'link' ? 'linked' : 'rejected or dismissed'}.` });
      return;
    }
    setNotice(null);
    setAction({ kind: k, items: targets });
  };

  useShortcuts((id: ShortcutId) => {
    switch (id) {
      case 'next': moveTo(cursor + 1); break;
      case 'previous': moveTo(cursor < 0 ? 0 : cursor - 1); break;
      case 'toggle': if (canTriage && selected) toggle(selected.key); else return false; break;
      case 'open': if (selected) navigate(itemPath(selected)); else return false; break;
      case 'acknowledge': void ack(); break;
      case 'declare': act('declare'); break;
      case 'link': act('link'); break;
      case 'dismiss': act('dismiss'); break;
      case 'search': searchRef.current?.focus(); break;
      case 'clear': if (ticked.size) setTicked(new Set()); else return false; break;
      case 'help': setHelp(true); break;
    }
  }, action === null && !help);

  const sources = [...new Set([...items.flatMap((i) => (i.kind === 'alert' ? [i.alert.sourceName] : [])), ...(f.source ? [f.source] : [])])].sort();
  const counts = { critical: 0, high: 0, other: 0 };
  for (const i of items) counts[i.severity === 'critical' ? 'critical' : i.severity === 'high' ? 'high' : 'other']++;
  const suggestionText = (i: QueueItem) => {
    if (i.kind !== 'report') return '';
    const s = queue.suggestionOf(i.report.id);
    const given = reportUrgency(i.report);
    return [
      s ? `Suggested ${s.priority ?? ''} (impact ${s.impact}, urgency ${s.urgency}) from the report's words.` : 'No suggestion: a report counts as medium.',
      given ? `Urgency given on intake: ${given}.` : '',
    ].join(' ').trim();
  };

  return (
    <Stack gap="md">
      <FilterBar f={f} sources={sources} searchRef={searchRef} />

      <Group justify="space-between" wrap="wrap" gap="xs">
        <Group gap="xs" wrap="wrap">
          <HintLine canTriage={canTriage} />
          <Button size="compact-xs" variant="subtle" color="gray" leftSection={<IconKeyboard size={14} />} onClick={() => setHelp(true)}
            aria-keyshortcuts="?" data-testid="shortcut-help-open">All shortcuts</Button>
        </Group>
        {canTriage && (
          <Group gap="xs" data-testid="triage-bulk">
            <Text size="sm" c={ticked.size ? undefined : 'dimmed'} data-testid="triage-selection">
              {tickedItems.length ? `${tickedItems.length} selected (${itemsText(tickedItems)})` : selected ? `${selected.reference} current` : 'Nothing selected'}
            </Text>
            <Button size="compact-sm" variant="light" color="cyan" disabled={ackable.length === 0} loading={acking} onClick={() => void ack()}
              aria-keyshortcuts={ariaKeys('acknowledge')} data-testid="triage-ack">Acknowledge (a)</Button>
            <Button size="compact-sm" variant="light" disabled={!allows('declare')} onClick={() => act('declare')} aria-keyshortcuts={ariaKeys('declare')} data-testid="triage-declare">Declare (d)</Button>
            <Button size="compact-sm" variant="light" disabled={!allows('link')} onClick={() => act('link')} aria-keyshortcuts={ariaKeys('link')} data-testid="triage-link">Link (l)</Button>
            <Button size="compact-sm" variant="light" color="red" disabled={!allows('dismiss')} onClick={() => act('dismiss')} aria-keyshortcuts={ariaKeys('dismiss')} data-testid="triage-dismiss">Reject / dismiss (r)</Button>
            {ticked.size > 0 && <Button size="compact-sm" variant="subtle" color="gray" onClick={() => setTicked(new Set())}>Clear</Button>}
          </Group>
        )}
      </Group>
      {notice?.text && <Text size="sm" c="teal" data-testid="triage-notice" role="status">{notice.text}</Text>}
      <ErrorAlert error={notice?.error ?? queue.error} />

      <Table.ScrollContainer minWidth={960}>
        <Table withTableBorder horizontalSpacing="xs" verticalSpacing={6} className="vigil-table"
          aria-label="Triage queue, most urgent first" aria-keyshortcuts={`${ariaKeys('next')} ${ariaKeys('previous')} ${ariaKeys('open')}${canTriage ? ` ${ariaKeys('toggle')}` : ''}`}>
          <Table.Thead>
            <Table.Tr>
              {canTriage && <Table.Th w={36} />}
              <Table.Th w={90}>Severity</Table.Th>
              <Table.Th>Type / reference</Table.Th>
              <Table.Th>Title</Table.Th>
              <Table.Th>Channel / source</Table.Th>
              <Table.Th>TLP</Table.Th>
              <Table.Th>Received</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="triage-table">
            {items.length === 0 && (
              <EmptyRow colSpan={canTriage ? 7 : 6}>{queue.isLoading ? 'Loading…' : f.narrowed ? 'Nothing matches.' : 'Nothing to triage. The queue is empty.'}</EmptyRow>
            )}
            {items.map((item, i) => (
              <QueueRow key={item.key} item={item} selected={i === cursor} ticked={ticked.has(item.key)} canTriage={canTriage} now={now}
                suggestion={suggestionText(item)}
                onSelect={() => { setCursorKey(item.key); lastIndex.current = i; }} onTick={() => toggle(item.key)}
                rowRef={(el) => { if (el) rows.current.set(item.key, el); else rows.current.delete(item.key); }} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="space-between">
        <Text size="xs" c="dimmed" data-testid="triage-count">
          {items.length} item{items.length === 1 ? '' : 's'}{items.length ? ` · ${counts.critical} critical, ${counts.high} high` : ''}
          {queue.updatedAt ? ` · updated ${new Date(queue.updatedAt).toLocaleTimeString()}` : ''}
        </Text>
        {queue.more && <Text size="xs" c="yellow">Showing the newest {QUEUE_LIMIT} of each kind: narrow the filters to see the rest.</Text>}
      </Group>

      <ShortcutHelp opened={help} onClose={() => setHelp(false)} canTriage={canTriage} />
      {action?.kind === 'declare' && (
        <DeclareItemsModal items={action.items} suggestions={mergedSuggestions(action.items, queue.suggestionOf)} onClose={() => setAction(null)}
          onDeclared={(inc) => {
            setTicked(new Set());
            setNotice({ text: <>Declared <Anchor component={Link} href={incidentPath(inc.reference)} size="sm" ff="monospace" data-testid="triage-declared">{inc.reference}</Anchor> from {action.items.map((i) => i.reference).join(', ')}.</> });
          }} />
      )}
      {action?.kind === 'link' && <LinkItemsModal items={action.items} onClose={() => setAction(null)} onDone={done} />}
      {action?.kind === 'dismiss' && <DismissItemsModal items={action.items} onClose={() => setAction(null)} onDone={done} />}
    </Stack>
  );
}
