// CSV import: all or nothing; a refused file lists each bad row with its column and why.
import { useState } from 'react';
import { Alert, Button, FileInput, Group, Modal, Stack, Table, Text, Textarea } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { api, ApiError } from '../../api/client';
import type { Answer } from '../../api/schema';
import { ErrorAlert } from '../../components/errors';
import { CONSTITUENTS_KEY } from './constituentsApi';

const COLUMNS = 'name,parent,sector,criticality,netblocks,asns,domains,email_domains,security_email,abuse_email,notes';

export function ImportModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const [csv, setCsv] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const rows = error instanceof ApiError && error.code === 'VIG_CONSTITUENT_IMPORT_INVALID'
    ? ((error.problem.errors ?? []) as { row: number; column?: string; message: string }[]) : [];

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<Answer<'constituents.import'>>('/constituents/import', { csv });
      notifications.show({ color: 'teal', message: `Imported: ${r.created} new, ${r.updated} updated.` });
      await client.invalidateQueries({ queryKey: CONSTITUENTS_KEY });
      setCsv('');
      onClose();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={600}>Import constituents from CSV</Text>} size="xl">
      <Stack gap="sm">
        <Text size="sm">
          One constituent per row, matched by name (new names are created). Columns: <code>{COLUMNS.replace(/,/g, ', ')}</code>; only <code>name</code> is required.
          Lists (netblocks, ASNs, domains) are separated by spaces and replace what the constituent had; contacts and agreements are kept.
          Nothing is imported unless every row is good.
        </Text>
        <FileInput label="CSV file" accept=".csv,text/csv" placeholder="Choose a file…" data-testid="import-file"
          onChange={(f) => void f?.text().then(setCsv)} />
        <Textarea label="…or paste it" autosize minRows={5} maxRows={14} value={csv} onChange={(e) => setCsv(e.currentTarget.value)}
          styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }} data-testid="import-text" />
        {rows.length > 0 ? (
          <Alert color="red" variant="light" title="Nothing was imported: fix these rows" data-testid="import-errors">
            <Table withRowBorders={false} fz="sm">
              <Table.Tbody>
                {rows.map((r, i) => (
                  <Table.Tr key={i}><Table.Td w={70}>Row {r.row}</Table.Td><Table.Td w={120}>{r.column ?? ''}</Table.Td><Table.Td>{r.message}</Table.Td></Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Alert>
        ) : <ErrorAlert error={error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button onClick={() => void run()} loading={busy} disabled={!csv.trim()} data-testid="import-run">Import</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
