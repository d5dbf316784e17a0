import type { Db } from '../../db/index.ts';
import type { Tlp } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { randomToken, sha256Hex } from '../../lib/crypto.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import { sourceRepo, type SourceRow } from './alerts.repo.ts';
import { SOURCE_TOKEN_PREFIX } from './alerts.service.ts';
import { checkMapping, itemsOf, mapAlert, Mapping, MappingError } from './mapping.ts';
import { xarfAlert, xarfReportsIn } from './xarf.ts';

export interface SourceInput {
  name: string;
  description?: string | undefined;
  mapping: unknown;
  dedupWindowSeconds?: number | undefined;
  tlp?: Tlp | undefined;
}

export type SourcePatch = Partial<Omit<SourceInput, 'name'>> & { enabled?: boolean | undefined; version: number };

/** A mapping as stored: parsed with its defaults, checked against severities and RSIT. */
function validMapping(raw: unknown): Mapping {
  const r = Mapping.safeParse(raw);
  if (!r.success) {
    throw new VigilError('VIG_SOURCE_MAPPING_INVALID', { errors: r.error.issues.map((i) => ({ path: ['mapping', ...i.path].join('.'), message: i.message })) });
  }
  const problems = checkMapping(r.data);
  if (problems.length) throw new VigilError('VIG_SOURCE_MAPPING_INVALID', { errors: problems.map((p) => ({ path: 'mapping', message: p })) });
  return r.data;
}

function issue() {
  const token = SOURCE_TOKEN_PREFIX + randomToken(32);
  return { token, tokenHash: sha256Hex(token), tokenHint: `${token.slice(0, 8)}…${token.slice(-4)}` };
}

/**
 * Monitoring sources (SIEM, EDR, IDS, scripts): each has its own token (shown once, stored as a
 * hash), a field mapping and a deduplication window. Admins and managers manage them.
 */
export function createSourceService(d: { db: Db; audit: AuditService; clock: Clock }) {
  const audited = (s: SourceRow) => ({ name: s.name, tlp: s.tlp, dedupWindowSeconds: s.dedupWindowSeconds, enabled: s.enabled, mapping: s.mapping });

  return {
    async list(actor: Actor) {
      authorize(actor, 'intake.manage');
      return sourceRepo.list(d.db);
    },

    async get(actor: Actor, id: string) {
      authorize(actor, 'intake.manage');
      const s = await sourceRepo.find(d.db, id);
      if (!s) throw new VigilError('VIG_SOURCE_NOT_FOUND', { id });
      return s;
    },

    /** Creates a source; its token is in the answer and nowhere else, ever. */
    async create(actor: Actor, input: SourceInput) {
      authorize(actor, 'intake.manage');
      const mapping = validMapping(input.mapping);
      const t = issue();
      return d.db.transaction().execute(async (tx) => {
        const s = await sourceRepo.insert(tx, {
          name: input.name, description: input.description?.trim() ?? '', tokenHash: t.tokenHash, tokenHint: t.tokenHint, mapping,
          dedupWindowSeconds: input.dedupWindowSeconds ?? 3600, tlp: input.tlp ?? 'AMBER', createdBy: actor.userId, at: d.clock.now(),
        });
        if (!s) throw new VigilError('VIG_SOURCE_EXISTS', { name: input.name });
        await d.audit.record(tx, actor, { action: 'intake_source.created', entity: 'intake_source', entityId: s.id, after: audited(s) });
        return { source: s, token: t.token };
      });
    },

    async update(actor: Actor, id: string, patch: SourcePatch) {
      authorize(actor, 'intake.manage');
      const mapping = patch.mapping !== undefined ? validMapping(patch.mapping) : undefined;
      return d.db.transaction().execute(async (tx) => {
        const found = await sourceRepo.find(tx, id);
        if (!found) throw new VigilError('VIG_SOURCE_NOT_FOUND', { id });
        const before = (await sourceRepo.lock(tx, found.id))!;
        if (before.version !== patch.version) throw new VigilError('VIG_SOURCE_VERSION_CONFLICT', { id: before.id, yourVersion: patch.version, currentVersion: before.version, current: before });
        const after = await sourceRepo.update(tx, before.id, {
          ...(patch.description !== undefined ? { description: patch.description.trim() } : {}),
          ...(mapping ? { mapping } : {}),
          ...(patch.dedupWindowSeconds !== undefined ? { dedupWindowSeconds: patch.dedupWindowSeconds } : {}),
          ...(patch.tlp ? { tlp: patch.tlp } : {}),
          ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
          updatedAt: d.clock.now(),
        });
        await d.audit.record(tx, actor, { action: 'intake_source.updated', entity: 'intake_source', entityId: after.id, before: audited(before), after: audited(after) });
        return after;
      });
    },

    /** A new token; the old one stops working at once. */
    async rotateToken(actor: Actor, id: string) {
      authorize(actor, 'intake.manage');
      const t = issue();
      return d.db.transaction().execute(async (tx) => {
        const found = await sourceRepo.find(tx, id);
        if (!found) throw new VigilError('VIG_SOURCE_NOT_FOUND', { id });
        await sourceRepo.lock(tx, found.id);
        const after = await sourceRepo.update(tx, found.id, { tokenHash: t.tokenHash, tokenHint: t.tokenHint, updatedAt: d.clock.now() });
        await d.audit.record(tx, actor, { action: 'intake_source.token_rotated', entity: 'intake_source', entityId: after.id, after: { name: after.name, tokenHint: after.tokenHint } });
        return { source: after, token: t.token };
      });
    },

    /** What a mapping (the source's, or one being edited) makes of a sample body (X-ARF is read as X-ARF); nothing is stored. */
    async preview(actor: Actor, id: string, body: unknown, mappingOverride?: unknown) {
      authorize(actor, 'intake.manage');
      const s = await sourceRepo.find(d.db, id);
      if (!s) throw new VigilError('VIG_SOURCE_NOT_FOUND', { id });
      const mapping = validMapping(mappingOverride ?? s.mapping);
      const xarf = xarfReportsIn(body);
      if (xarf) return { ok: true as const, alerts: xarf.map(xarfAlert), error: null };
      try {
        return { ok: true as const, alerts: itemsOf(body, mapping).map((i) => mapAlert(i, mapping)), error: null };
      } catch (e) {
        if (e instanceof MappingError) return { ok: false as const, alerts: [], error: e.message };
        throw e;
      }
    },
  };
}
export type SourceService = ReturnType<typeof createSourceService>;
