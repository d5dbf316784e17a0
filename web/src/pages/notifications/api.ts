// Types and hooks of notifications: the signed-in user's inbox and preferences, and the admins'
// channels, templates and delivery log.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';

export type NotificationEvent = 'incident.declared' | 'incident.assigned' | 'alert.unacknowledged' | 'escalation.level' | 'test';
export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'failed';
export type Medium = 'in_app' | 'email' | 'webhook';
export type ChannelKind = 'webhook' | 'slack' | 'mattermost' | 'matrix';

export interface InboxItem {
  id: string;
  event: string;
  subject: string;
  body: string;
  link: string | null;
  readAt: string | null;
  createdAt: string;
}
export interface InboxPage {
  items: InboxItem[];
  unread: number;
  nextCursor: string | null;
}
export interface Preferences {
  hasEmail: boolean;
  items: { event: NotificationEvent; label: string; email: boolean; inApp: boolean }[];
}
export interface Channel {
  id: string;
  name: string;
  kind: ChannelKind;
  url: string;
  roomId: string | null;
  events: string[];
  enabled: boolean;
  hasSecret: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}
export interface TemplateView {
  event: NotificationEvent;
  label: string;
  variables: string[];
  default: { subject: string; body: string };
  subject: string;
  body: string;
  isDefault: boolean;
  version: number;
}
export interface Delivery {
  id: string;
  event: string;
  dedupeKey: string;
  medium: Medium;
  recipient: string;
  userId: string | null;
  channelId: string | null;
  address: string | null;
  subject: string;
  link: string | null;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  sentAt: string | null;
  readAt: string | null;
  createdAt: string;
}
export interface DeliveryDetail extends Delivery {
  body: string;
  attemptLog: { at: string; outcome: string; response: string | null; code: number | null }[];
}
export interface DeliveryPage {
  items: Delivery[];
  nextCursor: string | null;
  relayConfigured: boolean;
}

export const EVENT_LABELS: Record<NotificationEvent, string> = {
  'incident.declared': 'Incident declared',
  'incident.assigned': 'Incident assigned',
  'alert.unacknowledged': 'Alert not acknowledged',
  'escalation.level': 'Escalation',
  test: 'Test message',
};
export const KIND_LABELS: Record<ChannelKind, string> = { webhook: 'Webhook (JSON, signed)', slack: 'Slack', mattermost: 'Mattermost', matrix: 'Matrix room' };

export const UNREAD_KEY = ['notifications', 'unread'];
export const INBOX_KEY = ['notifications', 'inbox'];

/** The unread count for the bell, refreshed every 30 s and whenever the inbox changes. */
export function useUnreadCount() {
  return useQuery({ queryKey: UNREAD_KEY, queryFn: () => api.get<{ unread: number }>('/notifications/unread-count'), refetchInterval: 30_000 });
}

export function useMarkRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (ids: string[] | 'all') => api.post<{ marked: number; unread: number }>('/notifications/read', ids === 'all' ? { all: true } : { ids }),
    onSuccess: (r) => {
      client.setQueryData(UNREAD_KEY, { unread: r.unread });
      void client.invalidateQueries({ queryKey: INBOX_KEY });
    },
  });
}
