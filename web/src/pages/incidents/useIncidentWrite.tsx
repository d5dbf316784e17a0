// Writes to an incident that carry the version the page holds, and the "someone changed this
// incident" flow when the server refuses a stale version: show what it is now, let the user
// re-apply their change on top of it (or drop it). Nothing is ever resent without a click.
import { createContext, useContext, useRef, useState, type ReactNode } from 'react';
import { Alert, Button, Group, List, Text } from '@mantine/core';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { IconGitCompare } from '@tabler/icons-react';
import { conflictCurrent, humanize, INCIDENTS_KEY, incidentKey, type Incident } from '../../api/incidents';
import { formatDate } from '../../components/common';
import { ErrorAlert } from '../../components/errors';

export interface IncidentCtx {
  incident: Incident;
  /** The URL's id or reference: the key the page's query is cached under. */
  param: string;
  canWrite: boolean;
}

const Ctx = createContext<IncidentCtx | null>(null);
export const IncidentProvider = Ctx.Provider;

export function useIncident(): IncidentCtx {
  const v = useContext(Ctx);
  if (!v) throw new Error('useIncident() outside an incident page');
  return v;
}

/** Puts a fresh incident in the page's cache and refreshes what depends on it. */
export function storeIncident(client: QueryClient, param: string, incident: Incident): void {
  client.setQueryData(incidentKey(param), incident);
  void client.invalidateQueries({ queryKey: INCIDENTS_KEY, predicate: (q) => q.queryKey[1] !== 'one' });
}

function ConflictAlert({ current, onReapply, onDiscard, busy }: { current: Incident; onReapply: () => void; onDiscard: () => void; busy: boolean }) {
  return (
    <Alert color="yellow" variant="light" icon={<IconGitCompare size={18} />} title="Someone changed this incident" data-testid="incident-conflict" role="alert">
      <Text size="sm">Your change was not saved: it was made on an older version. This is the incident now (version {current.version}):</Text>
      <List size="sm" mt={4} spacing={2}>
        <List.Item>Title: {current.title}</List.Item>
        <List.Item>Status: {humanize(current.status)}{current.resolution ? ` (${humanize(current.resolution)})` : ''}</List.Item>
        <List.Item>Priority: {current.priority} (impact {current.impact}, urgency {current.urgency}) · TLP:{current.tlp} · PAP:{current.pap}</List.Item>
        <List.Item>Last changed: {formatDate(current.updatedAt, true)}</List.Item>
      </List>
      <Group gap="xs" mt="sm">
        <Button size="xs" color="yellow" loading={busy} onClick={onReapply} data-testid="incident-reapply">Re-apply my change</Button>
        <Button size="xs" variant="default" disabled={busy} onClick={onDiscard}>Discard my change</Button>
      </Group>
    </Alert>
  );
}

/**
 * `run(version, write)` sends a write; on success the page's incident is replaced and onDone
 * called. `alert` shows the failure: a version conflict offers to re-apply the same write on the
 * current version.
 */
export function useIncidentWrite(onDone?: (incident: Incident) => void) {
  const client = useQueryClient();
  const { param } = useIncident();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const last = useRef<((version: number) => Promise<Incident>) | null>(null);

  const run = async (version: number, write: (version: number) => Promise<Incident>): Promise<Incident | null> => {
    last.current = write;
    setBusy(true);
    setError(null);
    try {
      const next = await write(version);
      storeIncident(client, param, next);
      onDone?.(next);
      return next;
    } catch (err) {
      setError(err);
      // Show the current state everywhere on the page, not only in the alert.
      const current = conflictCurrent(err);
      if (current) storeIncident(client, param, current);
      return null;
    } finally {
      setBusy(false);
    }
  };

  const current = conflictCurrent(error);
  const alert: ReactNode = current ? (
    <ConflictAlert current={current} busy={busy}
      onReapply={() => last.current && void run(current.version, last.current)}
      onDiscard={() => setError(null)} />
  ) : (
    <ErrorAlert error={error} />
  );

  return { run, busy, error, alert, reset: () => setError(null) };
}
