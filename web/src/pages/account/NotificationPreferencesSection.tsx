import { useEffect, useState } from 'react';
import { Alert, Button, Checkbox, Group, Table, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { api } from '../../api/client';
import { Section } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { useAction } from '../../components/useAction';
import type { Preferences } from '../notifications/api';

const KEY = ['account', 'notification-preferences'];

/** Per event kind: in the app's inbox, by e-mail, both or neither. */
export function NotificationPreferencesSection() {
  const client = useQueryClient();
  const query = useQuery({ queryKey: KEY, queryFn: () => api.get<Preferences>('/account/notification-preferences') });
  const [items, setItems] = useState<Preferences['items']>([]);
  const save = useAction();
  useEffect(() => {
    if (query.data) setItems(query.data.items);
  }, [query.data]);
  const set = (event: string, field: 'email' | 'inApp', value: boolean) =>
    setItems((xs) => xs.map((x) => (x.event === event ? { ...x, [field]: value } : x)));
  const dirty = JSON.stringify(items) !== JSON.stringify(query.data?.items ?? []);

  return (
    <Section title="Notifications" description="How Vigil tells you about incidents assigned to you, escalations and waiting alerts.">
      <ErrorAlert error={query.error ?? save.error} />
      {query.data && !query.data.hasEmail && (
        <Alert color="yellow" variant="light" mb="sm">Your account has no e-mail address: e-mail notifications cannot reach you. Ask an administrator to add one.</Alert>
      )}
      <Table withRowBorders={false} verticalSpacing={4} horizontalSpacing="sm" data-testid="notification-preferences">
        <Table.Thead>
          <Table.Tr><Table.Th>Event</Table.Th><Table.Th w={90}>In the app</Table.Th><Table.Th w={90}>E-mail</Table.Th></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((p) => (
            <Table.Tr key={p.event} data-event={p.event}>
              <Table.Td><Text size="sm">{p.label}</Text></Table.Td>
              <Table.Td><Checkbox aria-label={`${p.label}: in the app`} checked={p.inApp} onChange={(e) => set(p.event, 'inApp', e.currentTarget.checked)} /></Table.Td>
              <Table.Td><Checkbox aria-label={`${p.label}: e-mail`} checked={p.email} onChange={(e) => set(p.event, 'email', e.currentTarget.checked)} /></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group mt="sm">
        <Button size="sm" disabled={!dirty} loading={save.busy} data-testid="preferences-save"
          onClick={() => void save.run(async () => {
            const r = await api.put<Preferences>('/account/notification-preferences', { items: items.map(({ event, email, inApp }) => ({ event, email, inApp })) });
            client.setQueryData(KEY, r);
            notifications.show({ color: 'teal', message: 'Notification preferences saved.' });
          })}>
          Save preferences
        </Button>
      </Group>
    </Section>
  );
}
