import type { Db } from '../../db/index.ts';
import type { Actor } from '../../lib/actor.ts';
import { incidentScope, scopeKey as incidentScopeKey, type IncidentScope } from '../../lib/authz/incidents.ts';
import { can } from '../../lib/authz/policy.ts';
import { visibleIncidentIds } from '../incidents/index.ts';
import { visibleReportIds, type ReportScope, type ReportService } from '../reports/index.ts';
import { liveRepo } from './repo.ts';

/** What a subscriber is told: the ids of incidents and reports that changed and that it may see. */
export interface LiveChange {
  incidents: string[];
  reports: string[];
}

/** What the live service needs of an open stream. */
export interface LiveListener {
  /**
   * The caller's access now, read afresh from the stream's credentials (one statement); null when
   * they no longer hold: signed out, session ended, token revoked, user disabled. May throw.
   */
  current(): Promise<Actor | null>;
  send(change: LiveChange): void;
  /** Ends the stream (the caller's credentials no longer hold). */
  end(reason: 'signed-out'): void;
}

interface Subscriber {
  actor: Actor;
  incidents: IncidentScope | null;
  reports: ReportScope | null;
  listener: LiveListener;
}

const BATCH = 5000;

const scopeKey = (r: ReportScope) =>
  r.kind === 'team' ? `team:${incidentScopeKey(r.incidents)}` : `reporter:${r.userId}`;

/**
 * Live updates for open consoles. One poll of the audit trail per server (not per client) finds
 * what changed since the last poll; each subscriber then hears only of the incidents and reports
 * its own access rules let it see (the same SQL rule as every read). Nothing but ids is sent: the
 * client re-reads through the API, which checks access again.
 *
 * A subscriber's access (roles, need to know, constituent scope) is what its credentials give
 * now, not when it connected: every change to a user (roles, scope, disabling, password or MFA
 * reset, signing out everywhere), a session (signing out, ending it) or an API token (revoking it)
 * is in the same audit trail, so the poll that finds such a change re-reads the access of the
 * subscribers it concerns before it filters anything, and ends their stream when their
 * credentials no longer hold. Nothing is re-read while nothing changes (docs/decisions.md).
 */
export function createLiveService(d: { db: Db; reports: ReportService; pollMs: number }) {
  const subscribers = new Set<Subscriber>();
  let last: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let polling = false;

  async function scopes(actor: Actor): Promise<Pick<Subscriber, 'incidents' | 'reports'>> {
    return {
      incidents: can(actor, 'incident.read') ? incidentScope(actor) : null,
      reports: can(actor, 'report.read') || can(actor, 'report.read_own') ? await d.reports.scope(actor) : null,
    };
  }

  /** Re-reads a subscriber's access; ends it (and returns false) when its credentials no longer hold. */
  async function refresh(s: Subscriber): Promise<boolean> {
    let now: Actor | null;
    try {
      now = await s.listener.current();
      if (now) Object.assign(s, { actor: now }, await scopes(now));
    } catch {
      now = null; // fail closed: the client reconnects, which authenticates afresh
    }
    if (now) return true;
    subscribers.delete(s);
    s.listener.end('signed-out');
    stopIfIdle();
    return false;
  }

  async function poll() {
    if (polling) return;
    polling = true;
    try {
      if (last === null) last = await liveRepo.lastSeq(d.db);
      const rows = await liveRepo.changesSince(d.db, last, BATCH);
      if (rows.length === 0) return;
      last = rows[rows.length - 1]!.seq;
      const ids = (entity: string) => [...new Set(rows.filter((r) => r.entity === entity && r.entityId).map((r) => r.entityId!))];
      // First, whose access changed: their scope is read again before anything is filtered with it.
      const users = new Set(ids('user'));
      const sessions = new Set(ids('session'));
      const tokens = new Set(ids('api_token'));
      for (const s of [...subscribers]) {
        const a = s.actor;
        if ((a.userId && users.has(a.userId)) || (a.sessionId && sessions.has(a.sessionId)) || (a.tokenId && tokens.has(a.tokenId))) await refresh(s);
      }
      const incidents = ids('incident');
      const reports = ids('report');
      if (incidents.length === 0 && reports.length === 0) return;
      // Consoles with the same scope (the same user, or privileged users of the same constituents) see the same: ask once per scope.
      const seen = new Map<string, Promise<string[]>>();
      const once = (key: string, load: () => Promise<string[]>) => {
        if (!seen.has(key)) seen.set(key, load());
        return seen.get(key)!;
      };
      for (const s of subscribers) {
        const i = s.incidents;
        const r = s.reports;
        const change = {
          incidents: i && incidents.length ? await once(`i:${incidentScopeKey(i)}`, () => visibleIncidentIds(d.db, i, incidents)) : [],
          reports: r && reports.length ? await once(`r:${scopeKey(r)}`, () => visibleReportIds(d.db, r, reports)) : [],
        };
        if (subscribers.has(s) && (change.incidents.length || change.reports.length)) s.listener.send(change);
      }
    } finally {
      polling = false;
    }
  }

  function start() {
    if (timer) return;
    timer = setInterval(() => void poll().catch(() => undefined), d.pollMs);
    timer.unref();
  }

  function stopIfIdle() {
    if (subscribers.size > 0 || !timer) return;
    clearInterval(timer);
    timer = null;
    last = null;
  }

  return {
    /**
     * Registers a stream for the actor; returns the function that ends it, or null when the
     * caller's credentials no longer hold. The access is read afresh once registered, so a change
     * made after the request was authenticated but before the poll watched for it is not missed.
     */
    async subscribe(actor: Actor, listener: LiveListener): Promise<(() => void) | null> {
      const sub: Subscriber = { actor, incidents: null, reports: null, listener };
      if (last === null) last = await liveRepo.lastSeq(d.db);
      subscribers.add(sub);
      start();
      const unsubscribe = () => {
        subscribers.delete(sub);
        stopIfIdle();
      };
      let now: Actor | null = null;
      try {
        now = await listener.current();
        if (now) Object.assign(sub, { actor: now }, await scopes(now));
      } catch {
        now = null;
      }
      if (!now) {
        unsubscribe();
        return null;
      }
      return unsubscribe;
    },

    /** Polls now (tests; the timer does it otherwise). */
    poll,

    close() {
      subscribers.clear();
      stopIfIdle();
    },
  };
}
export type LiveService = ReturnType<typeof createLiveService>;
