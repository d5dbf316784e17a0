// Table types of notifications: channels, preferences, templates, deliveries and their attempts. src/db/schema.ts's Database extends NotificationTables.
import type { ColumnType, Generated, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type ChannelKind = 'webhook' | 'slack' | 'mattermost' | 'matrix';
export type NotificationMedium = 'in_app' | 'email' | 'webhook';
export type NotificationStatus = 'queued' | 'sending' | 'sent' | 'failed';
export type NotificationOutcome = 'sent' | 'deferred' | 'failed' | 'abandoned';

export interface NotificationChannelTable {
  id: Generated<string>;
  name: string;
  kind: ChannelKind;
  url: string;
  roomId: string | null;
  secretSealed: string | null;
  events: string[];
  enabled: boolean;
  version: ColumnType<number, number | undefined, number>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface NotificationPreferenceTable {
  userId: string;
  event: string;
  email: boolean;
  inApp: boolean;
  updatedAt: Timestamp;
}

export interface NotificationTemplateTable {
  event: string;
  subject: string;
  body: string;
  version: ColumnType<number, number | undefined, number>;
  updatedBy: string | null;
  updatedAt: Timestamp;
}

export interface NotificationDeliveryTable {
  id: Generated<string>;
  event: string;
  dedupeKey: string;
  medium: NotificationMedium;
  recipient: string;
  userId: string | null;
  channelId: string | null;
  address: string | null;
  subject: string;
  body: string;
  link: string | null;
  vars: ColumnType<Record<string, string>, string, string>;
  readAt: Timestamp | null;
  createdAt: Timestamp;
}

/** Every table of this feature, keyed by its camelCase name. */
export interface NotificationTables {
  notificationChannel: NotificationChannelTable;
  notificationPreference: NotificationPreferenceTable;
  notificationTemplate: NotificationTemplateTable;
  notificationDelivery: NotificationDeliveryTable;
}

export type NotificationChannelRow = Selectable<NotificationChannelTable>;
/** A notification with its delivery state (kept in the delivery layer's `delivery` row of the same id). */
export type NotificationDeliveryRow = Selectable<NotificationDeliveryTable> & {
  status: NotificationStatus; attempts: number; nextAttemptAt: Date; lastError: string | null; sentAt: Date | null;
};
