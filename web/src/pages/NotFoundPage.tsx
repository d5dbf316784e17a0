import { Button, Stack, Text, Title } from '@mantine/core';
import { navigate } from '../router';

function Message({ title, text }: { title: string; text: string }) {
  return (
    <Stack align="flex-start" gap="sm" py="xl">
      <Title order={1} fz={22}>{title}</Title>
      <Text c="dimmed">{text}</Text>
      <Button variant="light" onClick={() => navigate('/')}>Back to the dashboard</Button>
    </Stack>
  );
}

export function NotFoundPage() {
  return <Message title="Page not found" text="There is no page at this address." />;
}

export function ForbiddenPage() {
  return <Message title="Not available to you" text="This page needs a role your account does not have. Ask an administrator if you need access." />;
}
