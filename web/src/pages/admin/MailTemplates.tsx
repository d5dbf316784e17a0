import { useEffect, useState } from 'react';
import { Badge, Button, Code, Group, Paper, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { api } from '../../api/client';
import type { Body, Schema } from '../../api/schema';
import { ErrorAlert } from '../../components/errors';

export type MailTemplates = Schema<'MailTemplates'>;
export type MailKind = keyof MailTemplates['templates'];
type Template = NonNullable<Body<'mailTemplates.update'>[MailKind]>;

const TEMPLATES_KEY = ['admin', 'mail-templates'] as const;

const INFO: Record<MailKind, { title: string; description: string }> = {
  receipt: {
    title: 'Receipt',
    description: 'Sent once for each new report that came by e-mail, the web form or the portal with a reporter address.',
  },
  update: {
    title: 'Update',
    description: 'Sent when the incident a report is on changes what the reporter sees (being handled, closed), if the reporter asked for updates.',
  },
};

/** One template's editor: subject and plain-text body, saved on its own, or put back to the default. */
function TemplateEditor({ kind, data }: { kind: MailKind; data: MailTemplates }) {
  const client = useQueryClient();
  const current = data.templates[kind];
  const [subject, setSubject] = useState(current.subject);
  const [body, setBody] = useState(current.body);
  useEffect(() => {
    setSubject(current.subject);
    setBody(current.body);
  }, [current.subject, current.body]);

  const save = useMutation({
    mutationFn: (t: Template | null) => api.put<MailTemplates>('/settings/mail-templates', { [kind]: t }),
    onSuccess: (res) => {
      client.setQueryData(TEMPLATES_KEY, res);
      notifications.show({ color: 'teal', message: `${INFO[kind].title} template saved.` });
    },
  });
  const dirty = subject !== current.subject || body !== current.body;
  const info = INFO[kind];

  return (
    <Paper withBorder p="lg" component="section" aria-label={`${info.title} template`}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <Stack gap={2}>
            <Group gap="xs">
              <Title order={3} fz="lg">{info.title}</Title>
              {current.isDefault && <Badge size="sm" variant="light" color="gray">default</Badge>}
            </Group>
            <Text size="sm" c="dimmed">{info.description}</Text>
          </Stack>
        </Group>
        <ErrorAlert error={save.error} />
        <TextInput label="Subject" value={subject} maxLength={300} onChange={(e) => setSubject(e.currentTarget.value)} data-testid={`mail-${kind}-subject`} />
        <Textarea
          label="Body (plain text)" autosize minRows={8} maxRows={24} value={body} maxLength={20000}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13 } }}
          onChange={(e) => setBody(e.currentTarget.value)} data-testid={`mail-${kind}-body`}
        />
        <Group>
          <Button onClick={() => save.mutate({ subject, body })} loading={save.isPending} disabled={!dirty || !subject.trim() || !body.trim()} data-testid={`mail-${kind}-save`}>
            Save
          </Button>
          {dirty && (
            <Button variant="subtle" color="gray" onClick={() => { setSubject(current.subject); setBody(current.body); }}>
              Discard changes
            </Button>
          )}
          {!current.isDefault && (
            <Button variant="subtle" color="gray" onClick={() => save.mutate(null)} disabled={save.isPending}>
              Back to the default
            </Button>
          )}
        </Group>
      </Stack>
    </Paper>
  );
}

export function MailTemplatesPanel() {
  const templates = useQuery({ queryKey: TEMPLATES_KEY, queryFn: () => api.get<MailTemplates>('/settings/mail-templates') });
  const data = templates.data;
  return (
    <Stack gap="md" maw={860}>
      <ErrorAlert error={templates.error} />
      {data && (
        <>
          <Text size="sm" c="dimmed">
            Variables: {data.variables.map((v) => <Code key={v} mr={4}>{`{{${v}}}`}</Code>)}. A body line whose variables are all empty
            (no status link, no incident yet) is left out. Every change is written to the audit trail.
          </Text>
          <TemplateEditor kind="receipt" data={data} />
          <TemplateEditor kind="update" data={data} />
        </>
      )}
    </Stack>
  );
}
