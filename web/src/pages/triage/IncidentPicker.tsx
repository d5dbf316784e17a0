// Picks an open incident: the correlated ones first (they are the likely home), then whatever the
// typed words find among the open incidents the user may see.
import { useState } from 'react';
import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { api, qs } from '../../api/client';
import type { Answer } from '../../api/schema';
import type { CorrelatedIncident } from '../../api/triage';

export function IncidentPicker({ value, onChange, correlated = [], error }: {
  value: string | null;
  onChange: (reference: string | null) => void;
  correlated?: readonly CorrelatedIncident[];
  error?: string | undefined;
}) {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  // A typed or picked reference ("VIG-2026-00001 · …") is matched in the list itself; words go to the server's search.
  const found = useQuery({
    queryKey: ['incidents', 'list', 'picker', q],
    queryFn: () => api.get<Answer<'incidents.list'>>(`/incidents${qs({ open: 'true', q: /^[A-Z].*-\d/.test(q) ? undefined : q, limit: 20 })}`),
    staleTime: 10_000,
  });
  const near = correlated.map((c) => ({ value: c.reference, label: `${c.reference} · ${c.title}` }));
  const nearRefs = new Set(near.map((n) => n.value));
  const open = (found.data?.items ?? []).filter((i) => !nearRefs.has(i.reference)).map((i) => ({ value: i.reference, label: `${i.reference} · ${i.title}` }));
  const data = [
    ...(near.length ? [{ group: 'Correlated', items: near }] : []),
    ...(open.length ? [{ group: near.length ? 'Other open incidents' : 'Open incidents', items: open }] : []),
  ];
  return (
    <Select label="Incident" required searchable data-autofocus placeholder="Reference or words of the title" data={data} value={value}
      onChange={onChange} searchValue={search} onSearchChange={setSearch} error={error}
      nothingFoundMessage={found.isLoading ? 'Loading…' : 'No open incident matches'} data-testid="link-incident"
      comboboxProps={{ withinPortal: true }} maxDropdownHeight={280} />
  );
}
