// /triage: the queue; /triage/unparsed: items no parser could read; /triage/alert/<ref> and
// /triage/report/<ref>: one item with its correlation panel.
import { Badge, Stack, Tabs } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconBolt, IconFileAlert } from '@tabler/icons-react';
import { api } from '../../api/client';
import type { Answer } from '../../api/schema';
import { INTAKE_ITEMS_KEY, TRIAGE_PATH, UNPARSED_PATH } from '../../api/triage';
import { useMe } from '../../auth/session';
import { hasPermission } from '../../auth/permissions';
import { PageHeader } from '../../components/common';
import { NotFoundPage } from '../NotFoundPage';
import { navigate, usePath } from '../../router';
import { AlertPage } from './AlertPage';
import { ReportItemPage } from './ReportItemPage';
import { TriageQueuePage } from './TriageQueuePage';
import { UnparsedPage } from './UnparsedPage';

function UnparsedCount() {
  const q = useQuery({
    queryKey: [...INTAKE_ITEMS_KEY, 'count'],
    queryFn: () => api.get<Answer<'intake.items.list'>>('/intake/items?limit=100'),
    refetchInterval: 15_000,
  });
  const n = q.data?.items.length ?? 0;
  if (!n) return null;
  return <Badge size="xs" variant="filled" color="red" circle={n < 10} data-testid="unparsed-count">{n >= 100 ? '99+' : n}</Badge>;
}

function Lists({ tab }: { tab: 'queue' | 'unparsed' }) {
  const me = useMe();
  const canTriage = hasPermission(me, 'report.triage');
  return (
    <Stack gap="md">
      <PageHeader title="Triage"
        description={canTriage
          ? 'New reports and open alerts, most urgent first. Declare an incident from them, link them to one, or reject them with a reason.'
          : 'New reports and open alerts, most urgent first, as the duty officer sees them. Your role reads the queue only.'} />
      {canTriage && (
        <Tabs value={tab} onChange={(v) => navigate(v === 'unparsed' ? UNPARSED_PATH : TRIAGE_PATH)}>
          <Tabs.List>
            <Tabs.Tab value="queue" leftSection={<IconBolt size={16} />} data-testid="tab-queue">Queue</Tabs.Tab>
            <Tabs.Tab value="unparsed" leftSection={<IconFileAlert size={16} />} rightSection={<UnparsedCount />} data-testid="tab-unparsed">Unparsed</Tabs.Tab>
          </Tabs.List>
        </Tabs>
      )}
      {tab === 'queue' ? <TriageQueuePage /> : canTriage ? <UnparsedPage /> : <NotFoundPage />}
    </Stack>
  );
}

export function TriageArea() {
  const rest = usePath().replace(/^\/triage\/?/, '').replace(/\/+$/, '');
  if (!rest) return <Lists tab="queue" />;
  if (rest === 'unparsed') return <Lists tab="unparsed" />;
  const [kind, ref] = rest.split('/');
  if (ref && kind === 'alert') return <AlertPage key={ref} param={decodeURIComponent(ref)} />;
  if (ref && kind === 'report') return <ReportItemPage key={ref} param={decodeURIComponent(ref)} />;
  return <NotFoundPage />;
}
