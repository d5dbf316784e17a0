// One report: what it says (parsed fields and body, as plain text), the bytes that arrived (raw, as
// plain text), what was decided, and the triage actions for those who may triage.
import { useState, type ReactNode } from 'react';
import { Alert, Anchor, Box, Button, Group, Paper, SimpleGrid, Stack, Tabs, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconAlertTriangle, IconArrowBackUp, IconArrowLeft, IconArrowMerge, IconBan, IconFileCode, IconLink, IconLock, IconTextCaption } from '@tabler/icons-react';
import { api, ApiError } from '../../api/client';
import { incidentPath } from '../../api/incidents';
import { CHANNEL_LABELS, decisionText, reportApi, reportKey, reportPath, type Report } from '../../api/reports';
import { useMe } from '../../auth/session';
import { hasPermission } from '../../auth/permissions';
import { DateText } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { StatusBadge, TlpBadge } from '../../components/incidentBadges';
import { Link } from '../../router';
import { DeclareIncidentModal } from '../incidents/DeclareIncidentModal';
import { RawView } from './RawView';
import { ReportAttachments } from './ReportAttachments';
import { ReportStatusBadge } from './reportBadges';
import { TriageModal, type TriageKind } from './TriageModals';

export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box style={{ minWidth: 0 }}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} style={{ letterSpacing: '0.04em' }}>{label}</Text>
      <Box mt={2} fz="sm" style={{ overflowWrap: 'anywhere' }}>{children}</Box>
    </Box>
  );
}

const none = <Text span size="sm" c="dimmed">—</Text>;

function Decision({ report }: { report: Report }) {
  if (report.status === 'new') return null;
  return (
    <Paper withBorder p="sm" data-testid="report-decision">
      <Group gap="lg" wrap="wrap" align="flex-start">
        <Fact label="Decision">{decisionText(report)}</Fact>
        {report.incident && (
          <Fact label="Incident">
            <Group gap={6} wrap="nowrap">
              <Anchor component={Link} href={incidentPath(report.incident.reference)} ff="monospace" size="sm" data-testid="report-incident-link">
                {report.incident.reference}
              </Anchor>
              <StatusBadge status={report.incident.status} />
            </Group>
          </Fact>
        )}
        {report.mergedInto && (
          <Fact label="Merged into">
            <Anchor component={Link} href={reportPath(report.mergedIntoReference ?? report.mergedInto)} ff="monospace" size="sm" data-testid="report-merged-link">
              {report.mergedIntoReference ?? report.mergedInto}
            </Anchor>
          </Fact>
        )}
        {report.decidedAt && <Fact label="Decided"><DateText value={report.decidedAt} /></Fact>}
      </Group>
      {report.rejectionNote && (
        <Text size="sm" mt="xs" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="report-rejection-note">{report.rejectionNote}</Text>
      )}
    </Paper>
  );
}

function Parsed({ report, canWork }: { report: Report; canWork: boolean }) {
  return (
    <Stack gap="md">
      <Paper withBorder p="md">
        <SimpleGrid cols={{ base: 2, md: 4 }} spacing="md" verticalSpacing="sm">
          <Fact label="Reporter">{report.reporterName ?? none}</Fact>
          <Fact label="Organisation">{report.organisation ?? none}</Fact>
          <Fact label="E-mail">{report.reporterEmail ? <Text span size="sm" ff="monospace">{report.reporterEmail}</Text> : none}</Fact>
          <Fact label="Phone">{report.reporterPhone ? <Text span size="sm" ff="monospace">{report.reporterPhone}</Text> : none}</Fact>
          <Fact label="Received"><DateText value={report.receivedAt} seconds /></Fact>
          <Fact label="Channel">{CHANNEL_LABELS[report.channel]}{report.source ? ` · ${report.source}` : ''}</Fact>
          {report.urgency && <Fact label="Urgency (as reported)"><Text span size="sm" tt="capitalize">{report.urgency}</Text></Fact>}
          <Fact label="Last changed"><DateText value={report.updatedAt} /></Fact>
          <Fact label="Version"><Text span size="sm" ff="monospace">{report.version}</Text></Fact>
        </SimpleGrid>
      </Paper>
      <Paper withBorder p="md">
        <Text size="xs" c="dimmed" tt="uppercase" fw={600} mb={6} style={{ letterSpacing: '0.04em' }}>Body</Text>
        {report.body ? (
          <Box component="pre" m={0} fz="sm" ff="monospace" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', maxHeight: '70vh', overflow: 'auto' }}
            data-testid="report-body">
            {report.body}
          </Box>
        ) : <Text size="sm" c="dimmed">No body.</Text>}
      </Paper>
      <ReportAttachments report={report} canWork={canWork} />
    </Stack>
  );
}

