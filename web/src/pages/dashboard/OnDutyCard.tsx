// Who is on duty now in each rota (from the on-call schedule), and rotas nobody covers.
import { Anchor, Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { OperationsDashboard } from '../../api/dashboard';
import { formatDate } from '../../components/common';
import { Link } from '../../router';

export function OnDutyCard({ onDuty }: { onDuty: NonNullable<OperationsDashboard['onDuty']> }) {
  return (
    <Paper withBorder p="lg" h="100%" data-testid="on-duty">
      <Group justify="space-between" mb="sm">
        <Title order={3} fz="md">On duty now</Title>
        <Anchor component={Link} href="/oncall" size="sm">On-call</Anchor>
      </Group>
      {onDuty.rotas.length === 0 && <Text size="sm" c="dimmed">No rota is set up.</Text>}
      <Stack gap="sm">
        {onDuty.rotas.map((r) => (
          <div key={r.id}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>{r.name}</Text>
            {r.onDuty.length === 0 ? (
              <Group gap={6}>
                <Badge color="red" variant="light" size="sm">Nobody</Badge>
                <Text size="xs" c="dimmed">{r.nextCoverAt ? `cover resumes ${formatDate(r.nextCoverAt)}` : 'no cover scheduled'}</Text>
              </Group>
            ) : (
              r.onDuty.map((p) => (
                <Group key={`${p.userId}-${p.region ?? ''}`} gap={6} wrap="nowrap">
                  <Text size="sm" fw={500}>{p.displayName}</Text>
                  {p.region && <Badge size="xs" variant="outline">{p.region}</Badge>}
                  {p.source !== 'rota' && <Badge size="xs" variant="light" color="grape">{p.source}</Badge>}
                  <Text size="xs" c="dimmed">until {formatDate(p.until)}</Text>
                </Group>
              ))
            )}
          </div>
        ))}
      </Stack>
    </Paper>
  );
}
