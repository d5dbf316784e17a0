import { useEffect, useState, type FormEvent } from 'react';
import { Button, Group, Paper, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { api } from '../../api/client';
import type { Settings } from '../../api/types';
import { ME_KEY } from '../../auth/session';
import { PageHeader } from '../../components/common';
import { ErrorAlert, fieldErrors } from '../../components/errors';

const SETTINGS_KEY = ['admin', 'settings'] as const;
const TIME_ZONES = Intl.supportedValuesOf('timeZone');

export function SettingsPage() {
  const client = useQueryClient();
  const settings = useQuery({ queryKey: SETTINGS_KEY, queryFn: () => api.get<Settings>('/settings') });
  const [teamName, setTeamName] = useState('');
  const [requireMfa, setRequireMfa] = useState(false);
  const [timeZone, setTimeZone] = useState('UTC');
  const reset = (s: Settings) => {
    setTeamName(s.teamName);
    setRequireMfa(s.requireMfa);
    setTimeZone(s.timeZone);
  };

  useEffect(() => {
    if (settings.data) reset(settings.data);
  }, [settings.data]);

  const save = useMutation({
    mutationFn: (patch: Partial<Settings>) => api.patch<Settings>('/settings', patch),
    onSuccess: (res) => {
      client.setQueryData(SETTINGS_KEY, res);
      void client.invalidateQueries({ queryKey: ME_KEY });
      void client.invalidateQueries({ queryKey: ['meta'] });
      notifications.show({ color: 'teal', message: 'Settings saved.' });
    },
  });

  const current = settings.data;
  const patch: Partial<Settings> = {};
  if (current && teamName.trim() !== current.teamName) patch.teamName = teamName.trim();
  if (current && requireMfa !== current.requireMfa) patch.requireMfa = requireMfa;
  if (current && timeZone !== current.timeZone) patch.timeZone = timeZone;
  const dirty = Object.keys(patch).length > 0;
  const errs = fieldErrors(save.error);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (dirty && teamName.trim()) save.mutate(patch);
  };

  return (
    <Stack gap="md" maw={720}>
      <PageHeader title="Settings" description="Team-wide settings. Changes are written to the audit trail." />
      <ErrorAlert error={settings.error} />
      <Paper withBorder p="lg">
        <form onSubmit={submit} noValidate>
          <Stack gap="lg">
            <ErrorAlert error={save.error} />
            <TextInput
              label="Team name"
              description="Shown in the header and on the sign-in page."
              value={teamName}
              disabled={!current}
              maxLength={200}
              onChange={(e) => setTeamName(e.currentTarget.value)}
              error={!teamName.trim() && current ? 'A team name is required' : errs.teamName}
              data-testid="settings-team-name"
            />
            <Select
              label="Time zone"
              description="The team's months and years (KPIs, monthly and annual reports) are counted in this zone."
              data={TIME_ZONES.includes('UTC') ? TIME_ZONES : ['UTC', ...TIME_ZONES]}
              value={timeZone}
              searchable
              allowDeselect={false}
              disabled={!current}
              onChange={(v) => v && setTimeZone(v)}
              error={errs.timeZone}
              data-testid="settings-time-zone"
            />
            <Stack gap={6}>
              <Switch
                label="Require two-step verification for everyone"
                checked={requireMfa}
                disabled={!current}
                onChange={(e) => setRequireMfa(e.currentTarget.checked)}
                data-testid="settings-require-mfa"
              />
              <Text size="xs" c="dimmed" pl={54}>
                Users without MFA are asked to set it up at their next sign-in and can do nothing else until they have. Nobody can turn it off while this is on.
              </Text>
            </Stack>
            <Group>
              <Button type="submit" loading={save.isPending} disabled={!dirty || !teamName.trim()} data-testid="settings-save">
                Save settings
              </Button>
              {dirty && (
                <Button variant="subtle" color="gray" onClick={() => current && reset(current)}>
                  Discard changes
                </Button>
              )}
            </Group>
          </Stack>
        </form>
      </Paper>
    </Stack>
  );
}
