import { ActionIcon, Indicator } from '@mantine/core';
import { IconBell } from '@tabler/icons-react';
import { navigate } from '../router';
import { useUnreadCount } from '../pages/notifications/api';

/** The bell in the app frame: the unread count of one's in-app notifications; opens the inbox. */
export function NotificationBell() {
  const q = useUnreadCount();
  const unread = q.data?.unread ?? 0;
  const label = unread === 0 ? 'Notifications: none unread' : `Notifications: ${unread} unread`;
  return (
    <Indicator label={unread > 99 ? '99+' : unread} size={16} disabled={unread === 0} color="red" offset={4} data-testid="bell-count" data-unread={unread}>
      <ActionIcon variant="subtle" color="gray" size="lg" aria-label={label} title={label} onClick={() => navigate('/notifications')} data-testid="bell">
        <IconBell size={20} stroke={1.6} />
      </ActionIcon>
    </Indicator>
  );
}
