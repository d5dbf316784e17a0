// A reporter's private status page, opened through the link the web form gave: where the report
// stands, in plain words, and a form to add information. No account; the link is the key.
import { useState, type FormEvent } from 'react';
import { Alert, Anchor, Badge, Button, Divider, FileInput, Group, List, Loader, Stack, Text, Textarea, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { IconPaperclip, IconSend } from '@tabler/icons-react';
import { ApiError } from '../../api/client';
import { PUBLIC_STATUS_LABELS, type PublicStatus } from '../../api/reports';
import { CopyIcon, DateText, formatDate } from '../../components/common';
import { ErrorAlert, fieldErrors, useRetryCountdown } from '../../components/errors';
import { useAction } from '../../components/useAction';
import { Link, usePath } from '../../router';
import { PublicLayout } from './PublicLayout';
import { fileProblem, formatBytes, publicApi, type PublicFile, type ReporterStatus } from './publicApi';

const COLORS: Record<PublicStatus, string> = { received: 'blue', in_progress: 'orange', closed: 'teal', not_pursued: 'gray' };
const MEANING: Record<PublicStatus, string> = {
  received: 'The team has your report and will look at it.',
  in_progress: 'The team is working on it.',
  closed: 'The team has finished handling it. Thank you for reporting.',
  not_pursued: 'The team decided not to take this further. If you think that is wrong, reply with more information below.',
};

export function ReporterStatusPage() {
  const token = decodeURIComponent(usePath().split('/')[2] ?? '');
  const query = useQuery({
    queryKey: ['public-status', token],
    queryFn: () => publicApi.status(token),
    enabled: token !== '',
    refetchInterval: 120_000,
  });
  const gone = token === '' || (query.error instanceof ApiError && query.error.status === 404);

  return (
    <PublicLayout title="Your report">
      {gone ? (
        <Stack gap="sm" data-testid="public-status-gone">
          <Title order={1} fz={{ base: 22, sm: 26 }}>This link does not work</Title>
          <Text size="sm">
            The status link is unknown or has expired. Links work for a limited time. Contact the team and quote your report's reference, or{' '}
            <Anchor component={Link} href="/report">send a new report</Anchor>.
          </Text>
        </Stack>
      ) : query.isPending ? (
        <Group justify="center" py="xl"><Loader color="signal" type="dots" aria-label="Loading" /></Group>
      ) : query.isError ? (
        <Stack gap="sm">
          <ErrorAlert error={query.error} title="Your report could not be loaded" />
          <Button variant="light" onClick={() => void query.refetch()}>Try again</Button>
        </Stack>
      ) : (
        <StatusView token={token} status={query.data} />
      )}
    </PublicLayout>
  );
}

function Files({ files }: { files: PublicFile[] }) {
  if (files.length === 0) return null;
  return (
    <List size="sm" spacing={2} icon={<IconPaperclip size={14} aria-hidden />} center>
      {files.map((f, i) => (
        <List.Item key={i}>
          <Text span size="sm" style={{ overflowWrap: 'anywhere' }}>{f.filename}</Text>{' '}
          <Text span size="xs" c="dimmed">({formatBytes(f.size)})</Text>
        </List.Item>
      ))}
    </List>
  );
}

function StatusView({ token, status: s }: { token: string; status: ReporterStatus }) {
  return (
    <Stack gap="md" data-testid="public-status">
      <div>
        <Text size="xs" c="dimmed" tt="uppercase" fw={600}>Your report</Text>
        <Title order={1} fz={{ base: 20, sm: 24 }} style={{ overflowWrap: 'anywhere' }} data-testid="public-status-title">{s.title}</Title>
      </div>
      <Stack gap={6}>
        <Group gap="xs" wrap="nowrap">
          <Text size="sm" c="dimmed" w={96}>Reference</Text>
          <Text size="sm" ff="monospace" fw={600} data-testid="public-status-reference">{s.reference}</Text>
          <CopyIcon value={s.reference} label="Copy reference" />
        </Group>
        <Group gap="xs" wrap="nowrap">
          <Text size="sm" c="dimmed" w={96}>Received</Text>
          <DateText value={s.receivedAt} />
        </Group>
        <Group gap="xs" wrap="nowrap" align="center">
          <Text size="sm" c="dimmed" w={96}>Status</Text>
          <Badge variant="light" color={COLORS[s.status]} data-testid="public-status-badge" data-value={s.status}>{PUBLIC_STATUS_LABELS[s.status]}</Badge>
        </Group>
        {s.incidentReference && (
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" c="dimmed" w={96}>Incident</Text>
            <Text size="sm" ff="monospace" data-testid="public-status-incident">{s.incidentReference}</Text>
          </Group>
        )}
      </Stack>
      <Alert variant="light" color={COLORS[s.status]} p="sm">
        <Text size="sm">{MEANING[s.status]}</Text>
      </Alert>
      {s.attachments.length > 0 && (
        <div>
          <Text size="sm" fw={600} mb={4}>Files you sent</Text>
          <Files files={s.attachments} />
        </div>
      )}

      <Divider />
      <Title order={2} fz="lg">What you added</Title>
      {s.messages.length === 0 ? (
        <Text size="sm" c="dimmed">Nothing yet.</Text>
      ) : (
        <Stack gap="sm" data-testid="public-status-messages">
          {s.messages.map((m) => (
            <Stack key={m.id} gap={4} p="sm" bg="dark.8" style={{ borderRadius: 'var(--mantine-radius-sm)' }} data-testid="public-status-message">
              <Text size="xs" c="dimmed">{formatDate(m.receivedAt)}</Text>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{m.body}</Text>
              <Files files={m.attachments} />
            </Stack>
          ))}
        </Stack>
      )}
      <AddInformation token={token} />
      <Text size="xs" c="dimmed">
        This page is private to whoever has its link, which works until {formatDate(s.linkExpiresAt)}. It never shows the team's internal notes.
      </Text>
    </Stack>
  );
}

function AddInformation({ token }: { token: string }) {
  const client = useQueryClient();
  const [message, setMessage] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [tried, setTried] = useState(false);
  const [sent, setSent] = useState(false);
  const { busy, error, run } = useAction();
  const retryLeft = useRetryCountdown(error);
  const limits = useQuery({ queryKey: ['public-form-limits'], queryFn: publicApi.limits, staleTime: 300_000 });
  const filesWrong = fileProblem(files, limits.data);
  const errs = fieldErrors(error);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    setSent(false);
    if (!message.trim() || filesWrong) return;
    await run(async () => {
      const fd = new FormData();
      fd.append('message', message);
      for (const f of files) fd.append('attachment', f, f.name);
      await publicApi.addInformation(token, fd);
      setMessage('');
      setFiles([]);
      setTried(false);
      setSent(true);
      await client.invalidateQueries({ queryKey: ['public-status', token] });
    });
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-labelledby="add-heading" data-testid="public-add-form">
      <Stack gap="sm">
        <Title id="add-heading" order={2} fz="lg">Add information</Title>
        <ErrorAlert error={error} retryLeft={retryLeft} />
        {sent && <Text size="sm" c="teal" role="status" data-testid="public-add-sent">Added. Thank you, the team will see it.</Text>}
        <Textarea label="What would you like to add?" required autosize minRows={3} maxRows={12} maxLength={20_000} value={message}
          error={errs.message ?? (tried && !message.trim() ? 'Write what you want to add' : undefined)}
          onChange={(e) => setMessage(e.currentTarget.value)} data-testid="public-add-message" />
        <FileInput label="Files (optional)" multiple clearable value={files} onChange={setFiles} leftSection={<IconPaperclip size={16} />}
          placeholder="Screenshots, mails, logs…" error={(tried && filesWrong) || undefined} data-testid="public-add-files" />
        <Button type="submit" leftSection={<IconSend size={16} />} loading={busy} disabled={retryLeft > 0} fullWidth data-testid="public-add-submit">
          Send
        </Button>
      </Stack>
    </form>
  );
}
