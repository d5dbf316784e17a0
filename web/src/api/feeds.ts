// Feeds: configured machine feeds, the reports handed to them, and their harmonised events
// (GET/POST/PUT /feeds, /feed-reports, /feed-events).
import { api, qs } from './client';
import type { Answer, Body, Schema } from './schema';

export type Feed = Schema<'Feed'>;
export type FeedReport = Schema<'FeedReport'>;
export type FeedReportDetail = Answer<'feeds.report'>;
export type FeedEvent = Schema<'FeedEvent'>;
export type FeedInput = Body<'feeds.create'>;

export const FEED_PARSERS: { value: Feed['parser']; label: string }[] = [
  { value: 'intelmq', label: 'IntelMQ events (JSON lines)' },
  { value: 'csv', label: 'CSV with a mapping' },
  { value: 'list', label: 'Plain list (addresses, networks, domains, URLs)' },
  { value: 'xarf', label: 'X-ARF v4 reports' },
];

export const feedsKey = ['feeds'] as const;

export const listFeeds = () => api.get<Answer<'feeds.list'>>('/feeds');
export const createFeed = (input: FeedInput) => api.post<Feed>('/feeds', input);
export const uploadFeedReport = (feed: string, file: File) =>
  api.upload<FeedReport>(`/feeds/${encodeURIComponent(feed)}/reports${qs({ filename: file.name.replace(/[\\/\u0000-\u001f\u007f]/g, '_').slice(0, 255) || undefined })}`, file);
export const listFeedReports = (feed: string, cursor: string | null) =>
  api.get<Answer<'feeds.reports'>>(`/feeds/${encodeURIComponent(feed)}/reports${qs({ limit: 20, cursor })}`);
export const getFeedReport = (id: string) => api.get<FeedReportDetail>(`/feed-reports/${id}${qs({ limit: 200 })}`);
export const listFeedEvents = (f: { feed?: string | undefined; unrouted?: boolean; cursor: string | null }) =>
  api.get<Answer<'feeds.events'>>(`/feed-events${qs({ feed: f.feed, unrouted: f.unrouted ? 'true' : undefined, limit: 50, cursor: f.cursor })}`);
