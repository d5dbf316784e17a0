import { Alert, Anchor, Badge, Group, List, NavLink, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { IconArrowRight, IconShieldExclamation } from '@tabler/icons-react';
import { useMe } from '../auth/session';
import { hasPermission } from '../auth/permissions';
import { DateText, PageHeader, RoleBadges } from '../components/common';
import { Link } from '../router';
import { ROUTES } from '../routes';
import { OperationsDashboard } from './dashboard/OperationsDashboard';

const ROLE_TEXT: Record<string, string> = {
  admin: 'manage users, settings and the audit trail',
  manager: 'oversee the team’s work and reports',
  handler: 'work on reports and incidents',
  viewer: 'read what the team records',
  reporter: 'report incidents and follow your own reports',
};

function AccountCard() {
  const { user } = useMe();
  return (
    <Paper withBorder p="lg">
      <Group justify="space-between" mb="sm">
        <Title order={3} fz="md">Your account</Title>
        <Anchor component={Link} href="/account" size="sm">Manage</Anchor>
      </Group>
      <Table withRowBorders={false} verticalSpacing={4} horizontalSpacing={0}>
        <Table.Tbody>
          <Table.Tr><Table.Td c="dimmed" w={140}>Username</Table.Td><Table.Td ff="monospace">{user.username}</Table.Td></Table.Tr>
          <Table.Tr><Table.Td c="dimmed">Display name</Table.Td><Table.Td>{user.displayName}</Table.Td></Table.Tr>
          <Table.Tr><Table.Td c="dimmed">Roles</Table.Td><Table.Td><RoleBadges roles={user.roles} /></Table.Td></Table.Tr>
          <Table.Tr>
            <Table.Td c="dimmed">Two-step sign-in</Table.Td>
            <Table.Td>
              <Badge size="sm" variant="light" color={user.mfaEnabled ? 'teal' : 'orange'}>{user.mfaEnabled ? 'On' : 'Off'}</Badge>
            </Table.Td>
          </Table.Tr>
          <Table.Tr><Table.Td c="dimmed">Last sign-in</Table.Td><Table.Td><DateText value={user.lastLoginAt} /></Table.Td></Table.Tr>
        </Table.Tbody>
      </Table>
    </Paper>
  );
}

function RolesCard() {
  const { user } = useMe();
  return (
    <Paper withBorder p="lg">
      <Title order={3} fz="md" mb="sm">What your roles let you do</Title>
      {user.roles.length === 0 ? (
        <Text size="sm" c="dimmed">Your account has no role yet. Ask an administrator to give you one.</Text>
      ) : (
        <List size="sm" spacing={6}>
          {user.roles.map((r) => (
            <List.Item key={r}><Text span fw={600} size="sm">{r}</Text>: {ROLE_TEXT[r] ?? ''}</List.Item>
          ))}
        </List>
      )}
      <Text size="xs" c="dimmed" mt="md">
        Roles are granted by your team’s administrators. Every change is recorded in the audit trail.
      </Text>
    </Paper>
  );
}

function ShortcutsCard() {
  const me = useMe();
  const links = ROUTES.filter((r) => r.path !== '/' && r.nav !== false && hasPermission(me, r.permission));
  return (
    <Paper withBorder p="lg">
      <Title order={3} fz="md" mb="sm">Go to</Title>
      <Stack gap={2}>
        {links.map((r) => (
          <NavLink key={r.path} component={Link} href={r.path} label={r.label} className="vigil-navlink"
            leftSection={<r.icon size={16} stroke={1.6} />} rightSection={<IconArrowRight size={14} />} />
        ))}
      </Stack>
    </Paper>
  );
}

/** Those who read incidents see the live operations dashboard above their account cards. */
export function DashboardPage() {
  const me = useMe();
  const team = hasPermission(me, 'incident.read');
  return (
    <Stack gap="lg">
      <PageHeader title={`Welcome, ${me.user.displayName || me.user.username}`} description={`${me.teamName} · Vigil`} />
      {!me.user.mfaEnabled && (
        <Alert color="orange" variant="light" icon={<IconShieldExclamation size={18} />} title="Two-step sign-in is off for your account">
          A password alone is easy to steal. <Anchor component={Link} href="/account" size="sm">Turn on two-step verification</Anchor> in your account.
        </Alert>
      )}
      {team && <OperationsDashboard />}
      <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }} spacing="lg">
        <AccountCard />
        <RolesCard />
        <ShortcutsCard />
      </SimpleGrid>
    </Stack>
  );
}
