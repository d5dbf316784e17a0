import { AppShell, Avatar, Burger, Divider, Group, Menu, NavLink, ScrollArea, Stack, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconChevronDown, IconLogout, IconUserCircle } from '@tabler/icons-react';
import { Brand } from '../components/Brand';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { useLogout, useMe } from '../auth/session';
import { hasPermission } from '../auth/permissions';
import { Link, navigate, usePath } from '../router';
import { findRoute, normalizePath, ROUTES, type AppRoute } from '../routes';
import { ForbiddenPage, NotFoundPage } from '../pages/NotFoundPage';
import { useLiveUpdates, type LiveState } from '../api/live';
import { NotificationBell } from './NotificationBell';

const LIVE_LABEL: Record<LiveState, string> = {
  live: 'Live: changes by others appear as they happen',
  connecting: 'Connecting for live updates…',
  offline: 'Live updates are off: reload the page to see changes by others',
};

function LiveIndicator({ state }: { state: LiveState }) {
  const color = state === 'live' ? 'var(--mantine-color-green-6)' : state === 'connecting' ? 'var(--mantine-color-yellow-6)' : 'var(--mantine-color-gray-5)';
  return (
    <Group gap={6} wrap="nowrap" title={LIVE_LABEL[state]} aria-label={LIVE_LABEL[state]} data-testid="live-indicator" data-state={state}>
      <span style={{ width: 8, height: 8, borderRadius: 4, background: color, display: 'inline-block' }} />
      <Text size="xs" c="dimmed" visibleFrom="sm">{state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting' : 'Offline'}</Text>
    </Group>
  );
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return ((parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '')).toUpperCase() || '?';
}

function groupRoutes(routes: AppRoute[]): Array<[string | undefined, AppRoute[]]> {
  const groups = new Map<string | undefined, AppRoute[]>();
  for (const r of routes) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  return [...groups.entries()];
}

function UserMenu() {
  const me = useMe();
  const logout = useLogout();
  const name = me.user.displayName || me.user.username;
  return (
    <Menu position="bottom-end" width={220} withinPortal>
      <Menu.Target>
        <UnstyledButton data-testid="user-menu" className="vigil-user-button">
          <Group gap={8} wrap="nowrap">
            <Avatar size={28} radius="xl" color="signal" variant="light" aria-hidden>{initials(name)}</Avatar>
            <Text size="sm" fw={500} visibleFrom="sm">{name}</Text>
            <VisuallyHidden>{`${name}: account menu`}</VisuallyHidden>
            <IconChevronDown size={14} />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Signed in as {me.user.username}</Menu.Label>
        <Menu.Item leftSection={<IconUserCircle size={16} />} onClick={() => navigate('/account')}>Account</Menu.Item>
        <Menu.Divider />
        <Menu.Item leftSection={<IconLogout size={16} />} onClick={() => void logout()} data-testid="logout">
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

export function AppLayout() {
  const me = useMe();
  const path = normalizePath(usePath());
  const [opened, { toggle, close }] = useDisclosure();
  const visible = ROUTES.filter((r) => r.nav !== false && hasPermission(me, r.permission));
  const route = findRoute(path);
  const Page = route?.component;
  const allowed = route ? hasPermission(me, route.permission) : false;
  const live = useLiveUpdates(true);

  return (
    <AppShell
      header={{ height: 52 }}
      navbar={{ width: 228, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="lg"
      className="vigil-shell"
    >
      <AppShell.Header className="vigil-header">
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Link href="/" className="vigil-brand-link" aria-label="Vigil home">
              <Brand />
            </Link>
            <Divider orientation="vertical" my={14} />
            <Text size="sm" c="dimmed" fw={500} truncate data-testid="team-name">{me.teamName}</Text>
          </Group>
          <Group gap="md" wrap="nowrap">
            <LiveIndicator state={live} />
            <ErrorBoundary area="Notifications"><NotificationBell /></ErrorBoundary>
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" className="vigil-navbar" aria-label="Main navigation">
        <AppShell.Section grow component={ScrollArea}>
          <Stack gap="md">
            {groupRoutes(visible).map(([group, items]) => (
              <Stack gap={2} key={group ?? ''}>
                {group && <Text size="xs" fw={600} c="dimmed" tt="uppercase" px="sm" mb={4} style={{ letterSpacing: '0.06em' }}>{group}</Text>}
                {items.map((item) => (
                  <NavLink
                    key={item.path}
                    component={Link}
                    href={item.path}
                    label={item.label}
                    leftSection={<item.icon size={18} stroke={1.6} />}
                    active={path === item.path || (item.subpaths === true && path.startsWith(`${item.path}/`))}
                    onClick={close}
                    data-testid={`nav-${item.path === '/' ? 'dashboard' : item.path.split('/').pop()}`}
                    className="vigil-navlink"
                  />
                ))}
              </Stack>
            ))}
          </Stack>
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main>
        <div className="vigil-page">
          <ErrorBoundary area="This page" resetKey={path}>{Page && allowed ? <Page /> : route ? <ForbiddenPage /> : <NotFoundPage />}</ErrorBoundary>
        </div>
      </AppShell.Main>
    </AppShell>
  );
}
