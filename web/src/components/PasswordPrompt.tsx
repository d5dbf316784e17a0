import { useState, type FormEvent, type ReactNode } from 'react';
import { Button, Group, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { ErrorAlert } from './errors';

/** A modal asking for the user's password before a sensitive account change. */
export function PasswordPrompt(props: {
  opened: boolean;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onClose: () => void;
  onSubmit: (password: string) => Promise<void>;
  testId?: string;
}) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const close = () => {
    if (busy) return;
    setPassword('');
    setError(null);
    props.onClose();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.onSubmit(password);
      setPassword('');
      props.onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={props.opened} onClose={close} title={<Text fw={600}>{props.title}</Text>}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack>
          <Text size="sm">{props.description}</Text>
          <ErrorAlert error={error} />
          <PasswordInput
            label="Your password"
            autoComplete="current-password"
            autoFocus
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            data-testid={props.testId ? `${props.testId}-password` : undefined}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={busy}>Cancel</Button>
            <Button type="submit" color={props.danger ? 'red' : undefined} loading={busy} disabled={!password}
              data-testid={props.testId ? `${props.testId}-submit` : undefined}>
              {props.confirmLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
