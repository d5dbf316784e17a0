// The bytes of an intake item, a report or an alert as they arrived: decoded as UTF-8 text and
// shown as plain text (React escapes it; nothing is interpreted), with a download link.
import { Alert, Anchor, Box, Group, Paper, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconDownload } from '@tabler/icons-react';
import { ApiError } from '../api/client';
import { fetchRawText } from '../api/triage';
import { formatBytes } from '../api/work';
import { ErrorAlert } from './errors';

const RAW_CAP = 1024 * 1024;

/** The bytes at `path` (an audited read) as plain text, with a download link. */
export function RawBytes({ path, queryKey, filename, note }: { path: string; queryKey: readonly unknown[]; filename: string; note?: string }) {
  const q = useQuery({ queryKey, queryFn: () => fetchRawText(path, RAW_CAP), staleTime: Infinity, retry: false });
  const href = `/api/v1${path}`;
  if (q.error instanceof ApiError && q.error.status === 403) {
    return <Text size="sm" c="dimmed" data-testid="raw-forbidden">Your role may not read the raw content.</Text>;
  }
  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Group gap="lg" wrap="wrap">
          {q.data?.contentType && <Text size="xs" c="dimmed">Content type <Text span ff="monospace" size="xs" c="bright">{q.data.contentType}</Text></Text>}
          {q.data && <Text size="xs" c="dimmed">Size <Text span ff="monospace" size="xs" c="bright">{formatBytes(q.data.size)} ({q.data.size} bytes)</Text></Text>}
          {q.data?.sha256 && (
            <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>SHA-256 <Text span ff="monospace" size="xs" c="bright" data-testid="raw-sha256">{q.data.sha256}</Text></Text>
          )}
        </Group>
        <Anchor href={href} download={filename} size="sm" data-testid="raw-download">
          <Group gap={4} wrap="nowrap"><IconDownload size={14} />Download</Group>
        </Anchor>
      </Group>
      <Text size="xs" c="dimmed">Untrusted input, shown as plain text. Opening it is recorded in the audit trail.{note ? ` ${note}` : ''}</Text>
      <ErrorAlert error={q.error} />
      {q.isLoading && <Text size="sm" c="dimmed">Loading…</Text>}
      {q.data && (
        <>
          {q.data.size > RAW_CAP && (
            <Alert color="yellow" variant="light" data-testid="raw-truncated">
              Showing the first {formatBytes(RAW_CAP)} of {formatBytes(q.data.size)}. Download the file for the rest.
            </Alert>
          )}
          <Paper withBorder p={0}>
            <Box component="pre" m={0} p="sm" fz="xs" ff="monospace" data-testid="raw-text"
              style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', maxHeight: '70vh', overflow: 'auto' }}>
              {q.data.text}
            </Box>
          </Paper>
        </>
      )}
    </Stack>
  );
}