/** The actions the report allows (`allowed`, as the server says); none, nothing. */
function Actions({ report, onAct }: { report: Report; onAct: (kind: 'declare' | TriageKind) => void }) {
  const a = report.allowed;
  if (!a.declare && !a.link && !a.merge && !a.reject && !a.reopen) return null;
  return (
    <Group gap="xs">
      {a.declare && <Button leftSection={<IconAlertTriangle size={16} />} onClick={() => onAct('declare')} data-testid="report-declare">Declare incident</Button>}
      {a.link && <Button variant="light" leftSection={<IconLink size={16} />} onClick={() => onAct('link')} data-testid="report-link">Link to incident…</Button>}
      {a.merge && <Button variant="light" leftSection={<IconArrowMerge size={16} />} onClick={() => onAct('merge')} data-testid="report-merge">Merge…</Button>}
      {a.reject && <Button variant="light" color="red" leftSection={<IconBan size={16} />} onClick={() => onAct('reject')} data-testid="report-reject">Reject…</Button>}
      {a.reopen && <Button variant="default" leftSection={<IconArrowBackUp size={16} />} onClick={() => onAct('reopen')} data-testid="report-reopen">Reopen…</Button>}
    </Group>
  );
}

export function ReportPage({ param }: { param: string }) {
  const me = useMe();
  const canTriage = hasPermission(me, 'report.triage');
  const [tab, setTab] = useState<'parsed' | 'raw'>('parsed');
  const [acting, setActing] = useState<'declare' | TriageKind | null>(null);
  const query = useQuery({
    queryKey: reportKey(param),
    queryFn: () => api.get<Report>(reportApi(param)),
    retry: (n, err) => !(err instanceof ApiError && err.status < 500) && n < 2,
  });
  const back = (
    <Anchor component={Link} href="/reports" size="sm" c="dimmed">
      <Group gap={4}><IconArrowLeft size={14} />Report queue</Group>
    </Anchor>
  );

  if (query.error instanceof ApiError && query.error.status === 404) {
    return (
      <Stack gap="md">
        {back}
        <Alert color="gray" variant="light" icon={<IconLock size={18} />} title="Not found" data-testid="report-not-found">
          No such report, or it is not shared with you.
        </Alert>
      </Stack>
    );
  }
  if (!query.data) return <Stack gap="md">{back}<ErrorAlert error={query.error} />{query.isLoading && <Text c="dimmed">Loading…</Text>}</Stack>;
  const report = query.data;

  return (
    <Stack gap="md">
      {back}
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="md">
        <Stack gap={6} style={{ minWidth: 0, flex: 1 }}>
          <Group gap={8} wrap="wrap">
            <Text ff="monospace" fw={600} c="dimmed" data-testid="report-reference">{report.reference}</Text>
            <ReportStatusBadge status={report.status} data-testid="report-status" data-value={report.status} />
            <TlpBadge tlp={report.tlp} />
            <Text span size="sm" c="dimmed">{CHANNEL_LABELS[report.channel]}</Text>
          </Group>
          <Title order={1} fz={22} style={{ overflowWrap: 'anywhere' }} data-testid="report-heading">{report.title}</Title>
        </Stack>
        <Actions report={report} onAct={setActing} />
      </Group>
      <Decision report={report} />
      <Tabs value={tab} onChange={(v) => v && setTab(v as 'parsed' | 'raw')} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="parsed" leftSection={<IconTextCaption size={16} />} data-testid="tab-parsed">Parsed</Tabs.Tab>
          <Tabs.Tab value="raw" leftSection={<IconFileCode size={16} />} data-testid="tab-raw">Raw</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="parsed"><Parsed report={report} canWork={canTriage} /></Tabs.Panel>
        <Tabs.Panel value="raw"><RawView report={report} /></Tabs.Panel>
      </Tabs>
      {report.allowed.declare && (
        <DeclareIncidentModal opened={acting === 'declare'} onClose={() => setActing(null)} reports={acting === 'declare' ? [report] : undefined} />
      )}
      {acting && acting !== 'declare' && <TriageModal kind={acting} reports={[report]} onClose={() => setActing(null)} />}
    </Stack>
  );
}
