// Pages shown instead of the app until the account meets the team's rules.
import { Anchor, Group, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import type { Me } from '../api/types';
import { AuthLayout } from './AuthLayout';
import { ChangePasswordForm } from './ChangePasswordForm';
import { MfaEnrolFlow } from './MfaEnrolFlow';
import { ME_KEY, useLogout } from './session';

function SignedInAs({ me }: { me: Me }) {
  const logout = useLogout();
  return (
    <Group justify="space-between" mt="lg">
      <Text size="xs" c="dimmed">
        Signed in as <strong>{me.user.username}</strong>
      </Text>
      <Anchor component="button" type="button" size="xs" onClick={() => void logout()} data-testid="forced-logout">
        Sign out
      </Anchor>
    </Group>
  );
}

export function ForcedPasswordChangePage({ me }: { me: Me }) {
  const client = useQueryClient();
  return (
    <AuthLayout width={460} teamName={me.teamName}>
      <Stack gap="md">
        <div>
          <Title order={1} fz="xl">Choose a new password</Title>
          <Text size="sm" c="dimmed">
            Your password was set by an administrator or has to be renewed. Choose your own before you continue.
          </Text>
        </div>
        <ChangePasswordForm
          submitLabel="Set new password"
          onDone={async () => {
            notifications.show({ color: 'teal', message: 'Password changed.' });
            await client.invalidateQueries({ queryKey: ME_KEY });
          }}
        />
      </Stack>
      <SignedInAs me={me} />
    </AuthLayout>
  );
}

export function ForcedMfaEnrolmentPage({ me }: { me: Me }) {
  const client = useQueryClient();
  return (
    <AuthLayout width={620} teamName={me.teamName}>
      <Stack gap="md">
        <div>
          <Title order={1} fz="xl">Set up two-step verification</Title>
          <Text size="sm" c="dimmed">
            Your team requires two-step verification (MFA) for every account. Set it up to continue.
          </Text>
        </div>
        <MfaEnrolFlow onDone={() => void client.invalidateQueries({ queryKey: ME_KEY })} />
      </Stack>
      <SignedInAs me={me} />
    </AuthLayout>
  );
}
