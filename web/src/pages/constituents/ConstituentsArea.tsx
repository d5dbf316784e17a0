import { usePath } from '../../router';
import { ConstituentListPage } from './ConstituentListPage';
import { ConstituentPage } from './ConstituentPage';

/** /constituents is the list; /constituents/<id> one constituent. */
export function ConstituentsArea() {
  const rest = usePath().replace(/^\/constituents\/?/, '').replace(/\/+$/, '');
  if (!rest) return <ConstituentListPage />;
  const id = decodeURIComponent(rest.split('/')[0]!);
  return <ConstituentPage key={id} id={id} />;
}
