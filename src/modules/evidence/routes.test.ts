import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, makeApp, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

describe.each(stores())('evidence on %s', (store) => {
  let t: TestApp;
  let handler: Session;
  let other: Session;
  let viewer: Session;
  let admin: Session;
  beforeAll(async () => {
    t = await makeApp(store, { VIGIL_EVIDENCE_MAX_BYTES: String(1024 * 1024) });
    handler = await userWith(t, ['handler']);
    other = await userWith(t, ['handler']);
    viewer = await userWith(t, ['viewer']);
    admin = await adminSession(t);
  });
  afterAll(() => t?.close());

  const declare = async (over: object = {}) =>
    (await t.app.inject({
      method: 'POST', url: '/api/v1/incidents', headers: handler.headers,
      payload: { title: 'Exfiltration', impact: 'medium', urgency: 'medium', classifications: [{ class: 'information-content-security', type: 'data-leak' }], ...over },
    })).json();
  const meta = 'collectedBy=Dana%20(duty)&collectedAt=2026-11-24T21:15:00Z&collectedFrom=FS01%20memory%20image';
  const upload = (who: Session, incidentId: string, body: Buffer | string, query = `filename=mem.raw&${meta}`, contentType = 'application/octet-stream') =>
    t.app.inject({ method: 'POST', url: `/api/v1/incidents/${incidentId}/evidence?${query}`, headers: { ...who.headers, 'content-type': contentType }, payload: body });

  it('stores the file by SHA-256 with its hashes and starts the chain of custody', async () => {
    const inc = await declare();
    const bytes = Buffer.from('MZ\u0090\u0000 pretend this is a memory image '.repeat(2000));
    const r = await upload(handler, inc.id, bytes);
    expect(r.statusCode, r.body).toBe(201);
    const ev = r.json();
    expect(ev).toMatchObject({
      filename: 'mem.raw', size: bytes.length, tlp: 'AMBER', collectedBy: 'Dana (duty)', collectedFrom: 'FS01 memory image',
      sha256: createHash('sha256').update(bytes).digest('hex'), sha1: createHash('sha1').update(bytes).digest('hex'), md5: createHash('md5').update(bytes).digest('hex'),
    });
    const file = join(t.config.evidenceDir, ev.sha256.slice(0, 2), ev.sha256.slice(2, 4), ev.sha256);
    expect(statSync(file).size).toBe(bytes.length);
    expect(statSync(file).mode & 0o222).toBe(0); // read-only
    const custody = (await t.app.inject({ method: 'GET', url: `/api/v1/evidence/${ev.id}/custody`, headers: viewer.headers })).json().items;
    expect(custody.map((c: { action: string }) => c.action)).toEqual(['collected', 'uploaded']);
    // The same bytes again are kept once on disk.
    const again = (await upload(handler, inc.id, bytes, `filename=copy.raw&${meta}`)).json();
    expect(again.sha256).toBe(ev.sha256);
    expect(readdirSync(join(t.config.evidenceDir, ev.sha256.slice(0, 2), ev.sha256.slice(2, 4)))).toEqual([ev.sha256]);
  });

  it('downloads with permission only, recording each download', async () => {
    const inc = await declare();
    const ev = (await upload(handler, inc.id, Buffer.from('phishing.eml contents'))).json();
    const r = await t.app.inject({ method: 'GET', url: `/api/v1/evidence/${ev.id}/download`, headers: other.headers });
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe('phishing.eml contents');
    expect(r.headers['content-disposition']).toMatch(/attachment; filename="mem.raw"/);
    expect(r.headers['x-evidence-sha256']).toBe(ev.sha256);
    for (const who of [viewer, admin]) {
      const denied = await t.app.inject({ method: 'GET', url: `/api/v1/evidence/${ev.id}/download`, headers: who.headers });
      expect(denied.statusCode).toBe(403);
    }
    const hand = await t.app.inject({ method: 'POST', url: `/api/v1/evidence/${ev.id}/handover`, headers: handler.headers, payload: { to: 'National police cyber unit', reason: 'Criminal complaint' } });
    expect(hand.statusCode).toBe(201);
    const custody = (await t.app.inject({ method: 'GET', url: `/api/v1/evidence/${ev.id}/custody`, headers: handler.headers })).json().items;
    expect(custody.map((c: { action: string }) => c.action)).toEqual(['collected', 'uploaded', 'downloaded', 'handed_over']);
    const audit = (await t.app.inject({ method: 'GET', url: `/api/v1/audit?action=evidence.downloaded`, headers: admin.headers })).json().items;
    expect(audit.length).toBeGreaterThan(0);
  });

  it('refuses empty files, files over the limit, bad names and the wrong content type, keeping nothing', async () => {
    const inc = await declare();
    const before = readdirSync(t.config.evidenceDir, { recursive: true }).length;
    expect((await upload(handler, inc.id, Buffer.alloc(0))).json().code).toBe('VIG_EVIDENCE_EMPTY');
    const big = await upload(handler, inc.id, Buffer.alloc(1024 * 1024 + 1, 1));
    expect(big.statusCode).toBe(413);
    for (const name of ['..%2Fetc%2Fpasswd', 'a%5Cb.txt', 'line%0Abreak.txt', '..']) {
      const r = await upload(handler, inc.id, Buffer.from('x'), `filename=${name}&${meta}`);
      expect(r.statusCode, name).toBe(400);
      expect(r.json().errors[0].path).toBe('querystring.filename');
    }
    expect((await upload(handler, inc.id, '{"a":1}', `filename=a.json&${meta}`, 'application/json')).json().code).toBe('VIG_REQUEST_UNSUPPORTED_MEDIA_TYPE');
    const after = readdirSync(t.config.evidenceDir, { recursive: true }).filter((f) => !String(f).startsWith('tmp/')).length;
    expect(after).toBeLessThanOrEqual(before + 1); // at most the tmp folder itself
    expect(readdirSync(join(t.config.evidenceDir, 'tmp'))).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/incidents/${inc.id}/evidence`, headers: handler.headers })).json().items).toEqual([]);
  });

  it('hides restricted evidence and incidents from outsiders, and refuses viewers', async () => {
    const inc = await declare();
    const red = (await upload(handler, inc.id, Buffer.from('secret'), `filename=s.bin&tlp=RED&${meta}`)).json();
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/incidents/${inc.id}/evidence`, headers: other.headers })).json().items).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/evidence/${red.id}/download`, headers: other.headers })).statusCode).toBe(404);
    expect((await upload(viewer, inc.id, Buffer.from('x'))).statusCode).toBe(403);
    const hidden = await declare({ tlp: 'RED' });
    expect((await upload(other, hidden.id, Buffer.from('x'))).statusCode).toBe(404);
  });
});
