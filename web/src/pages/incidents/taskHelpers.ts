// Shared by the tasks board and its forms: phase labels, datetime-local conversion, who may be assigned.
import type { Task, TaskPhase, TaskStatus } from '../../api/work';
import { humanize } from '../../api/incidents';
import { useTeam, useUserNames } from './RolesTab';

export const PHASE_LABEL = (p: TaskPhase) => (p === 'post_incident' ? 'Post-incident' : humanize(p));
export const STATUS_COLOR: Record<TaskStatus, string> = { open: 'gray', in_progress: 'blue', blocked: 'red', done: 'teal', cancelled: 'dark' };
export const finished = (t: Task) => t.status === 'done' || t.status === 'cancelled';
export const isOverdue = (t: Task, now = Date.now()) => !!t.dueAt && !finished(t) && new Date(t.dueAt).getTime() < now;

/** An ISO instant as a datetime-local value in the reader's zone, and back. */
export function toLocal(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return Number.isNaN(d.getTime()) ? '' : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export const fromLocal = (v: string): string | null => (v && !Number.isNaN(new Date(v).getTime()) ? new Date(v).toISOString() : null);

/** Who may be assigned: the team's handlers and managers, and anyone already named (`extra`). */
export function usePeople(extra: (string | null)[] = []) {
  const team = useTeam();
  const nameOf = useUserNames();
  const people = new Map<string, string>();
  for (const u of team.users) if (!u.disabled && u.roles.some((r) => r === 'handler' || r === 'manager')) people.set(u.id, u.displayName);
  for (const id of extra) if (id && !people.has(id)) people.set(id, nameOf(id));
  return [...people].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label));
}
