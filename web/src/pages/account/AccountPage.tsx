import type { ReactNode } from 'react';
import { Badge, SimpleGrid, Stack, Table } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useMe } from '../../auth/session';
import { ChangePasswordForm } from '../../auth/ChangePasswordForm';
import { DateText, PageHeader, RoleBadges, Section } from '../../components/common';
import { MfaSection } from './MfaSection';
import { SessionsSection } from './SessionsSection';
import { TokensSection } from './TokensSection';
import { NotificationPreferencesSection } from './NotificationPreferencesSection';

function ProfileSection() {
  const { user } = useMe();
  const rows: Array<[string, ReactNode]> = [
    ['Username', <span style={{ fontFamily: 'var(--mantine-font-family-monospace)' }}>{user.username}</span>],
    ['Display name', user.displayName],
    ['E-mail', user.email ?? '—'],
    ['Roles', <RoleBadges roles={user.roles} />],
    ['Status', <Badge size="sm" variant="light" color={user.disabled ? 'gray' : 'teal'}>{user.disabled ? 'disabled' : 'active'}</Badge>],
    ['Account created', <DateText value={user.createdAt} />],
    ['Last sign-in', <DateText value={user.lastLoginAt} />],
  ];
  return (
    <Section title="Profile" description="Your name, e-mail and roles are managed by your team’s administrators.">
      <Table withRowBorders={false} verticalSpacing={5} horizontalSpacing={0} data-testid="profile">
        <Table.Tbody>
          {rows.map(([label, value]) => (
            <Table.Tr key={label}>
              <Table.Td c="dimmed" w={150}>{label}</Table.Td>
              <Table.Td>{value}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Section>
  );
}

function PasswordSection() {
  const client = useQueryClient();
  const done = () => {
    // The server ended the other sessions and revoked the tokens: show both lists as they are now.
    void client.invalidateQueries({ queryKey: ['account'] });
    notifications.show({ color: 'teal', message: 'Password changed. Your other sessions were signed out and your API tokens revoked.' });
  };
  return (
    <Section title="Password" description="Changing it signs out your other sessions and revokes your API tokens.">
      <ChangePasswordForm onDone={done} />
    </Section>
  );
}

export function AccountPage() {
  return (
    <Stack gap="lg">
      <PageHeader title="Account" description="Your profile, sign-in security, API tokens and sessions." />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <ProfileSection />
        <PasswordSection />
      </SimpleGrid>
      <MfaSection />
      <NotificationPreferencesSection />
      <TokensSection />
      <SessionsSection />
    </Stack>
  );
}
