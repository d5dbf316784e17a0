import { useEffect, type ReactNode } from 'react';
import { Anchor, Box, Container, Group, Paper, Stack, Text } from '@mantine/core';
import { useMetaQuery } from '../../auth/session';
import { Brand } from '../../components/common';
import { Link } from '../../router';

/** The frame of the pages anyone may open: the team's name, one card, readable on a phone. */
export function PublicLayout({ title, children }: { title: string; children: ReactNode }) {
  const meta = useMetaQuery();
  const team = meta.data?.teamName;
  useEffect(() => {
    const before = document.title;
    document.title = team ? `${title} · ${team}` : title;
    return () => void (document.title = before);
  }, [title, team]);
  return (
    <Box className="vigil-auth-bg" mih="100vh">
      <Container size={720} px={{ base: 'xs', sm: 'md' }} py={{ base: 'md', sm: 'xl' }}>
        <Stack gap="md">
          <Group justify="space-between" wrap="nowrap" px={4}>
            <Brand />
            {team && <Text c="dimmed" size="sm" ta="right" data-testid="team-name">{team}</Text>}
          </Group>
          <Paper component="main" withBorder shadow="xl" p={{ base: 'md', sm: 'xl' }} radius="md">
            {children}
          </Paper>
          <Text c="dimmed" size="xs" ta="center">
            Team member? <Anchor component={Link} href="/" size="xs">Sign in</Anchor>
          </Text>
        </Stack>
      </Container>
    </Box>
  );
}
