import { usePath } from '../../router';
import { IncidentListPage } from './IncidentListPage';
import { IncidentPage } from './IncidentPage';

/** /incidents is the list; /incidents/<reference or id> one incident. */
export function IncidentsArea() {
  const rest = usePath().replace(/^\/incidents\/?/, '').replace(/\/+$/, '');
  if (!rest) return <IncidentListPage />;
  const param = decodeURIComponent(rest.split('/')[0]!);
  return <IncidentPage key={param} param={param} />;
}
