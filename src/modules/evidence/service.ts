import type { Readable } from 'node:stream';
import type { Db, Executor } from '../../db/index.ts';
import type { EvidenceRow, IncidentRow, Tlp } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { incidentScope, type IncidentScope } from '../../lib/authz/incidents.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import { findVisibleIncident, recorder } from '../incidents/index.ts';
import { lockVisible, seesRestricted } from '../../lib/authz/access.repo.ts';
import { isRestrictedTlp } from '../../lib/tlp.ts';
import type { SettingsService } from '../settings/index.ts';
import type { BlobStore, StoredBlob } from './blobs.ts';
import { evidenceRepo } from './repo.ts';

export interface EvidenceMeta {
  filename: string;
  contentType?: string | undefined;
  description?: string | undefined;
  tlp?: Tlp | undefined;
  collectedBy: string;
  collectedAt: Date;
  collectedFrom: string;
}

export const evidenceView = (e: EvidenceRow) => ({
  id: e.id, incidentId: e.incidentId, filename: e.filename, contentType: e.contentType, size: Number(e.size),
  md5: e.md5, sha1: e.sha1, sha256: e.sha256, description: e.description, tlp: e.tlp,
  collectedBy: e.collectedBy, collectedAt: e.collectedAt, collectedFrom: e.collectedFrom, addedBy: e.addedBy, addedAt: e.addedAt,
});

