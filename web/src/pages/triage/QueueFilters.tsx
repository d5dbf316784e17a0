// The triage queue's filters: what kind of item, which alert status, severity and source, and
// words to search for (debounced before they reach the server).
import { useState, type RefObject } from 'react';
import { Group, Input, MultiSelect, Paper, SegmentedControl, Select, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { SEVERITIES, SEVERITY_LABELS, type AlertStatus, type Severity } from '../../api/triage';
import { ariaKeys } from './shortcuts';
import type { Kind } from './useTriageQueue';

export type StatusChoice = 'open' | AlertStatus;
export const STATUS_FILTER: Record<StatusChoice, AlertStatus[]> = {
  open: ['new', 'acknowledged'], new: ['new'], acknowledged: ['acknowledged'], escalated: ['escalated'], dismissed: ['dismissed'],
};

export function useFilterState() {
  const [kind, setKind] = useState<Kind>('all');
  const [status, setStatus] = useState<StatusChoice>('open');
  const [severity, setSeverity] = useState<Severity[]>([]);
  const [source, setSource] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const narrowed = q !== '' || severity.length > 0 || source !== null || kind !== 'all' || status !== 'open';
  return { kind, setKind, status, setStatus, severity, setSeverity, source, setSource, search, setSearch, q, narrowed };
}
export type FilterState = ReturnType<typeof useFilterState>;

export function FilterBar({ f, sources, searchRef }: { f: FilterState; sources: string[]; searchRef: RefObject<HTMLInputElement | null> }) {
  return (
    <Paper withBorder p="sm">
      <Group gap="sm" align="flex-end" wrap="wrap">
        <Input.Wrapper label="Show">
          <div>
            <SegmentedControl size="sm" value={f.kind} onChange={(v) => f.setKind(v as Kind)} data-testid="triage-filter-kind"
              data={[{ value: 'all', label: 'All' }, { value: 'report', label: 'Reports' }, { value: 'alert', label: 'Alerts' }]} />
          </div>
        </Input.Wrapper>
        <Select label="Alert status" w={200} allowDeselect={false} value={f.status} onChange={(v) => v && f.setStatus(v as StatusChoice)} disabled={f.kind === 'report'}
          data={[{ value: 'open', label: 'Open (new + ack.)' }, { value: 'new', label: 'New' }, { value: 'acknowledged', label: 'Acknowledged' },
            { value: 'escalated', label: 'Escalated' }, { value: 'dismissed', label: 'Dismissed' }]}
          data-testid="triage-filter-status" comboboxProps={{ withinPortal: true }} />
        <MultiSelect label="Severity" w={220} placeholder={f.severity.length ? undefined : 'Any'} clearable value={f.severity}
          onChange={(v) => f.setSeverity(v as Severity[])} data={[...SEVERITIES].reverse().map((s) => ({ value: s, label: SEVERITY_LABELS[s] }))}
          data-testid="triage-filter-severity" comboboxProps={{ withinPortal: true }} />
        <Select label="Source" w={170} placeholder="Any" clearable value={f.source} onChange={f.setSource} data={sources} disabled={f.kind === 'report'}
          data-testid="triage-filter-source" comboboxProps={{ withinPortal: true }} />
        <TextInput label="Search" ref={searchRef} style={{ flex: 1, minWidth: 200 }} placeholder="Words in title or text" value={f.search}
          leftSection={<IconSearch size={14} />} onChange={(e) => f.setSearch(e.currentTarget.value)} aria-keyshortcuts={ariaKeys('search')}
          onKeyDown={(e) => e.key === 'Escape' && e.currentTarget.blur()} data-testid="triage-search" />
      </Group>
    </Paper>
  );
}
