// A report's files: name, type, size and flags, a download link each (the server answers with the
// file as an attachment), and "Keep as evidence" on the report's incident for those who work it.
import { useState } from 'react';
import { Badge, Button, Group, Paper, Table, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { IconDownload, IconShieldCheck } from '@tabler/icons-react';
import { api } from '../../api/client';
import { reportApi, type Report } from '../../api/reports';
import type { Answer, Schema } from '../../api/schema';
import { evidenceKey, formatBytes, type Evidence } from '../../api/work';
import { EmptyRow } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { useAction } from '../../components/useAction';

/** A file of the report, with the kind of message (first or reply) it came in. */
export type ReportFile = Schema<'ReportAttachment'>;

export const reportFilesKey = (reportId: string) => ['report-files', reportId] as const;
const downloadUrl = (reportId: string, fileId: string) => `/api/v1${reportApi(reportId)}/attachments/${encodeURIComponent(fileId)}`;

function KeepButton({ report, file, kept, onKept }: { report: Report; file: ReportFile; kept: boolean; onKept: (e: Evidence) => void }) {
  const client = useQueryClient();
  const { busy, error, run } = useAction();
  const keep = () => run(async () => {
    const ev = await api.post<Evidence>(`${reportApi(report.id)}/attachments/${encodeURIComponent(file.id)}/evidence`, {});
    if (report.incidentId) void client.invalidateQueries({ queryKey: evidenceKey(report.incidentId) });
    onKept(ev);
  });
  return (
    <>
      <Button size="xs" variant="light" leftSection={<IconShieldCheck size={14} />} loading={busy} disabled={kept} onClick={() => void keep()}
        data-testid="attachment-keep" aria-label={`Keep ${file.filename} as evidence`}>
        {kept ? 'Kept as evidence' : 'Keep as evidence'}
      </Button>
      {error !== null && <ErrorAlert error={error} />}
    </>
  );
}

export function ReportAttachments({ report, canWork }: { report: Report; canWork: boolean }) {
  const q = useQuery({ queryKey: reportFilesKey(report.id), queryFn: () => api.get<Answer<'reports.attachments.list'>>(`${reportApi(report.id)}/attachments`) });
  const [kept, setKept] = useState<Record<string, string>>({});
  const files = q.data?.items ?? [];
  const mayKeep = canWork && !!report.incidentId;

  return (
    <Paper withBorder p="md" data-testid="report-attachments">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} mb={6} style={{ letterSpacing: '0.04em' }}>Attachments</Text>
      <ErrorAlert error={q.error} />
      <Table className="vigil-table" verticalSpacing={6}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>File</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th>Size</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {q.isSuccess && files.length === 0 && <EmptyRow colSpan={4}>No attachments.</EmptyRow>}
          {files.map((f) => (
            <Table.Tr key={f.id} data-testid="attachment-row" data-filename={f.filename}>
              <Table.Td>
                <Group gap={6} wrap="wrap">
                  <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>{f.filename}</Text>
                  {f.messageKind && <Badge size="xs" variant="light" color="gray">{f.messageKind === 'reply' ? 'in a reply' : `in a ${f.messageKind.replace(/_/g, ' ')}`}</Badge>}
                  {f.flags.map((flag) => (
                    <Badge key={flag} size="xs" variant="light" color={flag === 'executable' || flag === 'archive' ? 'red' : 'gray'}>{flag.replace(/_/g, ' ')}</Badge>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td><Text size="xs" ff="monospace" c="dimmed" style={{ overflowWrap: 'anywhere' }}>{f.contentType}</Text></Table.Td>
              <Table.Td><Text size="sm" style={{ whiteSpace: 'nowrap' }}>{formatBytes(f.size)}</Text></Table.Td>
              <Table.Td>
                {f.stored ? (
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    <Button component="a" href={downloadUrl(report.id, f.id)} download size="xs" variant="default" leftSection={<IconDownload size={14} />}
                      data-testid="attachment-download" aria-label={`Download ${f.filename}`}>
                      Download
                    </Button>
                    {mayKeep && <KeepButton report={report} file={f} kept={!!kept[f.id]} onKept={(e) => setKept((k) => ({ ...k, [f.id]: e.id }))} />}
                  </Group>
                ) : (
                  <Text size="xs" c="dimmed">Only in the raw message</Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {canWork && !report.incidentId && files.some((f) => f.stored) && (
        <Text size="xs" c="dimmed" mt={6}>Link the report to an incident to keep a file as evidence.</Text>
      )}
    </Paper>
  );
}
