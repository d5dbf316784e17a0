import { useState, type FormEvent } from 'react';
import { Alert, Box, Button, Code, Group, Image, List, Paper, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { IconInfoCircle, IconShieldCheck } from '@tabler/icons-react';
import { api } from '../api/client';
import type { MfaEnrolment, RecoveryCodes } from '../api/types';
import { CopyIcon } from '../components/common';
import { ErrorAlert } from '../components/errors';

/** The recovery codes, shown once, with a copy-all button. */
export function RecoveryCodesBlock({ codes }: { codes: string[] }) {
  return (
    <Stack gap="xs" maw={640}>
      <Alert color="yellow" variant="light" icon={<IconInfoCircle size={18} />} title="Save these recovery codes now">
        Each code lets you sign in once if you lose your authenticator. They will not be shown again.
      </Alert>
      <Paper withBorder p="md" bg="dark.8">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <SimpleGrid cols={{ base: 1, xs: 2 }} spacing={6} verticalSpacing={6} data-testid="recovery-codes" style={{ flex: 1 }}>
            {codes.map((c) => (
              <Code key={c} fz="md" bg="transparent">{c}</Code>
            ))}
          </SimpleGrid>
          <CopyIcon value={codes.join('\n')} label="Copy recovery codes" />
        </Group>
      </Paper>
    </Stack>
  );
}

type Step = { kind: 'start' } | { kind: 'verify'; enrolment: MfaEnrolment } | { kind: 'codes'; codes: string[] };

/**
 * Enrol an authenticator: start -> scan QR / type secret -> verify a code -> show recovery codes.
 * onVerified runs as soon as MFA is on; onDone when the user has saved the codes.
 */
export function MfaEnrolFlow({ onVerified, onDone, onCancel }: { onVerified?: () => void; onDone: () => void; onCancel?: () => void }) {
  const [step, setStep] = useState<Step>({ kind: 'start' });
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const begin = async () => {
    setBusy(true);
    setError(null);
    try {
      setStep({ kind: 'verify', enrolment: await api.post<MfaEnrolment>('/account/mfa/enrol') });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const verify = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api.post<RecoveryCodes>('/account/mfa/verify', { code: code.replace(/\s+/g, '') });
      setStep({ kind: 'codes', codes: res.recoveryCodes });
      onVerified?.();
    } catch (err) {
      setError(err);
      setCode('');
    } finally {
      setBusy(false);
    }
  };

  if (step.kind === 'start') {
    return (
      <Stack gap="sm" align="flex-start">
        <Text size="sm">
          You will need an authenticator app (for example FreeOTP, Aegis, Google Authenticator or 1Password) on a device you keep with you.
        </Text>
        <ErrorAlert error={error} />
        <Group>
          <Button leftSection={<IconShieldCheck size={16} />} loading={busy} onClick={() => void begin()} data-testid="mfa-enrol">
            Set up two-step verification
          </Button>
          {onCancel && <Button variant="default" onClick={onCancel}>Cancel</Button>}
        </Group>
      </Stack>
    );
  }

  if (step.kind === 'verify') {
    const { enrolment } = step;
    return (
      <form onSubmit={(e) => void verify(e)} noValidate>
        <Stack gap="md">
          <List type="ordered" size="sm" spacing={4}>
            <List.Item>Scan the QR code with your authenticator app, or type the secret key into it.</List.Item>
            <List.Item>Enter the 6-digit code the app shows to confirm.</List.Item>
          </List>
          <Group align="flex-start" gap="xl" wrap="wrap">
            <Box bg="white" p={8} style={{ borderRadius: 8, lineHeight: 0 }}>
              <Image src={enrolment.qrDataUrl} alt="QR code for your authenticator app" w={180} h={180} data-testid="mfa-qr" />
            </Box>
            <Stack gap="xs" style={{ flex: 1, minWidth: 240 }}>
              <Text size="sm" fw={500}>Secret key</Text>
              <Group gap="xs" wrap="nowrap">
                <Code fz="md" data-testid="mfa-secret" style={{ wordBreak: 'break-all', letterSpacing: '0.08em' }}>
                  {enrolment.secret}
                </Code>
                <CopyIcon value={enrolment.secret} label="Copy secret key" />
              </Group>
              <ErrorAlert error={error} />
              <TextInput
                label="Code from the app"
                autoComplete="one-time-code"
                inputMode="numeric"
                placeholder="123456"
                maxLength={7}
                autoFocus
                value={code}
                onChange={(e) => setCode(e.currentTarget.value)}
                styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', letterSpacing: '0.2em', fontSize: 18 } }}
                maw={220}
                data-testid="mfa-verify-code"
              />
              <Group>
                <Button type="submit" loading={busy} disabled={!/^\d{6}$/.test(code.replace(/\s+/g, ''))} data-testid="mfa-verify">
                  Verify and turn on
                </Button>
                {onCancel && <Button variant="default" onClick={onCancel}>Cancel</Button>}
              </Group>
            </Stack>
          </Group>
        </Stack>
      </form>
    );
  }

  return (
    <Stack gap="md">
      <Alert color="teal" variant="light" icon={<IconShieldCheck size={18} />} title="Two-step verification is on">
        From now on, signing in asks for a code from your authenticator app.
      </Alert>
      <RecoveryCodesBlock codes={step.codes} />
      <Group>
        <Button onClick={onDone} data-testid="mfa-done">I have saved my recovery codes</Button>
      </Group>
    </Stack>
  );
}
