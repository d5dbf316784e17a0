import { useState, type ReactNode } from 'react';
import { Alert, Anchor, Badge, Box, Button, Group, Menu, Paper, SimpleGrid, Stack, Tabs, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import {
  IconArrowLeft, IconChecklist, IconChevronDown, IconClock, IconDownload, IconFileTypeHtml, IconFileTypePdf, IconFingerprint, IconInbox, IconJson, IconLink,
  IconListDetails, IconLock, IconPaperclip, IconSchool, IconUsers,
} from '@tabler/icons-react';
import { api, ApiError } from '../../api/client';
import { humanize, incidentKey, type Incident } from '../../api/incidents';
import { DateText } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { ErrorBoundary } from '../../components/ErrorBoundary';
import { ExerciseBadge, PriorityBadge, StatusBadge, TlpBadge } from '../../components/incidentBadges';
import { Link } from '../../router';
import { useRsit } from './ClassificationPicker';
import { EscalationBanner } from './EscalationBanner';
import { SlaPanel } from './SlaPanel';
import { EvidenceTab } from './EvidenceTab';
import { IncidentActions } from './IncidentActions';
import { AssignModal } from './IncidentListPage';
import { KeyTimesTab } from './KeyTimesTab';
import { LessonsTab } from './LessonsTab';
import { LinksTab } from './LinksTab';
import { ObservablesTab } from './ObservablesTab';
import { ReportsTab } from './ReportsTab';
import { RolesTab } from './RolesTab';
import { TasksTab } from './TasksTab';
import { TimelineTab } from './TimelineTab';
import { IncidentProvider, useIncident, useIncidentWrite } from './useIncidentWrite';

type Tab = 'timeline' | 'reports' | 'tasks' | 'observables' | 'evidence' | 'links' | 'roles' | 'key-times' | 'lessons';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} style={{ letterSpacing: '0.04em' }}>{label}</Text>
      <Box mt={2} fz="sm">{children}</Box>
    </Box>
  );
}

/** Who owns the incident in the queue, with the control to change it for those who may write. */
function AssigneeFact() {
  const { incident } = useIncident();
  const [open, setOpen] = useState(false);
  const { assignee } = incident;
  return (
    <Fact label="Assignee">
      <Group gap={6} wrap="nowrap">
        <Text span size="sm" c={assignee ? undefined : 'dimmed'} data-testid="incident-assignee-name" title={assignee?.username}>
          {assignee?.displayName ?? 'Unassigned'}
        </Text>
        {incident.allowed.update && (
          <Button size="compact-xs" variant="subtle" onClick={() => setOpen(true)} data-testid="incident-assign">Assign…</Button>
        )}
      </Group>
      {open && <AssignModal incidents={[incident]} onClose={() => setOpen(false)} onDone={() => undefined} />}
    </Fact>
  );
}

function Details({ incident }: { incident: Incident }) {
  const { label } = useRsit();
  const classes = [...incident.classifications].sort((a, b) => Number(b.primary) - Number(a.primary));
  return (
    <Paper withBorder p="md">
      <Stack gap="md">
        {incident.summary ? (
          <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="incident-summary-text">{incident.summary}</Text>
        ) : (
          <Text size="sm" c="dimmed">No summary.</Text>
        )}
        <SimpleGrid cols={{ base: 2, md: 4 }} spacing="md" verticalSpacing="sm">
          <Fact label="Impact / urgency">{humanize(incident.impact)} / {humanize(incident.urgency)}</Fact>
          <AssigneeFact />
          <Fact label="Constituent">{incident.constituent ?? <Text span size="sm" c="dimmed">—</Text>}</Fact>
          <Fact label="Created"><DateText value={incident.createdAt} /></Fact>
          <Fact label={incident.closedAt ? 'Closed' : 'Updated'}><DateText value={incident.closedAt ?? incident.updatedAt} /></Fact>
          <Box style={{ gridColumn: 'span 2' }}>
            <Fact label="Classification">
              <Stack gap={2}>
                {classes.map((c) => (
                  <Group key={`${c.class}/${c.type}`} gap={6} wrap="nowrap">
                    <Text size="sm">{label(c)}</Text>
                    {c.primary && classes.length > 1 && <Badge size="xs" variant="light">primary</Badge>}
                  </Group>
                ))}
              </Stack>
            </Fact>
          </Box>
          {incident.resolution && (
            <Fact label="Resolution">
              {humanize(incident.resolution)}
              {incident.duplicateOf && (
                <> of <Anchor component={Link} href={`/incidents/${incident.duplicateOf}`} size="sm">the original incident</Anchor></>
              )}
            </Fact>
          )}
          <Fact label="Version"><Text span size="sm" ff="monospace">{incident.version}</Text></Fact>
        </SimpleGrid>
      </Stack>
    </Paper>
  );
}

