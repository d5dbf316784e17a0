import { useState, type FormEvent } from 'react';
import { Anchor, Button, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { IconLock, IconUser } from '@tabler/icons-react';
import { api, setCsrfToken } from '../api/client';
import type { LoginResponse } from '../api/types';
import { ErrorAlert, useRetryCountdown } from '../components/errors';
import { Link } from '../router';
import { AuthLayout } from './AuthLayout';
import { signedIn } from './session';

export function LoginPage() {
  const [step, setStep] = useState<'password' | 'mfa'>('password');
  return (
    <AuthLayout>
      {step === 'password' ? <PasswordStep onMfa={() => setStep('mfa')} /> : <MfaStep onRestart={() => setStep('password')} />}
    </AuthLayout>
  );
}

function PasswordStep({ onMfa }: { onMfa: () => void }) {
  const client = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const retryLeft = useRetryCountdown(error);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api.post<LoginResponse>('/auth/login', { username: username.trim(), password }, { quiet401: true });
      if (res.status === 'mfa_required') {
        setCsrfToken(res.csrfToken);
        onMfa();
      } else {
        await signedIn(client, res.csrfToken);
      }
    } catch (err) {
      setError(err);
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <Stack gap="md">
        <div>
          <Title order={1} fz="xl">Sign in</Title>
          <Text size="sm" c="dimmed">Use your Vigil account.</Text>
        </div>
        <ErrorAlert error={error} retryLeft={retryLeft} />
        <TextInput
          label="Username"
          name="username"
          autoComplete="username"
          autoFocus
          required
          leftSection={<IconUser size={16} />}
          value={username}
          onChange={(e) => setUsername(e.currentTarget.value)}
          data-testid="login-username"
        />
        <PasswordInput
          label="Password"
          name="password"
          autoComplete="current-password"
          required
          leftSection={<IconLock size={16} />}
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          data-testid="login-password"
        />
        <Button type="submit" fullWidth loading={busy} disabled={!username || !password || retryLeft > 0} data-testid="login-submit">
          Sign in
        </Button>
        <Text size="sm" c="dimmed" ta="center">
          Not on the team? <Anchor component={Link} href="/report" data-testid="login-report-link">Report an incident</Anchor>
        </Text>
      </Stack>
    </form>
  );
}

function MfaStep({ onRestart }: { onRestart: () => void }) {
  const client = useQueryClient();
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const retryLeft = useRetryCountdown(error);
  const clean = useRecovery ? code.trim().toLowerCase() : code.replace(/\s+/g, '');
  const valid = useRecovery ? clean.length >= 8 : /^\d{6}$/.test(clean);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api.post<LoginResponse>('/auth/login/mfa', { code: clean }, { quiet401: true });
      await signedIn(client, res.csrfToken);
    } catch (err) {
      setError(err);
      setCode('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <Stack gap="md">
        <div>
          <Title order={1} fz="xl">Two-step verification</Title>
          <Text size="sm" c="dimmed">
            {useRecovery
              ? 'Enter one of your recovery codes. Each code works once.'
              : 'Enter the 6-digit code from your authenticator app.'}
          </Text>
        </div>
        <ErrorAlert error={error} retryLeft={retryLeft} />
        <TextInput
          key={useRecovery ? 'recovery' : 'totp'}
          label={useRecovery ? 'Recovery code' : 'Authentication code'}
          name="code"
          autoComplete="one-time-code"
          inputMode={useRecovery ? 'text' : 'numeric'}
          placeholder={useRecovery ? 'xxxx-xxxx-xxxx' : '123456'}
          maxLength={useRecovery ? 40 : 7}
          autoFocus
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', letterSpacing: '0.2em', fontSize: 18 } }}
          data-testid="mfa-code"
        />
        <Button type="submit" fullWidth loading={busy} disabled={!valid || retryLeft > 0} data-testid="mfa-submit">
          Verify
        </Button>
        <Stack gap={4} align="center">
          <Anchor component="button" type="button" size="sm" onClick={() => { setUseRecovery(!useRecovery); setCode(''); setError(null); }} data-testid="mfa-toggle-recovery">
            {useRecovery ? 'Use the authenticator app instead' : 'Use a recovery code instead'}
          </Anchor>
          <Anchor component="button" type="button" size="sm" c="dimmed" onClick={onRestart}>
            Start over
          </Anchor>
        </Stack>
      </Stack>
    </form>
  );
}
