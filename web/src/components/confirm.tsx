import { useState, type ReactNode } from 'react';
import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { ErrorAlert } from './errors';

export interface ConfirmOptions {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  /** Runs on confirm; the modal stays open with the error if it throws. */
  onConfirm: () => Promise<unknown> | unknown;
}

/** A confirmation modal for dangerous actions: `const [modal, confirm] = useConfirm()`. */
export function useConfirm(): [ReactNode, (opts: ConfirmOptions) => void] {
  const [opts, setOpts] = useState<ConfirmOptions | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const close = () => {
    if (busy) return;
    setOpts(null);
    setError(null);
  };

  const run = async () => {
    if (!opts) return;
    setBusy(true);
    setError(null);
    try {
      await opts.onConfirm();
      setOpts(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const modal = (
    <Modal opened={opts !== null} onClose={close} title={<Text fw={600}>{opts?.title}</Text>} size="md">
      <Stack>
        <Text size="sm">{opts?.message}</Text>
        <ErrorAlert error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={close} disabled={busy}>Cancel</Button>
          <Button color={opts?.danger ? 'red' : undefined} loading={busy} onClick={() => void run()} data-testid="confirm-button">
            {opts?.confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );

  return [modal, (o) => { setError(null); setOpts(o); }];
}
