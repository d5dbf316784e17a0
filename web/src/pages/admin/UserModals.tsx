import { useEffect, useState, type FormEvent } from 'react';
import { Alert, Button, Group, Modal, MultiSelect, Stack, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Answer, Schema } from '../../api/schema';
import { ROLES, type Role } from '../../api/types';
import { CONSTITUENTS_KEY, type ConstituentSummary } from '../constituents/constituentsApi';
import { SecretValue } from '../../components/common';
import { ErrorAlert, fieldErrors } from '../../components/errors';

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: r }));

/** An account as administrators see it, with the constituents it is limited to (or, a reporter, belongs to). */
type User = Schema<'UserAdminView'>;

interface Draft {
  username: string;
  displayName: string;
  email: string;
  organisation: string;
  roles: string[];
  constituentIds: string[];
}

/** Create (user = null) or edit a user. Calls onSaved with the result of the request. */
export function UserFormModal({ opened, user, onClose, onCreated, onUpdated }: {
  opened: boolean;
  user: User | null;
  onClose: () => void;
  onCreated: (res: { user: User; temporaryPassword: string | null }) => void;
  onUpdated: (user: User) => void;
}) {
  const [draft, setDraft] = useState<Draft>({ username: '', displayName: '', email: '', organisation: '', roles: [], constituentIds: [] });
  const constituents = useQuery({
    queryKey: [...CONSTITUENTS_KEY, 'list', ''], enabled: opened,
    queryFn: () => api.get<ConstituentSummary[]>('/constituents?limit=1000'),
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (!opened) return;
    setError(null);
    setDraft(user
      ? { username: user.username, displayName: user.displayName, email: user.email ?? '', organisation: user.organisation ?? '', roles: [...user.roles], constituentIds: [...user.constituentIds] }
      : { username: '', displayName: '', email: '', organisation: '', roles: ['handler'], constituentIds: [] });
  }, [opened, user]);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const errs = fieldErrors(error);
  const valid = draft.displayName.trim() && (user || draft.username.trim());

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    setBusy(true);
    setError(null);
    const email = draft.email.trim();
    const organisation = draft.organisation.trim();
    try {
      if (user) {
        const res = await api.patch<Answer<'users.update'>>(`/users/${encodeURIComponent(user.id)}`, {
          displayName: draft.displayName.trim(),
          ...(email !== (user.email ?? '') ? { email: email || null } : {}),
          ...(organisation !== (user.organisation ?? '') ? { organisation: organisation || null } : {}),
          roles: draft.roles as Role[],
          ...(draft.constituentIds.join() !== [...user.constituentIds].sort().join() || draft.constituentIds.length !== user.constituentIds.length
            ? { constituentIds: draft.constituentIds } : {}),
        });
        onUpdated(res.user);
      } else {
        const res = await api.post<Answer<'users.create'>>('/users', {
          username: draft.username.trim(),
          displayName: draft.displayName.trim(),
          ...(email ? { email } : {}),
          ...(organisation ? { organisation } : {}),
          roles: draft.roles as Role[],
          ...(draft.constituentIds.length ? { constituentIds: draft.constituentIds } : {}),
        });
        onCreated(res);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={() => !busy && onClose()} title={<Text fw={600}>{user ? `Edit ${user.username}` : 'New user'}</Text>} size="lg">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack gap="sm">
          <ErrorAlert error={error} />
          <TextInput label="Username" required disabled={Boolean(user)} autoComplete="off" value={draft.username}
            description={user ? 'Usernames cannot be changed.' : 'Used to sign in: 2-63 characters, letters, digits and . _ @ -'}
            onChange={(e) => set('username', e.currentTarget.value)} error={errs.username} data-testid="user-username" autoFocus={!user} />
          <TextInput label="Display name" required value={draft.displayName}
            onChange={(e) => set('displayName', e.currentTarget.value)} error={errs.displayName} data-testid="user-displayname" />
          <TextInput label="E-mail" type="email" value={draft.email}
            onChange={(e) => set('email', e.currentTarget.value)} error={errs.email} data-testid="user-email" />
          <TextInput label="Organisation" value={draft.organisation} maxLength={200}
            description="For a reporter account: the constituent whose reports it submits and follows."
            onChange={(e) => set('organisation', e.currentTarget.value)} error={errs.organisation} data-testid="user-organisation" />
          <MultiSelect label="Roles" data={ROLE_OPTIONS} value={draft.roles} onChange={(v) => set('roles', v)}
            error={errs.roles} data-testid="user-roles" searchable comboboxProps={{ withinPortal: true }} />
          <MultiSelect label="Constituents" data={(constituents.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
            value={draft.constituentIds} onChange={(v) => set('constituentIds', v)} searchable clearable
            placeholder={draft.constituentIds.length ? undefined : 'All constituents'}
            description="A team member limited to constituents sees only their incidents, reports, alerts and figures; none: everything. A reporter follows its constituents' reports."
            error={errs.constituentIds} data-testid="user-constituents" comboboxProps={{ withinPortal: true }} />
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
            <Button type="submit" loading={busy} disabled={!valid} data-testid="user-save">
              {user ? 'Save changes' : 'Create user'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Shows a temporary password once, after creating a user or resetting a password. */
export function TemporaryPasswordModal({ value, onClose }: { value: { username: string; password: string | null } | null; onClose: () => void }) {
  return (
    <Modal opened={value !== null} onClose={onClose} title={<Text fw={600}>Temporary password for {value?.username}</Text>} size="md"
      closeOnClickOutside={false}>
      <Stack>
        <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />}>
          This password is shown only once. Give it to the user over a trusted channel; they must choose a new one when they first sign in.
        </Alert>
        {value?.password ? (
          <SecretValue value={value.password} testId="temporary-password" label="Temporary password" />
        ) : (
          <Text size="sm" c="dimmed">The server issued no temporary password for this account.</Text>
        )}
        <Group justify="flex-end">
          <Button onClick={onClose} data-testid="temporary-password-done">Done</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
