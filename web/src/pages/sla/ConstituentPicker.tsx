// Which constituent a policy is for (none: the team's), searched on the server; and whether a
// constituent has an SLA agreement in force, without which its own policies do not apply.
import { useState } from 'react';
import { Badge, Select, Tooltip } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQueries, useQuery } from '@tanstack/react-query';
import { api, qs } from '../../api/client';
import { CONSTITUENTS_KEY, type Constituent, type ConstituentSummary } from '../constituents/constituentsApi';
import { todayUtc } from './format';

export function ConstituentPicker({ value, initialName, onChange, error }: {
  value: string | null;
  initialName: string | null;
  onChange: (id: string | null, name: string | null) => void;
  error?: string | undefined;
}) {
  const [search, setSearch] = useState(initialName ?? '');
  const [selected, setSelected] = useState<{ id: string; name: string } | null>(value && initialName ? { id: value, name: initialName } : null);
  const [q] = useDebouncedValue(search.trim() === selected?.name ? '' : search.trim(), 200);
  const found = useQuery({
    queryKey: [...CONSTITUENTS_KEY, 'list', 'sla-picker', q],
    queryFn: () => api.get<ConstituentSummary[]>(`/constituents${qs({ q, limit: 20 })}`),
  });
  const options = new Map<string, string>();
  if (selected) options.set(selected.id, selected.name);
  for (const c of found.data ?? []) options.set(c.id, c.name);

  return (
    <Select label="Constituent" description="Empty: the team's policy for the priority" placeholder="The team's policy" searchable clearable
      data={[...options].map(([v, label]) => ({ value: v, label }))} value={value} searchValue={search} onSearchChange={setSearch}
      filter={({ options: o }) => o} nothingFoundMessage={found.isFetching ? 'Searching…' : 'No constituent matches'} error={error}
      onChange={(id) => {
        const name = id ? (options.get(id) ?? null) : null;
        setSelected(id && name ? { id, name } : null);
        onChange(id, name);
      }}
      comboboxProps={{ withinPortal: true }} data-testid="sla-constituent" />
  );
}

/** A constituent's SLA agreement in force today ('none' when it has none, undefined while loading). */
export type AgreementState = { reference: string; endsOn: string | null } | 'none' | undefined;

export function useSlaAgreements(ids: string[]): Record<string, AgreementState> {
  const today = todayUtc();
  const results = useQueries({
    queries: ids.map((id) => ({ queryKey: [...CONSTITUENTS_KEY, 'one', id], queryFn: () => api.get<Constituent>(`/constituents/${id}`), staleTime: 60_000 })),
  });
  const out: Record<string, AgreementState> = {};
  ids.forEach((id, i) => {
    const c = results[i]?.data;
    if (!c) return;
    const a = c.agreements.find((x) => x.kind === 'sla' && (!x.startsOn || x.startsOn <= today) && (!x.endsOn || x.endsOn >= today));
    out[id] = a ? { reference: a.reference, endsOn: a.endsOn } : 'none';
  });
  return out;
}

export function AgreementBadge({ state }: { state: AgreementState }) {
  if (state === undefined) return null;
  if (state === 'none') {
    return (
      <Tooltip label="Without an SLA agreement in force, its incidents are measured against the team's policies." withArrow>
        <Badge color="orange" variant="light" size="sm" data-testid="sla-agreement" data-value="none">no SLA agreement in force</Badge>
      </Tooltip>
    );
  }
  return (
    <Badge color="teal" variant="light" size="sm" data-testid="sla-agreement" data-value="in-force" tt="none">
      SLA agreement{state.reference ? ` ${state.reference}` : ''} in force{state.endsOn ? ` until ${state.endsOn}` : ''}
    </Badge>
  );
}
