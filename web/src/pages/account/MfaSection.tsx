import { useState } from 'react';
import { Badge, Button, Group, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { IconKey, IconShieldOff } from '@tabler/icons-react';
import { api } from '../../api/client';
import type { RecoveryCodes } from '../../api/types';
import { MfaEnrolFlow, RecoveryCodesBlock } from '../../auth/MfaEnrolFlow';
import { ME_KEY, useMe } from '../../auth/session';
import { Section } from '../../components/common';
import { PasswordPrompt } from '../../components/PasswordPrompt';

export function MfaSection() {
  const { user } = useMe();
  const client = useQueryClient();
  const [flowOpen, setFlowOpen] = useState(false);
  const [prompt, setPrompt] = useState<'disable' | 'regenerate' | null>(null);
  const [newCodes, setNewCodes] = useState<string[] | null>(null);
  const refreshMe = () => client.invalidateQueries({ queryKey: ME_KEY });

  const status = (
    <Badge variant="light" color={user.mfaEnabled ? 'teal' : 'orange'} size="lg" data-testid="mfa-status">
      {user.mfaEnabled ? 'On' : 'Off'}
    </Badge>
  );

  return (
    <Section
      title="Two-step verification"
      description="A code from an authenticator app, asked for after your password."
      actions={status}
    >
      {!user.mfaEnabled || flowOpen ? (
        <MfaEnrolFlow
          onVerified={() => {
            setFlowOpen(true);
            void refreshMe();
          }}
          onDone={() => setFlowOpen(false)}
        />
      ) : (
        <Stack gap="md">
          <Text size="sm">Two-step verification is on. Keep your recovery codes somewhere safe, apart from your authenticator.</Text>
          {newCodes && (
            <>
              <RecoveryCodesBlock codes={newCodes} />
              <Group><Button variant="default" onClick={() => setNewCodes(null)}>I have saved my recovery codes</Button></Group>
            </>
          )}
          <Group>
            <Button variant="default" leftSection={<IconKey size={16} />} onClick={() => setPrompt('regenerate')} data-testid="mfa-regenerate">
              New recovery codes
            </Button>
            <Button variant="light" color="red" leftSection={<IconShieldOff size={16} />} onClick={() => setPrompt('disable')} data-testid="mfa-disable">
              Turn off
            </Button>
          </Group>
        </Stack>
      )}

      <PasswordPrompt
        opened={prompt === 'regenerate'}
        title="New recovery codes"
        description="Your current recovery codes stop working and ten new ones are shown once."
        confirmLabel="Generate new codes"
        testId="mfa-regenerate"
        onClose={() => setPrompt(null)}
        onSubmit={async (password) => {
          const res = await api.post<RecoveryCodes>('/account/mfa/recovery-codes', { password });
          setNewCodes(res.recoveryCodes);
        }}
      />
      <PasswordPrompt
        opened={prompt === 'disable'}
        title="Turn off two-step verification"
        description="Signing in will only need your password. Your recovery codes stop working."
        confirmLabel="Turn off"
        danger
        testId="mfa-disable"
        onClose={() => setPrompt(null)}
        onSubmit={async (password) => {
          await api.post('/account/mfa/disable', { password });
          setNewCodes(null);
          notifications.show({ color: 'orange', message: 'Two-step verification is off.' });
          await refreshMe();
        }}
      />
    </Section>
  );
}
