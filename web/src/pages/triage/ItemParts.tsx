// Parts of the item views: the correlation panel, the suggestion, the observables, and the bytes
// as they arrived (untrusted: decoded as UTF-8 and shown as plain text, never interpreted).
import { Anchor, Badge, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { IconLink } from '@tabler/icons-react';
import { humanize, incidentPath, type Priority, type Status } from '../../api/incidents';
import { type CorrelatedIncident, type ObservableRef, type Suggestions } from '../../api/triage';
import { PriorityBadge, StatusBadge } from '../../components/incidentBadges';
import { Link } from '../../router';
import { useRsit } from '../incidents/ClassificationPicker';


export function Heading({ children }: { children: string }) {
  return <Text size="xs" c="dimmed" tt="uppercase" fw={600} mb={6} style={{ letterSpacing: '0.04em' }}>{children}</Text>;
}

const PRIORITIES = new Set(['P1', 'P2', 'P3', 'P4']);
const STATUSES = new Set(['new', 'triage', 'analysis', 'containment', 'eradication', 'recovery', 'closed']);

/** Why an incident is listed beside the item. */
function Reasons({ c }: { c: CorrelatedIncident }) {
  return (
    <Group gap={4} wrap="wrap">
      {c.sharedObservables.slice(0, 5).map((v) => (
        <Badge key={v} size="xs" variant="light" color="orange" radius="xs" tt="none" style={{ maxWidth: 220 }} title={`Shares ${v}`}>shares {v}</Badge>
      ))}
      {c.sharedObservables.length > 5 && <Badge size="xs" variant="light" color="orange" radius="xs" tt="none">+{c.sharedObservables.length - 5} more shared</Badge>}
      {c.sameConstituent && <Badge size="xs" variant="light" color="grape" radius="xs" tt="none">same constituent{c.constituent ? `: ${c.constituent}` : ''}</Badge>}
      {c.sameType && <Badge size="xs" variant="light" color="blue" radius="xs" tt="none">same type</Badge>}
    </Group>
  );
}

/** Open incidents the item may belong to, with the reasons, and a one-click link to each. */
export function CorrelationPanel({ correlation, onLink, linking, missing }: {
  correlation: readonly CorrelatedIncident[] | undefined;
  /** Absent when the item cannot be linked (decided already, or the user may not triage). */
  onLink?: ((c: CorrelatedIncident) => void) | undefined;
  linking?: string | null;
  missing?: boolean;
}) {
  return (
    <Paper withBorder p="md" component="section" aria-label="Correlation" data-testid="correlation-panel">
      <Title order={3} fz="md" mb={4}>Correlation</Title>
      <Text size="xs" c="dimmed" mb="sm">Open incidents sharing observables, the same constituent, or the same type lately.</Text>
      {missing ? <Text size="sm" c="dimmed">The server does not offer correlation for this item.</Text>
        : !correlation ? <Text size="sm" c="dimmed">Loading…</Text>
          : correlation.length === 0 ? <Text size="sm" c="dimmed" data-testid="correlation-empty">No open incident looks related.</Text> : (
            <Stack gap="sm">
              {correlation.map((c) => (
                <Paper key={c.id} withBorder p="xs" bg="dark.8" data-testid="correlated-incident" data-reference={c.reference}>
                  <Group justify="space-between" gap={6} wrap="nowrap" align="flex-start">
                    <Stack gap={2} style={{ minWidth: 0 }}>
                      <Group gap={6} wrap="wrap">
                        <Anchor component={Link} href={incidentPath(c.reference)} ff="monospace" size="sm">{c.reference}</Anchor>
                        {PRIORITIES.has(c.priority) && <PriorityBadge priority={c.priority as Priority} />}
                        {STATUSES.has(c.status) ? <StatusBadge status={c.status as Status} /> : <Badge size="sm" variant="light">{humanize(c.status)}</Badge>}
                      </Group>
                      <Text size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>{c.title}</Text>
                      <Reasons c={c} />
                    </Stack>
                  </Group>
                  {onLink && (
                    <Button mt={6} size="compact-xs" variant="light" leftSection={<IconLink size={12} />} loading={linking === c.reference}
                      disabled={!!linking && linking !== c.reference} onClick={() => onLink(c)} data-testid="correlation-link">
                      Link to this incident
                    </Button>
                  )}
                </Paper>
              ))}
            </Stack>
          )}
    </Paper>
  );
}

/** The suggested classification and priority (suggestions only: the handler decides). */
export function SuggestionBox({ suggestions }: { suggestions: Suggestions | undefined }) {
  const { label } = useRsit();
  if (!suggestions) return null;
  return (
    <Paper withBorder p="md" data-testid="suggestion">
      <Heading>Suggestion</Heading>
      <Stack gap={6}>
        {suggestions.classifications.length === 0
          ? <Text size="sm" c="dimmed">No classification suggested.</Text>
          : suggestions.classifications.map((c) => (
            <Group key={`${c.class}/${c.type}`} gap={6} wrap="wrap">
              <Text size="sm" fw={500}>{label(c)}</Text>
              <Text size="xs" c="dimmed">({c.reason})</Text>
            </Group>
          ))}
        <Group gap="xs">
          <Text size="sm">Impact <b>{suggestions.impact}</b>, urgency <b>{suggestions.urgency}</b></Text>
          {suggestions.priority && <PriorityBadge priority={suggestions.priority} />}
        </Group>
        <RoutedConstituents suggestions={suggestions} />
      </Stack>
    </Paper>
  );
}

export function ObservableList({ observables }: { observables: readonly ObservableRef[] | undefined }) {
  return (
    <Paper withBorder p="md" data-testid="observables">
      <Heading>Observables</Heading>
      {!observables || observables.length === 0 ? <Text size="sm" c="dimmed">None found.</Text> : (
        <Table verticalSpacing={4} horizontalSpacing="xs">
          <Table.Tbody>
            {observables.map((o) => (
              <Table.Tr key={`${o.type}:${o.value}`}>
                <Table.Td w={70}><Badge size="xs" variant="light" color="gray" radius="xs" tt="none">{o.type}</Badge></Table.Td>
                <Table.Td><Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>{o.value}</Text></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}

export { RawBytes } from '../../components/RawBytes';

/** Constituents routed from the reporter's e-mail address and the observables (see docs/constituents.md). */
function RoutedConstituents({ suggestions }: { suggestions: Suggestions }) {
  const list = suggestions.constituents ?? [];
  if (list.length === 0) return null;
  return (
    <Stack gap={2} data-testid="suggested-constituents">
      {list.map((c) => (
        <Text size="sm" key={c.constituent.id}>
          Constituent <Anchor component={Link} href={`/constituents/${c.constituent.id}`} fw={600}>{c.constituent.name}</Anchor>{' '}
          <Text span size="xs" c="dimmed">({c.constituent.criticality}; {c.from} by {c.rule.replace('_', ' ')} {c.matched})</Text>
        </Text>
      ))}
      {suggestions.impactReason && <Text size="xs" c="dimmed">Impact raised: {suggestions.impactReason}.</Text>}
    </Stack>
  );
}
