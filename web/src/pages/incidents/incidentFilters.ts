// The incident list's filters, kept in the query string (/incidents?q=…&status=new,triage) so a
// reload, the back button and a shared link show the same list. Unknown or malformed values are
// dropped rather than sent to the API.
import { PRIORITIES, STATUSES, TLPS } from '../../api/incidents';

export interface Filters {
  q: string;
  open: boolean;
  status: string[];
  priority: string[];
  tlp: string[];
  /** RSIT class and type (type only with a class). */
  cls: string;
  type: string;
  constituent: string;
  mine: boolean;
  exercise: 'any' | 'true' | 'false';
  assignee: 'any' | 'me' | 'none';
  createdFrom: string;
  createdTo: string;
  sort: 'newest' | 'oldest' | 'updated' | 'priority';
}

export const DEFAULTS: Filters = {
  q: '', open: true, status: [], priority: [], tlp: [], cls: '', type: '', constituent: '', mine: false, exercise: 'any', assignee: 'any',
  createdFrom: '', createdTo: '', sort: 'newest',
};

const SORT_VALUES = ['newest', 'oldest', 'updated', 'priority'] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const TOKEN = /^[a-z0-9-]{1,60}$/;

const list = (v: string | null, allowed: readonly string[]) => [...new Set((v ?? '').split(',').filter((x) => allowed.includes(x)))];
const oneOf = <T extends string>(v: string | null, allowed: readonly T[], fallback: T): T => (allowed.includes(v as T) ? (v as T) : fallback);
const text = (v: string | null, max: number) => (v ?? '').slice(0, max);

/** The filters a query string says (defaults for what it leaves out). */
export function parseFilters(search: string): Filters {
  const p = new URLSearchParams(search);
  const open = p.get('open') !== 'false';
  const cls = TOKEN.test(p.get('class') ?? '') ? p.get('class')! : '';
  return {
    q: text(p.get('q'), 500),
    open,
    status: list(p.get('status'), STATUSES).filter((s) => !open || s !== 'closed'),
    priority: list(p.get('priority'), PRIORITIES),
    tlp: list(p.get('tlp'), TLPS),
    cls,
    type: cls && TOKEN.test(p.get('type') ?? '') ? p.get('type')! : '',
    constituent: text(p.get('constituent'), 200),
    mine: p.get('mine') === 'true',
    exercise: oneOf(p.get('exercise'), ['any', 'true', 'false'], 'any'),
    assignee: oneOf(p.get('assignee'), ['any', 'me', 'none'], 'any'),
    createdFrom: DAY.test(p.get('createdFrom') ?? '') ? p.get('createdFrom')! : '',
    createdTo: DAY.test(p.get('createdTo') ?? '') ? p.get('createdTo')! : '',
    sort: oneOf(p.get('sort'), SORT_VALUES, 'newest'),
  };
}

/** The query string for the filters ("" for the defaults), only what differs from them. */
export function filtersSearch(f: Filters): string {
  const p = new URLSearchParams();
  const put = (k: string, v: string) => v && p.set(k, v);
  put('q', f.q.trim());
  if (!f.open) p.set('open', 'false');
  put('status', f.status.join(','));
  put('priority', f.priority.join(','));
  put('tlp', f.tlp.join(','));
  put('class', f.cls);
  if (f.cls) put('type', f.type);
  put('constituent', f.constituent.trim());
  if (f.mine) p.set('mine', 'true');
  if (f.exercise !== 'any') p.set('exercise', f.exercise);
  if (f.assignee !== 'any') p.set('assignee', f.assignee);
  put('createdFrom', f.createdFrom);
  put('createdTo', f.createdTo);
  if (f.sort !== 'newest') p.set('sort', f.sort);
  const s = p.toString();
  return s ? `?${s}` : '';
}