/**
 * The case report as files: HTML and PDF for people (TLP label on every page), JSON for archives.
 * Each holds what the reader may see of the incident; the server names the file.
 */
function ExportMenu() {
  const { incident } = useIncident();
  const base = `/api/v1/incidents/${encodeURIComponent(incident.id)}`;
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button variant="default" leftSection={<IconDownload size={16} />} rightSection={<IconChevronDown size={14} />} data-testid="incident-export">Export</Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Case report</Menu.Label>
        <Menu.Item component="a" href={`${base}/export.html?download=true`} download leftSection={<IconFileTypeHtml size={16} />} data-testid="export-html">
          HTML (to read and print)
        </Menu.Item>
        <Menu.Item component="a" href={`${base}/export.pdf`} download leftSection={<IconFileTypePdf size={16} />} data-testid="export-pdf">PDF</Menu.Item>
        <Menu.Item component="a" href={`${base}/export`} download leftSection={<IconJson size={16} />} data-testid="export-json">JSON (archive)</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

/** Reference, badges, title, the export and (for those who may write) the actions, with the move's outcome below. */
function Header({ onLessons }: { onLessons: () => void }) {
  const { incident } = useIncident();
  const move = useIncidentWrite();
  return (
    <>
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="md">
        <Stack gap={6} style={{ minWidth: 0, flex: 1 }}>
          <Group gap={8} wrap="wrap">
            <Text ff="monospace" fw={600} c="dimmed" data-testid="incident-reference">{incident.reference}</Text>
            <StatusBadge status={incident.status} data-testid="incident-status" data-value={incident.status} />
            <PriorityBadge priority={incident.priority} data-testid="incident-priority" />
            <TlpBadge tlp={incident.tlp} data-testid="incident-tlp-badge" />
            <TlpBadge tlp={incident.pap} prefix="PAP" />
            {incident.exercise && <ExerciseBadge />}
          </Group>
          <Title order={1} fz={22} style={{ overflowWrap: 'anywhere' }} data-testid="incident-heading">{incident.title}</Title>
        </Stack>
        <Group gap="sm" wrap="wrap">
          <ExportMenu />
          {(incident.allowed.update || incident.allowed.close || incident.allowed.reopen) && <IncidentActions onLessons={onLessons} move={move} />}
        </Group>
      </Group>
      {move.error !== null && move.alert}
    </>
  );
}

export function IncidentPage({ param }: { param: string }) {
  const [tab, setTab] = useState<Tab>('timeline');
  const query = useQuery({
    queryKey: incidentKey(param),
    queryFn: () => api.get<Incident>(`/incidents/${encodeURIComponent(param)}`),
    retry: (n, err) => !(err instanceof ApiError && err.status < 500) && n < 2,
  });
  const back = (
    <Anchor component={Link} href="/incidents" size="sm" c="dimmed">
      <Group gap={4}><IconArrowLeft size={14} />All incidents</Group>
    </Anchor>
  );

  if (query.error instanceof ApiError && query.error.status === 404) {
    return (
      <Stack gap="md">
        {back}
        <Alert color="gray" variant="light" icon={<IconLock size={18} />} title="Not found" data-testid="incident-not-found">
          No such incident, or it is not shared with you (TLP).
        </Alert>
      </Stack>
    );
  }
  if (!query.data) return <Stack gap="md">{back}<ErrorAlert error={query.error} />{query.isLoading && <Text c="dimmed">Loading…</Text>}</Stack>;
  const incident = query.data;
  const canWrite = incident.allowed.write;

  return (
    <IncidentProvider value={{ incident, param, canWrite }}>
      <Stack gap="md">
        {back}
        <ErrorBoundary area="The incident's heading" resetKey={incident.id}><Header onLessons={() => setTab('lessons')} /></ErrorBoundary>
        <ErrorBoundary area="The escalation" resetKey={incident.id}><EscalationBanner /></ErrorBoundary>
        <ErrorBoundary area="The incident's details" resetKey={incident.id}><Details incident={incident} /></ErrorBoundary>
        <ErrorBoundary area="The SLA clocks" resetKey={incident.id}><SlaPanel /></ErrorBoundary>
        <Tabs value={tab} onChange={(v) => v && setTab(v as Tab)} keepMounted={false}>
          <Tabs.List mb="md">
            <Tabs.Tab value="timeline" leftSection={<IconListDetails size={16} />} data-testid="tab-timeline">Timeline</Tabs.Tab>
            <Tabs.Tab value="reports" leftSection={<IconInbox size={16} />} data-testid="tab-reports">Reports</Tabs.Tab>
            <Tabs.Tab value="tasks" leftSection={<IconChecklist size={16} />} data-testid="tab-tasks">Tasks</Tabs.Tab>
            <Tabs.Tab value="observables" leftSection={<IconFingerprint size={16} />} data-testid="tab-observables">Observables</Tabs.Tab>
            <Tabs.Tab value="evidence" leftSection={<IconPaperclip size={16} />} data-testid="tab-evidence">Evidence</Tabs.Tab>
            <Tabs.Tab value="links" leftSection={<IconLink size={16} />} data-testid="tab-links">Links</Tabs.Tab>
            <Tabs.Tab value="roles" leftSection={<IconUsers size={16} />} data-testid="tab-roles">Roles ({incident.roles.length})</Tabs.Tab>
            <Tabs.Tab value="key-times" leftSection={<IconClock size={16} />} data-testid="tab-key-times">Key times</Tabs.Tab>
            <Tabs.Tab value="lessons" leftSection={<IconSchool size={16} />} data-testid="tab-lessons">Lessons learned</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="timeline"><ErrorBoundary area="The timeline" resetKey={incident.id}><TimelineTab /></ErrorBoundary></Tabs.Panel>
          <Tabs.Panel value="reports"><ErrorBoundary area="The reports" resetKey={incident.id}><ReportsTab key={incident.id} /></ErrorBoundary></Tabs.Panel>
          <Tabs.Panel value="tasks"><ErrorBoundary area="The tasks" resetKey={incident.id}><TasksTab key={incident.id} /></ErrorBoundary></Tabs.Panel>
          <Tabs.Panel value="observables"><ErrorBoundary area="The observables" resetKey={incident.id}><ObservablesTab key={incident.id} /></ErrorBoundary></Tabs.Panel>
          <Tabs.Panel value="evidence"><ErrorBoundary area="The evidence" resetKey={incident.id}><EvidenceTab key={incident.id} /></ErrorBoundary></Tabs.Panel>
          <Tabs.Panel value="links"><ErrorBoundary area="The links" resetKey={incident.id}><LinksTab key={incident.id} /></ErrorBoundary></Tabs.Panel>
          <Tabs.Panel value="roles"><ErrorBoundary area="The roles" resetKey={incident.id}><RolesTab /></ErrorBoundary></Tabs.Panel>
          <Tabs.Panel value="key-times"><ErrorBoundary area="The key times" resetKey={incident.id}><KeyTimesTab /></ErrorBoundary></Tabs.Panel>
          <Tabs.Panel value="lessons"><ErrorBoundary area="The lessons learned" resetKey={incident.id}><LessonsTab /></ErrorBoundary></Tabs.Panel>
        </Tabs>
      </Stack>
    </IncidentProvider>
  );
}
