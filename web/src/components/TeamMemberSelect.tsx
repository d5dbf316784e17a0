// Choosing a colleague: the team as every team member may read it (GET /team-members: names and
// roles only), in a searchable Select. Used for assignment, incident roles, tasks, rotas and escalation.
import { Select, type SelectProps } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { Answer, Schema } from '../api/schema';
import type { Role } from '../api/types';

export type TeamMember = Schema<'Colleague'>;

export const TEAM_MEMBERS_KEY = ['team-members'] as const;

/** The team's accounts (reporter accounts are not on it). */
export function useTeamMembers(enabled = true) {
  const q = useQuery({ queryKey: TEAM_MEMBERS_KEY, queryFn: () => api.get<Answer<'team_members.list'>>('/team-members'), enabled, staleTime: 60_000 });
  return { members: q.data?.items ?? [], loading: q.isLoading, error: q.error };
}

/** Select options: active members (holding one of `roles`, when given), "Name (username)", by name. */
export function memberOptions(members: readonly TeamMember[], roles?: readonly Role[]) {
  return members
    .filter((m) => !m.disabled && (!roles || m.roles.some((r) => roles.includes(r))))
    .map((m) => ({ value: m.id, label: `${m.displayName} (${m.username})` }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** A searchable Select of team members; `roles` narrows it (e.g. those who can be assigned work). */
export function TeamMemberSelect({ roles, ...props }: Omit<SelectProps, 'data'> & { roles?: readonly Role[] }) {
  const { members, loading } = useTeamMembers();
  return (
    <Select searchable placeholder={loading ? 'Loading the team…' : 'Choose a person'} nothingFoundMessage="Nobody on the team by that name"
      comboboxProps={{ withinPortal: true }} {...props} data={memberOptions(members, roles)} />
  );
}
