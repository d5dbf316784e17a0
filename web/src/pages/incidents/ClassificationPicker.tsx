import { ActionIcon, Badge, Group, Input, Paper, Select, SimpleGrid, Stack, Text, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconArrowUp, IconX } from '@tabler/icons-react';
import { useState } from 'react';
import { api } from '../../api/client';
import { RSIT_KEY, type Classification } from '../../api/incidents';
import type { Answer } from '../../api/schema';

/** The RSIT taxonomy (cached for the session) and a label lookup for class/type values. */
export function useRsit() {
  const query = useQuery({ queryKey: RSIT_KEY, queryFn: () => api.get<Answer<'taxonomy.rsit'>>('/taxonomy/rsit'), staleTime: Infinity });
  const classes = query.data?.items ?? [];
  const label = (c: { class: string; type: string }): string => {
    const cls = classes.find((x) => x.value === c.class);
    const type = cls?.types.find((t) => t.value === c.type);
    return `${cls?.label ?? c.class} / ${type?.label ?? c.type}`;
  };
  return { query, classes, label };
}

export type Pick = Omit<Classification, 'primary'>;

/** Toggled RSIT classifications: pick a class, then a type to add the pair; the first one is primary. */
export function ClassificationPicker({ value, onChange, error }: { value: Pick[]; onChange: (v: Pick[]) => void; error?: string | undefined }) {
  const { classes, label, query } = useRsit();
  const [cls, setCls] = useState<string | null>(null);
  const types = classes.find((c) => c.value === cls)?.types ?? [];
  const taken = new Set(value.map((v) => `${v.class}/${v.type}`));

  const add = (type: string | null) => {
    if (!cls || !type || taken.has(`${cls}/${type}`)) return;
    onChange([...value, { class: cls, type }]);
  };
  const remove = (i: number) => onChange(value.filter((_, j) => j !== i));
  const promote = (i: number) => onChange([value[i]!, ...value.filter((_, j) => j !== i)]);

  return (
    <Input.Wrapper label="Classification (RSIT)" required error={error}
      description="Pick a class, then a type to add it. The first one is the primary classification.">
      <Stack gap={6} mt={6}>
        {value.length > 0 && (
          <Paper withBorder p={6} bg="dark.8">
            <Stack gap={4} data-testid="incident-classifications">
              {value.map((c, i) => (
                <Group key={`${c.class}/${c.type}`} gap={6} wrap="nowrap" justify="space-between">
                  <Group gap={6} wrap="nowrap">
                    {i === 0 ? <Badge size="xs" variant="light">primary</Badge> : (
                      <Tooltip label="Make primary">
                        <ActionIcon size="sm" variant="subtle" color="gray" onClick={() => promote(i)} aria-label={`Make ${label(c)} primary`}>
                          <IconArrowUp size={14} />
                        </ActionIcon>
                      </Tooltip>
                    )}
                    <Text size="sm">{label(c)}</Text>
                  </Group>
                  <ActionIcon size="sm" variant="subtle" color="gray" onClick={() => remove(i)} aria-label={`Remove ${label(c)}`}>
                    <IconX size={14} />
                  </ActionIcon>
                </Group>
              ))}
            </Stack>
          </Paper>
        )}
        <SimpleGrid cols={2} spacing="xs">
          <Select placeholder={query.isLoading ? 'Loading…' : 'Class'} aria-label="Class" searchable data-testid="incident-class"
            data={classes.map((c) => ({ value: c.value, label: c.label }))} value={cls} onChange={setCls}
            comboboxProps={{ withinPortal: true }} />
          <Select placeholder="Type" aria-label="Type" searchable disabled={!cls} data-testid="incident-type"
            data={types.map((t) => ({ value: t.value, label: t.label, disabled: taken.has(`${cls}/${t.value}`) }))}
            value={null} onChange={add} comboboxProps={{ withinPortal: true }} />
        </SimpleGrid>
      </Stack>
    </Input.Wrapper>
  );
}
