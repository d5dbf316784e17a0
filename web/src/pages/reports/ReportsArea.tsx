import { usePath } from '../../router';
import { ReportPage } from './ReportPage';
import { ReportQueuePage } from './ReportQueuePage';

/** /reports is the triage queue; /reports/<reference or id> one report. */
export function ReportsArea() {
  const rest = usePath().replace(/^\/reports\/?/, '').replace(/\/+$/, '');
  if (!rest) return <ReportQueuePage />;
  const param = decodeURIComponent(rest.split('/')[0]!);
  return <ReportPage key={param} param={param} />;
}
