// What escalation needs before it reaches anyone (the server says what is done): shown on the
// dashboard until every item is done.
import { Anchor, Group, List, Paper, Text, ThemeIcon, Title } from '@mantine/core';
import { IconCheck, IconCircleDashed } from '@tabler/icons-react';
import type { OperationsDashboard } from '../../api/dashboard';
import { useMe } from '../../auth/session';
import { hasPermission } from '../../auth/permissions';
import { Link } from '../../router';
import { findRoute } from '../../routes';

const PAGE: Record<string, string> = { '/escalation': 'Escalation', '/team': 'Team', '/oncall': 'On-call', '/admin/mail': 'Outgoing mail' };

export function SetupChecklist({ setup }: { setup: OperationsDashboard['setup'] }) {
  const me = useMe();
  const left = setup.items.filter((i) => !i.done).length;
  // A link only to the pages the user may open (outgoing mail is for admins).
  const mayOpen = (href: string) => {
    const route = findRoute(href);
    return !!route && hasPermission(me, route.permission);
  };
  return (
    <Paper withBorder p="lg" data-testid="setup-checklist" style={{ borderColor: 'var(--mantine-color-orange-8)' }}>
      <Title order={2} fz="lg">Finish setting up escalation</Title>
      <Text size="sm" c="dimmed" mt={4} mb="sm">
        When an incident is declared, escalation tells management and whoever is on duty. {left === 1 ? 'One thing is' : `${left} things are`} still
        missing, so an escalation may reach nobody.
      </Text>
      <List spacing="sm" size="sm" center={false}>
        {setup.items.map((i) => (
          <List.Item key={i.key} data-testid={`setup-${i.key}`} data-done={i.done}
            icon={(
              <ThemeIcon size={22} radius="xl" variant="light" color={i.done ? 'teal' : 'orange'}>
                {i.done ? <IconCheck size={14} aria-hidden /> : <IconCircleDashed size={14} aria-hidden />}
              </ThemeIcon>
            )}>
            <Group gap={8} wrap="wrap">
              <Text size="sm" fw={600} td={i.done ? 'line-through' : undefined}>{i.title}</Text>
              <Text span size="xs" c={i.done ? 'teal.3' : 'orange.3'}>{i.done ? 'Done' : 'To do'}</Text>
            </Group>
            {!i.done && (
              <Text size="sm" c="dimmed">
                {i.hint}{' '}
                {mayOpen(i.href) && <Anchor component={Link} href={i.href} size="sm">Go to {PAGE[i.href] ?? i.href}</Anchor>}
              </Text>
            )}
          </List.Item>
        ))}
      </List>
    </Paper>
  );
}
