// Feeds: the machine feeds a team takes in. A feed is configured once (parser and its settings,
// default classification, TLP and accuracy); each report it delivers is kept raw in the blob store
// (content-addressed) before anything reads it, then read by the feed worker: decoded, parsed line
// by line, harmonised into IntelMQ's vocabulary, routed to a constituent, and stored. A line that
// does not parse is kept with its number and the reason; the rest of the report goes on.
import type { Readable } from 'node:stream';
import type { Db, Executor } from '../../db/index.ts';
import type { FeedParser, FeedReportVia, FeedRouteRule, FeedTlp } from '../../db/schema-feeds.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { authorize, can } from '../../lib/authz/policy.ts';
import { decodeCursor, keysetPage } from '../../lib/cursor.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import type { RoutingIndex } from '../constituents/index.ts';
import type { BlobStore } from '../evidence/index.ts';
import { checkParserSettings, eventHash, openLines, parseLines, type ParsedLine } from './parsing.ts';
import { feedRepo, type FeedEventFilter, type FeedEventInsert, type FeedEventScope, type FeedReportRow, type FeedRow } from './repo.ts';

export interface FeedInput {
  name: string;
  provider?: string | undefined;
  documentationUrl?: string | null | undefined;
  parser: FeedParser;
  parserSettings?: Record<string, unknown> | undefined;
  classificationType?: string | null | undefined;
  tlp?: FeedTlp | undefined;
  accuracy?: number | undefined;
  enabled?: boolean | undefined;
}

export interface FeedDeps {
  db: Db;
  audit: AuditService;
  clock: Clock;
  blobs: BlobStore;
  routing: RoutingIndex;
  /** The largest report kept, in bytes. */
  maxBytes: number;
}

/** Events written per statement while a report is read. */
const EVENT_BATCH = 1000;
/** How long a worker holds a report it reads before another may take it over (renewed per batch). */
const LEASE_MS = 5 * 60_000;
/** A refused line is kept up to this many characters. */
const RAW_KEEP = 2000;

function scopeOf(actor: Actor): FeedEventScope {
  return { privileged: can(actor, 'feed.manage'), constituentIds: actor.constituentIds ? [...actor.constituentIds] : null };
}

/** The feed as the API shows it. */
function feedView(f: FeedRow) {
  return {
    id: f.id, name: f.name, provider: f.provider, documentationUrl: f.documentationUrl, parser: f.parser, parserSettings: f.parserSettings,
    classificationType: f.classificationType, tlp: f.tlp, accuracy: f.accuracy, enabled: f.enabled, version: f.version,
    createdAt: f.createdAt, updatedAt: f.updatedAt,
  };
}
export type FeedView = ReturnType<typeof feedView>;

function reportView(r: FeedReportRow) {
  return {
    id: r.id, feedId: r.feedId, via: r.via, filename: r.filename, contentType: r.contentType, size: r.size, sha256: r.sha256,
    receivedAt: r.receivedAt, status: r.status, lines: r.lines, events: r.events, failed: r.failed, duplicates: r.duplicates, routed: r.routed,
    encoding: r.encoding, error: r.error, finishedAt: r.finishedAt,
  };
}

/** Which constituent an event belongs to: its source address, then AS number, domain, URL host, e-mail address. */
function routeOf(table: Awaited<ReturnType<RoutingIndex['fresh']>>, e: Record<string, unknown>): { constituentId: string; rule: FeedRouteRule; matched: string } | null {
  const s = (k: string) => (typeof e[k] === 'string' ? (e[k] as string) : typeof e[k] === 'number' ? String(e[k]) : null);
  const ip = s('source.ip');
  const asn = s('source.asn');
  const fqdn = s('source.fqdn');
  const url = s('source.url');
  const account = s('source.account');
  const hit = (ip && table.lookup({ address: ip }))
    || (asn && table.lookup({ asn }))
    || (fqdn && table.lookup({ domain: fqdn }))
    || (url && hostOf(url, table))
    || (account && account.includes('@') && table.lookup({ email: account }))
    || null;
  return hit ? { constituentId: hit.constituentId, rule: hit.rule, matched: hit.matched } : null;
}
function hostOf(url: string, table: Awaited<ReturnType<RoutingIndex['fresh']>>) {
  try {
    const h = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return table.lookup({ address: h }) ?? table.lookup({ domain: h });
  } catch {
    return null;
  }
}

