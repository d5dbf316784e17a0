import { useState } from 'react';
import { Badge, Button, Card, Group, SegmentedControl, Stack, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { IconChecks } from '@tabler/icons-react';
import { api, qs } from '../../api/client';
import { DateText, PageHeader } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { navigate } from '../../router';
import { EVENT_LABELS, INBOX_KEY, useMarkRead, type InboxPage as Page, type NotificationEvent } from './api';

/** A link of a notification opened in the app when it points here, in a new tab otherwise. */
function openLink(link: string) {
  try {
    const u = new URL(link, window.location.origin);
    if (u.origin === window.location.origin) navigate(u.pathname + u.search);
    else if (u.protocol === 'https:' || u.protocol === 'http:') window.open(u.toString(), '_blank', 'noopener');
  } catch {
    /* not a URL: nothing to open */
  }
}

/** The signed-in user's in-app notifications. */
export function InboxPage() {
  const [filter, setFilter] = useState<'all' | 'unread'>('all');
  const markRead = useMarkRead();
  const query = useInfiniteQuery({
    queryKey: [...INBOX_KEY, filter],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => api.get<Page>(`/notifications${qs({ unread: filter === 'unread' ? 'true' : undefined, limit: 30, cursor: pageParam })}`),
    getNextPageParam: (last) => last.nextCursor,
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const unread = query.data?.pages[0]?.unread ?? 0;

  return (
    <Stack gap="md">
      <PageHeader
        title="Notifications"
        description="What Vigil told you: incidents assigned to you, escalations, alerts waiting. Choose what reaches you by e-mail on your Account page."
        actions={
          <Button variant="default" leftSection={<IconChecks size={16} />} disabled={unread === 0} loading={markRead.isPending}
            onClick={() => markRead.mutate('all')} data-testid="inbox-mark-all">
            Mark all read
          </Button>
        }
      />
      <Group>
        <SegmentedControl value={filter} onChange={(v) => setFilter(v as typeof filter)} data-testid="inbox-filter"
          data={[{ value: 'all', label: 'All' }, { value: 'unread', label: `Unread (${unread})` }]} />
      </Group>
      <ErrorAlert error={query.error ?? markRead.error} />
      <Stack gap="xs" data-testid="inbox-list">
        {items.length === 0 && <Text c="dimmed" size="sm">{query.isLoading ? 'Loading…' : filter === 'unread' ? 'Nothing unread.' : 'No notifications yet.'}</Text>}
        {items.map((n) => (
          <Card key={n.id} withBorder padding="sm" radius="md" data-notification={n.id} data-read={n.readAt ? 'true' : 'false'}
            style={{ borderLeft: n.readAt ? undefined : '3px solid var(--mantine-color-signal-6, var(--mantine-color-blue-6))' }}>
            <Group justify="space-between" align="flex-start" wrap="nowrap">
              <Stack gap={4} style={{ minWidth: 0 }}>
                <Group gap="xs">
                  <Badge size="xs" variant="light">{EVENT_LABELS[n.event as NotificationEvent] ?? n.event}</Badge>
                  <Text size="xs" c="dimmed"><DateText value={n.createdAt} /></Text>
                </Group>
                <Text fw={n.readAt ? 400 : 600} size="sm">{n.subject}</Text>
                <Text size="sm" c="dimmed" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{n.body}</Text>
              </Stack>
              <Group gap="xs" wrap="nowrap">
                {n.link && <Button size="xs" variant="light" onClick={() => { if (!n.readAt) markRead.mutate([n.id]); openLink(n.link!); }}>Open</Button>}
                {!n.readAt && <Button size="xs" variant="subtle" onClick={() => markRead.mutate([n.id])} data-testid="inbox-mark-read">Mark read</Button>}
              </Group>
            </Group>
          </Card>
        ))}
      </Stack>
      <Group justify="center">
        {query.hasNextPage && <Button variant="default" loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>Load more</Button>}
      </Group>
    </Stack>
  );
}
