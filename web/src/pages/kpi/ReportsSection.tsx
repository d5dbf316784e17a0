// The annual report on demand (a year and the TLP its named incidents and activities may carry),
// and the schedules that e-mail the monthly and annual reports (admins and managers).
import { Button, Group, NativeSelect, Paper, Stack, Text } from '@mantine/core';
import { IconFileTypePdf, IconFileTypeHtml } from '@tabler/icons-react';
import { useState } from 'react';
import { TLPS, type Tlp } from '../../api/incidents';
import { annualReportUrl } from '../../api/kpiReports';
import { ReportSchedulesPanel } from './ReportSchedulesPanel';

export function ReportsSection() {
  const thisYear = new Date().getFullYear();
  const years = Array.from({ length: 6 }, (_, i) => String(thisYear - i));
  const [year, setYear] = useState(String(thisYear - 1));
  const [tlp, setTlp] = useState<Tlp>('GREEN');
  return (
    <Stack gap="md">
      <Paper withBorder p="md" data-testid="annual-report">
        <Text fw={600} size="sm" mb={4}>Annual report</Text>
        <Text size="xs" c="dimmed" mb="sm">
          The year's statistics, KPIs month by month, trends, the team's activities and the notable (P1 and P2) incidents.
          Only incidents and activities marked at or below the chosen TLP are named; the counts include everything you may see.
        </Text>
        <Group gap="xs" align="flex-end">
          <NativeSelect label="Year" data={years} value={year} onChange={(e) => setYear(e.currentTarget.value)} data-testid="annual-year" />
          <NativeSelect label="Written at" data={TLPS.map((t) => ({ value: t, label: `TLP:${t}` }))} value={tlp}
            onChange={(e) => setTlp(e.currentTarget.value as Tlp)} data-testid="annual-tlp" />
          <Button component="a" href={annualReportUrl(Number(year), 'pdf', tlp)} variant="default" leftSection={<IconFileTypePdf size={16} />} data-testid="annual-pdf">PDF</Button>
          <Button component="a" href={annualReportUrl(Number(year), 'html', tlp)} target="_blank" rel="noopener" variant="default" leftSection={<IconFileTypeHtml size={16} />}>HTML</Button>
        </Group>
      </Paper>
      <ReportSchedulesPanel />
    </Stack>
  );
}
