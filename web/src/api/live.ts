// Live updates: one EventSource per signed-in tab on /api/v1/live. The server sends only ids of
// incidents and reports that changed and that this user may see; the matching cached queries are
// marked stale, so whatever is on screen re-reads through the API (which checks access again).
import { useEffect, useState } from 'react';
import { useQueryClient, type Query } from '@tanstack/react-query';

interface Change {
  incidents: string[];
  reports: string[];
}

export type LiveState = 'connecting' | 'live' | 'offline';

const DEBOUNCE_MS = 300;

function touches(query: Query, change: Change): boolean {
  const [area, kind, ...rest] = query.queryKey as unknown[];
  if (area === 'reports' || kind === 'reports') return change.reports.length > 0 || change.incidents.length > 0;
  if (area !== 'incidents' || change.incidents.length === 0) return false;
  // Lists, counts and single incidents (cached by reference as well as by id) always; the rest by id.
  if (kind === 'list' || kind === 'count' || kind === 'one') return true;
  return rest.some((k) => typeof k === 'string' && change.incidents.includes(k));
}

export function useLiveUpdates(enabled: boolean): LiveState {
  const client = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');

  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    const pending: Change = { incidents: [], reports: [] };
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      const change = { incidents: [...new Set(pending.incidents)], reports: [...new Set(pending.reports)] };
      pending.incidents = [];
      pending.reports = [];
      void client.invalidateQueries({ predicate: (q) => touches(q, change) });
    };
    const source = new EventSource('/api/v1/live');
    source.addEventListener('ready', () => setState('live'));
    source.addEventListener('change', (e) => {
      try {
        const c = JSON.parse((e as MessageEvent<string>).data) as Change;
        pending.incidents.push(...c.incidents);
        pending.reports.push(...c.reports);
        timer ??= setTimeout(flush, DEBOUNCE_MS);
      } catch {
        // a malformed event is ignored; the next one will do
      }
    });
    // The browser reconnects by itself after an error or the server's end of stream.
    source.addEventListener('error', () => setState(source.readyState === EventSource.CLOSED ? 'offline' : 'connecting'));
    return () => {
      source.close();
      if (timer) clearTimeout(timer);
    };
  }, [enabled, client]);

  return enabled ? state : 'offline';
}
