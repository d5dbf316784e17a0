import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, stores, type Store, type TestDb } from '../../../test/db.ts';
import { systemActor, systemClock } from '../../lib/actor.ts';
import { canonicalJson } from '../../lib/canonical-json.ts';
import { keyIdOf, makeAnchor, verifyAnchor, writeAnchor } from './anchor.ts';
import { createAuditService, verifyChain } from './service.ts';

describe.each(stores())('audit anchors on %s', (store: Store) => {
  let t: TestDb;
  const key = randomBytes(32);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-anchor-'));
  const append = async (n: number) => {
    const audit = createAuditService({ db: t.db, clock: systemClock });
    for (let i = 0; i < n; i++) {
      await t.db.transaction().execute((tx) => audit.record(tx, systemActor('cli'), { action: 'test.anchored', entity: 'test', entityId: String(i), after: { i } }));
    }
  };
  beforeAll(async () => {
    t = await freshDb(store);
    await append(5);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a fresh anchor verifies; one altered in any field, or signed by another key, is rejected', async () => {
    const a = await makeAnchor(t.db, key);
    expect(a.seq).toBeGreaterThanOrEqual(5);
    const path = await writeAnchor(dir, a);
    const text = readFileSync(path, 'utf8');
    const ok = await verifyAnchor(t.db, text);
    expect(ok.ok, ok.message).toBe(true);
    expect(ok.message).toMatch(new RegExp(`record ${a.seq} still has the hash`));

    // The same key is used again (sealed in the database), and more records keep older anchors valid.
    await append(2);
    expect((await makeAnchor(t.db, key)).keyId).toBe(a.keyId);
    expect((await verifyAnchor(t.db, text)).ok).toBe(true);

    for (const tampered of [{ ...a, seq: a.seq - 1 }, { ...a, hash: 'f'.repeat(64) }, { ...a, createdAt: '2020-01-01T00:00:00.000Z' }]) {
      const r = await verifyAnchor(t.db, JSON.stringify(tampered));
      expect(r.ok).toBe(false);
      expect(r.message).toMatch(/signature does not verify/);
    }
    expect((await verifyAnchor(t.db, 'not json')).message).toMatch(/not an anchor file/);

    // A well-signed anchor by a key this Vigil does not hold (someone else's Vigil, or a forger's).
    const pair = generateKeyPairSync('ed25519');
    const publicKey = pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const { signature: _s, ...body } = { ...a, publicKey, keyId: keyIdOf(publicKey) };
    const foreign = { ...body, signature: sign(null, Buffer.from(canonicalJson(body)), pair.privateKey).toString('base64') };
    const r = await verifyAnchor(t.db, JSON.stringify(foreign));
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/not by this Vigil's anchor key/);
  });

  it('finds the chain truncated after the anchor, which the chain alone cannot', async () => {
    const a = await makeAnchor(t.db, key);
    const keep = a.seq - 3;
    // What an intruder with the database's owner rights could do: switch the append-only trigger off and cut the tail.
    await sql`alter table audit_log disable trigger audit_log_no_update`.execute(t.db);
    await sql`delete from audit_log where seq > ${keep}`.execute(t.db);
    await sql`alter table audit_log enable trigger audit_log_no_update`.execute(t.db);

    const chain = await verifyChain(t.db);
    expect(chain.ok, 'the shortened chain is still a valid chain').toBe(true);
    const r = await verifyAnchor(t.db, JSON.stringify(a));
    expect(r.ok).toBe(false);
    expect(r.message).toBe(`Audit chain TRUNCATED: the anchor of ${a.createdAt} holds record ${a.seq}, but the chain ends at record ${keep}; records after ${keep} were deleted.`);
  });
});
