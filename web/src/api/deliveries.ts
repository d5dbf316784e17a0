// The failed-deliveries view: deliveries of every kind (reporter mail, notifications, scheduled
// reports, work queued by incident events), with retry (GET/POST /deliveries).
import { api, qs } from './client';
import type { Answer, Schema } from './schema';

export type DeliveryStatus = Delivery['status'];

/** The kinds there are today; the server may name others (new kinds are new handlers). */
export const DELIVERY_KINDS: { value: string; label: string }[] = [
  { value: 'reporter_mail', label: 'Mail to reporters' },
  { value: 'notification', label: 'Notifications' },
  { value: 'kpi_report', label: 'Scheduled reports' },
  { value: 'reporter_mail.incident_event', label: 'Reporter updates (queued work)' },
  { value: 'notification.incident_event', label: 'Incident notifications (queued work)' },
];

export type Delivery = Schema<'Delivery'>;
export type DeliveryDetail = Schema<'DeliveryDetail'>;
export type DeliveryPage = Answer<'deliveries.list'>;

export const listDeliveries = (f: { kind?: string | undefined; status?: DeliveryStatus | undefined; limit?: number; cursor?: string | null }) =>
  api.get<DeliveryPage>(`/deliveries${qs({ kind: f.kind, status: f.status, limit: f.limit ?? 50, cursor: f.cursor })}`);

export const getDelivery = (id: string) => api.get<DeliveryDetail>(`/deliveries/${id}`);

export const retryDelivery = (id: string) => api.post<DeliveryDetail>(`/deliveries/${id}/retry`);