const asDate = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v) : null);
const asText = (v: unknown) => (typeof v === 'string' ? v : null);

export function createFeedService(d: FeedDeps) {
  let halted = false;
  async function mustFeed(x: Executor, idOrName: string): Promise<FeedRow> {
    const f = /^[0-9a-f-]{36}$/i.test(idOrName) ? await feedRepo.byId(x, idOrName) : await feedRepo.byName(x, idOrName);
    if (!f) throw new VigilError('VIG_FEED_NOT_FOUND', { feed: idOrName });
    return f;
  }

  /** The row of a feed to write, its parser settings checked and normalised. */
  function fields(input: FeedInput) {
    return {
      name: input.name.trim(),
      provider: input.provider?.trim() ?? '',
      documentationUrl: input.documentationUrl?.trim() || null,
      parser: input.parser,
      parserSettings: JSON.stringify(checkParserSettings(input.parser, input.parserSettings ?? {})),
      classificationType: input.classificationType ?? null,
      tlp: input.tlp ?? 'AMBER',
      accuracy: input.accuracy ?? 100,
      enabled: input.enabled ?? true,
    };
  }

  /** Reads one report: every line parsed, harmonised, routed and stored; the counts kept on the report. */
  async function read(report: FeedReportRow, onProgress?: (bytes: number, lines: number) => void): Promise<void> {
    const feed = await feedRepo.byId(d.db, report.feedId);
    if (!feed) return;
    const table = await d.routing.fresh();
    await feedRepo.ensurePartition(d.db, report.receivedAt);
    const counts = { lines: 0, events: 0, failed: 0, duplicates: 0, routed: 0 };
    const source = openLines(d.blobs.open(report.sha256) as Readable);
    let events: FeedEventInsert[] = [];
    let errors: { reportId: string; line: number; reason: string; raw: string }[] = [];
    const write = async (batch: FeedEventInsert[], refused: typeof errors, lines: number) => {
      const stored = await feedRepo.insertEvents(d.db, batch);
      counts.events += stored.stored;
      counts.routed += stored.routed;
      counts.duplicates += batch.length - stored.stored;
      await feedRepo.insertParseErrors(d.db, refused);
      await feedRepo.progress(d.db, report.id, { ...counts, lines });
      await feedRepo.renewLease(d.db, report.id, new Date(d.clock.now().getTime() + LEASE_MS));
      onProgress?.(source.bytes(), lines);
    };
    // One batch is written while the next is parsed (the database and the parser work at once);
    // never more, so memory stays flat when the database is the slower.
    let writing: Promise<void> = Promise.resolve();
    const flush = () => {
      const batch = events;
      const refused = errors;
      events = [];
      errors = [];
      writing = write(batch, refused, counts.lines);
      writing.catch(() => undefined); // awaited before the next batch: its failure ends the reading there
    };
    try {
      for await (const item of parseLines(feed.parser, feed.parserSettings, source.lines, { feed, observedAt: report.receivedAt }) as AsyncIterable<ParsedLine>) {
        counts.lines = Math.max(counts.lines, item.line);
        if ('error' in item) {
          counts.failed++;
          errors.push({ reportId: report.id, line: item.line, reason: item.error.slice(0, 1000), raw: item.raw.slice(0, RAW_KEEP) });
        } else {
          // What cleaning dropped or changed stays with the event, for whoever reads it.
          const event = item.warnings?.length ? { ...item.event, 'extra.vigil_cleaning': item.warnings } : item.event;
          const route = routeOf(table, event);
          events.push({
            timeObservation: report.receivedAt, hash: eventHash(event), feedId: feed.id, reportId: report.id, line: item.line,
            timeSource: asDate(event['time.source']), classificationTaxonomy: asText(event['classification.taxonomy']),
            classificationType: asText(event['classification.type']), sourceIp: asText(event['source.ip']),
            sourceAsn: typeof event['source.asn'] === 'number' ? event['source.asn'] : null, sourceFqdn: asText(event['source.fqdn']),
            sourceCc: asText(event['source.geolocation.cc']), tlp: (asText(event.tlp)?.replace(/^TLP:/, '') as FeedTlp | undefined) ?? feed.tlp,
            constituentId: route?.constituentId ?? null, routeRule: route?.rule ?? null, routeMatched: route?.matched ?? null,
            data: JSON.stringify(event),
          });
        }
        if (events.length + errors.length >= EVENT_BATCH) {
          await writing;
          // Shutting down: the report goes back to wait, and is read again from the start (nothing is stored twice).
          if (halted) return void (await feedRepo.release(d.db, report.id));
          flush();
        }
      }
      await writing;
      flush();
      await writing;
      counts.lines = Math.max(counts.lines, source.count());
      await feedRepo.finishReport(d.db, report.id, { status: 'parsed', lines: counts.lines, encoding: source.encoding(), error: null, at: d.clock.now() });
    } catch (err) {
      await writing.catch(() => undefined);
      const reason = err instanceof Error ? err.message : String(err);
      await feedRepo.finishReport(d.db, report.id, { status: 'failed', lines: counts.lines, encoding: source.encoding(), error: reason.slice(0, 1000), at: d.clock.now() });
    }
  }

  const service = {
    async list(actor: Actor): Promise<FeedView[]> {
      authorize(actor, 'feed.read');
      return (await feedRepo.list(d.db)).map(feedView);
    },

    async get(actor: Actor, idOrName: string): Promise<FeedView> {
      authorize(actor, 'feed.read');
      return feedView(await mustFeed(d.db, idOrName));
    },

    async create(actor: Actor, input: FeedInput): Promise<FeedView> {
      authorize(actor, 'feed.manage');
      const row = fields(input);
      return d.db.transaction().execute(async (tx) => {
        if (await feedRepo.byName(tx, row.name)) throw new VigilError('VIG_FEED_EXISTS', { name: row.name });
        const now = d.clock.now();
        const f = await feedRepo.insert(tx, { ...row, createdAt: now, updatedAt: now, updatedBy: actor.userId });
        await d.audit.record(tx, actor, { action: 'feed.created', entity: 'feed', entityId: f.id, after: { name: f.name, parser: f.parser, enabled: f.enabled } });
        return feedView(f);
      });
    },

    async update(actor: Actor, idOrName: string, version: number, input: FeedInput): Promise<FeedView> {
      authorize(actor, 'feed.manage');
      const row = fields(input);
      return d.db.transaction().execute(async (tx) => {
        const id = (await mustFeed(tx, idOrName)).id;
        const before = (await feedRepo.lock(tx, id))!;
        if (before.version !== version) throw new VigilError('VIG_FEED_VERSION_CONFLICT', { currentVersion: before.version, current: feedView(before) });
        const other = await feedRepo.byName(tx, row.name);
        if (other && other.id !== id) throw new VigilError('VIG_FEED_EXISTS', { name: row.name });
        const f = await feedRepo.update(tx, id, { ...row, updatedAt: d.clock.now(), updatedBy: actor.userId });
        await d.audit.record(tx, actor, {
          action: 'feed.updated', entity: 'feed', entityId: id,
          before: { name: before.name, parser: before.parser, enabled: before.enabled }, after: { name: f.name, parser: f.parser, enabled: f.enabled },
        });
        return feedView(f);
      });
    },

    /**
     * Keeps a report a feed delivered (its bytes in the blob store first, then its row) and leaves
     * it to the feed worker; answers at once with the report, status 'received'.
     */
    async receive(actor: Actor, feedIdOrName: string, upload: { via: FeedReportVia; filename: string | null; contentType: string; body: Readable }) {
      authorize(actor, 'feed.ingest');
      const feed = await mustFeed(d.db, feedIdOrName);
      if (!feed.enabled) throw new VigilError('VIG_FEED_DISABLED', { feed: feed.name });
      let blob;
      try {
        blob = await d.blobs.put(upload.body, d.maxBytes);
      } catch (err) {
        if (err instanceof VigilError && err.code === 'VIG_EVIDENCE_TOO_LARGE') throw new VigilError('VIG_FEED_REPORT_TOO_LARGE', { maxBytes: d.maxBytes });
        if (err instanceof VigilError && err.code === 'VIG_EVIDENCE_EMPTY') throw new VigilError('VIG_FEED_REPORT_EMPTY');
        throw err;
      }
      return d.db.transaction().execute(async (tx) => {
        const r = await feedRepo.insertReport(tx, {
          feedId: feed.id, via: upload.via, filename: upload.filename?.slice(0, 255) ?? null, contentType: upload.contentType.slice(0, 200),
          size: blob.size, sha256: blob.sha256, receivedAt: d.clock.now(), receivedBy: actor.userId, status: 'received', encoding: null, error: null,
          leaseUntil: null, finishedAt: null,
        });
        await d.audit.record(tx, actor, {
          action: 'feed.report_received', entity: 'feed_report', entityId: r.id,
          after: { feed: feed.name, via: r.via, filename: r.filename, size: r.size, sha256: r.sha256 },
        });
        return reportView(r);
      });
    },

    async reports(actor: Actor, feedIdOrName: string, page: { limit: number; cursor?: string | undefined }) {
      authorize(actor, 'feed.read');
      const feed = await mustFeed(d.db, feedIdOrName);
      const after = page.cursor ? decodeCursor(page.cursor, 'feed-reports', ['date', 'uuid']) : undefined;
      const rows = await feedRepo.reports(d.db, feed.id, page.limit + 1, after ? { receivedAt: after[0] as Date, id: after[1] as string } : undefined);
      const { page: items, nextCursor } = keysetPage(rows, page.limit, 'feed-reports', (r) => [r.receivedAt, r.id]);
      return { items: items.map(reportView), nextCursor };
    },

    /** A report, and the lines it refused (their raw text: unscoped members only, as it may name any constituent). */
    async report(actor: Actor, reportId: string, page: { limit: number; afterLine?: number | undefined }) {
      authorize(actor, 'feed.read');
      const r = await feedRepo.report(d.db, reportId);
      if (!r) throw new VigilError('VIG_FEED_REPORT_NOT_FOUND', { id: reportId });
      const errors = actor.constituentIds ? [] : await feedRepo.parseErrors(d.db, r.id, page.limit, page.afterLine ?? 0);
      return { ...reportView(r), parseErrors: errors.map((e) => ({ line: e.line, reason: e.reason, raw: e.raw })) };
    },

    /** Events the caller may see (TLP and constituent scope), newest first. */
    async events(actor: Actor, f: Omit<FeedEventFilter, 'after' | 'feedId'> & { feed?: string | undefined; cursor?: string | undefined }) {
      authorize(actor, 'feed.read');
      const feedId = f.feed ? (await mustFeed(d.db, f.feed)).id : undefined;
      const after = f.cursor ? decodeCursor(f.cursor, 'feed-events', ['date', 'int']) : undefined;
      const rows = await feedRepo.events(d.db, scopeOf(actor), { ...f, feedId, limit: f.limit + 1, after: after ? { timeObservation: after[0] as Date, id: Number(after[1]) } : undefined });
      const { page: items, nextCursor } = keysetPage(rows, f.limit, 'feed-events', (e) => [e.timeObservation, String(e.id)]);
      return {
        items: items.map((e) => ({
          id: e.id, feedId: e.feedId, reportId: e.reportId, line: e.line, timeObservation: e.timeObservation, tlp: e.tlp,
          constituentId: e.constituentId, route: e.routeRule ? { rule: e.routeRule, matched: e.routeMatched } : null, event: e.data,
        })),
        nextCursor,
      };
    },

    /**
     * Reads the next report waiting (or one whose reader died: its lease ran out); false when none
     * waits. Run by the feed worker of `vigil serve`, and by `vigil feed ingest` for its own report.
     */
    async readNext(): Promise<boolean> {
      const now = d.clock.now();
      const report = await feedRepo.claimReport(d.db, now, new Date(now.getTime() + LEASE_MS));
      if (!report) return false;
      await read(report);
      return true;
    },

    /**
     * Reads this report now, unless another reader holds it (the command line, for the report it
     * just handed over); false when it was not waiting.
     */
    async readOne(reportId: string, onProgress?: (bytes: number, lines: number) => void): Promise<boolean> {
      const now = d.clock.now();
      const report = await feedRepo.claimReport(d.db, now, new Date(now.getTime() + LEASE_MS), reportId);
      if (!report) return false;
      await read(report, onProgress);
      return true;
    },

    /** Stops reading: the report being read goes back to wait after its current batch (the server is shutting down). */
    halt() {
      halted = true;
    },

    /** The report as it stands (for the command line's progress). */
    async reportState(reportId: string) {
      const r = await feedRepo.report(d.db, reportId);
      return r ? reportView(r) : null;
    },
  };
  return service;
}
export type FeedService = ReturnType<typeof createFeedService>;
