import { useState } from 'react';
import { Stack, Tabs } from '@mantine/core';
import { IconListDetails, IconPlugConnected, IconTemplate } from '@tabler/icons-react';
import { useMe } from '../../auth/session';
import { hasPermission } from '../../auth/permissions';
import { PageHeader } from '../../components/common';
import { ChannelsPanel } from './ChannelsPanel';
import { DeliveriesPanel } from './DeliveriesPanel';
import { TemplatesPanel } from './TemplatesPanel';

/** The delivery log (admins and managers); channels and templates (admins). */
export function NotificationsAdminPage() {
  const admin = hasPermission(useMe(), 'notification.manage');
  const [tab, setTab] = useState<'log' | 'channels' | 'templates'>('log');
  return (
    <Stack gap="md">
      <PageHeader title="Notifications" description="In-app, e-mail and webhook notifications to the team: every delivery and attempt, the channels, and the templates." />
      <Tabs value={tab} onChange={(v) => v && setTab(v as typeof tab)} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="log" leftSection={<IconListDetails size={16} />} data-testid="tab-log">Delivery log</Tabs.Tab>
          {admin && <Tabs.Tab value="channels" leftSection={<IconPlugConnected size={16} />} data-testid="tab-channels">Channels</Tabs.Tab>}
          {admin && <Tabs.Tab value="templates" leftSection={<IconTemplate size={16} />} data-testid="tab-templates">Templates</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="log"><DeliveriesPanel /></Tabs.Panel>
        {admin && <Tabs.Panel value="channels"><ChannelsPanel /></Tabs.Panel>}
        {admin && <Tabs.Panel value="templates"><TemplatesPanel /></Tabs.Panel>}
      </Tabs>
    </Stack>
  );
}