/** Evidence files: streamed in, hashed, kept unchanged, and every access on the chain of custody. */
export function createEvidenceService(d: { db: Db; audit: AuditService; settings: SettingsService; clock: Clock; blobs: BlobStore; maxBytes: number }) {
  const record = recorder(d);

  /** The evidence and its incident if the actor may see both (404 otherwise). */
  async function visible(actor: Actor, evidenceId: string): Promise<{ ev: EvidenceRow; inc: IncidentRow; scope: IncidentScope }> {
    const scope = incidentScope(actor);
    const ev = await evidenceRepo.findById(d.db, evidenceId);
    const inc = ev && (await findVisibleIncident(d.db, scope, ev.incidentId));
    const restricted = ev && isRestrictedTlp(ev.tlp);
    if (!ev || !inc || (restricted && !(await seesRestricted(d.db, scope, inc.id)))) throw new VigilError('VIG_EVIDENCE_NOT_FOUND', { id: evidenceId });
    return { ev, inc, scope };
  }

  /** Records a stored file as evidence with its custody (collected, then added by the actor) and the incident event. */
  async function addEvidence(tx: Executor, actor: Actor, inc: IncidentRow, blob: StoredBlob, meta: EvidenceMeta, uploaded: Record<string, unknown>) {
    const now = d.clock.now();
    const ev = await evidenceRepo.insert(tx, {
      incidentId: inc.id, filename: meta.filename, contentType: meta.contentType ?? 'application/octet-stream', size: blob.size,
      md5: blob.md5, sha1: blob.sha1, sha256: blob.sha256, description: meta.description ?? '', tlp: meta.tlp ?? inc.tlp,
      collectedBy: meta.collectedBy, collectedAt: meta.collectedAt, collectedFrom: meta.collectedFrom, addedBy: actor.userId, addedAt: now,
    });
    await evidenceRepo.addCustody(tx, { evidenceId: ev.id, action: 'collected', at: meta.collectedAt, actorId: null, actorName: meta.collectedBy, details: { from: meta.collectedFrom } });
    await evidenceRepo.addCustody(tx, { evidenceId: ev.id, action: 'uploaded', at: now, actorId: actor.userId, actorName: actor.username, details: uploaded });
    const view = evidenceView(ev);
    await record(tx, actor, inc.id, 'evidence.added', { id: ev.id, filename: ev.filename, size: view.size, sha256: ev.sha256 }, { tlp: ev.tlp, occurredAt: meta.collectedAt });
    return view;
  }

  return {
    /** Checks access before reading a byte, stores the file, then records it and its custody. */
    async upload(actor: Actor, incidentId: string, body: Readable, meta: EvidenceMeta) {
      const scope = incidentScope(actor);
      const seen = await findVisibleIncident(d.db, scope, incidentId);
      if (!seen) throw new VigilError('VIG_INCIDENT_NOT_FOUND', { id: incidentId });
      authorize(actor, 'incident.update');
      if (seen.status === 'closed') throw new VigilError('VIG_INCIDENT_CLOSED', { id: seen.id });
      const blob = await d.blobs.put(body, d.maxBytes);
      return d.db.transaction().execute(async (tx) => {
        const inc = await lockVisible(tx, actor, scope, seen.id, 'incident.update');
        return addEvidence(tx, actor, inc, blob, meta, { ip: actor.ip });
      });
    },

    /**
     * Keeps a file Vigil already holds (a report's attachment) as evidence of an incident the actor
     * works on, in the caller's transaction: custody starts when the file was collected (the
     * report's arrival), then records who kept it. `source` says where it came from. When the
     * incident already holds these bytes as evidence, that evidence is returned (`existing`).
     */
    async keepIn(tx: Executor, actor: Actor, incidentId: string, blob: StoredBlob, meta: EvidenceMeta, source: Record<string, unknown>) {
      const inc = await lockVisible(tx, actor, incidentScope(actor), incidentId, 'incident.update');
      if (inc.status === 'closed') throw new VigilError('VIG_INCIDENT_CLOSED', { id: inc.id });
      const held = await evidenceRepo.findByContent(tx, inc.id, blob.sha256);
      if (held) return { evidence: evidenceView(held), existing: true };
      return { evidence: await addEvidence(tx, actor, inc, blob, meta, { ...source, ip: actor.ip }), existing: false };
    },

    async list(actor: Actor, incidentId: string) {
      const scope = incidentScope(actor);
      const inc = await findVisibleIncident(d.db, scope, incidentId);
      if (!inc) throw new VigilError('VIG_INCIDENT_NOT_FOUND', { id: incidentId });
      return (await evidenceRepo.forIncident(d.db, inc.id, await seesRestricted(d.db, scope, inc.id))).map(evidenceView);
    },

    /** Opens the file for download once the download is on the chain of custody and in the audit trail. */
    async download(actor: Actor, evidenceId: string) {
      const { ev, inc } = await visible(actor, evidenceId);
      authorize(actor, 'evidence.download');
      await d.db.transaction().execute(async (tx) => {
        await evidenceRepo.addCustody(tx, { evidenceId: ev.id, action: 'downloaded', at: d.clock.now(), actorId: actor.userId, actorName: actor.username, details: { ip: actor.ip } });
        await record(tx, actor, inc.id, 'evidence.downloaded', { id: ev.id, filename: ev.filename, sha256: ev.sha256 }, { tlp: ev.tlp });
      });
      return { view: evidenceView(ev), stream: d.blobs.open(ev.sha256) };
    },

    async handOver(actor: Actor, evidenceId: string, input: { to: string; reason: string }) {
      const { ev, inc } = await visible(actor, evidenceId);
      authorize(actor, 'incident.update');
      return d.db.transaction().execute(async (tx) => {
        const c = await evidenceRepo.addCustody(tx, { evidenceId: ev.id, action: 'handed_over', at: d.clock.now(), actorId: actor.userId, actorName: actor.username, details: input });
        await record(tx, actor, inc.id, 'evidence.handed_over', { id: ev.id, filename: ev.filename, ...input }, { tlp: ev.tlp });
        return c;
      });
    },

    async custody(actor: Actor, evidenceId: string) {
      const { ev } = await visible(actor, evidenceId);
      return evidenceRepo.custody(d.db, ev.id);
    },
  };
}
export type EvidenceService = ReturnType<typeof createEvidenceService>;
