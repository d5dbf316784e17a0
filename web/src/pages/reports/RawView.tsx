// The report exactly as it arrived. The bytes are untrusted: decoded as UTF-8 and shown as text in a
// <pre>, never interpreted; at most RAW_CAP bytes are shown, the whole file is a download away.
import { Alert, Anchor, Box, Group, Paper, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconDownload } from '@tabler/icons-react';
import { ApiError } from '../../api/client';
import { reportRawKey, type Report } from '../../api/reports';
import { formatBytes } from '../../api/work';
import { ErrorAlert } from '../../components/errors';

const RAW_CAP = 1024 * 1024;

interface Raw {
  text: string;
  size: number;
  contentType: string | null;
  sha256: string | null;
}

async function fetchRaw(id: string): Promise<Raw> {
  const res = await fetch(`/api/v1/reports/${encodeURIComponent(id)}/raw`, { credentials: 'same-origin' });
  if (!res.ok) {
    let problem: Record<string, unknown> = {};
    try {
      problem = (await res.json()) as Record<string, unknown>;
    } catch {
      // not JSON
    }
    throw new ApiError({
      status: res.status, code: typeof problem.code === 'string' ? problem.code : `HTTP_${res.status}`,
      title: typeof problem.title === 'string' ? problem.title : `Request failed (${res.status})`, problem,
    });
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  return {
    text: new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, RAW_CAP)),
    size: bytes.length,
    contentType: res.headers.get('x-original-content-type'),
    sha256: res.headers.get('x-content-sha256'),
  };
}

export function RawView({ report }: { report: Report }) {
  const q = useQuery({ queryKey: reportRawKey(report.id), queryFn: () => fetchRaw(report.id), staleTime: Infinity, retry: false });
  if (!report.raw) return <Text size="sm" c="dimmed">No raw content was kept for this report.</Text>;
  const href = `/api/v1/reports/${encodeURIComponent(report.id)}/raw`;
  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Group gap="lg" wrap="wrap">
          <Text size="xs" c="dimmed">Content type <Text span ff="monospace" size="xs" c="bright">{report.raw.contentType}</Text></Text>
          <Text size="xs" c="dimmed">Size <Text span ff="monospace" size="xs" c="bright">{formatBytes(report.raw.size)} ({report.raw.size} bytes)</Text></Text>
          <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>SHA-256 <Text span ff="monospace" size="xs" c="bright" data-testid="raw-sha256">{report.raw.sha256}</Text></Text>
        </Group>
        <Anchor href={href} download={`${report.reference}.raw`} size="sm" data-testid="raw-download">
          <Group gap={4} wrap="nowrap"><IconDownload size={14} />Download</Group>
        </Anchor>
      </Group>
      <Text size="xs" c="dimmed">Untrusted input, shown as plain text. Opening it is recorded in the audit trail.</Text>
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
