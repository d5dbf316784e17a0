import { usePath } from '../../router';
import { IncidentListPage } from './IncidentListPage';
import { page } from '../../routes';

// The queue comes with the area; one incident's page (its tabs, editors and panels) when opened.
const IncidentPage = page(() => import('./IncidentPage'), 'IncidentPage');

/** /incidents is the list; /incidents/<reference or id> one incident. */
export function IncidentsArea() {
  const rest = usePath().replace(/^\/incidents\/?/, '').replace(/\/+$/, '');
  if (!rest) return <IncidentListPage />;
  const param = decodeURIComponent(rest.split('/')[0]!);
  return <IncidentPage key={param} param={param} />;
}
