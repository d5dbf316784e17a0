// Types and hooks of notifications: the signed-in user's inbox and preferences, and the admins'
// channels, templates and delivery log.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Answer, Body, Schema } from '../../api/schema';

export type NotificationEvent = TemplateView['event'];
export type DeliveryStatus = Delivery['status'];
export type Medium = Delivery['medium'];
export type ChannelKind = Channel['kind'];

export type InboxItem = Schema<'InboxNotification'>;
export type InboxPage = Answer<'notifications.inbox'>;
export type Preferences = Schema<'NotificationPreferences'>;
export type Channel = Schema<'NotificationChannel'>;
export type TemplateView = Schema<'NotificationTemplate'>;
export type Delivery = Schema<'NotificationDelivery'>;
export type DeliveryDetail = Schema<'NotificationDeliveryDetail'>;
export type DeliveryPage = Answer<'notificationDeliveries.list'>;

export const EVENT_LABELS: Record<NotificationEvent, string> = {
  'incident.declared': 'Incident declared',
  'incident.assigned': 'Incident assigned',
  'alert.unacknowledged': 'Alert not acknowledged',
  'escalation.level': 'Escalation',
  'sla.warning': 'SLA deadline near',
  'sla.breached': 'SLA breached',
  test: 'Test message',
};
export const KIND_LABELS: Record<ChannelKind, string> = { webhook: 'Webhook (JSON, signed)', slack: 'Slack', mattermost: 'Mattermost', matrix: 'Matrix room' };

export const UNREAD_KEY = ['notifications', 'unread'];
export const INBOX_KEY = ['notifications', 'inbox'];

/** The unread count for the bell, refreshed every 30 s and whenever the inbox changes. */
export function useUnreadCount() {
  return useQuery({ queryKey: UNREAD_KEY, queryFn: () => api.get<Answer<'notifications.unreadCount'>>('/notifications/unread-count'), refetchInterval: 30_000 });
}

export function useMarkRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (ids: string[] | 'all') => api.post<Answer<'notifications.markRead'>>('/notifications/read', (ids === 'all' ? { all: true } : { ids }) satisfies Body<'notifications.markRead'>),
    onSuccess: (r) => {
      client.setQueryData(UNREAD_KEY, { unread: r.unread });
      void client.invalidateQueries({ queryKey: INBOX_KEY });
    },
  });
}
