import type { ReactNode } from 'react';
import { Box, Center, Paper, Stack, Text } from '@mantine/core';
import { Brand } from '../components/Brand';
import { useMetaQuery } from './session';

/** The centred card used by the login page and the forced account steps. */
export function AuthLayout({ children, width = 400, teamName }: { children: ReactNode; width?: number; teamName?: string }) {
  const meta = useMetaQuery();
  const team = teamName ?? meta.data?.teamName;
  return (
    <Box className="vigil-auth-bg" mih="100vh">
      <Center mih="100vh" p="md">
        <Stack w="100%" maw={width} gap="lg">
          <Stack gap={4} align="center">
            <Brand size="lg" />
            {team && <Text c="dimmed" size="sm" data-testid="team-name">{team}</Text>}
          </Stack>
          <Paper withBorder shadow="xl" p="xl" radius="md">
            {children}
          </Paper>
          <Text c="dimmed" size="xs" ta="center">
            Vigil {meta.data?.version ? `v${meta.data.version} · ` : ''}CSIRT operations platform
          </Text>
        </Stack>
      </Center>
    </Box>
  );
}
