import { useState, type FormEvent } from 'react';
import { Alert, Badge, Button, Group, MultiSelect, NumberInput, Stack, Table, Text, TextInput, Tooltip, ActionIcon } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconAlertTriangle, IconPlus, IconTrash } from '@tabler/icons-react';
import { api } from '../../api/client';
import type { Answer } from '../../api/schema';
import type { ApiToken, CreatedToken, Role } from '../../api/types';
import { useMe } from '../../auth/session';
import { DateText, EmptyRow, RoleBadges, SecretValue, Section } from '../../components/common';
import { useConfirm } from '../../components/confirm';
import { ErrorAlert, fieldErrors } from '../../components/errors';

const TOKENS_KEY = ['account', 'tokens'] as const;

function tokenStatus(t: ApiToken): { label: string; color: string } {
  if (t.revokedAt) return { label: 'revoked', color: 'gray' };
  if (new Date(t.expiresAt).getTime() <= Date.now()) return { label: 'expired', color: 'gray' };
  return { label: 'active', color: 'teal' };
}

function CreateTokenForm({ onCreated }: { onCreated: (t: CreatedToken) => void }) {
  const { user } = useMe();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [days, setDays] = useState<number | string>(90);
  const [roles, setRoles] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: () =>
      api.post<CreatedToken>('/account/tokens', {
        name: name.trim(),
        expiresInDays: Number(days),
        ...(roles.length > 0 ? { roles: roles as Role[] } : {}),
      }),
    onSuccess: (res) => {
      setName('');
      setRoles([]);
      setDays(90);
      onCreated(res);
      void client.invalidateQueries({ queryKey: TOKENS_KEY });
    },
  });
  const daysOk = Number.isInteger(Number(days)) && Number(days) >= 1 && Number(days) <= 365;
  const errs = fieldErrors(create.error);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() && daysOk) create.mutate();
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Create API token">
      <Stack gap="sm">
        <ErrorAlert error={create.error} />
        <Group align="flex-start" gap="sm" wrap="wrap">
          <TextInput label="Name" placeholder="e.g. SIEM forwarder" value={name} maxLength={100}
            onChange={(e) => setName(e.currentTarget.value)} error={errs.name} w={240} data-testid="token-name" />
          <NumberInput label="Expires in (days)" min={1} max={365} clampBehavior="strict" allowDecimal={false} value={days}
            onChange={setDays} error={!daysOk ? '1 to 365 days' : errs.expiresInDays} w={150} data-testid="token-days" />
          <MultiSelect label="Roles" placeholder={roles.length ? undefined : 'All of yours'} data={user.roles} value={roles}
            onChange={setRoles} clearable searchable w={280} error={errs.roles} data-testid="token-roles" />
          <Button type="submit" mt={25} leftSection={<IconPlus size={16} />} loading={create.isPending}
            disabled={!name.trim() || !daysOk} data-testid="token-create">
            Create token
          </Button>
        </Group>
        <Text size="xs" c="dimmed">Leave roles empty for a token with all of your roles, or pick some to limit what it can do.</Text>
      </Stack>
    </form>
  );
}

export function TokensSection() {
  const client = useQueryClient();
  const tokens = useQuery({ queryKey: TOKENS_KEY, queryFn: () => api.get<Answer<'account.tokens.list'>>('/account/tokens') });
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [confirmModal, confirm] = useConfirm();

  const revoke = (t: ApiToken) =>
    confirm({
      title: 'Revoke API token',
      message: <>Tools using <strong>{t.name}</strong> will be refused from now on. This cannot be undone.</>,
      confirmLabel: 'Revoke token',
      danger: true,
      onConfirm: async () => {
        await api.del(`/account/tokens/${encodeURIComponent(t.id)}`);
        if (created?.item.id === t.id) setCreated(null);
        await client.invalidateQueries({ queryKey: TOKENS_KEY });
      },
    });

  const items = tokens.data?.items ?? [];
  return (
    <Section title="API tokens" description="For scripts and tools that call the Vigil API on your behalf. A token acts with your roles, or the subset you choose.">
      <Stack gap="md">
        <CreateTokenForm onCreated={setCreated} />
        {created && (
          <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} withCloseButton onClose={() => setCreated(null)}
            title={`Token “${created.item.name}” created: copy it now`} closeButtonLabel="Dismiss">
            <Stack gap="xs">
              <Text size="sm">This token will not be shown again. Store it in your tool’s secret store.</Text>
              <SecretValue value={created.token} testId="new-token" label="API token" />
            </Stack>
          </Alert>
        )}
        <ErrorAlert error={tokens.error} />
        <Table.ScrollContainer minWidth={760}>
          <Table highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Roles</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th w={40} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody data-testid="tokens-table">
              {items.length === 0 && <EmptyRow colSpan={7}>{tokens.isLoading ? 'Loading…' : 'No API tokens yet.'}</EmptyRow>}
              {items.map((t) => {
                const status = tokenStatus(t);
                return (
                  <Table.Tr key={t.id} opacity={status.label === 'active' ? 1 : 0.6}>
                    <Table.Td fw={500}>{t.name}</Table.Td>
                    <Table.Td><RoleBadges roles={t.roles} /></Table.Td>
                    <Table.Td><DateText value={t.createdAt} /></Table.Td>
                    <Table.Td><DateText value={t.expiresAt} /></Table.Td>
                    <Table.Td><DateText value={t.lastUsedAt} empty="never" /></Table.Td>
                    <Table.Td><Badge size="sm" variant="light" color={status.color}>{status.label}</Badge></Table.Td>
                    <Table.Td>
                      {status.label === 'active' && (
                        <Tooltip label="Revoke">
                          <ActionIcon variant="subtle" color="red" aria-label={`Revoke token ${t.name}`} onClick={() => revoke(t)}>
                            <IconTrash size={16} />
                          </ActionIcon>
                        </Tooltip>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Stack>
      {confirmModal}
    </Section>
  );
}
