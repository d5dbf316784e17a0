import { useEffect, useState } from 'react';
import { Badge, Button, Code, Group, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { api } from '../../api/client';
import type { Answer } from '../../api/schema';
import { ErrorAlert, fieldErrors } from '../../components/errors';
import { useAction } from '../../components/useAction';
import type { NotificationEvent } from './api';

const KEY = ['admin', 'notifications', 'templates'];

/** One template per event kind, with its variables; saving refuses a variable the event does not have. */
export function TemplatesPanel() {
  const client = useQueryClient();
  const query = useQuery({ queryKey: KEY, queryFn: () => api.get<Answer<'notificationTemplates.list'>>('/notification-templates') });
  const [event, setEvent] = useState<NotificationEvent>('incident.declared');
  const current = query.data?.items.find((t) => t.event === event);
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const save = useAction();
  const errors = fieldErrors(save.error);
  useEffect(() => {
    if (current) {
      setSubject(current.subject);
      setBody(current.body);
    }
  }, [current]);

  const put = (template: { subject: string; body: string } | null) => void save.run(async () => {
    if (!current) return;
    await api.put(`/notification-templates/${event}`, { template, version: current.version });
    notifications.show({ color: 'teal', message: template ? 'Template saved.' : 'Template reset to the default.' });
    await client.invalidateQueries({ queryKey: KEY });
  });

  return (
    <Stack gap="md" maw={820}>
      <ErrorAlert error={query.error} />
      <Group align="flex-end">
        <Select label="Event" value={event} onChange={(v) => { if (v) { save.setError(null); setEvent(v as NotificationEvent); } }} allowDeselect={false} w={260}
          data={(query.data?.items ?? []).map((t) => ({ value: t.event, label: t.label }))} data-testid="template-event" />
        {current && <Badge variant="light" color={current.isDefault ? 'gray' : 'blue'}>{current.isDefault ? 'default' : 'customised'}</Badge>}
      </Group>
      {current && (
        <>
          <Text size="sm" c="dimmed">
            Variables: {current.variables.map((v) => <Code key={v} mr={4}>{`{{${v}}}`}</Code>)}
          </Text>
          <TextInput label="Subject" value={subject} onChange={(e) => setSubject(e.currentTarget.value)} maxLength={300} error={errors.subject} data-testid="template-subject" />
          <Textarea label="Body" value={body} onChange={(e) => setBody(e.currentTarget.value)} autosize minRows={5} maxRows={16} error={errors.body} data-testid="template-body"
            description="Plain text. Values are escaped for each channel (HTML for Matrix, control characters for Slack and Mattermost)." />
          <ErrorAlert error={save.error} />
          <Group>
            <Button onClick={() => put({ subject, body })} loading={save.busy} data-testid="template-save">Save</Button>
            <Button variant="default" disabled={current.isDefault} onClick={() => put(null)}>Reset to default</Button>
          </Group>
        </>
      )}
    </Stack>
  );
}
