import { useState, type FormEvent } from 'react';
import { Button, Group, PasswordInput, Stack } from '@mantine/core';
import { api } from '../api/client';
import { ErrorAlert, fieldErrors } from '../components/errors';

export const MIN_PASSWORD_LENGTH = 12;

/** Current password + new password twice; calls onDone after the server accepts it. */
export function ChangePasswordForm({ onDone, submitLabel = 'Change password' }: { onDone: () => void | Promise<void>; submitLabel?: string }) {
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [touched, setTouched] = useState(false);

  const tooShort = newPassword.length > 0 && newPassword.length < MIN_PASSWORD_LENGTH;
  const sameAsOld = newPassword.length > 0 && newPassword === currentPassword;
  const mismatch = repeat.length > 0 && repeat !== newPassword;
  const valid = currentPassword.length > 0 && newPassword.length >= MIN_PASSWORD_LENGTH && repeat === newPassword && !sameAsOld;
  const server = fieldErrors(error);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!valid) return;
    setBusy(true);
    setError(null);
    try {
      await api.post('/auth/password', { currentPassword, newPassword });
      setCurrent('');
      setNew('');
      setRepeat('');
      setTouched(false);
      await onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <Stack gap="sm" maw={420}>
        <ErrorAlert error={error} />
        <PasswordInput
          label="Current password"
          autoComplete="current-password"
          required
          value={currentPassword}
          onChange={(e) => setCurrent(e.currentTarget.value)}
          error={server.currentPassword}
          data-testid="password-current"
        />
        <PasswordInput
          label="New password"
          description={`At least ${MIN_PASSWORD_LENGTH} characters. A passphrase of several words works well.`}
          autoComplete="new-password"
          required
          value={newPassword}
          onChange={(e) => setNew(e.currentTarget.value)}
          error={
            (tooShort && touched ? `Use at least ${MIN_PASSWORD_LENGTH} characters` : undefined) ??
            (sameAsOld ? 'Choose a password different from the current one' : undefined) ??
            server.newPassword
          }
          data-testid="password-new"
        />
        <PasswordInput
          label="Repeat new password"
          autoComplete="new-password"
          required
          value={repeat}
          onChange={(e) => setRepeat(e.currentTarget.value)}
          error={mismatch ? 'The passwords do not match' : undefined}
          data-testid="password-repeat"
        />
        <Group>
          <Button type="submit" loading={busy} disabled={!valid} data-testid="password-submit">
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
