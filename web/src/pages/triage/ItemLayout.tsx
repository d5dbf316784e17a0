// The frame both item views share: the way back, the header, the decision, the action bar, the
// Parsed / Raw tabs beside the correlation panel, and the triage modals.
import { useState, type ReactNode } from 'react';
import { Alert, Anchor, Button, Grid, Group, Stack, Tabs, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { IconAlertTriangle, IconArrowLeft, IconBan, IconCheck, IconFileCode, IconLink, IconLock, IconTextCaption } from '@tabler/icons-react';
import { incidentPath } from '../../api/incidents';
import { itemActions, TRIAGE_PATH, type CorrelatedIncident, type QueueItem, type Suggestions } from '../../api/triage';
import { ErrorAlert } from '../../components/errors';
import { Link, navigate } from '../../router';
import { CorrelationPanel } from './ItemParts';
import { ariaKeys, useShortcuts } from './shortcuts';
import { DeclareItemsModal, DismissItemsModal, LinkItemsModal } from './TriageActionModals';
import { acknowledge, linkItems, PartialRun } from './writes';

export const BackToQueue = () => (
  <Anchor component={Link} href={TRIAGE_PATH} size="sm" c="dimmed">
    <Group gap={4}><IconArrowLeft size={14} />Triage queue</Group>
  </Anchor>
);

export function NotFound({ what }: { what: string }) {
  return (
    <Stack gap="md">
      <BackToQueue />
      <Alert color="gray" variant="light" icon={<IconLock size={18} />} title="Not found" data-testid="item-not-found">
        No such {what}, or it is not shared with you.
      </Alert>
    </Stack>
  );
}

type Acting = 'declare' | 'link' | 'dismiss' | null;

export function ItemLayout({ item, badges, heading, decision, extraActions, parsed, raw, correlation, correlationMissing, suggestions }: {
  /** The item; what may be done to it is its `allowed`, as the server says. */
  item: QueueItem;
  badges: ReactNode;
  heading: string;
  decision?: ReactNode;
  extraActions?: ReactNode;
  parsed: ReactNode;
  raw: ReactNode;
  correlation: CorrelatedIncident[] | undefined;
  correlationMissing?: boolean;
  suggestions: Suggestions | undefined;
}) {
  const client = useQueryClient();
  const [tab, setTab] = useState<'parsed' | 'raw'>('parsed');
  const [acting, setActing] = useState<Acting>(null);
  const [linking, setLinking] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const allowed = itemActions(item);
  const ackable = allowed.acknowledge;

  const attempt = async (fn: () => Promise<string>) => {
    setError(null);
    setNotice(null);
    try {
      setNotice(await fn());
    } catch (e) {
      setError(e instanceof PartialRun ? e.cause : e);
    }
  };
  const ack = () => attempt(async () => `Acknowledged ${(await acknowledge(client, [item])).join(', ')}.`);
  const linkTo = (c: CorrelatedIncident) => {
    setLinking(c.reference);
    void attempt(async () => {
      await linkItems(client, [item], c.reference);
      return `Linked to ${c.reference}.`;
    }).finally(() => setLinking(null));
  };

  useShortcuts((id) => {
    if (id === 'acknowledge' && ackable) void ack();
    else if ((id === 'declare' || id === 'link' || id === 'dismiss') && allowed[id]) setActing(id);
    else return false;
  }, acting === null);

  return (
    <Stack gap="md">
      <BackToQueue />
      <Stack gap={6}>
        <Group gap={8} wrap="wrap">
          <Text ff="monospace" fw={600} c="dimmed" data-testid="item-reference">{item.reference}</Text>
          {badges}
        </Group>
        <Title order={1} fz={22} style={{ overflowWrap: 'anywhere' }} data-testid="item-heading">{heading}</Title>
      </Stack>
      {(ackable || allowed.declare || allowed.link || allowed.dismiss || extraActions) && (
        <Group gap="xs" data-testid="item-actions">
          {ackable && <Button variant="light" color="cyan" leftSection={<IconCheck size={16} />} onClick={() => void ack()} aria-keyshortcuts={ariaKeys('acknowledge')} data-testid="item-ack">Acknowledge (a)</Button>}
          {allowed.declare && <Button leftSection={<IconAlertTriangle size={16} />} onClick={() => setActing('declare')} aria-keyshortcuts={ariaKeys('declare')} data-testid="item-declare">Declare incident (d)</Button>}
          {allowed.link && <Button variant="light" leftSection={<IconLink size={16} />} onClick={() => setActing('link')} aria-keyshortcuts={ariaKeys('link')} data-testid="item-link">Link… (l)</Button>}
          {allowed.dismiss && (
            <Button variant="light" color="red" leftSection={<IconBan size={16} />} onClick={() => setActing('dismiss')} aria-keyshortcuts={ariaKeys('dismiss')} data-testid="item-dismiss">
              {item.kind === 'alert' ? 'Dismiss… (r)' : 'Reject… (r)'}
            </Button>
          )}
          {extraActions}
        </Group>
      )}
      {notice && <Text size="sm" c="teal" role="status" data-testid="item-notice">{notice}</Text>}
      <ErrorAlert error={error} />
      {decision}
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Tabs value={tab} onChange={(v) => v && setTab(v as 'parsed' | 'raw')} keepMounted={false}>
            <Tabs.List mb="md">
              <Tabs.Tab value="parsed" leftSection={<IconTextCaption size={16} />} data-testid="tab-parsed">Parsed</Tabs.Tab>
              <Tabs.Tab value="raw" leftSection={<IconFileCode size={16} />} data-testid="tab-raw">Raw</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="parsed">{parsed}</Tabs.Panel>
            <Tabs.Panel value="raw">{raw}</Tabs.Panel>
          </Tabs>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <CorrelationPanel correlation={correlation} missing={correlationMissing} onLink={allowed.link ? linkTo : undefined} linking={linking} />
        </Grid.Col>
      </Grid>
      {acting === 'declare' && (
        <DeclareItemsModal items={[item]} suggestions={suggestions} onClose={() => setActing(null)} onDeclared={(inc) => navigate(incidentPath(inc.reference))} />
      )}
      {acting === 'link' && <LinkItemsModal items={[item]} correlated={correlation} onClose={() => setActing(null)} onDone={(t) => setNotice(`${t}.`)} />}
      {acting === 'dismiss' && <DismissItemsModal items={[item]} onClose={() => setActing(null)} onDone={(t) => setNotice(`${t}.`)} />}
    </Stack>
  );
}
