// The report exactly as it arrived. The bytes are untrusted: decoded as UTF-8 and shown as text in a
// <pre>, never interpreted; at most a megabyte is shown, the whole file is a download away.
import { Text } from '@mantine/core';
import { reportRawKey, type Report } from '../../api/reports';
import { RawBytes } from '../../components/RawBytes';

export function RawView({ report }: { report: Report }) {
  if (!report.raw) return <Text size="sm" c="dimmed">No raw content was kept for this report.</Text>;
  return <RawBytes path={`/reports/${encodeURIComponent(report.id)}/raw`} queryKey={reportRawKey(report.id)} filename={`${report.reference}.raw`} />;
}
